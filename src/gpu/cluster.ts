/**
 * The cluster state of a GPU experiment in compact typed arrays, so one pass over ~10,000 pods and
 * 1,213 nodes stays in the milliseconds per thousand pods. Node `i` is the i-th node by name, so
 * "ties go to the lexicographically smallest node name" is "ties go to the smallest index".
 */
import { InputError } from '../core/errors.js';
import { MAX_GPUS_PER_NODE, MILLI, type GpuNodeSpec, type GpuPodSpec } from './types.js';

/** Why a node cannot host a pod (0 = it can). Index into FILTER_REASONS. */
export const FIT = 0;
export const FILTER_REASONS = ['fits', 'GPU model not allowed', 'Insufficient cpu', 'Insufficient memory', 'Insufficient GPU'] as const;

/** GPU-clustering's affinity tags: 0 = shared GPU, k = k whole GPUs (1..8). */
export const AFFINITY_TAGS = MAX_GPUS_PER_NODE + 1;

/** A pod compiled against a cluster (model constraint as a per-model mask). */
export interface CompiledPod {
  readonly spec: GpuPodSpec;
  readonly cpu: number;
  readonly mem: number;
  readonly num: number;
  readonly milli: number;
  /** allowed[modelId] = 1 when the pod may use that model; undefined = no constraint. */
  readonly allowed: Uint8Array | undefined;
  /** Affinity tag for gpu-clustering; -1 for CPU-only pods. */
  readonly tag: number;
  /** Identifies pods that every node state scores alike (cpu, GPU request, allowed models). */
  readonly shapeKey: string;
}

export class GpuCluster {
  readonly size: number;
  readonly names: readonly string[];
  readonly models: readonly string[];
  readonly modelId: Int32Array;
  readonly gpuCount: Int32Array;
  readonly cpuCap: Int32Array;
  readonly cpuLeft: Int32Array;
  readonly memLeft: Int32Array;
  /** Free milli-GPU of device g of node i at [i * 8 + g]. */
  readonly gpuLeft: Int32Array;
  readonly gpuLeftTotal: Int32Array;
  /** Largest free milli-GPU on one device of the node. */
  readonly maxGpuLeft: Int32Array;
  /** Devices with all 1000 milli free. */
  readonly fullFree: Int32Array;
  /** Pods per affinity tag on the node, at [i * AFFINITY_TAGS + tag]. */
  readonly tagCount: Int32Array;
  readonly tagDistinct: Int32Array;
  /** Bumped whenever node i changes; lets policies cache per-node scores. */
  readonly version: Int32Array;
  /** Σ gpuCount × 1000. */
  readonly capacityMilli: number;
  allocatedMilli = 0;

  /**
   * `keepOrder`: node i is nodes[i] (the scheduler framework's NodeTable order) instead of the
   * i-th by name; ties then go to the smallest index, which is the smallest name when the nodes
   * come in name order (as everywhere in Slipway).
   */
  constructor(nodes: readonly GpuNodeSpec[], opts: { keepOrder?: boolean } = {}) {
    const sorted = opts.keepOrder ? [...nodes] : [...nodes].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (let i = 1; i < sorted.length && !opts.keepOrder; i++) {
      if (sorted[i].name === sorted[i - 1].name) throw new InputError(`duplicate node name ${JSON.stringify(sorted[i].name)}`);
    }
    const n = sorted.length;
    this.size = n;
    this.names = sorted.map((s) => s.name);
    const models = [...new Set(sorted.map((s) => s.model))].sort();
    this.models = models;
    this.modelId = new Int32Array(n);
    this.gpuCount = new Int32Array(n);
    this.cpuCap = new Int32Array(n);
    this.cpuLeft = new Int32Array(n);
    this.memLeft = new Int32Array(n);
    this.gpuLeft = new Int32Array(n * MAX_GPUS_PER_NODE);
    this.gpuLeftTotal = new Int32Array(n);
    this.maxGpuLeft = new Int32Array(n);
    this.fullFree = new Int32Array(n);
    this.tagCount = new Int32Array(n * AFFINITY_TAGS);
    this.tagDistinct = new Int32Array(n);
    this.version = new Int32Array(n);
    let cap = 0;
    for (let i = 0; i < n; i++) {
      const s = sorted[i];
      if (s.gpuCount > MAX_GPUS_PER_NODE) {
        throw new InputError(`node ${s.name}: gpu ${s.gpuCount} is more than ${MAX_GPUS_PER_NODE} GPUs per node`);
      }
      this.modelId[i] = models.indexOf(s.model);
      this.gpuCount[i] = s.gpuCount;
      this.cpuCap[i] = s.cpuMilli;
      this.cpuLeft[i] = s.cpuMilli;
      this.memLeft[i] = s.memoryMiB;
      for (let g = 0; g < s.gpuCount; g++) this.gpuLeft[i * MAX_GPUS_PER_NODE + g] = MILLI;
      this.gpuLeftTotal[i] = s.gpuCount * MILLI;
      this.maxGpuLeft[i] = s.gpuCount > 0 ? MILLI : 0;
      this.fullFree[i] = s.gpuCount;
      cap += s.gpuCount * MILLI;
    }
    this.capacityMilli = cap;
  }

  /** Compiles a pod's constraints against this cluster's models. */
  compile(spec: GpuPodSpec): CompiledPod {
    let allowed: Uint8Array | undefined;
    if (spec.gpuSpec.length > 0) {
      allowed = new Uint8Array(this.models.length);
      for (let m = 0; m < this.models.length; m++) allowed[m] = spec.gpuSpec.includes(this.models[m]) ? 1 : 0;
    }
    const tag = spec.numGpu === 0 || spec.gpuMilli === 0 ? -1 : spec.gpuMilli < MILLI ? 0 : spec.numGpu;
    return {
      spec,
      cpu: spec.cpuMilli,
      mem: spec.memoryMiB,
      num: spec.gpuMilli > 0 ? spec.numGpu : 0,
      milli: spec.numGpu > 0 ? spec.gpuMilli : 0,
      allowed,
      tag,
      shapeKey: `${spec.cpuMilli}/${spec.numGpu}x${spec.gpuMilli}/${spec.gpuSpec.join('|')}`,
    };
  }

  /**
   * The Filter step: 0 when node `i` can host `p`, else the index of the first failing reason in
   * FILTER_REASONS. Order: GPU model, cpu, memory, GPU capacity (a shared-GPU pod needs one device
   * with `milli` free; a k-GPU pod needs k fully free devices).
   */
  filter(i: number, p: CompiledPod): number {
    const model = this.modelFilter(i, p);
    if (model !== FIT) return model;
    if (p.cpu > this.cpuLeft[i]) return 2;
    if (p.mem > this.memLeft[i]) return 3;
    return this.deviceFilter(i, p);
  }

  /** The GPU model part of `filter`: 4 when a GPU pod meets a node without GPUs, 1 when the model is not allowed. */
  modelFilter(i: number, p: CompiledPod): number {
    if (p.num > 0) {
      if (this.gpuCount[i] === 0) return 4;
      if (p.allowed !== undefined && p.allowed[this.modelId[i]] === 0) return 1;
    }
    return FIT;
  }

  /** The device part of `filter`: 4 unless one device has `milli` free (shared) or `num` devices are fully free. */
  deviceFilter(i: number, p: CompiledPod): number {
    if (p.num > 0) {
      if (p.milli < MILLI) {
        if (this.maxGpuLeft[i] < p.milli) return 4;
      } else if (this.fullFree[i] < p.num) return 4;
    }
    return FIT;
  }

  /** Binds `p` to node `i` on the given devices (indices within the node). */
  place(i: number, p: CompiledPod, gpus: readonly number[]): void {
    if (gpus.length !== p.num) throw new Error(`pod ${p.spec.name}: ${gpus.length} devices chosen for ${p.num} GPUs`);
    this.cpuLeft[i] -= p.cpu;
    this.memLeft[i] -= p.mem;
    this.takeDevices(i, p, gpus, 1);
  }

  /**
   * The GPU half of `place` (sign 1) and its inverse (sign −1): devices, totals, affinity tags.
   * The scheduler framework accounts cpu and memory itself (NodeTable) and calls this for devices.
   */
  takeDevices(i: number, p: CompiledPod, gpus: readonly number[], sign: 1 | -1): void {
    const base = i * MAX_GPUS_PER_NODE;
    const milli = gpus.length === 0 ? 0 : p.milli;
    for (const g of gpus) {
      const left = this.gpuLeft[base + g] - sign * milli;
      if (g < 0 || g >= this.gpuCount[i] || left < 0 || left > MILLI) {
        throw new Error(`pod ${p.spec.name}: device ${g} of ${this.names[i]} cannot ${sign > 0 ? 'take' : 'return'} ${milli} milli-GPU`);
      }
      this.gpuLeft[base + g] = left;
    }
    this.gpuLeftTotal[i] -= sign * gpus.length * milli;
    this.allocatedMilli += sign * gpus.length * milli;
    let max = 0;
    let full = 0;
    for (let g = 0; g < this.gpuCount[i]; g++) {
      const l = this.gpuLeft[base + g];
      if (l > max) max = l;
      if (l === MILLI) full++;
    }
    this.maxGpuLeft[i] = max;
    this.fullFree[i] = full;
    if (p.tag >= 0 && gpus.length > 0) {
      const k = i * AFFINITY_TAGS + p.tag;
      if (sign > 0) {
        if (this.tagCount[k]++ === 0) this.tagDistinct[i]++;
      } else if (--this.tagCount[k] === 0) this.tagDistinct[i]--;
    }
    this.version[i]++;
  }

  /** Changes node i's free cpu and memory by −sign × (cpu, mem) (the framework's assume/forget). */
  takeCpuMem(i: number, cpu: number, mem: number, sign: 1 | -1): void {
    this.cpuLeft[i] -= sign * cpu;
    this.memLeft[i] -= sign * mem;
    this.version[i]++;
  }

  /** Free milli-GPU of device g of node i. */
  left(i: number, g: number): number {
    return this.gpuLeft[i * MAX_GPUS_PER_NODE + g];
  }

  /** The first `k` fully free devices of node i by index (how every policy places whole-GPU pods). */
  firstFreeGpus(i: number, k: number): number[] {
    const out: number[] = [];
    const base = i * MAX_GPUS_PER_NODE;
    for (let g = 0; g < this.gpuCount[i] && out.length < k; g++) if (this.gpuLeft[base + g] === MILLI) out.push(g);
    return out;
  }
}
