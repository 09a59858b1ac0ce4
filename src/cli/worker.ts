/**
 * `slipway worker --queue redis://HOST:PORT/DB [--concurrency N] [--lock-duration MS] [--exit-when-idle MS] [--verbose]`:
 * pulls runs of any sweep submitted with `--queue` (compare, fuzz, experiment), runs each in a
 * worker thread (sweep-worker.ts, the threads a local run uses) and returns its row. Any number
 * of workers, on any machine with the same Slipway version and the inputs at the same paths.
 *
 * Runs run in threads, never in this thread: this thread keeps BullMQ's lock renewals on time
 * while a run computes, and the determinism guard of a running simulation never meets BullMQ's
 * timers. The first SIGINT/SIGTERM stops taking runs and finishes the running ones; a second
 * exits at once (its runs are taken over by other workers once their locks expire).
 */
import { InputError, InterruptedError } from '../core/errors.js';
import { siblingModule } from '../module-url.js';
import { MAX_WORKERS } from '../pool/pool.js';
import { openThreads } from '../pool/threads.js';
import { DEFAULT_LOCK_MS, MAX_STALLED, startQueueWorker, type RunJobData } from '../sweep/queue.js';
import { parseQueueUrl, queueUrlText } from '../sweep/queue-url.js';
import { EXIT_OK } from './errors.js';
import { watchSignals } from './signals.js';
import type { SweepTask } from './sweep-worker.js';

export interface WorkerFlags {
  readonly queue: string;
  readonly concurrency?: string;
  readonly lockDuration?: string;
  readonly exitWhenIdle?: string;
  readonly verbose?: boolean;
}

function int(flag: string, v: string | undefined, dflt: number, min: number, max: number): number {
  if (v === undefined) return dflt;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new InputError(`${flag}: expected an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
  return Number(v);
}

export async function workerCommand(flags: WorkerFlags): Promise<number> {
  const connection = parseQueueUrl(flags.queue);
  const concurrency = int('--concurrency', flags.concurrency, 1, 1, MAX_WORKERS);
  const lockMs = int('--lock-duration', flags.lockDuration, DEFAULT_LOCK_MS, 1000, 3_600_000);
  const idleMs = flags.exitWhenIdle === undefined ? undefined : int('--exit-when-idle', flags.exitWhenIdle, 0, 100, 86_400_000);
  const where = queueUrlText(connection);
  const out = process.stdout;
  const name = (d: RunJobData) => `${d.kind} ${d.hash.slice(7, 15)} run ${d.index} (${d.key})`;

  const threads = openThreads<SweepTask, unknown>({ entry: siblingModule('sweep-worker', import.meta.url), threads: concurrency });
  let done = 0;
  let failed = 0;
  let lastError = '';
  let idleTimer: NodeJS.Timeout | undefined;
  let stopIdle!: () => void;
  const idle = new Promise<void>((resolve) => (stopIdle = resolve));
  const armIdle = () => {
    if (idleMs === undefined) return;
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      if (q.active() === 0) stopIdle();
      else armIdle();
    }, idleMs);
  };
  let q: Awaited<ReturnType<typeof startQueueWorker>>;
  try {
    q = await startQueueWorker({
      connection,
      concurrency,
      lockDurationMs: lockMs,
      run: (d, spec) => threads.run({ kind: d.kind, hash: d.hash, spec, index: d.index }, name(d)),
      onStart: (d) => {
        clearTimeout(idleTimer);
        if (flags.verbose) out.write(`started ${name(d)}\n`);
      },
      onDone: (d, ms, error) => {
        if (error === undefined) done++;
        else failed++;
        if (error !== undefined) process.stderr.write(`failed ${name(d)}: ${error}\n`);
        else if (flags.verbose) out.write(`done ${name(d)} in ${Math.round(ms)} ms\n`);
        armIdle();
      },
      onError: (e) => {
        // BullMQ retries a lost connection by itself; say so once per distinct error.
        if (e.message === lastError) return;
        lastError = e.message;
        process.stderr.write(`worker: ${where}: ${e.message} (retrying)\n`);
      },
    });
  } catch (e) {
    await threads.close();
    if (e instanceof Error && e.name === 'QueueUnreachable') {
      process.stderr.write(`error: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  const signals = watchSignals('the worker: finishing its running runs, taking no new ones');
  out.write(`worker: running sweep runs from ${where} (concurrency ${concurrency}, lock ${lockMs} ms, a stalled run is taken over after its lock expires, at most ${MAX_STALLED} times)\n`);
  armIdle();
  const aborted = new Promise<void>((resolve) => signals.signal.addEventListener('abort', () => resolve(), { once: true }));
  await Promise.race([idle, aborted]);
  clearTimeout(idleTimer);
  try {
    await q.close();
  } finally {
    await threads.close();
    signals.dispose();
  }
  out.write(`worker: ${done} run${done === 1 ? '' : 's'} done${failed ? `, ${failed} failed` : ''}\n`);
  if (signals.received) throw new InterruptedError(signals.received, `interrupted (${signals.received}): the worker stopped`);
  return EXIT_OK;
}
