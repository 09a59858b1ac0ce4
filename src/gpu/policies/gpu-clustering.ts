/**
 * GPU clustering (simulator pkg/simulator/plugin/gpu_clustering_score.go; the paper's
 * "GpuClustering" baseline): keep pods with the same kind of GPU request together. A pod's
 * affinity tag is "shared GPU" or "k whole GPUs"; a node's tags are those of the pods on it.
 * With L_n = Σ_g R_n[g] and integer division as in the simulator:
 *
 *   base(n)  = ⌊25 × (8000 − L_n) / 8000⌋
 *   score(n) = base + 75   node holds only pods with the pod's tag
 *              base + 50   node holds the pod's tag among others
 *              base + 25   node holds no GPU pod
 *              base        node holds only other tags
 *
 * CPU-only pods score 0 everywhere. Device choice: best-fit.
 */
import type { CompiledPod } from '../cluster.js';
import { AFFINITY_TAGS } from '../cluster.js';
import { MAX_SPEC_GPU } from './best-fit.js';
import { bestFitGpus } from './gpu-selection.js';
import type { GpuPolicy, PolicyContext } from './policy.js';

export class GpuClusteringPolicy implements GpuPolicy {
  readonly name = 'gpu-clustering' as const;
  constructor(private readonly ctx: PolicyContext) {}

  score(i: number, p: CompiledPod): number {
    if (p.tag < 0) return 0;
    const c = this.ctx.cluster;
    const base = Math.floor((25 * (MAX_SPEC_GPU - c.gpuLeftTotal[i])) / MAX_SPEC_GPU);
    const distinct = c.tagDistinct[i];
    if (c.tagCount[i * AFFINITY_TAGS + p.tag] > 0) return base + (distinct === 1 ? 75 : 50);
    return base + (distinct === 0 ? 25 : 0);
  }

  selectGpus(i: number, p: CompiledPod): number[] {
    return bestFitGpus(this.ctx.cluster, i, p);
  }
}
