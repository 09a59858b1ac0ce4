/**
 * Deliberately broken control-plane parts, to prove the explorer finds bugs. Each is a small,
 * realistic mistake; none is used outside tests.
 */
import type { NodeView, ScheduleDecision, ScheduleRequest, Scheduler } from '../../src/core/interfaces.js';
import { reconcile, type ReconcileInput, type ReconcileResult } from '../../src/core/reconciler.js';
import type { Variant } from '../../src/fuzz/run-case.js';

/** A scheduler plugin that forgets the capacity filter: any Ready, schedulable node will do. */
export class IgnoresCapacityScheduler implements Scheduler {
  readonly name = 'ignores-capacity';
  private next = 0;
  schedule(request: ScheduleRequest, nodes: readonly NodeView[]): ScheduleDecision[] {
    const ready = nodes.filter((v) => v.node.status === 'Ready' && !v.node.unschedulable);
    return Array.from({ length: request.count }, (): ScheduleDecision => {
      if (ready.length === 0) return { kind: 'unschedulable', message: 'no ready node', reasons: {} };
      const v = ready[this.next++ % ready.length];
      return { kind: 'assign', nodeId: v.node.id, nodeName: v.node.name };
    });
  }
}

/** Forgets to stop stale copies: no eviction of lost instances, no stopping of duplicates. */
export function forgetsStaleCopies(input: ReconcileInput): ReconcileResult {
  const r = reconcile(input);
  return { ...r, actions: r.actions.filter((a) => !(a.type === 'stop' && (a.reason === 'duplicate' || a.reason === 'evicted'))) };
}

/** Never backs off a crash loop: a failed slot is refilled at once. */
export function neverBacksOff(input: ReconcileInput): ReconcileResult {
  return reconcile({ ...input, config: { ...input.config, backoffInitialMs: 0 } });
}

export const PLANTED: Readonly<Record<string, Variant>> = {
  'ignores-capacity': { scheduler: () => new IgnoresCapacityScheduler() },
  'forgets-stale-copies': { reconcile: forgetsStaleCopies },
  'never-backs-off': { reconcile: neverBacksOff },
};
