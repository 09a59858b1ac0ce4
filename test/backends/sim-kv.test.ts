/**
 * The simulated consistent store behaves like etcd v3 where the election and fencing code depend
 * on it: revisions, compare semantics, leases expiring on the virtual clock, ordered watches,
 * compaction, and unavailability that leaves a write's effect unknown.
 */
import { describe, expect, it } from 'vitest';
import { SimKvStore } from '../../backends/sim/sim-kv.js';
import { Simulation } from '../../src/engine/simulation.js';
import { CompactedError, LeaseExpiredError, StoreUnavailableError, type KvEvent } from '../../src/store/kv.js';

async function within<T>(sim: Simulation, p: Promise<T>, untilMs = 60_000): Promise<T> {
  let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
  p.then(
    (value) => (outcome = { ok: true, value }),
    (error: unknown) => (outcome = { ok: false, error }),
  );
  await sim.run({ until: sim.now() + untilMs });
  if (outcome === undefined) throw new Error('the request never settled');
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}

describe('SimKvStore', () => {
  it('advances one revision per write transaction and follows etcd compare semantics', async () => {
    const sim = new Simulation(1);
    const store = new SimKvStore(sim);
    const kv = store.client('a');
    const r1 = await within(sim, kv.txn({ compare: [{ key: 'k', target: 'create', op: '=', value: 0 }], success: [{ type: 'put', key: 'k', value: 'v1' }, { type: 'put', key: 'j', value: 'x' }] }));
    expect(r1).toMatchObject({ succeeded: true, revision: 1 });
    const k1 = await within(sim, kv.get('k'));
    expect(k1).toMatchObject({ value: 'v1', createRevision: 1, modRevision: 1, version: 1 });
    // The same compare fails now that the key exists: the failure branch runs and reads.
    const r2 = await within(sim, kv.txn({ compare: [{ key: 'k', target: 'create', op: '=', value: 0 }], success: [{ type: 'put', key: 'k', value: 'no' }], failure: [{ type: 'get', key: 'k' }] }));
    expect(r2.succeeded).toBe(false);
    expect(r2.revision).toBe(1);
    expect(r2.reads[0]?.value).toBe('v1');
    const r3 = await within(sim, kv.txn({ compare: [{ key: 'k', target: 'mod', op: '=', value: 1 }], success: [{ type: 'put', key: 'k', value: 'v2' }] }));
    expect(r3).toMatchObject({ succeeded: true, revision: 2 });
    expect(await within(sim, kv.get('k'))).toMatchObject({ value: 'v2', createRevision: 1, modRevision: 2, version: 2 });
    // A value compare on a missing key is false, a revision compare sees 0.
    const r4 = await within(sim, kv.txn({ compare: [{ key: 'none', target: 'value', op: '!=', value: 'x' }], success: [{ type: 'put', key: 'z', value: '1' }] }));
    expect(r4.succeeded).toBe(false);
    const range = await within(sim, kv.range(''));
    expect(range.entries.map((e) => e.key)).toEqual(['j', 'k']);
    expect(range.revision).toBe(2);
  });

  it('expires a lease ttl after its last keep-alive on the virtual clock, deleting its keys in one revision', async () => {
    const sim = new Simulation(1);
    const store = new SimKvStore(sim);
    const kv = store.client('a');
    const lease = await within(sim, kv.leaseGrant(3), 10);
    await within(sim, kv.txn({ compare: [], success: [{ type: 'put', key: 'a', value: '1', lease }, { type: 'put', key: 'b', value: '1', lease }] }), 10);
    await sim.run({ until: 2000 });
    expect(await within(sim, kv.leaseKeepAlive(lease), 10)).toBe(3);
    const renewedAt = sim.now() - 1; // arrived one leg before the answer
    await sim.run({ until: renewedAt + 2990 });
    expect(store.entry('a')).toBeDefined();
    await sim.run({ until: renewedAt + 3000 });
    expect(store.entry('a')).toBeUndefined();
    expect(store.entry('b')).toBeUndefined();
    expect(store.revision).toBe(2);
    await expect(within(sim, kv.leaseKeepAlive(lease))).rejects.toBeInstanceOf(LeaseExpiredError);
    // A put on a lease that is gone fails the whole transaction.
    await expect(within(sim, kv.txn({ compare: [], success: [{ type: 'put', key: 'c', value: '1', lease }] }))).rejects.toBeInstanceOf(LeaseExpiredError);
  });

  it('delivers watch events in revision order from a past revision, and fails a watch from a compacted one', async () => {
    const sim = new Simulation(3);
    const store = new SimKvStore(sim, { latency: { kind: 'uniform', minMs: 1, maxMs: 20 } });
    const kv = store.client('a');
    for (let i = 1; i <= 5; i++) await within(sim, kv.txn({ compare: [], success: [{ type: 'put', key: `p/${i % 2}`, value: String(i) }] }), 100);
    const seen: Array<[number, KvEvent[]]> = [];
    kv.watch('p/', 2, { onEvents: (ev, rev) => seen.push([rev, [...ev]]), onError: (e) => expect.fail(String(e)) });
    await sim.run({ until: sim.now() + 100 });
    for (let i = 6; i <= 9; i++) void kv.txn({ compare: [], success: [{ type: 'put', key: `p/${i % 2}`, value: String(i) }] });
    await sim.run({ until: sim.now() + 200 });
    expect(seen.map(([r]) => r)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    store.compact(7);
    const errors: Error[] = [];
    kv.watch('p/', 5, { onEvents: () => expect.fail('no events from a compacted revision'), onError: (e) => errors.push(e) });
    await sim.run({ until: sim.now() + 100 });
    expect(errors[0]).toBeInstanceOf(CompactedError);
    expect((errors[0] as CompactedError).compactRevision).toBe(7);
  });

  it('fails requests of a partitioned client after the timeout; an answer lost on the way back leaves the write applied', async () => {
    const sim = new Simulation(1);
    const store = new SimKvStore(sim, { requestTimeoutMs: 500, latency: { kind: 'constant', ms: 10 } });
    const a = store.client('a');
    const b = store.client('b');
    const watchErrors: Error[] = [];
    a.watch('', 0, { onEvents: () => {}, onError: (e) => watchErrors.push(e) });
    await sim.run({ until: 50 });
    store.partitionClient('a', 1000);
    const t0 = sim.now();
    await expect(within(sim, a.get('x'))).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(watchErrors[0]).toBeInstanceOf(StoreUnavailableError);
    expect(await within(sim, b.get('x'))).toBeUndefined();
    expect(sim.now()).toBeGreaterThanOrEqual(t0 + 500);
    sim.at(2000, () => {}); // past the partition
    await sim.run({ until: 2000 });
    expect(store.reachable('a')).toBe(true);
    // The write reaches the store, the partition starts before the answer comes back.
    const p = a.txn({ compare: [], success: [{ type: 'put', key: 'x', value: '1' }] });
    sim.schedule(15, () => store.partitionClient('a', 1000));
    await expect(within(sim, p)).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(store.entry('x')?.value).toBe('1');
  });

  it('electing a raft leader: a request that arrived before the members noticed waits for the new leader, a later one is refused at once; no lease expires, and all are renewed', async () => {
    const sim = new Simulation(1);
    const store = new SimKvStore(sim, { requestTimeoutMs: 5000, latency: { kind: 'constant', ms: 10 } });
    const kv = store.client('a');
    const lease = await within(sim, kv.leaseGrant(2), 100);
    await within(sim, kv.txn({ compare: [], success: [{ type: 'put', key: 'leader', value: 'a', lease }] }), 100);
    const t0 = sim.now();
    store.elect(2500); // members notice after 1 s
    const settled: Array<{ what: string; at: number; ok: boolean; error?: string }> = [];
    const track = (what: string, p: Promise<unknown>) =>
      p.then(
        () => settled.push({ what, at: sim.now() - t0, ok: true }),
        (e: unknown) => settled.push({ what, at: sim.now() - t0, ok: false, error: String(e) }),
      );
    track('early write', kv.txn({ compare: [], success: [{ type: 'put', key: 'x', value: '1' }] }));
    sim.schedule(1500, () => track('late keep-alive', kv.leaseKeepAlive(lease)));
    // The lease (2 s TTL, last renewed before t0) outlives its TTL while no leader can expire it.
    sim.at(t0 + 2400, () => expect(store.entry('leader')?.value).toBe('a'));
    await sim.run({ until: t0 + 4000 });
    expect(settled).toEqual([
      { what: 'late keep-alive', at: 1520, ok: false, error: expect.stringContaining('no leader') },
      { what: 'early write', at: 2510, ok: true },
    ]);
    expect(store.entry('x')?.value).toBe('1');
    // Renewed to its full TTL at the election's end (2.5 s): alive at 4 s, gone after 4.5 s.
    expect(store.entry('leader')?.value).toBe('a');
    await sim.run({ until: t0 + 4600 });
    expect(store.entry('leader')).toBeUndefined();
    // A request that would wait past its deadline fails at the deadline, as etcd's would.
    const short = new SimKvStore(sim, { requestTimeoutMs: 1000, latency: { kind: 'constant', ms: 10 } });
    short.elect(3000);
    const t1 = sim.now();
    let failedAt = -1;
    short.client('b').get('y').catch(() => (failedAt = sim.now() - t1));
    await sim.run({ until: t1 + 5000 });
    expect(failedAt).toBe(1000);
  });
});
