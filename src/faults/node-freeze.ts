import type { Fault } from '../scenario/types.js';
import type { FaultContext } from './fault-target.js';

type NodeFreeze = Extract<Fault, { kind: 'nodeFreeze' }>;

/**
 * Node freeze: nothing on the node progresses for `duration` (no heartbeats, no answers, no
 * container transitions; requests that arrive wait), then everything it deferred runs at once.
 */
export function injectNodeFreeze(f: NodeFreeze, nodes: readonly string[], ctx: FaultContext): void {
  for (const node of nodes) {
    const applied = ctx.target.freezeNode(node, 1);
    ctx.recorder.record('fault.node_freeze', { node, duration: f.duration, applied });
    if (!applied) continue;
    ctx.clock.setTimer(f.duration, () => {
      ctx.target.freezeNode(node, -1);
      ctx.recorder.record('fault.node_resume', { node });
    });
  }
}
