/**
 * The simulated consistent store (issue #14): etcd v3's semantics (src/store/kv.ts) on the virtual
 * clock, so the same election and fencing code that runs against etcd runs in simulation.
 *
 * One `SimKvStore` is the store — a single linearizable state machine (the Raft group's committed
 * log, with no member-level detail); each control-plane replica talks to it through its own
 * `client(name)`. A request travels one leg (latency drawn from the engine stream `store.latency`),
 * is applied at the instant it arrives, and its answer travels back another leg. While a client is
 * cut off (partition, the store unavailable) a request fails with StoreUnavailableError after
 * `requestTimeoutMs`; an answer lost on its way back fails the same way although the write was
 * applied — the client cannot tell, as with a real etcd.
 *
 * `elect` is etcd losing its raft leader (the member that led killed): for the election's length
 * no write commits and no lease expires. A request that reaches the store in its first part (the
 * members have not yet noticed: etcd's election timeout) waits and is served when a leader is
 * elected, or times out; one that arrives later is refused at once with "no leader" (the
 * `hasleader` refusal etcd3 clients ask for). The new leader renews every lease to its full TTL
 * (etcd's lessor `Promote`).
 *
 * Leases expire on the virtual clock (`ttl` after the grant or last keep-alive, minus the
 * lease-expiry skew a fault may set: the store's clock running ahead of the leader's); an expired
 * lease's keys are deleted in one revision. Watches deliver each revision's events in order,
 * from a history that `compact` (or `retainRevisions`) trims: a watch from a compacted revision
 * fails with CompactedError.
 */
import type { Distribution } from '../../src/core/types.js';
import type { RandomStream } from '../../src/engine/random.js';
import type { Simulation } from '../../src/engine/simulation.js';
import {
  CompactedError,
  LeaseExpiredError,
  StoreUnavailableError,
  type ConsistentKv,
  type KvCompare,
  type KvEntry,
  type KvEvent,
  type KvOp,
  type KvRange,
  type KvTxn,
  type KvTxnResult,
  type KvWatchHandlers,
  type LeaseId,
} from '../../src/store/kv.js';

export interface SimKvConfig {
  /** One leg of a request (there, or back), per request. Default 1 ms. */
  readonly latency?: Distribution;
  /** How long a client waits for an answer before StoreUnavailableError (ms). Default 2000. */
  readonly requestTimeoutMs?: number;
  /** The shortest lease the store grants (etcd: 1 s... its default minimum TTL is larger; we keep 1). */
  readonly minTtlSeconds?: number;
  /** Keep only this many revisions of watch history (0 = keep all until `compact`). */
  readonly retainRevisions?: number;
}

/** A committed change, as the checks (src/check) see it. */
export interface SimKvCommit {
  readonly client: string;
  readonly revision: number;
  /** The transaction that made it (undefined for a lease expiry or revoke). */
  readonly txn?: KvTxn;
  readonly events: readonly KvEvent[];
  /** The leader-key entry as it was before this commit, for fencing checks. */
  readonly before: (key: string) => KvEntry | undefined;
}

interface Lease {
  readonly id: LeaseId;
  readonly ttlMs: number;
  expiresAt: number;
  readonly keys: Set<string>;
}

interface Watcher {
  readonly client: string;
  readonly prefix: string;
  readonly handlers: KvWatchHandlers;
  live: boolean;
  /** Virtual time of the last delivery scheduled: deliveries never overtake each other. */
  lastAt: number;
}

const DEFAULT_LATENCY: Distribution = { kind: 'constant', ms: 1 };

export class SimKvStore {
  private readonly sim: Simulation;
  private readonly random: RandomStream;
  private readonly latency: Distribution;
  readonly requestTimeoutMs: number;
  private readonly minTtlSeconds: number;
  private readonly retainRevisions: number;
  private rev = 0;
  private compacted = 0;
  private readonly data = new Map<string, KvEntry>();
  private readonly leases = new Map<LeaseId, Lease>();
  private nextLease = 1;
  private history: { revision: number; events: KvEvent[] }[] = [];
  private readonly watchers = new Set<Watcher>();
  private unavailableUntil = -1;
  /** A raft election in progress (`elect`) until this time; requests arriving before `noticeUntil` wait for it. */
  private electingUntil = -1;
  private noticeUntil = -1;
  private readonly cutOff = new Map<string, number>();
  private readonly extraLatency = new Map<string, { ms: number; until: number }>();
  /** Leases expire this many ms before their TTL (lease-expiry skew). */
  private skewMs = 0;
  /** Sees every commit before watchers do (invariant checks). */
  onCommit: ((c: SimKvCommit) => void) | undefined;
  /** Requests answered (for the run summary). */
  readonly stats = { requests: 0, unavailable: 0, commits: 0, leaseExpiries: 0 };

  constructor(sim: Simulation, config: SimKvConfig = {}) {
    this.sim = sim;
    this.random = sim.random.stream('store.latency');
    this.latency = config.latency ?? DEFAULT_LATENCY;
    this.requestTimeoutMs = config.requestTimeoutMs ?? 2000;
    this.minTtlSeconds = config.minTtlSeconds ?? 1;
    this.retainRevisions = config.retainRevisions ?? 0;
  }

  /** A client of the store for one caller (a control-plane replica, a test, the user's API). */
  client(name: string): ConsistentKv {
    return new SimKvClient(this, name);
  }

  // -------------------------------------------------------------------------------------------
  // Ground truth and faults
  // -------------------------------------------------------------------------------------------

  get revision(): number {
    return this.rev;
  }
  get compactRevision(): number {
    return this.compacted;
  }
  entry(key: string): KvEntry | undefined {
    return this.data.get(key);
  }
  /** Leases alive now. */
  get leaseCount(): number {
    return this.leases.size;
  }

  /** Drops watch history up to `revision` (etcd's compaction). */
  compact(revision: number): void {
    const r = Math.min(revision, this.rev);
    if (r <= this.compacted) return;
    this.compacted = r;
    this.history = this.history.filter((h) => h.revision > r);
  }

  /** The whole store answers nobody for `durationMs` (quorum lost). */
  makeUnavailable(durationMs: number): void {
    this.unavailableUntil = Math.max(this.unavailableUntil, this.sim.now() + durationMs);
    this.breakWatches(() => true);
  }

  /**
   * etcd elects a new raft leader for `durationMs` (its leader lost): requests arriving in the
   * first `noticeMs` (default the smaller of the duration and 1 s, etcd's default election
   * timeout) wait until it ends, later ones are refused at once; no lease expires meanwhile, and
   * at the end every lease is renewed to its full TTL.
   */
  elect(durationMs: number, noticeMs = Math.min(durationMs, 1000)): void {
    const now = this.sim.now();
    this.electingUntil = Math.max(this.electingUntil, now + durationMs);
    this.noticeUntil = Math.max(this.noticeUntil, now + Math.min(noticeMs, durationMs));
    const end = this.electingUntil;
    this.sim.at(end, () => this.promote(end));
  }

  private promotedAt = -1;

  /** The election ending at `end` is over: the new leader renews every lease (once; a longer overlapping election waits). */
  private promote(end: number): void {
    if (this.electingUntil !== end || this.promotedAt === end) return;
    this.promotedAt = end;
    for (const l of this.leases.values()) l.expiresAt = Math.max(l.expiresAt, end + l.ttlMs - this.skewMs);
  }

  /** Cuts `client` off the store for `durationMs` (a partition between a replica and etcd). */
  partitionClient(client: string, durationMs: number): void {
    this.cutOff.set(client, Math.max(this.cutOff.get(client) ?? -1, this.sim.now() + durationMs));
    this.breakWatches((w) => w.client === client);
  }

  /** Adds `ms` to every leg of `client`'s requests (or everyone's: `*`) for `durationMs`. */
  slowClient(client: string, ms: number, durationMs: number): void {
    this.extraLatency.set(client, { ms, until: this.sim.now() + durationMs });
  }

  /** Leases expire `ms` early (the store's clock runs ahead of its clients') for `durationMs`. */
  skewLeases(ms: number, durationMs: number): void {
    this.skewMs = ms;
    for (const l of this.leases.values()) {
      l.expiresAt -= ms;
      this.armExpiry(l);
    }
    this.sim.schedule(durationMs, () => {
      this.skewMs = 0;
    });
  }

  /** Whether `client` can reach the store now. */
  reachable(client: string): boolean {
    const now = this.sim.now();
    return now >= this.unavailableUntil && now >= (this.cutOff.get(client) ?? -1);
  }

  // -------------------------------------------------------------------------------------------
  // Requests (called by SimKvClient)
  // -------------------------------------------------------------------------------------------

  private leg(client: string): number {
    const extra = this.extraLatency.get(client) ?? this.extraLatency.get('*');
    const add = extra && extra.until > this.sim.now() ? extra.ms : 0;
    return this.random.duration(this.latency) + add;
  }

  /** Runs `op` at the store after one leg and answers after another, or fails as unreachable. */
  request<T>(client: string, what: string, op: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const sent = this.sim.now();
      const timeout = this.requestTimeoutMs;
      const fail = () => {
        this.stats.unavailable++;
        this.sim.deliver(() => reject(new StoreUnavailableError(`store unreachable from ${client}: ${what} timed out after ${timeout}ms`)));
      };
      const failAtTimeout = () => this.sim.at(Math.max(this.sim.now(), sent + timeout), fail);
      const there = this.leg(client);
      if (there >= timeout) return void this.sim.schedule(timeout, fail);
      const refuse = () => {
        const back = this.leg(client);
        if (this.sim.now() + back >= sent + timeout) return failAtTimeout();
        this.sim.schedule(back, () => {
          if (!this.reachable(client)) return failAtTimeout();
          this.stats.unavailable++;
          this.sim.deliver(() => reject(new StoreUnavailableError(`store has no leader (electing one): ${what} from ${client} refused: etcdserver: no leader`)));
        });
      };
      const arrive = (): void => {
        if (!this.reachable(client)) return failAtTimeout();
        const now = this.sim.now();
        if (now < this.electingUntil) {
          if (now >= this.noticeUntil) return refuse();
          // The member still believes in the lost leader: the request waits for the new one.
          if (this.electingUntil >= sent + timeout) return failAtTimeout();
          return void this.sim.at(this.electingUntil, arrive);
        }
        this.stats.requests++;
        let result: T | undefined;
        let error: unknown;
        try {
          result = op();
        } catch (e) {
          error = e;
        }
        const back = this.leg(client);
        if (this.sim.now() + back >= sent + timeout) return failAtTimeout();
        this.sim.schedule(back, () => {
          if (!this.reachable(client)) return failAtTimeout();
          this.sim.deliver(() => (error !== undefined ? reject(error) : resolve(result as T)));
        });
      };
      this.sim.schedule(there, arrive);
    });
  }

  doGet(key: string): KvEntry | undefined {
    return this.data.get(key);
  }

  doRange(prefix: string): KvRange {
    const entries = [...this.data.values()].filter((e) => e.key.startsWith(prefix)).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return { entries, revision: this.rev };
  }

  doTxn(client: string, txn: KvTxn): KvTxnResult {
    const ok = txn.compare.every((c) => this.compare(c));
    const ops = ok ? txn.success : (txn.failure ?? []);
    // etcd refuses a transaction that writes one key twice, as a caller error.
    const written = ops.filter((op) => op.type !== 'get').map((op) => op.key);
    if (new Set(written).size !== written.length) throw new Error('etcdserver: duplicate key given in txn request');
    // Validate leases first: a put on a missing lease fails the whole transaction (etcd).
    for (const op of ops) if (op.type === 'put' && op.lease !== undefined && !this.leases.has(op.lease)) throw new LeaseExpiredError(`lease ${op.lease} not found`);
    const reads: (KvEntry | undefined)[] = [];
    const events: KvEvent[] = [];
    const before = new Map<string, KvEntry | undefined>();
    const next = this.rev + 1;
    for (const op of ops) this.applyOp(op, next, reads, events, before);
    if (events.length > 0) this.commit(client, events, before, txn);
    return { succeeded: ok, revision: this.rev, reads };
  }

  doLeaseGrant(ttlSeconds: number): LeaseId {
    const ttl = Math.max(this.minTtlSeconds, Math.ceil(ttlSeconds));
    const id = String(this.nextLease++);
    const lease: Lease = { id, ttlMs: ttl * 1000, expiresAt: this.sim.now() + ttl * 1000 - this.skewMs, keys: new Set() };
    this.leases.set(id, lease);
    this.armExpiry(lease);
    return id;
  }

  doKeepAlive(id: LeaseId): number {
    const lease = this.leases.get(id);
    if (!lease) throw new LeaseExpiredError(`lease ${id} has expired or was revoked`);
    lease.expiresAt = this.sim.now() + lease.ttlMs - this.skewMs;
    return lease.ttlMs / 1000;
  }

  doRevoke(client: string, id: LeaseId): void {
    const lease = this.leases.get(id);
    if (lease) this.dropLease(client, lease); // revoking a lease that is gone is not an error (etcd3)
  }

  doWatch(client: string, prefix: string, fromRevision: number, handlers: KvWatchHandlers): () => void {
    const w: Watcher = { client, prefix, handlers, live: true, lastAt: this.sim.now() };
    const stop = () => {
      w.live = false;
      this.watchers.delete(w);
    };
    if (fromRevision > 0 && fromRevision <= this.compacted) {
      const err = new CompactedError(`revision ${fromRevision} has been compacted (compact revision ${this.compacted})`, this.compacted);
      this.send(w, () => {
        w.live = false;
        w.handlers.onError(err);
      });
      return stop;
    }
    this.watchers.add(w);
    // The history is in revision order: start at the first entry at or after `fromRevision` (a
    // binary search; a scan of the whole retained history per watch was 2% of the CPU of the
    // 1,000-node hour with replicas, whose followers re-watch the leader key every few seconds).
    const h = this.history;
    let lo = 0;
    let hi = h.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (h[mid]!.revision < fromRevision) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < h.length; i++) this.push(w, h[i]!.revision, h[i]!.events);
    return stop;
  }

  // -------------------------------------------------------------------------------------------

  private compare(c: KvCompare): boolean {
    const e = this.data.get(c.key);
    switch (c.target) {
      case 'value':
        if (!e) return false;
        return c.op === '=' ? e.value === c.value : e.value !== c.value;
      case 'lease': {
        const l = e?.lease ?? '0';
        return c.op === '=' ? l === c.value : l !== c.value;
      }
      default: {
        const v = !e ? 0 : c.target === 'mod' ? e.modRevision : c.target === 'create' ? e.createRevision : e.version;
        switch (c.op) {
          case '=':
            return v === c.value;
          case '!=':
            return v !== c.value;
          case '<':
            return v < c.value;
          case '>':
            return v > c.value;
        }
      }
    }
  }

  private applyOp(op: KvOp, revision: number, reads: (KvEntry | undefined)[], events: KvEvent[], before: Map<string, KvEntry | undefined>): void {
    const old = this.data.get(op.key);
    if (op.type === 'get') return void reads.push(old);
    if (!before.has(op.key)) before.set(op.key, old);
    if (old?.lease !== undefined) this.leases.get(old.lease)?.keys.delete(op.key);
    if (op.type === 'delete') {
      if (!old) return;
      this.data.delete(op.key);
      events.push({ type: 'delete', key: op.key, modRevision: revision });
      return;
    }
    const entry: KvEntry = {
      key: op.key,
      value: op.value,
      createRevision: old ? old.createRevision : revision,
      modRevision: revision,
      version: old ? old.version + 1 : 1,
      ...(op.lease !== undefined ? { lease: op.lease } : {}),
    };
    if (op.lease !== undefined) this.leases.get(op.lease)!.keys.add(op.key);
    this.data.set(op.key, entry);
    events.push({ type: 'put', key: op.key, value: op.value, modRevision: revision });
  }

  private commit(client: string, events: KvEvent[], before: Map<string, KvEntry | undefined>, txn?: KvTxn): void {
    this.rev++;
    this.stats.commits++;
    if (this.onCommit) {
      const view = (key: string) => (before.has(key) ? before.get(key) : this.data.get(key));
      this.onCommit({ client, revision: this.rev, ...(txn ? { txn } : {}), events, before: view });
    }
    this.history.push({ revision: this.rev, events });
    // Auto-compaction in batches (one filter per `retainRevisions` commits, not one per commit).
    if (this.retainRevisions > 0 && this.history.length > 2 * this.retainRevisions) this.compact(this.rev - this.retainRevisions);
    for (const w of [...this.watchers]) this.push(w, this.rev, events);
  }

  private dropLease(client: string, lease: Lease): void {
    this.leases.delete(lease.id);
    const keys = [...lease.keys].sort();
    if (keys.length === 0) return;
    const revision = this.rev + 1;
    const events: KvEvent[] = [];
    const before = new Map<string, KvEntry | undefined>();
    for (const key of keys) {
      before.set(key, this.data.get(key));
      this.data.delete(key);
      events.push({ type: 'delete', key, modRevision: revision });
    }
    this.commit(client, events, before);
  }

  private armExpiry(lease: Lease): void {
    const check = () => {
      if (this.leases.get(lease.id) !== lease) return;
      if (lease.expiresAt > this.sim.now()) return void this.sim.at(lease.expiresAt, check);
      // No raft leader, no expiry; the new leader renews every lease when elected.
      if (this.sim.now() < this.electingUntil) return void this.sim.at(this.electingUntil, check);
      if (this.sim.now() === this.electingUntil && this.promotedAt !== this.electingUntil) {
        this.promote(this.electingUntil);
        return void this.sim.at(lease.expiresAt, check);
      }
      this.stats.leaseExpiries++;
      this.dropLease('store', lease);
    };
    this.sim.at(Math.max(this.sim.now(), lease.expiresAt), check);
  }

  private push(w: Watcher, revision: number, events: readonly KvEvent[]): void {
    const mine = events.filter((e) => e.key.startsWith(w.prefix));
    if (mine.length === 0) return;
    this.send(w, () => w.handlers.onEvents(mine, revision));
  }

  /** Delivers to a watcher after one leg, in order, unless it was cut off or stopped meanwhile. */
  private send(w: Watcher, fn: () => void): void {
    const at = Math.max(this.sim.now() + this.leg(w.client), w.lastAt);
    w.lastAt = at;
    this.sim.at(at, () => {
      if (w.live) this.sim.deliver(fn);
    });
  }

  private breakWatches(which: (w: Watcher) => boolean): void {
    for (const w of [...this.watchers]) {
      if (!which(w)) continue;
      this.watchers.delete(w);
      const err = new StoreUnavailableError(`watch of ${w.prefix} from ${w.client} lost: store unreachable`);
      const at = Math.max(this.sim.now(), w.lastAt);
      this.sim.at(at, () => {
        if (!w.live) return;
        w.live = false;
        this.sim.deliver(() => w.handlers.onError(err));
      });
    }
  }
}

/** One caller's view of the simulated store: every call is a request with latency and faults. */
class SimKvClient implements ConsistentKv {
  private closed = false;
  private readonly stops = new Set<() => void>();
  constructor(
    private readonly store: SimKvStore,
    readonly name: string,
  ) {}

  private req<T>(what: string, op: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new StoreUnavailableError(`client ${this.name} is closed`));
    return this.store.request(this.name, what, op);
  }

  get(key: string): Promise<KvEntry | undefined> {
    return this.req(`get ${key}`, () => this.store.doGet(key));
  }
  range(prefix: string): Promise<KvRange> {
    return this.req(`range ${prefix}`, () => this.store.doRange(prefix));
  }
  txn(txn: KvTxn): Promise<KvTxnResult> {
    return this.req('txn', () => this.store.doTxn(this.name, txn));
  }
  leaseGrant(ttlSeconds: number): Promise<LeaseId> {
    return this.req('lease grant', () => this.store.doLeaseGrant(ttlSeconds));
  }
  leaseKeepAlive(lease: LeaseId): Promise<number> {
    return this.req(`keep-alive ${lease}`, () => this.store.doKeepAlive(lease));
  }
  leaseRevoke(lease: LeaseId): Promise<void> {
    return this.req(`revoke ${lease}`, () => this.store.doRevoke(this.name, lease));
  }
  watch(prefix: string, fromRevision: number, handlers: KvWatchHandlers): () => void {
    let stop: (() => void) | undefined;
    let stopped = false;
    const cancel = () => {
      stopped = true;
      stop?.();
      this.stops.delete(cancel);
    };
    this.stops.add(cancel);
    // The watch is a request too: it starts after one leg, or fails if the store is out of reach.
    this.req(`watch ${prefix}`, () => {
      if (!stopped) stop = this.store.doWatch(this.name, prefix, fromRevision, handlers);
    }).catch((e: unknown) => {
      if (!stopped) handlers.onError(e instanceof Error ? e : new StoreUnavailableError(String(e)));
    });
    return cancel;
  }
  close(): Promise<void> {
    this.closed = true;
    for (const s of [...this.stops]) s();
    return Promise.resolve();
  }
}
