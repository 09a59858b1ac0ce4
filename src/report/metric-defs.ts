/**
 * The scalar metrics of a run, as the reports and results files name them. Each has a unit and a
 * direction ("lower is better" or "higher is better") so a report can mark the better policy.
 */
import { assertNever } from '../core/assert-never.js';
export type MetricKey =
  | 'schedulingP50Ms'
  | 'schedulingP90Ms'
  | 'schedulingP99Ms'
  | 'startupP50Ms'
  | 'startupP90Ms'
  | 'startupP99Ms'
  | 'convergeMeanMs'
  | 'convergeMaxMs'
  | 'faultsNotConverged'
  | 'cpuUtilMean'
  | 'memoryUtilMean'
  | 'fragCpuMean'
  | 'fragMemoryMean'
  | 'pendingMean'
  | 'pendingMax'
  | 'unschedulableAttempts'
  | 'evictions'
  | 'preemptions'
  | 'reschedules'
  | 'nodeBalanceStd'
  | 'expectationsMet'
  | GpuMetricKey;

/** Metrics a run has only when its cluster has GPU devices (absent from CPU-only results). */
export type GpuMetricKey = 'gpuAllocMean' | 'gpuAllocEnd' | 'gpuFragMean' | 'gpuFragEnd' | 'gpuPendingMean' | 'gpuUnschedulableAttempts';

export type Unit = 'ms' | 'fraction' | 'count' | 'instances';

export interface MetricDef {
  readonly key: MetricKey;
  readonly label: string;
  readonly unit: Unit;
  readonly better: 'lower' | 'higher';
  readonly description: string;
  /** Only for runs whose cluster has GPU devices. */
  readonly gpu?: true;
}

export const METRICS: readonly MetricDef[] = [
  { key: 'schedulingP50Ms', label: 'scheduling latency p50', unit: 'ms', better: 'lower', description: 'instance created → bound to a node (instance.scheduled), median' },
  { key: 'schedulingP90Ms', label: 'scheduling latency p90', unit: 'ms', better: 'lower', description: 'instance created → bound to a node, 90th percentile' },
  { key: 'schedulingP99Ms', label: 'scheduling latency p99', unit: 'ms', better: 'lower', description: 'instance created → bound to a node, 99th percentile' },
  { key: 'startupP50Ms', label: 'start-up latency p50', unit: 'ms', better: 'lower', description: 'instance created → first Running (waiting for a node, image pull, container start), median' },
  { key: 'startupP90Ms', label: 'start-up latency p90', unit: 'ms', better: 'lower', description: 'instance created → first Running, 90th percentile' },
  { key: 'startupP99Ms', label: 'start-up latency p99', unit: 'ms', better: 'lower', description: 'instance created → first Running, 99th percentile' },
  { key: 'convergeMeanMs', label: 'time to converge after a fault (mean)', unit: 'ms', better: 'lower', description: 'fault → every service back at its replica count with none of its instances pending; mean over faults' },
  { key: 'convergeMaxMs', label: 'time to converge after a fault (max)', unit: 'ms', better: 'lower', description: 'the slowest fault; a fault never recovered from counts until the end of the run' },
  { key: 'faultsNotConverged', label: 'faults not recovered by the end', unit: 'count', better: 'lower', description: 'faults after which the cluster did not converge before the run ended' },
  { key: 'cpuUtilMean', label: 'CPU utilization (mean)', unit: 'fraction', better: 'higher', description: 'requested CPU on Ready nodes / their allocatable CPU, mean over time' },
  { key: 'memoryUtilMean', label: 'memory utilization (mean)', unit: 'fraction', better: 'higher', description: 'requested memory on Ready nodes / their allocatable memory, mean over time' },
  { key: 'fragCpuMean', label: 'CPU fragmentation (mean)', unit: 'fraction', better: 'lower', description: 'share of free CPU on nodes where the typical pod no longer fits, mean over time' },
  { key: 'fragMemoryMean', label: 'memory fragmentation (mean)', unit: 'fraction', better: 'lower', description: 'share of free memory on nodes where the typical pod no longer fits, mean over time' },
  { key: 'pendingMean', label: 'pending instances (mean)', unit: 'instances', better: 'lower', description: 'instances waiting for a node or for their containers, mean over time' },
  { key: 'pendingMax', label: 'pending instances (max)', unit: 'instances', better: 'lower', description: 'the most instances pending at a sample' },
  { key: 'unschedulableAttempts', label: 'unschedulable attempts', unit: 'count', better: 'lower', description: 'scheduling attempts that found no node' },
  { key: 'evictions', label: 'evictions', unit: 'count', better: 'lower', description: 'instances stopped because their node was lost' },
  { key: 'preemptions', label: 'preemptions', unit: 'count', better: 'lower', description: 'instances stopped to make room for higher-priority ones' },
  { key: 'reschedules', label: 'reschedules', unit: 'count', better: 'lower', description: 'replacements created for instances lost with their node' },
  { key: 'nodeBalanceStd', label: 'node imbalance (std. dev.)', unit: 'fraction', better: 'lower', description: 'standard deviation of per-node utilization (dominant resource) across Ready nodes, mean over time' },
  { key: 'expectationsMet', label: 'expectations met', unit: 'fraction', better: 'higher', description: "share of the scenario's expectations that held" },
  { key: 'gpuAllocMean', label: 'GPU allocated (mean)', unit: 'fraction', better: 'higher', gpu: true, description: 'milli-GPU held by instances on Ready nodes / those nodes\' GPU capacity, mean over time' },
  { key: 'gpuAllocEnd', label: 'GPU allocated (end)', unit: 'fraction', better: 'higher', gpu: true, description: 'milli-GPU held by instances on Ready nodes / those nodes\' GPU capacity, at the end of the run' },
  { key: 'gpuFragMean', label: 'GPU fragmented (mean)', unit: 'fraction', better: 'lower', gpu: true, description: "FGD's fragmentation measure (idle GPU the scenario's typical pods cannot use) / GPU capacity of Ready nodes, mean over time" },
  { key: 'gpuFragEnd', label: 'GPU fragmented (end)', unit: 'fraction', better: 'lower', gpu: true, description: "FGD's fragmentation measure / GPU capacity of Ready nodes, at the end of the run" },
  { key: 'gpuPendingMean', label: 'pending GPU instances (mean)', unit: 'instances', better: 'lower', gpu: true, description: 'instances of workloads asking for GPUs waiting for a node or for their containers, mean over time' },
  { key: 'gpuUnschedulableAttempts', label: 'unschedulable GPU attempts', unit: 'count', better: 'lower', gpu: true, description: 'scheduling attempts of instances asking for GPUs that found no node' },
];

/** The scalar values of a run: the GPU metrics only when its cluster has GPU devices. */
export type MetricScalars = Record<Exclude<MetricKey, GpuMetricKey>, number | null> & Partial<Record<GpuMetricKey, number | null>>;

/** The metrics the given runs report: every CPU metric, the GPU metrics when any run has them. */
export function metricsOf(scalars: ReadonlyArray<MetricScalars>): readonly MetricDef[] {
  return METRICS.filter((m) => !m.gpu || scalars.some((s) => s[m.key] !== undefined));
}


/** The unit a metric's values are shown in (one per metric, so a column never mixes ms and s). */
export function displayUnit(unit: Unit): string {
  switch (unit) {
    case 'ms':
      return 's';
    case 'fraction':
      return '%';
    case 'count':
      return 'count';
    case 'instances':
      return 'instances';
    default:
      return assertNever(unit, 'unit');
  }
}

/**
 * Formats a metric value for tables, always in the metric's one display unit: durations in
 * seconds with two decimals (never "4470 ms" beside "11.3 s"), fractions as percentages, counts
 * as integers (one decimal for a mean).
 */
export function formatMetric(unit: Unit, v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  switch (unit) {
    case 'ms':
      return `${(v / 1000).toFixed(2)} s`;
    case 'fraction':
      return `${(v * 100).toFixed(1)}%`;
    case 'count':
    case 'instances':
      return Number.isInteger(v) ? String(v) : v.toFixed(1);
    default:
      return assertNever(unit, 'unit');
  }
}
