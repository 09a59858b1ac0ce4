/**
 * Long-lived worker threads fed one task at a time, for work that arrives while they run (a
 * queue worker's runs) rather than as one list (`runPool`). Same worker modules (`serveTasks`),
 * same way of starting them (`startWorker`).
 *
 * - `run(task)` waits for a free thread, sends it the task and resolves with its result; a task
 *   that throws rejects with a PoolTaskError naming it (`describe(task)`).
 * - A thread that crashes or exits while running a task rejects that task with a PoolTaskError
 *   and is replaced by a fresh thread, so later tasks still run.
 * - `close()` terminates every thread; tasks still waiting or running reject.
 */
import type { Worker } from 'node:worker_threads';
import { PoolTaskError, type TaskReply, type TaskRequest } from './pool.js';
import { startWorker } from './start-worker.js';

export interface ThreadsOptions {
  /** The worker module (`siblingModule('x-worker', import.meta.url)`); it calls `serveTasks`. */
  readonly entry: URL;
  /** Threads, hence tasks at once (≥ 1). */
  readonly threads: number;
  /** Sent once to every thread (`poolData()`). */
  readonly data?: unknown;
}

export interface Threads<T, R> {
  run(task: T, describe: string): Promise<R>;
  close(): Promise<void>;
}

interface Pending<R> {
  readonly index: number;
  readonly describe: string;
  resolve(r: R): void;
  reject(e: Error): void;
}

export function openThreads<T, R>(o: ThreadsOptions): Threads<T, R> {
  if (!Number.isInteger(o.threads) || o.threads < 1) throw new Error(`openThreads: threads must be ≥ 1, got ${o.threads}`);
  let seq = 0;
  let closed = false;
  const idle: Worker[] = [];
  const all = new Set<Worker>();
  const running = new Map<Worker, Pending<R>>();
  const waiting: Array<{ task: T; pending: Pending<R> }> = [];

  const dispatch = () => {
    while (!closed && idle.length > 0 && waiting.length > 0) {
      const w = idle.pop()!;
      const { task, pending } = waiting.shift()!;
      running.set(w, pending);
      w.postMessage({ index: pending.index, task } satisfies TaskRequest<T>);
    }
  };

  const spawn = () => {
    const w = startWorker(o.entry, { data: o.data });
    all.add(w);
    let gone = false;
    const lost = (detail: string) => {
      if (gone) return;
      gone = true;
      all.delete(w);
      const i = idle.indexOf(w);
      if (i >= 0) idle.splice(i, 1);
      const p = running.get(w);
      running.delete(w);
      p?.reject(new PoolTaskError(p.index, p.describe, detail));
      if (!closed) {
        spawn();
        dispatch();
      }
    };
    w.on('message', (m: TaskReply<R>) => {
      const p = running.get(w);
      if (!p || p.index !== m.index) return;
      running.delete(w);
      idle.push(w);
      if ('error' in m) p.reject(new PoolTaskError(p.index, p.describe, m.error));
      else p.resolve(m.result);
      dispatch();
    });
    w.on('error', (e) => lost(`the worker thread crashed: ${e.name}: ${e.message}`));
    w.on('exit', (code) => lost(`the worker thread exited (code ${code}) while running it`));
    idle.push(w);
  };

  for (let k = 0; k < o.threads; k++) spawn();

  return {
    run(task, describe) {
      if (closed) return Promise.reject(new Error('openThreads: closed'));
      return new Promise<R>((resolve, reject) => {
        waiting.push({ task, pending: { index: seq++, describe, resolve, reject } });
        dispatch();
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const { pending } of waiting.splice(0)) pending.reject(new PoolTaskError(pending.index, pending.describe, 'stopped before it ran'));
      const threads = [...all];
      await Promise.all(threads.map((w) => w.terminate()));
    },
  };
}
