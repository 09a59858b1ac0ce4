/**
 * `slipway logs` / `GET /v1/instances/{id}/logs` on the OCI backend (runc): the container's
 * stdout and stderr are the bundle's `log` file, returned as lines (interleaved as written).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/serve/config.js';
import { startDaemon, type Daemon } from '../../src/serve/daemon.js';
import { LIVE, LIVE_SKIP_REASON, OCI_RUNTIME, ROOTFS } from '../support/backends.js';
import { until } from '../serve/support.js';

const dir = mkdtempSync(join(tmpdir(), 'slipway-serve-oci-logs-'));
let daemon: Daemon | undefined;
afterAll(async () => {
  await daemon?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!LIVE)(`slipway serve --backend oci: logs${LIVE ? '' : ` (skipped: ${LIVE_SKIP_REASON})`}`, { timeout: 180_000 }, () => {
  it("returns what the container wrote to stdout and stderr, and --tail's last lines", async () => {
    const file = join(dir, 'slipway.yaml');
    const identity = `oci-logs-${process.pid}`;
    writeFileSync(file, `backend: oci\nnodes:\n  - name: ${identity}\n    oci: {runtime: ${OCI_RUNTIME}, root: ${join(dir, 'root')}, rootfs: ${ROOTFS}}\n    capacity: {cpu: 1, memory: 1Gi}\n`);
    daemon = await startDaemon(loadConfig({ file, env: {}, flags: { listen: '127.0.0.1:0', state: join(dir, 'state') } }), { log: () => {} });
    const d = daemon;
    const call = async (method: string, path: string, body?: unknown) => {
      const r = await fetch(d.url + path, { method, headers: { authorization: `Bearer ${d.token.token}`, 'content-type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
      return { status: r.status, body: (await r.json()) as any };
    };
    const spec = { name: 'echo', containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'echo out-1; echo err-1 >&2; echo out-2; sleep 3600'] }] };
    expect((await call('POST', '/v1/workloads', { spec })).status).toBe(201);
    const inst = await until(async () => (await call('GET', '/v1/instances?workload=echo')).body.items.find((i: { status: string }) => i.status === 'Running'), 60_000, 'the instance runs');
    const logs = await until(async () => {
      const r = await call('GET', `/v1/instances/${inst.id}/logs`);
      return r.status === 200 && r.body.lines.length >= 3 ? r.body : undefined;
    }, 30_000, 'three lines of output');
    expect(logs.container).toBe('c');
    expect(logs.lines).toEqual(['out-1', 'err-1', 'out-2']);
    expect((await call('GET', `/v1/instances/${inst.id}/logs?tail=1`)).body.lines).toEqual(['out-2']);
    expect((await call('DELETE', '/v1/workloads/echo')).status).toBe(200);
    await until(async () => (await call('GET', '/v1/instances?workload=echo')).body.items.length === 0, 60_000, 'the instance is gone');
  });
});
