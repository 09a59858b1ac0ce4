/**
 * DefaultPreemption (PostFilter): when no node fits, find a node where evicting lower-priority
 * pods makes room, evicting as few and as unimportant pods as possible.
 *
 * Per node whose failure is resolvable (not e.g. a node-affinity mismatch):
 * 1. remove every pod with priority < the pod's; if the pod still does not fit, skip the node;
 * 2. reprieve: re-add the removed pods from most to least important (priority descending, then
 *    earliest start); keep each one that still lets the pod fit. The others are the victims.
 * Then pick one node (pickOneNodeForPreemption), in order:
 *   a node with no victims; lowest highest-victim priority; lowest Σ (priority + 2^31);
 *   fewest victims; latest start among the highest-priority victims; first in name order.
 * (PodDisruptionBudgets are not modelled, so the PDB criterion is a tie.)
 * Nodes are all examined in name order (kube-scheduler samples max(100, 10%) from a random offset).
 */
import { argsObject } from '../../framework/args.js';
import type { PodInfo } from '../../framework/pod.js';
import type { Plugin, PostFilterResult } from '../../framework/types.js';

export const DEFAULT_PREEMPTION = 'DefaultPreemption';
const MAX_INT32 = 2 ** 31 - 1;

/** MoreImportantPod: higher priority first, then the one that started earlier. */
export function moreImportant(a: PodInfo, b: PodInfo): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  return (a.startedAt ?? Infinity) - (b.startedAt ?? Infinity);
}

interface Candidate {
  readonly node: number;
  readonly victims: PodInfo[];
}

export function pickOneNode(candidates: readonly Candidate[]): Candidate | undefined {
  if (candidates.length === 0) return undefined;
  for (const c of candidates) if (c.victims.length === 0) return c;
  let best = candidates;
  const keep = (f: (c: Candidate) => number) => {
    let min = Infinity;
    for (const c of best) min = Math.min(min, f(c));
    best = best.filter((c) => f(c) === min);
  };
  keep((c) => Math.max(...c.victims.map((v) => v.priority)));
  keep((c) => c.victims.reduce((s, v) => s + v.priority + MAX_INT32 + 1, 0));
  keep((c) => c.victims.length);
  // latest start of the highest-priority victims wins: minimize the negated earliest start
  keep((c) => {
    const top = Math.max(...c.victims.map((v) => v.priority));
    const earliest = Math.min(...c.victims.filter((v) => v.priority === top).map((v) => v.startedAt ?? 0));
    return -earliest;
  });
  return best[0];
}

export function defaultPreemption(args?: unknown): Plugin {
  argsObject(DEFAULT_PREEMPTION, args, []);
  return {
    name: DEFAULT_PREEMPTION,
    postFilter: (cx, input): PostFilterResult | undefined => {
      const t = cx.table;
      const pod = cx.pod;
      const candidates: Candidate[] = [];
      for (let i = 0; i < t.n; i++) {
        const st = input.statuses[i];
        if (!st || st.unresolvable) continue;
        const lower = t.pods[i].filter((p) => p.priority < pod.priority && !p.terminating);
        if (lower.length === 0) continue;
        for (const p of lower) t.removePod(i, p);
        input.refreshPreFilter();
        const fitsWithout = input.filterNode(i) === undefined;
        const victims: PodInfo[] = [];
        if (fitsWithout) {
          const ordered = [...lower].sort(moreImportant);
          for (const p of ordered) {
            t.addPod(i, p);
            input.refreshPreFilter();
            if (input.filterNode(i) !== undefined) {
              t.removePod(i, p);
              victims.push(p);
            }
          }
          for (const p of lower) if (victims.includes(p)) t.addPod(i, p);
          candidates.push({ node: i, victims });
        } else {
          for (const p of lower) t.addPod(i, p);
        }
        input.refreshPreFilter();
      }
      const chosen = pickOneNode(candidates);
      return chosen ? { node: chosen.node, victims: chosen.victims } : undefined;
    },
  };
}
