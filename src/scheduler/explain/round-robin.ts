/**
 * `slipway explain` for the round-robin scheduler (src/scheduler/round-robin.ts), which is not a
 * framework profile: per node, round-robin's own feasibility rule (Ready, not cordoned, no
 * untolerated NoExecute taint, room in allocatable for the requests of the bound pods plus the
 * pending one), and the node it would choose. It has no scores: `weights` is empty and every
 * node's `scores` is {} and `total` null.
 *
 * A snapshot has no history, so the cursor is where a fresh round-robin starts: before the first
 * node by name. The chosen node is the first fitting node in name order.
 */
import { addInto, tally } from '../../core/resources.js';
import { ROUND_ROBIN, roundRobinRejection } from '../round-robin.js';
import type { ExplainReport } from './explain.js';
import type { Snapshot } from './snapshot.js';

export function explainRoundRobin(s: Snapshot): ExplainReport {
  const used = s.nodes.map(() => tally());
  for (const b of s.bound) addInto(used[b.node], b.pod.requests);
  const tolerations = s.pending.placement.tolerations ?? [];
  // Snapshot nodes are Ready (the format has no status); `unschedulable` is the snapshot's.
  const why = s.nodes.map((n, i) => roundRobinRejection({ ...n, status: 'Ready' }, tolerations, s.pending.requests, used[i]));
  const byName = s.nodes.map((_, i) => i).sort((a, b) => (s.nodes[a].name < s.nodes[b].name ? -1 : 1));
  const chosen = byName.find((i) => why[i] === undefined);
  return {
    pending: s.pending.name,
    profile: ROUND_ROBIN,
    chosen: chosen === undefined ? null : s.nodes[chosen].name,
    weights: {},
    nodes: s.nodes.map((n, i) => ({
      name: n.name,
      feasible: why[i] === undefined,
      reasons: why[i] === undefined ? [] : [why[i]],
      filters: { [ROUND_ROBIN]: why[i] ?? 'ok' },
      // The seed's scheduler has no status codes; a rejection reads as kube's plain Unschedulable.
      codes: { [ROUND_ROBIN]: why[i] === undefined ? ('Success' as const) : ('Unschedulable' as const) },
      code: why[i] === undefined ? ('Success' as const) : ('Unschedulable' as const),
      scores: {},
      total: null,
    })),
    note: 'cursor at the first node by name (a snapshot has no history)',
  };
}
