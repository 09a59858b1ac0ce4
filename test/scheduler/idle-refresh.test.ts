/**
 * Scheduler.refresh (Orchestrator.refreshScheduler; the serve daemon calls it when its engine has
 * caught up with the wall clock): the framework scheduler re-reads the pods of nodes whose
 * instances changed since its last call, a few nodes at a time, so the first scheduling after a
 * burst of changes does not re-read them all at once. It must change no decision.
 */
import { expect, it } from 'vitest';
import { podRequests } from '../../src/core/pod-requests.js';
import { InMemoryStateStore } from '../../src/core/state-store.js';
import { createScheduler } from '../../src/scheduler/registry.js';
import { backendOrchestrator, simBackend, twoReplicaService, waitFor } from '../support/backends.js';

/** The same deterministic run twice: `refresh` re-reads the changed nodes (one per call) before a probe scheduling. */
async function probeAfter(refresh: boolean) {
  const b = simBackend();
  return b.run(async () => {
    for (const n of b.nodes) await b.runtime.initNode(n);
    const scheduler = createScheduler('default');
    const o = backendOrchestrator(b, { store: new InMemoryStateStore(), seed: 1, records: [], scheduler, config: { reconcileIntervalMs: 60_000, resyncIntervalMs: 60_000 } });
    const before = o.refreshScheduler(10); // nothing kept before the first scheduling
    await o.start();
    o.apply({ ...twoReplicaService(b, 'web'), replicas: 4 });
    await waitFor(b.clock, 'web running', () => o.status('web')!.running === 4 || undefined);
    // Since the scheduling call the four instances started (each node's view changed): two nodes
    // to re-read, one per call with maxNodes 1, then nothing.
    const calls = refresh ? [o.refreshScheduler(1), o.refreshScheduler(1), o.refreshScheduler(1)] : [];
    const probe = { ...twoReplicaService(b, 'probe'), replicas: 3 };
    const decisions = scheduler.schedule({ workload: probe, request: podRequests(probe), count: 3 }, o.nodeViews());
    o.shutdown();
    return { before, calls, decisions };
  });
}

it('re-reads only changed nodes, at most maxNodes per call, and changes no decision', async () => {
  const refreshed = await probeAfter(true);
  const plain = await probeAfter(false);
  expect(refreshed.before).toBe(0);
  expect(refreshed.calls).toEqual([1, 1, 0]);
  expect(refreshed.decisions).toHaveLength(3);
  // Scores, candidates and the nodes chosen (ties broken by the same random draws) are the same.
  expect(refreshed.decisions).toEqual(plain.decisions);
});

it('round-robin has no refresh: refreshScheduler re-reads nothing', async () => {
  const b = simBackend();
  const n = await b.run(async () => backendOrchestrator(b, { store: new InMemoryStateStore(), seed: 1, records: [] }).refreshScheduler(10));
  expect(n).toBe(0);
});
