/**
 * TaintToleration.
 * Filter: a NoSchedule or NoExecute taint the pod does not tolerate rejects the node:
 *   `node(s) had untolerated taint(s)` (kube-scheduler's words since it stopped naming the taint).
 * Score: the number of PreferNoSchedule taints the pod does not tolerate (only its tolerations
 * with effect PreferNoSchedule or empty count), normalized reversed:
 *   score = 100 - ⌊100 · count / maxCount⌋ (all 100 when no node has such a taint).
 */
import type { Toleration } from '../../../core/placement.js';
import type { Taint } from '../../../core/types.js';
import { argsObject } from '../../framework/args.js';
import { scoresProvenInRange } from '../../framework/framework.js';
import { defaultNormalizeScore, toleratesAny } from '../../framework/helpers.js';
import { StateKey, unresolvable, type CycleContext, type FilterStatus, type Plugin } from '../../framework/types.js';

export const TAINT_TOLERATION = 'TaintToleration';

export const ERR_REASON_UNTOLERATED = 'node(s) had untolerated taint(s)';

/** The Filter reason for an untolerated taint (upstream no longer names the taint). */
export function untoleratedTaintReason(_key: string, _value: string | undefined): string {
  return ERR_REASON_UNTOLERATED;
}

/** PreScore → Score: the pod's PreferNoSchedule tolerations (kube's preScoreState). */
const PREFER_KEY = new StateKey<Toleration[]>(TAINT_TOLERATION);

export function taintToleration(args?: unknown): Plugin {
  argsObject(TAINT_TOLERATION, args, []);
  const cache = new Map<string, FilterStatus>();
  const status = (key: string, value: string | undefined) => {
    const reason = untoleratedTaintReason(key, value);
    let s = cache.get(reason);
    if (!s) cache.set(reason, (s = unresolvable(reason)));
    return s;
  };
  /** This cycle's PreferNoSchedule tolerations (also in CycleState). */
  let preferTolerations: Toleration[] = [];
  const scoreNode = (taints: readonly Taint[]) => {
    let count = 0;
    for (const t of taints) if (t.effect === 'PreferNoSchedule' && !toleratesAny(preferTolerations, t)) count++;
    return count;
  };
  const filter = (cx: CycleContext, i: number): FilterStatus | undefined => {
    const taints = cx.table.taints[i];
    if (taints.length === 0) return undefined;
    const tol = cx.pod.placement.tolerations ?? [];
    for (const t of taints) {
      if (t.effect === 'PreferNoSchedule') continue;
      if (!toleratesAny(tol, t)) return status(t.key, t.value);
    }
    return undefined;
  };
  // Final scores: 100 - ⌊100 · count / max⌋ with 0 ≤ count ≤ max, or all 100: in range.
  return scoresProvenInRange({
    name: TAINT_TOLERATION,
    filter,
    filterAll: (cx, nodes, count, statuses) => {
      if (cx.table.taintedNodes === 0) return count;
      const taints = cx.table.taints;
      let m = 0;
      for (let k = 0; k < count; k++) {
        const i = nodes[k];
        const st = taints[i].length === 0 ? undefined : filter(cx, i);
        if (st === undefined) nodes[m++] = i;
        else statuses[i] = st;
      }
      return m;
    },
    preScore: (cx) => {
      const prefer: Toleration[] = (cx.pod.placement.tolerations ?? []).filter(
        (t) => t.effect === undefined || t.effect === 'PreferNoSchedule',
      );
      cx.state.write(PREFER_KEY, prefer);
      preferTolerations = prefer;
      return undefined;
    },
    scoreAll: (cx, nodes, count, out) => {
      if (cx.table.taintedNodes === 0) {
        out.fill(0, 0, count);
        return;
      }
      const taints = cx.table.taints;
      for (let k = 0; k < count; k++) out[k] = taints[nodes[k]].length === 0 ? 0 : scoreNode(cx.table.taints[nodes[k]]);
    },
    score: (cx, i) => {
      const taints = cx.table.taints[i];
      if (taints.length === 0) return 0;
      const tol = preferTolerations;
      let count = 0;
      for (const t of taints) if (t.effect === 'PreferNoSchedule' && !toleratesAny(tol, t)) count++;
      return count;
    },
    normalizeScore: (_cx, _nodes, scores, count) => defaultNormalizeScore(scores, count, true),
  });
}
