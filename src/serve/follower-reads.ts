/**
 * A follower's answers to `GET /v1/nodes[/NAME]`, `GET /v1/endpoints[/NAME]`, `GET /v1/events` and
 * the SSE watch `GET /v1/events/watch`, from the keyspace its watch keeps (what the leader
 * publishes: src/serve/follower-publish.ts). The same shapes and the same rules as the leader's
 * routes (src/serve/api/routes-cluster.ts): `since` / `Last-Event-ID` resume, 410 when the events
 * after `since` are no longer held, `workload` filters, each SSE event's id its revision.
 * Freshness: what the leader committed, as far as this follower's watch has brought it (node
 * status and endpoints at most about a second behind the leader's own, see follower-publish.ts).
 */
import type { Context, Hono } from 'hono';
import { problem, wholeNumberExpected } from './api/problem.js';
import type { ClusterState, PublishedEvent } from './etcd-serve-store.js';
import { streamEvents } from './event-stream.js';
import { matchesSelector, parseSelector, type Selector } from './selector.js';

/** The follower's copy of the keyspace (replica.ts KvMirror). */
export interface MirrorView {
  state(): ClusterState;
  onChange(fn: () => void): () => void;
}

/** Most events one GET returns (as the leader's route). */
const MAX_EVENTS = 10_000;

/** The newest event revision published (0 when none). */
function latest(state: ClusterState): number {
  return state.events.length > 0 ? state.events[state.events.length - 1].revision : 0;
}

/** Events with revision > `since`; `gone` when some after `since` are no longer held. */
function eventsSince(state: ClusterState, since: number): { events: readonly PublishedEvent[]; gone: boolean } {
  const all = state.events;
  if (all.length === 0) return { events: [], gone: false };
  const oldest = all[0].revision;
  if (since + 1 < oldest && since < latest(state)) return { events: [], gone: true };
  let lo = 0;
  let hi = all.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (all[mid].revision <= since) lo = mid + 1;
    else hi = mid;
  }
  return { events: all.slice(lo), gone: false };
}

/** A non-negative integer query parameter, or a 400 problem naming it. */
function intParam(c: Context, name: string, min: number, max?: number): number | undefined | Response {
  const v = c.req.query(name);
  if (v === undefined) return undefined;
  if (!/^\d{1,15}$/.test(v) || Number(v) < min || (max !== undefined && Number(v) > max)) return problem(c, 400, `${name}: ${wholeNumberExpected(min, max, v)}`, { field: name });
  return Number(v);
}

export function registerFollowerReads(app: Hono, o: { mirror: MirrorView; shutdown: AbortSignal }): void {
  const { mirror } = o;

  app.get('/v1/nodes', (c) => {
    const text = c.req.query('selector');
    let selector: Selector | undefined;
    try {
      selector = text === undefined || text === '' ? undefined : parseSelector(text);
    } catch (e) {
      return problem(c, 400, `selector: ${(e as Error).message}`, { field: 'selector' });
    }
    const state = mirror.state();
    const items = [...state.nodes.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, n]) => n)
      .filter((n) => !selector || matchesSelector(selector, (n.labels ?? {}) as Record<string, string>));
    return c.json({ revision: latest(state), items });
  });
  app.get('/v1/nodes/:name', (c) => {
    const n = mirror.state().nodes.get(c.req.param('name'));
    return n ? c.json(n) : problem(c, 404, `node ${JSON.stringify(c.req.param('name'))} not found`);
  });

  app.get('/v1/endpoints', (c) => {
    const state = mirror.state();
    const items = [...state.workloads.keys()].sort().map((name) => ({ workload: name, endpoints: state.endpoints.get(name) ?? [] }));
    return c.json({ revision: latest(state), items });
  });
  app.get('/v1/endpoints/:name', (c) => {
    const state = mirror.state();
    const name = c.req.param('name');
    if (!state.workloads.has(name)) return problem(c, 404, `workload ${JSON.stringify(name)} not found`);
    return c.json({ workload: name, endpoints: state.endpoints.get(name) ?? [] });
  });

  const gone = (c: Context, state: ClusterState, since: number) => {
    const oldest = state.events[0]?.revision ?? latest(state) + 1;
    return problem(c, 410, `events after revision ${since} are no longer held (oldest: ${oldest}); list again and watch from its revision`, { oldestRevision: oldest, field: 'since' });
  };

  app.get('/v1/events', (c) => {
    const since = intParam(c, 'since', 0);
    if (since instanceof Response) return since;
    const limit = intParam(c, 'limit', 1, MAX_EVENTS);
    if (limit instanceof Response) return limit;
    const workload = c.req.query('workload');
    const state = mirror.state();
    const r = eventsSince(state, since ?? 0);
    if (r.gone) return gone(c, state, since ?? 0);
    const events = (workload === undefined ? r.events : r.events.filter((e) => e.data.workload === workload)).slice(0, limit ?? MAX_EVENTS);
    return c.json({ revision: latest(state), events });
  });

  app.get('/v1/events/watch', (c) => {
    const sinceQ = intParam(c, 'since', 0);
    if (sinceQ instanceof Response) return sinceQ;
    const workload = c.req.query('workload');
    const lastId = c.req.header('last-event-id');
    const fromHeader = lastId !== undefined && /^\d+$/.test(lastId) ? Number(lastId) : undefined;
    const state = mirror.state();
    const since = sinceQ ?? fromHeader ?? latest(state);
    const backlog = eventsSince(state, since);
    if (backlog.gone) return gone(c, state, since);
    const want = (e: PublishedEvent) => workload === undefined || e.data.workload === workload;
    return streamEvents(c, {
      since,
      backlog: backlog.events,
      want,
      // Each change of the keyspace may carry a new batch: take what is newer than the last taken.
      follow: (push, last) => mirror.onChange(() => push(eventsSince(mirror.state(), last()).events)),
      shutdown: o.shutdown,
    });
  });
}
