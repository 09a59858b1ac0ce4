/**
 * Ctrl-C while `slipway fuzz` shrinks: shrinking stops at the next candidate and the smallest
 * failing case found so far is kept (the CLI then writes the report and exits 130/143), instead
 * of the process dying with the finished runs unreported.
 */
import { expect, it } from 'vitest';
import { fuzz } from '../../src/fuzz/fuzz.js';
import { shrinkCase } from '../../src/fuzz/shrink.js';
import { PLANTED } from '../support/planted-bugs.js';

it('an abort during shrinking stops it and keeps the smallest failing case so far', async () => {
  const variant = PLANTED['ignores-capacity'];
  const found = await fuzz({ runs: 40, seed: 1, profile: 'small', workers: 0, variant, shrink: false });
  const failing = found.failures.find((f) => f.run.outcome.failure === 'invariant capacity');
  expect(failing, 'the planted bug is found (fuzz --seed 1, 40 runs)').toBeDefined();
  const { seed } = failing!.run;

  const whole = await shrinkCase(seed, 'small', 'invariant capacity', { variant, budget: 20 });
  expect(whole?.interrupted).toBeUndefined();
  expect(whole!.tried).toBeGreaterThan(1);

  // A real timer, as a signal handler would: it can only fire because the simulation yields.
  const controller = new AbortController();
  setTimeout(() => controller.abort('SIGINT'), 0);
  const cut = await shrinkCase(seed, 'small', 'invariant capacity', { variant, signal: controller.signal });
  expect(controller.signal.aborted).toBe(true);
  expect(cut?.interrupted).toBe(true);
  expect(cut!.tried).toBeLessThan(whole!.tried);
  expect(cut!.outcome.failure).toBe('invariant capacity');
}, 300_000);
