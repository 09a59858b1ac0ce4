/**
 * The machine-readable outputs of a comparison: results.json (everything but the time series)
 * and results.csv (one row per policy and seed, one column per metric the runs report).
 */
import { stringify } from 'csv-stringify/sync';
import { metricsOf } from '../report/metric-defs.js';
import type { MetricComparison } from '../report/aggregate.js';
import type { RunResult } from './run-one.js';

export interface ResultsMeta {
  readonly scenario: string;
  readonly file: string;
  readonly policies: readonly string[];
  readonly seeds: readonly number[];
  readonly commands: { readonly compare: string; readonly replay: string };
}

export function resultsJson(meta: ResultsMeta, runs: readonly RunResult[], comparisons: readonly MetricComparison[]): string {
  return (
    JSON.stringify(
      {
        ...meta,
        metrics: comparisons.map((c) => ({
          key: c.key,
          best: c.best === null ? null : meta.policies[c.best],
          policies: Object.fromEntries(
            meta.policies.map((p, i) => [p, { summary: c.summaries[i], vsFirst: c.tests[i] }]),
          ),
        })),
        runs: runs.map((r) => ({
          policy: r.policy,
          seed: r.seed,
          ok: r.ok,
          traceHash: r.traceHash,
          events: r.events,
          metrics: r.metrics.scalars,
          faults: r.metrics.faults,
          unschedulable: r.metrics.unschedulable,
        })),
      },
      null,
      2,
    ) + '\n'
  );
}

export function resultsCsv(runs: readonly RunResult[]): string {
  // The GPU columns only when the runs have GPU devices: a CPU-only comparison's file is unchanged.
  const keys = metricsOf(runs.map((r) => r.metrics.scalars)).map((m) => m.key);
  const header = ['policy', 'seed', 'ok', 'traceHash', ...keys];
  const rows = runs.map((r) => [r.policy, r.seed, r.ok, r.traceHash, ...keys.map((k) => r.metrics.scalars[k] ?? '')]);
  return stringify([header, ...rows], { cast: { boolean: (v) => String(v) } });
}
