/**
 * The CLI client against a daemon shedding load (docs/serve.md, "Errors"): an answer 429 or 503
 * with Retry-After means the request was refused, not applied, so the client sends it again after
 * that long — as Kubernetes' client-go does — up to MAX_RETRIES times, saying so on stderr each
 * time. Real HTTP servers on loopback stand in for the busy daemon.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, expect, it } from 'vitest';
import { ApiClient, ApiFailure, MAX_RETRIES, MAX_RETRY_WAIT_S, retryAfterS } from '../../src/cli/client/api-client.js';

const TOKEN = 'retry-test-token-0123456789';
const servers: Server[] = [];

async function serve(answer: (req: IncomingMessage, res: ServerResponse, body: string, n: number) => void): Promise<{ url: string; bodies: string[]; auths: Array<string | undefined> }> {
  const bodies: string[] = [];
  const auths: Array<string | undefined> = [];
  const s = createServer((req, res) => {
    let body = '';
    req.on('data', (b: Buffer) => (body += b.toString()));
    req.on('end', () => {
      bodies.push(body);
      auths.push(req.headers.authorization);
      answer(req, res, body, bodies.length);
    });
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, bodies, auths };
}
afterAll(() => servers.forEach((s) => s.close()));

const busy = (res: ServerResponse, retryAfter?: string) =>
  res
    .writeHead(503, { 'content-type': 'application/problem+json', ...(retryAfter !== undefined ? { 'retry-after': retryAfter } : {}) })
    .end(JSON.stringify({ title: 'Service Unavailable', detail: 'the control plane is 6.0 s behind' }));

it('an apply refused with 503 and Retry-After is sent again, with its body and token, until it is taken', async () => {
  const d = await serve((_req, res, body, n) => (n <= 2 ? busy(res, '0') : res.writeHead(201, { 'content-type': 'application/json' }).end(body)));
  const notices: string[] = [];
  const out = await new ApiClient(d.url, TOKEN, (l) => notices.push(l)).request<{ spec: { name: string } }>('POST', '/v1/workloads', { spec: { name: 'web' } });
  expect(out).toEqual({ spec: { name: 'web' } });
  expect(d.bodies).toEqual(Array(3).fill(JSON.stringify({ spec: { name: 'web' } })));
  expect(d.auths).toEqual(Array(3).fill(`Bearer ${TOKEN}`));
  expect(notices).toHaveLength(2);
  expect(notices[0]).toMatch(/answered 503 .*retrying POST \/v1\/workloads in 0 s \(1 of 10\)/);
  expect(notices[1]).toContain('(2 of 10)');
});

it(`gives up after ${MAX_RETRIES} retries with the daemon's last answer`, async () => {
  const d = await serve((_req, res) => busy(res, '0'));
  const notices: string[] = [];
  const err = await new ApiClient(d.url, TOKEN, (l) => notices.push(l)).request('POST', '/v1/workloads/web/scale', { replicas: 3 }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ApiFailure);
  expect((err as ApiFailure).status).toBe(503);
  expect((err as ApiFailure).message).toBe('the control plane is 6.0 s behind');
  expect(d.bodies).toHaveLength(MAX_RETRIES + 1);
  expect(notices).toHaveLength(MAX_RETRIES);
});

it('a 503 without Retry-After, or another error with one, is not retried', async () => {
  const plain = await serve((_req, res) => busy(res));
  const e1 = await new ApiClient(plain.url, TOKEN, () => {}).request('GET', '/v1/nodes').catch((e: unknown) => e);
  expect((e1 as ApiFailure).status).toBe(503);
  expect(plain.bodies).toHaveLength(1);
  const conflict = await serve((_req, res) => res.writeHead(409, { 'retry-after': '0', 'content-type': 'application/problem+json' }).end(JSON.stringify({ title: 'Conflict', detail: 'stale' })));
  const e2 = await new ApiClient(conflict.url, TOKEN, () => {}).request('POST', '/v1/workloads', {}).catch((e: unknown) => e);
  expect((e2 as ApiFailure).status).toBe(409);
  expect(conflict.bodies).toHaveLength(1);
});

it('a wait ends when the request is aborted (Ctrl-C on `slipway watch`)', async () => {
  const d = await serve((_req, res) => busy(res, '30'));
  const ac = new AbortController();
  const err = await new ApiClient(d.url, TOKEN, () => ac.abort()).raw('GET', '/v1/events/watch', undefined, {}, ac.signal).catch((e: unknown) => e);
  expect((err as Error).name).toBe('AbortError');
  expect(d.bodies).toHaveLength(1);
});

it('Retry-After: delay-seconds or an HTTP date, capped; other statuses and bad values are not waited on', () => {
  const r = (status: number, v?: string) => retryAfterS(new Response(null, { status, headers: v === undefined ? {} : { 'retry-after': v } }));
  expect(r(503, '3')).toBe(3);
  expect(r(429, '0')).toBe(0);
  expect(r(503, '86400')).toBe(MAX_RETRY_WAIT_S);
  expect(r(503, new Date(Date.now() - 5_000).toUTCString())).toBe(0);
  expect(r(503, new Date(Date.now() + 3_600_000).toUTCString())).toBe(MAX_RETRY_WAIT_S);
  expect(r(503, 'soon')).toBeUndefined();
  expect(r(503, '-1')).toBeUndefined();
  expect(r(503)).toBeUndefined();
  expect(r(500, '1')).toBeUndefined();
  expect(r(409, '1')).toBeUndefined();
});
