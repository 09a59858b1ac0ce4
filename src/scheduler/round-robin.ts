/**
 * The seed's SimpleScheduler, made correct: it cycles through the nodes (in name order, starting
 * after the node it used last) and picks the first one that is Ready, schedulable and has room for
 * the request in its allocatable resources. Nodes it skips are counted by reason, so an
 * unschedulable decision says why, kube-scheduler style.
 *
 * It ignores placement (affinity, NoSchedule taints, ...), with one exception: it skips a node
 * with a NoExecute taint the workload does not tolerate, where the instance would be evicted at
 * once (and replaced on the same node, forever).
 */
import type { NodeView, ScheduleDecision, ScheduleRequest, Scheduler } from '../core/interfaces.js';
import type { Toleration } from '../core/placement.js';
import type { Node } from '../core/types.js';
import { addInto, firstShortfall, tally, type ResourceTally, type Resources } from '../core/resources.js';
import { toleratesAny } from '../core/taints.js';
import { unschedulableMessage } from './reasons.js';
import { untoleratedTaintReason } from './plugins/taint-toleration/index.js';

export const ROUND_ROBIN = 'round-robin';

export class RoundRobinScheduler implements Scheduler {
  readonly name = ROUND_ROBIN;
  /** Name of the node that received the last placement; the next search starts after it. */
  private lastNodeName: string | undefined;

  /** The node that received the last placement (the next search starts after it); undefined before the first. */
  get cursor(): string | undefined {
    return this.lastNodeName;
  }

  schedule(request: ScheduleRequest, nodes: readonly NodeView[]): ScheduleDecision[] {
    const decisions: ScheduleDecision[] = [];
    const n = nodes.length;
    // Placements made earlier in this call, per node index.
    const extra = new Map<number, ResourceTally>();
    let start = 0;
    if (this.lastNodeName !== undefined) {
      // nodes are sorted by name: resume after the last used name (binary search keeps it O(log n)).
      let lo = 0;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (nodes[mid].node.name <= this.lastNodeName) lo = mid + 1;
        else hi = mid;
      }
      start = lo % Math.max(n, 1);
    }
    for (let k = 0; k < request.count; k++) {
      const reasons: Record<string, number> = {};
      let chosen = -1;
      for (let step = 0; step < n; step++) {
        const i = (start + step) % n;
        const view = nodes[i];
        const why = rejection(view, request, extra.get(i));
        if (why === undefined) {
          chosen = i;
          break;
        }
        reasons[why] = (reasons[why] ?? 0) + 1;
      }
      if (chosen < 0) {
        decisions.push({ kind: 'unschedulable', message: unschedulableMessage(n, reasons), reasons });
        continue;
      }
      const view = nodes[chosen];
      let t = extra.get(chosen);
      if (!t) extra.set(chosen, (t = tally()));
      addInto(t, request.request);
      decisions.push({ kind: 'assign', nodeId: view.node.id, nodeName: view.node.name });
      this.lastNodeName = view.node.name;
      start = (chosen + 1) % n;
    }
    return decisions;
  }
}

function rejection(view: NodeView, request: ScheduleRequest, extra: ResourceTally | undefined): string | undefined {
  let used: ResourceTally | NodeView['allocated'] = view.allocated;
  if (extra) {
    const t = tally();
    addInto(t, view.allocated);
    addInto(t, extra);
    used = t;
  }
  return roundRobinRejection(view.node, request.workload.placement?.tolerations ?? [], request.request, used);
}

/**
 * Round-robin's feasibility rule, the one place it is written (`slipway explain` shows it too):
 * why the node cannot take an instance requesting `request` with `used` already allocated on
 * it, or undefined when it can. Checked in this order; the first failure is the reason.
 */
export function roundRobinRejection(
  node: Pick<Node, 'status' | 'unschedulable' | 'taints' | 'allocatable'>,
  tolerations: readonly Toleration[],
  request: Resources,
  used: Resources | ResourceTally,
): string | undefined {
  if (node.status !== 'Ready') return 'node(s) were not ready';
  if (node.unschedulable) return 'node(s) were unschedulable';
  for (const t of node.taints) {
    if (t.effect === 'NoExecute' && !toleratesAny(tolerations, t)) return untoleratedTaintReason(t.key, t.value);
  }
  const short = firstShortfall(request, used, node.allocatable);
  return short === undefined ? undefined : `Insufficient ${short}`;
}
