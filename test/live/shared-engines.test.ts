/**
 * Live runs on shared engines do not fight (#18.2): each run's containers carry its cluster
 * identity, adoption and orphan removal touch only its own, a second controller of the same
 * identity is refused (exit 2), stale locks are broken, and a run prints progress while it waits.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connectDocker } from '../../backends/docker/docker-api.js';
import { lockName, type DockerVolumeApi } from '../../backends/live/engine-lock.js';
import { DOCKER_HOSTS, engineContainers, LIVE, LIVE_SKIP_REASON, TEST_IMAGE } from '../support/backends.js';

type Rec = Record<string, unknown> & { t: number; type: string };
interface Done {
  code: number | null;
  out: string;
  err: string;
}

/** A `slipway run` child process: resolves when it has exited; `shows` waits for its stderr to match. */
type Run = Promise<Done> & {
  /** Resolves once stderr matches `re`; fails naming `re` if the run exits first or after `ms`. */
  shows(re: RegExp, ms?: number): Promise<void>;
};

/** `slipway run ARGS` as a child process (killed after 150 s). */
function run(args: string[]): Run {
  let err = '';
  let ended: Done | undefined;
  const waiters = new Set<() => void>();
  const done = new Promise<Done>((resolve, reject) => {
    const p = spawn(process.execPath, ['bin/slipway.js', 'run', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      for (const w of [...waiters]) w();
    });
    const timer = setTimeout(() => p.kill('SIGKILL'), 150_000);
    p.on('error', reject);
    p.on('close', (code) => {
      clearTimeout(timer);
      ended = { code, out, err };
      for (const w of [...waiters]) w();
      resolve(ended);
    });
  });
  const shows = (re: RegExp, ms = 60_000): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`timed out after ${ms} ms waiting for slipway run ${args[0]} to print ${re}; it printed: ${err}`)), ms);
      const finish = (e?: Error) => {
        clearTimeout(timer);
        waiters.delete(check);
        if (e) reject(e);
        else resolve();
      };
      const check = () => {
        if (re.test(err)) finish();
        else if (ended) finish(new Error(`slipway run ${args[0]} exited (${ended.code}) before printing ${re}: ${ended.out}${ended.err}`));
      };
      waiters.add(check);
      check();
    });
  return Object.assign(done, { shows });
}

function trace(dir: string): Rec[] {
  return readFileSync(join(dir, 'trace.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Rec);
}

const tag = `trust-${process.pid}`;

/** A scenario on both engines whose nodes have the same names as every other test's. */
function scenario(dir: string, name: string, replicas: number, duration = '14s'): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    `
name: ${name}
duration: ${duration}
nodes:
  - {name: engine-1, capacity: {cpu: 2, memory: 2Gi}, docker: {host: "${DOCKER_HOSTS[0]}", network: none}}
  - {name: engine-2, capacity: {cpu: 2, memory: 2Gi}, docker: {host: "${DOCKER_HOSTS[1]}", network: none}}
workloads:
  - name: shared-web
    replicas: ${replicas}
    containers:
      - {name: main, image: ${TEST_IMAGE}, command: [sh, -c, "trap 'exit 0' TERM; sleep 3600 & wait"], requests: {cpu: 100m, memory: 16Mi}}
controlPlane: {heartbeatInterval: 500ms, nodeMonitorPeriod: 500ms, notReadyAfter: 4s, resyncInterval: 1s, reconcileInterval: 1s, rpcTimeout: 3s}
expectations:
  - {name: converged, converged: {by: 8s}}
  - {name: still all running, running: {workload: shared-web, count: ${replicas}, at: 13s}}
`,
  );
  return file;
}

/** Containers of a cluster identity on both engines. */
async function containersOf(identity: string): Promise<number> {
  return (await engineContainers([`slipway.cluster=${identity}`])).length;
}

const volumes = (host: string) => connectDocker(host, 5_000) as unknown as DockerVolumeApi;

/** Plants a lock on both engines as if another run held it. */
async function plantLock(identity: string, pid: number, host: string): Promise<void> {
  for (const h of DOCKER_HOSTS.slice(0, 2))
    await volumes(h).createVolume({
      Name: lockName(identity),
      Labels: { 'slipway.lock': '1', 'slipway.cluster': identity, 'slipway.lock.token': 'planted', 'slipway.lock.pid': String(pid), 'slipway.lock.host': host, 'slipway.lock.started': '2026-01-01T00:00:00Z', 'slipway.lock.scenario': 'x.yaml' },
    });
}

async function lockExists(identity: string): Promise<boolean> {
  try {
    await volumes(DOCKER_HOSTS[0]).getVolume(lockName(identity)).inspect();
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!LIVE)(`live runs on shared engines${LIVE ? '' : ` (skipped: ${LIVE_SKIP_REASON})`}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-shared-'));
  const planted: string[] = [];
  afterAll(async () => {
    for (const id of planted) for (const h of DOCKER_HOSTS.slice(0, 2)) await volumes(h).getVolume(lockName(id)).remove().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('two different scenarios with the same node names run side by side; neither adopts nor removes the other’s containers', async () => {
    const a = scenario(dir, `${tag}-a`, 2);
    const b = scenario(dir, `${tag}-b`, 3);
    // B starts while A's containers run: before identities, B adopted them as orphans and removed them.
    const ra = run([a, '--backend', 'docker', '--out', join(dir, 'a')]);
    await ra.shows(/instances 2\/2 running/);
    const rb = run([b, '--backend', 'docker', '--out', join(dir, 'b')]);
    const [da, db] = await Promise.all([ra, rb]);
    expect(da.code, da.out + da.err).toBe(0);
    expect(db.code, db.out + db.err).toBe(0);
    for (const [d, out] of [[da, 'a'], [db, 'b']] as const) {
      expect(d.out).toContain('teardown: no containers left');
      const t = trace(join(dir, out));
      // Every container it saw as an orphan (its own, during the teardown) is one of its own instances'.
      const own = new Set(t.filter((x) => x.type === 'instance.created').map((x) => x.instance));
      expect(t.filter((x) => x.type === 'container.orphan' && !own.has(x.instance))).toEqual([]);
      expect(t.filter((x) => x.type === 'instance.adopted')).toEqual([]);
    }
    expect(trace(join(dir, 'a'))[0]).toMatchObject({ identity: `${tag}-a` });
    expect(await containersOf(`${tag}-a`)).toBe(0);
    expect(await containersOf(`${tag}-b`)).toBe(0);
    // A ran 2 of its own and B 3 of its own, side by side on the same engines.
    expect(trace(join(dir, 'a')).filter((x) => x.type === 'instance.scheduled')).toHaveLength(2);
    expect(trace(join(dir, 'b')).filter((x) => x.type === 'instance.scheduled')).toHaveLength(3);
    // Progress while waiting (stderr is not a terminal here: plain lines).
    expect(da.err).toMatch(/^live: running, \S+ of 14s; nodes 2\/2 Ready; instances \d\/2 running/m);
    expect(await lockExists(`${tag}-a`)).toBe(false);
  }, 200_000);

  it('a second run of the same identity is refused with exit 2 while the first runs; the first is untouched', async () => {
    // Long enough that the second (whose start takes seconds on a loaded machine) meets the first.
    const file = scenario(dir, `${tag}-same`, 2, '45s');
    const first = run([file, '--backend', 'docker', '--out', join(dir, 'first')]);
    await first.shows(/live: running/);
    const second = await run([file, '--backend', 'docker', '--out', join(dir, 'second')]);
    // The same file under another identity runs beside it.
    const other = await run([file, '--backend', 'docker', '--identity', `${tag}-same-2`, '--until', '6s', '--allow-unchecked', '--out', join(dir, 'other')]);
    expect(other.code, other.out + other.err).toBe(0);
    expect(second.code).toBe(2);
    expect(second.err).toMatch(
      new RegExp(`^cluster "${tag}-same" is already controlled on ${DOCKER_HOSTS[0].replaceAll('/', '\\/')} by another slipway run \\(pid \\d+ on ${hostname()}, since .*\\); wait for it to finish, give this run another --identity, or, if that run is gone, break its lock with --force\\n$`),
    );
    const f = await first;
    expect(f.code, f.out + f.err).toBe(0);
    const t = trace(join(dir, 'first'));
    const own = new Set(t.filter((x) => x.type === 'instance.created').map((x) => x.instance));
    expect(t.filter((x) => x.type === 'container.orphan' && !own.has(x.instance))).toEqual([]);
  }, 200_000);

  it('a stale lock (its process gone on this host) is broken with a warning; a lock from another host needs --force', async () => {
    const file = scenario(dir, `${tag}-stale`, 1);
    const dead = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => dead.on('close', r));
    planted.push(`${tag}-stale`);
    await plantLock(`${tag}-stale`, dead.pid!, hostname());
    const r = await run([file, '--backend', 'docker', '--until', '5s', '--allow-unchecked', '--out', join(dir, 'stale')]);
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.err).toContain(`warning: breaking the lock of cluster "${tag}-stale" on ${DOCKER_HOSTS[0]} held by pid ${dead.pid} on ${hostname()}`);
    expect(r.err).toContain('that process is gone');
    expect(await lockExists(`${tag}-stale`)).toBe(false);

    await plantLock(`${tag}-stale`, 1, 'another-host.example');
    const refused = await run([file, '--backend', 'docker', '--until', '5s', '--out', join(dir, 'refused')]);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('by another slipway run (pid 1 on another-host.example');
    const forced = await run([file, '--backend', 'docker', '--until', '5s', '--allow-unchecked', '--force', '--out', join(dir, 'forced')]);
    expect(forced.code, forced.out + forced.err).toBe(0);
    expect(forced.err).toContain('held by pid 1 on another-host.example, since 2026-01-01T00:00:00Z, running x.yaml: --force');
    expect(await lockExists(`${tag}-stale`)).toBe(false);
  }, 200_000);
});
