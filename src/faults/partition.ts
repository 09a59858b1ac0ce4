import type { Fault } from '../scenario/types.js';
import type { FaultContext } from './fault-target.js';

type Partition = Extract<Fault, { kind: 'partition' }>;

/**
 * Partition (the gray failure): the nodes are cut off from the control plane for `duration`
 * while their containers keep running. Heartbeats stop arriving, so the control plane marks them
 * NotReady and replaces their instances elsewhere; when the partition heals the stale copies must
 * be stopped. `direction` makes it one-way: `toControlPlane` loses only what the node sends
 * (heartbeats, status reports, answers), `fromControlPlane` only what it receives (requests).
 */
export function injectPartition(f: Partition, nodes: readonly string[], ctx: FaultContext): void {
  const cut = nodes.filter((n) => ctx.target.partitionNode(n, f.direction, 1));
  ctx.recorder.record('fault.partition', { nodes: cut, direction: f.direction, duration: f.duration });
  ctx.clock.setTimer(f.duration, () => {
    for (const n of cut) ctx.target.partitionNode(n, f.direction, -1);
    ctx.recorder.record('fault.partition_heal', { nodes: cut });
  });
}
