/**
 * The CLI client against a real daemon in a child process (`slipway serve` on the sim backend):
 * apply, get, describe, scale, cordon/drain, watch, delete; errors placed in the applied file;
 * SIGTERM stops the daemon with exit 0, and a restarted daemon keeps the desired state and
 * continues the revisions.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, startServeProcess } from '../support/processes.js';

const dir = mkdtempSync(join(tmpdir(), 'slipway-cli-client-'));
const state = join(dir, 'state');

const startServe = () => startServeProcess(['--listen', '127.0.0.1:0', '--state', state, '--speed', '50']);

let url = '';
const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, SLIPWAY_SERVER: url, SLIPWAY_STATE: state, SLIPWAY_TOKEN: '' }, timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
/** A workload's status straight from the API (polling through the CLI would start a process each time). */
const status = async (name: string): Promise<{ desired: number; running: number } | undefined> => {
  const token = readFileSync(join(state, 'token'), 'utf8').trim();
  // A refused or reset connection (the daemon busy starting containers) is one more poll, not a failure.
  const r = await fetch(`${url}/v1/workloads/${name}`, { headers: { authorization: `Bearer ${token}` } }).catch(() => undefined);
  if (r === undefined) return undefined;
  return r.ok ? ((await r.json()) as { status: { desired: number; running: number } }).status : undefined;
};
const until = async (f: () => boolean | Promise<boolean>, ms = 60_000) => {
  const end = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
};

// Each CLI call starts a process: slow on a loaded machine.
describe('slipway CLI client against slipway serve', { timeout: 600_000 }, () => {
  let daemon: Awaited<ReturnType<typeof startServe>>;
  beforeAll(async () => {
    daemon = await startServe();
    url = daemon.url;
  });
  afterAll(async () => {
    if (daemon.child.exitCode === null) await daemon.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes the generated token with mode 0600 and never prints it', () => {
    const token = readFileSync(join(state, 'token'), 'utf8').trim();
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(join(state, 'token')).mode & 0o777).toBe(0o600);
    expect(daemon.log()).not.toContain(token);
  });

  it('applies a scenario\'s workloads, lists them, scales, drains and describes', async () => {
    const scenario = join(dir, 'scenario.yaml');
    writeFileSync(scenario, 'name: s\nduration: 1m\nnodes: [{name: n, capacity: {cpu: 4, memory: 8Gi}}]\nworkloads:\n  - name: web\n    at: 10s\n    replicas: 3\n    labels: {app: web}\n    containers: [{name: c, image: nginx, requests: {cpu: 500m, memory: 256Mi}}]\n  - name: api\n    replicas: 1\n    containers: [{name: c, image: api}]\n');
    const a = cli('apply', '-f', scenario);
    expect(a.err).toBe('');
    expect(a.out).toBe('workload/web created\nworkload/api created\n');
    expect(cli('apply', '-f', scenario).out).toBe('workload/web unchanged\nworkload/api unchanged\n');
    await until(async () => (await status('web'))?.running === 3);
    const json = JSON.parse(cli('get', 'workloads', '-l', 'app=web', '-o', 'json').out);
    expect(json.items.map((w: { name: string }) => w.name)).toEqual(['web']);
    expect(cli('get', 'wl', 'web', '-o', 'yaml').out).toMatch(/^name: web$/m);
    expect(cli('get', 'nodes').out).toMatch(/^node-1 +Ready /m);
    expect(cli('get', 'instances', '--workload', 'web', '-o', 'wide').out.trim().split('\n')).toHaveLength(4);
    expect(cli('scale', 'web', '4').out).toBe('workload/web scaled to 4\n');
    expect(cli('cordon', 'node-1').out).toBe('node/node-1 cordoned\n');
    expect(cli('get', 'nodes').out).toMatch(/^node-1 +Ready,SchedulingDisabled /m);
    expect(cli('drain', 'node-2').out).toMatch(/^node\/node-2 drained \(\d+ instances evicted\)$/m);
    expect(cli('uncordon', 'node-1').out).toBe('node/node-1 uncordoned\n');
    await until(async () => (await status('web'))?.running === 4);
    expect(cli('get', 'workloads').out).toMatch(/^web +service +4 +4 /m);
    const d = cli('describe', 'workload', 'web');
    expect(d.out).toMatch(/^Replicas: +4 desired, 4 running/m);
    expect(d.out).toMatch(/api\.workload\.scaled/);
    const w = cli('watch', '--since', '0', '--count', '3', '-o', 'json');
    expect(w.code).toBe(0);
    expect(w.out.trim().split('\n').map((l) => JSON.parse(l).revision)).toEqual([1, 2, 3]);
  });

  it('explains a pending workload in describe', async () => {
    const f = join(dir, 'huge.yaml');
    writeFileSync(f, 'name: huge\ncontainers: [{name: c, image: x, requests: {cpu: 100}}]\n');
    expect(cli('apply', '-f', f).code).toBe(0);
    await until(async () => ((await status('huge')) as { pending?: number } | undefined)?.pending === 1);
    const d = cli('describe', 'workload', 'huge').out;
    expect(d).toMatch(/node-1: .*Insufficient cpu/);
    expect(d).toMatch(/no node fits one more instance now/);
    expect(cli('delete', 'huge').out).toBe('workload/huge deleted\n');
  });

  it('places a bad workload in its file (exit 2) and applies nothing from it', () => {
    const f = join(dir, 'bad.yaml');
    writeFileSync(f, '- name: fine\n  containers: [{name: c, image: x}]\n- name: bad\n  containers:\n    - name: c\n      image: x\n      requests: {cpu: lots}\n');
    const r = cli('apply', '-f', f);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`${f}:7:23: containers[0].requests.cpu: invalid quantity "lots": expected a number, optionally followed by a suffix (e.g. 500m, 1.5, 2Gi, 1e3)\n`);
    expect(cli('get', 'workloads', 'fine').code).toBe(1);
  });

  it('reports server refusals kubectl-style and an unreachable daemon in one line', () => {
    const r = cli('scale', 'nope', '2');
    expect(r.code).toBe(1);
    expect(r.err).toBe('Error from server (Not Found): workload "nope" not found\n');
    const stale = cli('delete', 'web', '--revision', '1');
    expect(stale.code).toBe(1);
    expect(stale.err).toMatch(/^Error from server \(Conflict\): workload "web" is at revision \d+, not 1/);
    const bad = cli('get', 'workloads', '--token', 'wrong-token-wrong-token');
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/^Error from server \(Unauthorized\)/);
    const off = spawnSync(process.execPath, [BIN, 'get', 'nodes', '--server', 'http://127.0.0.1:2'], { encoding: 'utf8', env: { ...process.env, SLIPWAY_STATE: state } });
    expect(off.status).toBe(1);
    expect(off.stderr).toMatch(/^error: cannot reach the daemon at http:\/\/127\.0\.0\.1:2: ECONNREFUSED/);
    expect(off.stderr.split('\n')).toHaveLength(2);
  });

  it('stops on SIGTERM with exit 0 and a restarted daemon keeps the workloads and continues the revisions', async () => {
    const before = JSON.parse(cli('get', 'workloads', '-o', 'json').out).items as Array<{ name: string; revision: number; generation: number }>;
    const maxRev = Math.max(...before.map((w) => w.revision));
    expect(await daemon.stop()).toEqual({ code: 0, signal: null });
    expect(daemon.log()).toMatch(/SIGTERM: stopping/);
    daemon = await startServe();
    url = daemon.url;
    const after = JSON.parse(cli('get', 'workloads', '-o', 'json').out).items as Array<{ name: string; revision: number; generation: number }>;
    expect(after.map((w) => [w.name, w.revision, w.generation])).toEqual(before.map((w) => [w.name, w.revision, w.generation]));
    await until(async () => (await status('web'))?.running === 4);
    expect(cli('scale', 'web', '2').code).toBe(0);
    const web = JSON.parse(cli('get', 'workloads', 'web', '-o', 'json').out);
    expect(web.revision).toBeGreaterThan(maxRev);
    expect(await daemon.stop('SIGINT')).toEqual({ code: 0, signal: null });
  });

  it('names a file it cannot read in one line, exit 2, with no raw error code', () => {
    const serve = (...args: string[]) => spawnSync(process.execPath, [BIN, 'serve', '--listen', '127.0.0.1:0', ...args], { encoding: 'utf8', env: { ...process.env, SLIPWAY_TOKEN: '' }, timeout: 30_000 });
    const missing = join(dir, 'no-such.yaml');
    const stateAsDir = join(dir, 'state-dir-file');
    mkdirSync(join(stateAsDir, 'state.json'), { recursive: true });
    const cases: Array<[string[], string]> = [
      [['--config', missing, '--state', join(dir, 'c1')], `${missing}: cannot read: no such file`],
      [['--state', join(dir, 'c2'), '--token', 'x'.repeat(16), '--tls-cert', join(dir, 'cert.pem'), '--tls-key', join(dir, 'key.pem')], `${join(dir, 'cert.pem')}: cannot read: no such file`],
      [['--state', stateAsDir], `${join(stateAsDir, 'state.json')}: cannot read: is a directory`],
    ];
    for (const [args, line] of cases) {
      const r = serve(...args);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toBe(`${line}\n`);
    }
    const apply = spawnSync(process.execPath, [BIN, 'apply', '-f', missing], { encoding: 'utf8', timeout: 30_000 });
    expect(apply.status).toBe(2);
    expect(apply.stderr).toBe(`${missing}: cannot read: no such file\n`);
  });

  it('refuses to listen beyond loopback without a configured token', () => {
    const r = spawnSync(process.execPath, [BIN, 'serve', '--listen', '0.0.0.0:0', '--state', join(dir, 'other')], { encoding: 'utf8', env: { ...process.env, SLIPWAY_TOKEN: '' }, timeout: 30_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^--listen 0\.0\.0\.0:0: listening beyond loopback needs a token given explicitly/);
  });
});
