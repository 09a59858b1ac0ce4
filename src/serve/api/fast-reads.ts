/**
 * The hot read routes answered straight from Node's request, before the Hono app: one workload
 * (`GET /v1/workloads/{name}`), one instance (`GET /v1/instances/{id}`) and the instance list
 * (`GET /v1/instances`, unfiltered or `?workload=NAME`).
 *
 * Why: a GET through @hono/node-server + Hono + the zod validators cost the daemon about 0.29 ms of
 * CPU, and a CPU profile put a third of the non-kernel part in the adapter (Request/Response
 * objects), Hono's middleware chain and the validators, for a handler that is a map lookup and a
 * `JSON.stringify` (docs/performance.md). This path does the same work without them.
 *
 * It only ever answers the plain success: a valid bearer token, a path and query it fully
 * understands (no percent-encoding, no other query parameter), and an object that exists. Everything
 * else — no or a wrong token, 404, a malformed query, HEAD, another route — returns false and the
 * request goes to the Hono app, which answers exactly as before (the same 401/404/400 problems).
 * The success body is the same object the Hono route serialises (the handlers call the same
 * ClusterControl methods), with the same status, `content-type: application/json` and the same
 * request metrics (route template, method, code, duration), so a client cannot tell the two paths
 * apart; test/serve/fast-reads.test.ts checks that byte for byte and against /openapi.json.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { ClusterControl } from '../control.js';
import type { ServeMetrics } from '../metrics.js';

/** Answers `req` and returns true, or returns false having written nothing. */
export type FastReads = (req: IncomingMessage, res: ServerResponse) => boolean;

/** Names and ids the fast path takes as they are: anything else (%-escapes, `..`) goes to Hono. */
const PLAIN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function createFastReads(o: { control: ClusterControl; metrics: ServeMetrics; authorized: (header: string | undefined) => boolean }): FastReads {
  const { control, metrics, authorized } = o;
  const proven = new WeakMap<Socket, string>();
  const send = (res: ServerResponse, route: string, start: number, body: unknown): true => {
    const text = JSON.stringify(body);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
    metrics.request(route, 'GET', 200, (performance.now() - start) / 1000);
    return true;
  };
  return (req, res) => {
    if (req.method !== 'GET') return false;
    const url = req.url ?? '';
    if (!url.startsWith('/v1/')) return false;
    const start = performance.now();
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const query = q < 0 ? '' : url.slice(q + 1);
    let route: string;
    let read: () => unknown;
    if (path.startsWith('/v1/workloads/')) {
      const name = path.slice('/v1/workloads/'.length);
      if (query !== '' || !PLAIN.test(name)) return false;
      route = '/v1/workloads/:name';
      read = () => control.getWorkload(name);
    } else if (path.startsWith('/v1/instances/')) {
      const id = path.slice('/v1/instances/'.length);
      if (query !== '' || !PLAIN.test(id)) return false;
      route = '/v1/instances/:id';
      read = () => control.getInstance(id);
    } else if (path === '/v1/instances') {
      let workload: string | undefined;
      if (query !== '') {
        if (!query.startsWith('workload=')) return false;
        workload = query.slice('workload='.length);
        if (!PLAIN.test(workload)) return false;
      }
      route = '/v1/instances';
      read = () => ({ revision: control.events.revision, items: control.listInstances(workload !== undefined ? { workload } : {}) });
    } else {
      return false;
    }
    // A keep-alive connection that presented the token once is not made to hash it again: a
    // header equal to the one this same connection already proved is accepted. (The comparison
    // is with the client's own earlier header, so its timing tells nothing to anyone without the
    // token: a different header takes the constant-time check.)
    const header = req.headers.authorization;
    if (header === undefined) return false;
    if (proven.get(req.socket) !== header) {
      if (!authorized(header)) return false;
      proven.set(req.socket, header);
    }
    let body: unknown;
    try {
      body = read();
    } catch {
      // Not found (or any refusal): the Hono route answers with its problem.
      return false;
    }
    return send(res, route, start, body);
  };
}
