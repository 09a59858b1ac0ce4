/**
 * `--queue redis://...` + `slipway worker` end to end, on a real Redis (SLIPWAY_LIVE=1; .ci/run
 * starts one with scripts/start-redis.sh; SLIPWAY_REDIS_URL overrides redis://127.0.0.1:26379/0):
 * a compare sweep run by 3 worker processes, one of them killed with kill -9 in the middle of a
 * run, writes the local run's files byte for byte, every run once; Ctrl-C on the submitter and
 * the same command again collects the finished rows and runs only the rest; a worker of another
 * Slipway version (a copy of these sources with another version string) refuses the runs in one
 * line, and rows of another version are never reused; a Redis of the file's own (port 26386),
 * stopped and started again mid-sweep or while no submitter waits, loses nothing; a fuzz campaign
 * through the queue writes the local campaign's files. Bad queue URLs (exit 2) and an unreachable
 * Redis (one line, exit 1) need no Redis.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SLIPWAY_VERSION } from '../../src/version.js';
import { within } from '../support/processes.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'slipway.js');
const LIVE = process.env.SLIPWAY_LIVE === '1';
const REDIS = process.env.SLIPWAY_REDIS_URL ?? 'redis://127.0.0.1:26379/0';
const base = mkdtempSync(join(tmpdir(), 'slipway-queue-'));
const children = new Set<ChildProcess>();
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(base, { recursive: true, force: true });
});

const env = { ...process.env, SLIPWAY_DEBUG: '' };

function slipway(cwd: string, args: readonly string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env });
}

/** A running `slipway ...` whose output lines are collected as they come. */
function start(cwd: string, args: readonly string[], bin = BIN) {
  const child = spawn(process.execPath, [bin, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const p = { child, stdout: '', stderr: '', lines: [] as string[], onLine: undefined as ((l: string) => void) | undefined };
  let partial = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    p.stdout += d;
    const parts = (partial + d).split('\n');
    partial = parts.pop()!;
    for (const l of parts) {
      p.lines.push(l);
      p.onLine?.(l);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => (p.stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    }),
  );
  return Object.assign(p, { exited, args });
}
type Started = ReturnType<typeof start>;

/** How long a wait on a child process may take before the test fails naming what it waited for. */
const WAIT_MS = 240_000;

/** Resolves once `p`'s stderr contains `text`; fails if `p` exits first or after `ms`. */
async function stderrShows(p: Started, text: string, ms = WAIT_MS): Promise<void> {
  const end = Date.now() + ms;
  while (!p.stderr.includes(text)) {
    if (p.child.exitCode !== null) throw new Error(`exited (${p.child.exitCode}) before printing "${text}": ${p.stderr}`);
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for "${text}" on stderr: ${p.stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A Redis of this file's own (port RESTART_PORT, data in /tmp/slipway-redis-PORT), started and
 * stopped with scripts/start-redis.sh, so a test can restart it under a running sweep. The first
 * start wipes the data folder a crashed earlier run may have left.
 */
const RESTART_PORT = 26386;
const ownRedis = {
  fresh: true,
  script(...args: string[]) {
    const r = spawnSync('bash', [join(ROOT, 'scripts', 'start-redis.sh'), '--port', String(RESTART_PORT), ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`start-redis.sh ${args.join(' ')}: ${r.stderr}`);
  },
  start(): string {
    if (this.fresh) {
      this.script('--stop');
      rmSync(`/tmp/slipway-redis-${RESTART_PORT}`, { recursive: true, force: true });
      this.fresh = false;
    }
    this.script();
    return `redis://127.0.0.1:${RESTART_PORT}/0`;
  },
  stop() {
    this.script('--stop');
  },
};
afterAll(() => {
  if (!ownRedis.fresh) ownRedis.stop();
});

/** Resolves once `count` stdout lines of `ps` together satisfy `match`; fails if one exits first or after `ms`. */
async function linesShow(ps: Started | readonly Started[], match: (l: string) => boolean, count: number, ms = WAIT_MS): Promise<void> {
  const all = Array.isArray(ps) ? ps : [ps as Started];
  const end = Date.now() + ms;
  while (all.flatMap((p) => p.lines.filter(match)).length < count) {
    const gone = all.find((p) => p.child.exitCode !== null);
    if (gone) throw new Error(`exited (${gone.child.exitCode}) before ${count} matching lines: ${gone.stdout}${gone.stderr}`);
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${count} matching lines: ${all.map((p) => p.stdout + p.stderr).join('\n')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits (at most {@link WAIT_MS}) for `p` to exit and expects `code`; its stderr is the message. */
async function expectExit(p: Started, code: number): Promise<void> {
  const r = await within(p.exited, WAIT_MS, `slipway ${p.args.slice(0, 2).join(' ')} to exit`);
  expect(r.code, p.stderr).toBe(code);
}

const isDone = (l: string) => l.startsWith('done ');
/** The runs `p` reported done (`done RUN in N ms`). */
const runsDone = (p: Started) => p.lines.filter(isDone).map((l) => l.replace(/^done /, '').replace(/ in \d+ ms$/, ''));

/** `base/NAME` with its `local` and `queue` folders: workers run in it, submitters in `queue`, the local run in `local`. */
function sweepDir(name: string): string {
  const dir = join(base, name);
  mkdirSync(join(dir, 'local'), { recursive: true });
  mkdirSync(join(dir, 'queue'), { recursive: true });
  return dir;
}

/** Submits the sweep `args` to the queue at `url` from `dir/queue`; resolves once it is queued. */
async function submit(dir: string, args: readonly string[], url = REDIS, bin = BIN): Promise<Started> {
  const p = start(join(dir, 'queue'), [...args, '--queue', url], bin);
  await stderrShows(p, 'queued on');
  return p;
}

/** `slipway worker --queue URL ...extra`, run from `dir`. */
const worker = (dir: string, url: string, extra: readonly string[] = [], bin = BIN): Started => start(dir, ['worker', '--queue', url, ...extra], bin);

/** Runs `args` locally in `dir/local` (one worker) and expects `files` byte for byte as the queue wrote them in `dir/queue`. */
function expectLocalFiles(dir: string, args: readonly string[], files: readonly string[]): void {
  const local = slipway(join(dir, 'local'), [...args, '--workers', '1']);
  expect(local.status, local.stderr).toBe(0);
  expectSameFiles(join(dir, 'local', 'out'), join(dir, 'queue', 'out'), files);
}

const SWEEP_FILES = ['results.csv', 'results.json', 'report.html'];

/** default.yaml over 2 h of simulated time: runs of about a second, so a signal or a restart lands mid-sweep. */
function longScenario(dir: string): string {
  const file = join(dir, 'long.yaml');
  writeFileSync(file, readFileSync(join(ROOT, 'scenarios', 'default.yaml'), 'utf8').replace(/^duration: 12m$/m, 'duration: 2h'));
  return file;
}

/**
 * A build of Slipway whose version is `version`: a copy of these sources (run through tsx) with
 * only src/version.ts changed, sharing node_modules. Its bin is what `start(..., bin)` runs.
 */
function otherVersion(version: string): string {
  const dir = join(base, `slipway-${version}`);
  if (!existsSync(dir)) {
    for (const d of ['bin', 'src', 'backends']) cpSync(join(ROOT, d), join(dir, d), { recursive: true });
    for (const f of ['package.json', 'tsconfig.json']) cpSync(join(ROOT, f), join(dir, f));
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    writeFileSync(join(dir, 'src', 'version.ts'), `export const SLIPWAY_VERSION = '${version}';\n`);
  }
  return join(dir, 'bin', 'slipway.js');
}

function expectSameFiles(a: string, b: string, files: readonly string[]) {
  for (const f of files) expect(readFileSync(join(b, f), 'utf8'), f).toBe(readFileSync(join(a, f), 'utf8'));
}

describe('--queue and slipway worker: bad input', () => {
  const cwd = join(base, 'bad');
  mkdirSync(cwd, { recursive: true });
  const compare = ['compare', join(ROOT, 'scenarios', 'default.yaml'), '--policies', 'best-fit', '--seeds', '1..2', '--out', 'out'];

  it.each([
    ['http://127.0.0.1:6379/0', '--queue: expected redis://HOST:PORT/DB (the scheme must be redis:'],
    ['redis://127.0.0.1:6379/db1', '--queue: the database must be a number 0..15'],
    ['127.0.0.1:6379', '--queue: expected redis://HOST:PORT/DB'],
  ])('compare --queue %s exits 2 naming the value', (url, message) => {
    const r = slipway(cwd, [...compare, '--queue', url]);
    expect(r.stderr.startsWith(message), r.stderr).toBe(true);
    expect(r.stderr.endsWith(`, got "${url}"\n`), r.stderr).toBe(true);
    expect(r.stderr.split('\n')).toHaveLength(2);
    expect(r.status).toBe(2);
  });

  it('worker --queue with a bad URL or count exits 2 with one line', () => {
    const a = slipway(cwd, ['worker', '--queue', 'redis://127.0.0.1:6379/16']);
    expect(a.stderr).toBe('--queue: the database must be a number 0..15, got "redis://127.0.0.1:6379/16"\n');
    expect(a.status).toBe(2);
    const b = slipway(cwd, ['worker', '--queue', REDIS, '--lock-duration', '10']);
    expect(b.stderr).toBe('--lock-duration: expected an integer from 1000 to 3600000, got "10"\n');
    expect(b.status).toBe(2);
  });

  it('--queue with --shard, or with --workers, exits 2', () => {
    const a = slipway(cwd, [...compare, '--queue', REDIS, '--shard', '1/2']);
    expect(a.stderr).toBe('--shard and --queue: choose one\n');
    expect(a.status).toBe(2);
    const b = slipway(cwd, [...compare, '--queue', REDIS, '--workers', '2']);
    expect(b.stderr).toMatch(/^--workers: not with --queue /);
    expect(b.status).toBe(2);
  });

  it('an unreachable Redis is one line naming it, exit 1', () => {
    // Port 1 on loopback: nothing listens there, the connection is refused at once.
    const a = slipway(cwd, [...compare, '--queue', 'redis://127.0.0.1:1/0']);
    expect(a.stderr).toBe('error: cannot reach Redis at 127.0.0.1:1 (db 0): connect ECONNREFUSED 127.0.0.1:1\n');
    expect(a.status).toBe(1);
    const b = slipway(cwd, ['worker', '--queue', 'redis://127.0.0.1:1/0']);
    expect(b.stderr).toBe('error: cannot reach Redis at 127.0.0.1:1 (db 0): connect ECONNREFUSED 127.0.0.1:1\n');
    expect(b.status).toBe(1);
  });
});

if (!LIVE) {
  describe('queue sweeps on Redis', () => it.skip('skipped: live Redis: set SLIPWAY_LIVE=1 after scripts/start-redis.sh (SLIPWAY_REDIS_URL overrides redis://127.0.0.1:26379/0)', () => {}));
} else {
  describe('queue sweeps on Redis', () => {
    it('3 workers, one killed with kill -9 mid-run: the files of the local run, every run once', async () => {
      const dir = sweepDir('kill');
      const args = ['compare', longScenario(dir), '--policies', 'round-robin,best-fit', '--seeds', '1..6', '--out', 'out'];
      const total = 12;

      const submitter = await submit(dir, args);
      const workers = [0, 1, 2].map(() => worker(dir, REDIS, ['--lock-duration', '2000', '--exit-when-idle', '10000', '--verbose']));
      // Kill the worker that starts the first run after at least 4 runs are done (about halfway).
      // Whichever worker it is: a fixed one may have taken all its runs before then (the 17:03 CI
      // run of 2026-12-04 waited 240 s for worker 0 to start another); once 4 of 12 are done, at
      // least 5 are still to start, so one of the three workers starts one.
      let killedRun: string | undefined;
      let victim = workers[0];
      const killed = new Promise<void>((resolve) => {
        for (const w of workers) {
          w.onLine = (l) => {
            if (killedRun === undefined && l.startsWith('started ') && workers.flatMap(runsDone).length >= 4) {
              killedRun = l.slice('started '.length);
              victim = w;
              w.child.kill('SIGKILL');
              resolve();
            }
          };
        }
      });
      await within(killed, WAIT_MS, 'a worker to start a run after 4 runs are done');
      const others = workers.filter((w) => w !== victim);
      expect((await within(victim.exited, WAIT_MS, 'the killed worker to exit')).signal).toBe('SIGKILL');
      for (const p of [submitter, ...others]) await expectExit(p, 0);
      expect(submitter.stderr).not.toContain('error');

      // The killed run was not finished by its worker; another worker took it over and ran it.
      expect(victim.lines).not.toContain(`done ${killedRun}`);
      expect(others.flatMap(runsDone)).toContain(killedRun);
      expect(submitter.stdout).toContain(`${total} runs on the queue`);
      // At least the killed run was taken over (a worker frozen past its lock by the machine's load would add one).
      expect(Number(/\((\d+) taken over from a worker that stopped, each counted once\)/.exec(submitter.stdout)?.[1])).toBeGreaterThanOrEqual(1);
      // Every run done by some worker; none lost.
      expect(new Set(workers.flatMap(runsDone)).size).toBe(total);

      expectLocalFiles(dir, args, SWEEP_FILES);
      const runs = JSON.parse(readFileSync(join(dir, 'queue', 'out', 'results.json'), 'utf8')).runs as Array<{ policy: string; seed: number }>;
      expect(runs).toHaveLength(total);
      expect(new Set(runs.map((r) => `${r.policy} ${r.seed}`)).size).toBe(total);
    }, 300_000);

    it('a run that fails on a worker fails the sweep in one line; fixed, the same command reruns it on the same worker', async () => {
      const dir = sweepDir('failing');
      const traces = join(dir, 'traces');
      mkdirSync(traces, { recursive: true });
      const nodes = ['sn,cpu_milli,memory_mib,gpu,model'];
      for (let i = 0; i < 6; i++) nodes.push(`node-${i},32000,131072,${i % 2 ? 8 : 2},${i % 2 ? 'G2' : 'T4'}`);
      writeFileSync(join(traces, 'openb_node_list_gpu_node.csv'), nodes.join('\n') + '\n');
      const pods = ['name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec'];
      for (let k = 0; k < 30; k++) pods.push(`pod-${k},${2000 + (k % 3) * 1000},4096,${k % 4 ? 1 : 0},${k % 4 ? 500 : 0},`);
      const podFile = join(traces, 'openb_pod_list_default.csv');
      writeFileSync(podFile, pods.join('\n') + '\n');
      const args = ['experiment', 'fgd', '--workload', 'default', '--traces', traces, '--policies', 'fgd,best-fit', '--seeds', '42..43', '--out', 'out'];

      // The trace changes after the submission: the worker's runs refuse it.
      const first = await submit(dir, args);
      writeFileSync(podFile, pods.join('\n') + '\npod-extra,1000,1024,0,0,\n');
      const w = worker(dir, REDIS);
      await expectExit(first, 1);
      expect(first.stderr).toMatch(/\nerror: run \d \(default (fgd|best-fit) seed 4[23]\) failed on a worker: .*openb_pod_list_default\.csv: differs from the trace the sweep was started with/);
      expect(first.stderr.split('\n').filter((l) => l.startsWith('error'))).toHaveLength(1);

      // Trace restored: the same command retries the failed runs, on the worker that failed them.
      writeFileSync(podFile, pods.join('\n') + '\n');
      await expectExit(await submit(dir, args), 0);
      w.child.kill('SIGTERM');
      await expectExit(w, 143);
      expectLocalFiles(dir, args, ['results.csv', 'report.html']);
    }, 300_000);

    it('Ctrl-C on the submitter leaves the runs queued; the same command later collects the finished rows and runs only the rest', async () => {
      const dir = sweepDir('resume');
      const args = ['compare', longScenario(dir), '--policies', 'round-robin,best-fit', '--seeds', '1..5', '--out', 'out'];
      const total = 10;

      const first = await submit(dir, args);
      const w1 = worker(dir, REDIS, ['--verbose']);
      await linesShow(w1, isDone, 3);
      first.child.kill('SIGINT');
      await expectExit(first, 130);
      expect(first.stderr).toMatch(/\ninterrupted: stopped waiting; \d+ of 10 runs are still queued \(the same command collects them\)\n$/);
      expect(existsSync(join(dir, 'queue', 'out', 'results.csv'))).toBe(false);
      // The worker finishes its running run and stops: what it did is in Redis, the rest waits.
      w1.child.kill('SIGTERM');
      await expectExit(w1, 143);
      const doneBefore = Number(/worker: (\d+) runs? done/.exec(w1.stdout)?.[1]);
      expect(doneBefore).toBeGreaterThanOrEqual(3);
      expect(doneBefore).toBeLessThan(total);

      const second = await submit(dir, args);
      expect(second.stderr).toContain(`(${doneBefore} already done)`);
      const w2 = worker(dir, REDIS, ['--verbose', '--exit-when-idle', '3000']);
      await expectExit(second, 0);
      await expectExit(w2, 0);
      expect(second.stdout).toContain(`${doneBefore} already done by an earlier submission`);
      // Nothing finished before Ctrl-C ran again: the two workers' runs are disjoint and cover the sweep.
      const all = [...runsDone(w1), ...runsDone(w2)];
      expect(runsDone(w2)).toHaveLength(total - doneBefore);
      expect(new Set(all).size).toBe(total);
      expect(all).toHaveLength(total);
      expectLocalFiles(dir, args, SWEEP_FILES);
    }, 300_000);

    it('a worker of another Slipway version refuses the runs in one line; without it, the same command completes', async () => {
      const dir = sweepDir('version');
      const other = otherVersion('9.9.9-other');
      // A scenario file of this test's own: its path is part of the sweep's identity, so runs an
      // interrupted earlier test left in Redis are never this sweep's.
      const scenario = join(dir, 'default.yaml');
      cpSync(join(ROOT, 'scenarios', 'default.yaml'), scenario);
      const args = ['compare', scenario, '--policies', 'best-fit,spread', '--seeds', '1..3', '--out', 'out'];

      const first = await submit(dir, args);
      const old = worker(dir, REDIS, [], other);
      await expectExit(first, 1);
      const refusal = `was submitted by Slipway ${SLIPWAY_VERSION}, this worker (`;
      const errors = first.stderr.split('\n').filter((l) => l.startsWith('error'));
      expect(errors).toHaveLength(1);
      const v = SLIPWAY_VERSION.replace(/\./g, '\\.');
      expect(errors[0]).toMatch(new RegExp(`^error: run \\d \\((best-fit|spread) seed [1-3]\\) failed on a worker: sweep sha256:[0-9a-f]{12}… was submitted by Slipway ${v}, this worker \\(.+ pid \\d+\\) is Slipway 9\\.9\\.9-other$`));
      await stderrShows(old, refusal);
      expect(old.stderr).toMatch(new RegExp(`^failed compare [0-9a-f]{8} run \\d \\(.+\\): sweep sha256:[0-9a-f]{12}… was submitted by Slipway ${v}, this worker \\(.+\\) is Slipway 9\\.9\\.9-other$`, 'm'));
      old.child.kill('SIGTERM');
      await expectExit(old, 143);

      // The other version's worker is gone: the same command retries the refused runs on this version's worker.
      const second = await submit(dir, args);
      const w = worker(dir, REDIS, ['--exit-when-idle', '3000']);
      await expectExit(second, 0);
      await expectExit(w, 0);
      expectLocalFiles(dir, args, SWEEP_FILES);
    }, 300_000);

    it("rows another Slipway version computed are not reused: the same sweep resubmitted by this version runs every run", async () => {
      const dir = sweepDir('version-resume');
      const other = otherVersion('9.9.9-other');
      const args = ['compare', longScenario(dir), '--policies', 'round-robin', '--seeds', '1..6', '--out', 'out'];
      const total = 6;

      // The other version submits, its worker finishes some runs, its submitter is stopped.
      const first = await submit(dir, args, REDIS, other);
      const w1 = worker(dir, REDIS, ['--verbose'], other);
      await linesShow(w1, isDone, 2);
      first.child.kill('SIGINT');
      await expectExit(first, 130);
      w1.child.kill('SIGTERM');
      await expectExit(w1, 143);

      // This version submits the same sweep: nothing of the other version's is taken.
      const second = await submit(dir, args);
      expect(second.stderr).not.toContain('already done');
      const w2 = worker(dir, REDIS, ['--verbose', '--exit-when-idle', '3000']);
      await expectExit(second, 0);
      await expectExit(w2, 0);
      expect(w2.stdout).toContain(`worker: ${total} runs done`);
      expectLocalFiles(dir, args, SWEEP_FILES);
    }, 300_000);

    it('Redis stopped and started again mid-sweep (its own server and data folder): the sweep completes with the local files', async () => {
      const dir = sweepDir('restart');
      const url = ownRedis.start();
      const args = ['compare', longScenario(dir), '--policies', 'round-robin,best-fit', '--seeds', '1..5', '--out', 'out'];
      const total = 10;

      const submitter = await submit(dir, args, url);
      const workers = [0, 1].map(() => worker(dir, url, ['--verbose', '--exit-when-idle', '20000']));
      await linesShow(workers, isDone, 3);
      ownRedis.stop();
      await new Promise((r) => setTimeout(r, 2000));
      ownRedis.start();

      for (const p of [submitter, ...workers]) await expectExit(p, 0);
      // Each side says once that it lost Redis, not once per retry.
      expect(submitter.stderr.split('\n').filter((l) => l.startsWith(`queue: lost Redis at ${url}: `)).length, submitter.stderr).toBe(1);
      expect(submitter.stderr).toContain(`queue: Redis at ${url} is back\n`);
      expectLocalFiles(dir, args, SWEEP_FILES);
      const runs = JSON.parse(readFileSync(join(dir, 'queue', 'out', 'results.json'), 'utf8')).runs as Array<{ policy: string; seed: number }>;
      expect(new Set(runs.map((r) => `${r.policy} ${r.seed}`)).size).toBe(total);
    }, 300_000);

    it('Redis restarted while no submitter waits: the queued and finished runs survive (start-redis.sh keeps an append-only file), the same command resumes', async () => {
      const dir = sweepDir('restart-away');
      const url = ownRedis.start();
      const args = ['compare', longScenario(dir), '--policies', 'spread', '--seeds', '1..6', '--out', 'out'];
      const total = 6;

      const first = await submit(dir, args, url);
      const w1 = worker(dir, url, ['--verbose']);
      await linesShow(w1, isDone, 2);
      first.child.kill('SIGINT');
      await expectExit(first, 130);
      w1.child.kill('SIGTERM');
      await expectExit(w1, 143);
      const doneBefore = Number(/worker: (\d+) runs? done/.exec(w1.stdout)?.[1]);

      ownRedis.stop();
      ownRedis.start();
      const second = await submit(dir, args, url);
      expect(second.stderr).toContain(`(${doneBefore} already done)`);
      const w2 = worker(dir, url, ['--verbose', '--exit-when-idle', '3000']);
      await expectExit(second, 0);
      await expectExit(w2, 0);
      // `1 run done` when the first worker got to all but one.
      expect(w2.stdout).toMatch(new RegExp(`worker: ${total - doneBefore} runs? done`));
      expectLocalFiles(dir, args, SWEEP_FILES);
    }, 300_000);

    it('Ctrl-C while Redis is down ends the submitter (130) and a worker (143) at the first signal; with Redis back the same command resumes', async () => {
      const dir = sweepDir('down');
      const url = ownRedis.start();
      const args = ['compare', longScenario(dir), '--policies', 'balanced', '--seeds', '1..4', '--out', 'out'];

      const first = await submit(dir, args, url);
      // An idle worker on another database of the same server: it loses Redis too.
      const idle = worker(dir, url.replace(/\/0$/, '/1'));
      await linesShow(idle, (l) => l.startsWith('worker: running'), 1);
      ownRedis.stop();
      await stderrShows(first, 'queue: lost Redis at');
      // Long enough for the submitter's re-read of the missing runs (after 5 s without events) to queue commands for the absent Redis.
      await new Promise((r) => setTimeout(r, 12_000));
      first.child.kill('SIGINT');
      // One signal is enough: closing the connections must not wait for a Redis that is gone.
      await expectExit(first, 130);
      expect(first.stderr).toContain('interrupted: stopped waiting; 4 of 4 runs are still queued');
      expect(first.stderr).not.toContain('SIGINT again');
      idle.child.kill('SIGTERM');
      await expectExit(idle, 143);
      expect(idle.stderr).not.toContain('SIGTERM again');

      ownRedis.start();
      const second = await submit(dir, args, url);
      const w = worker(dir, url, ['--exit-when-idle', '3000']);
      await expectExit(second, 0);
      await expectExit(w, 0);
      expectLocalFiles(dir, args, SWEEP_FILES);
    }, 300_000);

    it('fuzz through the queue writes the local campaign, byte for byte', async () => {
      const dir = sweepDir('fuzz');
      // A seed of this process's own: runs an interrupted earlier test left in Redis are never this campaign's.
      const args = ['fuzz', '--runs', '6', '--profile', 'tiny', '--seed', String(process.pid), '--out', 'out'];
      const submitter = await submit(dir, args);
      const w = worker(dir, REDIS, ['--concurrency', '2', '--exit-when-idle', '3000']);
      await expectExit(submitter, 0);
      await expectExit(w, 0);
      expect(w.stdout).toContain('worker: 6 runs done');
      expectLocalFiles(dir, args, ['runs.jsonl', 'summary.json']);
    }, 300_000);
  });
}
