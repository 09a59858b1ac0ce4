/**
 * Runs study jobs on N worker threads (../pool/worker-bootstrap.js registers tsx, then loads
 * ./experiment-worker.ts), or inline when N = 1. Results come back in job order whatever order the workers finish in, so the
 * output is the same for any N.
 */
import { Worker } from 'node:worker_threads';
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

  const bootstrap = new URL('../pool/worker-bootstrap.js', import.meta.url);
  const entry = siblingModule('experiment-worker', import.meta.url).href;
  const n = Math.min(o.workers, jobs.length);
  let next = 0;
  const workers: Worker[] = [];
  try {
    await new Promise<void>((resolveAll, rejectAll) => {
      let finished = 0;
      const feed = (w: Worker) => {
        if (next < jobs.length) {
          const index = next++;
          w.postMessage({ index, job: jobs[index] });
        }
      };
      for (let k = 0; k < n; k++) {
        const w = new Worker(bootstrap, { workerData: { entry, tracesDir: o.tracesDir, placementsDir: o.placementsDir } });
        workers.push(w);
        w.on('message', (msg: { index: number; result?: JobResult; error?: string }) => {
          if (msg.error !== undefined) {
            const j = jobs[msg.index];
            rejectAll(new Error(`${j.workload}/${j.policy}/seed ${j.seed}: ${msg.error}`));
            return;
          }
          results[msg.index] = msg.result!;
          o.onDone?.(++done, jobs.length, msg.result!);
          if (++finished === jobs.length) resolveAll();
          else feed(w);
        });
        w.on('error', rejectAll);
        w.on('exit', (code) => {
          if (code !== 0 && finished < jobs.length) rejectAll(new Error(`experiment worker exited with code ${code}`));
        });
        feed(w);
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}
