/**
 * The NoExecute taint eviction timers beside the Orchestrator, on their own: a pass at once for
 * an instance that does not tolerate a taint, one timer per distinct moment a toleration runs
 * out, one more at `evictionGrace` when a node stops being Ready, and a taint removed counts as
 * capacity appearing. (Through whole runs: test/run/taint-eviction.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import type { NodeState } from '../../src/core/control-plane-state.js';
import type { Toleration } from '../../src/core/placement.js';
import { InMemoryStateStore } from '../../src/core/state-store.js';
import { TaintEvictionTimers } from '../../src/core/taint-eviction-timers.js';
import type { Taint } from '../../src/core/types.js';
import { Simulation } from '../../src/engine/simulation.js';
import { addNode, addWorkload, emptyRecords, instance, recorder } from '../support/control-plane.js';

const MAINT: Taint = { key: 'maint', value: 'disk', effect: 'NoExecute', timeAdded: 0 };
const tolerate = (seconds?: number): Toleration[] => [
  { key: 'maint', operator: 'Exists', effect: 'NoExecute', ...(seconds !== undefined ? { tolerationSeconds: seconds } : {}) },
];

function setup(taints: readonly Taint[] = [MAINT]) {
  const sim = new Simulation(1);
  const store = new InMemoryStateStore();
  const rec = recorder(sim);
  const records = emptyRecords();
  const ns = addNode(records, 'n1', taints);
  const events: Array<[number, string]> = [];
  const timers = new TaintEvictionTimers({
    clock: sim,
    store,
    recorder: rec,
    records,
    evictionGraceMs: 30_000,
    markDirty: (id) => void events.push([sim.now(), `dirty ${id}`]),
    reconcileNode: (n: NodeState) => void events.push([sim.now(), `pass ${n.node.name}`]),
    capacityAppeared: () => void events.push([sim.now(), 'capacity']),
  });
  /** A running instance of a workload with these tolerations, bound to n1 at `boundAt`. */
  const place = (name: string, tolerations: Toleration[] | undefined, boundAt = 0) => {
    const ws = addWorkload(records, name, tolerations ? { tolerations } : undefined);
    const inst = instance(`${name}-0`, ws, { node: 'n1', status: 'Running', scheduledAt: boundAt });
    store.putInstance(inst);
    ns.instances.add(inst.id);
    return inst;
  };
  return { sim, rec, records, ns, timers, events, place };
}

describe('TaintEvictionTimers', () => {
  it('one pass at once for what does not tolerate the taint, one timer per distinct moment a toleration runs out, none for forever', async () => {
    const { sim, ns, timers, events, place } = setup();
    place('plain', undefined);
    place('brief', tolerate(60));
    place('brief-too', tolerate(60));
    place('long', tolerate(600), 10_000);
    place('forever', tolerate());
    sim.at(5000, () => timers.arm(ns));
    await sim.run({ until: 3_600_000 });
    // why: brief and brief-too share one moment (60 s after the taint); long counts from its binding (10 s + 600 s).
    expect(events).toEqual([
      [5000, 'dirty plain'],
      [60_000, 'pass n1'],
      [610_000, 'pass n1'],
    ]);
  });

  it('only the instance just placed is looked at when one is given; stopping or ended instances never', async () => {
    const { sim, ns, timers, events, place } = setup();
    place('brief', tolerate(60));
    const late = place('late', tolerate(30), 100_000);
    const stopped = place('stopped', undefined);
    stopped.stopRequestedAt = 1;
    sim.at(100_000, () => timers.arm(ns, late));
    sim.at(100_000, () => timers.arm(ns));
    await sim.run({ until: 3_600_000 });
    expect(events).toEqual([
      // why: `late` alone first (130 s); then every instance: brief's 60 s already passed → at once, late's 130 s again.
      [100_000, 'dirty brief'],
      [130_000, 'pass n1'],
      [130_000, 'pass n1'],
    ]);
  });

  it('a node that stops being Ready: a pass when the default toleration runs out, even with nobody on it', async () => {
    const { sim, ns, timers, events } = setup([]);
    sim.at(1000, () => {
      ns.node.status = 'NotReady';
      ns.node.statusSince = 1000;
      ns.unreadySince = 1000;
      timers.arm(ns, undefined, true);
    });
    await sim.run({ until: 3_600_000 });
    expect(events).toEqual([[31_000, 'pass n1']]);
  });

  it('taints changed: recorded; a taint gone counts as capacity appearing, a taint added does not', () => {
    const { ns, timers, events, rec } = setup([]);
    ns.node.taints = [MAINT];
    timers.taintsChanged(ns);
    ns.node.taints = [];
    timers.taintsChanged(ns);
    expect(rec.of('node.taints').map((r) => r.fields.taints)).toEqual([['maint=disk:NoExecute'], []]);
    expect(events).toEqual([[0, 'capacity']]);
  });
});
