/**
 * DotProd, Tetris-style alignment (Grandl et al., SIGCOMM '14; simulator
 * pkg/simulator/plugin/dot_product_score.go with dimExtMethod "merge" and normMethod "max", as in
 * the paper's runs). Node and pod become 2-vectors (cpu, total milli-GPU), normalised by the
 * largest node spec (128000 millicores, 8000 milli-GPU):
 *
 *   d(n)     = (C_n / 128000)(cpu_p / 128000) + (Σ_g R_n[g] / 8000)(gpu_p / 8000)
 *   score(n) = ⌊100 · (1 − d(n) / 2)⌋                           (higher is better)
 *
 * so the pod goes where the free resources are least aligned with (smallest along) its demand.
 * Integer like every kube-scheduler score, as in the simulator. Device choice: best-fit.
 */
import type { CompiledPod } from '../cluster.js';
import { MAX_SPEC_CPU, MAX_SPEC_GPU } from './best-fit.js';
import { bestFitGpus } from './gpu-selection.js';
import type { GpuPolicy, PolicyContext } from './policy.js';

export class DotProdPolicy implements GpuPolicy {
  readonly name = 'dotprod' as const;
  constructor(private readonly ctx: PolicyContext) {}

  score(i: number, p: CompiledPod): number {
    const c = this.ctx.cluster;
    const d = (c.cpuLeft[i] / MAX_SPEC_CPU) * (p.cpu / MAX_SPEC_CPU) + (c.gpuLeftTotal[i] / MAX_SPEC_GPU) * ((p.num * p.milli) / MAX_SPEC_GPU);
    return Math.trunc(100 * (1 - d / 2));
  }

  selectGpus(i: number, p: CompiledPod): number[] {
    return bestFitGpus(this.ctx.cluster, i, p);
  }
}
