/**
 * FGD, fragmentation gradient descent (Weng et al., USENIX ATC '23, §4.2, Algorithm 1; simulator
 * pkg/simulator/plugin/fgd_score.go). Place the pod where the node's fragmentation F_n (in
 * milli-GPU, see ../fragmentation.ts) grows the least. As in the simulator, the change is mapped
 * into kube-scheduler's integer score range [0, 100] with a sigmoid:
 *
 *   ΔF(n)    = F_n(after placing the pod) − F_n(before)
 *   score(n) = ⌊100 · σ(−ΔF(n) / 1000)⌋,   σ(x) = 1 / (1 + e^(−x))          (higher is better)
 *
 * so changes within a few milli-GPU of each other tie, and ties go to the smallest node name.
 * `fgd-exact` (not one of the paper's six) scores the exact −ΔF instead, on the integer
 * W_n = scale × F_n, so it ties only on exactly equal changes; on the default workload that
 * leaves about one point more GPU unallocated (docs/gpu-fgd.md).
 *
 * Device choice: a shared-GPU pod tries every device with enough free milli-GPU and keeps the one
 * with the highest score (first index among equal scores, as the simulator's strict `>`);
 * whole-GPU pods take the first free devices by index (F_n(after) is the same whichever free
 * devices they take).
 *
 * Incremental: F_n(before) is kept per node, and the score of each node for each pod shape is
 * cached with the node's version, so a pod only re-evaluates nodes changed since the last pod of
 * its shape.
 */
import { MAX_GPUS_PER_NODE, MILLI } from '../types.js';
import type { CompiledPod } from '../cluster.js';
import type { GpuPolicy, PolicyContext } from './policy.js';

interface ShapeCache {
  readonly score: Float64Array;
  readonly version: Int32Array;
}

export interface FgdOptions {
  /** Score the exact −ΔF (× scale) instead of the simulator's ⌊100 σ(−ΔF/1000)⌋. */
  readonly exact?: boolean;
}

export class FgdPolicy implements GpuPolicy {
  readonly name: 'fgd' | 'fgd-exact';
  private readonly before: Float64Array;
  private readonly beforeVersion: Int32Array;
  private readonly cache = new Map<string, ShapeCache>();
  private readonly scratch = new Int32Array(MAX_GPUS_PER_NODE);

  private readonly exact: boolean;

  constructor(
    private readonly ctx: PolicyContext,
    options: FgdOptions = {},
  ) {
    this.exact = options.exact ?? false;
    this.name = this.exact ? 'fgd-exact' : 'fgd';
    const n = ctx.cluster.size;
    this.before = new Float64Array(n);
    this.beforeVersion = new Int32Array(n).fill(-1);
  }

  /** F_n of node i now (cached per node version). */
  fragBefore(i: number): number {
    const c = this.ctx.cluster;
    if (this.beforeVersion[i] !== c.version[i]) {
      this.before[i] = this.ctx.frag.ofNode(c, i);
      this.beforeVersion[i] = c.version[i];
    }
    return this.before[i];
  }

  score(i: number, p: CompiledPod): number {
    const c = this.ctx.cluster;
    let sc = this.cache.get(p.shapeKey);
    if (!sc) {
      sc = { score: new Float64Array(c.size), version: new Int32Array(c.size).fill(-1) };
      this.cache.set(p.shapeKey, sc);
    }
    if (sc.version[i] !== c.version[i]) {
      sc.score[i] = this.best(i, p).score;
      sc.version[i] = c.version[i];
    }
    return sc.score[i];
  }

  selectGpus(i: number, p: CompiledPod): number[] {
    if (p.num === 0) return [];
    if (p.milli < MILLI) {
      const g = this.best(i, p).gpu;
      return g < 0 ? [] : [g];
    }
    return this.ctx.cluster.firstFreeGpus(i, p.num);
  }

  /** Score of a change W_before − W_after (W = scale × F). */
  private quantize(drop: number): number {
    if (this.exact) return drop;
    return Math.trunc(100 / (1 + Math.exp(-drop / this.ctx.frag.scale / 1000)));
  }

  /** The best score over the pod's device choices on node i, and the device giving it. */
  private best(i: number, p: CompiledPod): { score: number; gpu: number } {
    const before = this.fragBefore(i);
    const c = this.ctx.cluster;
    const count = c.gpuCount[i];
    const s = this.scratch;
    const base = i * MAX_GPUS_PER_NODE;
    for (let g = 0; g < count; g++) s[g] = c.gpuLeft[base + g];
    const cpu = c.cpuLeft[i] - p.cpu;
    const model = c.modelId[i];
    if (p.num === 0) return { score: this.quantize(before - this.ctx.frag.ofState(cpu, s, 0, count, model)), gpu: -1 };
    if (p.milli < MILLI) {
      let best = -Infinity;
      let bestGpu = -1;
      for (let g = 0; g < count; g++) {
        const l = s[g];
        if (l < p.milli) continue;
        // devices with equal free milli-GPU give the same state: evaluate the first only
        let seen = false;
        for (let h = 0; h < g; h++) if (s[h] === l) seen = true;
        if (seen) continue;
        s[g] = l - p.milli;
        const score = this.quantize(before - this.ctx.frag.ofState(cpu, s, 0, count, model));
        s[g] = l;
        if (score > best) {
          best = score;
          bestGpu = g;
        }
      }
      return { score: best, gpu: bestGpu };
    }
    let k = p.num;
    for (let g = 0; g < count && k > 0; g++) {
      if (s[g] === MILLI) {
        s[g] = 0;
        k--;
      }
    }
    return { score: this.quantize(before - this.ctx.frag.ofState(cpu, s, 0, count, model)), gpu: -1 };
  }
}
