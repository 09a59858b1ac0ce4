import { duration, obj, req } from '../core/fields.js';
import type { Millis } from '../core/types.js';
import { defineFault, seconds, targetFields, type NodeTarget } from './fault-definition.js';

/** The node's clock is `offsetMs` off for `duration`: every timestamp it reports is shifted. */
export interface ClockSkew extends NodeTarget {
  readonly kind: 'clockSkew';
  readonly offsetMs: Millis;
  readonly duration: Millis;
}

/**
 * Clock skew: for `duration`, every timestamp the node reports (container events, start and
 * finish times) is `offsetMs` off. The control plane must judge liveness and back-off by its own
 * clock, so a skewed node must not change its decisions.
 */
export const clockSkew = defineFault({
  kind: 'clockSkew',
  summary: "the node's clock is offset off for duration: every timestamp it reports is shifted",
  schema: obj({ ...targetFields, offset: req(duration()), duration: req(duration(true)) }),
  load: (c, ctx): ClockSkew => ({ kind: 'clockSkew', ...ctx.target(c), offsetMs: c.offset, duration: c.duration }),
  targeting: 'node',
  inject(f, nodes, ctx) {
    const skewed = nodes.filter((n) => ctx.target.skewNode(n, f.offsetMs));
    ctx.recorder.record('fault.clock_skew', { nodes: skewed, offsetMs: f.offsetMs, duration: f.duration });
    ctx.clock.setTimer(f.duration, () => {
      for (const n of skewed) ctx.target.skewNode(n, -f.offsetMs);
      ctx.recorder.record('fault.clock_skew_end', { nodes: skewed });
    });
  },
  backends: ['sim'],
  fuzz: (d) => ({ ...d.target, offset: seconds(1 + d.p * 30), duration: seconds(d.durationS) }),
});
