/**
 * Turns the runs of a comparison into per-policy statistics: for every metric the mean and 95%
 * confidence interval across seeds, and a paired t-test of each policy against the first (the
 * same seeds give both the same workload and faults, so the pairs differ only by policy).
 */
import { metricsOf, type MetricKey } from './metric-defs.js';
import { pairedTTest, summarize, type PairedTest, type Summary } from './stats.js';
import type { RunResult } from './run-result.js';

export interface MetricComparison {
  readonly key: MetricKey;
  /** Per policy (in the order given): the summary across seeds, null when no run had a value. */
  readonly summaries: ReadonlyArray<Summary | null>;
  /** Per policy: paired test against the first policy (null for the first itself). */
  readonly tests: ReadonlyArray<PairedTest | null>;
  /**
   * Index of the policy with the strictly better mean, or null when two or more share the best
   * mean (a tie is no winner), or fewer than two have a value.
   */
  readonly best: number | null;
}

/** p-value below which a report calls a difference real. */
export const SIGNIFICANCE = 0.05;

export function aggregate(runs: readonly RunResult[], policies: readonly string[], seeds: readonly number[]): MetricComparison[] {
  const value = (policy: string, seed: number, key: MetricKey): number | null => {
    const r = runs.find((x) => x.policy === policy && x.seed === seed);
    return r ? (r.metrics.scalars[key] ?? null) : null;
  };
  return metricsOf(runs.map((r) => r.metrics.scalars)).map((m) => {
    const columns = policies.map((p) => seeds.map((s) => value(p, s, m.key)));
    // Every metric is a non-negative quantity (latencies, shares, counts): its interval is clamped at 0.
    const summaries = columns.map((c) => clampAtZero(summarize(c.filter((v): v is number => v !== null))));
    const tests = columns.map((c, i) => (i === 0 ? null : pairedTTest(columns[0], c)));
    let best: number | null = null;
    summaries.forEach((s, i) => {
      if (!s) return;
      const cur = best === null ? null : summaries[best]!;
      if (!cur || (m.better === 'lower' ? s.mean < cur.mean : s.mean > cur.mean)) best = i;
    });
    const means = summaries.filter((s): s is Summary => s !== null).map((s) => s.mean);
    const top: number | null = best;
    const bestMean = top === null ? undefined : summaries[top]?.mean;
    if (means.length < 2 || means.filter((x) => x === bestMean).length > 1) best = null;
    return { key: m.key, summaries, tests, best };
  });
}

/**
 * The Student's t interval of a quantity that cannot be negative, with its lower end clamped at 0
 * (`clamped` says it was): x̄ − t·s/√n can fall below 0 for a small, skewed sample, which no run
 * can produce. The upper end and the mean are unchanged.
 */
export function clampAtZero(s: Summary | null): Summary | null {
  if (s === null || s.ciLow >= 0) return s;
  return { ...s, ciLow: 0, clamped: true };
}
