/**
 * Adoption and resync beside the Orchestrator, on their own, against the simulated runtime:
 * a running container whose labels name a desired workload becomes an instance record again;
 * everything else is an orphan and is removed; a resync binds a container whose create answer
 * was lost and notices one that vanished. (A restarted control plane through the whole
 * Orchestrator, on every backend: test/contract/runtime.contract.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { Adoption } from '../../src/core/adoption.js';
import { addInto, sum } from '../../src/core/resources.js';
import { InMemoryStateStore } from '../../src/core/state-store.js';
import type { Instance } from '../../src/core/types.js';
import { simBackend } from '../support/backends.js';
import { addNode, addWorkload, emptyRecords, instance, recorder } from '../support/control-plane.js';

function setup() {
  const b = simBackend();
  const store = new InMemoryStateStore();
  const rec = recorder(b.clock);
  const records = emptyRecords();
  const [na, nb] = b.nodes;
  addNode(records, na);
  addNode(records, nb);
  const web = addWorkload(records, 'web');
  const calls: string[] = [];
  const adoption = new Adoption({
    clock: b.clock,
    runtime: b.runtime,
    store,
    recorder: rec,
    records,
    requestOf: (ws) => sum(ws.workload.containers.map((c) => c.requests)),
    refreshStatus: (inst, reason) => void calls.push(`refresh ${inst.id}${reason ? `: ${reason}` : ''}`),
    addressKnown: (inst) => void calls.push(`address ${inst.id}`),
    bindContainer: (inst, c, id) => {
      c.id = id;
      records.containerOwner.set(id, inst.id);
      calls.push(`bind ${inst.id}/${c.name}`);
    },
    startInstance: (inst) => void calls.push(`start ${inst.id}`),
    armTaintEvictions: (ns) => void calls.push(`arm ${ns.node.name}`),
    invalidateViews: () => void calls.push('views'),
    spawn: (p) => void p.catch((e) => calls.push(`error ${String(e)}`)),
    unlistedChanged: () => void calls.push('unlisted changed'),
  });
  /** Creates a running container of `workload` on the node with Slipway's labels. */
  const run = async (node: string, workload: string, instanceId: string, slot: string, generation = '1') => {
    const id = await b.runtime.createContainer(b.longRunning('c'), {
      nodeId: node,
      workloadId: workload,
      instanceId,
      labels: { 'slipway.workload': workload, 'slipway.instance': instanceId, 'slipway.slot': slot, 'slipway.generation': generation },
    });
    return id;
  };
  const settle = () => new Promise<void>((resolve) => b.clock.setTimer(5_000, resolve));
  return { b, store, rec, records, web, calls, adoption, run, settle, na, nb };
}

describe('Adoption', () => {
  it('adopts a running container of a desired workload and removes the ones nobody wants', async () => {
    const { b, store, rec, records, calls, adoption, run, settle, na } = setup();
    await b.run(async () => {
      const kept = await run(na, 'web', 'web-1', '0');
      const gone = await run(na, 'deleted', 'deleted-1', '0'); // why: no such workload in the desired state
      const unreadable = await run(na, 'web', 'web-2', 'x'); // why: its slot label is no number
      await settle();
      expect(await adoption.adoptNode(na)).toBe(1);
      const inst = store.getInstance('web-1')!;
      expect(inst).toMatchObject({ node: na, slot: 0, generation: 1, containers: [{ name: 'c', id: kept, state: 'running' }] });
      expect(records.containerOwner.get(kept)).toBe('web-1');
      expect(records.nodes.get(na)!.instances).toEqual(new Set(['web-1']));
      expect(rec.of('container.orphan').map((r) => r.fields.container).sort()).toEqual([gone, unreadable].sort());
      expect(calls).toEqual(['refresh web-1', 'views', `arm ${na}`]);
      await settle();
      expect(rec.of('container.orphan_removed').map((r) => r.fields.container).sort()).toEqual([gone, unreadable].sort());
      expect((await b.runtime.listContainers(na)).map((c) => c.id)).toEqual([kept]);
    });
  });

  it('a node the control plane does not know is not asked: nothing adopted, nothing recorded', async () => {
    const { b, rec, adoption } = setup();
    await b.run(async () => {
      expect(await adoption.adoptNode('no-such-node')).toBe(0);
      expect(rec.records).toEqual([]);
    });
  });
});

describe('resync', () => {
  it('binds a container whose create answer was lost, marks one that vanished exited, and removes a duplicate', async () => {
    const { b, store, rec, records, web, calls, adoption, run, settle, na } = setup();
    await b.run(async () => {
      const lost = await run(na, 'web', 'web-1', '0');
      const vanished = await run(na, 'web', 'web-2', '1');
      await settle();
      // web-1's create answer never came back: its record has no container id yet.
      const w1: Instance = instance('web-1', web, { node: na, status: 'Pending' });
      // web-2 was known running; its container is then removed behind the control plane's back.
      const w2: Instance = instance('web-2', web, { node: na, status: 'Running', containers: [{ name: 'c', id: vanished, state: 'running' }] });
      for (const i of [w1, w2]) {
        store.putInstance(i);
        records.nodes.get(na)!.instances.add(i.id);
        addInto(records.nodes.get(na)!.allocated, web.workload.containers[0].requests);
      }
      await b.runtime.stopContainer(vanished);
      await b.runtime.removeContainer(vanished);
      const duplicate = await run(na, 'web', 'web-1', '0'); // why: a duplicated create request
      await settle();
      await adoption.resyncNode(na);
      expect(w1.containers[0]).toMatchObject({ id: lost, state: 'running' });
      expect(w2.containers[0]).toMatchObject({ id: vanished, state: 'exited' });
      expect(calls).toEqual(['bind web-1/c', 'refresh web-1', 'refresh web-2: missing from the runtime']);
      expect(rec.of('container.orphan').map((r) => r.fields)).toEqual([{ container: duplicate, node: na, instance: 'web-1' }]);
    });
  });
});
