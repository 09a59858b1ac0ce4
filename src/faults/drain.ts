import { bool, duration, obj, opt, req } from '../core/fields.js';
import type { Millis } from '../core/types.js';
import { defineFault, seconds, targetFields, type NodeTarget } from './fault-definition.js';
import type { FaultContext } from './fault-target.js';

/** Maintenance: the node is cordoned, its instances are evicted, and it is uncordoned after `duration`. */
export interface Drain extends NodeTarget {
  readonly kind: 'drain';
  readonly duration: Millis;
  /** Evict past PodDisruptionBudgets (kubectl drain --disable-eviction). */
  readonly ignoreBudgets?: boolean;
}

/** How often a drain retries the evictions a budget refused (kubectl drain waits 5 s). */
export const DRAIN_RETRY_MS = 5_000;

/**
 * Drain for maintenance, as `kubectl drain` does it: the node is cordoned (no new instances),
 * its instances are evicted through the control plane (stopped, their slots refilled elsewhere);
 * an eviction a PodDisruptionBudget refuses is retried every 5 s until the node is empty or
 * `duration` ends, when the node is uncordoned.
 */
export const drain = defineFault({
  kind: 'drain',
  summary: 'the node is cordoned, its instances evicted (through PodDisruptionBudgets, retried every 5 s), and it is uncordoned after duration',
  schema: obj({ ...targetFields, duration: req(duration(true)), ignoreBudgets: opt(bool) }),
  load: (b, ctx): Drain => ({
    kind: 'drain',
    ...ctx.target(b),
    duration: b.duration,
    ...(b.ignoreBudgets === true ? { ignoreBudgets: true } : {}),
  }),
  targeting: 'node',
  inject(f, nodes, ctx) {
    for (const node of nodes) {
      const cordoned = ctx.target.cordonNode(node, true);
      const first = ctx.target.evictNode(node, f.ignoreBudgets === true);
      ctx.recorder.record('fault.drain', { node, cordoned, evicted: first.evicted, duration: f.duration });
      const end = ctx.clock.now() + f.duration;
      let remaining = first.blocked.length;
      if (remaining > 0) retryBlocked(node, first.blocked, end, ctx, (n) => (remaining = n));
      ctx.clock.setTimer(f.duration, () => {
        if (remaining > 0) ctx.recorder.record('drain.timeout', { node, remaining });
        const uncordoned = ctx.target.cordonNode(node, false);
        ctx.recorder.record('fault.uncordon', { node, applied: uncordoned });
      });
    }
  },
  backends: ['sim'],
  fuzz: (d) => ({ ...d.target, duration: seconds(d.durationS) }),
});

/**
 * Records each refused instance once, then asks again every DRAIN_RETRY_MS until nothing is
 * refused (`drain.done`) or the next try would fall at or after the drain's end (the uncordon
 * timer then reports `drain.timeout` with what `left` last heard).
 */
function retryBlocked(
  node: string,
  blocked: readonly { readonly instance: string; readonly reason: string }[],
  end: number,
  ctx: FaultContext,
  left: (remaining: number) => void,
): void {
  const reported = new Set<string>();
  const report = (list: typeof blocked) => {
    for (const b of list) {
      if (reported.has(b.instance)) continue;
      reported.add(b.instance);
      ctx.recorder.record('drain.blocked', { node, instance: b.instance, reason: b.reason });
    }
  };
  report(blocked);
  let retries = 0;
  const again = () => {
    if (ctx.clock.now() + DRAIN_RETRY_MS >= end) return;
    ctx.clock.setTimer(DRAIN_RETRY_MS, () => {
      retries++;
      const r = ctx.target.evictNode(node, false);
      left(r.blocked.length);
      if (r.blocked.length === 0) {
        ctx.recorder.record('drain.done', { node, retries });
        return;
      }
      report(r.blocked);
      again();
    });
  };
  again();
}
