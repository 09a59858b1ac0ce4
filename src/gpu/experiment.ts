/**
 * The FGD paper's experiment protocol, as its simulator runs it (hkust-adsl/kubernetes-scheduler-
 * simulator, `-tune 1.3 -tuneseed S --shuffle-pod=true`):
 *
 * 1. take every pod of the workload sorted by name and shuffle them with the seed (named stream
 *    `fgd.shuffle`);
 * 2. inflate: while the total GPU request is below ratio × cluster GPU capacity (ratio 1.3), draw a
 *    pod uniformly with replacement from the original list (stream `fgd.inflate`) and append it,
 *    stopping at the first draw that would overshoot the target; a workload already above the
 *    target loses randomly chosen pods until it is not;
 * 3. schedule each pod once, in order: Filter, then the policy's Score, highest wins, ties to the
 *    smallest node name; no retries, no departures; a pod that fits nowhere still counts as arrived;
 * 4. after every pod record arrived GPU, allocated GPU and fragmented GPU (FGD's measure over the
 *    typical tasks of the workload, ./fragmentation.ts), each in % of GPU capacity, and the
 *    fragmentation ratio (% of idle GPU).
 *
 * Pure: no I/O, no clock; randomness only from the seed's named streams.
 */
import { InputError } from '../core/errors.js';
import { RandomStreams } from '../engine/random.js';
import { FILTER_REASONS, FIT, GpuCluster, type CompiledPod } from './cluster.js';
import { FragMeasure, typicalTasks } from './fragmentation.js';
import { createGpuPolicy } from './policies/index.js';
import { podGpuMilliTotal, type GpuNodeSpec, type GpuPodSpec } from './types.js';

/** Workload inflation target of the paper: 130% of the cluster's GPU capacity. */
export const TUNE_RATIO = 1.3;

export interface ArrivalOptions {
  readonly seed: number;
  /** The cluster's GPU capacity in milli-GPU. */
  readonly capacityMilli: number;
  /** Inflation target as a share of the capacity (default 1.3). */
  readonly ratio?: number;
}

/** Sorts by name, shuffles with the seed, inflates to `ratio` × capacity (steps 1–2 above). */
export function prepareArrivals(pods: readonly GpuPodSpec[], { seed, capacityMilli, ratio = TUNE_RATIO }: ArrivalOptions): GpuPodSpec[] {
  const streams = new RandomStreams(seed);
  const original = [...pods].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const list = streams.stream('fgd.shuffle').shuffle([...original]);
  const target = ratio * capacityMilli;
  let total = 0;
  for (const p of list) total += podGpuMilliTotal(p);
  const draw = streams.stream('fgd.inflate');
  // a workload without GPU requests cannot grow towards a GPU target: leave it as it is
  const canGrow = original.some((p) => podGpuMilliTotal(p) > 0);
  if (total < target) {
    if (!canGrow) return list;
    for (let k = 1; ; k++) {
      const p = draw.pick(original);
      const add = podGpuMilliTotal(p);
      if (total + add > target) break;
      list.push({ ...p, name: `${p.name}-inflate-${k}` });
      total += add;
    }
  } else {
    while (total > target && list.length > 0) {
      const [p] = list.splice(draw.int(0, list.length - 1), 1);
      total -= podGpuMilliTotal(p);
    }
  }
  return list;
}

export interface PodRecord {
  readonly arrivedPct: number;
  readonly allocPct: number;
  readonly fragPct: number;
  readonly fragRatioPct: number;
}

/** One pod's outcome; `node` is undefined when no node passed the filter. */
export interface Placement {
  readonly pod: string;
  readonly node?: string;
  /** Devices (indices within the node) the pod got. */
  readonly gpus: readonly number[];
  /** For an unplaced pod: nodes rejected per filter reason. */
  readonly reasons?: Readonly<Record<string, number>>;
}

export interface ExperimentInput {
  readonly nodes: readonly GpuNodeSpec[];
  /** The workload as listed in the trace (before shuffle and inflation). */
  readonly pods: readonly GpuPodSpec[];
  readonly policy: string;
  readonly seed: number;
  readonly ratio?: number;
  /** Called for every pod with where it went (and on which devices). */
  readonly onPlacement?: (p: Placement) => void;
}

export interface ExperimentResult {
  readonly records: PodRecord[];
  readonly arrived: number;
  readonly placed: number;
  readonly capacityMilli: number;
}

/** Runs steps 1–4 for one workload, policy and seed. */
export function runExperiment(input: ExperimentInput): ExperimentResult {
  const cluster = new GpuCluster(input.nodes);
  if (cluster.capacityMilli === 0) throw new InputError(`the cluster has no GPUs (${cluster.size} nodes): nothing to measure`);
  const frag = new FragMeasure(typicalTasks(input.pods), cluster.models);
  const streams = new RandomStreams(input.seed);
  const policy = createGpuPolicy(input.policy, { cluster, frag, random: streams.stream('fgd.policy.random') });
  const arrivals = prepareArrivals(input.pods, { seed: input.seed, capacityMilli: cluster.capacityMilli, ratio: input.ratio });

  const n = cluster.size;
  const nodeFrag = new Float64Array(n);
  let clusterFrag = 0;
  for (let i = 0; i < n; i++) clusterFrag += nodeFrag[i] = frag.ofNode(cluster, i);

  const cap = cluster.capacityMilli;
  const records: PodRecord[] = [];
  const feasible: number[] = [];
  let arrivedMilli = 0;
  let placed = 0;
  for (const spec of arrivals) {
    const p: CompiledPod = cluster.compile(spec);
    arrivedMilli += p.num * p.milli;
    let chosen = -1;
    if (policy.pickNode) {
      feasible.length = 0;
      for (let i = 0; i < n; i++) if (cluster.filter(i, p) === FIT) feasible.push(i);
      if (feasible.length > 0) chosen = policy.pickNode(feasible, p);
    } else {
      let best = -Infinity;
      for (let i = 0; i < n; i++) {
        if (cluster.filter(i, p) !== FIT) continue;
        const s = policy.score(i, p);
        if (s > best) {
          best = s;
          chosen = i;
        }
      }
    }
    let gpus: number[] = [];
    if (chosen >= 0) {
      gpus = policy.selectGpus(chosen, p);
      cluster.place(chosen, p, gpus);
      const f = frag.ofNode(cluster, chosen);
      clusterFrag += f - nodeFrag[chosen];
      nodeFrag[chosen] = f;
      placed++;
    }
    if (input.onPlacement) {
      if (chosen >= 0) input.onPlacement({ pod: spec.name, node: cluster.names[chosen], gpus });
      else {
        const reasons: Record<string, number> = {};
        for (let i = 0; i < n; i++) {
          const why = FILTER_REASONS[cluster.filter(i, p)];
          reasons[why] = (reasons[why] ?? 0) + 1;
        }
        input.onPlacement({ pod: spec.name, gpus, reasons });
      }
    }
    const idle = cap - cluster.allocatedMilli;
    records.push({
      arrivedPct: (100 * arrivedMilli) / cap,
      allocPct: (100 * cluster.allocatedMilli) / cap,
      fragPct: (100 * clusterFrag) / frag.scale / cap,
      fragRatioPct: idle > 0 ? (100 * clusterFrag) / frag.scale / idle : 0,
    });
  }
  return { records, arrived: arrivals.length, placed, capacityMilli: cap };
}

export interface BinnedRow {
  readonly arrivedPct: number;
  readonly allocPct: number;
  readonly fragPct: number;
  readonly fragRatioPct: number;
}

/** Rounds half away from zero to two decimals (values here are non-negative). */
export function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/**
 * Binning of the per-pod records: for arrived bin k (0..maxBin), the mean of the records whose
 * arrived % rounds to k (half up); when there are none, of those rounding to k−1..k+1; bins with
 * neither are left out. Means are rounded to two decimals.
 */
export function binRecords(records: readonly PodRecord[], maxBin = Math.round(TUNE_RATIO * 100)): BinnedRow[] {
  const sums = Array.from({ length: maxBin + 1 }, () => ({ n: 0, alloc: 0, frag: 0, ratio: 0 }));
  for (const r of records) {
    const k = Math.round(r.arrivedPct);
    if (k < 0 || k > maxBin) continue;
    const s = sums[k];
    s.n++;
    s.alloc += r.allocPct;
    s.frag += r.fragPct;
    s.ratio += r.fragRatioPct;
  }
  const out: BinnedRow[] = [];
  for (let k = 0; k <= maxBin; k++) {
    let n = sums[k].n;
    let alloc = sums[k].alloc;
    let frag = sums[k].frag;
    let ratio = sums[k].ratio;
    if (n === 0) {
      for (const j of [k - 1, k + 1]) {
        if (j < 0 || j > maxBin) continue;
        n += sums[j].n;
        alloc += sums[j].alloc;
        frag += sums[j].frag;
        ratio += sums[j].ratio;
      }
    }
    if (n === 0) continue;
    out.push({ arrivedPct: k, allocPct: round2(alloc / n), fragPct: round2(frag / n), fragRatioPct: round2(ratio / n) });
  }
  return out;
}
