/**
 * Coscheduling (gangs; as in kubernetes-sigs/scheduler-plugins, not in kube-scheduler). A gang is
 * the pods whose `placement.gang.name` is the same, from any workload.
 *
 * - Permit: a member is allowed when the gang's members reserved or bound (this one included)
 *   reach `minMember`, and then every waiting member of the gang is allowed with it; otherwise
 *   it waits, holding its reservation. How long it may wait (`timeout`, kube's
 *   `scheduleTimeoutSeconds`, default 60 s as kube's `permitWaitingTimeSeconds`) is enforced by
 *   the Orchestrator, which owns the clock: on expiry every waiting member is unreserved.
 * - PostFilter (`rejectsGang`): when a member fits on no node, the gang's waiting members are
 *   rejected at once, unless enough members are already assigned or the gap to `minMember` is
 *   at most 10% of it (kube's `podGroupRejectPercentage` default).
 */
import { argsObject } from '../../framework/args.js';
import type { NodeTable } from '../../framework/node-table.js';
import type { Plugin } from '../../framework/types.js';
import type { Gang } from '../../../core/placement.js';

export const COSCHEDULING = 'Coscheduling';

/** kube's `podGroupRejectPercentage` default: a gap of at most this share of minMember is not rejected. */
export const REJECT_PERCENTAGE = 10;

/** Members of the gang reserved or bound in the table (pods asked to stop or ended do not count). */
export function gangMembers(table: NodeTable, name: string): number {
  let members = 0;
  for (const pods of table.pods) for (const p of pods) if (p.placement.gang?.name === name && !p.terminating) members++;
  return members;
}

/**
 * Coscheduling's PostFilter: a member of `gang` fits on no node. True when the gang's waiting
 * members should be rejected: fewer than minMember are assigned and the gap
 * `(minMember - assigned) / minMember` is more than 10%.
 */
export function rejectsGang(gang: Gang, table: NodeTable): boolean {
  const assigned = gangMembers(table, gang.name);
  if (assigned >= gang.minMember) return false;
  return (gang.minMember - assigned) * 100 > REJECT_PERCENTAGE * gang.minMember;
}

export function coscheduling(args?: unknown): Plugin {
  argsObject(COSCHEDULING, args, []);
  return {
    name: COSCHEDULING,
    permit: (cx) => {
      const gang = cx.pod.placement.gang;
      if (!gang) return 'allow';
      return gangMembers(cx.table, gang.name) >= gang.minMember ? 'allow' : 'wait';
    },
  };
}
