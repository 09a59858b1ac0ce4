/**
 * PodDisruptionBudgets (policy/v1): how many of the pods a label selector picks may be disrupted
 * at once. kube-scheduler's DefaultPreemption reads a budget's status (`disruptionsAllowed`) and
 * prefers victims whose eviction keeps every budget (see plugins/default-preemption); the status
 * is what Kubernetes' disruption controller computes (pkg/controller/disruption), here from the
 * control plane's instance records (`disruptionsAllowed`).
 */
import { matchesLabelSelector } from './label-selector.js';
import type { LabelSelector } from './placement.js';

/** An int or a percentage (`value` 50, `percent` true = `50%`), as Kubernetes' IntOrString. */
export interface IntOrPercent {
  readonly value: number;
  readonly percent: boolean;
}

/** A PodDisruptionBudget's spec: exactly one of minAvailable and maxUnavailable. */
export interface PodDisruptionBudget {
  readonly name: string;
  readonly namespace: string;
  /** Absent or empty: selects no pod (as DefaultPreemption reads a budget). */
  readonly selector?: LabelSelector;
  readonly minAvailable?: IntOrPercent;
  readonly maxUnavailable?: IntOrPercent;
}

/** What DefaultPreemption reads of a budget: its selector and status. */
export interface DisruptionBudgetStatus {
  readonly name: string;
  readonly namespace: string;
  readonly selector?: LabelSelector;
  /** status.disruptionsAllowed: evictions the budget still allows. */
  readonly disruptionsAllowed: number;
  /** status.disruptedPods: pods whose eviction the API server already counted (names). */
  readonly disruptedPods?: readonly string[];
}

/**
 * Whether the budget covers the pod, as kube-scheduler's filterPodsWithPDBViolation decides: same
 * namespace, the pod has labels, the selector is not empty and matches them.
 */
export function budgetSelects(
  budget: { readonly namespace: string; readonly selector?: LabelSelector },
  pod: { readonly namespace: string; readonly labels: Readonly<Record<string, string>> },
): boolean {
  if (budget.namespace !== pod.namespace) return false;
  if (Object.keys(pod.labels).length === 0) return false;
  const s = budget.selector;
  const empty = s === undefined || (Object.keys(s.matchLabels ?? {}).length === 0 && (s.matchExpressions ?? []).length === 0);
  return !empty && matchesLabelSelector(s, pod.labels);
}

/** ceil(pct × total / 100) for a percentage (GetScaledValueFromIntOrPercent, roundUp), else the int. */
function scaled(v: IntOrPercent, total: number): number {
  return v.percent ? Math.ceil((v.value * total) / 100) : v.value;
}

/**
 * status.disruptionsAllowed as the disruption controller computes it:
 * - `minAvailable: N` → expected = the pods it selects, desiredHealthy = N;
 * - `minAvailable: P%` → expected = the replicas of the controllers of those pods, desiredHealthy = ⌈P% × expected⌉;
 * - `maxUnavailable: M` (or M%) → expected as for a percentage, desiredHealthy = expected − M (M% rounded up);
 * disruptionsAllowed = healthy − desiredHealthy, and 0 when that is negative or nothing is expected.
 * `healthy`: selected pods running, ready and not being deleted.
 */
export function disruptionsAllowed(budget: PodDisruptionBudget, counts: { readonly pods: number; readonly healthy: number; readonly controllerReplicas: number }): number {
  return budgetHealth(budget, counts).disruptionsAllowed;
}

/** A budget's status numbers (status.expectedPods, desiredHealthy, currentHealthy, disruptionsAllowed). */
export interface BudgetHealth {
  readonly expectedPods: number;
  readonly desiredHealthy: number;
  readonly currentHealthy: number;
  readonly disruptionsAllowed: number;
}

/** The status numbers behind `disruptionsAllowed` (the same computation). */
export function budgetHealth(budget: PodDisruptionBudget, counts: { readonly pods: number; readonly healthy: number; readonly controllerReplicas: number }): BudgetHealth {
  let expected = 0;
  let desired = 0;
  if (budget.maxUnavailable !== undefined) {
    expected = counts.controllerReplicas;
    desired = Math.max(0, expected - scaled(budget.maxUnavailable, expected));
  } else if (budget.minAvailable !== undefined) {
    if (budget.minAvailable.percent) {
      expected = counts.controllerReplicas;
      desired = scaled(budget.minAvailable, expected);
    } else {
      expected = counts.pods;
      desired = budget.minAvailable.value;
    }
  }
  const allowed = counts.healthy - desired;
  return {
    expectedPods: expected,
    desiredHealthy: desired,
    currentHealthy: counts.healthy,
    disruptionsAllowed: expected <= 0 || allowed <= 0 ? 0 : allowed,
  };
}

/** `50%` or `2`, as a manifest writes it. */
export function formatIntOrPercent(v: IntOrPercent): string | number {
  return v.percent ? `${v.value}%` : v.value;
}
