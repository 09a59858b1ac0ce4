/**
 * DefaultPreemption (PostFilter): when no node fits, find a node where evicting lower-priority
 * pods makes room, evicting as few and as unimportant pods as possible.
 *
 * Per node whose failure is resolvable (not e.g. a node-affinity mismatch), as upstream's
 * SelectVictimsOnNode:
 * 1. remove every pod with priority < the pod's; if the pod still does not fit, skip the node;
 * 2. sort the removed pods from most to least important (priority descending, then earliest
 *    start) and split them, keeping that order, into those whose eviction would violate a
 *    PodDisruptionBudget and the others (filterPodsWithPDBViolation: each budget's
 *    disruptionsAllowed is decremented per pod it covers, in order, skipping its disruptedPods;
 *    a pod that takes one below 0 is violating);
 * 3. reprieve: re-add the violating pods, then the others, each group most important first; keep
 *    each one that still lets the pod fit. The others are the victims; the violating ones among
 *    them are the node's PDB violations.
 * Then pick one node (pickOneNodeForPreemption), in order:
 *   a node with no victims; fewest PDB violations; lowest highest-victim priority; lowest
 *   Σ (priority + 2^31); fewest victims; latest start among the highest-priority victims; first
 *   in name order.
 * Nodes are all examined in name order (kube-scheduler samples max(100, 10%) from a random offset).
 */
import { budgetSelects, type DisruptionBudgetStatus } from '../../../core/disruption-budget.js';
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
  /** Victims whose eviction violates a PodDisruptionBudget (upstream's NumPDBViolations). */
  readonly violations: number;
  /** Each violating victim → the budget it takes below zero. */
  readonly budgets: ReadonlyMap<PodInfo, string>;
}

/**
 * filterPodsWithPDBViolation: splits `pods` (in their order) into those whose eviction would take
 * a budget below zero and the others; `budget` maps each violating pod to the first such budget.
 */
export function splitByBudgets(
  pods: readonly PodInfo[],
  budgets: readonly DisruptionBudgetStatus[],
): { violating: PodInfo[]; nonViolating: PodInfo[]; budget: Map<PodInfo, string> } {
  const allowed = budgets.map((b) => b.disruptionsAllowed);
  const violating: PodInfo[] = [];
  const nonViolating: PodInfo[] = [];
  const budget = new Map<PodInfo, string>();
  for (const p of pods) {
    let violated: string | undefined;
    budgets.forEach((b, k) => {
      if (!budgetSelects(b, p)) return;
      // Already counted by the API server (an eviction in progress): not a new disruption.
      if (b.disruptedPods?.includes(p.name)) return;
      allowed[k]--;
      if (allowed[k] < 0 && violated === undefined) violated = b.name;
    });
    if (violated === undefined) nonViolating.push(p);
    else {
      violating.push(p);
      budget.set(p, violated);
    }
  }
  return { violating, nonViolating, budget };
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
  keep((c) => c.violations);
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
          const { violating, nonViolating, budget } = splitByBudgets([...lower].sort(moreImportant), t.disruptionBudgets);
          /** Re-adds p; false (p is a victim) when the pod no longer fits with it. */
          const reprieve = (p: PodInfo): boolean => {
            t.addPod(i, p);
            input.refreshPreFilter();
            if (input.filterNode(i) === undefined) return true;
            t.removePod(i, p);
            victims.push(p);
            return false;
          };
          let violations = 0;
          for (const p of violating) if (!reprieve(p)) violations++;
          for (const p of nonViolating) reprieve(p);
          if (violating.length > 0 && nonViolating.length > 0) victims.sort(moreImportant);
          for (const p of lower) if (victims.includes(p)) t.addPod(i, p);
          const budgets = new Map<PodInfo, string>();
          for (const v of victims) if (budget.has(v)) budgets.set(v, budget.get(v)!);
          candidates.push({ node: i, victims, violations, budgets });
        } else {
          for (const p of lower) t.addPod(i, p);
        }
        input.refreshPreFilter();
      }
      const chosen = pickOneNode(candidates);
      return chosen ? { node: chosen.node, victims: chosen.victims, ...(chosen.violations > 0 ? { violations: chosen.violations, budgets: chosen.budgets } : {}) } : undefined;
    },
  };
}
