/**
 * The HTTP API against a real daemon (sim backend) in this process: every route's answers match
 * the served OpenAPI document, check-and-set (409), concurrent applies, events and the SSE watch,
 * security (401, 413, problems without stack traces) and a restart keeping desired state.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenApiChecker, startTestDaemon, until, type TestDaemon } from './support.js';

const web = (replicas = 2, image = 'nginx:1', labels: Record<string, string> = { app: 'web' }) => ({
  name: 'web',
  replicas,
  labels,
  containers: [{ name: 'c', image, requests: { cpu: '500m', memory: '256Mi' } }],
});

/** No response may carry internals. */
function noInternals(text: string): void {
  expect(text).not.toMatch(/\bat .*\.(ts|js):\d+|node_modules|Error: /);
}

describe('slipway serve HTTP API', () => {
  let d: TestDaemon;
  let api: OpenApiChecker;
  const call = async (method: string, template: string, path: string, body?: unknown, headers?: Record<string, string>) => {
    const r = await d.call(method, path, body, headers);
    api.check(method, template, r);
    noInternals(r.text);
    return r;
  };

  beforeAll(async () => {
    d = await startTestDaemon();
    const doc = await d.call('GET', '/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    api = new OpenApiChecker(doc.body);
  });
  afterAll(async () => {
    await d?.stop();
  });

  it('answers health and readiness; only /healthz without a token', async () => {
    expect((await call('GET', '/healthz', '/healthz', undefined, { authorization: '' })).status).toBe(200);
    const ready = await call('GET', '/readyz', '/readyz');
    expect(ready.body).toMatchObject({ ready: true, reasons: [], role: 'leader' });
    expect(ready.body.leader).toBe(new URL(d.url).host);
    for (const auth of ['', 'Bearer wrong-token-wrong-token', `Basic ${d.token}`, `Bearer ${d.token}x`]) {
      const r = await call('GET', '/readyz', '/readyz', undefined, { authorization: auth });
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(r.headers.get('content-type')).toBe('application/problem+json');
    }
    expect((await call('GET', '/v1/workloads', '/v1/workloads', undefined, { authorization: '' })).status).toBe(401);
  });

  it('applies, lists by selector, scales, rolls out and deletes a workload', async () => {
    const created = await call('POST', '/v1/workloads', '/v1/workloads', { spec: web(2) });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'web', generation: 1, kind: 'service', spec: web(2) });
    const rev1 = created.body.revision;
    expect(rev1).toBeGreaterThan(0);
    await call('POST', '/v1/workloads', '/v1/workloads', { spec: { ...web(1, 'busybox', { app: 'db' }), name: 'db' } });

    const running = await until(async () => {
      const r = await call('GET', '/v1/workloads/{name}', '/v1/workloads/web');
      return r.body.status.running === 2 ? r : undefined;
    }, 60_000, 'web running');
    expect(running.body.status).toMatchObject({ desired: 2, updated: 2, pending: 0 });

    const byLabel = await call('GET', '/v1/workloads', '/v1/workloads?selector=app%3Dweb');
    expect(byLabel.body.items.map((w: { name: string }) => w.name)).toEqual(['web']);
    const notWeb = await call('GET', '/v1/workloads', '/v1/workloads?selector=app!%3Dweb');
    expect(notWeb.body.items.map((w: { name: string }) => w.name)).toEqual(['db']);
    const badSel = await call('GET', '/v1/workloads', '/v1/workloads?selector=%3D%3Dx');
    expect(badSel.status).toBe(400);
    expect(badSel.body.field).toBe('selector');

    // Same spec again: unchanged, same revision.
    const same = await call('POST', '/v1/workloads', '/v1/workloads', { spec: web(2) });
    expect(same.status).toBe(200);
    expect(same.body.revision).toBe(rev1);

    // A spec change is a new generation, rolled out.
    const updated = await call('POST', '/v1/workloads', '/v1/workloads', { spec: web(2, 'nginx:2'), revision: rev1 });
    expect(updated.status).toBe(200);
    expect(updated.body.generation).toBe(2);
    expect(updated.body.revision).toBeGreaterThan(rev1);
    const rolled = await until(async () => {
      const r = await call('GET', '/v1/workloads/{name}/rollout', '/v1/workloads/web/rollout');
      return r.body.complete ? r : undefined;
    }, 60_000, 'rollout');
    expect(rolled.body).toMatchObject({ generation: 2, desired: 2, updated: 2, outdated: 0 });

    const scaled = await call('POST', '/v1/workloads/{name}/scale', '/v1/workloads/web/scale', { replicas: 3 });
    expect(scaled.body.status.desired).toBe(3);
    expect(scaled.body.generation).toBe(2);
    await until(async () => (await d.call('GET', '/v1/workloads/web')).body.status.running === 3, 60_000, 'scaled');

    const instances = await call('GET', '/v1/instances', '/v1/instances?workload=web&status=Running');
    expect(instances.body.items).toHaveLength(3);
    const one = instances.body.items[0];
    expect(one).toMatchObject({ workload: 'web', generation: 2, status: 'Running', restarts: 0 });
    expect(one.node).toMatch(/^node-\d$/);
    expect(one.containers[0]).toMatchObject({ name: 'c', state: 'running' });
    const got = await call('GET', '/v1/instances/{id}', `/v1/instances/${one.id}`);
    expect(got.body.id).toBe(one.id);
    expect((await call('GET', '/v1/instances/{id}', '/v1/instances/nope')).status).toBe(404);
    const logs = await call('GET', '/v1/instances/{id}/logs', `/v1/instances/${one.id}/logs`);
    expect(logs.status).toBe(501);
    // No pod network in this daemon's config: no addresses, so no endpoints (test/serve/network-api.test.ts has them).
    expect(one.ip).toBeUndefined();
    const eps = await call('GET', '/v1/endpoints', '/v1/endpoints');
    expect(eps.body.items).toContainEqual({ workload: 'web', endpoints: [] });
    expect((await call('GET', '/v1/endpoints/{name}', '/v1/endpoints/web')).body).toEqual({ workload: 'web', endpoints: [] });
    expect((await call('GET', '/v1/endpoints/{name}', '/v1/endpoints/nope')).status).toBe(404);

    const del = await call('DELETE', '/v1/workloads/{name}', '/v1/workloads/db');
    expect(del.status).toBe(200);
    expect((await call('GET', '/v1/workloads/{name}', '/v1/workloads/db')).status).toBe(404);
    expect((await call('DELETE', '/v1/workloads/{name}', '/v1/workloads/db')).status).toBe(404);
    await until(async () => (await d.call('GET', '/v1/instances?workload=db')).body.items.length === 0, 60_000, 'db gone');
  });

  it('refuses a stale revision with 409 and the current revision', async () => {
    const cur = (await call('GET', '/v1/workloads/{name}', '/v1/workloads/web')).body;
    const stale = await call('POST', '/v1/workloads', '/v1/workloads', { spec: web(4), revision: cur.revision - 1 });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ status: 409, currentRevision: cur.revision, field: 'revision' });
    const create = await call('POST', '/v1/workloads', '/v1/workloads', { spec: web(4), revision: 0 });
    expect(create.status).toBe(409);
    const staleScale = await call('POST', '/v1/workloads/{name}/scale', '/v1/workloads/web/scale', { replicas: 1, revision: 1 });
    expect(staleScale.status).toBe(409);
    const staleDelete = await call('DELETE', '/v1/workloads/{name}', '/v1/workloads/web?revision=1');
    expect(staleDelete.status).toBe(409);
    expect((await call('GET', '/v1/workloads/{name}', '/v1/workloads/web')).body.revision).toBe(cur.revision);
  });

  it('lets exactly one of 50 concurrent applies at one revision win', async () => {
    const cur = (await d.call('GET', '/v1/workloads/web')).body;
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => d.call('POST', '/v1/workloads', { spec: { ...web(3, 'nginx:2'), labels: { app: 'web', writer: `w${i}` } }, revision: cur.revision })),
    );
    const winners = results.filter((r) => r.status === 200);
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(49);
    for (const r of results.filter((x) => x.status === 409)) expect(r.body.currentRevision).toBe(winners[0].body.revision);
    const after = (await d.call('GET', '/v1/workloads/web')).body;
    expect(after.revision).toBe(winners[0].body.revision);
    expect(after.labels.writer).toBe(winners[0].body.labels.writer);
    // Without a revision, each apply wins in turn: 50 distinct revisions.
    const free = await Promise.all(Array.from({ length: 50 }, (_, i) => d.call('POST', '/v1/workloads', { spec: { ...web(3, 'nginx:2'), labels: { app: 'web', writer: `free${i}` } } })));
    expect(free.every((r) => r.status === 200)).toBe(true);
    expect(new Set(free.map((r) => r.body.revision)).size).toBe(50);
  });

  it('names the field of a bad spec, and refuses oversized bodies with 413', async () => {
    const cases: Array<[unknown, string]> = [
      [{ spec: { name: 'x', containers: [{ name: 'c' }] } }, 'spec.containers[0].image'],
      [{ spec: { name: 'x', replica: 2, containers: [{ name: 'c', image: 'i' }] } }, 'spec.replica'],
      [{ spec: { name: 'Bad_Name', containers: [{ name: 'c', image: 'i' }] } }, 'spec.name'],
      [{ spec: { name: 'x', containers: [{ name: 'c', image: 'i', requests: { cpu: 'lots' } }] } }, 'spec.containers[0].requests.cpu'],
      [{ spec: { name: 'x', at: '1m', containers: [{ name: 'c', image: 'i' }] } }, 'spec.at'],
      [{ spec: { name: 'x', containers: [{ name: 'c', image: 'i' }] }, revision: -1 }, 'revision'],
    ];
    for (const [body, field] of cases) {
      const r = await call('POST', '/v1/workloads', '/v1/workloads', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.field).toBe(field);
      expect(r.body.detail.startsWith(field)).toBe(true);
    }
    const malformed = await call('POST', '/v1/workloads', '/v1/workloads', '{"spec": ');
    expect(malformed.status).toBe(400);
    const kind = await call('POST', '/v1/workloads', '/v1/workloads', { spec: { ...web(1), kind: 'job' } });
    expect(kind.status).toBe(422);
    expect(kind.body.field).toBe('kind');
    const big = { spec: { ...web(1), labels: { pad: 'x'.repeat(1024 * 1024) } } };
    const r = await call('POST', '/v1/workloads', '/v1/workloads', big);
    expect(r.status).toBe(413);
    expect((await d.call('GET', '/v1/nowhere')).status).toBe(404);
  });

  it('lists nodes; cordons, uncordons and drains one', async () => {
    const nodes = await call('GET', '/v1/nodes', '/v1/nodes');
    expect(nodes.body.items.map((n: { name: string }) => n.name)).toEqual(['node-1', 'node-2', 'node-3', 'node-4']);
    // The concurrent applies above may still be rolling web out: an instance the rollout is
    // stopping is not evicted again, so pick the victim once web is settled.
    await until(async () => {
      const items = (await d.call('GET', '/v1/instances?workload=web')).body.items as Array<{ status: string; stopRequestedAt?: number }>;
      return items.length === 3 && items.every((i) => i.status === 'Running' && i.stopRequestedAt === undefined);
    }, 60_000, 'web settled (3 running, none stopping) before the drain');
    const victim = (await d.call('GET', '/v1/instances?workload=web&status=Running')).body.items[0].node as string;
    const cordoned = await call('POST', '/v1/nodes/{name}/cordon', `/v1/nodes/${victim}/cordon`, {});
    expect(cordoned.body.unschedulable).toBe(true);
    const stale = await call('POST', '/v1/nodes/{name}/uncordon', `/v1/nodes/${victim}/uncordon`, { revision: cordoned.body.revision - 1 });
    expect(stale.status).toBe(409);
    const drained = await call('POST', '/v1/nodes/{name}/drain', `/v1/nodes/${victim}/drain`);
    expect(drained.body.evicted).toBeGreaterThan(0);
    await until(async () => {
      const items = (await d.call('GET', '/v1/instances?workload=web')).body.items as Array<{ node?: string; status: string }>;
      return items.filter((i) => i.status === 'Running').length === 3 && items.every((i) => i.node !== victim);
    }, 60_000, 'instances moved off the drained node');
    const node = await call('GET', '/v1/nodes/{name}', `/v1/nodes/${victim}`);
    expect(node.body).toMatchObject({ unschedulable: true, instances: 0 });
    const un = await call('POST', '/v1/nodes/{name}/uncordon', `/v1/nodes/${victim}/uncordon`);
    expect(un.body.unschedulable).toBe(false);
    expect((await call('GET', '/v1/nodes/{name}', '/v1/nodes/nope')).status).toBe(404);
  });

  it('explains where a spec would go and why a workload is pending', async () => {
    const where = await call('POST', '/v1/explain', '/v1/explain', { spec: { name: 'probe', containers: [{ name: 'c', image: 'i', requests: { cpu: 1 } }] } });
    expect(where.status).toBe(200);
    expect(where.body.chosen).toMatch(/^node-\d$/);
    expect(where.body.nodes).toHaveLength(4);
    await call('POST', '/v1/workloads', '/v1/workloads', { spec: { name: 'huge', containers: [{ name: 'c', image: 'i', requests: { cpu: 64 } }] } });
    await until(async () => (await d.call('GET', '/v1/workloads/huge')).body.status.pending === 1, 60_000, 'huge pending');
    const why = await call('POST', '/v1/explain', '/v1/explain', { workload: 'huge' });
    expect(why.body.chosen).toBeNull();
    expect(why.body.pendingReason).toMatch(/Insufficient cpu/);
    expect(why.body.nodes.every((n: { feasible: boolean; reasons: string[] }) => !n.feasible && n.reasons.join(' ').includes('Insufficient cpu'))).toBe(true);
    expect((await call('POST', '/v1/explain', '/v1/explain', {})).status).toBe(400);
    expect((await call('POST', '/v1/explain', '/v1/explain', { workload: 'nope' })).status).toBe(404);
    await d.call('DELETE', '/v1/workloads/huge');
  });

  it('simulates a change on a snapshot of the cluster without changing it (POST /v1/simulate)', async () => {
    await call('POST', '/v1/workloads', '/v1/workloads', { spec: { name: 'sim-web', replicas: 2, containers: [{ name: 'c', image: 'i', requests: { cpu: '100m' } }] } });
    await until(async () => (await d.call('GET', '/v1/workloads/sim-web')).body.status.running === 2, 60_000, 'sim-web running');
    const r = await call('POST', '/v1/simulate', '/v1/simulate', { changes: [{ kind: 'scale', workload: 'sim-web', replicas: 4 }], horizon: '1m' });
    expect(r.status).toBe(200);
    expect(r.body.converged).toBe(true);
    expect(r.body.placements.filter((p: { workload: string }) => p.workload === 'sim-web')).toHaveLength(4);
    expect(r.body.scenarioFile.startsWith(join(d.stateDir, 'what-if'))).toBe(true);
    expect((await d.call('GET', '/v1/workloads/sim-web')).body.status.desired).toBe(2);
    const bad = await call('POST', '/v1/simulate', '/v1/simulate', { changes: [{ kind: 'drain', node: 'nope' }] });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('changes[0].node');
    expect((await call('POST', '/v1/simulate', '/v1/simulate', { changes: [] })).status).toBe(400);
    await d.call('DELETE', '/v1/workloads/sim-web');
  }, 180_000);

  it('lists events after a revision and watches them as SSE, resuming after Last-Event-ID', async () => {
    const all = await call('GET', '/v1/events', '/v1/events?since=0&limit=5');
    expect(all.body.events).toHaveLength(5);
    const revs = all.body.events.map((e: { revision: number }) => e.revision);
    expect(revs).toEqual([...revs].sort((a: number, b: number) => a - b));
    const after = await call('GET', '/v1/events', `/v1/events?since=${revs[2]}&limit=2`);
    expect(after.body.events.map((e: { revision: number }) => e.revision)).toEqual(revs.slice(3, 5));
    // A revision that is not a whole number is refused naming the field and the value (not
    // "received NaN"), and an empty one is not read as 0.
    for (const [query, field, detail] of [
      ['since=abc', 'since', 'since: expected an integer ≥ 0, got "abc"'],
      ['since=', 'since', 'since: expected an integer ≥ 0, got ""'],
      ['since=-1', 'since', 'since: expected an integer ≥ 0, got "-1"'],
      ['limit=0', 'limit', 'limit: expected an integer from 1 to 10000, got "0"'],
      ['limit=10001', 'limit', 'limit: expected an integer from 1 to 10000, got "10001"'],
    ]) {
      const bad = await call('GET', '/v1/events', `/v1/events?${query}`);
      expect(bad.status, query).toBe(400);
      expect(bad.body, query).toMatchObject({ field, detail });
    }
    const mine = await call('GET', '/v1/events', '/v1/events?workload=web&limit=3');
    expect(mine.body.events.every((e: { data: { workload?: string } }) => e.data.workload === 'web')).toBe(true);

    const start = (await d.call('GET', '/v1/workloads')).body.revision as number;
    const read = async (headers: Record<string, string>, query: string, enough: (got: Array<{ id: number; type: string }>) => boolean) => {
      const ctl = new AbortController();
      const res = await fetch(`${d.url}/v1/events/watch${query}`, { headers: { authorization: `Bearer ${d.token}`, ...headers }, signal: ctl.signal });
      api.check('GET', '/v1/events/watch', { status: res.status, body: undefined, headers: res.headers });
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      const got: Array<{ id: number; type: string }> = [];
      let buf = '';
      while (!enough(got)) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += value;
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0 && !enough(got)) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const id = /^id: (\d+)$/m.exec(block);
          const data = /^data: (.*)$/m.exec(block);
          if (id && data) got.push({ id: Number(id[1]), type: JSON.parse(data[1]).type });
        }
      }
      ctl.abort();
      return got;
    };
    // The previous test's delete may still be removing instances: events of that can come before
    // the scale's, so read until the scale's event is in (and at least four), bounded.
    const watching = read({}, `?since=${start}`, (got) => got.length >= 2000 || (got.length >= 4 && got.some((e) => e.type === 'api.workload.scaled')));
    await d.call('POST', '/v1/workloads/web/scale', { replicas: 4 });
    const first = await watching;
    expect(first[0].id).toBe(start + 1);
    expect(first.map((e) => e.id)).toEqual(first.map((_, i) => start + 1 + i));
    expect(first.map((e) => e.type)).toContain('api.workload.scaled');
    // Resume after the second: the next events follow without a gap.
    const resumed = await read({ 'last-event-id': String(first[1].id) }, '', (got) => got.length >= 2);
    expect(resumed.map((e) => e.id)).toEqual([first[2].id, first[3].id]);
  });

  it('serves Prometheus metrics', async () => {
    const r = await call('GET', '/metrics', '/metrics');
    expect(r.status).toBe(200);
    expect(r.text).toMatch(/^slipway_scheduling_latency_seconds_count \d+/m);
    expect(r.text).toMatch(/^slipway_pending_instances \d+/m);
    // The sim's clock follows the wall clock: a number of seconds, never negative.
    expect(r.text).toMatch(/^slipway_control_plane_lag_seconds \d+(\.\d+)?(e-\d+)?$/m);
    expect(r.text).toMatch(/^slipway_reconcile_passes_total [1-9]\d*/m);
    expect(r.text).toMatch(/^slipway_workload_reconciles_total [1-9]\d*/m);
    expect(r.text).toMatch(/^slipway_events_total\{type="instance.scheduled"\} [1-9]\d*/m);
    expect(r.text).toMatch(/^slipway_api_requests_total\{route="\/v1\/workloads",method="POST",code="409"\} [1-9]/m);
    // prom-client's process and Node.js metrics: GC pauses hold every request of this one thread.
    expect(r.text).toMatch(/^nodejs_gc_duration_seconds_bucket\{le="0.01",kind="\w+"\} \d+/m);
    expect(r.text).toMatch(/^process_cpu_seconds_total [\d.]+/m);
    expect(r.text).not.toContain(d.token);
  });

  it('counts the requests in flight: an open watch stream until it ends (a request that never got its answer shows here)', async () => {
    const inFlight = async () => Number(/^slipway_api_requests_in_flight (\d+)$/m.exec((await d.call('GET', '/metrics')).text)?.[1]);
    // The scrape itself is in flight while it is answered.
    await until(async () => (await inFlight()) === 1, 10_000, 'only the scrape in flight');
    const ctl = new AbortController();
    const res = await fetch(`${d.url}/v1/events/watch`, { headers: { authorization: `Bearer ${d.token}` }, signal: ctl.signal });
    expect(res.status).toBe(200);
    expect(await inFlight()).toBe(2);
    ctl.abort();
    await res.body?.cancel().catch(() => {});
    await until(async () => (await inFlight()) === 1, 10_000, 'the ended watch no longer in flight');
  });

  it('exercised every operation of the OpenAPI document', () => {
    const missing = api.operations().filter((op) => !api.seen.has(op));
    expect(missing).toEqual([]);
  });
});
