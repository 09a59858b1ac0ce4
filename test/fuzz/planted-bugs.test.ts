/**
 * Proof that the explorer finds bugs: each planted bug (test/support/planted-bugs.ts) is found
 * within a bounded number of runs and shrunk to a handful of nodes, workloads and faults; the
 * minimal case, written as YAML and loaded back, still fails the same way with the planted bug and
 * passes with the real control plane.
 */
import { describe, expect, it } from 'vitest';
import { caseYaml } from '../../src/fuzz/case.js';
import { fuzz } from '../../src/fuzz/fuzz.js';
import { simulate } from '../../src/run/simulate.js';
import { parseScenario } from '../../src/run/parse-scenario.js';
import { PLANTED } from '../support/planted-bugs.js';

const RUNS = 40;
const cases: Array<[string, string]> = [
  ['ignores-capacity', 'invariant capacity'],
  ['forgets-stale-copies', 'invariant surge'],
  ['never-backs-off', 'invariant backoff'],
];

describe('the explorer finds planted bugs and shrinks them', () => {
  for (const [name, failure] of cases) {
    it(`finds "${name}" within ${RUNS} runs and shrinks it to a handful`, async () => {
      const variant = PLANTED[name];
      // Every kind of failure it finds is shrunk (up to 3), not only the first: a planted bug can
      // also show as another failure first (forgets-stale-copies as liveness in run 4 since nodeFlap
      // joined the small profile's kinds).
      const report = await fuzz({ runs: RUNS, seed: 1, profile: 'small', workers: 0, variant, maxShrinks: 3 });
      expect(report.failed, `no failure found for ${name} in ${RUNS} runs (fuzz --seed 1)`).toBeGreaterThan(0);
      const f = report.failures.find((x) => x.run.outcome.failure === failure);
      expect(f, `expected a "${failure}" failure; got ${report.failures.map((x) => x.run.outcome.failure).join(', ')}`).toBeDefined();
      const min = f!.shrunk!.case;
      expect(min.nodes.length).toBeLessThanOrEqual(3);
      expect(min.workloads.length).toBeLessThanOrEqual(3);
      expect(min.faults.length).toBeLessThanOrEqual(3);
      expect(min.nodes.length + min.workloads.length + min.faults.length).toBeLessThan(
        f!.case.nodes.length + f!.case.workloads.length + f!.case.faults.length,
      );

      // The minimal YAML replays: the planted bug fails the same way, the real control plane passes.
      const yaml = caseYaml(min, 'small', 'minimal');
      const scenario = parseScenario(yaml, 'minimal.yaml');
      const withBug = await simulate(scenario, {
        liveness: true,
        ...(variant.reconcile ? { reconcile: variant.reconcile } : {}),
        ...(variant.scheduler ? { scheduler: variant.scheduler() } : {}),
      });
      expect(withBug.ok).toBe(false);
      if (failure.startsWith('invariant')) expect(`invariant ${withBug.violation?.invariant}`).toBe(failure);
      else expect(withBug.liveness?.ok).toBe(false);
      const real = await simulate(scenario, { liveness: true });
      expect(real.violation).toBeUndefined();
      expect(real.liveness?.ok, real.liveness?.failures.join('; ')).toBe(true);
    }, 300_000);
  }

  it('the real control plane passes the same runs', async () => {
    const report = await fuzz({ runs: RUNS, seed: 1, profile: 'small', workers: 0, shrink: false });
    expect(report.failures.map((f) => `${f.run.seed}: ${f.run.outcome.failure}: ${f.run.outcome.detail}`)).toEqual([]);
    // Coverage is counted: faults fired during the runs.
    expect(Object.values(report.coverage).reduce((a, b) => a + b, 0)).toBeGreaterThan(RUNS);
  }, 300_000);
});
