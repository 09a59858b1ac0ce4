/**
 * Follower-local reads of nodes, endpoints and events (docs/ha.md), on the simulated consistent
 * store (backends/sim/sim-kv.ts, pumped on its virtual clock): a leader's control plane (sim
 * backend) commits through an EtcdServeStore and publishes node status, endpoints and event
 * batches (src/serve/follower-publish.ts); a follower's KvMirror on another client of the same
 * store answers GET /v1/nodes, /v1/endpoints, /v1/events and the SSE watch from them — the same
 * answers as the leader's routes once its watch has caught up.
 */
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { EVENTS, KEYSPACE } from '../../src/serve/etcd-serve-store.js';
import { registerFollowerReads } from '../../src/serve/follower-reads.js';
import { KvMirror } from '../../src/serve/replica.js';
import { startSimKvLeader, type SimKvLeader } from './support.js';

const TOKEN = 'follower-reads-unit-token-0123456789';
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

interface World extends SimKvLeader {
  follower: Hono;
}

/** A leader and a follower on one simulated store. */
async function world(retained: number): Promise<World> {
  const leader = await startSimKvLeader({ token: TOKEN, whatIfDir: '/tmp/slipway-follower-reads-what-if', retained, seed: 3 });
  const mirror = new KvMirror(leader.kv.client('follower'), KEYSPACE);
  mirror.start();
  const shutdown = new AbortController();
  const follower = new Hono();
  registerFollowerReads(follower, { mirror, shutdown: shutdown.signal });
  return {
    ...leader,
    follower,
    stop: async () => {
      shutdown.abort();
      mirror.stop();
      await leader.stop();
    },
  };
}

const auth = { authorization: `Bearer ${TOKEN}` };
const leaderGet = async (w: World, path: string) => (await w.cp.app.request(path, { headers: auth })).json() as Promise<Record<string, unknown>>;
const followerGet = async (w: World, path: string) => {
  const res = await w.follower.request(path);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

/** Polls until `check` holds (bounded: 200 tries of 50 ms). */
async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

let current: World | undefined;
afterEach(async () => {
  await current?.stop();
  current = undefined;
});

describe('follower reads of nodes, endpoints and events', { timeout: 60_000 }, () => {
  it('answer what the leader answers once the follower has caught up, and the watch resumes from a revision', async () => {
    const w = (current = await world(10_000));
    const apply = await w.cp.app.request('/v1/workloads', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ spec: { name: 'web', replicas: 3, containers: [{ name: 'c', image: 'busybox', requests: { cpu: '100m', memory: '16Mi' } }] } }),
    });
    expect(apply.status).toBe(201);
    await until('3 running instances on the leader', async () => ((await leaderGet(w, '/v1/workloads/web')).status as { running: number }).running === 3);

    // Nodes: the same list (status, allocation, instance counts) as the leader's.
    await until('the follower shows the leader’s nodes', async () => {
      const [l, f] = [await leaderGet(w, '/v1/nodes'), await followerGet(w, '/v1/nodes')];
      return f.status === 200 && JSON.stringify(f.body.items) === JSON.stringify(l.items);
    });
    const nodes = (await followerGet(w, '/v1/nodes')).body.items as Array<{ name: string; instances: number; labels: Record<string, string> }>;
    expect(nodes.length).toBeGreaterThan(0);
    expect(nodes.reduce((n, x) => n + x.instances, 0)).toBe(3);
    const one = await followerGet(w, `/v1/nodes/${nodes[0].name}`);
    expect(one.status).toBe(200);
    expect(one.body).toEqual(await leaderGet(w, `/v1/nodes/${nodes[0].name}`));
    expect((await followerGet(w, '/v1/nodes/no-such-node')).status).toBe(404);
    expect((await followerGet(w, '/v1/nodes?selector=(')).status).toBe(400);

    // Endpoints: every workload, as the leader lists them (no pod network here: empty lists).
    expect((await followerGet(w, '/v1/endpoints')).body.items).toEqual((await leaderGet(w, '/v1/endpoints')).items);
    expect((await followerGet(w, '/v1/endpoints/web')).body).toEqual(await leaderGet(w, '/v1/endpoints/web'));
    expect((await followerGet(w, '/v1/endpoints/nope')).status).toBe(404);

    // Events: the leader's log, in order, with the same revisions; `since` resumes.
    let leaderEvents: Array<{ revision: number; type: string }> = [];
    await until('the follower holds the leader’s events', async () => {
      leaderEvents = (await leaderGet(w, '/v1/events')).events as typeof leaderEvents;
      const f = await followerGet(w, '/v1/events');
      return JSON.stringify(f.body.events) === JSON.stringify(leaderEvents);
    });
    expect(leaderEvents.some((e) => e.type === 'api.workload.created')).toBe(true);
    const mid = leaderEvents[Math.floor(leaderEvents.length / 2)].revision;
    const after = (await followerGet(w, `/v1/events?since=${mid}`)).body.events as typeof leaderEvents;
    expect(after[0].revision).toBeGreaterThan(mid);
    expect(after).toEqual(leaderEvents.filter((e) => e.revision > mid));
    expect((await followerGet(w, '/v1/events?since=-1')).status).toBe(400);
    // The same words as the leader's (test/serve/api.test.ts).
    expect((await followerGet(w, '/v1/events?since=abc')).body).toMatchObject({ status: 400, field: 'since', detail: 'since: expected an integer ≥ 0, got "abc"' });
    expect((await followerGet(w, '/v1/events?limit=0')).body).toMatchObject({ status: 400, field: 'limit', detail: 'limit: expected an integer from 1 to 10000, got "0"' });

    // The SSE watch on the follower, resuming after `mid`: the backlog, then a new event as the leader makes it.
    const last = leaderEvents[leaderEvents.length - 1].revision;
    const res = await w.follower.request(`/v1/events/watch?since=${mid}`);
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const seen: number[] = [];
    const types: string[] = [];
    let text = '';
    const read = async (want: (ids: number[]) => boolean) => {
      while (!want(seen)) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
        let i;
        while ((i = text.indexOf('\n\n')) >= 0) {
          const block = text.slice(0, i);
          text = text.slice(i + 2);
          const id = /^id: (\d+)$/m.exec(block);
          const data = /^data: (.*)$/m.exec(block);
          if (id) seen.push(Number(id[1]));
          if (data) types.push((JSON.parse(data[1]) as { type: string }).type);
        }
      }
    };
    await read((ids) => ids.includes(last));
    expect(seen).toEqual(leaderEvents.filter((e) => e.revision > mid).map((e) => e.revision));
    const scaled = await w.cp.app.request('/v1/workloads/web/scale', { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ replicas: 4 }) });
    expect(scaled.status).toBe(200);
    await read(() => types.includes('api.workload.scaled'));
    expect(seen[seen.length - 1]).toBeGreaterThan(last);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    await reader.cancel();

    // A reconnecting EventSource sends Last-Event-ID: the watch resumes after it.
    const again = await w.follower.request('/v1/events/watch', { headers: { 'last-event-id': String(last) } });
    const r2 = again.body!.getReader();
    let t2 = '';
    while (!/^id: \d+$/m.test(t2)) t2 += new TextDecoder().decode((await r2.read()).value);
    expect(Number(/^id: (\d+)$/m.exec(t2)![1])).toBe(seen.find((x) => x > last));
    await r2.cancel();
  });

  it('keeps a bounded tail of the event log in the store, in batches: older events are 410 Gone on the follower', async () => {
    const w = (current = await world(20));
    for (let i = 0; i < 4; i++) {
      const r = await w.cp.app.request('/v1/workloads', {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ spec: { name: `w${i}`, replicas: 3, containers: [{ name: 'c', image: 'busybox', requests: { cpu: '10m', memory: '8Mi' } }] } }),
      });
      expect(r.status).toBe(201);
    }
    await until('12 running instances', async () => ((await leaderGet(w, '/v1/instances?status=Running')).items as unknown[]).length === 12);
    await w.store.flush();
    const leaderEvents = (await leaderGet(w, '/v1/events')).events as Array<{ revision: number }>;
    expect(leaderEvents.length).toBeGreaterThan(40);
    // In the store: whole batches, newest last, fewer than `retained` + one batch of events.
    const batches = w.kv.doRange(EVENTS).entries.map((e) => JSON.parse(e.value) as Array<{ revision: number }>);
    const held = batches.flat();
    expect(batches.length).toBeGreaterThan(1);
    expect(batches.length).toBeLessThan(held.length + 1);
    expect(held.length - batches[0].length).toBeLessThan(20);
    expect(held[held.length - 1].revision).toBe(leaderEvents[leaderEvents.length - 1].revision);
    await until('the follower holds the tail', async () => {
      const f = await followerGet(w, `/v1/events?since=${held[0].revision - 1}`);
      const events = (f.body.events ?? []) as Array<{ revision: number }>;
      return events.length > 0 && events[events.length - 1].revision === held[held.length - 1].revision;
    });
    const gone = await followerGet(w, '/v1/events?since=1');
    expect(gone.status).toBe(410);
    expect(gone.body.oldestRevision).toBe(held[0].revision);
    const tail = await followerGet(w, `/v1/events?since=${held[0].revision - 1}`);
    expect(tail.status).toBe(200);
    expect((tail.body.events as Array<{ revision: number }>).map((e) => e.revision)).toEqual(held.map((e) => e.revision));
  });
});
