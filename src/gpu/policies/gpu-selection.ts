/**
 * Device selection shared by several policies (simulator: open_gpu_share.go
 * `allocateGpuIdBasedOnBestFit`, type/resource.go `AllocateExclusiveGpuId`).
 */
import { MILLI } from '../types.js';
import type { CompiledPod, GpuCluster } from '../cluster.js';

/**
 * Best-fit device choice: a shared-GPU pod goes to the device with the least free milli-GPU that
 * still fits it (first index among equals); a whole-GPU pod takes the first `num` fully free
 * devices by index; a CPU-only pod takes none.
 */
export function bestFitGpus(c: GpuCluster, i: number, p: CompiledPod): number[] {
  if (p.num === 0) return [];
  if (p.milli < MILLI) {
    let best = -1;
    let bestLeft = Infinity;
    for (let g = 0; g < c.gpuCount[i]; g++) {
      const l = c.left(i, g);
      if (l >= p.milli && l < bestLeft) {
        best = g;
        bestLeft = l;
      }
    }
    return best < 0 ? [] : [best];
  }
  return c.firstFreeGpus(i, p.num);
}
