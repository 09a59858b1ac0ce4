/**
 * OrchestratorConfig.reconcileBudget (set by `slipway serve`): a pass stops once it has done its
 * budget of work (1 per workload reconciled + the reconciler's actions for it) and continues 1 ms
 * later, so a burst of applies is placed in short passes with the engine's drain (the daemon's
 * HTTP server) between them, instead of one pass as long as the whole burst. Unset (every
 * simulation), a pass reconciles every dirty workload at once.
 */
import { expect, it } from 'vitest';
import { InMemoryStateStore } from '../../src/core/state-store.js';
import { backendOrchestrator, simBackend, twoReplicaService, waitFor, type TestBackend } from '../support/backends.js';

interface Created {
  readonly workload: string;
  readonly at: number;
}

/**
 * Applies six 3-replica workloads at one instant with these settings (and `wallMs`, the wall clock
 * `slipway serve` gives); returns when each instance was created, and the final statuses.
 */
async function burst(b: TestBackend, config: { reconcileBudget?: number; reconcileSliceMs?: number }, wallMs?: () => number): Promise<{ created: Created[]; running: number[]; passes: number[] }> {
  return b.run(async () => {
    for (const n of b.nodes) await b.runtime.initNode(n);
    const created: Created[] = [];
    /** Orchestrator.reconcilePasses at each creation. */
    const passes: number[] = [];
    const o: ReturnType<typeof backendOrchestrator> = backendOrchestrator(b, {
      store: new InMemoryStateStore(),
      seed: 1,
      records: [],
      config: { reconcileIntervalMs: 60_000, resyncIntervalMs: 60_000, ...config },
      ...(wallMs ? { wallMs } : {}),
      onRecord: (type, fields) => {
        if (type === 'instance.created') {
          created.push({ workload: String(fields.workload), at: b.clock.now() });
          passes.push(o.reconcilePasses);
        }
      },
    });
    await o.start();
    const names = ['w1', 'w2', 'w3', 'w4', 'w5', 'w6'];
    for (const name of names) o.apply({ ...twoReplicaService(b, name), replicas: 3 });
    await waitFor(b.clock, 'every instance running', () => names.every((n) => o.status(n)!.running === 3) || undefined);
    const running = names.map((n) => o.status(n)!.running);
    o.shutdown();
    return { created, running, passes };
  });
}

/** Pass k (at t0 + k ms) creates the instances of workloads 2k+1 and 2k+2, in apply order. */
const TWO_PER_PASS = ['w1', 'w2', 'w3', 'w4', 'w5', 'w6'].flatMap((w, i) => Array.from({ length: 3 }, () => ({ workload: w, pass: Math.floor(i / 2) })));
const byPass = (created: Created[]) => created.map((c) => ({ workload: c.workload, pass: c.at - created[0].at }));

it('without a budget one pass creates every instance of a burst of applies, at one instant', async () => {
  const { created, running } = await burst(simBackend(), {});
  expect(created).toHaveLength(18);
  expect(new Set(created.map((c) => c.at)).size).toBe(1);
  expect(running).toEqual([3, 3, 3, 3, 3, 3]);
});

it('with a budget of 8 a pass takes two 3-replica workloads (1 + 3 creations each) and the rest follow 1 ms apart, in apply order', async () => {
  const { created, running, passes } = await burst(simBackend(), { reconcileBudget: 8 });
  expect(created).toHaveLength(18);
  expect(byPass(created)).toEqual(TWO_PER_PASS);
  // Three steps of one pass: slipway_reconcile_passes_total counts it once (it counted each step).
  expect(new Set(passes)).toEqual(new Set([passes[0]]));
  // The same end state as one pass.
  expect(running).toEqual([3, 3, 3, 3, 3, 3]);
});

it('with reconcileSliceMs and a wall clock, a pass also stops once its wall time is used up (after the workload it is on), whatever budget is left', async () => {
  // A wall clock that advances 3 ms per reading: with a 5 ms slice a pass reads it at its start,
  // then before each next workload: 3 → 6 (go on) → 9 (stop). Two workloads per pass, as the
  // budget of 8 gives above, though the budget here (1,000) would take all six.
  let wall = 0;
  const { created, running } = await burst(simBackend(), { reconcileBudget: 1000, reconcileSliceMs: 5 }, () => (wall += 3));
  expect(created).toHaveLength(18);
  expect(byPass(created)).toEqual(TWO_PER_PASS);
  expect(running).toEqual([3, 3, 3, 3, 3, 3]);
});

it('reconcileSliceMs without a wall clock (every simulation) changes nothing: one pass', async () => {
  const { created } = await burst(simBackend(), { reconcileBudget: 1000, reconcileSliceMs: 0 });
  expect(created).toHaveLength(18);
  expect(new Set(created.map((c) => c.at)).size).toBe(1);
});
