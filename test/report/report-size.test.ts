import { describe, expect, it } from 'vitest';
import { aggregate } from '../../src/report/aggregate.js';
import type { RunResult } from '../../src/compare/run-one.js';
import { MetricsCollector } from '../../src/report/metrics.js';
import { renderReport } from '../../src/report/report-html.js';
import type { RunSummary } from '../../src/run/simulate.js';
import { node, scenario } from '../support/scenario-builder.js';
import { eventFeeder } from '../support/trace-parts.js';

const GiB = 2 ** 30;

/** The metrics of a synthetic 10,000-node, 20,000-instance hour, fed record by record. */
function bigRun(policy: string, seed: number): RunResult {
  const c = new MetricsCollector({ durationMs: 3_600_000, typicalPod: { cpu: 500, memory: GiB } });
  const feed = eventFeeder(c.onEvent);
  const alloc = { cpu: 4000, memory: 16 * GiB, disk: 0, extended: {} };
  for (let i = 0; i < 10_000; i++)
    feed(0, 'node.added', { node: `n-${String(i).padStart(5, '0')}`, status: 'Ready', capacity: alloc, allocatable: alloc, unschedulable: false });
  feed(0, 'workload.submitted', { workload: 'w', kind: 'service', replicas: 20_000, generation: 1 });
  for (let k = 0; k < 20_000; k++) {
    const t = k * 100;
    const request = { cpu: 500, memory: GiB, disk: 0, extended: {} };
    feed(t, 'instance.created', { instance: `i${k}`, workload: 'w', slot: k, generation: 1, reason: 'scale-up' });
    feed(t, 'instance.scheduled', { instance: `i${k}`, workload: 'w', node: `n-${String((k * 7 + seed) % 10_000).padStart(5, '0')}`, attempt: 1, request });
    feed(t + 1000 + (k % 50) * 20, 'instance.status', { instance: `i${k}`, workload: 'w', from: 'Pending', to: 'Running' });
  }
  feed(2_100_000, 'fault.node_crash', { node: 'n-00042', applied: true });
  const metrics = c.finish(3_600_000);
  return { policy, seed, traceHash: 'x', events: 0, ok: true, metrics, summary: {} as RunSummary };
}

describe('report size', () => {
  it('stays under 10 MB for 5 policies x 20 seeds of a 10,000-node run', () => {
    const policies = ['p1', 'p2', 'p3', 'p4', 'p5'];
    const seeds = Array.from({ length: 20 }, (_, i) => i + 1);
    const one = bigRun('p1', 1);
    expect(one.metrics.heatmap.rows).toHaveLength(100);
    expect(one.metrics.heatmap.rows[0]).toBe('n-00000 … n-00099');
    // The runs differ by policy and seed only in labels here; sizes are what matter.
    const runs = policies.flatMap((policy) => seeds.map((seed) => ({ ...one, policy, seed })));
    const html = renderReport({
      title: 'size',
      scenario: scenario({ nodes: [node('n-00000')] }),
      policies,
      seeds,
      runs,
      comparisons: aggregate(runs, policies, seeds),
      commands: [],
    });
    expect(Buffer.byteLength(html)).toBeLessThan(10 * 2 ** 20);
    // Heatmaps: one per policy, at most 100 rows × 120 columns each.
    const data = JSON.parse(/<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)![1]);
    expect(data.heatmaps).toHaveLength(5);
    expect(data.heatmaps[0].values).toHaveLength(100);
    expect(data.heatmaps[0].values[0]).toHaveLength(120);
  });
});
