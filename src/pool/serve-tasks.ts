/**
 * The worker side of the pool (src/pool/pool.ts): a worker module calls `serveTasks(run)` once;
 * each task the pool sends is run (one at a time) and its result, or its error as one line,
 * posted back with the task's index.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { TaskReply, TaskRequest } from './pool.js';

/** What the pool sent every worker once (`PoolOptions.data`). */
export function poolData<D>(): D {
  return (workerData as { data: D }).data;
}

/** Runs the pool's tasks in this worker with `run`. */
export function serveTasks<T, R>(run: (task: T) => R | Promise<R>): void {
  const port = parentPort;
  if (!port) throw new Error('serveTasks runs only in a worker thread started by the pool');
  port.on('message', (req: TaskRequest<T>) => {
    Promise.resolve()
      .then(() => run(req.task))
      .then(
        (result) => port.postMessage({ index: req.index, result } satisfies TaskReply<R>),
        (e: unknown) => port.postMessage({ index: req.index, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) } satisfies TaskReply<R>),
      );
  });
}
