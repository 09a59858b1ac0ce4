/**
 * The surge and orphan invariants give the control plane a grace period to fix what it sees. With
 * replicas, a period in which no replica can act (one paused for 581 s while the other is crashed
 * for 588 s) is not the control plane's fault: the grace clocks stand still meanwhile. Found by
 * `fuzz --profile ha --runs 300 --seed 1` (run seed 3133269765), which reported an orphan on the
 * real control plane after src/store/election.ts stopped its campaign loop.
 */
import { expect, it } from 'vitest';
import { caseFromSeed } from '../../src/fuzz/case.js';
import { runCase } from '../../src/fuzz/run-case.js';

it('no orphan violation while every replica is down; the case passes on the real control plane', async () => {
  const c = caseFromSeed(3133269765, 'ha');
  const kinds = c.faults.map((f) => f.kind);
  expect(kinds).toContain('controlPlanePause');
  expect(kinds).toContain('controlPlaneCrash');
  const o = await runCase(c, 'ha', 'fuzz-3133269765');
  expect(o.ok, `${o.failure}: ${(o as { detail?: string }).detail ?? ''} (replay: slipway fuzz --profile ha --seed 1 --runs 300)`).toBe(true);
});
