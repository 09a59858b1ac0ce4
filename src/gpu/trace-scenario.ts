/**
 * The Alibaba GPU trace as a Slipway scenario (issue 7, item 2), so `slipway run` replays a window
 * of it through the real control plane: every pod becomes a one-replica service submitted at its
 * `creation_time` and deleted at its `deletion_time`. Pure: returns the YAML text.
 *
 * What carries over and what does not (the scenario format has no GPU devices yet):
 * - GPU is the aggregate extended resource `alibabacloud.com/gpu-milli` (node: gpu × 1000; pod:
 *   num_gpu × gpu_milli), as Alibaba's GPU-share device plugin exposes it to Kubernetes. The
 *   per-device rule (a shared pod needs one device with room, a k-GPU pod k free devices) and
 *   `gpu_spec` are enforced only by `slipway experiment fgd` until the scheduler framework models
 *   devices; the model is kept as the node label `alibabacloud.com/gpu-card-model`.
 * - Pods alive at the window's start are submitted at 0s; pods created in the window at their
 *   offset; deletions inside the window become `delete` operations.
 */
import { stringify } from 'yaml';
import type { GpuNodeSpec } from './types.js';
import type { TracePod } from './trace-csv.js';
import { TRACE_CONTROL_PLANE } from '../scenario/csv-records.js';

export const GPU_MILLI_RESOURCE = 'alibabacloud.com/gpu-milli';
export const GPU_MODEL_LABEL = 'alibabacloud.com/gpu-card-model';

export interface TraceScenarioOptions {
  /** The scenario's name. */
  readonly name: string;
  /** Start of the window, in trace seconds. */
  readonly fromS: number;
  /** Length of the window (and of the run), in seconds; > 0. */
  readonly windowS: number;
  readonly seed?: number;
  /** A line of provenance for the scenario's description (file names, command). */
  readonly source: string;
}

export interface TraceScenario {
  readonly yaml: string;
  readonly nodes: number;
  readonly workloads: number;
  /** Pods alive when the window opens (submitted at 0s). */
  readonly alive: number;
  readonly deletions: number;
}

/** Seconds as a duration the scenario loader reads (`90s`), whole seconds. */
function seconds(s: number): string {
  return `${Math.max(0, Math.round(s))}s`;
}

function requests(cpuMilli: number, memoryMiB: number, gpuMilli: number): Record<string, string | number> {
  const r: Record<string, string | number> = { cpu: `${cpuMilli}m`, memory: `${memoryMiB}Mi` };
  if (gpuMilli > 0) r[GPU_MILLI_RESOURCE] = gpuMilli;
  return r;
}

export function traceScenario(nodes: readonly GpuNodeSpec[], pods: readonly TracePod[], o: TraceScenarioOptions): TraceScenario {
  const end = o.fromS + o.windowS;
  const inWindow = pods
    .filter((p) => (p.creationTime ?? 0) < end && (p.deletionTime === undefined || p.deletionTime > o.fromS))
    .map((p) => ({ p, at: Math.max(0, (p.creationTime ?? 0) - o.fromS) }))
    .sort((a, b) => a.at - b.at || (a.p.name < b.p.name ? -1 : a.p.name > b.p.name ? 1 : 0));

  const workloads = inWindow.map(({ p, at }) => ({
    name: p.name,
    replicas: 1,
    at: seconds(at),
    labels: { app: p.name },
    containers: [{ name: 'task', image: 'alibaba-gpu-trace/task:v2023', requests: requests(p.cpuMilli, p.memoryMiB, p.numGpu * p.gpuMilli) }],
  }));
  const deletions = inWindow
    .filter(({ p }) => p.deletionTime !== undefined && p.deletionTime < end)
    .map(({ p }) => ({ at: Math.max(0, p.deletionTime! - o.fromS), name: p.name }))
    .sort((a, b) => a.at - b.at || (a.name < b.name ? -1 : 1))
    .map((d) => ({ at: seconds(d.at), delete: { workload: d.name } }));

  const doc = {
    name: o.name,
    description: `Alibaba GPU trace v2023, trace seconds ${o.fromS}..${end}: ${o.source}`,
    seed: o.seed ?? 1,
    duration: seconds(o.windowS),
    nodes: [...nodes]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((n) => ({
        name: n.name,
        capacity: { cpu: `${n.cpuMilli}m`, memory: `${n.memoryMiB}Mi`, ...(n.gpuCount > 0 ? { [GPU_MILLI_RESOURCE]: n.gpuCount * 1000 } : {}) },
        ...(n.model ? { labels: { [GPU_MODEL_LABEL]: n.model } } : {}),
      })),
    workloads,
    operations: deletions,
    controlPlane: { ...TRACE_CONTROL_PLANE },
  };
  return {
    yaml: stringify(doc, { lineWidth: 0 }),
    nodes: nodes.length,
    workloads: workloads.length,
    alive: inWindow.filter(({ p }) => (p.creationTime ?? 0) <= o.fromS).length,
    deletions: deletions.length,
  };
}
