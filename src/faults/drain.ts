import type { Fault } from '../scenario/types.js';
import type { FaultContext } from './fault-target.js';

type Drain = Extract<Fault, { kind: 'drain' }>;

/**
 * Drain for maintenance: the node is cordoned (no new instances), its instances are evicted
 * through the control plane (stopped, their slots refilled elsewhere), and after `duration` it
 * is uncordoned.
 */
export function injectDrain(f: Drain, nodes: readonly string[], ctx: FaultContext): void {
  for (const node of nodes) {
    const cordoned = ctx.target.cordonNode(node, true);
    const evicted = ctx.target.evictNode(node);
    ctx.recorder.record('fault.drain', { node, cordoned, evicted, duration: f.duration });
    ctx.clock.setTimer(f.duration, () => {
      const uncordoned = ctx.target.cordonNode(node, false);
      ctx.recorder.record('fault.uncordon', { node, applied: uncordoned });
    });
  }
}
