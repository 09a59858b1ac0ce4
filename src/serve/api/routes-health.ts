/** /healthz (no token: the process answers), /readyz (ready + why, role, leader), /metrics. */
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import type { ApiContext } from './app.js';
import { Health, Problem, Ready } from './schemas.js';

const problemContent = { 'application/problem+json': { schema: Problem } };

export function registerHealthRoutes(app: OpenAPIHono, ctx: ApiContext): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/healthz',
      summary: 'Liveness: the daemon answers (no token needed)',
      security: [],
      responses: { 200: { description: 'alive', content: { 'application/json': { schema: Health } } } },
    }),
    (c) => c.json({ ok: true }, 200),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/readyz',
      summary: 'Readiness, with the reasons when not ready, and this replica\'s role',
      responses: {
        200: { description: 'ready', content: { 'application/json': { schema: Ready } } },
        401: { description: 'no or wrong token', content: problemContent },
        503: { description: 'not ready (reasons say why)', content: { 'application/json': { schema: Ready } } },
      },
    }),
    (c) => {
      const r = ctx.control.readiness();
      return r.ready ? c.json(r, 200) : c.json(r, 503);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/metrics',
      summary: 'Prometheus metrics (text exposition format)',
      responses: {
        200: { description: 'metrics', content: { 'text/plain': { schema: z.string() } } },
        401: { description: 'no or wrong token', content: problemContent },
      },
    }),
    async (c) => c.text(await ctx.metrics.registry.metrics(), 200, { 'content-type': ctx.metrics.registry.contentType }),
  );
}
