/**
 * The CLI client against replicas (docs/ha.md): a follower answers a write with 307 and the
 * leader's address. The client must follow it with the same method, body and token — fetch's own
 * redirect handling drops the Authorization header on another origin (another port is one), so the
 * leader would answer 401. Two real HTTP servers on loopback stand in for a follower and a leader.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ApiClient, ApiFailure, MAX_REDIRECTS, UnreachableError } from '../../src/cli/client/api-client.js';

const TOKEN = 'redirect-test-token-0123456789';
const servers: Server[] = [];
const seen: Array<{ who: string; method: string; url: string; auth: string | undefined; body: string }> = [];

async function serve(who: string, answer: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<string> {
  const s = createServer((req, res) => {
    let body = '';
    req.on('data', (b: Buffer) => (body += b.toString()));
    req.on('end', () => {
      seen.push({ who, method: req.method!, url: req.url!, auth: req.headers.authorization, body });
      answer(req, res, body);
    });
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

let leader = '';
let follower = '';
let loop = '';
let elsewhere = '';

beforeAll(async () => {
  leader = await serve('leader', (req, res, body) => {
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      res.writeHead(401, { 'content-type': 'application/problem+json' }).end(JSON.stringify({ title: 'Unauthorized', detail: 'missing or wrong bearer token' }));
      return;
    }
    res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json' }).end(JSON.stringify({ served: 'leader', echo: body === '' ? null : JSON.parse(body) }));
  });
  follower = await serve('follower', (req, res) => {
    res.writeHead(307, { location: leader + req.url, 'content-type': 'application/problem+json' }).end(JSON.stringify({ title: 'Temporary Redirect', leader }));
  });
  loop = await serve('loop', (req, res) => {
    res.writeHead(307, { location: loop + req.url }).end('{}');
  });
  elsewhere = await serve('elsewhere', (_req, res) => {
    res.writeHead(307, { location: 'file:///etc/passwd' }).end('{}');
  });
});
afterAll(() => servers.forEach((s) => s.close()));

it('a write sent to a follower reaches the leader with its body and token, and the next request goes to the leader directly', async () => {
  seen.length = 0;
  const client = new ApiClient(follower, TOKEN);
  const spec = { spec: { name: 'web', replicas: 2 } };
  await expect(client.request('POST', '/v1/workloads?dryRun=false', spec)).resolves.toEqual({ served: 'leader', echo: spec });
  expect(seen.map((s) => [s.who, s.method, s.url, s.auth])).toEqual([
    ['follower', 'POST', '/v1/workloads?dryRun=false', `Bearer ${TOKEN}`],
    ['leader', 'POST', '/v1/workloads?dryRun=false', `Bearer ${TOKEN}`],
  ]);
  expect(client.url).toBe(leader);
  await client.request('DELETE', '/v1/workloads/web');
  expect(seen.at(-1)).toMatchObject({ who: 'leader', method: 'DELETE' });
  expect(seen).toHaveLength(3);
});

it('a redirect loop ends after a bounded number of hops with one line', async () => {
  seen.length = 0;
  const err = await new ApiClient(loop, TOKEN).request('GET', '/v1/nodes').catch((e: unknown) => e);
  expect(err).toBeInstanceOf(UnreachableError);
  expect((err as Error).message).toBe(`${loop} redirected more than ${MAX_REDIRECTS} times (last to ${loop}): no replica says it leads`);
  expect(seen).toHaveLength(MAX_REDIRECTS + 1);
});

it('a redirect to something other than http(s) is not followed', async () => {
  const err = await new ApiClient(elsewhere, TOKEN).request('GET', '/v1/nodes').catch((e: unknown) => e);
  expect((err as Error).message).toBe(`${elsewhere} redirected to file:///etc/passwd, which is not an http(s) address`);
});

it('without a token the leader’s 401 comes back as an API failure (the token is what is forwarded, nothing else)', async () => {
  const err = await new ApiClient(follower, undefined).request('GET', '/v1/nodes').catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ApiFailure);
  expect((err as ApiFailure).status).toBe(401);
});
