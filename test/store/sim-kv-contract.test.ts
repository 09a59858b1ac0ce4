/**
 * The ConsistentKv contract (test/store/kv-contract.ts) on the simulated store: the same cases the
 * real etcd passes, run on the virtual clock (backends/sim/sim-kv.ts).
 */
import { SimKvStore } from '../../backends/sim/sim-kv.js';
import { Simulation } from '../../src/engine/simulation.js';
import { kvContractSuite } from './kv-contract.js';

kvContractSuite('simulated store', {
  prefix: '/slipway-test/kv-contract',
  // A 1 s lease expires exactly 1 s after its last keep-alive arrived; the test polls every 100 ms.
  leaseExpiryBoundMs: 2_000,
  open: () => {
    const sim = new Simulation(7);
    const store = new SimKvStore(sim, { latency: { kind: 'uniform', minMs: 1, maxMs: 5 } });
    return Promise.resolve({
      kv: store.client('test'),
      compact: (revision: number) => {
        store.compact(revision);
        return Promise.resolve();
      },
      sleep: (ms: number) => sim.sleep(ms),
      // The body's requests settle only as the engine runs: run it in steps until the body ends.
      run: async <T>(body: () => Promise<T>): Promise<T> => {
        let out: { v: T } | { e: unknown } | undefined;
        body().then(
          (v) => (out = { v }),
          (e: unknown) => (out = { e }),
        );
        for (let i = 0; i < 10_000 && out === undefined; i++) {
          sim.at(sim.now() + 10, () => {});
          await sim.run({ until: sim.now() + 10 });
        }
        if (out === undefined) throw new Error('the case did not finish within 100 s of virtual time');
        if ('e' in out) throw out.e;
        return out.v;
      },
      close: () => Promise.resolve(),
    });
  },
});
