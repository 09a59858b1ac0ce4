/**
 * The daemon's state in a consistent KV (etcd, or the simulated store) for `slipway serve --state
 * etcd://...` — replicas share it; only the leader writes. The keyspace (docs/ha.md):
 *
 *   /slipway/v1/leader                   the election key (value: the leader's URL; on its lease)
 *   /slipway/v1/workloads/NAME           {"workload": Workload, "meta": WorkloadMeta} — desired state
 *   /slipway/v1/instances/ID             Instance — the leader's observed state, for followers' reads
 *   /slipway/v1/nodes/NAME               {"cordoned": true} — nodes cordoned through the API
 *   /slipway/v1/meta/revision-ceiling    the API revision ceiling (hi/lo; a new leader continues above it)
 *   /slipway/v1/node-status/NAME         a node as GET /v1/nodes/NAME shows it — for followers' reads
 *   /slipway/v1/endpoints/NAME           a workload's endpoints (IP:PORT list), when it has any
 *   /slipway/v1/events/REV               a batch of events (JSON array, first revision REV, 16 digits):
 *                                        the event log's tail, bounded, for followers' /v1/events
 *
 * `EtcdServeStore` is the leader's store: the same surface as the file ServeStore (an in-memory
 * StateStore + the API's bookkeeping, `markDirty` / `flush`), committing by group commit. Each commit
 * compares what the state is now with what the store holds (the values and mod revisions it last
 * wrote or read) and writes the difference through the FencedWriter: one transaction per ≤ 100 keys,
 * each conditioned on every key's mod revision AND on the leader key still being the term's.
 * A fenced refusal means this replica was deposed: the waiters get 503 and `onFenced` runs (the
 * replica steps down). A conflict (a key changed under us — an earlier answer lost on the way back)
 * re-reads the keyspace and tries again. An unreachable store leaves the changes dirty and retries.
 *
 * A commit costs O(change), not O(state): what the keyspace should hold (`want`) is kept between
 * commits and only the keys that may have changed are computed again — an instance put or
 * deleted, or named by a control-plane record (`noteRecord`: the Orchestrator changes instances in
 * place and records each change; the records are the change feed), a workload whose object or
 * meta is no longer the one last serialised (both are replaced, never changed in place), the
 * cordons, the ceiling and what the publisher hands over. Rebuilding and serialising every key at
 * each commit took 25–37 ms of the event loop with 1,000 workloads and 10,000 instances. Every
 * FULL_CHECK_MS a commit computes every key again as a backstop and counts in `feedMisses` the keys
 * the feed missed (tests keep it at 0); after a failed commit or a conflict the next one compares
 * every key with what etcd holds.
 */
import { InMemoryStateStore } from '../core/state-store.js';
import type { Instance, Workload, WorkloadId } from '../core/types.js';
import { StoreUnavailableError, type ConsistentKv, type KvEntry } from '../store/kv.js';
import type { Term } from '../store/election.js';
import { FencedWriter, type FencedWrite } from '../store/fencing.js';
import { ApiError } from './control.js';
import type { ServeMeta, WorkloadMeta } from './serve-store.js';

export const KEYSPACE = '/slipway/v1/';
export const LEADER_KEY = `${KEYSPACE}leader`;
const WORKLOADS = `${KEYSPACE}workloads/`;
const INSTANCES = `${KEYSPACE}instances/`;
const NODES = `${KEYSPACE}nodes/`;
const CEILING = `${KEYSPACE}meta/revision-ceiling`;
export const NODE_STATUS = `${KEYSPACE}node-status/`;
export const ENDPOINTS = `${KEYSPACE}endpoints/`;
export const EVENTS = `${KEYSPACE}events/`;
/** The keys the leader's commits own (others under the keyspace are left alone). */
const OWNED = [WORKLOADS, INSTANCES, NODES, CEILING, NODE_STATUS, ENDPOINTS, EVENTS];

/** An event batch's key: its first revision, zero-padded so that key order is revision order. */
export const eventBatchKey = (firstRevision: number): string => EVENTS + String(firstRevision).padStart(16, '0');

/** Writes per transaction (etcd refuses more than --max-txn-ops, default 128, per branch). */
const CHUNK = 100;
/** Bytes of values per transaction (etcd refuses a request over --max-request-bytes, default 1.5 MiB). */
const CHUNK_BYTES = 1_000_000;

/** Consecutive runs of writes with at most CHUNK keys and (but for a lone big value) CHUNK_BYTES. */
function chunksOf(writes: readonly FencedWrite[]): FencedWrite[][] {
  const out: FencedWrite[][] = [];
  let cur: FencedWrite[] = [];
  let bytes = 0;
  for (const w of writes) {
    const size = w.key.length + (w.value?.length ?? 0);
    if (cur.length > 0 && (cur.length >= CHUNK || bytes + size > CHUNK_BYTES)) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(w);
    bytes += size;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}
/** Wait before retrying a commit the store could not take (ms). */
const RETRY_MS = 500;

/** A cordoned node's value. */
const CORDONED = JSON.stringify({ cordoned: true });

/** How often (wall ms) a commit computes every key again instead of only the changed ones. */
export const FULL_CHECK_MS = 10_000;

/**
 * How long one commit keeps asking a store that does not answer before its waiters get 503 (ms).
 * Losing etcd's raft leader leaves the other members without a leader for an election (about a
 * second, more on a loaded machine): a write then is not an outage but a wait. Meanwhile a member
 * that knows it has no leader answers "no leader" at once, and a write that reached a member before
 * it noticed is lost with the dead leader and fails at the client's write deadline (2 s,
 * backends/store/etcd-kv.ts). Without quorum the waiters get 503 after at least three tries and
 * this long.
 */
const UNAVAILABLE_PATIENCE_MS = 6000;

export interface WorkloadRecord {
  readonly workload: Workload;
  readonly meta: WorkloadMeta;
}

/** What the keyspace holds, decoded (a follower's view; a new leader's starting point). */
export interface ClusterState {
  readonly revision: number;
  readonly workloads: ReadonlyMap<string, WorkloadRecord>;
  readonly instances: ReadonlyMap<string, Instance>;
  readonly cordoned: readonly string[];
  readonly ceiling: number;
  /** The leader key's value (the leader's URL), when a leader holds it. */
  readonly leader?: string;
  /** Nodes as the leader last published them (GET /v1/nodes), by name. */
  readonly nodes: ReadonlyMap<string, Record<string, unknown>>;
  /** Workloads' endpoints as the leader last published them (absent: none). */
  readonly endpoints: ReadonlyMap<string, readonly string[]>;
  /** The event log's published tail, oldest first (revisions ascending). */
  readonly events: readonly PublishedEvent[];
}

/** An event as /v1/events shows it (src/serve/events.ts ServeEvent). */
export interface PublishedEvent {
  readonly revision: number;
  readonly type: string;
  readonly time: number;
  readonly wallTime: string;
  readonly data: Readonly<Record<string, unknown>>;
}

/** Decodes keyspace entries; entries that do not parse are skipped (and named in `bad`). */
export function decodeState(entries: Iterable<KvEntry>, revision: number): ClusterState & { bad: string[] } {
  const workloads = new Map<string, WorkloadRecord>();
  const instances = new Map<string, Instance>();
  const cordoned: string[] = [];
  const bad: string[] = [];
  const nodes = new Map<string, Record<string, unknown>>();
  const endpoints = new Map<string, readonly string[]>();
  const batches: Array<{ key: string; events: PublishedEvent[] }> = [];
  let ceiling = 0;
  let leader: string | undefined;
  for (const e of entries) {
    try {
      if (e.key === LEADER_KEY) leader = e.value;
      else if (e.key.startsWith(NODE_STATUS)) nodes.set(e.key.slice(NODE_STATUS.length), JSON.parse(e.value) as Record<string, unknown>);
      else if (e.key.startsWith(ENDPOINTS)) endpoints.set(e.key.slice(ENDPOINTS.length), JSON.parse(e.value) as string[]);
      else if (e.key.startsWith(EVENTS)) batches.push({ key: e.key, events: JSON.parse(e.value) as PublishedEvent[] });
      else if (e.key === CEILING) ceiling = Number(e.value) || 0;
      else if (e.key.startsWith(WORKLOADS)) workloads.set(e.key.slice(WORKLOADS.length), JSON.parse(e.value) as WorkloadRecord);
      else if (e.key.startsWith(INSTANCES)) instances.set(e.key.slice(INSTANCES.length), JSON.parse(e.value) as Instance);
      else if (e.key.startsWith(NODES)) {
        if ((JSON.parse(e.value) as { cordoned?: boolean }).cordoned) cordoned.push(e.key.slice(NODES.length));
      }
    } catch {
      bad.push(e.key);
    }
  }
  batches.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const events = batches.flatMap((b) => b.events);
  return { revision, workloads, instances, cordoned: cordoned.sort(), ceiling, ...(leader !== undefined ? { leader } : {}), nodes, endpoints, events, bad };
}

export interface EtcdServeStoreOptions {
  readonly kv: ConsistentKv;
  readonly term: Term;
  /** The keyspace as read right after winning the election. */
  readonly entries: readonly KvEntry[];
  readonly revision: number;
  /** A fenced write was refused: this replica no longer leads. */
  readonly onFenced: (detail: string) => void;
  /** Where a failed commit attempt is reported (the operator sees why a write waits). */
  readonly log?: (line: string) => void;
  /** How often a commit computes every key again (wall ms); default FULL_CHECK_MS. */
  readonly fullCheckMs?: number;
}

/**
 * What the leader publishes for followers besides its records (node status, endpoints, the event
 * log's tail): key → value under NODE_STATUS, ENDPOINTS and EVENTS, asked for at every commit and
 * written (only what changed) in the same fenced transactions.
 */
export type Publisher = () => ReadonlyMap<string, string>;

export class EtcdServeStore extends InMemoryStateStore {
  readonly meta: ServeMeta = { revisionCeiling: 0, workloads: {}, cordoned: [] };
  lastError: string | undefined;
  private readonly kv: ConsistentKv;
  private readonly writer: FencedWriter;
  private readonly term: Term;
  private readonly onFenced: (detail: string) => void;
  private readonly log: (line: string) => void;
  private readonly fullCheckMs: number;
  /** What the store holds, as far as this replica knows: key → value and mod revision. */
  private readonly held = new Map<string, { value: string; modRevision: number }>();
  private dirty = false;
  private scheduled = false;
  private committing = false;
  /** Settles when the commit in flight ends. */
  private writing: Promise<void> | undefined;
  private fenced = false;
  private conflicts = 0;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private waiters: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  /** Transactions committed (for the bench and tests). */
  commits = 0;
  /** Values serialised by commits (instances and workloads; for the bench and tests). */
  serialized = 0;
  /** Keys a full check found changed that the change feed had not named (tests keep it at 0). */
  feedMisses = 0;
  /** What the keyspace should hold (the leader key aside), as of the last commit's computation. */
  private readonly want = new Map<string, string>();
  /** Keys of `want` set or removed since the last commit started. */
  private readonly changed = new Set<string>();
  /** Instances put, deleted or named by a record since the last commit started. */
  private readonly touched = new Set<string>();
  /** Each workload's object and meta as last serialised. */
  private readonly workloadSeen = new Map<string, { readonly workload: Workload; readonly meta: WorkloadMeta }>();
  /** The cordon keys as of the last commit. */
  private cordoned = new Set<string>();
  /** Keys the publisher set at the last commit. */
  private published = new Set<string>();
  /** The next commit computes every key (the first one; then every FULL_CHECK_MS). */
  private fullCheckAt = 0;
  /** The next commit compares every key of `want` with `held` (the first one; after a failure or a conflict). */
  private diffAll = true;
  /** The follower-read keys to publish with every commit (set once the control plane runs). */
  publisher: Publisher | undefined;
  /** The keyspace as read when this replica won (a new leader keeps the last one's event batches). */
  readonly initial: ReadonlyMap<string, string>;

  constructor(o: EtcdServeStoreOptions) {
    super();
    this.kv = o.kv;
    this.term = o.term;
    this.onFenced = o.onFenced;
    this.log = o.log ?? (() => {});
    this.fullCheckMs = o.fullCheckMs ?? FULL_CHECK_MS;
    this.writer = new FencedWriter(o.kv, LEADER_KEY);
    this.remember(o.entries);
    this.initial = new Map(o.entries.map((e) => [e.key, e.value]));
    const state = decodeState(o.entries, o.revision);
    for (const [name, r] of state.workloads) {
      super.putWorkload(r.workload);
      this.meta.workloads[name] = r.meta;
    }
    // Instances are not loaded: the new leader rebuilds them from the containers (adoption); the
    // first commit replaces the old leader's records with its own.
    this.meta.cordoned = [...state.cordoned];
    this.meta.revisionCeiling = state.ceiling;
  }

  override putWorkload(workload: Workload): void {
    super.putWorkload(workload);
    this.markDirty();
  }

  override deleteWorkload(id: WorkloadId): void {
    super.deleteWorkload(id);
    this.markDirty();
  }

  override putInstance(instance: Instance): void {
    super.putInstance(instance);
    this.touched.add(instance.id);
    this.markDirty();
  }

  override deleteInstance(id: string): void {
    super.deleteInstance(id);
    this.touched.add(id);
    this.markDirty();
  }

  /** A control-plane record: the instance it names may have changed (written with the next commit). */
  noteRecord(fields: Readonly<Record<string, unknown>>): void {
    if (typeof fields.instance === 'string') this.touched.add(fields.instance);
    this.markDirty();
  }

  /** Records a change (written with the next commit). */
  markDirty(): void {
    this.dirty = true;
    if (this.scheduled || this.fenced) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.commit();
    });
  }

  /** The commit in flight, if any (settles when it ends, whether or not it failed): the sim pump lets its answers go out first. */
  inFlight(): Promise<void> | undefined {
    return this.writing;
  }

  /** Resolves once everything changed before the call is in the store; rejects (ApiError 503) when that failed. */
  flush(): Promise<void> {
    if (this.fenced) return Promise.reject(this.deposedError());
    if (!this.dirty && !this.committing) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      if (!this.scheduled && !this.committing) void this.commit();
    });
  }

  /** The file store writes synchronously here; a KV cannot: the change goes with the next commit. */
  saveNow(): void {
    this.markDirty();
  }

  /** Stops retrying (the replica stepped down or is closing). */
  close(): void {
    this.fenced = true;
    if (this.retry) clearTimeout(this.retry);
    for (const w of this.waiters.splice(0)) w.reject(this.deposedError());
  }

  private deposedError(): ApiError {
    return new ApiError(503, 'Service Unavailable', 'this replica no longer leads: retry against the leader (GET /readyz names it)');
  }

  private remember(entries: readonly KvEntry[]): void {
    this.held.clear();
    for (const e of entries) if (OWNED.some((p) => e.key.startsWith(p))) this.held.set(e.key, { value: e.value, modRevision: e.modRevision });
  }

  private setWant(key: string, value: string | undefined): boolean {
    if (value === undefined ? !this.want.delete(key) : this.want.get(key) === value) return false;
    if (value !== undefined) this.want.set(key, value);
    this.changed.add(key);
    return true;
  }

  private instanceValue(id: string): string | undefined {
    const i = this.getInstance(id);
    if (i === undefined) return undefined;
    this.serialized++;
    return JSON.stringify(i);
  }

  /**
   * Brings `want` (the keyspace as this replica's state says it should be) up to date: the
   * instances the feed named, the workloads whose object or meta changed, the cordons, the
   * ceiling and the publisher's keys; with `full`, every instance and workload again (counting in
   * `feedMisses` what the feed had missed).
   */
  private refresh(full: boolean): void {
    const touched = full ? new Set<string>() : this.touched;
    if (full) {
      for (const i of this.listInstances()) touched.add(i.id);
      for (const key of this.want.keys()) if (key.startsWith(INSTANCES)) touched.add(key.slice(INSTANCES.length));
    }
    for (const id of touched) {
      const changed = this.setWant(INSTANCES + id, this.instanceValue(id));
      if (full && changed && !this.touched.has(id) && this.fullCheckAt !== 0) this.feedMisses++;
    }
    this.touched.clear();
    const names = new Set<string>();
    for (const w of this.listWorkloads()) {
      const meta = this.meta.workloads[w.name];
      if (!meta) continue;
      names.add(w.name);
      const seen = this.workloadSeen.get(w.name);
      if (!full && seen?.workload === w && seen.meta === meta) continue;
      this.serialized++;
      const changed = this.setWant(WORKLOADS + w.name, JSON.stringify({ workload: w, meta } satisfies WorkloadRecord));
      if (full && changed && seen?.workload === w && seen.meta === meta && this.fullCheckAt !== 0) this.feedMisses++;
      this.workloadSeen.set(w.name, { workload: w, meta });
    }
    for (const name of this.workloadSeen.keys()) {
      if (names.has(name)) continue;
      this.workloadSeen.delete(name);
      this.setWant(WORKLOADS + name, undefined);
    }
    const cordoned = new Set(this.meta.cordoned.map((n) => NODES + n));
    for (const key of cordoned) this.setWant(key, CORDONED);
    for (const key of this.cordoned) if (!cordoned.has(key)) this.setWant(key, undefined);
    this.cordoned = cordoned;
    this.setWant(CEILING, this.meta.revisionCeiling > 0 ? String(this.meta.revisionCeiling) : undefined);
    const published = new Set<string>();
    const publish = (k: string, v: string) => {
      published.add(k);
      this.setWant(k, v);
    };
    if (this.publisher) for (const [k, v] of this.publisher()) publish(k, v);
    else {
      // Until the control plane publishes, what the last leader published stays.
      for (const [k, v] of this.initial) if (k.startsWith(NODE_STATUS) || k.startsWith(ENDPOINTS) || k.startsWith(EVENTS)) publish(k, v);
    }
    for (const k of this.published) if (!published.has(k)) this.setWant(k, undefined);
    this.published = published;
  }

  /** The writes that make etcd hold `want`: the changed keys, or every key after `diffAll`. */
  private writesFor(changed: Iterable<string>, all: boolean): FencedWrite[] {
    const writes: FencedWrite[] = [];
    const keys = all ? new Set([...this.want.keys(), ...this.held.keys()]) : changed;
    for (const key of keys) {
      const value = this.want.get(key);
      const had = this.held.get(key);
      if (value === undefined) {
        if (had !== undefined) writes.push({ key, expectedModRevision: had.modRevision });
      } else if (had?.value !== value) writes.push({ key, value, expectedModRevision: had?.modRevision ?? 0 });
    }
    return writes;
  }

  private async commit(): Promise<void> {
    if (this.committing || this.fenced) return;
    if (!this.dirty) {
      for (const w of this.waiters.splice(0)) w.resolve();
      return;
    }
    this.committing = true;
    let ended!: () => void;
    this.writing = new Promise<void>((resolve) => (ended = resolve));
    const waiters = this.waiters.splice(0);
    this.dirty = false;
    let failure: unknown;
    let conflicted = false;
    // Everything from here, the diff included, is inside the try: a throw answers these waiters and
    // ends this commit (`committing` cleared) instead of leaving every later one waiting.
    try {
      const now = Date.now();
      const full = now >= this.fullCheckAt;
      this.refresh(full);
      if (full) this.fullCheckAt = now + this.fullCheckMs;
      const writes = this.writesFor(this.changed, this.diffAll);
      this.changed.clear();
      this.diffAll = false;
      for (const chunk of chunksOf(writes)) {
        if (failure !== undefined || conflicted) break;
        // A member that died mid-request (its connection reset) is one failed attempt: the client
        // moves to another member. Retrying is safe: had the write been applied, the retry finds
        // the mod revisions moved (a conflict), re-reads, and the next diff is empty.
        // A raft election in the store (its leader lost) is waited out: asked again after 100,
        // 200, 400, 800 ms ... for UNAVAILABLE_PATIENCE_MS, and at least three times: a try that
        // reached a member before it noticed the election is lost and waits out the write deadline.
        let r: Awaited<ReturnType<FencedWriter['write']>> | undefined;
        const patience = Date.now() + UNAVAILABLE_PATIENCE_MS;
        for (let attempt = 1; r === undefined; attempt++) {
          const started = Date.now();
          try {
            r = await this.writer.write(this.term, chunk);
          } catch (e) {
            this.log(`slipway serve: state store commit try ${attempt} (${chunk.length} keys) failed after ${Date.now() - started} ms: ${e instanceof Error ? e.message : String(e)}`);
            if (!(e instanceof StoreUnavailableError) || this.fenced || (attempt >= 3 && Date.now() >= patience)) throw e;
            await new Promise((res) => setTimeout(res, Math.min(100 * 2 ** (attempt - 1), 800)));
          }
        }
        if (r.ok) {
          this.commits++;
          for (const w of chunk) {
            if (w.value === undefined) this.held.delete(w.key);
            else this.held.set(w.key, { value: w.value, modRevision: r.revision });
          }
        } else if (r.reason === 'fenced') {
          this.fenced = true;
          failure = this.deposedError();
          this.lastError = `fenced: the leader key is ${r.leader ? `${JSON.stringify(r.leader.value)}'s (created at revision ${r.leader.createRevision})` : 'gone'}, not this term's (revision ${this.term.revision})`;
        } else {
          // A key moved under us (an answer lost on the way back): learn what the store holds, try again.
          const now = await this.kv.range(KEYSPACE);
          this.remember(now.entries);
          this.diffAll = true;
          this.dirty = true;
          conflicted = true;
          if (++this.conflicts > 5) failure = new ApiError(503, 'Service Unavailable', `state store: ${chunk.length} keys keep changing under the leader's writes`);
        }
      }
      if (failure === undefined && !conflicted) {
        this.lastError = undefined;
        this.conflicts = 0;
      }
    } catch (e) {
      failure = e instanceof StoreUnavailableError ? new ApiError(503, 'Service Unavailable', `state store unavailable: ${e.message}`) : e;
      this.lastError = e instanceof Error ? e.message : String(e);
      this.dirty = true;
    } finally {
      // What was not written is found again by comparing every key with what etcd holds.
      if (failure !== undefined || conflicted) this.diffAll = true;
      this.committing = false;
      this.writing = undefined;
      ended();
    }
    if (failure !== undefined) {
      for (const w of waiters) w.reject(failure);
      if (this.fenced) {
        this.close();
        this.onFenced(this.lastError ?? 'fenced');
        return;
      }
      this.retry = setTimeout(() => void this.commit(), RETRY_MS);
      return;
    }
    if (conflicted) {
      // Nothing of this round is known to be written: its waiters wait for the next one.
      this.waiters = [...waiters, ...this.waiters];
      void this.commit();
      return;
    }
    if (this.dirty || this.waiters.length > 0) {
      // Changes made while this commit ran go with the next one; the waiters of this one are done.
      for (const w of waiters) w.resolve();
      void this.commit();
      return;
    }
    for (const w of waiters) w.resolve();
  }
}
