/**
 * The Alibaba GPU trace as a Slipway scenario (issue 7, item 2), so `slipway run` replays a window
 * of it through the real control plane: every pod becomes a one-replica service submitted at its
 * `creation_time` and deleted at its `deletion_time`. Pure: returns the YAML text.
 *
 * What carries over:
 * - GPUs per device: a node with `gpu` > 0 gets `gpus: {model, count}`, a pod with a GPU request
 *   `gpus: {count: num_gpu, milli: gpu_milli, models: gpu_spec}`, so every profile places it per
 *   device (GpuFit: a shared pod needs one device with room, a k-GPU pod k free devices, gpu_spec
 *   honoured) and the gpu-* profiles run the paper's policies. The model is also kept as the node
 *   label `alibabacloud.com/gpu-card-model` (for nodeSelector/affinity).
 * - Pods alive at the window's start are submitted at 0s; pods created in the window at their
 *   offset; deletions inside the window become `delete` operations.
 */
import { stringify } from 'yaml';
import type { GpuNodeSpec } from './types.js';
import type { TracePod } from './trace-csv.js';
import { TRACE_CONTROL_PLANE } from './csv-records.js';

/** The aggregate form of Alibaba's GPU-share device plugin (the DLRM importer still uses it). */
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

function gpusOf(p: TracePod): { gpus?: { count: number; milli: number; models?: string[] } } {
  if (p.numGpu === 0 || p.gpuMilli === 0) return {};
  return { gpus: { count: p.numGpu, milli: p.gpuMilli, ...(p.gpuSpec.length > 0 ? { models: [...p.gpuSpec] } : {}) } };
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
    ...gpusOf(p),
    containers: [{ name: 'task', image: 'alibaba-gpu-trace/task:v2023', requests: { cpu: `${p.cpuMilli}m`, memory: `${p.memoryMiB}Mi` } }],
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
        capacity: { cpu: `${n.cpuMilli}m`, memory: `${n.memoryMiB}Mi` },
        ...(n.gpuCount > 0 ? { gpus: { model: n.model || 'unknown', count: n.gpuCount } } : {}),
        ...(n.model ? { labels: { [GPU_MODEL_LABEL]: n.model } } : {}),
      })),
    workloads,
    operations: deletions,
    // round-robin (the scenario default) knows nothing of GPU devices: kube-scheduler's default profile does (GpuFit)
    scheduler: 'default',
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
