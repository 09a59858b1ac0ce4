import { duration, obj, req } from '../core/fields.js';
import type { Millis } from '../core/types.js';
import { defineFault, seconds, targetFields, type NodeTarget } from './fault-definition.js';

/** Nothing on the node progresses (agent, containers, heartbeats) for `duration`, then it resumes. */
export interface NodeFreeze extends NodeTarget {
  readonly kind: 'nodeFreeze';
  readonly duration: Millis;
}

/**
 * Node freeze: nothing on the node progresses for `duration` (no heartbeats, no answers, no
 * container transitions; requests that arrive wait), then everything it deferred runs at once.
 */
export const nodeFreeze = defineFault({
  kind: 'nodeFreeze',
  summary: 'nothing on the node progresses for duration, then it resumes',
  schema: obj({ ...targetFields, duration: req(duration(true)) }),
  load: (b, ctx): NodeFreeze => ({ kind: 'nodeFreeze', ...ctx.target(b), duration: b.duration }),
  targeting: 'node',
  inject(f, nodes, ctx) {
    for (const node of nodes) {
      const applied = ctx.target.freezeNode(node, 1);
      ctx.recorder.record('fault.node_freeze', { node, duration: f.duration, applied });
      if (!applied) continue;
      ctx.clock.setTimer(f.duration, () => {
        ctx.target.freezeNode(node, -1);
        ctx.recorder.record('fault.node_resume', { node });
      });
    }
  },
  backends: ['sim'],
  fuzz: (d) => ({ ...d.target, duration: seconds(d.durationS) }),
});
