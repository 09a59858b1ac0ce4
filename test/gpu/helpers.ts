/** Builds small GPU clusters in a given state, for hand-computed policy tests. */
import { GpuCluster, type CompiledPod } from '../../src/gpu/cluster.js';
import { FragMeasure, typicalTasks } from '../../src/gpu/fragmentation.js';
import type { PolicyContext } from '../../src/gpu/policies/index.js';
import { RandomStreams } from '../../src/engine/random.js';
import { MILLI, type GpuNodeSpec, type GpuPodSpec } from '../../src/gpu/types.js';

export interface NodeState {
  readonly name: string;
  readonly model?: string;
  /** Free milli-GPU per device. */
  readonly gpus: readonly number[];
  readonly cpu?: number;
  readonly cpuLeft?: number;
  readonly memoryMiB?: number;
}

export function pod(partial: Partial<GpuPodSpec> & { numGpu: number; gpuMilli: number }): GpuPodSpec {
  return { name: 'p', cpuMilli: 1000, memoryMiB: 1024, gpuSpec: [], ...partial };
}

/**
 * A cluster whose devices have the given free milli-GPU: a device with free f < 1000 gets a
 * synthetic shared pod of 1000 − f (a whole-GPU pod when f = 0) placed on it; cpu use, if any,
 * is a CPU-only pod.
 */
export function clusterWith(states: readonly NodeState[]): GpuCluster {
  const specs: GpuNodeSpec[] = states.map((s) => ({
    name: s.name,
    cpuMilli: s.cpu ?? 32_000,
    memoryMiB: s.memoryMiB ?? 262_144,
    gpuCount: s.gpus.length,
    model: s.model ?? 'T4',
  }));
  const c = new GpuCluster(specs);
  for (const s of states) {
    const i = c.names.indexOf(s.name);
    s.gpus.forEach((free, g) => {
      if (free === MILLI) return;
      const used = MILLI - free;
      c.place(i, c.compile(pod({ name: `fill-${s.name}-${g}`, cpuMilli: 0, memoryMiB: 0, numGpu: 1, gpuMilli: used })), [g]);
    });
    if (s.cpuLeft !== undefined) {
      c.place(i, c.compile(pod({ name: `cpu-${s.name}`, cpuMilli: c.cpuLeft[i] - s.cpuLeft, memoryMiB: 0, numGpu: 0, gpuMilli: 0 })), []);
    }
  }
  return c;
}

export function context(c: GpuCluster, workload: readonly GpuPodSpec[] = [], seed = 1): PolicyContext {
  return { cluster: c, frag: new FragMeasure(typicalTasks(workload), c.models), random: new RandomStreams(seed).stream('test') };
}

export function compiled(c: GpuCluster, p: GpuPodSpec): CompiledPod {
  return c.compile(p);
}

export function idx(c: GpuCluster, name: string): number {
  const i = c.names.indexOf(name);
  if (i < 0) throw new Error(`no node ${name}`);
  return i;
}
