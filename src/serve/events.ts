/**
 * Revisions and the event log. One counter orders every change the daemon makes or sees (an API
 * mutation, each control-plane record: instance scheduled, container started, node NotReady...),
 * like etcd's revision behind Kubernetes' resourceVersion. Each object carries the revision of its
 * last change; an update naming an older one is refused (409) — check-and-set.
 *
 * The last `retained` events stay in memory for `GET /v1/events?since=REV` and watches; older ones
 * are gone (410). Revisions survive restarts without a write per event: the store keeps a ceiling
 * (hi/lo allocation) and a restarted daemon continues above it, so no revision is ever reused.
 * The next block is reserved ahead, once half of the current one is used, with the store's
 * ordinary commit (`reserveAhead`); only revisions below a ceiling already durable are handed
 * out, and the synchronous write (`reserve`: a whole snapshot and an fsync, some 25 ms on the
 * event loop with 1,500 workloads) is left for a block used up before its successor was written.
 */
import type { Recorder } from '../core/interfaces.js';
import type { DaemonStore } from './serve-store.js';

export interface ServeEvent {
  readonly revision: number;
  /** The control-plane record type (`instance.scheduled`, `workload.submitted`, ...). */
  readonly type: string;
  /** Clock time (ms since the daemon's clock origin; virtual on the sim backend). */
  readonly time: number;
  /** Wall time, ISO 8601. */
  readonly wallTime: string;
  readonly data: Readonly<Record<string, unknown>>;
}

export type EventListener = (e: ServeEvent) => void;

/** Revisions handed out per write of the ceiling. */
export const REVISION_BLOCK = 100_000;

export class EventLog implements Recorder {
  private readonly ring: ServeEvent[] = [];
  private head = 0;
  private rev: number;
  /** The highest ceiling known durable: revisions up to it may be handed out. */
  private ceiling: number;
  /** A higher ceiling being written ahead (reserveAhead), if any. */
  private ahead: number | undefined;
  /** After a failed write ahead, the revision from which to ask again (a tenth of a block on). */
  private askAgainAt = 0;
  private readonly listeners = new Set<EventListener>();
  private wallMs = NaN;
  private wallText = '';
  private readonly taps: Array<(type: string, fields: Record<string, unknown>, revision: number) => void> = [];
  /** The first revision of this process (events before it were another process's). */
  readonly firstRevision: number;

  /**
   * @param startAbove continue above this revision (the stored ceiling).
   * @param reserve persists a new ceiling synchronously before revisions up to it are used.
   * @param reserveAhead persists a new ceiling asynchronously: resolves once it is durable,
   *   rejects if that failed (asked again a tenth of a block later). Without it every block is
   *   reserved synchronously.
   */
  constructor(
    private readonly clockNow: () => number,
    startAbove: number,
    private readonly retained: number,
    private readonly reserve: (ceiling: number) => void,
    private readonly reserveAhead?: (ceiling: number) => Promise<void>,
    /** Revisions per block (tests use small blocks). */
    private readonly block: number = REVISION_BLOCK,
  ) {
    this.rev = startAbove;
    this.ceiling = startAbove;
    this.firstRevision = startAbove + 1;
  }

  /** The latest revision handed out. */
  get revision(): number {
    return this.rev;
  }

  /** The oldest revision still held (events with revision ≥ this are listed). */
  get oldest(): number {
    return this.ring.length === 0 ? this.rev + 1 : this.ring[this.head % this.ring.length].revision;
  }

  /** A new revision (persisting a new ceiling first when the block is used up). */
  next(): number {
    if (this.rev + 1 > this.ceiling) {
      // Used up before the next block was durable (or at the first revision): written now.
      this.ceiling = Math.max(this.rev + this.block, this.ahead ?? 0);
      this.reserve(this.ceiling);
    } else if (this.reserveAhead !== undefined && this.ahead === undefined && this.ceiling - this.rev <= this.block / 2 && this.rev >= this.askAgainAt) {
      const ceiling = this.ceiling + this.block;
      this.ahead = ceiling;
      this.reserveAhead(ceiling).then(
        () => {
          this.ceiling = Math.max(this.ceiling, ceiling);
          if (this.ahead === ceiling) this.ahead = undefined;
        },
        () => {
          if (this.ahead === ceiling) this.ahead = undefined;
          this.askAgainAt = this.rev + Math.max(1, Math.floor(this.block / 10));
        },
      );
    }
    return ++this.rev;
  }

  /** Sees every record before it is stored (metrics, per-instance bookkeeping). */
  tap(fn: (type: string, fields: Record<string, unknown>, revision: number) => void): void {
    this.taps.push(fn);
  }

  /** The Recorder the orchestrator writes to: each record becomes an event with a new revision. */
  record(type: string, fields: Record<string, unknown>): void {
    this.append(type, fields);
  }

  append(type: string, data: Record<string, unknown>): ServeEvent {
    const revision = this.next();
    for (const t of this.taps) t(type, data, revision);
    // A burst of records (a create places and starts many instances) shares its millisecond's text.
    const ms = Date.now();
    if (ms !== this.wallMs) {
      this.wallMs = ms;
      this.wallText = new Date(ms).toISOString();
    }
    const e: ServeEvent = { revision, type, time: this.clockNow(), wallTime: this.wallText, data };
    if (this.ring.length < this.retained) this.ring.push(e);
    else {
      this.ring[this.head] = e;
      this.head = (this.head + 1) % this.retained;
    }
    for (const l of this.listeners) l(e);
    return e;
  }

  /**
   * Events with revision > `since`, oldest first, at most `limit`. `gone` when events after
   * `since` were already dropped (the caller must list again and watch from the current revision).
   */
  since(since: number, limit: number): { events: ServeEvent[]; gone: boolean } {
    const n = this.ring.length;
    if (n === 0) return { events: [], gone: false };
    const oldest = this.oldest;
    if (since + 1 < oldest && since < this.rev) return { events: [], gone: true };
    // The ring is sorted by revision from `head`: binary search the first one above `since`.
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.ring[(this.head + mid) % n].revision <= since) lo = mid + 1;
      else hi = mid;
    }
    const out: ServeEvent[] = [];
    for (let i = lo; i < n && out.length < limit; i++) out.push(this.ring[(this.head + i) % n]);
    return { events: out, gone: false };
  }

  subscribe(fn: EventListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}

/**
 * The daemon's event log on its store: revisions continue above the stored ceiling; the next
 * block is written ahead with the store's group commit (meta.revisionCeiling, a journal line on
 * the file store), a block used up first with `saveNow`.
 */
export function storeEventLog(store: Pick<DaemonStore, 'meta' | 'saveNow' | 'markDirty' | 'flush'>, clockNow: () => number, retained: number): EventLog {
  return new EventLog(
    clockNow,
    store.meta.revisionCeiling,
    retained,
    (ceiling) => {
      store.meta.revisionCeiling = ceiling;
      store.saveNow();
    },
    (ceiling) => {
      store.meta.revisionCeiling = Math.max(store.meta.revisionCeiling, ceiling);
      store.markDirty();
      return store.flush();
    },
  );
}
