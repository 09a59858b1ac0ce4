/**
 * DotProduct (Tetris-style alignment; Grandl et al., SIGCOMM 2014; not a kube-scheduler plugin):
 * favours the node whose free resources line up with the pod's demand. Over cpu and memory (and
 * the extended resources the pod requests), with capacities normalized per node:
 *   raw = ⌊10^6 · Σ_r (request_r / alloc_r) · (free_r / alloc_r)⌋,  free_r = alloc_r - requested_r
 *   score = ⌊100 · raw / max raw⌋
 */
import { argsObject } from '../../framework/args.js';
import { defaultNormalizeScore } from '../../framework/helpers.js';
import type { CycleContext, Plugin } from '../../framework/types.js';

export const DOT_PRODUCT = 'DotProduct';

export function dotProduct(args?: unknown): Plugin {
  argsObject(DOT_PRODUCT, args, []);
  /** (request / alloc) · (free / alloc) for one resource; 0 without capacity or request. */
  const term = (req: number, alloc: number, used: number) => (alloc <= 0 || req <= 0 ? 0 : (req / alloc) * (Math.max(0, alloc - used) / alloc));
  const scoreNode = (cx: CycleContext, i: number, ext: readonly string[]) => {
    const t = cx.table;
    const r = cx.pod.requests;
    let s = term(r.cpu, t.allocCpu[i], t.reqCpu[i]) + term(r.memory, t.allocMem[i], t.reqMem[i]);
    for (const k of ext) s += term(r.extended[k], t.allocExt[i][k] ?? 0, t.reqExt[i][k] ?? 0);
    return Math.trunc(s * 1e6);
  };
  return {
    name: DOT_PRODUCT,
    score: (cx, i) => scoreNode(cx, i, Object.keys(cx.pod.requests.extended)),
    scoreAll: (cx, nodes, count, out) => {
      const ext = Object.keys(cx.pod.requests.extended);
      for (let k = 0; k < count; k++) out[k] = scoreNode(cx, nodes[k], ext);
    },
    normalizeScore: (_cx, _nodes, scores, count) => defaultNormalizeScore(scores, count, false),
  };
}
