/**
 * A sliced pass (OrchestratorConfig.reconcileSliceMs with a wall clock: `slipway serve`) that
 * finds 32 or more of the scheduler's nodes stale re-reads them a few at a time before its first
 * workload (Orchestrator.refreshWithin) instead of leaving them all to that workload's scheduling
 * call, one synchronous event: after a rollout of 10,000 instances on 200 nodes that call took
 * 33 ms, and every apply that arrived meanwhile waited for it (docs/performance.md, session 16).
 * Fewer stale nodes are left to the scheduling call. Running out of the slice while re-reading
 * stops the pass before its first workload, once: the next one proceeds whatever is left, so churn
 * faster than the refresh cannot starve the workloads.
 */
import { expect, it } from 'vitest';
import type { NodeView, Scheduler } from '../../src/core/interfaces.js';
import { InMemoryStateStore } from '../../src/core/state-store.js';
import { createScheduler } from '../../src/scheduler/registry.js';
import { backendOrchestrator, simBackend, twoReplicaService, waitFor } from '../support/backends.js';

interface Run {
  /** When the second workload's instance was created, after the virtual time of its apply (ms). */
  readonly createdAfter: number;
  /** Nodes each refresh call re-read, in call order, during the second workload's passes. */
  readonly refreshed: number[];
  readonly running: number;
}

/**
 * On 40 nodes: a workload of `first` replicas runs (its instances starting left their nodes stale
 * in the scheduler's table), then a 1-replica workload is applied. `cost`: wall ms each refresh
 * call that re-read something takes (the fake wall clock advances only there); `stale`: the
 * scheduler always reports 40 stale nodes and a full step re-read (churn faster than the refresh).
 */
async function secondApply(o: { first: number; cost: number; stale?: boolean }): Promise<Run> {
  const b = simBackend(40);
  return b.run(async () => {
    for (const n of b.nodes) await b.runtime.initNode(n);
    const inner = createScheduler('default');
    let wall = 0;
    let watching = false;
    const refreshed: number[] = [];
    // Refreshing is held off until the second apply, so the nodes whose instances started since
    // the first workload's scheduling are still stale then (in the daemon, the idle-time refresh
    // had not run: the engine was still behind the wall clock after a rollout of 10,000 instances).
    const scheduler: Scheduler = {
      name: inner.name,
      schedule: (request, nodes) => inner.schedule(request, nodes),
      staleNodes: (nodes: readonly NodeView[]) => (!watching ? 0 : o.stale ? nodes.length : inner.staleNodes!(nodes)),
      refresh: (nodes: readonly NodeView[], maxNodes: number) => {
        if (!watching) return 0;
        const n = o.stale ? maxNodes : inner.refresh!(nodes, maxNodes);
        refreshed.push(n);
        if (n > 0) wall += o.cost;
        return n;
      },
    };
    let createdAt = NaN;
    const orchestrator = backendOrchestrator(b, {
      store: new InMemoryStateStore(),
      seed: 1,
      records: [],
      scheduler,
      config: { reconcileIntervalMs: 60_000, resyncIntervalMs: 60_000, reconcileBudget: 1000, reconcileSliceMs: 5 },
      wallMs: () => wall,
      onRecord: (type, fields) => {
        if (type === 'instance.created' && fields.workload === 'second') createdAt = b.clock.now();
      },
    });
    await orchestrator.start();
    orchestrator.apply({ ...twoReplicaService(b, 'first'), replicas: o.first });
    await waitFor(b.clock, 'the first workload running', () => orchestrator.status('first')!.running === o.first || undefined);
    // Past the minimum gap between passes: the apply's pass runs at the instant of the apply.
    await b.clock.sleep(5_000);
    watching = true;
    const appliedAt = b.clock.now();
    orchestrator.apply({ ...twoReplicaService(b, 'second'), replicas: 1 });
    await waitFor(b.clock, 'the second workload running', () => orchestrator.status('second')!.running === 1 || undefined);
    const running = orchestrator.status('second')!.running;
    orchestrator.shutdown();
    return { createdAfter: createdAt - appliedAt, refreshed, running };
  });
}

it('40 stale nodes, re-read within the slice: the pass re-reads them 4 at a time, then places the workload at once', async () => {
  const r = await secondApply({ first: 40, cost: 0.25 });
  expect(r.createdAfter).toBe(0);
  // Steps of 4 (0.25 ms each: under 2.5 ms of the 5 ms slice) until one finds fewer: none left.
  const full = r.refreshed.slice(0, -1);
  expect(full.every((n) => n === 4)).toBe(true);
  expect(r.refreshed.at(-1)).toBeLessThan(4);
  expect(full.length * 4 + r.refreshed.at(-1)!).toBeGreaterThanOrEqual(32);
  expect(r.running).toBe(1);
});

it('40 stale nodes that overrun the slice: the pass stops before its first workload and the next one (1 ms later) places it', async () => {
  const r = await secondApply({ first: 40, cost: 1 });
  // 1 ms per step of 4 nodes: the slice (5 ms) is used up after the fifth.
  expect(r.refreshed.slice(0, 5)).toEqual([4, 4, 4, 4, 4]);
  expect(r.createdAfter).toBe(1);
  expect(r.running).toBe(1);
});

it('fewer than 32 stale nodes are left to the scheduling call: no re-reading ahead, however costly', async () => {
  const r = await secondApply({ first: 12, cost: 10 });
  expect(r.refreshed).toEqual([]);
  expect(r.createdAfter).toBe(0);
  expect(r.running).toBe(1);
});

it('churn faster than the refresh does not starve the workloads: the pass after one that stopped reconciles regardless', async () => {
  const r = await secondApply({ first: 12, cost: 2, stale: true });
  expect(r.createdAfter).toBe(1);
  expect(r.running).toBe(1);
});
