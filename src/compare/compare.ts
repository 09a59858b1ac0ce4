/**
 * Runs every (policy, seed) pair of a comparison, in worker threads (or in this thread with
 * `workers: 0`). Results come back in a fixed order — policies as given, then seeds ascending —
 * whatever order the workers finish in.
 */
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { buildSync } from 'esbuild';
import { siblingModule } from '../module-url.js';
import type { Scenario } from '../scenario/types.js';
import type { WorkerReply, WorkerRequest } from './compare-worker.js';
import { runOne, type RunResult, type RunTask } from './run-one.js';

/**
 * The worker's code: src/compare/compare-worker.ts and everything it imports, bundled by esbuild
 * into one CommonJS script (once per process, in memory) that a worker runs with `eval: true`.
 * Workers therefore need no TypeScript loader: on Node 20 a worker cannot start on a .ts file, and
 * loader hooks (tsx) inherited from the parent can deadlock a worker that loads ES modules.
 */
let workerCode: string | undefined;
function workerScript(): string {
  workerCode ??= buildSync({
    entryPoints: [fileURLToPath(siblingModule('compare-worker', import.meta.url))],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    write: false,
    logLevel: 'silent',
  }).outputFiles[0].text;
  return workerCode;
}

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
        const w = new Worker(workerScript(), { eval: true, execArgv: [], workerData: { scenario: o.scenario } });
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
