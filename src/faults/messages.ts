import type { Fault } from '../scenario/types.js';
import type { FaultContext } from './fault-target.js';

type Messages = Extract<Fault, { kind: 'messages' }>;

/**
 * Unreliable control messages: for `duration`, each message of `kinds` (heartbeat, status, rpc)
 * to or from the nodes is lost with probability `drop`, delivered twice with probability
 * `duplicate`, and delayed by a draw of `delay` (see backends/sim/sim-network.ts).
 */
export function injectMessages(f: Messages, nodes: readonly string[], ctx: FaultContext): void {
  const end = ctx.target.degradeMessages(nodes, {
    kinds: f.kinds,
    drop: f.drop,
    duplicate: f.duplicate,
    ...(f.delay !== undefined ? { delay: f.delay } : {}),
  });
  ctx.recorder.record('fault.messages', { nodes, kinds: f.kinds, drop: f.drop, duplicate: f.duplicate, duration: f.duration });
  ctx.clock.setTimer(f.duration, () => {
    end();
    ctx.recorder.record('fault.messages_end', { nodes });
  });
}
