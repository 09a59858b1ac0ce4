/**
 * NodeAffinity.
 * Filter: the node's labels match the pod's nodeSelector (every pair) and one of the required
 * nodeSelectorTerms (ORed; requirements in a term ANDed), else
 *   `node(s) didn't match Pod's node affinity/selector`.
 * A required term that does not parse (invalid key or label value, Gt/Lt without one integer)
 * matches no node; a preferred one fails the pod's cycle (kube-scheduler's PreScore returns an
 * error), here every node with `invalid preferred node affinity term ...` (unresolvable).
 * Score: Σ weight of the preferred terms the node matches, normalized: ⌊100 · sum / maxSum⌋.
 */
import { PluginArgsError, argsObject, isRecord } from '../../framework/args.js';
import { defaultNormalizeScore, filterEachNode, matchesNodeSelectorTerm, validNodeSelectorTerm } from '../../framework/helpers.js';
import { unresolvable, type CycleContext, type Plugin } from '../../framework/types.js';
import type { NodeAffinity as NodeAffinityT, Placement } from '../../../core/placement.js';

export const NODE_AFFINITY = 'NodeAffinity';
export const ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector";
const MISMATCH = unresolvable(ERR_REASON_POD);

/** Whether a node satisfies the pod's nodeSelector and required node affinity. */
export function nodeMatchesPodAffinity(p: Placement, labels: Readonly<Record<string, string>>, name: string): boolean {
  const sel = p.nodeSelector;
  if (sel) for (const k in sel) if (labels[k] !== sel[k]) return false;
  const req = p.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (req) {
    let any = false;
    for (const term of req.nodeSelectorTerms) {
      if (matchesNodeSelectorTerm(term, labels, name)) {
        any = true;
        break;
      }
    }
    if (!any) return false;
  }
  return true;
}

/** addedAffinity's shape: a NodeAffinity (required nodeSelectorTerms, preferred {weight 1..100, preference}). */
function checkAddedAffinity(v: unknown): NodeAffinityT {
  const bad = (field: string, why: string): never => {
    throw new PluginArgsError(NODE_AFFINITY, `args.addedAffinity${field}`, why);
  };
  if (!isRecord(v)) bad('', `expected a NodeAffinity mapping, got ${JSON.stringify(v)}`);
  const r = v as Record<string, unknown>;
  for (const k of Object.keys(r)) {
    if (k !== 'requiredDuringSchedulingIgnoredDuringExecution' && k !== 'preferredDuringSchedulingIgnoredDuringExecution') bad(`.${k}`, 'unknown field (known: requiredDuringSchedulingIgnoredDuringExecution, preferredDuringSchedulingIgnoredDuringExecution)');
  }
  const term = (t: unknown, field: string) => {
    if (!isRecord(t)) bad(field, 'expected a node selector term');
    for (const k of ['matchExpressions', 'matchFields']) {
      const list = (t as Record<string, unknown>)[k];
      if (list !== undefined && (!Array.isArray(list) || list.some((e) => !isRecord(e) || typeof e.key !== 'string' || typeof e.operator !== 'string'))) bad(`${field}.${k}`, 'expected a list of {key, operator, values}');
    }
  };
  const req = r.requiredDuringSchedulingIgnoredDuringExecution;
  if (req !== undefined) {
    const terms = isRecord(req) ? req.nodeSelectorTerms : undefined;
    if (!Array.isArray(terms) || terms.length === 0) bad('.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms', 'expected a non-empty list');
    (terms as unknown[]).forEach((t, i) => term(t, `.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[${i}]`));
  }
  const pref = r.preferredDuringSchedulingIgnoredDuringExecution;
  if (pref !== undefined) {
    if (!Array.isArray(pref)) bad('.preferredDuringSchedulingIgnoredDuringExecution', 'expected a list');
    (pref as unknown[]).forEach((p, i) => {
      const f = `.preferredDuringSchedulingIgnoredDuringExecution[${i}]`;
      if (!isRecord(p) || !Number.isInteger(p.weight) || (p.weight as number) < 1 || (p.weight as number) > 100) bad(`${f}.weight`, 'must be an integer in [1, 100]');
      term((p as Record<string, unknown>).preference, `${f}.preference`);
    });
  }
  return r as NodeAffinityT;
}

/** Filter reason when the profile's addedAffinity (NodeAffinityArgs) rejects the node. */
export const ERR_REASON_ENFORCED = "node(s) didn't match scheduler-enforced node affinity";
const ENFORCED = unresolvable(ERR_REASON_ENFORCED);

/**
 * Args: `addedAffinity` (kube-scheduler's NodeAffinityArgs.addedAffinity), a NodeAffinity every
 * pod of the profile must also satisfy (required terms, checked before the pod's own, reason
 * ERR_REASON_ENFORCED) and whose preferred terms add to every pod's score.
 */
export function nodeAffinity(args?: unknown): Plugin {
  const a = argsObject(NODE_AFFINITY, args, ['addedAffinity']);
  let added: NodeAffinityT | undefined;
  if (a.addedAffinity !== undefined) added = checkAddedAffinity(a.addedAffinity);
  const addedRequired = added?.requiredDuringSchedulingIgnoredDuringExecution;
  const addedPreferred = added?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
  const matchesAdded = (labels: Readonly<Record<string, string>>, name: string) =>
    addedRequired === undefined || addedRequired.nodeSelectorTerms.some((t) => matchesNodeSelectorTerm(t, labels, name));
  const filter = (cx: CycleContext, i: number) => {
    const labels = cx.table.labels[i];
    const name = cx.table.names[i];
    if (!matchesAdded(labels, name)) return ENFORCED;
    return nodeMatchesPodAffinity(cx.pod.placement, labels, name) ? undefined : MISMATCH;
  };
  const preferredOf = (cx: CycleContext) => [...addedPreferred, ...(cx.pod.placement.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [])];
  return {
    name: NODE_AFFINITY,
    preFilter: (cx) => {
      const p = cx.pod.placement;
      const preferred = p.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
      const bad = preferred.findIndex((t) => t.weight !== 0 && ((t.preference.matchExpressions?.length ?? 0) > 0 || (t.preference.matchFields?.length ?? 0) > 0) && !validNodeSelectorTerm(t.preference));
      if (bad >= 0) return unresolvable(`invalid preferred node affinity term: preferredDuringSchedulingIgnoredDuringExecution[${bad}] does not parse as a node selector`);
      const hasSel = p.nodeSelector !== undefined && Object.keys(p.nodeSelector).length > 0;
      return hasSel || addedRequired !== undefined || p.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution ? undefined : 'skip';
    },
    filter,
    filterAll: filterEachNode(filter),
    preScore: (cx) => (preferredOf(cx).length > 0 ? undefined : 'skip'),
    score: (cx, i) => {
      let sum = 0;
      for (const t of preferredOf(cx)) {
        if (t.weight !== 0 && matchesNodeSelectorTerm(t.preference, cx.table.labels[i], cx.table.names[i])) sum += t.weight;
      }
      return sum;
    },
    normalizeScore: (_cx, _nodes, scores, count) => defaultNormalizeScore(scores, count, false),
  };
}
