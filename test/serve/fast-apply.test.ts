/**
 * Applies answered before the Hono app (src/serve/api/fast-apply.ts): the same status, bytes,
 * content type and metrics as the Hono route, valid against /openapi.json, acknowledged only once
 * durable; requests it does not take reach the Hono app untouched, and requests it read but does
 * not answer (bad JSON, schema problems, refusals) get exactly the Hono route's problem.
 */
import { readFileSync } from 'node:fs';
import { request, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFastApply } from '../../src/serve/api/fast-apply.js';
import { problemBody } from '../../src/serve/api/problem.js';
import { ApiError } from '../../src/serve/control.js';
import { ServeMetrics } from '../../src/serve/metrics.js';
import { bearerChecker } from '../../src/serve/token.js';
import { fastPathServer, NOT_TAKEN, OpenApiChecker, startTestDaemon, type TestDaemon } from './support.js';


interface Answer {
  readonly status: number;
  readonly type: string | null;
  readonly text: string;
}

const spec = (name: string, gen = 0, replicas = 2) => ({ name, replicas, labels: { app: name }, containers: [{ name: 'c', image: 'nginx:1', env: { GEN: String(gen) }, requests: { cpu: '100m', memory: '64Mi' } }] });

describe('fast apply', () => {
  let d: TestDaemon;
  let api: OpenApiChecker;
  let server: Server;
  let base: string;
  const metrics = new ServeMetrics(() => 0);

  beforeAll(async () => {
    d = await startTestDaemon();
    api = new OpenApiChecker((await d.call('GET', '/openapi.json')).body);
    const fast = createFastApply({ control: d.daemon.control, metrics, authorized: bearerChecker(d.token), persist: () => d.daemon.control.store.flush(), bodyLimit: 1024 * 1024, app: d.daemon.app });
    ({ server, base } = await fastPathServer(fast));
  });
  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    await d?.stop();
  });

  const headers = (extra: Record<string, string> = {}) => ({ authorization: `Bearer ${d.token}`, 'content-type': 'application/json', ...extra });
  /** POST /v1/workloads to the fast path's server. */
  const fastPost = async (body: string, h: Record<string, string> = headers(), path = '/v1/workloads'): Promise<Answer> => {
    const res = await fetch(base + path, { method: 'POST', headers: h, body });
    return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
  };
  /** The same request through the Hono app only. */
  const honoPost = async (body: string, h: Record<string, string> = headers()): Promise<Answer> => {
    const res = await d.daemon.app.request('/v1/workloads', { method: 'POST', headers: h, body });
    return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
  };
  /**
   * An answer with what differs between two workloads blanked: the name, the revisions, and the
   * status counts, which the running cluster (sim ×50) moves between the two requests. The bytes
   * are compact JSON in the schema's key order, as the Hono route's `c.json` writes them.
   */
  const shape = (a: Answer, name: string) => {
    const o = JSON.parse(a.text) as Record<string, unknown>;
    expect(a.text).toBe(JSON.stringify(o));
    return JSON.stringify({ ...o, revision: 0, createdRevision: 0, status: Object.keys(o.status as object) }).replaceAll(`"${name}"`, '"NAME"');
  };

  it('creates, updates and re-applies exactly as the Hono route does, and validates against /openapi.json', async () => {
    for (const [what, gen, want] of [['create', 0, 201], ['update (new generation)', 1, 200], ['unchanged', 1, 200]] as const) {
      const f = await fastPost(JSON.stringify({ spec: spec('fast-a', gen) }));
      const h = await honoPost(JSON.stringify({ spec: spec('hono-a', gen) }));
      expect(f.status, what).toBe(want);
      expect(h.status, what).toBe(want);
      expect(f.type).toBe(h.type);
      expect(shape(f, 'fast-a'), what).toBe(shape(h, 'hono-a'));
      api.check('POST', '/v1/workloads', { status: f.status, headers: new Headers({ 'content-type': f.type ?? '' }), body: JSON.parse(f.text) });
    }
    // The workload is the cluster's: the Hono GET sees what the fast path applied.
    const got = await d.call('GET', '/v1/workloads/fast-a');
    expect(got.body.generation).toBe(2);
    // check-and-set with the current revision, on the fast path
    const rev = got.body.revision as number;
    const cas = await fastPost(JSON.stringify({ spec: spec('fast-a', 2), revision: rev }));
    expect(cas.status).toBe(200);
    expect(JSON.parse(cas.text).revision).toBeGreaterThan(rev);
  });

  it('answers only once the change is in the state journal on disk', async () => {
    const f = await fastPost(JSON.stringify({ spec: spec('durable-one') }));
    expect(f.status).toBe(201);
    // No wait: the journal already holds it when the answer arrives.
    expect(readFileSync(join(d.stateDir, 'state.journal'), 'utf8')).toContain('"durable-one"');
  });

  it('answers a store that refuses the write (a replica without quorum, or deposed) with its 503 problem, as the Hono route does', async () => {
    // A leader replica's store rejects flush() with ApiError 503 (src/serve/etcd-serve-store.ts);
    // the Hono app's onError turns it into that problem, not a 500.
    const refusal = new ApiError(503, 'Service Unavailable', 'state store unavailable: no quorum');
    const refusing = createFastApply({ control: d.daemon.control, metrics, authorized: bearerChecker(d.token), persist: () => Promise.reject(refusal), bodyLimit: 1024 * 1024, app: d.daemon.app });
    const s = await fastPathServer(refusing);
    try {
      const res = await fetch(s.base + '/v1/workloads', { method: 'POST', headers: headers(), body: JSON.stringify({ spec: spec('refused-write') }) });
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      const body = await res.text();
      expect(JSON.parse(body)).toEqual(problemBody(503, 'state store unavailable: no quorum', {}, '/v1/workloads'));
      api.check('POST', '/v1/workloads', { status: 503, headers: res.headers, body: JSON.parse(body) });
    } finally {
      await new Promise((r) => s.server.close(r));
    }
  });

  it('counts its requests as the Hono route does (route /v1/workloads, method POST, code)', async () => {
    const before = await metrics.registry.getSingleMetricAsString('slipway_api_requests_total');
    const was = Number(/route="\/v1\/workloads",method="POST",code="201"} (\d+)/.exec(before)?.[1] ?? 0);
    expect((await fastPost(JSON.stringify({ spec: spec('counted') }))).status).toBe(201);
    expect(await metrics.registry.getSingleMetricAsString('slipway_api_requests_total')).toContain(`slipway_api_requests_total{route="/v1/workloads",method="POST",code="201"} ${was + 1}`);
  });

  it('answers what it read but does not take with the Hono route\'s own problem', async () => {
    const current = (await d.call('GET', '/v1/workloads/fast-a')).body.revision as number;
    const cases: Array<[string, string]> = [
      ['malformed JSON', '{"spec": {'],
      ['no spec', JSON.stringify({ revision: 1 })],
      ['a spec the API schema refuses', JSON.stringify({ spec: { name: 7 } })],
      ['a spec the scenario schema refuses', JSON.stringify({ spec: { name: 'bad-one', containers: [{ name: 'c' }] } })],
      ['a stale revision', JSON.stringify({ spec: spec('fast-a', 2), revision: current - 1 })],
      ['create-only on an existing workload', JSON.stringify({ spec: spec('fast-a', 2), revision: 0 })],
      ['a kind change', JSON.stringify({ spec: { ...spec('fast-a', 2), kind: 'job' } })],
    ];
    for (const [what, body] of cases) {
      const h = await honoPost(body);
      const f = await fastPost(body);
      expect(f.status, what).toBeGreaterThanOrEqual(400);
      expect(f, what).toEqual(h);
      api.check('POST', '/v1/workloads', { status: f.status, headers: new Headers({ 'content-type': f.type ?? '' }), body: JSON.parse(f.text) });
    }
    expect((await d.call('GET', '/v1/workloads/bad-one')).status).toBe(404);
  });

  it('leaves to the Hono app, unread, every request it does not fully understand', async () => {
    const body = JSON.stringify({ spec: spec('never-applied') });
    const left: Array<[string, Record<string, string>, string?]> = [
      ['no token', { 'content-type': 'application/json' }],
      ['a wrong token', headers({ authorization: 'Bearer wrong' })],
      ['another content type', headers({ 'content-type': 'text/plain' })],
      ['another spelling of JSON', headers({ 'content-type': 'Application/JSON' })],
      ['another route', headers(), '/v1/workloads/never-applied/scale'],
      ['a query', headers(), '/v1/workloads?x=1'],
    ];
    for (const [what, h, path] of left) expect((await fastPost(body, h, path)).status, what).toBe(NOT_TAKEN);
    // A chunked body and one over the limit (both: the Hono app's body limit decides).
    const { port } = new URL(base);
    const raw = (h: Record<string, string | number>, chunks: string[]) =>
      new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: Number(port), method: 'POST', path: '/v1/workloads', headers: h }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        for (const c of chunks) req.write(c);
        req.end();
      });
    expect(await raw(headers(), [body.slice(0, 10), body.slice(10)]), 'chunked').toBe(NOT_TAKEN);
    const big = JSON.stringify({ spec: { ...spec('never-applied'), labels: { pad: 'x'.repeat(1024 * 1024) } } });
    expect(await raw({ ...headers(), 'content-length': Buffer.byteLength(big) }, [big]), 'over the limit').toBe(NOT_TAKEN);
    expect((await d.call('GET', '/v1/workloads/never-applied')).status).toBe(404);
  });
});
