/**
 * One suite of runtime behaviours that every backend passes: sim (always), docker and oci (with
 * SLIPWAY_LIVE=1). Each test creates its own containers with fresh instance ids.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrchestrationError } from '../../src/core/errors.js';
import type { ContainerEvent, CreateContainerOptions } from '../../src/core/interfaces.js';
import { InMemoryStateStore } from '../../src/core/state-store.js';
import {
  backendOrchestrator,
  dockerBackend,
  LIVE,
  LIVE_SKIP_REASON,
  ociBackend,
  simBackend,
  twoReplicaService,
  waitFor,
  type BackendName,
  type TestBackend,
  type TestRecord,
} from '../support/backends.js';

const factories: Record<BackendName, () => TestBackend> = { sim: simBackend, docker: dockerBackend, oci: ociBackend };

let counter = 0;
function opts(b: TestBackend, node: string, workload = 'contract', slot = 0): CreateContainerOptions {
  const instanceId = `${workload}-${b.name}${process.pid % 1000}x${++counter}`;
  return {
    nodeId: node,
    workloadId: workload,
    instanceId,
    labels: { 'slipway.workload': workload, 'slipway.instance': instanceId, 'slipway.slot': String(slot), 'slipway.generation': '1' },
  };
}

function contract(name: BackendName): void {
  const live = name !== 'sim';
  describe.skipIf(live && !LIVE)(`runtime contract: ${name}${live && !LIVE ? ` (skipped: ${LIVE_SKIP_REASON})` : ''}`, () => {
    let b: TestBackend;
    let events: ContainerEvent[];
    beforeAll(() => {
      b = factories[name]();
      events = [];
    });
    afterAll(async () => {
      await b?.close();
    });
    /** Each test body runs in its own backend time (a fresh simulation for sim). */
    const run = <T>(body: (b: TestBackend) => Promise<T>) => {
      if (name === 'sim') {
        const sb = simBackend();
        return sb.run(async () => {
          for (const n of sb.nodes) await sb.runtime.initNode(n);
          return body(sb);
        });
      }
      return b.run(async () => {
        for (const n of b.nodes) await b.runtime.initNode(n);
        return body(b);
      });
    };

    it('creates a container that becomes running (a watch event, then its status)', async () => {
      await run(async (b) => {
        const seen: ContainerEvent[] = [];
        const off = b.runtime.watch((e) => seen.push(e));
        const o = opts(b, b.nodes[0]);
        const id = await b.runtime.createContainer(b.longRunning('main'), o);
        const ev = await waitFor(b.clock, 'running event', () => seen.find((e) => e.containerId === id && e.state === 'running'));
        off();
        expect(ev).toMatchObject({ nodeId: b.nodes[0], instanceId: o.instanceId, name: 'main', state: 'running' });
        const st = await b.runtime.getContainerStatus(id);
        expect(st).toMatchObject({ id, nodeId: b.nodes[0], instanceId: o.instanceId, workloadId: 'contract', name: 'main', state: 'running' });
        expect(st.labels?.['slipway.slot']).toBe('0');
      });
    });

    it('stops a running container (exited with an exit code); stopping it again is a no-op', async () => {
      await run(async (b) => {
        const id = await b.runtime.createContainer(b.longRunning('main'), opts(b, b.nodes[0]));
        await waitFor(b.clock, 'running', async () => (await b.runtime.getContainerStatus(id)).state === 'running' || undefined);
        await b.runtime.stopContainer(id);
        const st = await waitFor(b.clock, 'exited', async () => {
          const s = await b.runtime.getContainerStatus(id);
          return s.state === 'exited' ? s : undefined;
        });
        expect(typeof st.exitCode).toBe('number');
        await b.runtime.stopContainer(id);
        expect((await b.runtime.getContainerStatus(id)).state).toBe('exited');
      });
    });

    it('refuses to remove a running container, removes a stopped one, then does not know it', async () => {
      await run(async (b) => {
        const id = await b.runtime.createContainer(b.longRunning('main'), opts(b, b.nodes[1]));
        await waitFor(b.clock, 'running', async () => (await b.runtime.getContainerStatus(id)).state === 'running' || undefined);
        await expect(b.runtime.removeContainer(id)).rejects.toBeInstanceOf(OrchestrationError);
        await b.runtime.stopContainer(id);
        await waitFor(b.clock, 'exited', async () => (await b.runtime.getContainerStatus(id)).state === 'exited' || undefined);
        await b.runtime.removeContainer(id);
        await expect(b.runtime.getContainerStatus(id)).rejects.toMatchObject({ code: 'ContainerNotFound' });
        expect((await b.runtime.listContainers(b.nodes[1])).map((c) => c.id)).not.toContain(id);
      });
    });

    it('reports an unknown container as ContainerNotFound, naming it', async () => {
      await run(async (b) => {
        const err = await b.runtime.getContainerStatus('no-such-container-0000').catch((e: unknown) => e);
        expect(err).toBeInstanceOf(OrchestrationError);
        expect(err).toMatchObject({ code: 'ContainerNotFound' });
        expect((err as Error).message).toContain('no-such-container-0000');
        await expect(b.runtime.stopContainer('no-such-container-0000')).rejects.toMatchObject({ code: 'ContainerNotFound' });
      });
    });

    it('lists the containers of one node, sorted by id, with their instances', async () => {
      await run(async (b) => {
        const a1 = opts(b, b.nodes[0], 'listing');
        const a2 = opts(b, b.nodes[0], 'listing');
        const b1 = opts(b, b.nodes[1], 'listing');
        const ids = [
          await b.runtime.createContainer(b.longRunning('main'), a1),
          await b.runtime.createContainer(b.longRunning('main'), a2),
        ];
        const other = await b.runtime.createContainer(b.longRunning('main'), b1);
        const listA = (await b.runtime.listContainers(b.nodes[0])).filter((c) => c.workloadId === 'listing');
        expect(listA.map((c) => c.id)).toEqual([...ids].sort());
        expect(listA.map((c) => c.instanceId).sort()).toEqual([a1.instanceId, a2.instanceId].sort());
        expect(listA.every((c) => c.nodeId === b.nodes[0])).toBe(true);
        const listB = await b.runtime.listContainers(b.nodes[1]);
        expect(listB.map((c) => c.id)).toContain(other);
        expect(listB.map((c) => c.id)).not.toContain(ids[0]);
      });
    });

    it('delivers exit events with the exit code (0 and non-zero)', async () => {
      await run(async (b) => {
        const seen: ContainerEvent[] = [];
        const off = b.runtime.watch((e) => seen.push(e));
        const ok = await b.runtime.createContainer(b.exiting('ok', 0), opts(b, b.nodes[0]));
        const bad = await b.runtime.createContainer(b.exiting('bad', 3), opts(b, b.nodes[1]));
        const evOk = await waitFor(b.clock, 'exit 0', () => seen.find((e) => e.containerId === ok && e.state === 'exited'));
        const evBad = await waitFor(b.clock, 'exit 3', () => seen.find((e) => e.containerId === bad && e.state === 'exited'));
        off();
        expect(evOk.exitCode).toBe(0);
        expect(evBad.exitCode).toBe(3);
        expect((await b.runtime.getContainerStatus(bad)).exitCode).toBe(3);
      });
    });

    it('a paused container: its instance is not ready (out of running, instance.ready false); resumed, ready again; stopped while paused', async () => {
      await run(async (b) => {
        const workload = twoReplicaService(b, 'paused');
        const records: TestRecord[] = [];
        const store = new InMemoryStateStore();
        const o = backendOrchestrator(b, { store, seed: 5, records });
        await o.start();
        o.apply(workload);
        await waitFor(b.clock, 'two running', () => o.status('paused')!.running === 2 || undefined, 60_000);
        const target = store.listInstances('paused').find((i) => i.status === 'Running')!;
        const id = target.containers[0].id!;
        await b.pause(id, true);
        // why: before, a paused container counted as running (docker's `paused` mapped to `running`)
        await waitFor(b.clock, 'one not ready', () => (o.status('paused')!.notReady === 1 ? true : undefined), 30_000);
        expect(o.status('paused')).toMatchObject({ running: 1, notReady: 1, updated: 1, pending: 0 });
        expect(store.getInstance(target.id)).toMatchObject({ status: 'Running', notReady: 'container main is paused', containers: [{ state: 'paused' }] });
        expect(records.filter((r) => r.type === 'instance.ready')).toEqual([{ type: 'instance.ready', fields: { instance: target.id, workload: 'paused', ready: false, reason: 'container main is paused' } }]);
        // Not replaced: a resync and a reconcile pass later, still two instances and no new create.
        await b.clock.sleep(2_500);
        expect(records.filter((r) => r.type === 'instance.created')).toHaveLength(2);

        await b.pause(id, false);
        await waitFor(b.clock, 'ready again', () => (o.status('paused')!.running === 2 ? true : undefined), 30_000);
        expect(o.status('paused')).toMatchObject({ running: 2, notReady: 0 });
        expect(store.getInstance(target.id)!.notReady).toBeUndefined();
        expect(records.filter((r) => r.type === 'instance.ready').map((r) => r.fields.ready)).toEqual([false, true]);

        // A paused container still stops (the OCI runtime thaws it so the signal lands).
        await b.pause(id, true);
        await waitFor(b.clock, 'not ready again', () => (o.status('paused')!.notReady === 1 ? true : undefined), 30_000);
        o.delete('paused');
        await waitFor(b.clock, 'every container gone', async () => {
          for (const n of b.nodes) if ((await b.runtime.listContainers(n)).some((c) => c.workloadId === 'paused')) return undefined;
          return true;
        }, 60_000);
        o.shutdown();
      });
    });

    it('adoption: a restarted control plane takes over running containers and removes orphans', async () => {
      await run(async (b) => {
        const workload = twoReplicaService(b, 'adopt');
        const records: TestRecord[] = [];
        const make = (store: InMemoryStateStore, seed: number) => backendOrchestrator(b, { store, seed, records });
        const first = make(new InMemoryStateStore(), 1);
        await first.start();
        first.apply(workload);
        await waitFor(b.clock, 'two running', () => first.status('adopt')!.running === 2 || undefined);
        const before = new Set<string>();
        for (const n of b.nodes) for (const c of await b.runtime.listContainers(n)) if (c.workloadId === 'adopt') before.add(c.id);
        expect(before.size).toBe(2);
        first.shutdown();
        // An orphan: Slipway's labels, but of a workload the desired state does not have.
        const orphan = await b.runtime.createContainer(b.longRunning('main'), opts(b, b.nodes[1], 'gone'));
        await waitFor(b.clock, 'orphan running', async () => (await b.runtime.getContainerStatus(orphan)).state === 'running' || undefined);

        const store = new InMemoryStateStore();
        store.putWorkload(workload);
        records.length = 0;
        const second = make(store, 2);
        await second.start({ adopt: true });
        expect(records.filter((r) => r.type === 'instance.adopted')).toHaveLength(2);
        expect(second.status('adopt')).toMatchObject({ running: 2, pending: 0 });
        await waitFor(b.clock, 'orphan removed', async () => {
          const ids = (await b.runtime.listContainers(b.nodes[1])).map((c) => c.id);
          return ids.includes(orphan) ? undefined : true;
        });
        // Give the control plane a reconcile and a resync: nothing new is created.
        await b.clock.sleep(2_500);
        const after = new Set<string>();
        for (const n of b.nodes) for (const c of await b.runtime.listContainers(n)) if (c.workloadId === 'adopt' && c.state === 'running') after.add(c.id);
        expect([...after].sort()).toEqual([...before].sort());
        expect(records.filter((r) => r.type === 'instance.created')).toHaveLength(0);
        second.shutdown();
      });
    });
  });
}

contract('sim');
contract('docker');
contract('oci');
