/**
 * What the comparison tables claim (#18.3): no ★ for a tie, intervals of quantities that cannot
 * be negative never below 0 (and marked), one display unit per metric.
 */
import { describe, expect, it } from 'vitest';
import { aggregate, clampAtZero } from '../../src/report/aggregate.js';
import { formatMetric, METRICS, type MetricScalars } from '../../src/report/metric-defs.js';
import type { RunResult } from '../../src/report/run-result.js';
import { summarize } from '../../src/report/stats.js';

/** A run whose scalars are all null except the ones given (aggregate reads nothing else). */
function run(policy: string, seed: number, values: Partial<MetricScalars>): RunResult {
  const scalars = Object.fromEntries(METRICS.filter((m) => !m.gpu).map((m) => [m.key, null])) as MetricScalars;
  return { policy, seed, metrics: { scalars: { ...scalars, ...values } } } as unknown as RunResult;
}

describe('aggregate', () => {
  it('marks no policy better when two share the best mean (a tie is no winner)', () => {
    const runs = [run('a', 1, { evictions: 2 }), run('b', 1, { evictions: 2 }), run('c', 1, { evictions: 5 })];
    expect(aggregate(runs, ['a', 'b', 'c'], [1]).find((c) => c.key === 'evictions')!.best).toBeNull();
    const clear = [run('a', 1, { evictions: 3 }), run('b', 1, { evictions: 2 }), run('c', 1, { evictions: 5 })];
    expect(aggregate(clear, ['a', 'b', 'c'], [1]).find((c) => c.key === 'evictions')!.best).toBe(1);
  });

  it("clamps a non-negative quantity's interval at 0 and says so", () => {
    // evictions 0, 0, 9: mean 3, s = 5.196, t(0.975, 2) = 4.303: x̄ − 12.9 < 0
    const runs = [1, 2, 3].map((seed, i) => run('a', seed, { evictions: [0, 0, 9][i] }));
    const s = aggregate(runs, ['a'], [1, 2, 3]).find((c) => c.key === 'evictions')!.summaries[0]!;
    expect(summarize([0, 0, 9])!.ciLow).toBeLessThan(0);
    expect(s).toMatchObject({ mean: 3, ciLow: 0, clamped: true });
    expect(s.ciHigh).toBeCloseTo(3 + 4.3027 * (Math.sqrt(27) / Math.sqrt(3)), 3);
    expect(clampAtZero(summarize([4, 5, 6]))).not.toHaveProperty('clamped');
  });
});

describe('formatMetric', () => {
  it('shows every duration in seconds, so a column never mixes ms and s', () => {
    expect([formatMetric('ms', 4470), formatMetric('ms', 11_300), formatMetric('ms', 80)]).toEqual(['4.47 s', '11.30 s', '0.08 s']);
  });
});
