/**
 * A restarted control plane adopts every node before its first reconcile pass. CI caught the
 * docker contract test with a third, pending instance after adoption: a reconcile timer queued
 * before adoption began (a Ready node is "capacity appeared") fired while a slow node was still
 * being listed, after the first node's adopted instance had marked its workload dirty, so the
 * pass saw one instance where two were about to be adopted and created a replacement.
 * Here the first node answers its listing at once (as a local engine socket can, before a 0 ms
 * timer) and the second 5 s late, deterministically.
 */
import { expect, it } from 'vitest';
import type { ContainerRuntime } from '../../src/core/interfaces.js';
import { InMemoryStateStore } from '../../src/core/state-store.js';
import { backendOrchestrator, simBackend, twoReplicaService, waitFor, type TestBackend, type TestRecord } from '../support/backends.js';

type Listing = Awaited<ReturnType<ContainerRuntime['listContainers']>>;

/**
 * The backend's runtime, except that listing `fastNode` answers at once with `fastListing` and
 * listing `slowNode` takes `delayMs` of backend time.
 */
function unevenListing(b: TestBackend, fastNode: string, fastListing: Listing, slowNode: string, delayMs: number): ContainerRuntime {
  return new Proxy(b.runtime, {
    get(target, prop) {
      if (prop === 'listContainers') {
        return async (node: string) => {
          if (node === fastNode) return fastListing;
          if (node === slowNode) await b.clock.sleep(delayMs);
          return target.listContainers(node);
        };
      }
      const v: unknown = Reflect.get(target, prop, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

it('a restarted control plane adopts every node before any reconcile pass, even when one node answers late', async () => {
  const b = simBackend();
  await b.run(async () => {
    for (const n of b.nodes) await b.runtime.initNode(n);
    const records: TestRecord[] = [];
    const workload = twoReplicaService(b, 'adopt');
    const make = (store: InMemoryStateStore, seed: number, runtime: ContainerRuntime) => backendOrchestrator(b, { store, seed, records, runtime });
    const first = make(new InMemoryStateStore(), 1, b.runtime);
    await first.start();
    first.apply(workload);
    await waitFor(b.clock, 'two running', () => first.status('adopt')!.running === 2 || undefined);
    first.shutdown();

    const store = new InMemoryStateStore();
    store.putWorkload(workload);
    records.length = 0;
    const listingA = await b.runtime.listContainers(b.nodes[0]);
    const second = make(store, 2, unevenListing(b, b.nodes[0], listingA, b.nodes[1], 5_000));
    await second.start({ adopt: true });
    expect(records.filter((r) => r.type === 'instance.adopted')).toHaveLength(2);
    expect(second.status('adopt')).toMatchObject({ running: 2, pending: 0 });
    await b.clock.sleep(10_000);
    expect(records.filter((r) => r.type === 'instance.created')).toHaveLength(0);
    expect(second.status('adopt')).toMatchObject({ running: 2, pending: 0, terminating: 0 });
    second.shutdown();
  });
});
