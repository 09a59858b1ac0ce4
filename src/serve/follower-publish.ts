/**
 * What a leading replica publishes in etcd so that followers answer more reads themselves
 * (docs/ha.md, "Follower reads"): node status (`GET /v1/nodes`), workloads' endpoints
 * (`GET /v1/endpoints`) and the tail of the event log (`GET /v1/events`, `/v1/events/watch`).
 *
 * Write amplification is bounded, because everything rides the leader's group commits (the same
 * fenced transactions that write its records; only keys whose value changed are written):
 * - **events** go in batches: each commit writes the events recorded since the last one as ONE key
 *   (`/slipway/v1/events/<first revision>`; a burst over 64 KB is split), and drops whole batches from the oldest while the
 *   rest still hold `retained` events (so at most one delete per batch written);
 * - **node status and endpoints** are recomputed at most once per `statusEveryMs` (default 1 s);
 *   a change inside the window is published at its end (one trailing commit).
 */
import type { ClusterControl } from './control.js';
import type { ServeEvent } from './events.js';
import { ENDPOINTS, EVENTS, eventBatchKey, NODE_STATUS, type EtcdServeStore } from './etcd-serve-store.js';

/** Bytes of one event batch's value, at most (but for a single bigger event). */
const BATCH_BYTES = 64 * 1024;

export interface FollowerPublishOptions {
  readonly control: ClusterControl;
  readonly store: EtcdServeStore;
  /** Events kept in etcd (whole batches; the newest batch always stays). */
  readonly retained: number;
  /** Node status and endpoints are recomputed at most this often (ms). Default 1000. */
  readonly statusEveryMs?: number;
  /** Real time (ms); default Date.now. */
  readonly now?: () => number;
}

export interface FollowerPublisher {
  /** Stops listening and cancels the trailing commit (the replica stepped down). */
  close(): void;
}

/** Installs the publisher on `store` (its `publisher` hook) and returns a handle to stop it. */
export function publishForFollowers(o: FollowerPublishOptions): FollowerPublisher {
  const every = o.statusEveryMs ?? 1000;
  const now = o.now ?? Date.now;
  const { control, store } = o;
  /** Event batches held in etcd, oldest first: key → JSON and how many events it holds. */
  const batches = new Map<string, { json: string; count: number }>();
  let held = 0;
  for (const [key, value] of [...store.initial].filter(([k]) => k.startsWith(EVENTS)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    let count = 0;
    try {
      count = (JSON.parse(value) as unknown[]).length;
    } catch {
      continue; // unreadable: not carried over (the commit deletes it)
    }
    batches.set(key, { json: value, count });
    held += count;
  }
  // The events recorded before the publisher was installed (the control plane's start) come first.
  const log = control.events;
  const before = log.since(log.firstRevision - 1, Number.MAX_SAFE_INTEGER);
  let pending: ServeEvent[] = before.gone ? [] : before.events;
  const unsubscribe = log.subscribe((e) => pending.push(e));

  let status = new Map<string, string>();
  let statusAt = -Infinity;
  let trailing: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  const computeStatus = (): Map<string, string> => {
    const out = new Map<string, string>();
    for (const n of control.listNodes()) out.set(NODE_STATUS + n.name, JSON.stringify(n));
    const orch = control.orchestrator;
    for (const st of orch.statuses()) {
      if (st.deleted) continue;
      const eps = orch.endpointsOf(st.name);
      if (eps.length > 0) out.set(ENDPOINTS + st.name, JSON.stringify(eps));
    }
    return out;
  };

  store.publisher = () => {
    if (pending.length > 0) {
      // One key per commit, split so that no value passes BATCH_BYTES (a burst — adoption of
      // thousands of instances — must not make a request etcd refuses as too large).
      let batch: ServeEvent[] = [];
      let json: string[] = [];
      let bytes = 0;
      const flush = () => {
        batches.set(eventBatchKey(batch[0].revision), { json: `[${json.join(',')}]`, count: batch.length });
        held += batch.length;
        batch = [];
        json = [];
        bytes = 0;
      };
      for (const e of pending) {
        const j = JSON.stringify(e);
        if (batch.length > 0 && bytes + j.length > BATCH_BYTES) flush();
        batch.push(e);
        json.push(j);
        bytes += j.length + 1;
      }
      flush();
      pending = [];
      for (const [k, b] of batches) {
        if (batches.size <= 1 || held - b.count < o.retained) break;
        batches.delete(k);
        held -= b.count;
      }
    }
    const t = now();
    if (t - statusAt >= every) {
      status = computeStatus();
      statusAt = t;
    } else if (trailing === undefined && !closed) {
      // Something changed inside the window: publish it when the window ends.
      trailing = setTimeout(() => {
        trailing = undefined;
        if (!closed) store.markDirty();
      }, statusAt + every - t);
    }
    const out = new Map(status);
    for (const [k, b] of batches) out.set(k, b.json);
    return out;
  };
  return {
    close: () => {
      closed = true;
      unsubscribe();
      if (trailing) clearTimeout(trailing);
    },
  };
}
