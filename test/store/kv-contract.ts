/**
 * The ConsistentKv contract (src/store/kv.ts) as one suite that every implementation runs: the real
 * etcd (test/store/etcd-kv.test.ts, SLIPWAY_LIVE=1) and the simulated store on the virtual clock.
 * It is the evidence that the twin behaves like etcd where the election and fencing code relies on it:
 * revisions, transaction atomicity and compares, lease expiry deleting keys, keep-alive after expiry
 * failing, watches from a revision grouped by revision, and compaction → CompactedError.
 *
 * Each case works under its own key prefix, so the suite can share a live cluster with other tests.
 */
import { describe, expect, it } from 'vitest';
import { CompactedError, LeaseExpiredError, StoreUnavailableError, type ConsistentKv, type KvEvent } from '../../src/store/kv.js';

/** One implementation under test. */
export interface KvHarness {
  readonly kv: ConsistentKv;
  /** Compacts the store's history up to `revision` (etcd's Compact; the twin's own hook). */
  compact(revision: number): Promise<void>;
  /** Lets `ms` of the store's time pass (wall time live, virtual time in simulation). */
  sleep(ms: number): Promise<void>;
  /** Runs one case body in the store's time (the simulated store runs it inside a simulation). */
  run<T>(body: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface KvContractOptions {
  /** Opens a fresh harness for one case. */
  readonly open: () => Promise<KvHarness>;
  /** A prefix no other user of the store writes under (a live cluster is shared). */
  readonly prefix: string;
  /** How long a lease of the shortest TTL takes to expire and have its keys deleted, at most, in ms. */
  readonly leaseExpiryBoundMs: number;
}

/** Polls `check` every 100 ms of store time until it holds or `boundMs` has passed. */
async function eventually(h: KvHarness, boundMs: number, check: () => boolean | Promise<boolean>): Promise<boolean> {
  for (let waited = 0; ; waited += 100) {
    if (await check()) return true;
    if (waited >= boundMs) return false;
    await h.sleep(100);
  }
}

interface Recorded {
  readonly batches: { revision: number; events: readonly KvEvent[] }[];
  readonly errors: Error[];
}

function recorder(): Recorded & { handlers: { onEvents(e: readonly KvEvent[], r: number): void; onError(e: Error): void } } {
  const batches: { revision: number; events: readonly KvEvent[] }[] = [];
  const errors: Error[] = [];
  return {
    batches,
    errors,
    handlers: {
      onEvents: (events, revision) => void batches.push({ revision, events: [...events] }),
      onError: (error) => void errors.push(error),
    },
  };
}

export function kvContractSuite(name: string, options: KvContractOptions): void {
  let caseNo = 0;
  /** Runs `body` with a fresh harness and a key prefix of its own. */
  const withKv = (body: (h: KvHarness, p: string) => Promise<void>) => async () => {
    const p = `${options.prefix}/c${++caseNo}/`;
    const h = await options.open();
    try {
      await h.run(() => body(h, p));
    } finally {
      await h.close();
    }
  };
  const put = (key: string, value: string) => ({ type: 'put' as const, key, value });

  describe(`ConsistentKv contract: ${name}`, () => {
    it(
      'a write advances the revision by one; a key tracks its create and mod revisions and version',
      withKv(async ({ kv }, p) => {
        const first = await kv.txn({ compare: [], success: [put(`${p}a`, '1')] });
        expect(first.succeeded).toBe(true);
        const a1 = await kv.get(`${p}a`);
        expect(a1).toMatchObject({ key: `${p}a`, value: '1', createRevision: first.revision, modRevision: first.revision, version: 1 });
        expect(a1?.lease).toBeUndefined();

        // Three writes in one transaction: one revision.
        const second = await kv.txn({ compare: [], success: [put(`${p}a`, '2'), put(`${p}b`, 'x'), put(`${p}c`, 'y')] });
        expect(second.revision).toBe(first.revision + 1);
        expect(await kv.get(`${p}a`)).toMatchObject({ value: '2', createRevision: first.revision, modRevision: second.revision, version: 2 });
        expect(await kv.get(`${p}b`)).toMatchObject({ createRevision: second.revision, modRevision: second.revision, version: 1 });

        // A delete is a write too; the key is then absent, and re-creating it starts a new life.
        const del = await kv.txn({ compare: [], success: [{ type: 'delete', key: `${p}a` }] });
        expect(del.revision).toBe(second.revision + 1);
        expect(await kv.get(`${p}a`)).toBeUndefined();
        const again = await kv.txn({ compare: [], success: [put(`${p}a`, '3')] });
        expect(await kv.get(`${p}a`)).toMatchObject({ value: '3', createRevision: again.revision, version: 1 });
        expect(await kv.get(`${p}missing`)).toBeUndefined();
      }),
    );

    it(
      'range returns every key under a prefix, sorted, at one revision',
      withKv(async ({ kv }, p) => {
        await kv.txn({ compare: [], success: [put(`${p}r/b`, '2'), put(`${p}r/a`, '1'), put(`${p}r/c/d`, '3'), put(`${p}rx`, 'other')] });
        const last = await kv.txn({ compare: [], success: [put(`${p}r/a`, '1b')] });
        const r = await kv.range(`${p}r/`);
        expect(r.entries.map((e) => [e.key, e.value])).toEqual([
          [`${p}r/a`, '1b'],
          [`${p}r/b`, '2'],
          [`${p}r/c/d`, '3'],
        ]);
        expect(r.revision).toBeGreaterThanOrEqual(last.revision);
        expect((await kv.range(`${p}nothing/`)).entries).toEqual([]);
      }),
    );

    it(
      'txn compares on mod revision: the stale writer takes the failure branch and nothing of the success branch is applied',
      withKv(async ({ kv }, p) => {
        const created = await kv.txn({ compare: [], success: [put(`${p}obj`, 'v1'), put(`${p}other`, 'o1'), put(`${p}third`, 't1')] });
        const ok = await kv.txn({
          compare: [{ key: `${p}obj`, target: 'mod', op: '=', value: created.revision }],
          success: [put(`${p}obj`, 'v2')],
        });
        expect(ok.succeeded).toBe(true);

        // A second writer still holding the old revision: refused, atomically, and its failure branch reads.
        const stale = await kv.txn({
          compare: [{ key: `${p}obj`, target: 'mod', op: '=', value: created.revision }],
          success: [put(`${p}obj`, 'lost'), put(`${p}other`, 'lost'), { type: 'delete', key: `${p}third` }],
          failure: [{ type: 'get', key: `${p}obj` }, { type: 'get', key: `${p}absent` }],
        });
        expect(stale.succeeded).toBe(false);
        expect(stale.revision).toBe(ok.revision); // a refused transaction writes nothing
        expect(stale.reads).toHaveLength(2);
        expect(stale.reads[0]).toMatchObject({ value: 'v2', modRevision: ok.revision, version: 2 });
        expect(stale.reads[1]).toBeUndefined();
        expect((await kv.get(`${p}other`))?.value).toBe('o1');
        expect((await kv.get(`${p}obj`))?.value).toBe('v2');
        expect((await kv.get(`${p}third`))?.value).toBe('t1');
      }),
    );

    it(
      'a transaction that writes one key twice is refused as a caller bug (etcd: "duplicate key"), not as unavailability, and applies nothing',
      withKv(async ({ kv }, p) => {
        const before = await kv.txn({ compare: [], success: [put(`${p}d`, '0')] });
        const attempt = kv.txn({ compare: [], success: [put(`${p}d`, '1'), put(`${p}e`, 'x'), { type: 'delete', key: `${p}d` }] });
        const error = await attempt.then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(Error);
        expect(error).not.toBeInstanceOf(StoreUnavailableError);
        expect(error).not.toBeInstanceOf(LeaseExpiredError);
        expect(String(error)).toMatch(/duplicate key/);
        expect(await kv.get(`${p}e`)).toBeUndefined();
        expect(await kv.get(`${p}d`)).toMatchObject({ value: '0', modRevision: before.revision });
      }),
    );

    it(
      'txn compares: absent keys count as revision 0; every compare must hold; create, version, value, <, >, != behave as etcd',
      withKv(async ({ kv }, p) => {
        // Create-if-absent (what an election campaign does).
        const c1 = await kv.txn({ compare: [{ key: `${p}k`, target: 'create', op: '=', value: 0 }], success: [put(`${p}k`, 'first')] });
        const c2 = await kv.txn({ compare: [{ key: `${p}k`, target: 'create', op: '=', value: 0 }], success: [put(`${p}k`, 'second')] });
        expect([c1.succeeded, c2.succeeded]).toEqual([true, false]);
        expect(await kv.txn({ compare: [{ key: `${p}absent`, target: 'mod', op: '=', value: 0 }], success: [] })).toMatchObject({ succeeded: true });
        expect(await kv.txn({ compare: [{ key: `${p}absent`, target: 'version', op: '=', value: 0 }], success: [] })).toMatchObject({ succeeded: true });

        const cases: [Parameters<ConsistentKv['txn']>[0]['compare'][number], boolean][] = [
          [{ key: `${p}k`, target: 'version', op: '=', value: 1 }, true],
          [{ key: `${p}k`, target: 'version', op: '>', value: 1 }, false],
          [{ key: `${p}k`, target: 'mod', op: '<', value: c1.revision + 1 }, true],
          [{ key: `${p}k`, target: 'mod', op: '>', value: c1.revision }, false],
          [{ key: `${p}k`, target: 'create', op: '!=', value: c1.revision }, false],
          [{ key: `${p}k`, target: 'value', op: '=', value: 'first' }, true],
          [{ key: `${p}k`, target: 'value', op: '!=', value: 'first' }, false],
          [{ key: `${p}k`, target: 'lease', op: '=', value: '0' }, true],
        ];
        for (const [compare, expected] of cases) {
          const r = await kv.txn({ compare: [compare], success: [] });
          expect({ compare, succeeded: r.succeeded }).toEqual({ compare, succeeded: expected });
        }
        // All must hold.
        const mixed = await kv.txn({
          compare: [
            { key: `${p}k`, target: 'value', op: '=', value: 'first' },
            { key: `${p}k`, target: 'version', op: '=', value: 7 },
          ],
          success: [put(`${p}k`, 'mixed')],
        });
        expect(mixed.succeeded).toBe(false);
        expect((await kv.get(`${p}k`))?.value).toBe('first');
      }),
    );

    it(
      'a lease: keys attached to it carry it; keep-alive renews it; revoking deletes its keys at once',
      withKv(async ({ kv }, p) => {
        const lease = await kv.leaseGrant(30);
        await kv.txn({ compare: [], success: [{ type: 'put', key: `${p}held`, value: 'x', lease }] });
        expect((await kv.get(`${p}held`))?.lease).toBe(lease);
        expect(await kv.txn({ compare: [{ key: `${p}held`, target: 'lease', op: '=', value: lease }], success: [] })).toMatchObject({ succeeded: true });
        const ttl = await kv.leaseKeepAlive(lease);
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(30);
        await kv.leaseRevoke(lease);
        expect(await kv.get(`${p}held`)).toBeUndefined();
        await expect(kv.leaseKeepAlive(lease)).rejects.toBeInstanceOf(LeaseExpiredError);
        await kv.leaseRevoke(lease); // revoking a lease that is gone is not an error
      }),
    );

    it(
      'a lease not kept alive expires: its keys are deleted, keep-alive then fails, and a put on it is refused',
      withKv(async (h, p) => {
        const { kv } = h;
        const lease = await kv.leaseGrant(1);
        const other = await kv.leaseGrant(60);
        await kv.txn({ compare: [], success: [{ type: 'put', key: `${p}leader`, value: 'me', lease }, { type: 'put', key: `${p}kept`, value: 'k', lease: other }] });
        const w = recorder();
        const start = (await kv.range(p)).revision;
        const stop = kv.watch(p, start + 1, w.handlers);
        try {
          expect(await eventually(h, options.leaseExpiryBoundMs, async () => (await kv.get(`${p}leader`)) === undefined)).toBe(true);
          await expect(kv.leaseKeepAlive(lease)).rejects.toBeInstanceOf(LeaseExpiredError);
          await expect(kv.txn({ compare: [], success: [{ type: 'put', key: `${p}late`, value: 'x', lease }] })).rejects.toBeInstanceOf(LeaseExpiredError);
          expect(await kv.get(`${p}late`)).toBeUndefined();
          expect((await kv.get(`${p}kept`))?.value).toBe('k'); // another lease is untouched
          // The expiry is a delete at one revision, seen by watchers.
          expect(await eventually(h, 5000, () => w.batches.some((b) => b.events.some((e) => e.type === 'delete' && e.key === `${p}leader`)))).toBe(true);
          expect(w.errors).toEqual([]);
        } finally {
          stop();
          await kv.leaseRevoke(other);
        }
      }),
    );

    it(
      'a watch delivers every change after its start revision, in order, one revision per call; stop ends it',
      withKv(async (h, p) => {
        const { kv } = h;
        const before = await kv.txn({ compare: [], success: [put(`${p}w/a`, '0')] });
        const r1 = await kv.txn({ compare: [], success: [put(`${p}w/a`, '1')] });
        const r2 = await kv.txn({ compare: [], success: [put(`${p}w/b`, '2'), put(`${p}w/c`, '3')] });
        const r3 = await kv.txn({ compare: [], success: [{ type: 'delete', key: `${p}w/a` }] });
        await kv.txn({ compare: [], success: [put(`${p}elsewhere`, 'not watched')] });

        // From a past revision: the history since then, replayed.
        const w = recorder();
        const stop = kv.watch(`${p}w/`, r1.revision, w.handlers);
        try {
          expect(await eventually(h, 5000, () => w.batches.length >= 3)).toBe(true);
          const r4 = await kv.txn({ compare: [], success: [put(`${p}w/d`, '4')] });
          expect(await eventually(h, 5000, () => w.batches.length >= 4)).toBe(true);
          expect(w.batches).toEqual([
            { revision: r1.revision, events: [{ type: 'put', key: `${p}w/a`, value: '1', modRevision: r1.revision }] },
            {
              revision: r2.revision,
              events: [
                { type: 'put', key: `${p}w/b`, value: '2', modRevision: r2.revision },
                { type: 'put', key: `${p}w/c`, value: '3', modRevision: r2.revision },
              ],
            },
            { revision: r3.revision, events: [{ type: 'delete', key: `${p}w/a`, modRevision: r3.revision }] },
            { revision: r4.revision, events: [{ type: 'put', key: `${p}w/d`, value: '4', modRevision: r4.revision }] },
          ]);
          expect(before.revision).toBeLessThan(r1.revision);
        } finally {
          stop();
        }
        await kv.txn({ compare: [], success: [put(`${p}w/e`, 'after stop')] });
        await h.sleep(300);
        expect(w.batches).toHaveLength(4);
        expect(w.errors).toEqual([]);
      }),
    );

    it(
      'a watch from a compacted revision fails with CompactedError naming the compact revision; a fresh list and watch then work',
      withKv(async (h, p) => {
        const { kv } = h;
        const old = await kv.txn({ compare: [], success: [put(`${p}c/x`, '1')] });
        await kv.txn({ compare: [], success: [put(`${p}c/x`, '2')] });
        const latest = await kv.txn({ compare: [], success: [put(`${p}c/x`, '3')] });
        await h.compact(latest.revision);

        const w = recorder();
        const stop = kv.watch(`${p}c/`, old.revision, w.handlers);
        try {
          expect(await eventually(h, 5000, () => w.errors.length > 0)).toBe(true);
          expect(w.errors).toHaveLength(1);
          const error = w.errors[0];
          expect(error).toBeInstanceOf(CompactedError);
          expect((error as CompactedError).compactRevision).toBeGreaterThanOrEqual(latest.revision);
          expect(w.batches).toEqual([]);
        } finally {
          stop();
        }
        // Relist, then watch from the list's revision + 1.
        const list = await kv.range(`${p}c/`);
        expect(list.entries.map((e) => e.value)).toEqual(['3']);
        const w2 = recorder();
        const stop2 = kv.watch(`${p}c/`, list.revision + 1, w2.handlers);
        try {
          const next = await kv.txn({ compare: [], success: [put(`${p}c/x`, '4')] });
          expect(await eventually(h, 5000, () => w2.batches.length >= 1)).toBe(true);
          expect(w2.batches).toEqual([{ revision: next.revision, events: [{ type: 'put', key: `${p}c/x`, value: '4', modRevision: next.revision }] }]);
          expect(w2.errors).toEqual([]);
        } finally {
          stop2();
        }
      }),
    );
  });
}
