import { duration, obj, req } from '../core/fields.js';
import type { Millis } from '../core/types.js';
import { defineFault, seconds, targetFields, type NodeTarget } from './fault-definition.js';

/** The node's member processes every gossip message `delay` late for `duration` (Lifeguard's slow member). */
export interface SlowNode extends NodeTarget {
  readonly kind: 'slowNode';
  readonly duration: Millis;
  readonly delay: Millis;
}

/**
 * A slow member, Lifeguard's anomaly model of an overloaded process: for `duration`, every gossip
 * message the node's member receives is processed `delay` late, while its timers keep firing on
 * time (so it times out on acks that have in fact arrived, and hears refutations late). Only with
 * gossip membership (`cluster.membership` other than heartbeat); otherwise it is recorded with
 * `applied: false`.
 */
export const slowNode = defineFault({
  kind: 'slowNode',
  summary: "the node's gossip member processes every message delay late for duration (membership only)",
  schema: obj({ ...targetFields, duration: req(duration(true)), delay: req(duration(true)) }),
  load: (b, ctx): SlowNode => ({ kind: 'slowNode', ...ctx.target(b), duration: b.duration, delay: b.delay }),
  targeting: 'node',
  inject(f, nodes, ctx) {
    for (const node of nodes) {
      const end = ctx.target.slowNode(node, f.delay);
      ctx.recorder.record('fault.slow_node', { node, delay: f.delay, duration: f.duration, applied: end !== undefined });
      if (!end) continue;
      ctx.clock.setTimer(f.duration, () => {
        end();
        ctx.recorder.record('fault.slow_node_end', { node });
      });
    }
  },
  backends: ['sim'],
  needs: 'membership',
  fuzz: (d) => ({ ...d.target, duration: seconds(d.durationS), delay: `${1 + (d.p % 20)}s` }),
});
