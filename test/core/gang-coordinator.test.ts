/**
 * The gang coordinator beside the Orchestrator, on its own: waiting members keep their
 * reservation, a member allowed binds every waiting member, a timeout or a rejection releases
 * them all and counts the gang's pending members as tried at the new capacity epoch.
 * (Through the whole Orchestrator: test/scheduler/gang.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import type { NodeState } from '../../src/core/control-plane-state.js';
import { GangCoordinator } from '../../src/core/gang-coordinator.js';
import { resources } from '../../src/core/resources.js';
import { InMemoryStateStore } from '../../src/core/state-store.js';
import type { Instance } from '../../src/core/types.js';
import { Simulation } from '../../src/engine/simulation.js';
import { addNode, addWorkload, emptyRecords, instance, recorder } from '../support/control-plane.js';

const REQ = resources({ cpu: 100 });

function setup(timeoutMs = 60_000) {
  const sim = new Simulation(1);
  const store = new InMemoryStateStore();
  const rec = recorder(sim);
  const records = emptyRecords();
  const gang = { name: 'train', minMember: 3, timeoutMs };
  // Two workloads of one gang, and one outside it.
  const a = addWorkload(records, 'part-a', { gang });
  const b = addWorkload(records, 'part-b', { gang });
  const other = addWorkload(records, 'other');
  const n1 = addNode(records, 'n1');
  let epoch = 0;
  const log: string[] = [];
  const dirty: string[] = [];
  const coordinator = new GangCoordinator({
    clock: sim,
    store,
    recorder: rec,
    records,
    capacityEpoch: () => epoch,
    reserveOn: (inst, nodeId): NodeState => {
      inst.node = nodeId;
      records.instanceRequest.set(inst.id, REQ);
      log.push(`reserve ${inst.id}`);
      return records.nodes.get(nodeId)!;
    },
    unreserve: (inst, reason) => {
      log.push(`unreserve ${inst.id}: ${reason}`);
      inst.node = undefined;
      inst.waitingSince = undefined;
    },
    startInstance: (inst) => log.push(`start ${inst.id}`),
    capacityAppeared: () => void (epoch++, log.push('capacity')),
    markDirty: (id) => void dirty.push(id),
  });
  const put = (inst: Instance) => (store.putInstance(inst), inst);
  return { sim, store, rec, records, a, b, other, n1, coordinator, log, dirty, put, epoch: () => epoch };
}

const waitDec = (members: number) => ({ kind: 'wait' as const, nodeId: 'n1', nodeName: 'n1', gang: 'train', members });

describe('GangCoordinator', () => {
  it('the first member to wait sends the pending members of its gang in other workloads back to the queue; later ones do not', async () => {
    const { sim, a, b, other, coordinator, log, dirty, put, rec } = setup();
    const a0 = put(instance('a0', a));
    const a1 = put(instance('a1', a));
    const b0 = put(instance('b0', b, { lastAttemptEpoch: 5 }));
    const o0 = put(instance('o0', other, { lastAttemptEpoch: 5 }));
    sim.at(1000, () => coordinator.wait(a, a0, waitDec(1), REQ));
    sim.at(2000, () => coordinator.wait(a, a1, waitDec(2), REQ));
    await sim.run({ until: 3000 });
    expect(log).toEqual(['reserve a0', 'reserve a1']);
    // part-b's pending member retries at once (epoch -1 = never tried); 'other' is no member.
    expect(b0.lastAttemptEpoch).toBe(-1);
    expect(o0.lastAttemptEpoch).toBe(5);
    expect(dirty).toEqual(['part-b']);
    // Both wait with the deadline of the first: 1 s + 60 s.
    expect(rec.of('instance.waiting').map((r) => [r.fields.instance, r.fields.members, r.fields.timeoutAt])).toEqual([
      ['a0', 1, 61_000],
      ['a1', 2, 61_000],
    ]);
    expect(a0.reason).toBe('waiting for gang train: 1/3 members');
  });

  it('bind: every waiting member is scheduled with how long it waited, and its containers start', async () => {
    const { sim, a, coordinator, log, put, rec } = setup();
    const a0 = put(instance('a0', a));
    const a1 = put(instance('a1', a));
    sim.at(1000, () => coordinator.wait(a, a0, waitDec(1), REQ));
    sim.at(4000, () => coordinator.wait(a, a1, waitDec(2), REQ));
    sim.at(5000, () => coordinator.bind('train'));
    await sim.run({ until: 200_000 });
    expect(rec.of('instance.scheduled').map((r) => [r.fields.instance, r.fields.node, r.fields.gang, r.fields.waitedMs])).toEqual([
      ['a0', 'n1', 'train', 4000],
      ['a1', 'n1', 'train', 1000],
    ]);
    expect(log.filter((l) => l.startsWith('start'))).toEqual(['start a0', 'start a1']);
    expect([a0.waitingSince, a0.scheduledAt]).toEqual([undefined, 5000]);
    // Bound: no timeout fires later.
    expect(rec.of('gang.timeout')).toEqual([]);
  });

  it('timeout: the waiting members are unreserved, capacity appears, and the pending members count as tried at the new epoch', async () => {
    const { sim, a, b, coordinator, log, put, rec, epoch } = setup(10_000);
    const a0 = put(instance('a0', a));
    const b0 = put(instance('b0', b));
    sim.at(1000, () => coordinator.wait(a, a0, waitDec(1), REQ));
    await sim.run({ until: 60_000 });
    expect(rec.of('gang.timeout').map((r) => [r.t, r.fields])).toEqual([
      [11_000, { gang: 'train', members: 1, minMember: 3, instances: ['a0'], waitedMs: 10_000 }],
    ]);
    expect(log).toEqual(['reserve a0', 'unreserve a0: gang train timed out: 1/3 members', 'capacity']);
    // Both now pending: tried at 11 s at the epoch the release opened (1), so they wait for more capacity.
    expect(epoch()).toBe(1);
    for (const i of [a0, b0]) expect([i.lastAttemptAt, i.lastAttemptEpoch]).toEqual([11_000, 1]);
  });

  it('a waiting member that leaves moves the timeout to the next member; a rejection names who caused it', async () => {
    const { sim, a, coordinator, put, rec, log } = setup(10_000);
    const a0 = put(instance('a0', a));
    const a1 = put(instance('a1', a));
    sim.at(0, () => coordinator.wait(a, a0, waitDec(1), REQ));
    sim.at(5000, () => coordinator.wait(a, a1, waitDec(2), REQ));
    sim.at(6000, () => coordinator.leave(a0));
    await sim.run({ until: 14_000 });
    // a0 left at 6 s: the deadline is a1's 5 s + 10 s = 15 s, not 10 s.
    expect(rec.of('gang.timeout')).toEqual([]);
    expect(a0.waitingSince).toBeUndefined();
    coordinator.release('train', 'rejected', a0, 'left the wait (preempted)');
    expect(rec.of('gang.rejected').map((r) => r.fields)).toEqual([
      { gang: 'train', members: 2, minMember: 3, instances: ['a1'], waitedMs: 9000, by: 'a0' },
    ]);
    expect(log.at(-2)).toBe('unreserve a1: gang train rejected: a0 left the wait (preempted): 2/3 members');
  });
});
