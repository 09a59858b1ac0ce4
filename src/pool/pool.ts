/**
 * One worker pool for everything that runs many independent tasks (compare, fuzz, experiment,
 * sweeps): N worker threads, each fed the next task when it finishes one, results returned in
 * task order whatever order they finish in.
 *
 * - A task that throws fails the pool with a PoolTaskError naming the task (`describe(task)`).
 * - A worker that crashes (an uncaught error, `process.exit`, out of memory) fails it with a
 *   PoolTaskError naming the task it was running.
 * - `signal` aborted while the pool runs (the CLI hands in its one SIGINT/SIGTERM watch,
 *   src/cli/signals.ts; the pool installs no process handlers of its own): every worker is
 *   terminated and the pool rejects with PoolInterrupted (an InterruptedError); callers write
 *   their outputs only from a finished pool, so an interrupted run leaves no partial output (the
 *   CLI exits 130 or 143).
 * In every case all workers are terminated before the promise settles: no thread outlives it.
 *
 * The worker module calls `serveTasks` (serve-tasks.ts); it is started with `startWorker`, the
 * one way of loading Slipway's modules in a worker.
 */
import type { Worker } from 'node:worker_threads';
import { InterruptedError, signalExitCode } from '../core/errors.js';
import { startWorker } from './start-worker.js';

/** The most worker threads a pool starts (and so the cap of every `--workers` flag: src/cli/workers.ts). */
export const MAX_WORKERS = 256;

/** Pool → worker. */
export interface TaskRequest<T> {
  readonly index: number;
  readonly task: T;
}

/** Worker → pool. */
export type TaskReply<R> = { readonly index: number; readonly result: R } | { readonly index: number; readonly error: string };

export interface PoolOptions<T, R> {
  /** The worker module (`siblingModule('x-worker', import.meta.url)`); it calls `serveTasks`. */
  readonly entry: URL;
  /** Sent once to every worker (read there with `poolData()`); structured-cloneable. */
  readonly data?: unknown;
  readonly tasks: readonly T[];
  /** Worker threads (at most one per task are started); 0 runs every task in this thread with `inline`. */
  readonly workers: number;
  /** Runs one task in this thread (with `workers: 0`). */
  readonly inline?: (task: T, index: number) => R | Promise<R>;
  /** A task as the user names it in messages, e.g. `policy best-fit, seed 3`. */
  readonly describe: (task: T, index: number) => string;
  /** After each finished task, in the order they finish: (result, its index, how many are done). */
  readonly onResult?: (result: R, index: number, done: number) => void;
  /**
   * Stops the pool when aborted, its reason the signal's name (`watchSignals(...).signal` of
   * src/cli/signals.ts). Without it the pool does not react to signals (the process's default).
   */
  readonly signal?: AbortSignal;
}

/** A task failed, or the worker running it crashed. */
export class PoolTaskError extends Error {
  constructor(
    readonly index: number,
    /** `describe(task)`. */
    readonly task: string,
    readonly detail: string,
  ) {
    super(`${task}: ${detail}`);
    this.name = 'PoolTaskError';
  }
}

/**
 * SIGINT or SIGTERM arrived while the pool ran; every worker was terminated. An InterruptedError:
 * the CLI prints the message and exits 130 or 143.
 */
export class PoolInterrupted extends InterruptedError {
  constructor(signal: 'SIGINT' | 'SIGTERM') {
    super(signal, `interrupted (${signal}): every worker stopped; no output written`);
    this.name = 'PoolInterrupted';
  }

  /** 128 + the signal's number (130 for SIGINT, 143 for SIGTERM). */
  get exitCode(): number {
    return signalExitCode(this.signal);
  }
}

/** The signal an aborted `signal` names (its reason), SIGTERM when it names none. */
function stopSignalOf(signal: AbortSignal): 'SIGINT' | 'SIGTERM' {
  return signal.reason === 'SIGINT' ? 'SIGINT' : 'SIGTERM';
}

export async function runPool<T, R>(o: PoolOptions<T, R>): Promise<R[]> {
  const results: R[] = new Array(o.tasks.length);
  let done = 0;
  if (o.signal?.aborted) throw new PoolInterrupted(stopSignalOf(o.signal));
  if (o.workers <= 0) {
    if (!o.inline) throw new Error('runPool: workers 0 needs an inline runner');
    for (let i = 0; i < o.tasks.length; i++) {
      // In this thread a task runs to its end; the pool stops between tasks.
      if (o.signal?.aborted) throw new PoolInterrupted(stopSignalOf(o.signal));
      let r: R;
      try {
        r = await o.inline(o.tasks[i], i);
      } catch (e) {
        throw new PoolTaskError(i, o.describe(o.tasks[i], i), e instanceof Error ? `${e.name}: ${e.message}` : String(e));
      }
      results[i] = r;
      o.onResult?.(r, i, ++done);
    }
    return results;
  }
  const n = Math.min(o.workers, MAX_WORKERS, o.tasks.length);
  if (n === 0) return results;
  const workers: Worker[] = [];
  let onAbort: (() => void) | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      let next = 0;
      let settled = false;
      const fail = (e: Error) => {
        if (settled) return;
        settled = true;
        reject(e);
      };
      const signal = o.signal;
      if (signal) {
        onAbort = () => fail(new PoolInterrupted(stopSignalOf(signal)));
        signal.addEventListener('abort', onAbort, { once: true });
      }
      const describe = (i: number) => o.describe(o.tasks[i], i);
      for (let k = 0; k < n; k++) {
        const w = startWorker(o.entry, { data: o.data });
        workers.push(w);
        /** The task this worker runs now. */
        let current: number | undefined;
        const feed = () => {
          if (settled) return;
          if (next >= o.tasks.length) {
            current = undefined;
            if (done === o.tasks.length) {
              settled = true;
              resolve();
            }
            return;
          }
          current = next++;
          w.postMessage({ index: current, task: o.tasks[current] } satisfies TaskRequest<T>);
        };
        w.on('message', (m: TaskReply<R>) => {
          if (settled) return;
          if ('error' in m) return fail(new PoolTaskError(m.index, describe(m.index), m.error));
          results[m.index] = m.result;
          o.onResult?.(m.result, m.index, ++done);
          feed();
        });
        w.on('error', (e) => {
          if (current !== undefined) fail(new PoolTaskError(current, describe(current), `the worker crashed: ${e.name}: ${e.message}`));
          else fail(new Error(`a worker crashed before taking a task: ${e.name}: ${e.message}`));
        });
        w.on('exit', (code) => {
          if (current !== undefined) fail(new PoolTaskError(current, describe(current), `the worker exited (code ${code}) while running it`));
          else if (done < o.tasks.length) fail(new Error(`a worker exited (code ${code}) before taking a task`));
        });
        feed();
      }
    });
  } finally {
    if (onAbort) o.signal?.removeEventListener('abort', onAbort);
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}
