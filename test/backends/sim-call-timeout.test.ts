/**
 * A call to a simulated node schedules its rpcTimeout event when it is sent, and the engine holds
 * that event until its time comes, answered or not. An answered call must not be kept alive by it:
 * a daemon whose engine ran behind held 160,000-300,000 answered calls (their promises, closures
 * and the async work waiting on them) until their timeouts fired (docs/performance.md, session 18).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { expect, it } from 'vitest';
import { SimCluster } from '../../backends/sim/sim-cluster.js';
import { SeededIds } from '../../src/engine/ids.js';
import { Simulation } from '../../src/engine/simulation.js';
import { DEFAULT_CONTROL_PLANE, DEFAULT_LATENCY, node } from '../support/scenario-builder.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

it("an answered call is not kept by its timeout event, which still waits in the engine's queue", async () => {
  const sim = new Simulation(7);
  const cluster = new SimCluster({ sim, latency: DEFAULT_LATENCY, controlPlane: DEFAULT_CONTROL_PLANE, ids: new SeededIds(sim.random.stream('ids.container'), 10) });
  cluster.addNode(node('n1'), true);
  let answered: unknown;
  let call: WeakRef<Promise<unknown>> | undefined;
  (() => {
    const p = cluster.listContainers('n1');
    call = new WeakRef(p);
    void p.then((list) => (answered = list));
  })();
  // Long enough for the answer, well short of the timeout.
  await sim.run({ until: sim.now() + DEFAULT_CONTROL_PLANE.rpcTimeoutMs / 2, guard: false });
  expect(answered).toEqual([]);
  expect(sim.pending).toBeGreaterThan(0);
  // A promise is collected only after the turn that settled it: let that turn end, then collect.
  await new Promise((r) => setImmediate(r));
  gc();
  await new Promise((r) => setImmediate(r));
  gc();
  expect(call!.deref()).toBeUndefined();
  // The timeout itself still fires, harmlessly: the run goes on past it without an error.
  const r = await sim.run({ until: sim.now() + DEFAULT_CONTROL_PLANE.rpcTimeoutMs, guard: false });
  expect(r.reason).not.toBe('error');
});
