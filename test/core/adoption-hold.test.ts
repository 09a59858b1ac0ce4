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
import { Orchestrator } from '../../src/core/orchestrator.js';
import { InMemoryStateStore } from '../../src/core/state-store.js';
import type { Workload } from '../../src/core/types.js';
import { SeededIds } from '../../src/engine/ids.js';
import { deriveSeed, RandomStream } from '../../src/engine/random.js';
import { createScheduler } from '../../src/scheduler/registry.js';
import { simBackend, waitFor, type TestBackend } from '../support/backends.js';
import { DEFAULT_CONTROL_PLANE } from '../support/scenario-builder.js';

const workload = (b: TestBackend): Workload => ({
  id: 'adopt',
  name: 'adopt',
  kind: 'service',
  replicas: 2,
  completions: 0,
  backoffLimit: 0,
  containers: [b.longRunning('main')],
  labels: {},
  priority: 0,
  restartPolicy: 'Always',
  updateStrategy: { type: 'RollingUpdate', maxSurge: 1, maxUnavailable: 0 },
  generation: 1,
});

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
    const records: Array<{ type: string; fields: Record<string, unknown> }> = [];
    const make = (store: InMemoryStateStore, seed: number, runtime: ContainerRuntime) =>
      new Orchestrator({
        clock: b.clock,
        runtime,
        cluster: b.cluster,
        scheduler: createScheduler('round-robin'),
        store,
        ids: new SeededIds(new RandomStream('ids', deriveSeed(seed, 'ids')), 6),
        recorder: { record: (type, fields) => records.push({ type, fields }) },
        config: { ...DEFAULT_CONTROL_PLANE, reconcileIntervalMs: 1_000, resyncIntervalMs: 2_000 },
        onError: (e) => {
          throw e;
        },
      });
    const first = make(new InMemoryStateStore(), 1, b.runtime);
    await first.start();
    first.apply(workload(b));
    await waitFor(b.clock, 'two running', () => first.status('adopt')!.running === 2 || undefined);
    first.shutdown();

    const store = new InMemoryStateStore();
    store.putWorkload(workload(b));
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
