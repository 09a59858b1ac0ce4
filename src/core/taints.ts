/**
 * Taints and tolerations as the control plane reads them (core/v1 semantics), shared by the
 * scheduler's TaintToleration filter and the NoExecute taint eviction the reconciler performs.
 *
 * Node conditions become taints, as Kubernetes' node lifecycle controller adds them: a NotReady
 * node carries `node.kubernetes.io/not-ready`, an Unknown or Down node
 * `node.kubernetes.io/unreachable` (both NoSchedule and NoExecute).
 *
 * NoExecute eviction (Kubernetes' taint eviction controller, `tainteviction.Controller`):
 * - an instance that does not tolerate one of its node's NoExecute taints is evicted at once;
 * - otherwise each NoExecute taint it tolerates with `tolerationSeconds` (the shortest of the
 *   matching tolerations) evicts it that long after the taint appeared (`timeAdded`), or after the
 *   instance was bound to the node if that is later; the earliest such time wins. A toleration
 *   without `tolerationSeconds` tolerates forever; `tolerationSeconds ≤ 0` evicts at once.
 *   Condition taints appear when the node stops being Ready (a NotReady node that becomes Down
 *   keeps that time: the outage goes on).
 * - DefaultTolerationSeconds (the admission plugin): an instance with no toleration of
 *   `not-ready:NoExecute` (resp. `unreachable:NoExecute`) — a toleration with that key or an empty
 *   key, and effect NoExecute or empty — gets `{key, operator: Exists, effect: NoExecute,
 *   tolerationSeconds: default}`. Kubernetes' default is 300 s; Slipway's is the scenario's
 *   `controlPlane.evictionGrace` (30 s unless set).
 */
import type { Toleration } from './placement.js';
import type { Millis, NodeStatus, Taint, TaintEffect } from './types.js';

export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';

const NOT_READY: readonly Taint[] = [
  { key: TAINT_NOT_READY, effect: 'NoSchedule' },
  { key: TAINT_NOT_READY, effect: 'NoExecute' },
];
const UNREACHABLE: readonly Taint[] = [
  { key: TAINT_UNREACHABLE, effect: 'NoSchedule' },
  { key: TAINT_UNREACHABLE, effect: 'NoExecute' },
];

/** The taints the node lifecycle controller puts on a node in this status (none when Ready). */
export function conditionTaints(status: NodeStatus): readonly Taint[] {
  return status === 'Ready' ? [] : status === 'NotReady' ? NOT_READY : UNREACHABLE;
}

/** The node's own taints plus its condition taints. */
export function effectiveTaints(node: { readonly status: NodeStatus; readonly taints: readonly Taint[] }): readonly Taint[] {
  const extra = conditionTaints(node.status);
  return extra.length === 0 ? node.taints : [...node.taints, ...extra];
}

/**
 * The node's NoExecute taints, its condition's included with `timeAdded = unreadySince` (when
 * the node stopped being Ready).
 */
export function noExecuteTaints(
  node: { readonly status: NodeStatus; readonly taints: readonly Taint[] },
  unreadySince: Millis,
): Taint[] {
  const out = node.taints.filter((t) => t.effect === 'NoExecute');
  for (const t of conditionTaints(node.status)) if (t.effect === 'NoExecute') out.push({ ...t, timeAdded: unreadySince });
  return out;
}

/** core/v1 Toleration.ToleratesTaint: effect (empty = all), key (empty with Exists = all), operator. */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect !== undefined && t.effect !== taint.effect) return false;
  if (t.key !== undefined && t.key !== '' && t.key !== taint.key) return false;
  switch (t.operator ?? 'Equal') {
    case 'Exists':
      return true;
    case 'Equal':
      return (t.value ?? '') === (taint.value ?? '');
    case 'Gt':
    case 'Lt': {
      // Kubernetes' TaintTolerationComparisonOperators: both values parse as integers and the
      // taint's is greater (Gt) or less (Lt) than the toleration's; a parse error never tolerates.
      const a = t.value ?? '';
      const b = taint.value ?? '';
      if (!/^[+-]?\d{1,18}$/.test(a) || !/^[+-]?\d{1,18}$/.test(b)) return false;
      return t.operator === 'Gt' ? Number(b) > Number(a) : Number(b) < Number(a);
    }
    default:
      return false;
  }
}

export function toleratesAny(tolerations: readonly Toleration[], taint: Taint): boolean {
  for (const t of tolerations) if (toleratesTaint(t, taint)) return true;
  return false;
}

/** `key=value:Effect` (`key:Effect` without a value), as `kubectl taint` writes it. */
export function formatTaint(t: Taint): string {
  return `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`;
}

/** DefaultTolerationSeconds: the pod's tolerations plus the defaults it lacks (see the file comment). */
export function withDefaultTolerations(tolerations: readonly Toleration[], defaultSeconds: number): readonly Toleration[] {
  const covers = (key: string) =>
    tolerations.some((t) => (t.key === undefined || t.key === '' || t.key === key) && (t.effect === undefined || t.effect === 'NoExecute'));
  const add: Toleration[] = [];
  for (const key of [TAINT_NOT_READY, TAINT_UNREACHABLE]) {
    if (!covers(key)) add.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: defaultSeconds });
  }
  return add.length === 0 ? tolerations : [...tolerations, ...add];
}

/** When and why an instance is evicted from its node by a NoExecute taint. */
export interface TaintEviction {
  /** Evict at this time (for an untolerated taint: when it appeared or the instance was bound). */
  readonly at: Millis;
  /** The taint that decides: the first untolerated one, else the one whose toleration is shortest. */
  readonly taint: Taint;
  /** The matching toleration's seconds; absent when the taint is not tolerated. */
  readonly tolerationSeconds?: number;
}

/**
 * The taint eviction controller's decision for one instance bound at `boundAt` to a node with
 * these taints (only NoExecute ones count; a taint without `timeAdded` counts from 0).
 * Returns undefined when nothing evicts it (no NoExecute taint, or all tolerated forever).
 */
export function taintEviction(tolerations: readonly Toleration[], taints: readonly Taint[], boundAt: Millis): TaintEviction | undefined {
  let best: TaintEviction | undefined;
  for (const taint of taints) {
    if (taint.effect !== 'NoExecute') continue;
    let seconds: number | undefined;
    let tolerated = false;
    for (const t of tolerations) {
      if (!toleratesTaint(t, taint)) continue;
      tolerated = true;
      // getMinTolerationTime runs over every matching toleration: the shortest limit wins.
      if (t.tolerationSeconds !== undefined && (seconds === undefined || t.tolerationSeconds < seconds)) seconds = t.tolerationSeconds;
    }
    const start = Math.max(boundAt, taint.timeAdded ?? 0);
    if (!tolerated) return { at: start, taint };
    if (seconds === undefined) continue;
    const at = start + Math.round(Math.max(0, seconds) * 1000);
    if (best === undefined || at < best.at) best = { at, taint, tolerationSeconds: seconds };
  }
  return best;
}

/**
 * `taintEviction` for an instance of a workload with these tolerations, the default not-ready and
 * unreachable tolerations (`defaultSeconds`) added when it lacks them.
 */
export function instanceTaintEviction(
  tolerations: readonly Toleration[] | undefined,
  defaultSeconds: number,
  taints: readonly Taint[],
  boundAt: Millis,
): TaintEviction | undefined {
  if (taints.length === 0) return undefined;
  return taintEviction(withDefaultTolerations(tolerations ?? [], defaultSeconds), taints, boundAt);
}

/** A change to a node's own taints: the `taint` and `untaint` operations. */
export type TaintChange = { readonly add: Taint } | { readonly remove: { readonly key: string; readonly effect?: TaintEffect } };

/**
 * The node's taints after `change`: `add` replaces a taint with the same key and effect and is
 * stamped `timeAdded: now`; `remove` drops the taints with the key (and effect, when given).
 * Returns undefined when nothing changes (a `remove` that matches nothing).
 */
export function changeTaints(taints: readonly Taint[], change: TaintChange, now: Millis): Taint[] | undefined {
  if ('add' in change) {
    const t = change.add;
    return [...taints.filter((x) => !(x.key === t.key && x.effect === t.effect)), { ...t, timeAdded: now }];
  }
  const r = change.remove;
  const kept = taints.filter((x) => !(x.key === r.key && (r.effect === undefined || x.effect === r.effect)));
  return kept.length === taints.length ? undefined : kept;
}
