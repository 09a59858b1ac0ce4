import { duration, obj, req } from '../core/fields.js';
import type { Millis } from '../core/types.js';
import { defineFault, seconds, targetFields, type NodeTarget } from './fault-definition.js';

/** Maintenance: the node is cordoned, its instances are evicted, and it is uncordoned after `duration`. */
export interface Drain extends NodeTarget {
  readonly kind: 'drain';
  readonly duration: Millis;
}

/**
 * Drain for maintenance: the node is cordoned (no new instances), its instances are evicted
 * through the control plane (stopped, their slots refilled elsewhere), and after `duration` it
 * is uncordoned.
 */
export const drain = defineFault({
  kind: 'drain',
  summary: 'the node is cordoned, its instances evicted, and it is uncordoned after duration',
  schema: obj({ ...targetFields, duration: req(duration(true)) }),
  load: (b, ctx): Drain => ({ kind: 'drain', ...ctx.target(b), duration: b.duration }),
  targeting: 'node',
  inject(f, nodes, ctx) {
    for (const node of nodes) {
      const cordoned = ctx.target.cordonNode(node, true);
      const evicted = ctx.target.evictNode(node);
      ctx.recorder.record('fault.drain', { node, cordoned, evicted, duration: f.duration });
      ctx.clock.setTimer(f.duration, () => {
        const uncordoned = ctx.target.cordonNode(node, false);
        ctx.recorder.record('fault.uncordon', { node, applied: uncordoned });
      });
    }
  },
  backends: ['sim'],
  fuzz: (d) => ({ ...d.target, duration: seconds(d.durationS) }),
});
