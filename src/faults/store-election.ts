import { duration, obj, opt, req } from '../core/fields.js';
import type { Millis } from '../core/types.js';
import { defineFault } from './fault-definition.js';

/** The store loses its raft leader and elects another for `duration`. */
export interface StoreElection {
  readonly kind: 'storeElection';
  readonly duration: Millis;
  /** How long the members take to notice (etcd's election timeout); default the smaller of duration and 1 s. */
  readonly noticeMs?: Millis;
}

/**
 * etcd's raft leader lost (the member that led killed): nothing commits and no lease expires
 * until another is elected. A request that reaches a member before it noticed waits for the new
 * leader; later ones are refused at once ("no leader"); the new leader renews every lease. Killing
 * etcd's raft leader costs 2–3.5 s on a 2-core machine (docs/ha.md): the control plane's leader must
 * ride through that without stepping down, and must never act on a lease it cannot confirm.
 */
export const storeElection = defineFault({
  kind: 'storeElection',
  summary: "the store loses its raft leader and elects another for duration (requests wait or are refused with 'no leader'; no lease expires)",
  schema: obj({ duration: req(duration(true)), notice: opt(duration(true)) }),
  load: (b): StoreElection => ({ kind: 'storeElection', duration: b.duration, ...(b.notice !== undefined ? { noticeMs: b.notice } : {}) }),
  targeting: 'control-plane',
  inject(f, _nodes, ctx) {
    const applied = ctx.target.electStore(f.duration, f.noticeMs);
    ctx.recorder.record('fault.store_election', { duration: f.duration, applied });
    if (applied) ctx.clock.setTimer(f.duration, () => ctx.recorder.record('fault.store_election_end', {}));
  },
  backends: ['sim'],
  needs: 'replicas',
  // etcd's elections on this machine: 2.0–3.4 s after the kill (bench ha --member-kills); drawn
  // 1.5–4 s, around the part of the lease a leader's deadline leaves (ttl − ttl/5 − keep-alive).
  fuzz: (d) => ({ duration: `${1500 + 25 * d.p}ms` }),
});
