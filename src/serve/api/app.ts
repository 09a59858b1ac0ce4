/**
 * The HTTP API: a Hono app (OpenAPIHono) whose routes are declared with zod schemas, so requests
 * are validated and /openapi.json (OpenAPI 3.1) is generated from the same declarations.
 *
 * Middleware, in order: request metrics → bearer-token auth (all but /healthz and the dashboard page /) → body limit (413)
 * → the route. Errors become RFC 9457 problems (problem.ts); nothing internal leaks.
 *
 * Adding a route: write `registerXRoutes(app, ctx)` in a routes-*.ts file next to this one,
 * declare it with `createRoute` (schemas in schemas.ts), reach the cluster through `ctx.control`
 * (ClusterControl), and call it from `createApi` below.
 */
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { bodyLimit } from 'hono/body-limit';
import { SLIPWAY_VERSION } from '../../version.js';
import type { ClusterControl } from '../control.js';
import type { ServeMetrics } from '../metrics.js';
import { bearerChecker } from '../token.js';
import { errorProblem, problem, validationProblem } from './problem.js';
import { registerClusterRoutes } from './routes-cluster.js';
import { registerHealthRoutes } from './routes-health.js';
import { registerWorkloadRoutes } from './routes-workloads.js';
import { registerDashboardRoutes } from './routes-dashboard.js';
import { registerMcpRoutes } from './routes-mcp.js';
import { registerSimulateRoutes } from './routes-simulate.js';

/** What every route handler may use. */
export interface ApiContext {
  readonly control: ClusterControl;
  readonly metrics: ServeMetrics;
  /** Resolves once acknowledged changes are durable (the store's group commit). */
  readonly persist: () => Promise<void>;
  /** Aborted when the daemon shuts down (watch streams end). */
  readonly shutdown: AbortSignal;
}

export interface ApiOptions {
  readonly token: string;
  readonly bodyLimit: number;
  /** Where POST /v1/simulate writes its scenario files (default: a folder under the OS temp dir). */
  readonly whatIfDir?: string;
  /** The daemon's own URL once it listens: /mcp accepts browser requests from this origin only. */
  readonly selfUrl?: () => string;
}

export type ApiApp = OpenAPIHono;

/** Paths reachable without a token. */
const PUBLIC = new Set(['/healthz', '/']);

export function createApi(ctx: ApiContext, options: ApiOptions): ApiApp {
  const app = new OpenAPIHono({
    defaultHook: (result, c) => {
      if (!result.success) return validationProblem(c, result.error, result.target);
      return undefined;
    },
  });
  const authorized = bearerChecker(options.token);

  app.use('*', async (c, next) => {
    const start = performance.now();
    await next();
    const route = c.req.routePath && c.req.routePath !== '*' && c.req.routePath !== '/*' ? c.req.routePath : 'unmatched';
    ctx.metrics.request(route, c.req.method, c.res.status, (performance.now() - start) / 1000);
  });
  app.use('*', async (c, next) => {
    if (PUBLIC.has(c.req.path)) return next();
    if (!authorized(c.req.header('authorization'))) {
      return problem(c, 401, 'a bearer token is required: Authorization: Bearer <token> (see STATE/token, SLIPWAY_TOKEN)', {}, { 'www-authenticate': 'Bearer realm="slipway"' });
    }
    return next();
  });
  const limitBody = bodyLimit({
    maxSize: options.bodyLimit,
    // The rest of the body is not read: the connection cannot carry another request.
    onError: (c) => problem(c, 413, `request body larger than ${options.bodyLimit} bytes (bodyLimit)`, {}, { connection: 'close' }),
  });
  // A GET or HEAD request has no body (fetch's Request never carries one), so the limit has
  // nothing to check. A body with a Content-Length (and no Transfer-Encoding) is checked from
  // Node's parsed headers, as Hono's bodyLimit would check it (Node's parser then delivers
  // exactly that many bytes), without touching `c.req.raw.body`: asking for it makes
  // @hono/node-server build a full WHATWG Request and a web stream from the Node request (about
  // a quarter of a GET's CPU, a tenth of an apply's), where the JSON validator otherwise reads
  // the body directly. Chunked bodies go through Hono's bodyLimit, which counts while reading.
  app.use('*', async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const headers = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.headers;
    const length = headers?.['content-length'];
    if (headers !== undefined && length !== undefined && headers['transfer-encoding'] === undefined) {
      return parseInt(length, 10) > options.bodyLimit ? problem(c, 413, `request body larger than ${options.bodyLimit} bytes (bodyLimit)`, {}, { connection: 'close' }) : next();
    }
    return limitBody(c, next);
  });

  registerHealthRoutes(app, ctx);
  registerWorkloadRoutes(app, ctx);
  registerClusterRoutes(app, ctx);
  registerSimulateRoutes(app, ctx, options.whatIfDir ?? join(tmpdir(), 'slipway-what-if'));
  registerMcpRoutes(app, { selfUrl: options.selfUrl ?? (() => 'http://127.0.0.1') });
  registerDashboardRoutes(app);

  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Slipway API',
      version: SLIPWAY_VERSION,
      description: 'The Slipway orchestrator daemon (slipway serve). Every object carries a revision; mutations may name the revision last read (check-and-set, 409 when stale). Errors are RFC 9457 problem+json.',
    },
    security: [{ bearer: [] }],
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });

  app.notFound((c) => problem(c, 404, `no route for ${c.req.method} ${c.req.path}`));
  app.onError((e, c: Context) => {
    if (e instanceof HTTPException) {
      const status = e.status >= 400 && e.status < 500 ? e.status : 400;
      const detail = /malformed json/i.test(e.message) ? 'body: malformed JSON' : e.message || 'bad request';
      return problem(c, status, detail);
    }
    if (!(e instanceof Error && (e.name === 'ApiError' || e.name === 'SpecError'))) {
      // Logged for the operator (never sent): one line, no token, no body.
      process.stderr.write(`slipway serve: ${c.req.method} ${c.req.path}: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    }
    return errorProblem(c, e);
  });
  return app;
}
