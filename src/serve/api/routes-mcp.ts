/**
 * `/mcp`: the MCP server over Streamable HTTP on the daemon (stateless: a fresh server and
 * transport per request, JSON answers). It takes the API's bearer token (the auth middleware runs
 * first) and its tools call the API in-process with that same token, so MCP can do exactly what
 * the token can. DNS rebinding (the MCP spec's rule): a request with an Origin header is refused
 * with 403 unless the origin is the daemon's own address (or localhost/127.0.0.1/[::1] on its port
 * when it listens on loopback) or one of `allowedOrigins`.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { createMcpServer, type DaemonApi } from '../mcp/mcp-server.js';
import { problem } from './problem.js';

export interface McpRouteOptions {
  /** The daemon's own URL (`http://127.0.0.1:7420`), known once it listens. */
  readonly selfUrl: () => string;
  /** More origins allowed to call /mcp from a browser (exact `scheme://host:port`). */
  readonly allowedOrigins?: readonly string[];
  /** Serve only the read-only tools. */
  readonly readOnly?: boolean;
}

/** An API error as the MCP tools report it. */
class InProcessFailure extends Error {
  constructor(readonly status: number, readonly problem: { detail?: string; field?: string }) {
    super(problem.detail ?? `HTTP ${status}`);
  }
}

/** The daemon's API called in-process (no socket), with the caller's Authorization header. */
export function inProcessApi(app: OpenAPIHono, authorization: string | undefined): DaemonApi {
  return {
    async request<T>(method: string, path: string, body?: unknown): Promise<T> {
      const res = await app.request(path, {
        method,
        headers: { ...(authorization !== undefined ? { authorization } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = text === '' ? undefined : JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      if (!res.ok) throw new InProcessFailure(res.status, (parsed as { detail?: string; field?: string } | undefined) ?? {});
      return parsed as T;
    },
  };
}

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

/** The origins allowed: the daemon's own, its loopback aliases on the same port, and the configured ones. */
export function allowedOriginsOf(selfUrl: string, extra: readonly string[] = []): Set<string> {
  const u = new URL(selfUrl);
  const out = new Set<string>([u.origin, ...extra]);
  if (LOOPBACK_NAMES.includes(u.hostname)) for (const h of LOOPBACK_NAMES) out.add(`${u.protocol}//${h}${u.port ? `:${u.port}` : ''}`);
  return out;
}

export function registerMcpRoutes(app: OpenAPIHono, options: McpRouteOptions): void {
  app.all('/mcp', async (c) => {
    const origin = c.req.header('origin');
    if (origin !== undefined && !allowedOriginsOf(options.selfUrl(), options.allowedOrigins).has(origin)) {
      return problem(c, 403, `origin ${JSON.stringify(origin)} may not call /mcp (DNS-rebinding protection: only the daemon's own origin)`, { field: 'Origin' });
    }
    const server = createMcpServer(inProcessApi(app, c.req.header('authorization')), { readOnly: options.readOnly ?? false });
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    await server.connect(transport);
    try {
      return await transport.handleRequest(c.req.raw);
    } finally {
      // Stateless: the answer is complete (JSON mode), so the per-request server can go.
      void server.close();
    }
  });
}
