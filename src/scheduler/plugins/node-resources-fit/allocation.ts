/**
 * kube-scheduler's resourceAllocationScorer: per resource, (allocatable, requested-after-placing)
 * for the node, then a strategy turns the vectors into a score.
 *
 * - cpu, memory: requested = node's Σ non-zero requests + the pod's non-zero request (NodeResourcesFit),
 *   or the plain requests when `useRequested` (NodeResourcesBalancedAllocation);
 * - ephemeral-storage: plain requests;
 * - an extended resource the pod does not request, or the node does not have: skipped (0, 0).
 */
import type { CycleContext } from '../../framework/types.js';
import type { ResourceSpec } from './args.js';
import { leastRequestedScore, mostRequestedScore, type ResourceScorer } from './scorers.js';

const MAX_SCORE = 100;

/** Set by balanced-allocation: lets the inline path recognise its scorer without an import cycle. */
export const balancedMarker: { scorer?: ResourceScorer } = {};

export function podRequestFor(cx: CycleContext, resource: string, useRequested: boolean): number {
  const p = cx.pod;
  switch (resource) {
    case 'cpu':
      return useRequested ? p.requests.cpu : p.nonZeroCpu;
    case 'memory':
      return useRequested ? p.requests.memory : p.nonZeroMemory;
    case 'ephemeral-storage':
      return p.requests.disk;
    default:
      return p.requests.extended[resource] ?? 0;
  }
}

const CPU = 0;
const MEMORY = 1;
const DISK = 2;
const EXTENDED = 3;

export class AllocationScorer {
  private readonly requested: Float64Array;
  private readonly alloc: Float64Array;
  private readonly weights: Float64Array;
  private readonly podReq: Float64Array;
  private readonly kinds: Uint8Array;

  constructor(
    private readonly resources: readonly ResourceSpec[],
    private readonly useRequested: boolean,
    private readonly scorer: ResourceScorer,
  ) {
    const n = resources.length;
    this.requested = new Float64Array(n);
    this.alloc = new Float64Array(n);
    this.weights = new Float64Array(resources.map((r) => r.weight));
    this.podReq = new Float64Array(n);
    this.kinds = new Uint8Array(
      resources.map((r) => (r.name === 'cpu' ? CPU : r.name === 'memory' ? MEMORY : r.name === 'ephemeral-storage' ? DISK : EXTENDED)),
    );
  }

  /** Caches the pod's requests per resource (call in PreScore). */
  prepare(cx: CycleContext): void {
    this.resources.forEach((r, k) => (this.podReq[k] = podRequestFor(cx, r.name, this.useRequested)));
  }

  /** True when the pod requests none of the resources (BalancedAllocation skips such pods). */
  podRequestsNothing(): boolean {
    for (let k = 0; k < this.podReq.length; k++) if (this.podReq[k] !== 0) return false;
    return true;
  }

  score(cx: CycleContext, i: number): number {
    const t = cx.table;
    const kinds = this.kinds;
    const useReq = this.useRequested;
    for (let k = 0; k < kinds.length; k++) {
      const pr = this.podReq[k];
      let a = 0;
      let q = 0;
      switch (kinds[k]) {
        case CPU:
          a = t.allocCpu[i];
          q = (useReq ? t.reqCpu[i] : t.nzCpu[i]) + pr;
          break;
        case MEMORY:
          a = t.allocMem[i];
          q = (useReq ? t.reqMem[i] : t.nzMem[i]) + pr;
          break;
        case DISK:
          a = t.allocDisk[i];
          q = t.reqDisk[i] + pr;
          break;
        default: {
          const name = this.resources[k].name;
          const cap = t.allocExt[i][name];
          if (pr === 0 || cap === undefined) break;
          a = cap;
          q = (t.reqExt[i][name] ?? 0) + pr;
        }
      }
      this.alloc[k] = a;
      this.requested[k] = a === 0 ? 0 : q;
    }
    return this.scorer(this.requested, this.alloc, this.weights, kinds.length);
  }

  /**
   * The common case, resources exactly [cpu, memory], with the strategy's arithmetic written out
   * (the same formulas as scorers.ts and balanced-allocation). Returns false for other strategies.
   */
  private inline(cx: CycleContext, nodes: Int32Array, count: number, out: Float64Array): boolean {
    const t = cx.table;
    const usedCpu = this.useRequested ? t.reqCpu : t.nzCpu;
    const usedMem = this.useRequested ? t.reqMem : t.nzMem;
    const pc = this.podReq[0];
    const pm = this.podReq[1];
    const w0 = this.weights[0];
    const w1 = this.weights[1];
    const mode = this.scorer.perResource === leastRequestedScore ? 0 : this.scorer.perResource === mostRequestedScore ? 1 : this.scorer === balancedMarker.scorer ? 2 : -1;
    if (mode < 0) return false;
    const allocCpu = t.allocCpu;
    const allocMem = t.allocMem;
    if (mode === 2) {
      // balanced: f = min(1, q/a) over resources with a > 0; std of two = |f0 - f1| / 2
      for (let k = 0; k < count; k++) {
        const i = nodes[k];
        const a0 = allocCpu[i];
        const a1 = allocMem[i];
        if (a0 === 0 || a1 === 0) {
          out[k] = MAX_SCORE;
          continue;
        }
        const q0 = usedCpu[i] + pc;
        const q1 = usedMem[i] + pm;
        const f0 = q0 / a0 > 1 ? 1 : q0 / a0;
        const f1 = q1 / a1 > 1 ? 1 : q1 / a1;
        out[k] = Math.trunc((1 - Math.abs((f0 - f1) / 2)) * MAX_SCORE);
      }
      return true;
    }
    const least = mode === 0;
    const both = w0 + w1;
    for (let k = 0; k < count; k++) {
      const i = nodes[k];
      const a0 = allocCpu[i];
      const a1 = allocMem[i];
      const q0 = usedCpu[i] + pc;
      const q1 = usedMem[i] + pm;
      if (a0 !== 0 && a1 !== 0) {
        // both resources present (the usual case): ⌊(s0·w0 + s1·w1) / (w0 + w1)⌋
        const s0 = least ? (q0 > a0 ? 0 : Math.trunc(((a0 - q0) * MAX_SCORE) / a0)) : Math.trunc(((q0 > a0 ? a0 : q0) * MAX_SCORE) / a0);
        const s1 = least ? (q1 > a1 ? 0 : Math.trunc(((a1 - q1) * MAX_SCORE) / a1)) : Math.trunc(((q1 > a1 ? a1 : q1) * MAX_SCORE) / a1);
        out[k] = Math.trunc((s0 * w0 + s1 * w1) / both);
        continue;
      }
      let sum = 0;
      let wsum = 0;
      if (a0 !== 0) {
        sum += (least ? (q0 > a0 ? 0 : Math.trunc(((a0 - q0) * MAX_SCORE) / a0)) : Math.trunc(((q0 > a0 ? a0 : q0) * MAX_SCORE) / a0)) * w0;
        wsum += w0;
      }
      if (a1 !== 0) {
        sum += (least ? (q1 > a1 ? 0 : Math.trunc(((a1 - q1) * MAX_SCORE) / a1)) : Math.trunc(((q1 > a1 ? a1 : q1) * MAX_SCORE) / a1)) * w1;
        wsum += w1;
      }
      out[k] = wsum === 0 ? 0 : Math.trunc(sum / wsum);
    }
    return true;
  }

  scoreAll(cx: CycleContext, nodes: Int32Array, count: number, out: Float64Array): void {
    if (this.kinds.length === 2 && this.kinds[0] === CPU && this.kinds[1] === MEMORY && this.inline(cx, nodes, count, out)) return;
    const f = this.scorer.perResource;
    const kinds = this.kinds;
    const simple = f !== undefined && kinds.every((k) => k === CPU || k === MEMORY);
    if (!simple) {
      for (let k = 0; k < count; k++) out[k] = this.score(cx, nodes[k]);
      return;
    }
    // cpu/memory only, weighted average: the same arithmetic as score(), without the vectors.
    const t = cx.table;
    const useReq = this.useRequested;
    const usedCpu = useReq ? t.reqCpu : t.nzCpu;
    const usedMem = useReq ? t.reqMem : t.nzMem;
    const n = kinds.length;
    for (let k = 0; k < count; k++) {
      const i = nodes[k];
      let sum = 0;
      let wsum = 0;
      for (let r = 0; r < n; r++) {
        const cpu = kinds[r] === CPU;
        const a = cpu ? t.allocCpu[i] : t.allocMem[i];
        if (a === 0) continue;
        const q = (cpu ? usedCpu[i] : usedMem[i]) + this.podReq[r];
        sum += f(q, a) * this.weights[r];
        wsum += this.weights[r];
      }
      out[k] = wsum === 0 ? 0 : Math.trunc(sum / wsum);
    }
  }
}
