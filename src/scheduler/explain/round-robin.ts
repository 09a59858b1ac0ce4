/**
 * `slipway explain` for the round-robin scheduler (src/scheduler/round-robin.ts), which is not a
 * framework profile: per node, round-robin's own feasibility rule (Ready, not cordoned, no
 * untolerated NoExecute taint, room in allocatable for the requests of the bound pods plus the
 * pending one), and the node it would choose. It has no scores: `weights` is empty and every
 * node's `scores` is {} and `total` null.
 *
 * The choice depends on round-robin's cursor, the node it placed on last: the search starts at the
 * first node after it in name order and wraps around. A snapshot gives it with `cursor: NODE`, or
 * has none (a fresh round-robin: the chosen node is the first fitting node in name order); a
 * scenario explained at a time (`explain --at`) has the cursor of its run's scheduler.
 */
import type { Toleration } from '../../core/placement.js';
import type { Node } from '../../core/types.js';
import { addInto, tally, type ResourceTally, type Resources } from '../../core/resources.js';
import { ROUND_ROBIN, roundRobinRejection } from '../round-robin.js';
import type { ExplainReport } from './explain.js';
import type { Snapshot } from './snapshot.js';

/** One node as round-robin sees it: its spec and status, and what is allocated on it. */
export interface RoundRobinNode {
  readonly node: Pick<Node, 'name' | 'status' | 'unschedulable' | 'taints' | 'allocatable'>;
  readonly used: Resources | ResourceTally;
}

/**
 * The report for placing a pod (`name`, `requests`, `tolerations`) on `nodes`, round-robin's
 * cursor after `cursor` (a node name; undefined: a fresh round-robin). Nodes are listed in the
 * order given; the search goes in name order, as the scheduler's does.
 */
export function explainRoundRobinOn(
  nodes: readonly RoundRobinNode[],
  pending: { readonly name: string; readonly requests: Resources; readonly tolerations: readonly Toleration[] },
  cursor: string | undefined,
  note: string,
): ExplainReport {
  const why = nodes.map((n) => roundRobinRejection(n.node, pending.tolerations, pending.requests, n.used));
  const byName = nodes.map((_, i) => i).sort((a, b) => (nodes[a].node.name < nodes[b].node.name ? -1 : nodes[a].node.name > nodes[b].node.name ? 1 : 0));
  // The scheduler resumes at the first name after the cursor, wrapping around (src/scheduler/round-robin.ts).
  const after = cursor === undefined ? 0 : byName.findIndex((i) => nodes[i].node.name > cursor);
  const start = after < 0 ? 0 : after;
  const order = [...byName.slice(start), ...byName.slice(0, start)];
  const chosen = order.find((i) => why[i] === undefined);
  return {
    pending: pending.name,
    profile: ROUND_ROBIN,
    chosen: chosen === undefined ? null : nodes[chosen].node.name,
    weights: {},
    nodes: nodes.map((n, i) => ({
      name: n.node.name,
      feasible: why[i] === undefined,
      reasons: why[i] === undefined ? [] : [why[i]],
      filters: { [ROUND_ROBIN]: why[i] ?? 'ok' },
      // The seed's scheduler has no status codes; a rejection reads as kube's plain Unschedulable.
      codes: { [ROUND_ROBIN]: why[i] === undefined ? ('Success' as const) : ('Unschedulable' as const) },
      code: why[i] === undefined ? ('Success' as const) : ('Unschedulable' as const),
      scores: {},
      total: null,
    })),
    note,
  };
}

/** The snapshot form: snapshot nodes are Ready (the format has no status); `unschedulable` is the snapshot's. */
export function explainRoundRobin(s: Snapshot): ExplainReport {
  const used = s.nodes.map(() => tally());
  for (const b of s.bound) addInto(used[b.node], b.pod.requests);
  return explainRoundRobinOn(
    s.nodes.map((n, i) => ({ node: { ...n, status: 'Ready' as const }, used: used[i] })),
    { name: s.pending.name, requests: s.pending.requests, tolerations: s.pending.placement.tolerations ?? [] },
    s.cursor,
    s.cursor === undefined ? 'cursor at the first node by name (a snapshot has no history)' : `cursor after ${s.cursor} (the node round-robin used last)`,
  );
}
