/**
 * Proof that the explorer finds bugs of the replicated control plane (issue #14): each planted
 * bug (test/support/planted-ha-bugs.ts) is found by `fuzz --profile ha` within a bounded number of
 * runs and shrunk; the minimal case, written as YAML and loaded back, still fails with the planted
 * bug and passes with the real control plane.
 */
import { describe, expect, it } from 'vitest';
import { formatReport } from '../../src/cli/fuzz.js';
import { caseYaml } from '../../src/fuzz/case.js';
import { fuzz } from '../../src/fuzz/fuzz.js';
import { simulate } from '../../src/run/simulate.js';
import { parseScenario } from '../../src/run/parse-scenario.js';
import { PLANTED_HA } from '../support/planted-ha-bugs.js';

// 'fencing-off''s shrink used to run past the timeout because candidates that passed ran ~1M engine
// events each (a campaign loop granting leases as fast as the store answered, fixed in
// src/store/election.ts).
const cases: Array<[string, number, readonly string[]]> = [
  // Without fencing a deposed leader's writes are accepted by the store.
  ['fencing-off', 10, ['invariant deposed-write']],
  // A re-elected replica acts on what it knew in its previous term: workloads changed meanwhile
  // are dropped or run at the wrong spec, and what the other leader started is orphaned.
  ['stale-view-after-re-election', 10, ['invariant dropped-workload', 'invariant orphan', 'liveness']],
  // A leader whose keep-alive finds its lease expired grants a new one and writes the leader key
  // over its successor's. It needs the store's lease clock ahead of the leader's by more than the
  // safety margin *and* a store partition shorter than the lease (the leader's watch breaks, its
  // local deadline has not passed when a keep-alive gets through): the ha profile's run-long
  // lease skew and short partitions (src/fuzz/case.ts, src/faults/store-partition.ts). Seed 1
  // finds it at run 11.
  ['renews-expired-lease', 20, ['invariant deposed-write']],
];

describe('the explorer finds planted bugs of the replicated control plane and shrinks them', () => {
  for (const [name, runs, failures] of cases) {
    it(`finds "${name}" within ${runs} runs of the ha profile and shrinks it`, async () => {
      const variant = PLANTED_HA[name];
      const report = await fuzz({ runs, seed: 1, profile: 'ha', workers: 0, variant, maxShrinks: 1 });
      const f = report.failures.find((x) => failures.includes(x.run.outcome.failure ?? ''));
      expect(f, `expected one of ${failures.join(', ')}; got ${report.failures.map((x) => x.run.outcome.failure).join(', ') || 'none'} (fuzz --profile ha --seed 1)`).toBeDefined();
      // What `slipway fuzz` prints: the failure and the command replaying its minimal case.
      expect(f!.shrunk, 'the failure was shrunk').toBeDefined();
      expect(formatReport(report, 'ha', 'out')).toContain(`replay:  npx slipway run out/failures/case-${f!.run.seed}-min.yaml`);
      const min = f!.shrunk?.case ?? f!.case;
      expect(min.faults.length + min.workloads.length + min.nodes.length).toBeLessThanOrEqual(f!.case.faults.length + f!.case.workloads.length + f!.case.nodes.length);

      // The minimal YAML replays: the planted bug fails, the real control plane passes.
      const scenario = parseScenario(caseYaml(min, 'ha', 'minimal'), 'minimal.yaml');
      const withBug = await simulate(scenario, { liveness: true, ...(variant.replicas ? { replicaVariant: variant.replicas } : {}) });
      expect(withBug.ok).toBe(false);
      const real = await simulate(scenario, { liveness: true });
      expect(real.violation, real.violation?.message).toBeUndefined();
      expect(real.liveness?.ok, real.liveness?.failures.join('; ')).toBe(true);
    }, 600_000);
  }
});
