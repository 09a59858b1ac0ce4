/**
 * `npm run bench -- api --in-process`: the API's own cost, without HTTP. The daemon runs in this
 * process on the sim backend (200 nodes, virtual time ×20); requests go straight to the Hono app
 * (`app.fetch(new Request(...))`: routing, auth, zod validation, the handler, JSON), one at a time,
 * so the CPU time of a loop divided by its count is what one request costs the daemon's thread
 * (user + system, including the group-committed state writes and whatever the sim pump ran in
 * the meantime). The same phases as the HTTP bench.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/serve/config.js';
import { startDaemon } from '../src/serve/daemon.js';
import type { ApiBenchOptions } from './api.js';

export async function benchApiInProcess(o: ApiBenchOptions): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-bench-api-'));
  const nodes = 200;
  const file = join(dir, 'slipway.yaml');
  writeFileSync(file, `nodes:\n  - {name: "node-{i:3}", count: ${nodes}, capacity: {cpu: 64, memory: 256Gi}}\n`);
  const config = loadConfig({ file, env: {}, flags: { listen: '127.0.0.1:0', state: join(dir, 'state'), speed: '20', token: 'bench-token-0123456789abcdef' } });
  const daemon = await startDaemon(config, { log: () => {} });
  const deadline = Date.now() + o.timeoutS * 1000;
  const headers = { authorization: 'Bearer bench-token-0123456789abcdef', 'content-type': 'application/json' };
  const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> => {
    const res = await daemon.app.fetch(new Request(`http://127.0.0.1${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) }));
    return { status: res.status, text: await res.text() };
  };
  const spec = (i: number, gen = 0) => ({
    name: `w${String(i).padStart(4, '0')}`,
    replicas: o.replicas,
    labels: { app: `a${i % 10}` },
    containers: [{ name: 'c', image: 'nginx:1', env: { GEN: String(gen) }, requests: { cpu: '100m', memory: '64Mi' } }],
  });
  /** `n` requests one after the other: CPU ms per request and wall requests/s. */
  const timed = async (what: string, n: number, make: (i: number) => Promise<{ status: number; text: string }>, want: number): Promise<void> => {
    let session: Session | undefined;
    if (o.profileDir !== undefined) {
      session = new Session();
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
    }
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      if (Date.now() > deadline) throw new Error('bench api --in-process: --timeout reached');
      const r = await make(i);
      if (r.status !== want) throw new Error(`${what} ${i}: HTTP ${r.status}: ${r.text.slice(0, 200)}`);
    }
    const c = process.cpuUsage(c0);
    const wall = (performance.now() - t0) / 1000;
    const cpuMs = (c.user + c.system) / 1000;
    if (session) {
      const { profile } = await session.post('Profiler.stop');
      mkdirSync(o.profileDir!, { recursive: true });
      writeFileSync(join(o.profileDir!, `api-${what.replace(/[^a-z0-9]+/gi, '-')}.cpuprofile`), JSON.stringify(profile));
      session.disconnect();
    }
    console.log(`api in-process ${what}: n=${n} cpu_ms_per_req=${(cpuMs / n).toFixed(3)} (${Math.round(n / (cpuMs / 1000))}/s of CPU) wall_s=${wall.toFixed(2)} per_s=${Math.round(n / wall)}`);
  };
  try {
    await timed('apply(create)', o.workloads, (i) => call('POST', '/v1/workloads', { spec: spec(i) }), 201);
    const want = o.workloads * o.replicas;
    for (;;) {
      const r = JSON.parse((await call('GET', '/v1/workloads')).text) as { items: Array<{ status: { running: number } }> };
      if (r.items.reduce((a, w) => a + w.status.running, 0) >= want) break;
      if (Date.now() > deadline) throw new Error('bench api --in-process: instances not running at --timeout');
      await new Promise((res) => setTimeout(res, 500));
    }
    const name = (i: number) => `w${String((i * 7919) % o.workloads).padStart(4, '0')}`;
    await timed('get(workload)', o.gets, (i) => call('GET', `/v1/workloads/${name(i)}`), 200);
    await timed(`list(${o.workloads} workloads)`, o.lists, () => call('GET', '/v1/workloads'), 200);
    await timed('list(instances of a workload)', o.gets, (i) => call('GET', `/v1/instances?workload=${name(i)}`), 200);
    await timed('apply(update: new generation)', o.updates, (i) => call('POST', '/v1/workloads', { spec: spec(i % o.workloads, 1 + Math.floor(i / o.workloads)) }), 200);
  } finally {
    await daemon.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
