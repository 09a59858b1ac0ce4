/**
 * NodeResourcesBalancedAllocation: favours nodes whose resource fractions stay close together
 * after placing the pod (plain requests, not the non-zero defaults). With f_r = min(1, requested_r / alloc_r):
 *   two resources: std = |f_1 - f_2| / 2;  more: std = sqrt(Σ (f_r - mean)² / n)
 *   score = ⌊(1 - std) · 100⌋
 * Skipped for pods that request none of the resources (kube-scheduler ≥ 1.30).
 */
import { argsObject } from '../../framework/args.js';
import { scoresProvenInRange } from '../../framework/framework.js';
import { MAX_NODE_SCORE, type Plugin } from '../../framework/types.js';
import { AllocationScorer, balancedMarker } from '../node-resources-fit/allocation.js';
import { DEFAULT_RESOURCES, parseResourceSpecs } from '../node-resources-fit/args.js';
import type { ResourceScorer } from '../node-resources-fit/scorers.js';

export const BALANCED_ALLOCATION = 'NodeResourcesBalancedAllocation';

export const balancedResourceScorer: ResourceScorer = (requested, alloc, _weights, count) => {
  // fractions are written back into `requested` (a scratch vector owned by the scorer)
  let n = 0;
  let total = 0;
  for (let i = 0; i < count; i++) {
    if (alloc[i] === 0) continue;
    let f = requested[i] / alloc[i];
    if (f > 1) f = 1;
    total += f;
    requested[n++] = f;
  }
  let std = 0;
  if (n === 2) std = Math.abs((requested[0] - requested[1]) / 2);
  else if (n > 2) {
    const mean = total / n;
    let sum = 0;
    for (let k = 0; k < n; k++) sum += (requested[k] - mean) * (requested[k] - mean);
    std = Math.sqrt(sum / n);
  }
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
};

balancedMarker.scorer = balancedResourceScorer;

export function balancedAllocation(rawArgs?: unknown): Plugin {
  const a = argsObject(BALANCED_ALLOCATION, rawArgs, ['resources']);
  const resources = a.resources === undefined ? DEFAULT_RESOURCES : parseResourceSpecs(BALANCED_ALLOCATION, 'args.resources', a.resources);
  const scorer = new AllocationScorer(resources, true, balancedResourceScorer);
  // f_r ∈ [0, 1], so std ≤ 0.5 and ⌊(1 - std) · 100⌋ ∈ [50, 100].
  return scoresProvenInRange({
    name: BALANCED_ALLOCATION,
    preScore: (cx) => {
      scorer.prepare(cx);
      return scorer.podRequestsNothing() ? 'skip' : undefined;
    },
    score: (cx, i) => scorer.score(cx, i),
    scoreAll: (cx, nodes, count, out) => scorer.scoreAll(cx, nodes, count, out),
  });
}
