/**
 * Overload (ClusterControl.refuseWhileBehind): while the control plane is more than
 * OVERLOAD_LAG_MS behind its clock, changes that would give it more work are refused with 503 and
 * Retry-After (valid against /openapi.json), on the fast path and the Hono route alike; reads,
 * deletes and applies that change nothing still go through, and once it has caught up applies are
 * taken again. The lag is the runtime's own report (slipway_control_plane_lag_seconds), set here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OVERLOAD_LAG_MS } from '../../src/serve/control.js';
import type { ServeRuntime } from '../../src/serve/backend.js';
import { OpenApiChecker, startTestDaemon, type TestDaemon } from './support.js';

const spec = (name: string, image = 'nginx:1', replicas = 2) => ({ name, replicas, labels: { app: name }, containers: [{ name: 'c', image, requests: { cpu: '100m', memory: '64Mi' } }] });

describe('overload', () => {
  let d: TestDaemon;
  let api: OpenApiChecker;
  let lag: (() => number) | undefined;
  /** The runtime's lag report, replaced while `behindMs` is set. */
  let behindMs: number | undefined;

  beforeAll(async () => {
    d = await startTestDaemon();
    api = new OpenApiChecker((await d.call('GET', '/openapi.json')).body);
    const rt = d.daemon.backend as { lagMs?: ServeRuntime['lagMs'] };
    lag = rt.lagMs;
    rt.lagMs = () => behindMs ?? lag?.() ?? 0;
  });
  afterAll(async () => {
    await d?.stop();
  });

  it('refuses creates, new generations and scales with 503 and Retry-After while the control plane is far behind, and takes them again once it caught up', async () => {
    const created = await d.call('POST', '/v1/workloads', { spec: spec('web') });
    expect(created.status).toBe(201);

    behindMs = OVERLOAD_LAG_MS + 1_000;
    const refused = await d.call('POST', '/v1/workloads', { spec: spec('db') });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect(refused.headers.get('retry-after')).toBe('4');
    expect(refused.body.detail).toMatch(/control plane is 6\.0 s behind .*retry in 4 s/);
    api.check('POST', '/v1/workloads', refused);
    // A new generation and a scale add work too; the same spec again does not.
    const update = await d.call('POST', '/v1/workloads', { spec: spec('web', 'nginx:2') });
    expect(update.status).toBe(503);
    const scale = await d.call('POST', '/v1/workloads/web/scale', { replicas: 5 });
    expect(scale.status).toBe(503);
    expect(scale.headers.get('retry-after')).toBe('4');
    api.check('POST', '/v1/workloads/{name}/scale', scale);
    const same = await d.call('POST', '/v1/workloads', { spec: spec('web') });
    expect(same.status).toBe(200);
    expect((await d.call('GET', '/v1/workloads/web')).status).toBe(200);
    // Nothing was taken: no db, web still at generation 1 with 2 replicas.
    expect((await d.call('GET', '/v1/workloads/db')).status).toBe(404);
    const web = await d.call('GET', '/v1/workloads/web');
    expect(web.body.spec.replicas).toBe(2);
    expect(web.body.spec.containers[0].image).toBe('nginx:1');
    // The Hono route (no fast path) answers the same.
    const viaHono = await d.daemon.app.request('/v1/workloads', { method: 'POST', headers: { authorization: `Bearer ${d.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ spec: spec('db') }) });
    expect(viaHono.status).toBe(503);
    expect(viaHono.headers.get('retry-after')).toBe('4');

    behindMs = OVERLOAD_LAG_MS; // not more than the bound: taken
    expect((await d.call('POST', '/v1/workloads', { spec: spec('db') })).status).toBe(201);
    behindMs = undefined;
    expect((await d.call('POST', '/v1/workloads/web/scale', { replicas: 3 })).status).toBe(200);
  });

  it('still deletes while overloaded (a delete takes work away)', async () => {
    behindMs = OVERLOAD_LAG_MS * 3;
    try {
      const del = await d.call('DELETE', '/v1/workloads/db');
      expect(del.status).toBe(200);
    } finally {
      behindMs = undefined;
    }
  });
});
