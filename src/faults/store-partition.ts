import { def, duration, obj, req } from '../core/fields.js';
import type { Millis } from '../core/types.js';
import { defineFault, replicaRef, seconds } from './fault-definition.js';

/** A control-plane replica cannot reach the store for `duration` (it still reaches the nodes). */
export interface StorePartition {
  readonly kind: 'storePartition';
  readonly replica: string;
  readonly duration: Millis;
}

/**
 * Partition between a replica and the store: its requests time out, its watches break. A
 * partitioned leader must stop acting on the cluster before the store can elect another.
 */
export const storePartition = defineFault({
  kind: 'storePartition',
  summary: 'a control-plane replica cannot reach the store for duration (it still reaches the nodes)',
  schema: obj({ replica: def(replicaRef, 'leader'), duration: req(duration(true)) }),
  load: (b): StorePartition => ({ kind: 'storePartition', replica: b.replica, duration: b.duration }),
  targeting: 'control-plane',
  inject(f, _nodes, ctx) {
    const replica = ctx.target.resolveReplica(f.replica);
    const applied = replica !== undefined && ctx.target.partitionReplica(replica, f.duration);
    ctx.recorder.record('fault.store_partition', { replica: replica ?? f.replica, duration: f.duration, applied });
    if (applied) ctx.clock.setTimer(f.duration, () => ctx.recorder.record('fault.store_partition_heal', { replica }));
  },
  backends: ['sim'],
  needs: 'replicas',
  // Half the partitions drawn for a replicated control plane are shorter than its lease: 0.3–0.8 ×
  // TTL, long enough to miss a keep-alive (ttl/3) and the watch's re-read, short enough that the
  // leader's local deadline (ttl − ttl/5) has not passed when it heals. The leader keeps running,
  // and its next keep-alive may reach a store that (with lease skew) already expired its lease and
  // elected another: the case a leader treating an expired lease as renewable gets wrong. Longer
  // partitions outlast the local deadline.
  fuzz: (d) =>
    d.leaseTtlS !== undefined && d.q < 50
      ? { replica: 'leader', duration: `${10 * Math.round(d.leaseTtlS * (30 + 0.5 * d.p))}ms` }
      : { replica: 'leader', duration: seconds(d.durationS) },
});
