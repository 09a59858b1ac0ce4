/**
 * The GPU-sharing resource model (issue 7), as in the FGD paper (Weng et al., USENIX ATC '23) and
 * its simulator (hkust-adsl/kubernetes-scheduler-simulator):
 *
 * - a node has `gpuCount` devices of one `model`; each device has a free capacity in milli-GPU
 *   (0..1000, `MILLI` = one whole GPU);
 * - a pod asks for `numGpu` devices with `gpuMilli` each. `gpuMilli < 1000` only when `numGpu == 1`
 *   (a shared GPU). `gpuSpec` lists the allowed models (empty = any).
 */

/** One whole GPU in milli-GPU. */
export const MILLI = 1000;
/** Most GPUs a node of the trace has (G2/G3 nodes have 8). */
export const MAX_GPUS_PER_NODE = 8;

export interface GpuNodeSpec {
  readonly name: string;
  /** CPU in millicores. */
  readonly cpuMilli: number;
  readonly memoryMiB: number;
  readonly gpuCount: number;
  /** GPU model (G2, T4, V100M16, ...); empty for a CPU-only node. */
  readonly model: string;
}

export interface GpuPodSpec {
  readonly name: string;
  readonly cpuMilli: number;
  readonly memoryMiB: number;
  readonly numGpu: number;
  /** Per-GPU share in milli-GPU; 0 for CPU-only pods. */
  readonly gpuMilli: number;
  /** Allowed GPU models; empty = no constraint. */
  readonly gpuSpec: readonly string[];
}

/** Total GPU request of a pod in milli-GPU: numGpu × gpuMilli. */
export function podGpuMilliTotal(p: GpuPodSpec): number {
  return p.numGpu * p.gpuMilli;
}

/** True when the pod shares one GPU with others (numGpu = 1, gpuMilli < 1000). */
export function isSharedGpuPod(p: GpuPodSpec): boolean {
  return p.numGpu === 1 && p.gpuMilli > 0 && p.gpuMilli < MILLI;
}
