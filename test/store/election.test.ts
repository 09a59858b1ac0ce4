/**
 * Leader election and fencing (src/store/election.ts, fencing.ts) on the simulated store: one
 * leader at a time, failover after a crash within the TTL, a partitioned leader stepping down
 * before the store can elect another, resignation, and fenced writes refusing a deposed leader.
 */
import { describe, expect, it } from 'vitest';
import { SimKvStore } from '../../backends/sim/sim-kv.js';
import { Simulation } from '../../src/engine/simulation.js';
import { Election, type StepDownReason, type Term } from '../../src/store/election.js';
import { FencedWriter } from '../../src/store/fencing.js';
import { StoreUnavailableError } from '../../src/store/kv.js';

const KEY = '/slipway/v1/leader';

interface Log {
  elected: Array<{ who: string; at: number; term: Term }>;
  deposed: Array<{ who: string; at: number; reason: StepDownReason; term: Term }>;
}

function world(seed = 1, latencyMs = 5) {
  const sim = new Simulation(seed);
  const store = new SimKvStore(sim, { latency: { kind: 'uniform', minMs: 1, maxMs: latencyMs }, requestTimeoutMs: 1000 });
  const log: Log = { elected: [], deposed: [] };
  const make = (who: string, ttlSeconds = 3) => {
    const e = new Election({ kv: store.client(who), clock: sim }, { key: KEY, candidate: who, ttlSeconds });
    e.listen({
      onElected: (term) => log.elected.push({ who, at: sim.now(), term }),
      onDeposed: (term, reason) => log.deposed.push({ who, at: sim.now(), reason, term }),
    });
    return e;
  };
  const runTo = async (t: number) => {
    sim.at(t, () => {});
    await sim.run({ until: t });
  };
  return { sim, store, log, make, runTo };
}

/** Who leads now, by each candidate's own belief. */
const leaders = (es: Election[]) => es.filter((e) => e.isLeader()).map((e) => e.candidate);

describe('Election', () => {
  it('elects exactly one of three candidates; the term carries the leader key create revision', async () => {
    const { store, log, make, runTo } = world();
    const es = ['a', 'b', 'c'].map((n) => make(n));
    for (const e of es) void e.campaign();
    await runTo(20_000);
    expect(log.elected).toHaveLength(1);
    expect(leaders(es)).toEqual([log.elected[0].who]);
    const entry = store.entry(KEY)!;
    expect(entry.value).toBe(log.elected[0].who);
    expect(log.elected[0].term.revision).toBe(entry.createRevision);
    expect(log.deposed).toEqual([]);
  });

  it('a store that expires every lease at once: campaigners retry every retryMs, not as fast as the store answers', async () => {
    const { sim, store, log, runTo } = world(3);
    let grants = 0;
    const es = ['a', 'b'].map((who) => {
      const kv = store.client(who);
      const counting = Object.assign(Object.create(Object.getPrototypeOf(kv) as object) as typeof kv, kv, {
        leaseGrant: (ttl: number) => {
          grants++;
          return kv.leaseGrant(ttl);
        },
      });
      const e = new Election({ kv: counting, clock: sim }, { key: KEY, candidate: who, ttlSeconds: 3 });
      e.listen({ onElected: (term) => log.elected.push({ who, at: sim.now(), term }) });
      return e;
    });
    for (const e of es) void e.campaign();
    await runTo(5_000);
    expect(log.elected).toHaveLength(1);
    // From now on every lease expires before it can be used (the store's lease clock 3 s ahead).
    store.skewLeases(3_000, 60_000);
    const before = grants;
    await runTo(65_000);
    // Two candidates, at most one grant each per retryMs (ttl/3 = 1 s): about 120 in 60 s. The
    // campaign used to end each wait at once on the vacancy watch's replay of an old deletion and
    // grant leases as fast as the store answered: thousands.
    expect(grants - before).toBeLessThanOrEqual(2 * 62);
    expect(grants - before).toBeGreaterThan(10); // it does keep trying
  });

  it('a crashed leader is replaced once its lease expires at the store, not before', async () => {
    const { sim, store, log, make, runTo } = world();
    const es = ['a', 'b', 'c'].map((n) => make(n));
    for (const e of es) void e.campaign();
    await runTo(5_000);
    const first = es.find((e) => e.isLeader())!;
    first.stop(); // crash: no revoke, keep-alives stop
    const crashedAt = sim.now();
    await runTo(crashedAt + 2_000);
    expect(log.elected).toHaveLength(1); // the lease (3 s) still holds the key
    expect(store.entry(KEY)?.value).toBe(first.candidate);
    await runTo(crashedAt + 8_000);
    expect(log.elected).toHaveLength(2);
    const second = log.elected[1];
    expect(second.who).not.toBe(first.candidate);
    expect(second.at - crashedAt).toBeLessThanOrEqual(2 * 3000);
    expect(second.term.revision).toBeGreaterThan(log.elected[0].term.revision);
  });

  it('a leader cut off from the store steps down before the store could elect another', async () => {
    const { sim, store, log, make, runTo } = world(7);
    const es = ['a', 'b', 'c'].map((n) => make(n));
    for (const e of es) void e.campaign();
    await runTo(5_000);
    const first = es.find((e) => e.isLeader())!;
    store.partitionClient(first.candidate, 20_000);
    await runTo(sim.now() + 15_000);
    const down = log.deposed.find((d) => d.who === first.candidate)!;
    expect(down.reason).toBe('deadline');
    const next = log.elected[1];
    expect(next.who).not.toBe(first.candidate);
    // Never two leaders at once: the old one gave up strictly before the new one won.
    expect(down.at).toBeLessThan(next.at);
    expect(leaders(es)).toEqual([next.who]);
  });

  it('resigning hands leadership over at once, without waiting out the TTL', async () => {
    const { sim, log, make, runTo } = world();
    const es = ['a', 'b'].map((n) => make(n, 10));
    for (const e of es) void e.campaign();
    await runTo(5_000);
    const first = es.find((e) => e.isLeader())!;
    const at = sim.now();
    await settle(sim, first.resign());
    await runTo(at + 4_000); // retryMs = ttl/3 ≈ 3.3 s, far below the 10 s TTL; the watch is faster still
    expect(log.deposed[0]).toMatchObject({ who: first.candidate, reason: 'resigned' });
    expect(log.elected[1].who).not.toBe(first.candidate);
    expect(log.elected[1].at - at).toBeLessThan(1000);
  });

  it('a deposed leader that still believes it leads has every fenced write refused, and steps down', async () => {
    const { sim, store, log, make, runTo } = world(3);
    const es = ['a', 'b'].map((n) => make(n));
    for (const e of es) void e.campaign();
    await runTo(5_000);
    const old = es.find((e) => e.isLeader())!;
    const oldTerm = old.term()!;
    const writer = new FencedWriter(store.client(`${old.candidate}-w`), KEY);
    expect(await settle(sim, writer.write(oldTerm, [{ key: '/slipway/v1/workloads/w', value: 'v1', expectedModRevision: 0 }]))).toMatchObject({ ok: true });
    // The store's clock runs 1.5 s ahead, beyond the leader's safety margin (0.6 s), and the leader
    // is cut off: the store expires the lease 1.5 s after the last keep-alive arrived, while the
    // leader believes it holds it until 2.4 s after that keep-alive was sent.
    store.skewLeases(1_500, 60_000);
    store.partitionClient(old.candidate, 60_000);
    let next: Log['elected'][number] | undefined;
    for (let i = 0; i < 50 && !next; i++) {
      await runTo(sim.now() + 50);
      next = log.elected.find((e) => e.who !== old.candidate);
    }
    expect(next, 'the other candidate took over').toBeDefined();
    expect(old.isLeader(), 'the old leader still believes it leads').toBe(true);
    // Its write (through a connection that still reaches the store) is refused.
    const r = await settle(sim, writer.write(oldTerm, [{ key: '/slipway/v1/workloads/w', value: 'v2' }]));
    expect(r).toMatchObject({ ok: false, reason: 'fenced' });
    old.deposed(oldTerm, 'fenced', 'write refused');
    expect(old.isLeader()).toBe(false);
    expect(store.entry('/slipway/v1/workloads/w')?.value).toBe('v1');
    // The new leader writes; a stale mod revision is a conflict, not fencing.
    const w2 = new FencedWriter(store.client('new-w'), KEY);
    const newTerm = next!.term;
    expect(await settle(sim, w2.write(newTerm, [{ key: '/slipway/v1/workloads/w', value: 'v3', expectedModRevision: 1 }]))).toMatchObject({ ok: false, reason: 'conflict' });
    const mod = store.entry('/slipway/v1/workloads/w')!.modRevision;
    expect(await settle(sim, w2.write(newTerm, [{ key: '/slipway/v1/workloads/w', value: 'v3', expectedModRevision: mod }]))).toMatchObject({ ok: true });
    expect(log.deposed.some((d) => d.who === old.candidate)).toBe(true);
  });

  it('a new leader on a slow store (round trip ~40% of the TTL) confirms its lease at once and does not flap', async () => {
    const sim = new Simulation(5);
    const store = new SimKvStore(sim, { latency: { kind: 'constant', ms: 950 }, requestTimeoutMs: 2000 });
    const elected: string[] = [];
    const deposed: string[] = [];
    for (const n of ['a', 'b', 'c']) {
      const e = new Election({ kv: store.client(n), clock: sim }, { key: KEY, candidate: n, ttlSeconds: 5 });
      e.listen({ onElected: () => elected.push(n), onDeposed: (_t, r) => deposed.push(`${n}:${r}`) });
      void e.campaign();
    }
    sim.at(120_000, () => {});
    await sim.run({ until: 120_000 });
    expect(deposed).toEqual([]);
    expect(elected).toHaveLength(1);
  });

  it('a store electing a new raft leader refuses keep-alives at once for 2.1 s: the leader retries every keepAliveRetryMs and keeps leading', async () => {
    // Live, etcd answers "no leader" at once while it elects (one member killed). The leader's
    // deadline is its last confirmed keep-alive's send time + 2.4 s (TTL 3 s, margin 0.6 s); with
    // keep-alives only every period (1 s) the one after the outage came too late (CI: a 503
    // "this replica no longer leads" with one etcd member down).
    const { sim, store, log, make, runTo } = world(5);
    const es = ['a', 'b'].map((n) => make(n));
    for (const e of es) void e.campaign();
    await runTo(5_000);
    const leader = es.find((e) => e.isLeader())!;
    const kv = store.client(leader.candidate);
    const calls: number[] = [];
    let refuseFrom = Infinity;
    let refuseUntil = -Infinity;
    // The same election on a client that refuses in the window (the first one resigns to hand over).
    await settle(sim, leader.resign());
    const refusing = Object.assign(Object.create(Object.getPrototypeOf(kv) as object) as typeof kv, kv, {
      leaseKeepAlive: (lease: string) => {
        calls.push(sim.now());
        if (sim.now() >= refuseFrom && sim.now() < refuseUntil)
          return new Promise<number>((_, reject) => sim.schedule(2, () => sim.deliver(() => reject(new StoreUnavailableError('etcdserver: no leader')))));
        return kv.leaseKeepAlive(lease);
      },
    });
    for (const e of es) e.stop();
    await runTo(sim.now() + 10_000); // the resigned lease is revoked; nobody campaigns
    // A 1 s period (ttl/3, etcd's clients' choice) isolates the retry: the default ttl/10 period
    // would ride through this outage on its own.
    const e = new Election({ kv: refusing, clock: sim }, { key: KEY, candidate: 'r', ttlSeconds: 3, keepAliveMs: 1000 });
    const deposed: StepDownReason[] = [];
    e.listen({ onDeposed: (_t, reason) => deposed.push(reason) });
    void e.campaign();
    await runTo(sim.now() + 3_500);
    expect(e.isLeader()).toBe(true);
    // The outage starts right after a keep-alive went out and ends 2.1 s later, just after the
    // second periodic keep-alive in it was refused: the next periodic one (1 s later) is past the
    // deadline.
    const last = calls[calls.length - 1];
    refuseFrom = last + 1;
    refuseUntil = last + 2_100;
    await runTo(last + 8_000);
    expect(deposed, `keep-alives at ${calls.map((t) => t - last).join(', ')} ms`).toEqual([]);
    expect(e.isLeader()).toBe(true);
    // Bounded: about 2100 / 150 retries in the outage, not a loop as fast as refusals come back.
    const inOutage = calls.filter((t) => t >= refuseFrom && t < refuseUntil).length;
    expect(inOutage).toBeGreaterThan(5);
    expect(inOutage).toBeLessThanOrEqual(Math.ceil(2_100 / e.keepAliveRetryMs) + 3);
    expect(log.deposed.every((d) => d.reason === 'resigned')).toBe(true);
  });

  it('runs identically for the same seed', async () => {
    const run = async () => {
      const { sim, store, log, make, runTo } = world(11, 30);
      const es = ['a', 'b', 'c'].map((n) => make(n, 2));
      for (const e of es) void e.campaign();
      await runTo(3_000);
      store.partitionClient(log.elected[0].who, 5_000);
      await runTo(sim.now() + 10_000);
      return JSON.stringify(log);
    };
    expect(await run()).toBe(await run());
  });
});

async function settle<T>(sim: Simulation, p: Promise<T>): Promise<T> {
  let out: { v: T } | { e: unknown } | undefined;
  p.then(
    (v) => (out = { v }),
    (e: unknown) => (out = { e }),
  );
  for (let i = 0; i < 100 && out === undefined; i++) await sim.run({ until: sim.now() + 100 });
  if (out === undefined) throw new Error('never settled');
  if ('e' in out) throw out.e;
  return out.v;
}
