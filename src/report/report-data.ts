/**
 * The data a report's charts draw, built from the runs: per policy, time series averaged over
 * seeds, latency quantiles averaged over seeds (Vincentized CDF), the node heatmap of the first
 * seed, and unschedulable reasons averaged per run. Sizes are bounded whatever the cluster size:
 * at most `samples + 1` points per series, 100 heatmap rows × 120 columns.
 */
import type { RunResult } from './run-result.js';

export const HEATMAP_MAX_COLUMNS = 120;

export interface ChartData {
  readonly policies: string[];
  readonly durationMs: number;
  /** Sample times (ms). */
  readonly t: number[];
  readonly cpu: number[][];
  readonly memory: number[][];
  readonly pending: number[][];
  readonly fragCpu: number[][];
  /** GPU runs only: allocated and fragmented GPU share of capacity, per policy (mean over seeds). */
  readonly gpuAlloc?: number[][];
  readonly gpuFrag?: number[][];
  /** Per policy: 101 start-up latency quantiles (ms, created → Running), or empty. */
  readonly startup: number[][];
  /** Per policy: 101 scheduling latency quantiles (ms, created → bound), or empty. */
  readonly scheduling: number[][];
  readonly heatmaps: Array<{ policy: string; seed: number; rows: string[]; t: number[]; values: Array<Array<number | null>> }>;
  /** Per policy: mean unschedulable attempts per run, by reason. */
  readonly reasons: Array<Record<string, number>>;
  readonly timeline: Array<{ t: number; type: string; target: string }>;
}

export function chartData(runs: readonly RunResult[], policies: readonly string[]): ChartData {
  const first = runs[0];
  const t = first ? first.metrics.series.t : [];
  const byPolicy = policies.map((p) => runs.filter((r) => r.policy === p));
  const meanSeries = (pick: (r: RunResult) => number[]) =>
    byPolicy.map((rs) => t.map((_, k) => round(avg(rs.map((r) => pick(r)[k] ?? 0)), 4)));
  return {
    policies: [...policies],
    durationMs: first ? first.metrics.durationMs : 0,
    t,
    cpu: meanSeries((r) => r.metrics.series.cpu),
    memory: meanSeries((r) => r.metrics.series.memory),
    pending: meanSeries((r) => r.metrics.series.pending),
    fragCpu: meanSeries((r) => r.metrics.series.fragCpu),
    ...(runs.some((r) => r.metrics.series.gpuAlloc)
      ? { gpuAlloc: meanSeries((r) => r.metrics.series.gpuAlloc ?? []), gpuFrag: meanSeries((r) => r.metrics.series.gpuFrag ?? []) }
      : {}),
    startup: byPolicy.map((rs) => vincentized(rs.map((r) => r.metrics.startupQuantiles))),
    scheduling: byPolicy.map((rs) => vincentized(rs.map((r) => r.metrics.schedulingQuantiles))),
    heatmaps: byPolicy.flatMap((rs) => (rs[0] ? [heatmapOf(rs[0])] : [])),
    reasons: byPolicy.map((rs) => {
      const out: Record<string, number> = {};
      for (const r of rs) for (const [k, v] of Object.entries(r.metrics.unschedulable.reasons)) out[k] = (out[k] ?? 0) + v / rs.length;
      return out;
    }),
    timeline: first ? first.metrics.timeline : [],
  };
}

/** The run's heatmap with columns averaged down to at most HEATMAP_MAX_COLUMNS. */
function heatmapOf(r: RunResult): ChartData['heatmaps'][number] {
  const { rows, values } = r.metrics.heatmap;
  const t = r.metrics.series.t;
  const n = t.length;
  const cols = Math.min(HEATMAP_MAX_COLUMNS, n);
  // Column c averages samples [floor(c·n/cols), floor((c+1)·n/cols)).
  const bounds = Array.from({ length: cols }, (_, c) => [Math.floor((c * n) / cols), Math.floor(((c + 1) * n) / cols)]);
  return {
    policy: r.policy,
    seed: r.seed,
    rows,
    t: bounds.map(([lo]) => t[lo]),
    values: values.map((row) =>
      bounds.map(([lo, hi]) => {
        const xs = row.slice(lo, hi).filter((v): v is number => v !== null);
        return xs.length > 0 ? round(avg(xs), 3) : null;
      }),
    ),
  };
}

/** Quantiles averaged over runs (a Vincentized CDF); runs without data are left out. */
function vincentized(qs: ReadonlyArray<readonly number[]>): number[] {
  const withData = qs.filter((q) => q.length > 0);
  if (withData.length === 0) return [];
  return Array.from({ length: 101 }, (_, i) => round(avg(withData.map((q) => q[i])), 1));
}

function avg(xs: readonly number[]): number {
  return xs.length > 0 ? xs.reduce((a, x) => a + x, 0) / xs.length : 0;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
