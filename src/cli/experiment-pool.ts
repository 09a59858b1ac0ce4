/**
 * Runs study jobs on N worker threads of the pool (src/pool; ./experiment-worker), or inline when
 * N = 1. Results come back in job order whatever order the workers finish in, so the output is
 * the same for any N.
 */
import { runPool } from '../pool/pool.js';
import { withSignals } from './signals.js';
import { runJob, type JobResult, type StudyJob } from '../gpu/study.js';
import type { GpuPodSpec } from '../gpu/types.js';
import { join } from 'node:path';
import { siblingModule } from '../module-url.js';
import { writeOutput } from './output.js';
import { readGpuNodes, readWorkload } from './traces.js';

/** Where one job's placements go: DIR/<workload>/<policy>-seed<seed>.jsonl. */
export function placementsPath(dir: string, job: StudyJob): string {
  return join(dir, job.workload, `${job.policy}-seed${job.seed}.jsonl`);
}

export interface PoolOptions {
  readonly tracesDir: string;
  readonly workers: number;
  /** When set, every job's per-pod decisions go to placementsPath(placementsDir, job). */
  readonly placementsDir?: string;
  /** Called after each finished job (for progress). */
  readonly onDone?: (done: number, total: number, result: JobResult) => void;
}

export async function runJobs(jobs: readonly StudyJob[], o: PoolOptions): Promise<JobResult[]> {
  const results: JobResult[] = new Array(jobs.length);
  let done = 0;
  if (o.workers <= 1 || jobs.length <= 1) {
    const nodes = readGpuNodes(o.tracesDir);
    const cache = new Map<string, GpuPodSpec[]>();
    for (let i = 0; i < jobs.length; i++) {
      let pods = cache.get(jobs[i].workload);
      if (!pods) cache.set(jobs[i].workload, (pods = readWorkload(o.tracesDir, jobs[i].workload)));
      const { placements, ...result } = runJob(jobs[i], { nodes, pods, placements: o.placementsDir !== undefined });
      if (placements !== undefined) writeOutput(placementsPath(o.placementsDir!, jobs[i]), placements);
      results[i] = result;
      o.onDone?.(++done, jobs.length, results[i]);
      // let the event loop breathe (progress output) between experiments
      await new Promise((r) => setImmediate(r));
    }
    return results;
  }
  // Read the trace once here first, so bad input fails with its one-line message before any thread starts.
  readGpuNodes(o.tracesDir);
  for (const w of new Set(jobs.map((j) => j.workload))) readWorkload(o.tracesDir, w);

  return withSignals('the experiment', (signal) => runPool<StudyJob, JobResult>({
    signal,
    entry: siblingModule('experiment-worker', import.meta.url),
    data: { tracesDir: o.tracesDir, placementsDir: o.placementsDir } satisfies ExperimentWorkerData,
    tasks: jobs,
    workers: o.workers,
    describe: (j) => `${j.workload}/${j.policy}/seed ${j.seed}`,
    onResult: (result, _index, done) => o.onDone?.(done, jobs.length, result),
  }));
}

/** What every experiment worker gets once. */
export interface ExperimentWorkerData {
  readonly tracesDir: string;
  readonly placementsDir?: string;
}
