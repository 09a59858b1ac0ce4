/**
 * NodeResourcesFit's scoring strategies (pkg/scheduler/framework/plugins/noderesources), on
 * int64 arithmetic (division truncates). For each resource r with allocatable > 0:
 *
 *   LeastAllocated:  s_r = requested > alloc ? 0 : ⌊(alloc - requested) · 100 / alloc⌋
 *   MostAllocated:   s_r = ⌊min(requested, alloc) · 100 / alloc⌋
 *   node score       = ⌊Σ s_r · w_r / Σ w_r⌋
 *
 *   RequestedToCapacityRatio: the shape's points (utilization u 0..100 → score 0..10, scaled ×10)
 *   define a broken line f; u_r = requested > alloc ? 100 : ⌊requested · 100 / alloc⌋;
 *   s_r = f(u_r); node score = round(Σ_{s_r>0} s_r · w_r / Σ_{s_r>0} w_r).
 */
import { MAX_NODE_SCORE } from '../../framework/types.js';
import { MAX_CUSTOM_PRIORITY_SCORE, MAX_UTILIZATION, type UtilizationShapePoint } from './args.js';

/** (requested[], allocatable[], weights[], count) → score. Resources with allocatable 0 are skipped. */
export type ResourceScorer = ((requested: Float64Array, alloc: Float64Array, weights: Float64Array, count: number) => number) & {
  /** Set for weighted averages ⌊Σ f(req, alloc)·w / Σ w⌋: lets callers inline the loop. */
  perResource?: (requested: number, capacity: number) => number;
};

export function leastRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0) return 0;
  if (requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

export function mostRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0) return 0;
  if (requested > capacity) requested = capacity;
  return Math.trunc((requested * MAX_NODE_SCORE) / capacity);
}

function weightedAverage(f: (req: number, cap: number) => number): ResourceScorer {
  const scorer: ResourceScorer = (requested, alloc, weights, count) => {
    let nodeScore = 0;
    let weightSum = 0;
    for (let i = 0; i < count; i++) {
      if (alloc[i] === 0) continue;
      nodeScore += f(requested[i], alloc[i]) * weights[i];
      weightSum += weights[i];
    }
    return weightSum === 0 ? 0 : Math.trunc(nodeScore / weightSum);
  };
  scorer.perResource = f;
  return scorer;
}

export const leastAllocated: ResourceScorer = weightedAverage(leastRequestedScore);
export const mostAllocated: ResourceScorer = weightedAverage(mostRequestedScore);

/** helper.BuildBrokenLinearFunction: linear between points, flat outside them. */
export function brokenLinear(shape: readonly UtilizationShapePoint[]): (p: number) => number {
  return (p) => {
    for (let i = 0; i < shape.length; i++) {
      if (p <= shape[i].utilization) {
        if (i === 0) return shape[0].score;
        const a = shape[i - 1];
        const b = shape[i];
        return a.score + Math.trunc(((b.score - a.score) * (p - a.utilization)) / (b.utilization - a.utilization));
      }
    }
    return shape[shape.length - 1].score;
  };
}

export function requestedToCapacityRatio(shape: readonly UtilizationShapePoint[]): ResourceScorer {
  const scaled = shape.map((p) => ({ utilization: p.utilization, score: p.score * (MAX_NODE_SCORE / MAX_CUSTOM_PRIORITY_SCORE) }));
  const raw = brokenLinear(scaled);
  const resourceScore = (requested: number, capacity: number) =>
    capacity === 0 || requested > capacity ? raw(MAX_UTILIZATION) : raw(Math.trunc((requested * MAX_UTILIZATION) / capacity));
  return (requested, alloc, weights, count) => {
    let nodeScore = 0;
    let weightSum = 0;
    for (let i = 0; i < count; i++) {
      if (alloc[i] === 0) continue;
      const s = resourceScore(requested[i], alloc[i]);
      if (s > 0) {
        nodeScore += s * weights[i];
        weightSum += weights[i];
      }
    }
    // Go's math.Round: half away from zero (all values here are ≥ 0).
    return weightSum === 0 ? 0 : Math.floor(nodeScore / weightSum + 0.5);
  };
}
