/**
 * A compare worker thread: receives the scenario once (workerData), then runs the (policy, seed)
 * tasks it is sent, one at a time, and posts each result back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Scenario } from '../scenario/types.js';
import { runOne, type RunTask } from './run-one.js';

export interface WorkerRequest extends RunTask {
  readonly index: number;
}

export type WorkerReply =
  | { readonly index: number; readonly result: Awaited<ReturnType<typeof runOne>> }
  | { readonly index: number; readonly error: string };

const scenario = (workerData as { scenario: Scenario }).scenario;

parentPort!.on('message', (req: WorkerRequest) => {
  runOne(scenario, { policy: req.policy, seed: req.seed }).then(
    (result) => parentPort!.postMessage({ index: req.index, result } satisfies WorkerReply),
    (e: unknown) =>
      parentPort!.postMessage({ index: req.index, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) } satisfies WorkerReply),
  );
});
