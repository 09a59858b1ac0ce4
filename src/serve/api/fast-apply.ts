/**
 * `POST /v1/workloads` (apply) answered straight from Node's request, before the Hono app, when it
 * is the plain case: a valid bearer token, `content-type: application/json`, a declared
 * `Content-Length` within the body limit (no chunked body), a body that parses as JSON and passes
 * the route's own zod schema (ApplyRequest), and an apply the cluster accepts.
 *
 * Why: through @hono/node-server + Hono's middleware chain + the json validator, the API's share
 * of an apply was about 1 ms of the daemon's thread, of which the adapter (WHATWG Request/Response
 * objects), the middleware and the response conversion were about half (docs/performance.md);
 * the work the apply needs — JSON, the schema checks, `ClusterControl.applyWorkload`, the group
 * commit — is the same here.
 *
 * Anything else goes to the Hono app untouched when nothing was read yet (another route or method,
 * no or a wrong token, another content type, no or too large a Content-Length), or is replayed to
 * it with the body read here (malformed JSON, a schema problem, or an apply the cluster refuses:
 * such a refusal changes nothing, so the Hono route decides again and answers its problem). A
 * success has the Hono route's status (201 created, 200 updated or unchanged), bytes,
 * `content-type: application/json` and request metrics, and is sent once the change is durable
 * (the same `persist` the route awaits); test/serve/fast-apply.test.ts compares both paths.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiApp } from './app.js';
import { ApiError, type ClusterControl } from '../control.js';
import type { ServeMetrics } from '../metrics.js';
import { apiErrorExtra, problemBody } from './problem.js';
import { ApplyRequest } from './schemas.js';

/** Takes `req` (and answers it, now or later) and returns true, or returns false having read and written nothing. */
export type FastApply = (req: IncomingMessage, res: ServerResponse) => boolean;

const ROUTE = '/v1/workloads';

export interface FastApplyOptions {
  readonly control: ClusterControl;
  readonly metrics: ServeMetrics;
  readonly authorized: (header: string | undefined) => boolean;
  /** Resolves once acknowledged changes are durable (the store's group commit). */
  readonly persist: () => Promise<void>;
  readonly bodyLimit: number;
  /** Where requests this path read but does not answer are replayed. */
  readonly app: ApiApp;
}

/** What clients send (`fetch`, the CLI, curl -H): any other spelling goes to the Hono app. */
function isJson(type: string | undefined): boolean {
  return type === 'application/json' || type === 'application/json; charset=utf-8' || type === 'application/json;charset=utf-8';
}

export function createFastApply(o: FastApplyOptions): FastApply {
  const { control, metrics, authorized, persist, bodyLimit, app } = o;

  /** Hands a request whose body was read here to the Hono app, and writes its answer. */
  const replay = async (req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> => {
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) {
      if (v === undefined || k === 'content-length' || k === 'host' || k === 'connection' || k === 'transfer-encoding') continue;
      for (const one of Array.isArray(v) ? v : [v]) headers.append(k, one);
    }
    const r = await app.fetch(new Request(`http://${req.headers.host ?? '127.0.0.1'}${ROUTE}`, { method: 'POST', headers, body }));
    const out = Buffer.from(await r.arrayBuffer());
    const head: Record<string, string> = {};
    r.headers.forEach((v, k) => (head[k] = v));
    res.writeHead(r.status, { ...head, 'content-length': out.length });
    res.end(out);
  };

  const answer = async (req: IncomingMessage, res: ServerResponse, start: number, body: Buffer): Promise<void> => {
    let request: { spec: Record<string, unknown>; revision?: number | undefined };
    let r: ReturnType<ClusterControl['applyWorkload']>;
    try {
      const parsed = ApplyRequest.safeParse(JSON.parse(body.toString('utf8')));
      if (!parsed.success) return await replay(req, res, body);
      request = parsed.data;
      r = control.applyWorkload(request.spec, request.revision);
    } catch {
      // Malformed JSON, or refused (nothing changed): the Hono route answers its problem.
      return await replay(req, res, body);
    }
    let status = r.created ? 201 : 200;
    let text: string;
    let type = 'application/json';
    try {
      await persist();
      text = JSON.stringify(r.resource);
    } catch (e) {
      // As the Hono app's onError: a refusal (a replica's store without quorum, or deposed: 503)
      // is its problem; anything else is logged for the operator (never sent), a 500 problem.
      type = 'application/problem+json';
      if (e instanceof ApiError) {
        status = e.status;
        text = JSON.stringify(problemBody(e.status, e.message, apiErrorExtra(e), ROUTE));
      } else {
        process.stderr.write(`slipway serve: POST ${ROUTE}: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
        status = 500;
        text = JSON.stringify(problemBody(500, "internal error (see the daemon's log)", {}, ROUTE));
      }
    }
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) });
    res.end(text);
    metrics.request(ROUTE, 'POST', status, (performance.now() - start) / 1000);
  };

  return (req, res) => {
    if (req.method !== 'POST' || req.url !== ROUTE) return false;
    const h = req.headers;
    if (h['transfer-encoding'] !== undefined || !isJson(h['content-type'])) return false;
    const lengthText = h['content-length'];
    if (lengthText === undefined || !/^\d+$/.test(lengthText)) return false;
    const length = Number(lengthText);
    if (length > bodyLimit || length === 0) return false;
    if (!authorized(h.authorization)) return false;
    const start = performance.now();
    // Node's parser delivers exactly Content-Length bytes.
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      answer(req, res, start, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)).catch((e: unknown) => {
        process.stderr.write(`slipway serve: POST ${ROUTE}: ${e instanceof Error ? e.message : String(e)}\n`);
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'application/problem+json' });
          res.end(JSON.stringify(problemBody(500, "internal error (see the daemon's log)", {}, ROUTE)));
        } else res.destroy();
      });
    });
    req.on('error', () => res.destroy());
    return true;
  };
}
