/**
 * The daemon's view of V8's major-GC marking (src/serve/gc-marking.ts), which the sim backend's
 * pump leaves to the API while requests arrive (backend.ts, API_SHARE.markingHoldMs).
 */
import { constants } from 'node:perf_hooks';
import { expect, it } from 'vitest';
import { MarkingWindow, watchMarking } from '../../src/serve/gc-marking.js';

const INCREMENTAL = constants.NODE_PERFORMANCE_GC_INCREMENTAL;
const MAJOR = constants.NODE_PERFORMANCE_GC_MAJOR;
const MINOR = constants.NODE_PERFORMANCE_GC_MINOR;

it('marking lasts from the start of incremental marking to the mark-compact, at most capMs', () => {
  const w = new MarkingWindow(150);
  expect(w.marking(0)).toBe(false);
  w.note(INCREMENTAL, 100);
  expect(w.marking(100)).toBe(true);
  w.note(MINOR, 120); // scavenges during marking change nothing
  expect(w.marking(249)).toBe(true);
  expect(w.marking(250)).toBe(false); // the cap: the pump never waits longer
  w.note(MAJOR, 180);
  expect(w.marking(181)).toBe(false);
  w.note(INCREMENTAL, 400);
  expect(w.marking(410)).toBe(true);
  // Its end was missed (no MAJOR): a start after the cap opens a new window.
  w.note(INCREMENTAL, 1_000);
  expect(w.marking(1_100)).toBe(true);
  // A second start within the window does not move it.
  w.note(INCREMENTAL, 1_100);
  expect(w.marking(1_160)).toBe(false);
});

it('this Node reports incremental marking and the mark-compact that ends it as gc performance entries', async () => {
  const { window, stop } = watchMarking(150);
  const kinds: number[] = [];
  const note = window.note.bind(window);
  window.note = (kind, start) => {
    kinds.push(kind);
    note(kind, start);
  };
  // Retained allocation grows the old generation until V8 starts a marking cycle; bounded.
  const keep: object[] = [];
  const end = performance.now() + 20_000;
  try {
    while (!(kinds.includes(INCREMENTAL) && kinds.lastIndexOf(MAJOR) > kinds.indexOf(INCREMENTAL)) && performance.now() < end) {
      for (let i = 0; i < 20_000; i++) keep.push({ i, s: `x${i}`, a: [i] });
      if (keep.length > 1_500_000) keep.splice(0, 500_000);
      await new Promise((r) => setImmediate(r));
    }
  } finally {
    stop();
  }
  expect(kinds).toContain(INCREMENTAL);
  expect(kinds.lastIndexOf(MAJOR)).toBeGreaterThan(kinds.indexOf(INCREMENTAL));
});
