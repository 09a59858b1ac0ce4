/**
 * `/`: the dashboard page (see dashboard/page.ts). The page itself is public — it is the same
 * static document for everyone and holds no cluster data; every figure on it comes from the API
 * with the user's token (given as `/#token=...`, which browsers never send to the server).
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { dashboardPage } from '../dashboard/page.js';

export function registerDashboardRoutes(app: OpenAPIHono): void {
  app.get('/', () => {
    const page = dashboardPage();
    return new Response(page.html, { status: 200, headers: page.headers });
  });
}
