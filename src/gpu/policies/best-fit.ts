/**
 * Best-fit (simulator pkg/simulator/plugin/best_fit_score.go; the paper's "BestFit" baseline, after
 * Kubernetes' MostAllocated idea): prefer the node whose free resources, after placing the pod, are
 * the smallest, cpu and GPU weighted equally and normalised by the largest node spec
 * (128 cores, 8 GPUs):
 *
 *   waste(n) = ½ (C_n − cpu_p) / 128000 + ½ (Σ_g R_n[g] − gpu_p) / 8000
 *   score(n) = ⌊100 · (1 − waste(n))⌋                           (higher is better)
 *
 * integer like every kube-scheduler score (the simulator then min-max normalises it, which keeps
 * the order and the ties). Device choice: best-fit (./gpu-selection.ts).
 */
import type { CompiledPod } from '../cluster.js';
import { bestFitGpus } from './gpu-selection.js';
import type { GpuPolicy, PolicyContext } from './policy.js';

export const MAX_SPEC_CPU = 128_000;
export const MAX_SPEC_GPU = 8_000;

export class BestFitPolicy implements GpuPolicy {
  readonly name = 'best-fit' as const;
  constructor(private readonly ctx: PolicyContext) {}

  score(i: number, p: CompiledPod): number {
    const c = this.ctx.cluster;
    const waste = (0.5 * (c.cpuLeft[i] - p.cpu)) / MAX_SPEC_CPU + (0.5 * (c.gpuLeftTotal[i] - p.num * p.milli)) / MAX_SPEC_GPU;
    return Math.trunc(100 * (1 - waste));
  }

  selectGpus(i: number, p: CompiledPod): number[] {
    return bestFitGpus(this.ctx.cluster, i, p);
  }
}
