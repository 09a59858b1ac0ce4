/**
 * The hot GET routes answered before the Hono app (src/serve/api/fast-reads.ts): the same bytes,
 * status, content type and metrics as the Hono routes, valid against /openapi.json, and every
 * request it does not fully understand left to the Hono app. Also the body limit, which no longer
 * asks @hono/node-server for a WHATWG Request: declared and chunked oversized bodies are 413.
 */
import { Agent, request, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFastReads } from '../../src/serve/api/fast-reads.js';
import { ServeMetrics } from '../../src/serve/metrics.js';
import { bearerChecker } from '../../src/serve/token.js';
import { fastPathServer, NOT_TAKEN, OpenApiChecker, startTestDaemon, until, type TestDaemon } from './support.js';


describe('fast reads', () => {
  let d: TestDaemon;
  let api: OpenApiChecker;
  let server: Server;
  let base: string;
  const metrics = new ServeMetrics(() => 0);

  beforeAll(async () => {
    d = await startTestDaemon();
    api = new OpenApiChecker((await d.call('GET', '/openapi.json')).body);
    const spec = { name: 'web', replicas: 3, labels: { app: 'web' }, containers: [{ name: 'c', image: 'nginx:1', requests: { cpu: '100m', memory: '64Mi' } }] };
    expect((await d.call('POST', '/v1/workloads', { spec })).status).toBe(201);
    await until(async () => (await d.call('GET', '/v1/workloads/web')).body.status.running === 3, 20_000);
    // The fast path alone, on the daemon's cluster: whatever it does not answer gets 599.
    const fast = createFastReads({ control: d.daemon.control, metrics, authorized: bearerChecker(d.token) });
    ({ server, base } = await fastPathServer(fast));
  });
  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    await d?.stop();
  });

  const fastGet = async (path: string, headers: Record<string, string> = { authorization: `Bearer ${d.token}` }, method = 'GET') => {
    const res = await fetch(base + path, { method, headers });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text };
  };
  /** The same request through the Hono app only (no socket, no fast path). */
  const honoGet = async (path: string) => {
    const res = await d.daemon.app.request(path, { headers: { authorization: `Bearer ${d.token}` } });
    return { status: res.status, headers: res.headers, text: await res.text() };
  };

  it('answers one workload, one instance and instance lists exactly as the Hono routes do', async () => {
    const id = (await d.call('GET', '/v1/instances?workload=web')).body.items[0].id as string;
    const cases: Array<[string, string]> = [
      ['/v1/workloads/web', '/v1/workloads/{name}'],
      [`/v1/instances/${id}`, '/v1/instances/{id}'],
      ['/v1/instances?workload=web', '/v1/instances'],
      ['/v1/instances?workload=nothing-here', '/v1/instances'],
      ['/v1/instances', '/v1/instances'],
    ];
    for (const [path, template] of cases) {
      // The cluster keeps running (sim ×50): compare with the Hono answer just before or just after.
      const before = await honoGet(path);
      const f = await fastGet(path);
      const after = await honoGet(path);
      expect(f.status, path).toBe(200);
      expect(f.headers.get('content-type')).toBe(before.headers.get('content-type'));
      expect([before.text, after.text], path).toContain(f.text);
      expect(Number(f.headers.get('content-length'))).toBe(Buffer.byteLength(f.text));
      api.check('GET', template, { status: f.status, headers: f.headers, body: JSON.parse(f.text) });
    }
  });

  it('counts its requests under the route templates the Hono routes use', async () => {
    const before = await metrics.registry.getSingleMetricAsString('slipway_api_requests_total');
    const was = Number(/route="\/v1\/workloads\/:name",method="GET",code="200"} (\d+)/.exec(before)?.[1] ?? 0);
    for (let i = 0; i < 3; i++) expect((await fastGet('/v1/workloads/web')).status).toBe(200);
    expect((await fastGet('/v1/instances?workload=web')).status).toBe(200);
    const text = await metrics.registry.getSingleMetricAsString('slipway_api_requests_total');
    expect(text).toContain(`slipway_api_requests_total{route="/v1/workloads/:name",method="GET",code="200"} ${was + 3}`);
    // The Hono route's label for the same route, on the daemon's own metrics.
    await d.call('GET', '/v1/workloads/nothing-here');
    expect((await d.call('GET', '/metrics')).text).toContain('slipway_api_requests_total{route="/v1/workloads/:name",method="GET",code="404"}');
    expect(await metrics.registry.getSingleMetricAsString('slipway_api_request_duration_seconds')).toMatch(/slipway_api_request_duration_seconds_count\{route="\/v1\/instances",method="GET"\} [1-9]/);
  });

  it('leaves to the Hono app every request it does not fully understand', async () => {
    const token = { authorization: `Bearer ${d.token}` };
    const left: Array<[string, Record<string, string>, string?]> = [
      ['/v1/workloads/web', {}],
      ['/v1/workloads/web', { authorization: 'Bearer wrong' }],
      ['/v1/workloads/web', { authorization: `Bearer ${d.token}x` }],
      ['/v1/workloads/nothing-here', token],
      ['/v1/instances/nothing-here', token],
      ['/v1/workloads/w%65b', token],
      ['/v1/workloads/web?x=1', token],
      ['/v1/workloads/', token],
      ['/v1/instances?workload=web&status=Running', token],
      ['/v1/instances?node=node-1', token],
      ['/v1/instances?workload=', token],
      ['/v1/workloads', token],
      ['/v1/nodes', token],
      ['/healthz', token],
      ['/v1/workloads/web', token, 'HEAD'],
      ['/v1/workloads/web', token, 'DELETE'],
    ];
    for (const [path, headers, method] of left) expect((await fastGet(path, headers, method)).status, `${method ?? 'GET'} ${path}`).toBe(NOT_TAKEN);
  });

  it('checks the token of every request on a keep-alive connection that presented a valid one before', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const { port } = new URL(base);
    const get = (authorization?: string) =>
      new Promise<{ status: number; localPort: number }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: Number(port), path: '/v1/workloads/web', agent, headers: authorization !== undefined ? { authorization } : {} }, (res) => {
          const localPort = res.socket.localPort ?? 0;
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, localPort }));
        });
        req.on('error', reject);
        req.end();
      });
    try {
      const first = await get(`Bearer ${d.token}`);
      expect(first.status).toBe(200);
      for (const wrong of ['Bearer wrong', `Bearer ${d.token.slice(0, -1)}`, `Bearer ${d.token}0`, undefined]) {
        const r = await get(wrong);
        expect(r.localPort, 'the same connection').toBe(first.localPort);
        expect(r.status, String(wrong)).toBe(NOT_TAKEN);
      }
      expect((await get(`Bearer ${d.token}`)).status).toBe(200);
      // Another spelling of the same token is checked (and accepted) in full.
      expect((await get(`bearer  ${d.token}`)).status).toBe(200);
    } finally {
      agent.destroy();
    }
  });

  it('the daemon still answers what the fast path leaves: 401 without the token, 404 for a missing workload', async () => {
    const no = await fetch(`${d.url}/v1/workloads/web`);
    expect(no.status).toBe(401);
    expect(no.headers.get('content-type')).toBe('application/problem+json');
    const missing = await d.call('GET', '/v1/workloads/nothing-here');
    expect(missing.status).toBe(404);
    api.check('GET', '/v1/workloads/{name}', missing);
    expect((await d.call('GET', '/v1/workloads/w%65b')).body.name).toBe('web');
  });

  it('refuses oversized bodies with 413, declared or chunked, and accepts a chunked body within the limit', async () => {
    const { hostname, port } = new URL(d.url);
    const post = (chunks: string[], declared: boolean) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const total = chunks.reduce((a, c) => a + Buffer.byteLength(c), 0);
        const req = request(
          { host: hostname, port: Number(port), method: 'POST', path: '/v1/workloads', headers: { authorization: `Bearer ${d.token}`, 'content-type': 'application/json', ...(declared ? { 'content-length': total } : {}) } },
          (res) => {
            let body = '';
            res.on('data', (c: Buffer) => (body += c.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          },
        );
        // An early 413 may close the connection while we still write.
        req.on('error', (e: NodeJS.ErrnoException) => (e.code === 'EPIPE' || e.code === 'ECONNRESET' ? undefined : reject(e)));
        for (const c of chunks) req.write(c);
        req.end();
      });
    const big = JSON.stringify({ spec: { name: 'big', containers: [{ name: 'c', image: 'i' }], labels: { pad: 'x'.repeat(1024 * 1024) } } });
    const parts = [big.slice(0, 1000), big.slice(1000, 600_000), big.slice(600_000)];
    for (const declared of [true, false]) {
      const r = await post(parts, declared);
      expect(r.status, `declared=${declared}`).toBe(413);
      expect(JSON.parse(r.body).detail).toMatch(/request body larger than 1048576 bytes/);
    }
    const small = JSON.stringify({ spec: { name: 'chunked', replicas: 1, containers: [{ name: 'c', image: 'i' }] } });
    const ok = await post([small.slice(0, 10), small.slice(10)], false);
    expect(ok.status, ok.body).toBe(201);
    expect(JSON.parse(ok.body).name).toBe('chunked');
  });
});
