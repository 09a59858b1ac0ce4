/**
 * Init and sidecar containers through the whole Orchestrator on every backend: sim (always),
 * docker and oci (with SLIPWAY_LIVE=1). The same steps the simulator runs happen on real engines:
 * init containers one at a time to exit 0 before the regular container, a sidecar started first
 * and kept running (restarted when it exits), a failing init container failing its instance (the
 * slot retried), and a restarted control plane adopting a running instance without running its
 * completed init containers again, then removing every container of it (none leaked).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Orchestrator } from '../../src/core/orchestrator.js';
import { InMemoryStateStore } from '../../src/core/state-store.js';
import type { ContainerSpec, Workload } from '../../src/core/types.js';
import { backendOrchestrator, dockerBackend, LIVE, LIVE_SKIP_REASON, ociBackend, simBackend, waitFor, type BackendName, type TestBackend, type TestRecord as Rec } from '../support/backends.js';
import { workload as serviceOf } from '../support/control-plane.js';

const factories: Record<BackendName, () => TestBackend> = { sim: simBackend, docker: dockerBackend, oci: ociBackend };

/** Unique per process: several checkouts may share the engines. */
const tag = `${process.pid % 100_000}`;

/** A service of one replica with these init and regular containers. */
function workload(name: string, initContainers: ContainerSpec[], containers: ContainerSpec[]): Workload {
  return serviceOf(name, { initContainers, containers, completions: 0, backoffLimit: 0 });
}

function orchestrator(b: TestBackend, store: InMemoryStateStore, records: Rec[], seed: number): Orchestrator {
  // A short back-off so a retry and a sidecar restart happen within the test.
  return backendOrchestrator(b, { store, seed, records, config: { backoffInitialMs: 1_000, backoffMaxMs: 2_000 } });
}

/** The workload's containers on the backend's nodes, as the runtime lists them. */
async function containersOf(b: TestBackend, workloadId: string) {
  const out = [];
  for (const n of b.nodes) for (const c of await b.runtime.listContainers(n)) if (c.workloadId === workloadId) out.push(c);
  return out;
}

const sidecar = (spec: ContainerSpec): ContainerSpec => ({ ...spec, restartPolicy: 'Always' });

function suite(name: BackendName): void {
  const live = name !== 'sim';
  describe.skipIf(live && !LIVE)(`init containers: ${name}${live && !LIVE ? ` (skipped: ${LIVE_SKIP_REASON})` : ''}`, () => {
    let shared: TestBackend | undefined;
    beforeAll(() => {
      if (live) shared = factories[name]();
    });
    afterAll(async () => {
      await shared?.close();
    });
    const run = <T>(body: (b: TestBackend) => Promise<T>): Promise<T> => {
      const b = shared ?? simBackend();
      return b.run(async () => {
        for (const n of b.nodes) await b.runtime.initNode(n);
        return body(b);
      });
    };
    /** Deletes the workload and waits until the runtime holds none of its containers (nothing leaked). */
    const removeAll = async (b: TestBackend, o: Orchestrator, id: string) => {
      o.delete(id);
      await waitFor(b.clock, `every container of ${id} removed`, async () => ((await containersOf(b, id)).length === 0 ? true : undefined), 60_000);
    };

    it('runs the init containers in order to completion, the sidecar first, then the app; a restarted control plane adopts it without running them again', async () => {
      await run(async (b) => {
        const id = `il${tag}`;
        const w = workload(id, [b.exiting('prep', 0), sidecar(b.longRunning('side')), b.exiting('warm', 0)], [b.longRunning('app')]);
        const records: Rec[] = [];
        const store = new InMemoryStateStore();
        const first = orchestrator(b, store, records, 1);
        await first.start();
        first.apply(w);
        await waitFor(b.clock, 'the instance running', () => first.status(id)!.running === 1 || undefined, 60_000);

        const inst = store.listInstances(id)[0];
        expect(inst.containers.map((c) => [c.name, c.role ?? 'regular', c.state, c.exitCode])).toEqual([
          ['prep', 'init', 'exited', 0],
          ['side', 'sidecar', 'running', undefined],
          ['warm', 'init', 'exited', 0],
          ['app', 'regular', 'running', undefined],
        ]);
        // The control plane's order of events: each init container exited before the next was created.
        const created = records.filter((r) => r.type === 'container.created').map((r) => r.fields.name);
        expect(created).toEqual(['prep', 'side', 'warm', 'app']);
        const idOf = (n: string) => inst.containers.find((c) => c.name === n)!.id;
        const at = (pred: (r: Rec) => boolean) => records.findIndex(pred);
        const exitedAt = (n: string) => at((r) => r.type === 'container.state' && r.fields.container === idOf(n) && r.fields.state === 'exited');
        const createdAt = (n: string) => at((r) => r.type === 'container.created' && r.fields.name === n);
        expect(exitedAt('prep')).toBeGreaterThanOrEqual(0);
        expect(exitedAt('prep')).toBeLessThan(createdAt('warm'));
        expect(exitedAt('warm')).toBeLessThan(createdAt('app'));
        expect(records.filter((r) => r.type === 'init.finished').map((r) => [r.fields.container, r.fields.exitCode])).toEqual([
          ['prep', 0],
          ['warm', 0],
        ]);
        expect(records.filter((r) => r.type === 'init.completed')).toHaveLength(1);
        // The runtime agrees, and labels the init containers for adoption.
        const onNode = await containersOf(b, id);
        expect(onNode.map((c) => [c.name, c.labels?.['slipway.role'] ?? 'regular', c.state]).sort()).toEqual([
          ['app', 'regular', 'running'],
          ['prep', 'init', 'exited'],
          ['side', 'sidecar', 'running'],
          ['warm', 'init', 'exited'],
        ]);

        // A restarted control plane: adopts the instance with its finished init containers and runs nothing again.
        first.shutdown();
        const store2 = new InMemoryStateStore();
        store2.putWorkload(w);
        const seen: Rec[] = [];
        const second = orchestrator(b, store2, seen, 2);
        await second.start({ adopt: true });
        expect(seen.filter((r) => r.type === 'instance.adopted').map((r) => [r.fields.instance, r.fields.containers])).toEqual([[inst.id, 4]]);
        expect(second.status(id)).toMatchObject({ running: 1, pending: 0, notReady: 0 });
        await b.clock.sleep(2_500); // a reconcile pass and a resync
        expect(seen.filter((r) => r.type === 'container.created' || r.type === 'instance.created' || r.type === 'container.orphan')).toEqual([]);
        expect(store2.getInstance(inst.id)!.containers.map((c) => [c.name, c.id, c.state])).toEqual(inst.containers.map((c) => [c.name, c.id, c.state]));
        // Deleting it removes all four containers, the exited init containers included.
        await removeAll(b, second, id);
        second.shutdown();
      });
    });

    it('an init container that exits non-zero fails its instance, the app never starts, the slot is retried', async () => {
      await run(async (b) => {
        const id = `if${tag}`;
        const records: Rec[] = [];
        const store = new InMemoryStateStore();
        const o = orchestrator(b, store, records, 3);
        await o.start();
        o.apply(workload(id, [b.exiting('check', 3)], [b.longRunning('app')]));
        await waitFor(b.clock, 'two failed attempts', () => (records.filter((r) => r.type === 'slot.failed').length >= 2 ? true : undefined), 60_000);
        const failed = records.filter((r) => r.type === 'instance.status' && r.fields.to === 'Failed');
        expect(failed[0].fields).toMatchObject({ workload: id, from: 'Pending', exitCode: 3 });
        expect(failed[0].fields.reason).toMatch(/^init container check exited with code 3/);
        expect(records.filter((r) => r.type === 'init.finished')[0].fields).toMatchObject({ container: 'check', exitCode: 3 });
        expect(records.filter((r) => r.type === 'instance.created').length).toBeGreaterThanOrEqual(2);
        expect(records.filter((r) => r.type === 'container.created').every((r) => r.fields.name === 'check')).toBe(true);
        expect(o.status(id)).toMatchObject({ running: 0 });
        await removeAll(b, o, id);
        o.shutdown();
      });
    });

    it('a sidecar that exits is restarted while the app keeps running', async () => {
      await run(async (b) => {
        const id = `is${tag}`;
        const records: Rec[] = [];
        const store = new InMemoryStateStore();
        const o = orchestrator(b, store, records, 4);
        await o.start();
        o.apply(workload(id, [sidecar(b.exiting('side', 1))], [b.longRunning('app')]));
        await waitFor(b.clock, 'the sidecar restarted twice', () => (records.filter((r) => r.type === 'init.sidecar_restart').length >= 2 ? true : undefined), 60_000);
        const restarts = records.filter((r) => r.type === 'init.sidecar_restart');
        expect(restarts[0].fields).toMatchObject({ workload: id, container: 'side', restarts: 1, exitCode: 1 });
        const sides = records.filter((r) => r.type === 'container.created' && r.fields.name === 'side').map((r) => r.fields.container);
        expect(sides.length).toBeGreaterThanOrEqual(2); // created again after each exit (OCI reuses the id <instance>-side)
        const apps = records.filter((r) => r.type === 'container.created' && r.fields.name === 'app');
        expect(apps).toHaveLength(1);
        const inst = store.listInstances(id)[0];
        expect(records.filter((r) => r.type === 'instance.created')).toHaveLength(1);
        expect(inst.containers.find((c) => c.name === 'app')).toMatchObject({ id: apps[0].fields.container, state: 'running' });
        expect(records.filter((r) => r.type === 'instance.status' && r.fields.instance === inst.id).map((r) => r.fields.to)).not.toContain('Failed');
        // Only the newest sidecar container is left on the node (each replaced one was removed).
        const left = (await containersOf(b, id)).filter((c) => c.name === 'side');
        expect(left.length).toBeLessThanOrEqual(1);
        await removeAll(b, o, id);
        o.shutdown();
      });
    });
  });
}

suite('sim');
suite('docker');
suite('oci');
