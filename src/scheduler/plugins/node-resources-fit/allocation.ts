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
import type { ResourceScorer } from './scorers.js';

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

  scoreAll(cx: CycleContext, nodes: Int32Array, count: number, out: Float64Array): void {
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
