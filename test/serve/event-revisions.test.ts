/**
 * Revisions survive restarts (hi/lo): the daemon hands out revisions only below a ceiling that is
 * durable, and writes the next block's ceiling ahead with its ordinary group commit, so the
 * synchronous whole-snapshot write (tens of ms on the event loop, under every request waiting)
 * happens only at the first revision or when a block is used up before its successor was written.
 */
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { EventLog, REVISION_BLOCK, storeEventLog } from '../../src/serve/events.js';
import { ServeStore } from '../../src/serve/serve-store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A small block, so a few hundred revisions cross several. */
const BLOCK = 10;

it('no revision is handed out above the durable ceiling, whatever the timing of the writes ahead (fast-check)', () => {
  type Step = { kind: 'events'; n: number } | { kind: 'settle'; ok: boolean };
  const step: fc.Arbitrary<Step> = fc.oneof(
    fc.record({ kind: fc.constant('events' as const), n: fc.integer({ min: 1, max: 3 * BLOCK }) }),
    fc.record({ kind: fc.constant('settle' as const), ok: fc.boolean() }),
  );
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 3 * BLOCK }), fc.array(step, { maxLength: 30 }), (start, steps) => {
      let durable = start;
      let syncWrites = 0;
      const pending: Array<{ ceiling: number; settle: (ok: boolean) => void }> = [];
      const log = new EventLog(
        () => 0,
        start,
        10,
        (c) => {
          syncWrites++;
          durable = Math.max(durable, c);
        },
        (c) =>
          new Promise<void>((resolve, reject) =>
            pending.push({
              ceiling: c,
              settle: (ok) => {
                if (ok) durable = Math.max(durable, c);
                if (ok) resolve();
                else reject(new Error('disk full'));
              },
            }),
          ),
        BLOCK,
      );
      let last = start;
      for (const s of steps) {
        if (s.kind === 'settle') {
          pending.shift()?.settle(s.ok);
          continue;
        }
        for (let i = 0; i < s.n; i++) {
          const r = log.next();
          if (r !== last + 1 || r > durable) throw new Error(`revision ${r} after ${last}, durable ceiling ${durable}`);
          last = r;
        }
      }
      // At most one write ahead is ever outstanding.
      expect(pending.length).toBeLessThanOrEqual(1);
      expect(syncWrites).toBeGreaterThanOrEqual(last > start ? 1 : 0);
    }),
    { numRuns: 500 },
  );
});

it('a store that keeps refusing the write ahead (a deposed replica) is asked again only every tenth of a block', async () => {
  let asks = 0;
  const log = new EventLog(
    () => 0,
    0,
    10,
    () => {},
    () => {
      asks++;
      return Promise.reject(new Error('deposed'));
    },
    100,
  );
  // 300 revisions, each followed by a turn of the microtask queue (the refusal arrives between).
  for (let i = 0; i < 300; i++) {
    log.next();
    await Promise.resolve();
    await Promise.resolve();
  }
  // Past the half block of each of 3 blocks, one ask per 10 revisions: about 15, not about 150.
  expect(asks).toBeGreaterThanOrEqual(10);
  expect(asks).toBeLessThanOrEqual(20);
});

it('on the file store, blocks are reserved ahead by the group commit: 3.5 blocks of revisions cost one synchronous snapshot, and a restart continues above every revision handed out', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-revisions-'));
  dirs.push(dir);
  const path = join(dir, 'state.json');
  const store = new ServeStore(path);
  let snapshots = 0;
  const saveNow = store.saveNow.bind(store);
  store.saveNow = () => {
    snapshots++;
    saveNow();
  };
  const log = storeEventLog(store, () => 0, 100);
  let last = 0;
  // Records arrive in bursts of 1,000 with the event loop turning between them and the store's
  // commits completing there, as on a daemon. Awaited, not left to a turn of the event loop: on a
  // loaded machine an fsync outlasted the 50 bursts of half a block (CI, 2026-12-06), and this test
  // is about which write reserves the blocks, not about how fast the disk is.
  for (let burst = 0; burst < 3.5 * (REVISION_BLOCK / 1_000); burst++) {
    for (let i = 0; i < 1_000; i++) last = log.append('instance.scheduled', { instance: `i${i}` }).revision;
    await new Promise((r) => setImmediate(r));
    await store.flush();
  }
  await store.flush();
  // The first revision needs a ceiling at once; every later block was written ahead.
  expect(snapshots).toBe(1);
  expect(last).toBe(3.5 * REVISION_BLOCK);
  // kill -9 here: a restarted daemon reads the ceiling and starts above it.
  const back = new ServeStore(path);
  expect(back.meta.revisionCeiling).toBeGreaterThanOrEqual(last);
  const again = storeEventLog(back, () => 0, 100);
  expect(again.append('workload.submitted', {}).revision).toBeGreaterThan(last);
  store.close();
  back.close();
});
