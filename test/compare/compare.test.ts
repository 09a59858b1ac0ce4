import { describe, expect, it } from 'vitest';
import { aggregate } from '../../src/report/aggregate.js';
import { runCompare } from '../../src/compare/compare.js';
import { runOne, type RunResult } from '../../src/compare/run-one.js';
import { resultsCsv } from '../../src/compare/results-files.js';
import type { NodeView, ScheduleDecision, ScheduleRequest, Scheduler } from '../../src/core/interfaces.js';
import { addInto, firstShortfall, tally } from '../../src/core/resources.js';
import { readScenario } from '../../src/cli/read-scenario.js';
import { container, node, scenario, service } from '../support/scenario-builder.js';

/** Test-only policy: always the first Ready node (by name) with room. Packs where round-robin spreads. */
class FirstFit implements Scheduler {
  readonly name = 'first-fit-test';
  schedule(request: ScheduleRequest, nodes: readonly NodeView[]): ScheduleDecision[] {
    const extra = nodes.map(() => tally());
    return Array.from({ length: request.count }, (): ScheduleDecision => {
      for (let i = 0; i < nodes.length; i++) {
        const used = tally();
        addInto(used, nodes[i].allocated);
        addInto(used, extra[i]);
        if (nodes[i].node.status === 'Ready' && firstShortfall(request.request, used, nodes[i].node.allocatable) === undefined) {
          addInto(extra[i], request.request);
          return { kind: 'assign', nodeId: nodes[i].node.id, nodeName: nodes[i].node.name };
        }
      }
      return { kind: 'unschedulable', message: 'no room', reasons: { 'Insufficient cpu': nodes.length } };
    });
  }
}

describe('runCompare', () => {
  it('gives the same results in worker threads as in this thread, in a fixed order', async () => {
    const s = readScenario('scenarios/default.yaml');
    const seeds = [3, 1, 2];
    const inThread = await runCompare({ scenario: s, policies: ['round-robin'], seeds, workers: 0 });
    const progress: number[] = [];
    const inWorkers = await runCompare({ scenario: s, policies: ['round-robin'], seeds, workers: 2, onProgress: (d) => progress.push(d) });
    expect(inWorkers.map((r) => r.seed)).toEqual(seeds);
    expect(inWorkers.map((r) => r.traceHash)).toEqual(inThread.map((r) => r.traceHash));
    expect(inWorkers.map((r) => r.metrics.scalars)).toEqual(inThread.map((r) => r.metrics.scalars));
    expect(progress).toEqual([1, 2, 3]);
    // Different seeds are different runs.
    expect(new Set(inThread.map((r) => r.traceHash)).size).toBe(3);
  });

  it('names the policy and seed of a run that fails', async () => {
    const s = readScenario('scenarios/default.yaml');
    await expect(runCompare({ scenario: s, policies: ['no-such-policy'], seeds: [7], workers: 1 })).rejects.toThrow(
      /policy no-such-policy, seed 7: .*unknown scheduler/,
    );
  });
});

describe('aggregate', () => {
  it('marks the better policy and tells a real difference from noise', async () => {
    // 4 nodes, 8 small instances: round-robin puts 2 on each node, first-fit fills nodes in order.
    const s = scenario({
      nodes: [node('n1'), node('n2'), node('n3'), node('n4')],
      workloads: [service('web', 8, { containers: [container('app', 500, 256)] })],
      durationMs: 3 * 60_000,
    });
    const seeds = [1, 2, 3, 4, 5];
    const runs: RunResult[] = [];
    for (const seed of seeds) runs.push(await runOne(s, { policy: 'round-robin', seed }));
    for (const seed of seeds) runs.push({ ...(await runOne(s, { policy: 'first-fit-test', seed }, { scheduler: new FirstFit() })), policy: 'first-fit-test' });
    const cmp = aggregate(runs, ['round-robin', 'first-fit-test'], seeds);
    const balance = cmp.find((c) => c.key === 'nodeBalanceStd')!;
    expect(balance.best).toBe(0);
    expect(balance.summaries[1]!.mean).toBeGreaterThan(balance.summaries[0]!.mean);
    expect(balance.tests[0]).toBeNull();
    expect(balance.tests[1]!.p!).toBeLessThan(0.05);
    // Same requests either way: CPU utilization does not differ, so no policy is "better".
    const cpu = cmp.find((c) => c.key === 'cpuUtilMean')!;
    expect(cpu.summaries[0]!.mean).toBeCloseTo(cpu.summaries[1]!.mean, 9);

    const csv = resultsCsv(runs).trim().split('\n');
    expect(csv).toHaveLength(1 + 10);
    expect(csv[0].split(',').slice(0, 5)).toEqual(['policy', 'seed', 'ok', 'traceHash', 'schedulingP50Ms']);
    expect(csv[6].startsWith('first-fit-test,1,true,')).toBe(true);
  });
});
