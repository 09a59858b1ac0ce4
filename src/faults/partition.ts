import { def, duration, obj, oneOf, req } from '../core/fields.js';
import type { Millis } from '../core/types.js';
import { defineFault, seconds, targetFields, type NodeTarget } from './fault-definition.js';

export const PARTITION_DIRECTIONS = ['both', 'toControlPlane', 'fromControlPlane'] as const;
export type PartitionDirection = (typeof PARTITION_DIRECTIONS)[number];

/**
 * The node is cut off from the control plane for `duration` while its containers keep running
 * (the gray failure). `direction`: both ways, or only messages `toControlPlane` / `fromControlPlane` lost.
 */
export interface Partition extends NodeTarget {
  readonly kind: 'partition';
  readonly duration: Millis;
  readonly direction: PartitionDirection;
}

/**
 * Partition (the gray failure): the nodes are cut off from the control plane for `duration`
 * while their containers keep running. Heartbeats stop arriving, so the control plane marks them
 * NotReady and replaces their instances elsewhere; when the partition heals the stale copies must
 * be stopped. `direction` makes it one-way: `toControlPlane` loses only what the node sends
 * (heartbeats, status reports, answers), `fromControlPlane` only what it receives (requests).
 */
export const partition = defineFault({
  kind: 'partition',
  summary: 'the node is cut off from the control plane for duration while its containers keep running',
  schema: obj({
    ...targetFields,
    duration: req(duration(true)),
    direction: def(oneOf(PARTITION_DIRECTIONS), 'both'),
  }),
  load: (p, ctx): Partition => ({ kind: 'partition', ...ctx.target(p), duration: p.duration, direction: p.direction }),
  targeting: 'node',
  inject(f, nodes, ctx) {
    const cut = nodes.filter((n) => ctx.target.partitionNode(n, f.direction, 1));
    ctx.recorder.record('fault.partition', { nodes: cut, direction: f.direction, duration: f.duration });
    ctx.clock.setTimer(f.duration, () => {
      for (const n of cut) ctx.target.partitionNode(n, f.direction, -1);
      ctx.recorder.record('fault.partition_heal', { nodes: cut });
    });
  },
  backends: ['sim'],
  fuzz: (d) => ({ ...d.target, duration: seconds(d.durationS), direction: PARTITION_DIRECTIONS[d.p % 3] }),
});
