/**
 * GPU sharing in the scheduler framework (issue 7): the per-device filter and the six placement
 * policies of the FGD paper (Weng et al., USENIX ATC '23) as plugins. The formulas are those of
 * src/gpu/policies (the `slipway experiment fgd` engine), run on the NodeTable's per-device state
 * (NodeTable.gpu, a src/gpu GpuCluster kept in table order): one copy of each policy.
 *
 * - GpuFit (Filter): a pod with a GPU request needs a node with GPUs of an allowed model
 *   (`GPU model not allowed`, unresolvable; a node without GPUs: `Insufficient GPU`, unresolvable)
 *   and, for a shared GPU (milli < 1000), one device with that much free, for k whole GPUs, k fully
 *   free devices (`Insufficient GPU`). cpu and memory are NodeResourcesFit's. Pods without a GPU
 *   request skip it.
 * - GpuRandom, GpuDotProduct, GpuClustering, GpuPacking, GpuBestFit, GpuFgd (Score + Reserve): the
 *   policy's score of each feasible node (clamped to [0, 100]), and at Reserve the policy's GPU
 *   selection rule picks the devices on the chosen node (NodeTable.assignGpus). GpuRandom scores
 *   every node 0, so the framework's seeded tie-break draws the node uniformly; its device draw uses
 *   the profile's stream. The first policy plugin of a profile that reserves picks the devices; a
 *   profile without one gets best-fit devices (FrameworkScheduler).
 *
 * FGD's typical pods (src/gpu/fragmentation.ts) come from the run's workloads (every replica counts
 * as a pod); without them (explain, live runs, replay) from the pods bound on the table when the
 * plugin first meets it, plus the pod being placed.
 */
import type { Workload } from '../../../core/types.js';
import { FILTER_REASONS, FIT, type GpuCluster } from '../../../gpu/cluster.js';
import { FragMeasure, typicalTasks, type TypicalTask } from '../../../gpu/fragmentation.js';
import { createGpuPolicy, type GpuPolicy, type PolicyName } from '../../../gpu/policies/index.js';
import type { GpuPodSpec } from '../../../gpu/types.js';
import { argsObject, type PluginEnvironment, type PluginFactory } from '../../framework/args.js';
import type { NodeTable } from '../../framework/node-table.js';
import type { PodInfo } from '../../framework/pod.js';
import { filterEachNode } from '../../framework/helpers.js';
import { MAX_NODE_SCORE, MIN_NODE_SCORE, SKIP, unresolvable, unschedulable, type CycleContext, type FilterStatus, type Plugin } from '../../framework/types.js';

export const GPU_FIT = 'GpuFit';

/** Plugin name → src/gpu policy, in the paper's order. */
export const GPU_POLICY_PLUGINS: Readonly<Record<string, PolicyName>> = {
  GpuRandom: 'random',
  GpuDotProduct: 'dotprod',
  GpuClustering: 'gpu-clustering',
  GpuPacking: 'gpu-packing',
  GpuBestFit: 'best-fit',
  GpuFgd: 'fgd',
};

const STATUS: ReadonlyArray<FilterStatus | undefined> = FILTER_REASONS.map((r, k) =>
  k === FIT ? undefined : k === 1 ? unresolvable(r) : unschedulable(r),
);
const NO_GPUS = unresolvable(FILTER_REASONS[4]);

export function gpuFit(args?: unknown): Plugin {
  argsObject(GPU_FIT, args, []);
  const filter = (cx: CycleContext, i: number): FilterStatus | undefined => {
    const g = cx.table.gpu!;
    if (g.gpuCount[i] === 0) return NO_GPUS;
    const p = cx.table.gpuPod(cx.pod);
    const why = g.modelFilter(i, p);
    return STATUS[why !== FIT ? why : g.deviceFilter(i, p)];
  };
  return {
    name: GPU_FIT,
    preFilterDependsOnPods: false,
    preFilter: (cx) => {
      if (cx.pod.gpu === undefined) return SKIP;
      return cx.table.gpu === undefined ? NO_GPUS : undefined;
    },
    filter,
    // keeps the framework's batch filtering on for GPU pods
    filterAll: filterEachNode(filter),
  };
}

/** The pods a run's workloads make (one per replica; jobs: max(parallelism, completions)). */
export function podsOfWorkloads(workloads: readonly Workload[]): GpuPodSpec[] {
  const out: GpuPodSpec[] = [];
  for (const w of workloads) {
    let cpu = 0;
    let mem = 0;
    for (const c of w.containers) {
      cpu += c.requests.cpu;
      mem += c.requests.memory;
    }
    const spec: GpuPodSpec = {
      name: w.name,
      cpuMilli: cpu,
      memoryMiB: Math.floor(mem / (1024 * 1024)),
      numGpu: w.gpus?.count ?? 0,
      gpuMilli: w.gpus?.milli ?? 0,
      gpuSpec: w.gpus?.models ?? [],
    };
    const n = w.kind === 'job' ? Math.max(w.replicas, w.completions) : w.replicas;
    for (let k = 0; k < n; k++) out.push(spec);
  }
  return out;
}

/** FGD's typical pods of a run: those of its workloads' pods (the metrics of `compare` use the same). */
export function typicalTasksOfWorkloads(workloads: readonly Workload[]): TypicalTask[] {
  return typicalTasks(podsOfWorkloads(workloads));
}

function podSpecOf(p: PodInfo): GpuPodSpec {
  return {
    name: p.name,
    cpuMilli: p.requests.cpu,
    memoryMiB: Math.floor(p.requests.memory / (1024 * 1024)),
    numGpu: p.gpu?.count ?? 0,
    gpuMilli: p.gpu?.milli ?? 0,
    gpuSpec: p.gpu?.models ?? [],
  };
}

function clampScore(s: number): number {
  return Math.min(MAX_NODE_SCORE, Math.max(MIN_NODE_SCORE, s));
}

function gpuPolicyPlugin(name: string, policy: PolicyName): PluginFactory {
  return (args?: unknown, env: PluginEnvironment = {}) => {
    argsObject(name, args, []);
    const typicalFromRun = env.workloads ? typicalTasksOfWorkloads(env.workloads) : undefined;
    const random = env.random;
    const pick = <T>(items: readonly T[]): T => {
      if (!random) throw new Error(`plugin ${name}: no random stream to draw from`);
      return items[random.int(0, items.length - 1)];
    };
    // One policy object per GPU state (a table rebuilt from scratch gets a fresh one): FGD caches per node version.
    const policies = new WeakMap<GpuCluster, GpuPolicy>();
    const policyFor = (table: NodeTable, pod: PodInfo): GpuPolicy => {
      const cluster = table.gpu!;
      let p = policies.get(cluster);
      if (!p) {
        // pods without a uid are anonymous allocations (a node's opaque usage), not pods of the workload
        const seen = table.pods.flat().filter((b) => b.uid !== undefined);
        const tasks = typicalFromRun ?? typicalTasks([...seen.map(podSpecOf), podSpecOf(pod)]);
        p = createGpuPolicy(policy, { cluster, frag: new FragMeasure(tasks, cluster.models), random: { pick } });
        policies.set(cluster, p);
      }
      return p;
    };
    return {
      name,
      preScore: (cx) => (cx.table.gpu === undefined ? SKIP : undefined),
      score: (cx, i) => clampScore(policyFor(cx.table, cx.pod).score(i, cx.table.gpuPod(cx.pod))),
      reserve: (cx, i) => {
        const t = cx.table;
        if (cx.pod.gpu === undefined || t.gpu === undefined || t.gpuDevicesOf(cx.pod) !== undefined) return;
        const p = t.gpuPod(cx.pod);
        // Reserve runs after the pod is assumed (its cpu counts): the rule sees the node as Score did.
        t.gpu.takeCpuMem(i, p.cpu, p.mem, -1);
        let devices: number[];
        try {
          devices = policyFor(t, cx.pod).selectGpus(i, p);
        } finally {
          t.gpu.takeCpuMem(i, p.cpu, p.mem, 1);
        }
        t.assignGpus(i, cx.pod, devices);
      },
      unreserve: (cx) => {
        cx.table.releaseGpus(cx.pod);
      },
    };
  };
}

/** Plugin name → factory, for the registry. */
export const GPU_PLUGINS: Readonly<Record<string, PluginFactory>> = {
  [GPU_FIT]: gpuFit,
  ...Object.fromEntries(Object.entries(GPU_POLICY_PLUGINS).map(([n, p]) => [n, gpuPolicyPlugin(n, p)])),
};
