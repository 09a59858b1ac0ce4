/**
 * A worker thread of `slipway experiment fgd`: reads the trace once per workload, then runs the
 * jobs the main thread posts ({ index, job }) and posts back { index, result } or { index, error }.
 * With workerData.placementsDir it also writes each job's per-pod decisions there.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runJob, type StudyJob } from '../gpu/study.js';
import type { GpuNodeSpec, GpuPodSpec } from '../gpu/types.js';
import { writeOutput } from './output.js';
import { placementsPath } from './experiment-pool.js';
import { readGpuNodes, readWorkload } from './traces.js';

const { tracesDir, placementsDir } = workerData as { tracesDir: string; placementsDir?: string };
let nodes: GpuNodeSpec[] | undefined;
const workloads = new Map<string, GpuPodSpec[]>();

parentPort!.on('message', (msg: { index: number; job: StudyJob }) => {
  try {
    nodes ??= readGpuNodes(tracesDir);
    let pods = workloads.get(msg.job.workload);
    if (!pods) workloads.set(msg.job.workload, (pods = readWorkload(tracesDir, msg.job.workload)));
    const { placements, ...result } = runJob(msg.job, { nodes, pods, placements: placementsDir !== undefined });
    if (placements !== undefined) writeOutput(placementsPath(placementsDir!, msg.job), placements);
    parentPort!.postMessage({ index: msg.index, result });
  } catch (e) {
    parentPort!.postMessage({ index: msg.index, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
  }
});
