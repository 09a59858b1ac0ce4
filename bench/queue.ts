/**
 * `npm run bench -- queue`: one sweep run locally on W worker threads, then through the Redis
 * work queue on W `slipway worker` processes (concurrency 1 each) on this machine; both through
 * bin/slipway.js in child processes, each timed from its start to its exit. The workers are
 * started (and ready) before the queue sweep is submitted. Prints both wall times, the queue's
 * extra wall time per run, and whether the two output folders are byte-identical.
 *
 * The overhead per run is (queue wall − local wall) / runs: what a run costs more end to end
 * through the queue (Redis round trips, JSON rows, the poll) at the same parallelism.
 *
 * Wall times on a shared machine follow the others' load, so each side's CPU time is printed too:
 * the user + system seconds of its processes (the local run; the submitter and the workers, all
 * their threads), read from this process's children times in /proc/self/stat after they exit,
 * plus Redis's own CPU (INFO cpu) for the queue side. CPU overhead per run = (queue CPU + Redis
 * CPU − local CPU) / runs.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { Redis } from 'ioredis';
import { parseQueueUrl } from '../src/sweep/queue-url.js';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin', 'slipway.js');

export interface QueueBenchOptions {
  /** The sweep's command line after `slipway`, without --out, --workers and --queue. */
  readonly args: readonly string[];
  readonly redis: string;
  readonly workers: number;
  /** Label for the printed line. */
  readonly name: string;
}

function timed(cwd: string, args: readonly string[]): Promise<{ seconds: number; code: number | null; stderr: string }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ seconds: (performance.now() - t0) / 1000, code, stderr })));
}

/** CPU seconds (user + system) of this process's children that have exited, from /proc/self/stat (Linux). */
function childrenCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  // Fields after the command name (in parentheses): state is field 3; cutime, cstime are 16, 17.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  return (Number(f[16 - 3]) + Number(f[17 - 3])) / ticks;
}

/** Redis's own CPU seconds so far (INFO cpu: used_cpu_user + used_cpu_sys). */
async function redisCpuSeconds(url: string): Promise<number> {
  const client = new Redis({ ...parseQueueUrl(url), lazyConnect: true });
  try {
    await client.connect();
    const info = await client.info('cpu');
    const v = (k: string) => Number(new RegExp(`^${k}:([0-9.]+)`, 'm').exec(info)?.[1] ?? NaN);
    return v('used_cpu_user') + v('used_cpu_sys');
  } finally {
    client.disconnect();
  }
}

function sameFolders(a: string, b: string): string[] {
  const files = readdirSync(a).sort();
  const other = readdirSync(b).sort();
  const diffs = files.filter((f) => !other.includes(f) || !readFileSync(join(a, f)).equals(readFileSync(join(b, f))));
  return [...diffs, ...other.filter((f) => !files.includes(f))];
}

export async function benchQueue(o: QueueBenchOptions): Promise<void> {
  const ping = spawnSync(process.execPath, [BIN, 'worker', '--queue', o.redis, '--exit-when-idle', '100'], { encoding: 'utf8' });
  if (ping.status !== 0) {
    console.error(`${ping.stderr.trim()}\nstart one with: scripts/start-redis.sh --port 26379 (then --redis redis://127.0.0.1:26379/5)`);
    process.exit(1);
  }
  const dir = mkdtempSync(join(tmpdir(), 'slipway-bench-queue-'));
  try {
    mkdirSync(join(dir, 'local'));
    mkdirSync(join(dir, 'queue'));
    const load0 = loadavg()[0];
    const cpu0 = childrenCpuSeconds();
    const local = await timed(join(dir, 'local'), [...o.args, '--workers', String(o.workers), '--out', 'out']);
    if (local.code !== 0) throw new Error(`local run failed: ${local.stderr}`);
    const cpu1 = childrenCpuSeconds();
    const loadMid = loadavg()[0];
    const redis0 = await redisCpuSeconds(o.redis);

    const workers = Array.from({ length: o.workers }, () => spawn(process.execPath, [BIN, 'worker', '--queue', o.redis], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] }));
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            let out = '';
            w.stdout!.setEncoding('utf8').on('data', (d: string) => {
              out += d;
              if (out.includes('worker: running')) resolve();
            });
            w.on('exit', (code) => reject(new Error(`a worker exited (${code}) before it was ready`)));
          }),
      ),
    );
    const queued = await timed(join(dir, 'queue'), [...o.args, '--queue', o.redis, '--out', 'out']);
    const exits = workers.map((w) => new Promise((resolve) => w.on('exit', resolve)));
    for (const w of workers) w.kill('SIGTERM');
    await Promise.all(exits);
    if (queued.code !== 0) throw new Error(`queue run failed: ${queued.stderr}`);
    const load1 = loadavg()[0];
    const cpu2 = childrenCpuSeconds();
    const redisCpu = (await redisCpuSeconds(o.redis)) - redis0;
    const localCpu = cpu1 - cpu0;
    const queueCpu = cpu2 - cpu1;

    const diffs = sameFolders(join(dir, 'local', 'out'), join(dir, 'queue', 'out'));
    const runs = Number(/queue: (\d+) runs/.exec(queued.stderr)?.[1]);
    const overheadMs = ((queued.seconds - local.seconds) / runs) * 1000;
    console.log(
      `queue ${o.name} runs=${runs} workers=${o.workers} local_wall_s=${local.seconds.toFixed(1)} queue_wall_s=${queued.seconds.toFixed(1)}` +
        ` overhead_ms_per_run=${overheadMs.toFixed(1)}` +
        ` local_cpu_s=${localCpu.toFixed(1)} queue_cpu_s=${queueCpu.toFixed(1)} redis_cpu_s=${redisCpu.toFixed(1)}` +
        ` cpu_overhead_ms_per_run=${(((queueCpu + redisCpu - localCpu) / runs) * 1000).toFixed(1)}` +
        ` identical=${diffs.length === 0 ? 'yes' : `NO (${diffs.join(', ')})`}` +
        ` load_avg=${load0.toFixed(1)}→${loadMid.toFixed(1)}→${load1.toFixed(1)}`,
    );
    if (diffs.length > 0) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
