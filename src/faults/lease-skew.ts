import { duration, obj, req } from '../core/fields.js';
import type { Millis } from '../core/types.js';
import { defineFault, seconds } from './fault-definition.js';

/** The store expires leases `skew` early for `duration` (its clock runs ahead of the replicas'). */
export interface LeaseSkew {
  readonly kind: 'leaseSkew';
  readonly skewMs: Millis;
  readonly duration: Millis;
}

/**
 * Lease-expiry skew: the store's clock runs ahead, so a lease expires `skew` before its holder
 * expects. Within the leader's safety margin nothing changes; beyond it, a leader can be deposed
 * while it still believes it leads — fencing must refuse its writes.
 */
export const leaseSkew = defineFault({
  kind: 'leaseSkew',
  summary: 'the store expires leases skew early for duration (its clock runs ahead of the replicas)',
  schema: obj({ skew: req(duration(true)), duration: req(duration(true)) }),
  load: (b): LeaseSkew => ({ kind: 'leaseSkew', skewMs: b.skew, duration: b.duration }),
  targeting: 'control-plane',
  inject(f, _nodes, ctx) {
    const applied = ctx.target.skewLeases(f.skewMs, f.duration);
    ctx.recorder.record('fault.lease_skew', { skewMs: f.skewMs, duration: f.duration, applied });
    if (applied) ctx.clock.setTimer(f.duration, () => ctx.recorder.record('fault.lease_skew_end', {}));
  },
  backends: ['sim'],
  needs: 'replicas',
  fuzz: (d) => ({ skew: `${(1 + (d.p % 5)) * 1000}ms`, duration: seconds(d.durationS) }),
});
