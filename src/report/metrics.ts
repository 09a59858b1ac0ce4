/**
 * Metrics of one run, computed from its trace events in one streaming pass (feed it with
 * `simulate(..., { onEvent })` or with `streamTrace(file)` from src/engine/trace-reader.ts): nothing holds the trace whole.
 *
 * State is sampled on an even grid of `samples + 1` points, t_k = k · durationMs / samples; a sample
 * at t_k sees every record with t ≤ t_k. Means "over time" are means over these samples.
 *
 * GPU devices (issue 7): `node.added` gives a node's `gpus: {model, count}`; an instance holds the
 * devices its `instance.scheduled` (or, for a gang member waiting on its reservation,
 * `instance.waiting`) lists, with the milli-GPU per device of its workload, until
 * `instance.unreserved`, `instance.removed` or `instance.forgotten`. A run whose cluster has GPU
 * devices gets the GPU metrics; a CPU-only run has none (its results look as before).
 */
import { podRequests, type PodResourceSpec } from '../core/pod-requests.js';
import { compareEndpoints } from '../core/endpoints.js';
import { quantileSorted } from 'd3';
import { FragMeasure, type TypicalTask } from '../gpu/fragmentation.js';
import { MILLI } from '../gpu/types.js';
import type { Workload } from '../core/types.js';
import { typicalTasksOfWorkloads } from '../scheduler/plugins/gpu/index.js';
import type { MetricScalars } from './metric-defs.js';
import { isFaultEvent, type FaultEvent, type TraceEvent } from '../core/trace-events.js';

/** The pod the fragmentation metric asks "does it still fit?" about. */
export interface TypicalPod {
  readonly cpu: number;
  readonly memory: number;
}

export interface MetricsOptions {
  readonly durationMs: number;
  /** Number of sampling intervals (default 240: a sample every 15 s of a one-hour run). */
  readonly samples?: number;
  readonly typicalPod: TypicalPod;
  /** Heatmap rows at most (default 100): beyond that, consecutive nodes (by name) are averaged. */
  readonly heatmapRows?: number;
  /** What the GPU metrics need from the scenario (gpuMetricsOptions); without it a run has none. */
  readonly gpu?: GpuMetricsOptions;
}

export interface GpuMetricsOptions {
  /** FGD's typical pods the fragmentation is measured against. */
  readonly tasks: readonly TypicalTask[];
  /** Milli-GPU per device an instance of each GPU workload holds, by workload name. */
  readonly milli: ReadonlyMap<string, number>;
}

/**
 * The GPU metrics' inputs for a run of these workloads: FGD's typical pods as the gpu-fgd profile
 * derives them (src/scheduler/plugins/gpu, one definition), and each workload's milli-GPU per device.
 */
export function gpuMetricsOptions(workloads: readonly Workload[]): GpuMetricsOptions {
  return {
    tasks: typicalTasksOfWorkloads(workloads),
    milli: new Map(workloads.flatMap((w) => (w.gpus ? [[w.name, w.gpus.milli] as const] : []))),
  };
}

export interface FaultOutcome {
  readonly t: number;
  /** The record type, e.g. `fault.node_crash`. */
  readonly type: string;
  /** The node or workload it hit. */
  readonly target: string;
  /** Time until the cluster converged again; null when it had not by the end of the run. */
  readonly convergeMs: number | null;
}

export interface RunMetrics {
  readonly durationMs: number;
  readonly scalars: MetricScalars;
  readonly series: {
    /** Sample times, ms. */
    readonly t: number[];
    readonly cpu: number[];
    readonly memory: number[];
    readonly pending: number[];
    readonly fragCpu: number[];
    readonly balance: number[];
    /** GPU runs only: allocated and fragmented milli-GPU / GPU capacity of Ready nodes. */
    readonly gpuAlloc?: number[];
    readonly gpuFrag?: number[];
  };
  /** Start-up latency (created → first Running) quantiles q = 0, 0.01, ..., 1 (101 values, ms); empty when nothing ran. */
  readonly startupQuantiles: number[];
  readonly startupCount: number;
  /** Scheduling latency (created → bound to a node) quantiles, as above; empty when nothing was bound. */
  readonly schedulingQuantiles: number[];
  readonly schedulingCount: number;
  readonly heatmap: {
    /** Row labels: a node name, or `first … last` for a group of nodes. */
    readonly rows: string[];
    /** rows × samples; dominant-resource utilization 0..1, null where no node of the row was Ready. */
    readonly values: Array<Array<number | null>>;
  };
  readonly unschedulable: { readonly attempts: number; readonly reasons: Record<string, number> };
  /** Fault and recovery events for the timeline overlay. */
  readonly timeline: Array<{ readonly t: number; readonly type: string; readonly target: string }>;
  readonly faults: FaultOutcome[];
  readonly expectations: { readonly met: number; readonly total: number };
  readonly nodes: number;
  readonly typicalPod: TypicalPod;
  /** With a pod network only (docs/networking.md): addresses as the run left them. */
  readonly network?: NetworkMetrics;
}

/** The most instances listed with their address in a report (the count says how many there were). */
export const NETWORK_INSTANCES_SHOWN = 200;

export interface NetworkMetrics {
  /** Every node that joined, by name: its pod CIDR (absent when it got none) and addresses in use at the end. */
  readonly nodes: ReadonlyArray<{ readonly node: string; readonly podCidr?: string; readonly addresses: number }>;
  /** Instances holding an address at the end, by node then address (the first NETWORK_INSTANCES_SHOWN). */
  readonly instances: ReadonlyArray<{ readonly instance: string; readonly workload: string; readonly node?: string; readonly ip: string }>;
  readonly instancesTotal: number;
  /** Each workload's endpoints at the end, by name. */
  readonly endpoints: ReadonlyArray<{ readonly workload: string; readonly endpoints: readonly string[] }>;
  /** Creates that failed because the network could not be set up (`container.create_failed` with code Network). */
  readonly createFailures: number;
}

interface NodeRec {
  readonly name: string;
  capCpu: number;
  capMem: number;
  usedCpu: number;
  usedMem: number;
  ready: boolean;
  unschedulable: boolean;
  /** Dominant utilization at each sample; NaN when not Ready or not present. */
  readonly util: Float32Array;
  /** Free milli-GPU per device (empty without GPUs), and the index of its model in `gpuModels`. */
  readonly gpuFree: Int32Array;
  readonly gpuModel: number;
}

interface InstRec {
  readonly workload: string;
  readonly createdAt: number;
  node?: NodeRec;
  cpu: number;
  mem: number;
  status: string;
  stopping: boolean;
  everRunning: boolean;
  everBound: boolean;
  /** Milli-GPU per device its workload asks for; 0 for a CPU-only workload. */
  readonly gpuMilli: number;
  /** The devices it holds on `gpuNode`. */
  gpus?: readonly number[];
  gpuNode?: NodeRec;
}

interface OpenFault {
  readonly t: number;
  readonly type: string;
  readonly target: string;
  disrupted: boolean;
  convergeMs: number | null;
  closed: boolean;
}

/**
 * What a fault hit, for the timeline: its node, or `workload#slot` (`workload#` for a fault on a
 * whole workload); empty for a fault on a set of nodes (`nodes`).
 */
function faultTarget(e: FaultEvent): string {
  if ('node' in e) return e.node ?? '';
  if ('workload' in e) return `${e.workload}#${'slot' in e ? e.slot : ''}`;
  return '';
}

export class MetricsCollector {
  private readonly samples: number;
  private readonly step: number;
  private readonly pod: TypicalPod;
  private readonly heatmapRows: number;
  private nextSample = 0;
  private readonly nodes = new Map<string, NodeRec>();
  private readonly allNodes: NodeRec[] = [];
  private readonly instances = new Map<string, InstRec>();
  private pending = 0;
  /** Pending instances of services (jobs keep creating instances as normal work). */
  private servicePending = 0;
  private readonly running = new Map<string, number>();
  private readonly desired = new Map<string, number>();
  /** Services whose running count is below desired. */
  private deficit = 0;
  /** created → first Running, per instance (start-up latency). */
  private readonly latencies: number[] = [];
  /** created → first bound (instance.scheduled), per instance (scheduling latency). */
  private readonly bindLatencies: number[] = [];
  private readonly series = { t: [] as number[], cpu: [] as number[], memory: [] as number[], pending: [] as number[], fragCpu: [] as number[], fragMemory: [] as number[], balance: [] as number[] };
  private readonly reasons: Record<string, number> = {};
  private attempts = 0;
  private evictions = 0;
  private preemptions = 0;
  private reschedules = 0;
  private readonly timeline: Array<{ t: number; type: string; target: string }> = [];
  private readonly faults: OpenFault[] = [];
  private expMet = 0;
  private expTotal = 0;
  private lastT = 0;
  private finished = false;
  private readonly gpuModels: string[] = [];
  private frag: FragMeasure | undefined;
  private hasGpus = false;
  private gpuPending = 0;
  private gpuAttempts = 0;
  private readonly gpuSeries = { alloc: [] as number[], frag: [] as number[], pending: [] as number[] };
  /** Pod network (absent until an event shows one). */
  private net: { podCidrs: Map<string, string | undefined>; ips: Map<string, { workload: string; node?: string; ip: string }>; endpoints: Map<string, Set<string>>; failures: number } | undefined;
  private readonly nodeOf = new Map<string, string>();

  constructor(private readonly options: MetricsOptions) {
    this.samples = Math.max(1, options.samples ?? 240);
    this.step = options.durationMs / this.samples;
    this.pod = options.typicalPod;
    this.heatmapRows = Math.max(1, options.heatmapRows ?? 100);
  }

  /** Feeds one trace event (in trace order). Bound, so it can be passed as `onEvent`. */
  readonly onEvent = (e: TraceEvent): void => {
    const t = e.t;
    this.sampleUntil(t, false);
    this.lastT = t;
    switch (e.type) {
      case 'node.added': {
        if (this.nodes.has(e.node)) break;
        const gpuCount = this.options.gpu && e.gpus ? e.gpus.count : 0;
        const n: NodeRec = {
          name: e.node,
          capCpu: e.allocatable.cpu,
          capMem: e.allocatable.memory,
          usedCpu: 0,
          usedMem: 0,
          ready: e.status === 'Ready',
          unschedulable: e.unschedulable,
          util: new Float32Array(this.samples + 1).fill(NaN),
          gpuFree: new Int32Array(gpuCount).fill(MILLI),
          gpuModel: gpuCount > 0 && e.gpus ? this.gpuModel(e.gpus.model) : -1,
        };
        if (gpuCount > 0) this.hasGpus = true;
        this.nodes.set(n.name, n);
        this.allNodes.push(n);
        if (e.podCidr !== undefined) this.network().podCidrs.set(e.node, e.podCidr);
        else this.net?.podCidrs.set(e.node, undefined);
        break;
      }
      case 'node.status': {
        const n = this.nodes.get(e.node);
        if (n) n.ready = e.to === 'Ready';
        break;
      }
      case 'node.removed': {
        const n = this.nodes.get(e.node);
        if (n) n.ready = false;
        this.nodes.delete(e.node);
        break;
      }
      case 'workload.submitted':
        if (e.kind === 'service') this.setDesired(e.workload, e.replicas);
        break;
      case 'workload.scaled':
        if (this.desired.has(e.workload)) this.setDesired(e.workload, e.to);
        break;
      case 'workload.deleted':
        if (this.desired.has(e.workload)) this.setDesired(e.workload, 0);
        break;
      case 'instance.created': {
        const gpuMilli = this.options.gpu?.milli.get(e.workload) ?? 0;
        const rec: InstRec = { workload: e.workload, createdAt: t, cpu: 0, mem: 0, status: 'Pending', stopping: false, everRunning: false, everBound: false, gpuMilli };
        this.instances.set(e.instance, rec);
        this.pending++;
        if (gpuMilli > 0) this.gpuPending++;
        if (this.desired.has(rec.workload)) this.servicePending++;
        if (e.reason === 'replace-lost') this.reschedules++;
        break;
      }
      case 'instance.scheduled': {
        const inst = this.instances.get(e.instance);
        const n = e.node === undefined ? undefined : this.nodes.get(e.node);
        if (inst && !inst.everBound) {
          inst.everBound = true;
          this.bindLatencies.push(t - inst.createdAt);
        }
        if (e.node !== undefined) this.nodeOf.set(e.instance, e.node);
        if (!inst || !n) break;
        inst.node = n;
        inst.cpu = e.request?.cpu ?? 0;
        inst.mem = e.request?.memory ?? 0;
        n.usedCpu += inst.cpu;
        n.usedMem += inst.mem;
        this.holdGpus(inst, n, e.gpus);
        break;
      }
      case 'instance.waiting': {
        // A gang member keeps its reservation while it waits: its devices are taken.
        const inst = this.instances.get(e.instance);
        const n = this.nodes.get(e.node);
        if (inst && n) this.holdGpus(inst, n, e.gpus);
        break;
      }
      case 'instance.unreserved': {
        const inst = this.instances.get(e.instance);
        if (inst) this.releaseGpus(inst);
        break;
      }
      case 'instance.unschedulable': {
        this.attempts++;
        if (this.instances.get(e.instance)?.gpuMilli) this.gpuAttempts++;
        for (const why of Object.keys(e.reasons)) this.reasons[why] = (this.reasons[why] ?? 0) + 1;
        break;
      }
      case 'instance.status': {
        if (e.ip !== undefined) this.network().ips.set(e.instance, { workload: e.workload, ...(this.nodeOf.has(e.instance) ? { node: this.nodeOf.get(e.instance) } : {}), ip: e.ip });
        const inst = this.instances.get(e.instance);
        if (!inst || inst.stopping) break;
        if (e.to === 'Running' && !inst.everRunning) {
          inst.everRunning = true;
          this.latencies.push(t - inst.createdAt);
        }
        this.setStatus(inst, e.to);
        break;
      }
      case 'instance.stopping': {
        const inst = this.instances.get(e.instance);
        if (e.reason === 'evicted') this.evictions++;
        if (e.reason.includes('preempt')) this.preemptions++;
        if (!inst || inst.stopping) break;
        this.setStatus(inst, 'Terminating');
        inst.stopping = true;
        break;
      }
      case 'instance.removed':
      case 'instance.forgotten': {
        this.nodeOf.delete(e.instance);
        this.net?.ips.delete(e.instance);
        const inst = this.instances.get(e.instance);
        if (!inst) break;
        if (!inst.stopping) this.setStatus(inst, 'Gone');
        if (inst.node) {
          inst.node.usedCpu -= inst.cpu;
          inst.node.usedMem -= inst.mem;
        }
        this.releaseGpus(inst);
        this.instances.delete(e.instance);
        break;
      }
      case 'endpoints.changed': {
        const eps = this.network().endpoints;
        let set = eps.get(e.workload);
        if (!set) eps.set(e.workload, (set = new Set()));
        for (const x of e.removed) set.delete(x);
        for (const x of e.added) set.add(x);
        break;
      }
      case 'container.create_failed':
        if (e.code === 'Network') this.network().failures++;
        break;
      case 'expectation':
        this.expTotal++;
        if (e.ok) this.expMet++;
        break;
      default:
        if (isFaultEvent(e)) {
          const applied = !('applied' in e) || e.applied;
          const target = faultTarget(e);
          this.timeline.push({ t, type: e.type, target });
          if (applied && e.type !== 'fault.node_boot') this.faults.push({ t, type: e.type, target, disrupted: false, convergeMs: null, closed: false });
        }
    }
    this.checkConvergence(t);
  };

  /** The index of a GPU model; a model not seen before rebuilds the fragmentation measure. */
  private gpuModel(model: string): number {
    let m = this.gpuModels.indexOf(model);
    if (m < 0) {
      m = this.gpuModels.push(model) - 1;
      this.frag = undefined;
    }
    return m;
  }

  private holdGpus(inst: InstRec, n: NodeRec, devices: readonly number[] | undefined): void {
    if (inst.gpus !== undefined || inst.gpuMilli === 0 || devices === undefined) return;
    const held = devices.filter((d) => d >= 0 && d < n.gpuFree.length);
    for (const d of held) n.gpuFree[d] -= inst.gpuMilli;
    inst.gpus = held;
    inst.gpuNode = n;
  }

  private releaseGpus(inst: InstRec): void {
    if (inst.gpus === undefined || !inst.gpuNode) return;
    for (const d of inst.gpus) inst.gpuNode.gpuFree[d] += inst.gpuMilli;
    inst.gpus = undefined;
    inst.gpuNode = undefined;
  }

  private setDesired(workload: string, replicas: number): void {
    const before = this.short(workload);
    this.desired.set(workload, replicas);
    if (!this.running.has(workload)) this.running.set(workload, 0);
    this.deficit += Number(this.short(workload)) - Number(before);
  }

  private short(workload: string): boolean {
    const d = this.desired.get(workload);
    return d !== undefined && (this.running.get(workload) ?? 0) < d;
  }

  private setStatus(inst: InstRec, to: string): void {
    const from = inst.status;
    if (from === to) return;
    const service = this.desired.has(inst.workload) ? 1 : 0;
    const gpu = inst.gpuMilli > 0 ? 1 : 0;
    if (from === 'Pending') {
      this.pending--;
      this.servicePending -= service;
      this.gpuPending -= gpu;
    }
    if (to === 'Pending') {
      this.pending++;
      this.servicePending += service;
      this.gpuPending += gpu;
    }
    if (from === 'Running' || to === 'Running') {
      const before = this.short(inst.workload);
      this.running.set(inst.workload, (this.running.get(inst.workload) ?? 0) + (to === 'Running' ? 1 : -1));
      this.deficit += Number(this.short(inst.workload)) - Number(before);
    }
    inst.status = to;
  }

  /** Converged: no service instance pending and every service runs its replica count. */
  private checkConvergence(t: number): void {
    if (this.faults.length === 0) return;
    const converged = this.servicePending === 0 && this.deficit === 0;
    for (const f of this.faults) {
      if (f.closed) continue;
      if (!converged) f.disrupted = true;
      else if (f.disrupted) {
        f.convergeMs = t - f.t;
        f.closed = true;
      }
    }
  }

  private sampleUntil(t: number, inclusive: boolean): void {
    while (this.nextSample <= this.samples) {
      const at = this.nextSample * this.step;
      if (inclusive ? at > t : at >= t) break;
      this.takeSample(at);
    }
  }

  private takeSample(at: number): void {
    const k = this.nextSample++;
    let cap = 0;
    let used = 0;
    let capMem = 0;
    let usedMem = 0;
    let freeCpu = 0;
    let freeMem = 0;
    let lostCpu = 0;
    let lostMem = 0;
    let n = 0;
    let sumU = 0;
    let sumU2 = 0;
    let gpuCap = 0;
    let gpuFree = 0;
    let gpuFrag = 0;
    const frag = this.hasGpus ? (this.frag ??= new FragMeasure(this.options.gpu!.tasks, this.gpuModels)) : undefined;
    for (const node of this.nodes.values()) {
      if (!node.ready) continue;
      const devices = node.gpuFree.length;
      if (devices > 0 && frag) {
        gpuCap += devices * MILLI;
        for (let d = 0; d < devices; d++) gpuFree += node.gpuFree[d];
        // FGD's F_n (milli-GPU): the node's idle GPU its typical pods cannot use, given its free cpu.
        gpuFrag += frag.ofState(node.capCpu - node.usedCpu, node.gpuFree, 0, devices, node.gpuModel) / frag.scale;
      }
      cap += node.capCpu;
      used += node.usedCpu;
      capMem += node.capMem;
      usedMem += node.usedMem;
      // Dominant share: max(cpu used / allocatable, memory used / allocatable).
      const u = Math.max(node.capCpu > 0 ? node.usedCpu / node.capCpu : 0, node.capMem > 0 ? node.usedMem / node.capMem : 0);
      node.util[k] = u;
      n++;
      sumU += u;
      sumU2 += u * u;
      if (node.unschedulable) continue;
      const fc = Math.max(0, node.capCpu - node.usedCpu);
      const fm = Math.max(0, node.capMem - node.usedMem);
      freeCpu += fc;
      freeMem += fm;
      if (fc < this.pod.cpu || fm < this.pod.memory) {
        lostCpu += fc;
        lostMem += fm;
      }
    }
    const s = this.series;
    s.t.push(at);
    s.cpu.push(cap > 0 ? used / cap : 0);
    s.memory.push(capMem > 0 ? usedMem / capMem : 0);
    s.pending.push(this.pending);
    s.fragCpu.push(freeCpu > 0 ? lostCpu / freeCpu : 0);
    s.fragMemory.push(freeMem > 0 ? lostMem / freeMem : 0);
    // Population standard deviation: sqrt(E[u²] − E[u]²).
    const mean = n > 0 ? sumU / n : 0;
    s.balance.push(n > 0 ? Math.sqrt(Math.max(0, sumU2 / n - mean * mean)) : 0);
    // Every sample once the collector measures GPUs, so a GPU node added later keeps the series aligned with t.
    if (this.options.gpu) {
      const g = this.gpuSeries;
      g.alloc.push(gpuCap > 0 ? (gpuCap - gpuFree) / gpuCap : 0);
      g.frag.push(gpuCap > 0 ? gpuFrag / gpuCap : 0);
      g.pending.push(this.gpuPending);
    }
  }

  /** Ends the run: takes the remaining samples and returns the metrics. Call once. */
  finish(endMs: number = this.options.durationMs): RunMetrics {
    if (this.finished) throw new Error('MetricsCollector.finish called twice');
    this.finished = true;
    this.sampleUntil(Math.max(endMs, this.lastT), true);
    const s = this.series;
    const lat = [...this.latencies].sort((a, b) => a - b);
    const q = (p: number) => (lat.length > 0 ? quantileSorted(lat, p)! : null);
    const bind = [...this.bindLatencies].sort((a, b) => a - b);
    const qb = (p: number) => (bind.length > 0 ? quantileSorted(bind, p)! : null);
    const faults: FaultOutcome[] = this.faults.map((f) => ({
      t: f.t,
      type: f.type,
      target: f.target,
      convergeMs: f.closed ? f.convergeMs : f.disrupted ? null : 0,
    }));
    // A fault never recovered from counts as lasting until the end (a lower bound).
    const conv = faults.map((f) => f.convergeMs ?? Math.max(0, endMs - f.t));
    const g = this.gpuSeries;
    const scalars: MetricScalars = {
      schedulingP50Ms: qb(0.5),
      schedulingP90Ms: qb(0.9),
      schedulingP99Ms: qb(0.99),
      startupP50Ms: q(0.5),
      startupP90Ms: q(0.9),
      startupP99Ms: q(0.99),
      convergeMeanMs: conv.length > 0 ? mean(conv) : null,
      convergeMaxMs: conv.length > 0 ? Math.max(...conv) : null,
      faultsNotConverged: faults.length > 0 ? faults.filter((f) => f.convergeMs === null).length : null,
      cpuUtilMean: mean(s.cpu),
      memoryUtilMean: mean(s.memory),
      fragCpuMean: mean(s.fragCpu),
      fragMemoryMean: mean(s.fragMemory),
      pendingMean: mean(s.pending),
      pendingMax: Math.max(0, ...s.pending),
      unschedulableAttempts: this.attempts,
      evictions: this.evictions,
      preemptions: this.preemptions,
      reschedules: this.reschedules,
      nodeBalanceStd: mean(s.balance),
      expectationsMet: this.expTotal > 0 ? this.expMet / this.expTotal : null,
      ...(this.hasGpus
        ? {
            gpuAllocMean: mean(g.alloc),
            gpuAllocEnd: g.alloc[g.alloc.length - 1] ?? 0,
            gpuFragMean: mean(g.frag),
            gpuFragEnd: g.frag[g.frag.length - 1] ?? 0,
            gpuPendingMean: mean(g.pending),
            gpuUnschedulableAttempts: this.gpuAttempts,
          }
        : {}),
    };
    return {
      durationMs: this.options.durationMs,
      scalars,
      series: { t: s.t, cpu: s.cpu, memory: s.memory, pending: s.pending, fragCpu: s.fragCpu, balance: s.balance, ...(this.hasGpus ? { gpuAlloc: g.alloc, gpuFrag: g.frag } : {}) },
      startupQuantiles: lat.length > 0 ? Array.from({ length: 101 }, (_, i) => quantileSorted(lat, i / 100)!) : [],
      startupCount: lat.length,
      schedulingQuantiles: bind.length > 0 ? Array.from({ length: 101 }, (_, i) => quantileSorted(bind, i / 100)!) : [],
      schedulingCount: bind.length,
      heatmap: this.heatmap(),
      unschedulable: { attempts: this.attempts, reasons: sortedRecord(this.reasons) },
      timeline: this.timeline,
      faults,
      expectations: { met: this.expMet, total: this.expTotal },
      nodes: this.allNodes.length,
      typicalPod: this.pod,
      ...(this.net ? { network: this.networkMetrics(this.net) } : {}),
    };
  }

  private network(): NonNullable<MetricsCollector['net']> {
    if (!this.net) {
      this.net = { podCidrs: new Map(), ips: new Map(), endpoints: new Map(), failures: 0 };
      for (const n of this.allNodes) this.net.podCidrs.set(n.name, undefined);
    }
    return this.net;
  }

  private networkMetrics(net: NonNullable<MetricsCollector['net']>): NetworkMetrics {
    const byName = <T>(m: Map<string, T>) => [...m].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const used = new Map<string, number>();
    for (const r of net.ips.values()) if (r.node !== undefined) used.set(r.node, (used.get(r.node) ?? 0) + 1);
    const ipKey = (ip: string) => ip.split('.').reduce((v, o) => v * 256 + Number(o), 0);
    const instances = [...net.ips]
      .map(([instance, r]) => ({ instance, ...r }))
      .sort((a, b) => ((a.node ?? '') < (b.node ?? '') ? -1 : (a.node ?? '') > (b.node ?? '') ? 1 : ipKey(a.ip) - ipKey(b.ip)));
    return {
      nodes: byName(net.podCidrs).map(([node, podCidr]) => ({ node, ...(podCidr !== undefined ? { podCidr } : {}), addresses: used.get(node) ?? 0 })),
      instances: instances.slice(0, NETWORK_INSTANCES_SHOWN),
      instancesTotal: instances.length,
      endpoints: byName(net.endpoints).map(([workload, set]) => ({ workload, endpoints: [...set].sort(compareEndpoints) })),
      createFailures: net.failures,
    };
  }

  /** Nodes sorted by name, grouped into at most `heatmapRows` rows of consecutive nodes (averaged). */
  private heatmap(): RunMetrics['heatmap'] {
    const nodes = [...this.allNodes].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const groups = Math.min(this.heatmapRows, nodes.length);
    const rows: string[] = [];
    const values: Array<Array<number | null>> = [];
    for (let g = 0; g < groups; g++) {
      // Group g holds nodes [floor(g·N/G), floor((g+1)·N/G)).
      const lo = Math.floor((g * nodes.length) / groups);
      const hi = Math.floor(((g + 1) * nodes.length) / groups);
      const members = nodes.slice(lo, hi);
      rows.push(members.length === 1 ? members[0].name : `${members[0].name} … ${members[members.length - 1].name}`);
      const row: Array<number | null> = [];
      for (let k = 0; k <= this.samples; k++) {
        let sum = 0;
        let c = 0;
        for (const m of members) {
          const v = m.util[k];
          if (!Number.isNaN(v)) {
            sum += v;
            c++;
          }
        }
        row.push(c > 0 ? Math.round((sum / c) * 1000) / 1000 : null);
      }
      values.push(row);
    }
    return { rows, values };
  }
}

function mean(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return xs.length > 0 ? s / xs.length : 0;
}

function sortedRecord(r: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(r).sort()) out[k] = r[k];
  return out;
}

/**
 * The scenario's typical pod: the replica-weighted median of the per-instance requests, taken per
 * resource (so it need not be one workload's exact shape when workloads differ). An instance's
 * request is its effective request (core/pod-requests.ts: init containers, sidecars, overhead).
 */
export function typicalPod(workloads: ReadonlyArray<{ readonly replicas: number } & PodResourceSpec>): TypicalPod {
  const items = workloads.map((w) => {
    const r = podRequests(w);
    return { weight: Math.max(1, w.replicas), cpu: r.cpu, memory: r.memory };
  });
  return { cpu: weightedMedian(items.map((i) => [i.cpu, i.weight])), memory: weightedMedian(items.map((i) => [i.memory, i.weight])) };
}

/** The smallest value whose cumulative weight reaches half the total weight. */
function weightedMedian(pairs: Array<[number, number]>): number {
  if (pairs.length === 0) return 0;
  pairs.sort((a, b) => a[0] - b[0]);
  const total = pairs.reduce((a, p) => a + p[1], 0);
  let acc = 0;
  for (const [v, w] of pairs) {
    acc += w;
    if (acc * 2 >= total) return v;
  }
  return pairs[pairs.length - 1][0];
}
