/**
 * Revisions and the event log. One counter orders every change the daemon makes or sees (an API
 * mutation, each control-plane record: instance scheduled, container started, node NotReady...),
 * like etcd's revision behind Kubernetes' resourceVersion. Each object carries the revision of its
 * last change; an update naming an older one is refused (409) — check-and-set.
 *
 * The last `retained` events stay in memory for `GET /v1/events?since=REV` and watches; older ones
 * are gone (410). Revisions survive restarts without a write per event: the store keeps a ceiling
 * (hi/lo allocation) and a restarted daemon continues above it, so no revision is ever reused.
 */
import type { Recorder } from '../core/interfaces.js';

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
const BLOCK = 100_000;

export class EventLog implements Recorder {
  private readonly ring: ServeEvent[] = [];
  private head = 0;
  private rev: number;
  private ceiling: number;
  private readonly listeners = new Set<EventListener>();
  private wallMs = NaN;
  private wallText = '';
  private readonly taps: Array<(type: string, fields: Record<string, unknown>, revision: number) => void> = [];
  /** The first revision of this process (events before it were another process's). */
  readonly firstRevision: number;

  /**
   * @param startAbove continue above this revision (the stored ceiling).
   * @param reserve persists a new ceiling synchronously before revisions up to it are used.
   */
  constructor(private readonly clockNow: () => number, startAbove: number, private readonly retained: number, private readonly reserve: (ceiling: number) => void) {
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
      this.ceiling = this.rev + BLOCK;
      this.reserve(this.ceiling);
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
