/**
 * Deliberately broken parts of the replicated control plane (issue #14), to prove the explorer
 * finds them: each is a realistic mistake; none is used outside tests.
 */
import type { Variant } from '../../src/fuzz/run-case.js';
import { Election, type ElectionConfig, type ElectionDeps } from '../../src/store/election.js';
import type { LeaseId } from '../../src/store/kv.js';

/**
 * Treats an expired lease as renewable: instead of stepping down, the leader grants a fresh lease,
 * writes its leader key again unconditionally and carries on under the key's create revision —
 * over a successor that may have won meanwhile.
 */
export class RenewsExpiredLease extends Election {
  constructor(deps: ElectionDeps, config: ElectionConfig) {
    super(deps, config);
  }
  protected override leaseExpired(lease: LeaseId): void {
    const term = this.term();
    if (!term || term.lease !== lease) return super.leaseExpired(lease);
    const sent = this.clock.now();
    void this.kv
      .leaseGrant(this.ttlMs / 1000)
      .then(async (fresh) => {
        const r = await this.kv.txn({ compare: [], success: [{ type: 'put', key: this.key, value: this.candidate, lease: fresh }, { type: 'get', key: this.key }] });
        if (this.term() !== term) return;
        this.lease = fresh;
        // "The same term, renewed": the term object everyone holds now carries the new token.
        Object.assign(term as { lease: LeaseId; revision: number }, { lease: fresh, revision: r.reads[0]?.createRevision ?? term.revision });
        this.leaseDeadline = Math.max(this.leaseDeadline, sent + this.ttlMs - this.safetyMarginMs);
      })
      .catch(() => {});
  }
}

export const PLANTED_HA: Readonly<Record<string, Variant>> = {
  'fencing-off': { replicas: { fencing: false } },
  'renews-expired-lease': { replicas: { election: (deps, config) => new RenewsExpiredLease(deps, config) } },
  'stale-view-after-re-election': { replicas: { staleView: true } },
};
