/**
 * Leader election on a ConsistentKv (issue #14), the same code live (etcd) and in simulation
 * (backends/sim/sim-kv.ts). Deterministic: time comes only from the Clock.
 *
 * ## Protocol
 *
 * - **Campaign.** Grant a lease of `ttlSeconds`; `txn(create(key) = 0 → put key=candidate with the
 *   lease; else get key)`. Won: the term is `{candidate, lease, revision}` where `revision` is the
 *   leader key's create revision — the fencing token (src/store/fencing.ts). Lost: watch the key
 *   and try again when it is deleted (or after `retryMs`, in case the watch broke). The lease is
 *   kept alive while waiting, so a win needs no new grant.
 * - **Keep-alive** every `keepAliveMs` (default ttl/10) on the Clock while leading; a campaigner
 *   keeps its lease alive every ttl/3 (or `keepAliveMs` if longer). The leader's deadline counts from
 *   its last confirmed keep-alive's send time, so its period is taken out of any store outage it
 *   rides through: etcd electing a new raft leader takes 2–3.5 s here, and at TTL 5 s a ttl/3
 *   period left as little as 2.3 s of it (docs/ha.md). A leader whose keep-alive fails
 *   as unavailable (etcd electing a new raft leader answers "no leader" at once) sends the next one
 *   after `keepAliveRetryMs` (default ttl/20), not a whole period later: the first keep-alive the
 *   store answers again moves the local deadline, so an outage shorter than the deadline's slack
 *   does not depose the leader.
 * - **Loss detection** — the leader steps down (listeners get `onDeposed` once, with the reason) when:
 *   `lease-expired` — a keep-alive answers LeaseExpiredError;
 *   `key-changed` — the watch on the key shows it deleted or rewritten (or a re-read after a broken
 *   watch finds another create revision);
 *   `deadline` — the local lease deadline passed: the send time of the last keep-alive that
 *   succeeded + ttl − `safetyMarginMs`. The store counts the TTL from when the keep-alive *arrived*,
 *   later than it was sent, so without clock skew the old leader stops acting before the store can
 *   expire its lease and elect another (the margin absorbs skew between the two clocks);
 *   `fenced` — a fenced write was refused because the key's create revision changed
 *   (reported by the caller through `deposed`);
 *   `resigned` — `resign()`.
 * - After stepping down the lease is revoked (best effort) so the next leader need not wait out
 *   the TTL, and the election is idle until `campaign()` is called again.
 */
import type { Clock } from '../core/interfaces.js';
import { LeaseExpiredError, type ConsistentKv, type KvEvent, type LeaseId } from './kv.js';

/** One leadership: who, on which lease, and the leader key's create revision (the fencing token). */
export interface Term {
  readonly candidate: string;
  readonly lease: LeaseId;
  /** The leader key's create revision when this candidate won it: every fenced write compares it. */
  readonly revision: number;
}

export type StepDownReason = 'lease-expired' | 'key-changed' | 'deadline' | 'fenced' | 'resigned';

export interface ElectionConfig {
  /** The leader key, e.g. `/slipway/v1/leader`. */
  readonly key: string;
  /** This replica's name (the key's value while it leads). */
  readonly candidate: string;
  /** Lease TTL in seconds (default 10). */
  readonly ttlSeconds?: number;
  /** The leader's keep-alive period (default ttl/10; a campaigner's is the longer of this and ttl/3). */
  readonly keepAliveMs?: number;
  /** After a leader's keep-alive failed as unavailable, the next one goes this soon (default ttl/20, at most keepAliveMs). */
  readonly keepAliveRetryMs?: number;
  /** Step down this long before the lease could expire by the local clock (default ttl/5). */
  readonly safetyMarginMs?: number;
  /** Pause between campaign attempts and after a store error (default ttl/3). */
  readonly retryMs?: number;
}

export interface ElectionDeps {
  readonly kv: ConsistentKv;
  readonly clock: Clock;
}

export interface ElectionListener {
  /** This candidate won `term`. */
  onElected?(term: Term): void;
  /** This candidate lost `term` (called once per term, before the lease is revoked). */
  onDeposed?(term: Term, reason: StepDownReason, detail: string): void;
}

type State = 'idle' | 'campaigning' | 'leader';

export class Election {
  readonly key: string;
  readonly candidate: string;
  readonly ttlMs: number;
  readonly keepAliveMs: number;
  /** A campaigner's keep-alive period: its lease's deadline matters only once it wins, and it confirms the lease then. */
  readonly campaignKeepAliveMs: number;
  readonly keepAliveRetryMs: number;
  readonly safetyMarginMs: number;
  readonly retryMs: number;
  protected readonly kv: ConsistentKv;
  protected readonly clock: Clock;
  private state: State = 'idle';
  /** The lease held (campaigning or leading). Protected for planted-bug variants in tests. */
  protected lease: LeaseId | undefined;
  /** Local lease deadline on the Clock while leading. */
  protected leaseDeadline = -Infinity;
  protected currentTerm: Term | undefined;
  /** Bumped on every state change: stale callbacks of an earlier round see a different epoch. */
  private epoch = 0;
  private readonly cancels: Array<() => void> = [];
  private readonly listeners: ElectionListener[] = [];
  private wake: (() => void) | undefined;

  constructor(deps: ElectionDeps, config: ElectionConfig) {
    this.kv = deps.kv;
    this.clock = deps.clock;
    this.key = config.key;
    this.candidate = config.candidate;
    const ttl = config.ttlSeconds ?? 10;
    if (!(ttl > 0)) throw new RangeError(`election ttlSeconds must be > 0, got ${ttl}`);
    this.ttlMs = ttl * 1000;
    this.keepAliveMs = config.keepAliveMs ?? Math.max(1, Math.floor(this.ttlMs / 10));
    this.campaignKeepAliveMs = Math.max(this.keepAliveMs, Math.floor(this.ttlMs / 3));
    this.keepAliveRetryMs = Math.min(this.keepAliveMs, config.keepAliveRetryMs ?? Math.max(1, Math.floor(this.ttlMs / 20)));
    this.safetyMarginMs = config.safetyMarginMs ?? Math.floor(this.ttlMs / 5);
    this.retryMs = config.retryMs ?? Math.max(this.keepAliveMs, Math.floor(this.ttlMs / 3));
    if (this.safetyMarginMs >= this.ttlMs) throw new RangeError(`election safetyMarginMs (${this.safetyMarginMs}) must be below the TTL (${this.ttlMs}ms)`);
  }

  listen(l: ElectionListener): () => void {
    this.listeners.push(l);
    return () => {
      const i = this.listeners.indexOf(l);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** The term this candidate holds now (undefined when not leading). */
  term(): Term | undefined {
    return this.state === 'leader' ? this.currentTerm : undefined;
  }

  /**
   * Whether this candidate may act as leader right now: it holds a term and the local lease
   * deadline has not passed. Callers check it right before every action on the cluster.
   */
  isLeader(): boolean {
    if (this.state !== 'leader') return false;
    if (this.clock.now() >= this.leaseDeadline) {
      this.stepDown('deadline', `local lease deadline ${this.leaseDeadline}ms passed`);
      return false;
    }
    return true;
  }

  /** The local lease deadline (ms on the Clock) while leading. */
  deadline(): number {
    return this.leaseDeadline;
  }

  /**
   * Campaigns until this candidate leads; resolves with the term (or undefined when `stop`/`resign`
   * ended the campaign). Store errors are retried after `retryMs`.
   */
  async campaign(): Promise<Term | undefined> {
    if (this.state === 'leader') return this.currentTerm;
    if (this.state === 'campaigning') throw new Error(`${this.candidate} is already campaigning`);
    this.state = 'campaigning';
    const epoch = ++this.epoch;
    while (this.epoch === epoch) {
      try {
        const won = await this.attempt(epoch);
        if (won) return won;
      } catch (e) {
        if (this.epoch !== epoch) break;
        if (e instanceof LeaseExpiredError) this.lease = undefined;
        // Unreachable store, or a lease gone before it was used: wait retryMs and try again. Not
        // through the vacancy watch: it starts at the revision of the last failed attempt, so a
        // deletion since then (an old leader's expiry) would end the wait at once, and a lease
        // that keeps expiring (a store whose lease clock runs fast) turned into a campaign loop
        // granting leases as fast as the store answered (76,000 in one simulated half hour).
        await this.waitForVacancy(epoch, false);
        continue;
      }
      if (this.epoch !== epoch) break;
      await this.waitForVacancy(epoch);
    }
    return undefined;
  }

  /** Steps down (if leading) and revokes the lease, so another candidate can win at once. */
  async resign(): Promise<void> {
    if (this.state === 'leader') this.stepDown('resigned', 'resigned');
    else this.reset();
    await this.revoke();
  }

  /** Stops everything without touching the store (a crashed process: the lease expires on its own). */
  stop(): void {
    this.reset();
    this.currentTerm = undefined;
    this.lease = undefined;
  }

  /**
   * The caller learnt it is no longer leader (a fenced write was refused): step down. Ignored when
   * `term` is not the current term.
   */
  deposed(term: Term, reason: StepDownReason, detail: string): void {
    if (this.state === 'leader' && this.currentTerm === term) this.stepDown(reason, detail);
  }

  // -------------------------------------------------------------------------------------------

  private async attempt(epoch: number): Promise<Term | undefined> {
    if (this.lease === undefined) {
      const sent = this.clock.now();
      const lease = await this.kv.leaseGrant(this.ttlMs / 1000);
      if (this.epoch !== epoch) {
        void this.kv.leaseRevoke(lease).catch(() => {});
        return undefined;
      }
      this.lease = lease;
      this.leaseDeadline = sent + this.ttlMs - this.safetyMarginMs;
      this.startKeepAlive(epoch, this.campaignKeepAliveMs);
    }
    const lease = this.lease;
    const sent = this.clock.now();
    const r = await this.kv.txn({
      compare: [{ key: this.key, target: 'create', op: '=', value: 0 }],
      success: [{ type: 'put', key: this.key, value: this.candidate, lease }, { type: 'get', key: this.key }],
      failure: [{ type: 'get', key: this.key }],
    });
    if (this.epoch !== epoch) return undefined;
    const entry = r.reads[0];
    // A key we wrote earlier with this same lease (an answer lost on the way back) is ours too.
    if (!entry || entry.lease !== lease || entry.value !== this.candidate) {
      this.waitFrom = r.revision + 1;
      return undefined;
    }
    const term: Term = { candidate: this.candidate, lease, revision: entry.createRevision };
    // The lease was alive when the txn arrived, so it lasts at least until sent + ttl.
    this.leaseDeadline = Math.max(this.leaseDeadline, sent + this.ttlMs - this.safetyMarginMs);
    this.state = 'leader';
    this.currentTerm = term;
    const lead = ++this.epoch;
    // Confirm the lease at once: the deadline so far counts from the campaign's request, which a
    // slow store may have sent long ago.
    this.startKeepAlive(lead, this.keepAliveMs, true);
    this.watchKey(lead, term, r.revision + 1);
    this.armDeadline(lead);
    for (const l of [...this.listeners]) l.onElected?.(term);
    return term;
  }

  private waitFrom = 0;

  /** Waits until the leader key is deleted (watch, unless `watch` is false) or `retryMs` passes, whichever is first. */
  private waitForVacancy(epoch: number, watch = true): Promise<void> {
    return new Promise<void>((resolve) => {
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        cancelTimer();
        stopWatch();
        this.wake = undefined;
        resolve();
      };
      this.wake = finish;
      const cancelTimer = this.clock.setTimer(this.retryMs, finish);
      const stopWatch =
        watch && this.waitFrom > 0
          ? this.kv.watch(this.key, this.waitFrom, {
              onEvents: (events) => {
                if (events.some((e) => e.key === this.key && e.type === 'delete')) finish();
              },
              onError: () => {},
            })
          : () => {};
      if (this.epoch !== epoch) finish();
    });
  }

  /**
   * Keeps the lease alive every `period`; with `now`, the first keep-alive goes at once. While
   * leading, a keep-alive that failed as unavailable is followed by another after
   * `keepAliveRetryMs` (one retry pending at a time; the periodic ones go on meanwhile).
   */
  private startKeepAlive(epoch: number, period: number, now = false): void {
    let cancelTick: (() => void) | undefined;
    let cancelRetry: (() => void) | undefined;
    const send = () => {
      if (this.epoch !== epoch || this.lease === undefined) return;
      const lease = this.lease;
      const sent = this.clock.now();
      this.kv.leaseKeepAlive(lease).then(
        (ttl) => {
          if (this.lease !== lease) return;
          this.leaseDeadline = Math.max(this.leaseDeadline, sent + ttl * 1000 - this.safetyMarginMs);
          if (this.state === 'leader') this.armDeadline(this.epoch);
        },
        (e: unknown) => {
          if (this.lease !== lease) return;
          if (e instanceof LeaseExpiredError) return this.leaseExpired(lease);
          // Unreachable: try again soon; the local deadline decides.
          if (this.epoch === epoch && this.state === 'leader' && !cancelRetry)
            cancelRetry = this.clock.setTimer(this.keepAliveRetryMs, () => {
              cancelRetry = undefined;
              send();
            });
        },
      );
    };
    const tick = () => {
      if (this.epoch !== epoch || this.lease === undefined) return;
      send();
      cancelTick = this.clock.setTimer(period, tick);
    };
    // One entry in `cancels` for the whole loop (it used to gain one per period while leading).
    this.cancels.push(() => {
      cancelTick?.();
      cancelRetry?.();
    });
    if (now) tick();
    else cancelTick = this.clock.setTimer(period, tick);
  }

  /**
   * A keep-alive answered that the lease is gone. A lease that expired cannot be renewed: the
   * leader steps down; a campaigner grants a new one on its next attempt.
   */
  protected leaseExpired(lease: LeaseId): void {
    if (this.state === 'leader') this.stepDown('lease-expired', `lease ${lease} expired at the store`);
    else this.lease = undefined;
  }

  private watchKey(epoch: number, term: Term, from: number): void {
    const start = (fromRevision: number) => {
      if (this.epoch !== epoch) return;
      const stop = this.kv.watch(this.key, fromRevision, {
        onEvents: (events: readonly KvEvent[]) => {
          if (this.epoch !== epoch) return;
          const e = events.find((x) => x.key === this.key);
          if (e && (e.type === 'delete' || e.value !== this.candidate)) this.stepDown('key-changed', `leader key ${e.type === 'delete' ? 'deleted' : `taken by ${e.value}`} at revision ${e.modRevision}`);
        },
        onError: () => {
          // Broken or compacted: re-read the key, then watch again from there.
          if (this.epoch !== epoch) return;
          const retry = () => {
            if (this.epoch !== epoch) return;
            this.kv.get(this.key).then(
              (entry) => {
                if (this.epoch !== epoch) return;
                if (!entry || entry.createRevision !== term.revision) {
                  this.stepDown('key-changed', `leader key ${entry ? `re-created at revision ${entry.createRevision}` : 'gone'} (watch re-read)`);
                  return;
                }
                start(entry.modRevision + 1);
              },
              () => this.cancels.push(this.clock.setTimer(this.retryMs, retry)),
            );
          };
          this.cancels.push(this.clock.setTimer(this.retryMs, retry));
        },
      });
      this.cancels.push(stop);
    };
    start(from);
  }

  private cancelDeadline: (() => void) | undefined;

  private armDeadline(epoch: number): void {
    this.cancelDeadline?.();
    const delay = Math.max(0, this.leaseDeadline - this.clock.now());
    this.cancelDeadline = this.clock.setTimer(delay, () => {
      if (this.epoch !== epoch || this.state !== 'leader') return;
      if (this.clock.now() >= this.leaseDeadline) this.stepDown('deadline', `no keep-alive confirmed for ${this.ttlMs - this.safetyMarginMs}ms`);
      else this.armDeadline(epoch);
    });
  }

  private stepDown(reason: StepDownReason, detail: string): void {
    const term = this.currentTerm;
    this.reset();
    if (term) for (const l of [...this.listeners]) l.onDeposed?.(term, reason, detail);
    if (reason !== 'resigned') void this.revoke();
  }

  private reset(): void {
    this.epoch++;
    this.state = 'idle';
    for (const c of this.cancels.splice(0)) c();
    this.cancelDeadline?.();
    this.cancelDeadline = undefined;
    this.wake?.();
    this.leaseDeadline = -Infinity;
  }

  private async revoke(): Promise<void> {
    const lease = this.lease;
    this.lease = undefined;
    this.currentTerm = undefined;
    if (lease === undefined) return;
    try {
      await this.kv.leaseRevoke(lease);
    } catch {
      // Expired already or unreachable: it expires on its own.
    }
  }
}
