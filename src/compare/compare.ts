/**
 * Runs every (policy, seed) pair of a comparison, in worker threads (or in this thread with
 * `workers: 0`). Results come back in a fixed order — policies as given, then seeds ascending —
 * whatever order the workers finish in.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Scenario } from '../scenario/types.js';
import type { WorkerReply, WorkerRequest } from './compare-worker.js';
import { runOne, type RunResult, type RunTask } from './run-one.js';

/**
 * Node 20 cannot start a worker on a .ts file (`--import tsx` in a worker's execArgv does not apply
 * to its entry), so the worker starts from this CommonJS snippet: it registers tsx's require hook
 * and requires the TypeScript worker (Node ≥ 20.19 lets CommonJS require ES modules such as d3).
 */
const WORKER_BOOT = `
const { workerData } = require('node:worker_threads');
require(workerData.tsx).register();
require(workerData.entry);
`;
const TSX_CJS = createRequire(import.meta.url).resolve('tsx/cjs/api');
const WORKER_ENTRY = fileURLToPath(new URL('./compare-worker.ts', import.meta.url));

export interface CompareOptions {
  readonly scenario: Scenario;
  readonly policies: readonly string[];
  readonly seeds: readonly number[];
  /** Worker threads; 0 runs everything in this thread. */
  readonly workers: number;
  /** Called after each finished run with (done, total, the run). */
  readonly onProgress?: (done: number, total: number, run: RunResult) => void;
}

/** A run failed: names the pair so the user can replay it. */
export class CompareRunError extends Error {
  constructor(
    readonly task: RunTask,
    message: string,
  ) {
    super(`policy ${task.policy}, seed ${task.seed}: ${message}`);
    this.name = 'CompareRunError';
  }
}

export function compareTasks(policies: readonly string[], seeds: readonly number[]): RunTask[] {
  return policies.flatMap((policy) => seeds.map((seed) => ({ policy, seed })));
}

export async function runCompare(o: CompareOptions): Promise<RunResult[]> {
  const tasks = compareTasks(o.policies, o.seeds);
  const results: RunResult[] = new Array(tasks.length);
  let done = 0;
  const finished = (i: number, r: RunResult) => {
    results[i] = r;
    o.onProgress?.(++done, tasks.length, r);
  };
  if (o.workers <= 0) {
    for (let i = 0; i < tasks.length; i++) {
      try {
        finished(i, await runOne(o.scenario, tasks[i]));
      } catch (e) {
        throw new CompareRunError(tasks[i], e instanceof Error ? `${e.name}: ${e.message}` : String(e));
      }
    }
    return results;
  }
  const count = Math.min(o.workers, tasks.length);
  const workers: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let next = 0;
      let failed = false;
      const feed = (w: Worker) => {
        if (failed) return;
        if (next >= tasks.length) {
          if (done === tasks.length) resolve();
          return;
        }
        const index = next++;
        w.postMessage({ index, ...tasks[index] } satisfies WorkerRequest);
      };
      for (let k = 0; k < count; k++) {
        const w = new Worker(WORKER_BOOT, { eval: true, workerData: { scenario: o.scenario, tsx: TSX_CJS, entry: WORKER_ENTRY } });
        workers.push(w);
        w.on('message', (m: WorkerReply) => {
          if ('error' in m) {
            failed = true;
            reject(new CompareRunError(tasks[m.index], m.error));
            return;
          }
          finished(m.index, m.result);
          feed(w);
        });
        w.on('error', (e) => {
          failed = true;
          reject(e);
        });
        w.on('exit', (code) => {
          if (!failed && done < tasks.length) {
            failed = true;
            reject(new Error(`a compare worker exited (code ${code}) before finishing its runs`));
          }
        });
        feed(w);
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}
