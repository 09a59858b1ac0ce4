/**
 * OrchestratorConfig.reconcileBudget (set by `slipway serve`): a pass stops once it has done its
 * budget of work (1 per workload reconciled + the reconciler's actions for it) and continues 1 ms
 * later, so a burst of applies is placed in short passes with the engine's drain (the daemon's
 * HTTP server) between them, instead of one pass as long as the whole burst. Unset (every
 * simulation), a pass reconciles every dirty workload at once.
 */
import { expect, it } from 'vitest';
import { Orchestrator } from '../../src/core/orchestrator.js';
import { InMemoryStateStore } from '../../src/core/state-store.js';
import { SeededIds } from '../../src/engine/ids.js';
import { deriveSeed, RandomStream } from '../../src/engine/random.js';
import { createScheduler } from '../../src/scheduler/registry.js';
import { simBackend, twoReplicaService, waitFor, type TestBackend } from '../support/backends.js';
import { DEFAULT_CONTROL_PLANE } from '../support/scenario-builder.js';

interface Created {
  readonly workload: string;
  readonly at: number;
}

/** Applies six 3-replica workloads at one instant; returns when each instance was created, and the final statuses. */
async function burst(b: TestBackend, reconcileBudget: number | undefined): Promise<{ created: Created[]; running: number[] }> {
  return b.run(async () => {
    for (const n of b.nodes) await b.runtime.initNode(n);
    const created: Created[] = [];
    const o = new Orchestrator({
      clock: b.clock,
      runtime: b.runtime,
      cluster: b.cluster,
      scheduler: createScheduler('round-robin'),
      store: new InMemoryStateStore(),
      ids: new SeededIds(new RandomStream('ids', deriveSeed(1, 'ids')), 6),
      recorder: {
        record: (type, fields) => {
          if (type === 'instance.created') created.push({ workload: String((fields as Record<string, unknown>).workload), at: b.clock.now() });
        },
      },
      config: { ...DEFAULT_CONTROL_PLANE, reconcileIntervalMs: 60_000, resyncIntervalMs: 60_000, ...(reconcileBudget !== undefined ? { reconcileBudget } : {}) },
      onError: (e) => {
        throw e;
      },
    });
    await o.start();
    const names = ['w1', 'w2', 'w3', 'w4', 'w5', 'w6'];
    for (const name of names) o.apply({ ...twoReplicaService(b, name), replicas: 3 });
    await waitFor(b.clock, 'every instance running', () => names.every((n) => o.status(n)!.running === 3) || undefined);
    const running = names.map((n) => o.status(n)!.running);
    o.shutdown();
    return { created, running };
  });
}

it('without a budget one pass creates every instance of a burst of applies, at one instant', async () => {
  const { created, running } = await burst(simBackend(), undefined);
  expect(created).toHaveLength(18);
  expect(new Set(created.map((c) => c.at)).size).toBe(1);
  expect(running).toEqual([3, 3, 3, 3, 3, 3]);
});

it('with a budget of 8 a pass takes two 3-replica workloads (1 + 3 creations each) and the rest follow 1 ms apart, in apply order', async () => {
  const { created, running } = await burst(simBackend(), 8);
  expect(created).toHaveLength(18);
  const t0 = created[0].at;
  // Pass k (at t0 + k ms) creates the instances of workloads 2k+1 and 2k+2.
  const byPass = created.map((c) => ({ workload: c.workload, pass: c.at - t0 }));
  const expected = ['w1', 'w2', 'w3', 'w4', 'w5', 'w6'].flatMap((w, i) => Array.from({ length: 3 }, () => ({ workload: w, pass: Math.floor(i / 2) })));
  expect(byPass).toEqual(expected);
  // The same end state as one pass.
  expect(running).toEqual([3, 3, 3, 3, 3, 3]);
});

it('with reconcileSliceMs and a wall clock, a pass also stops once its wall time is used up (after the workload it is on), whatever budget is left', async () => {
  // A wall clock that advances 3 ms per reading: with a 5 ms slice a pass reads it at its start,
  // then before each next workload: 0 → 3 (go on) → 6 (stop). Two workloads per pass, as the
  // budget of 8 gives above, though the budget here (1,000) would take all six.
  let wall = 0;
  const b = simBackend();
  const created = await b.run(async () => {
    for (const n of b.nodes) await b.runtime.initNode(n);
    const at: Created[] = [];
    const o = new Orchestrator({
      clock: b.clock,
      runtime: b.runtime,
      cluster: b.cluster,
      scheduler: createScheduler('round-robin'),
      store: new InMemoryStateStore(),
      ids: new SeededIds(new RandomStream('ids', deriveSeed(1, 'ids')), 6),
      recorder: {
        record: (type, fields) => {
          if (type === 'instance.created') at.push({ workload: String((fields as Record<string, unknown>).workload), at: b.clock.now() });
        },
      },
      config: { ...DEFAULT_CONTROL_PLANE, reconcileIntervalMs: 60_000, resyncIntervalMs: 60_000, reconcileBudget: 1000, reconcileSliceMs: 5 },
      wallMs: () => (wall += 3),
      onError: (e) => {
        throw e;
      },
    });
    await o.start();
    const names = ['w1', 'w2', 'w3', 'w4', 'w5', 'w6'];
    for (const name of names) o.apply({ ...twoReplicaService(b, name), replicas: 3 });
    await waitFor(b.clock, 'every instance running', () => names.every((n) => o.status(n)!.running === 3) || undefined);
    o.shutdown();
    return at;
  });
  expect(created).toHaveLength(18);
  const t0 = created[0].at;
  expect(created.map((c) => ({ workload: c.workload, pass: c.at - t0 }))).toEqual(['w1', 'w2', 'w3', 'w4', 'w5', 'w6'].flatMap((w, i) => Array.from({ length: 3 }, () => ({ workload: w, pass: Math.floor(i / 2) }))));
});

it('reconcileSliceMs without a wall clock (every simulation) changes nothing: one pass', async () => {
  const b = simBackend();
  const created = await b.run(async () => {
    for (const n of b.nodes) await b.runtime.initNode(n);
    const at: number[] = [];
    const o = new Orchestrator({
      clock: b.clock,
      runtime: b.runtime,
      cluster: b.cluster,
      scheduler: createScheduler('round-robin'),
      store: new InMemoryStateStore(),
      ids: new SeededIds(new RandomStream('ids', deriveSeed(1, 'ids')), 6),
      recorder: { record: (type) => void (type === 'instance.created' && at.push(b.clock.now())) },
      config: { ...DEFAULT_CONTROL_PLANE, reconcileIntervalMs: 60_000, resyncIntervalMs: 60_000, reconcileBudget: 1000, reconcileSliceMs: 0 },
      onError: (e) => {
        throw e;
      },
    });
    await o.start();
    for (const name of ['w1', 'w2', 'w3']) o.apply({ ...twoReplicaService(b, name), replicas: 3 });
    await waitFor(b.clock, 'every instance created', () => at.length === 9 || undefined);
    o.shutdown();
    return at;
  });
  expect(new Set(created).size).toBe(1);
});
