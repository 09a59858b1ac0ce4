/**
 * Runs every (policy, seed) pair of a comparison, in worker threads (or in this thread with
 * `workers: 0`). Results come back in a fixed order — policies as given, then seeds ascending —
 * whatever order the workers finish in.
 */
import { siblingModule } from '../module-url.js';
import { PoolTaskError, runPool } from '../pool/pool.js';
import type { Scenario } from '../scenario/types.js';
import { runOne, type RunResult, type RunTask } from './run-one.js';

export interface CompareOptions {
  readonly scenario: Scenario;
  readonly policies: readonly string[];
  readonly seeds: readonly number[];
  /** Worker threads; 0 runs everything in this thread. */
  readonly workers: number;
  /** Called after each finished run with (done, total, the run). */
  readonly onProgress?: (done: number, total: number, run: RunResult) => void;
  /** Stops the runs when aborted (the CLI's signal watch, src/cli/signals.ts): PoolInterrupted, nothing written. */
  readonly signal?: AbortSignal;
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
  try {
    return await runPool<RunTask, RunResult>({
      entry: siblingModule('compare-worker', import.meta.url),
      data: o.scenario,
      tasks,
      workers: o.workers,
      inline: (task) => runOne(o.scenario, task),
      describe: (task) => `policy ${task.policy}, seed ${task.seed}`,
      onResult: (run, _index, done) => o.onProgress?.(done, tasks.length, run),
      ...(o.signal ? { signal: o.signal } : {}),
    });
  } catch (e) {
    // The pool names the pair already; CompareRunError keeps the pair for the CLI's replay line.
    if (e instanceof PoolTaskError) throw new CompareRunError(tasks[e.index], e.detail);
    throw e;
  }
}
