/**
 * The leader's store on a real etcd (SLIPWAY_LIVE=1): writes go through the shared election and
 * FencedWriter, so a deposed leader's writes are refused by etcd itself — the paused-leader case,
 * played with two elections on one cluster and no waiting for timers.
 */
import { describe, expect, it } from 'vitest';
import { EtcdKv } from '../../backends/store/etcd-kv.js';
import { resources } from '../../src/core/resources.js';
import type { Workload } from '../../src/core/types.js';
import { WallClock } from '../../src/engine/wall-clock.js';
import { EtcdServeStore, KEYSPACE, LEADER_KEY, decodeState } from '../../src/serve/etcd-serve-store.js';
import { Election } from '../../src/store/election.js';
import { ETCD_ENDPOINTS, LIVE, LIVE_SKIP_REASON } from '../support/backends.js';

const workload = (name: string, replicas: number): Workload =>
  ({
    id: name,
    name,
    kind: 'service',
    replicas,
    generation: 1,
    labels: {},
    containers: [{ name: 'c', image: 'x', env: {}, ports: [], requests: resources({ cpu: 100, memory: 2 ** 20 }), limits: resources({}) }],
  }) as unknown as Workload;

describe.skipIf(!LIVE)(`EtcdServeStore on etcd${LIVE ? '' : ` (skipped: ${LIVE_SKIP_REASON})`}`, () => {
  it('commits the keyspace with fenced writes; once another replica wins, the old leader’s writes are refused and nothing of them lands', async () => {
    // Isolated from other users of the cluster: clear what an earlier run left (this test owns /slipway/v1/ on the CI cluster).
    const kv = new EtcdKv({ endpoints: ETCD_ENDPOINTS });
    const clock = new WallClock();
    try {
      const stale = await kv.range(KEYSPACE);
      if (stale.entries.length > 0) await kv.txn({ compare: [], success: stale.entries.slice(0, 100).map((e) => ({ type: 'delete' as const, key: e.key })) });
      const a = new Election({ kv, clock }, { key: LEADER_KEY, candidate: 'http://replica-a', ttlSeconds: 5 });
      const termA = (await a.campaign())!;
      const snap = await kv.range(KEYSPACE);
      let fenced: string | undefined;
      const storeA = new EtcdServeStore({ kv, term: termA, entries: snap.entries, revision: snap.revision, onFenced: (d) => (fenced = d) });
      storeA.putWorkload(workload('web', 3));
      storeA.meta.workloads.web = { revision: 7, createdRevision: 7, spec: { name: 'web', replicas: 3 } };
      storeA.markDirty();
      await storeA.flush();
      const written = decodeState((await kv.range(KEYSPACE)).entries, 0);
      expect(written.workloads.get('web')?.workload.replicas).toBe(3);
      expect(written.leader).toBe('http://replica-a');

      // A stops renewing (paused); B takes over once A's lease is gone.
      a.stop();
      await kv.leaseRevoke(termA.lease);
      const b = new Election({ kv, clock }, { key: LEADER_KEY, candidate: 'http://replica-b', ttlSeconds: 5 });
      const termB = (await b.campaign())!;
      expect(termB.revision).toBeGreaterThan(termA.revision);

      // A wakes up and writes: etcd refuses (fencing), the API's waiter gets 503, A is told to step down.
      storeA.putWorkload(workload('web', 1));
      storeA.markDirty();
      await expect(storeA.flush()).rejects.toMatchObject({ status: 503 });
      expect(fenced).toMatch(/fenced: the leader key is "http:\/\/replica-b"/);
      const after = decodeState((await kv.range(KEYSPACE)).entries, 0);
      expect(after.workloads.get('web')?.workload.replicas).toBe(3);
      expect(after.leader).toBe('http://replica-b');
      await b.resign();
    } finally {
      clock.cancelAll();
      await kv.close();
    }
  });
});
