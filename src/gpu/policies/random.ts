/**
 * Random (simulator pkg/simulator/plugin/random_score.go and open_gpu_share.go
 * `allocateGpuIdBasedOnRandomFit`): a node drawn uniformly among the feasible ones, and for a
 * shared-GPU pod a device drawn uniformly among those with enough free milli-GPU; whole-GPU pods
 * take the first free devices by index. Draws come from the run's named stream, so a seed replays.
 */
import { MILLI } from '../types.js';
import type { CompiledPod } from '../cluster.js';
import type { GpuPolicy, PolicyContext } from './policy.js';

export class RandomPolicy implements GpuPolicy {
  readonly name = 'random' as const;
  constructor(private readonly ctx: PolicyContext) {}

  score(): number {
    return 0;
  }

  pickNode(feasible: readonly number[]): number {
    return this.ctx.random.pick(feasible);
  }

  selectGpus(i: number, p: CompiledPod): number[] {
    const c = this.ctx.cluster;
    if (p.num === 0) return [];
    if (p.milli < MILLI) {
      const fit: number[] = [];
      for (let g = 0; g < c.gpuCount[i]; g++) if (c.left(i, g) >= p.milli) fit.push(g);
      return fit.length === 0 ? [] : [this.ctx.random.pick(fit)];
    }
    return c.firstFreeGpus(i, p.num);
  }
}
