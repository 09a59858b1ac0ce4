/**
 * A node that is not Ready when a restarted control plane starts cannot be listed, so adoption at
 * start skips it. Its containers were removed as orphans when it turned Ready again (resync), after
 * the reconciler had already refilled their slots elsewhere at start. Now such a node is adopted
 * when it answers, before any resync, and the slots that may run there are filled no earlier than
 * its instances would have been evicted had the control plane known them (the not-ready taint's
 * toleration, `evictionGrace`). Simulated: node-b is cut off from the control plane (its container
 * keeps running) while the control plane restarts.
 */
import { expect, it } from 'vitest';
import { SimCluster } from '../../backends/sim/sim-cluster.js';
import { InMemoryStateStore } from '../../src/core/state-store.js';
import { backendOrchestrator, simBackend, twoReplicaService, waitFor, type TestBackend, type TestRecord } from '../support/backends.js';
import { DEFAULT_CONTROL_PLANE } from '../support/scenario-builder.js';

const GRACE = DEFAULT_CONTROL_PLANE.evictionGraceMs;

/** Runs two replicas (one per node), stops that control plane, cuts node-b off until it is NotReady, starts another one adopting. */
async function restartWithNodeBCutOff(b: TestBackend, records: TestRecord[]) {
  const sim = b.runtime as SimCluster;
  expect(sim).toBeInstanceOf(SimCluster);
  for (const n of b.nodes) await b.runtime.initNode(n);
  const workload = twoReplicaService(b, 'web');
  const first = backendOrchestrator(b, { store: new InMemoryStateStore(), seed: 1, records });
  await first.start();
  first.apply(workload);
  await waitFor(b.clock, 'two running', () => first.status('web')!.running === 2 || undefined);
  first.shutdown();
  sim.partitionNode('node-b', 'both', 1);
  const unready = await waitFor(b.clock, 'node-b NotReady', () => b.cluster.listNodes().find((n) => n.id === 'node-b' && n.status !== 'Ready'), 120_000);
  const store = new InMemoryStateStore();
  store.putWorkload(workload);
  records.length = 0;
  const second = backendOrchestrator(b, { store, seed: 2, records });
  await second.start({ adopt: true });
  const heal = () => sim.partitionNode('node-b', 'both', -1);
  return { second, heal, unreadySince: unready.statusSince, of: (type: string) => records.filter((r) => r.type === type) };
}

it('a node NotReady at start is adopted when it turns Ready, and its slot is not refilled meanwhile', async () => {
  const b = simBackend();
  await b.run(async () => {
    const records: TestRecord[] = [];
    const { second, heal, unreadySince, of } = await restartWithNodeBCutOff(b, records);
    expect(of('instance.adopted').map((r) => r.fields.node)).toEqual(['node-a']);
    // Within the eviction grace: the slot that may run on node-b is not filled elsewhere.
    await b.clock.sleep(unreadySince + GRACE / 3 - b.clock.now());
    expect(of('instance.created')).toEqual([]);
    expect(of('slot.held')).toMatchObject([{ fields: { workload: 'web', slots: [1], nodes: ['node-b'], until: unreadySince + GRACE } }]);
    heal();
    await waitFor(b.clock, 'node-b adopted', () => of('instance.adopted').find((r) => r.fields.node === 'node-b'), GRACE);
    expect(b.clock.now()).toBeLessThan(unreadySince + GRACE);
    expect(of('instance.adopted').map((r) => r.fields.node)).toEqual(['node-a', 'node-b']);
    await b.clock.sleep(3 * GRACE);
    expect(of('container.orphan')).toEqual([]);
    expect(of('instance.created')).toEqual([]);
    expect(of('instance.stopping')).toEqual([]);
    expect(second.status('web')).toMatchObject({ running: 2, pending: 0, terminating: 0 });
    second.shutdown();
  });
});

it('a node NotReady at start for longer than the eviction grace: its slot is refilled then, and its copy adopted and stopped when it answers', async () => {
  const b = simBackend();
  await b.run(async () => {
    const records: TestRecord[] = [];
    const { second, heal, unreadySince, of } = await restartWithNodeBCutOff(b, records);
    const created = await waitFor(b.clock, 'slot 1 refilled', () => of('instance.created')[0], 2 * GRACE);
    // The moment an instance the control plane knew there would have been evicted (reconcile passes follow at once).
    expect(b.clock.now()).toBeGreaterThanOrEqual(unreadySince + GRACE);
    expect(created.fields).toMatchObject({ workload: 'web', slot: 1 });
    await waitFor(b.clock, 'refill running', () => second.status('web')!.running === 2 || undefined);
    heal();
    await waitFor(b.clock, 'node-b adopted', () => of('instance.adopted').find((r) => r.fields.node === 'node-b'));
    // The copy that ran through the outage is stopped as a duplicate; the replacement keeps serving.
    const stopped = await waitFor(b.clock, 'duplicate stopped', () => of('instance.stopping')[0]);
    expect(stopped.fields).toMatchObject({ workload: 'web', reason: 'duplicate' });
    expect(stopped.fields.instance).not.toBe(created.fields.instance);
    await waitFor(b.clock, 'one per slot', () => second.status('web')!.terminating === 0 || undefined);
    expect(second.status('web')).toMatchObject({ running: 2, pending: 0, terminating: 0 });
    expect(of('container.orphan')).toEqual([]);
    second.shutdown();
  });
});
