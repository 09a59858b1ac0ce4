/**
 * OrchestratorDeps.yieldToHost (given by `slipway serve` only): every resync lists all Ready nodes
 * at once, and the listings' continuations ran back to back (200 nodes: about 20 ms in which the
 * daemon answered no request). With a wall clock and reconcileSliceMs, a continuation yields the
 * thread once the stretch of such work has run a slice; a simulation (no wall clock, no host)
 * never yields, so its trace is unchanged.
 */
import { expect, it } from 'vitest';
import type { ContainerRuntime } from '../../src/core/interfaces.js';
import { InMemoryStateStore } from '../../src/core/state-store.js';
import { backendOrchestrator, simBackend, twoReplicaService, waitFor, type TestBackend } from '../support/backends.js';

/** Runs a 2-replica service through three resyncs; returns the listings made and the yields taken. */
async function resyncs(b: TestBackend, host: { wallMs?: () => number; yieldToHost?: () => Promise<void> }): Promise<{ listings: number; yields: number; running: number; records: string[] }> {
  return b.run(async () => {
    for (const n of b.nodes) await b.runtime.initNode(n);
    let listings = 0;
    const runtime: ContainerRuntime = Object.create(b.runtime) as ContainerRuntime;
    runtime.listContainers = (id) => (listings++, b.runtime.listContainers(id));
    let yields = 0;
    const records: string[] = [];
    const o = backendOrchestrator(b, {
      store: new InMemoryStateStore(),
      seed: 1,
      records: [],
      runtime,
      config: { reconcileIntervalMs: 60_000, resyncIntervalMs: 2_000, reconcileSliceMs: 1 },
      ...(host.wallMs ? { wallMs: host.wallMs } : {}),
      ...(host.yieldToHost ? { yieldToHost: () => (yields++, host.yieldToHost!()) } : {}),
      onRecord: (type, fields) => records.push(`${b.clock.now()} ${type} ${JSON.stringify(fields)}`),
    });
    await o.start();
    o.apply(twoReplicaService(b, 'web'));
    await waitFor(b.clock, 'two running', () => (o.status('web')!.running === 2 ? true : undefined));
    const start = b.clock.now();
    await waitFor(b.clock, 'three resyncs', () => (b.clock.now() - start >= 6_500 ? true : undefined));
    const running = o.status('web')!.running;
    o.shutdown();
    return { listings, yields, running, records };
  });
}

it('with a wall clock and a host to yield to, the resync listings yield the thread once a slice is used; the cluster is resynced all the same', async () => {
  let wall = 0;
  const b = simBackend();
  // The daemon yields with setImmediate; inside a guarded simulation a 0 ms timer is the same turn of the loop.
  const r = await resyncs(b, { wallMs: () => ++wall, yieldToHost: () => new Promise<void>((resolve) => b.clock.setTimer(0, resolve)) });
  expect(r.listings).toBeGreaterThanOrEqual(6); // two nodes, three resyncs
  expect(r.yields).toBeGreaterThanOrEqual(3); // at least once per resync: the second listing's continuation
  expect(r.running).toBe(2);
});

it('without a host to yield to (every simulation) nothing yields and the records are the same run after run', async () => {
  const a = await resyncs(simBackend(), {});
  const b = await resyncs(simBackend(), {});
  expect(a.yields).toBe(0);
  expect(a.listings).toBeGreaterThanOrEqual(6);
  expect(a.records).toEqual(b.records);
  expect(a.running).toBe(2);
});
