/**
 * DotProduct (Tetris-style alignment; Grandl et al., SIGCOMM 2014; not a kube-scheduler plugin):
 * favours the node whose free resources line up with the pod's demand. Over cpu and memory (and
 * the extended resources the pod requests), with capacities normalized per node:
 *   raw = ⌊10^6 · Σ_r (request_r / alloc_r) · (free_r / alloc_r)⌋,  free_r = alloc_r - requested_r
 *   score = ⌊100 · raw / max raw⌋
 */
import { argsObject } from '../../framework/args.js';
import { defaultNormalizeScore } from '../../framework/helpers.js';
import type { Plugin } from '../../framework/types.js';

export const DOT_PRODUCT = 'DotProduct';

export function dotProduct(args?: unknown): Plugin {
  argsObject(DOT_PRODUCT, args, []);
  return {
    name: DOT_PRODUCT,
    score: (cx, i) => {
      const t = cx.table;
      const r = cx.pod.requests;
      let s = 0;
      const term = (req: number, alloc: number, used: number) => {
        if (alloc <= 0 || req <= 0) return;
        s += (req / alloc) * (Math.max(0, alloc - used) / alloc);
      };
      term(r.cpu, t.allocCpu[i], t.reqCpu[i]);
      term(r.memory, t.allocMem[i], t.reqMem[i]);
      for (const k in r.extended) term(r.extended[k], t.allocExt[i][k] ?? 0, t.reqExt[i][k] ?? 0);
      return Math.trunc(s * 1e6);
    },
    normalizeScore: (_cx, _nodes, scores, count) => defaultNormalizeScore(scores, count, false),
  };
}
