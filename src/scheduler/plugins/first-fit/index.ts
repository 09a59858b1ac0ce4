/**
 * FirstFit (Slipway's classic policy, not a kube-scheduler plugin): the feasible node that comes
 * first in name order scores 100, every other feasible node 0. Used with percentageOfNodesToScore
 * 100, so "first" means first in the whole cluster.
 */
import { argsObject } from '../../framework/args.js';
import { scoresProvenInRange } from '../../framework/framework.js';
import { MAX_NODE_SCORE, type Plugin } from '../../framework/types.js';

export const FIRST_FIT = 'FirstFit';

export function firstFit(args?: unknown): Plugin {
  argsObject(FIRST_FIT, args, []);
  // 100 or 0.
  return scoresProvenInRange({
    name: FIRST_FIT,
    score: (_cx, i) => i,
    normalizeScore: (_cx, _nodes, scores, count) => {
      let min = Infinity;
      for (let k = 0; k < count; k++) if (scores[k] < min) min = scores[k];
      for (let k = 0; k < count; k++) scores[k] = scores[k] === min ? MAX_NODE_SCORE : 0;
    },
  });
}
