/**
 * A worker thread of `slipway experiment fgd` (src/pool): reads the trace once per workload, then
 * runs the jobs it is sent. With placementsDir it also writes each job's per-pod decisions there.
 */
import { runJob, type JobResult, type StudyJob } from '../gpu/study.js';
import type { GpuNodeSpec, GpuPodSpec } from '../gpu/types.js';
import { poolData, serveTasks } from '../pool/serve-tasks.js';
import { writeOutput } from './output.js';
import { placementsPath, type ExperimentWorkerData } from './experiment-pool.js';
import { readGpuNodes, readWorkload } from './traces.js';

const { tracesDir, placementsDir } = poolData<ExperimentWorkerData>();
let nodes: GpuNodeSpec[] | undefined;
const workloads = new Map<string, GpuPodSpec[]>();

serveTasks((job: StudyJob): JobResult => {
  nodes ??= readGpuNodes(tracesDir);
  let pods = workloads.get(job.workload);
  if (!pods) workloads.set(job.workload, (pods = readWorkload(tracesDir, job.workload)));
  const { placements, ...result } = runJob(job, { nodes, pods, placements: placementsDir !== undefined });
  if (placements !== undefined) writeOutput(placementsPath(placementsDir!, job), placements);
  return result;
});
