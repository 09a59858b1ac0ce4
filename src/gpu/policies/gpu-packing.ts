/**
 * GPU packing (simulator pkg/simulator/plugin/gpu_packing_score.go; the paper's "GpuPacking"
 * baseline). Three tiers, integer arithmetic as in the simulator (MaxNodeScore = 100):
 *
 *   1. the pod fits on partly used devices:   max(100 − ⌊Σ_{used g} ⌊R[g]·100/1000⌋ / 10⌋, 50)
 *   2. it needs fully free devices of a node that is already partly used:
 *                                             max(50 − (free devices it takes), 33)
 *   3. the node is entirely idle:             max(33 − (free devices), free devices)
 *
 * where the devices are taken in ascending order of free milli-GPU (stable in the index), the pod
 * taking each one that fits. CPU-only pods score 0 everywhere. Device choice: best-fit.
 */
import { MILLI } from '../types.js';
import type { CompiledPod } from '../cluster.js';
import { bestFitGpus } from './gpu-selection.js';
import type { GpuPolicy, PolicyContext } from './policy.js';

export class GpuPackingPolicy implements GpuPolicy {
  readonly name = 'gpu-packing' as const;
  constructor(private readonly ctx: PolicyContext) {}

  score(i: number, p: CompiledPod): number {
    if (p.num === 0) return 0;
    const c = this.ctx.cluster;
    const count = c.gpuCount[i];
    const free = c.fullFree[i];
    if (free === count) return Math.max(Math.trunc(100 / 3) - free, free);
    const order = Array.from({ length: count }, (_, g) => g).sort((a, b) => c.left(i, a) - c.left(i, b) || a - b);
    let need = p.num;
    let freeUsed = 0;
    let pct = 0;
    for (const g of order) {
      if (need === 0) break;
      const l = c.left(i, g);
      if (p.milli <= l) {
        need--;
        pct += Math.trunc((l * 100) / MILLI);
        if (l === MILLI) freeUsed++;
      }
    }
    if (freeUsed > 0) return Math.max(50 - freeUsed, Math.trunc(100 / 3));
    return Math.max(100 - Math.trunc(pct / 10), 50);
  }

  selectGpus(i: number, p: CompiledPod): number[] {
    return bestFitGpus(this.ctx.cluster, i, p);
  }
}
