/**
 * The sim backend's share of the thread between the API and the control plane (backend.ts,
 * API_SHARE): the engine runs control-plane events in slices of `sliceMs`; after a slice, when a
 * request arrived within `quietMs` of the slice's start or during it, the pump rests `restMs` so
 * the HTTP server has the thread, and as much longer as the slice overran (restFor), up to
 * `maxRestMs`.
 * The assertions use only ordering and lower bounds (a timer never fires early), never a speed.
 */
import { expect, it } from 'vitest';
import { API_SHARE, createServeRuntime, restFor, restsAfterSlice } from '../../src/serve/backend.js';
import type { Simulation } from '../../src/engine/simulation.js';
import { node, scenario } from '../support/scenario-builder.js';

/** Holds the thread for `ms` of real time, as a costly control-plane event would. */
function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

/**
 * Starts a sim runtime, queues `n` events of `eventMs` (2) each at one virtual instant and returns, once
 * they ran, the wall time from the first to the last and whether a `setImmediate` callback queued
 * when the first ran (a request arriving) ran before the last.
 */
async function burst(n: number, requests: boolean, eventMs = 2, behindMs = Infinity): Promise<{ spanMs: number; requestBeforeLast: boolean }> {
  // A burst puts the engine behind the wall clock: the rests are asserted with behindMs never reached.
  const rt = createServeRuntime('sim', scenario({ nodes: [node('n1')] }), 1, (e) => {
    throw e;
  }, { behindMs });
  const sim = rt.clock as Simulation;
  rt.start();
  const arrivals = requests ? setInterval(() => rt.noteRequest?.(), 1) : undefined;
  if (requests) rt.noteRequest?.();
  let first = 0;
  let last = 0;
  let answered = false;
  let requestBeforeLast = false;
  await new Promise<void>((done) => {
    const at = sim.now() + 1;
    for (let i = 0; i < n; i++) {
      sim.at(at, () => {
        if (i === 0) {
          first = performance.now();
          setImmediate(() => (answered = true));
        }
        busy(eventMs);
        if (i === n - 1) {
          last = performance.now();
          requestBeforeLast = answered;
          done();
        }
      });
    }
  });
  if (arrivals) clearInterval(arrivals);
  await rt.close();
  return { spanMs: last - first, requestBeforeLast };
}

it('a request that arrives during a burst of control-plane events is answered before the burst ends', async () => {
  expect((await burst(12, false)).requestBeforeLast).toBe(true);
});

it('while requests keep arriving, the pump rests restMs after each slice: 12 events of 2 ms in 4 ms slices span at least five rests', async () => {
  const { spanMs, requestBeforeLast } = await burst(12, true);
  expect(requestBeforeLast).toBe(true);
  // At most two 2 ms events fit a 4 ms slice: at least six slices, so at least five rests.
  expect(API_SHARE).toMatchObject({ sliceMs: 4, restMs: 8 });
  expect(spanMs).toBeGreaterThanOrEqual(12 * 2 + 5 * (API_SHARE.restMs - 1));
});

it('an event longer than a slice is followed by a rest as much longer (the API keeps its share): 3 events of 20 ms span at least two 40 ms rests', async () => {
  expect(restFor(API_SHARE.sliceMs)).toBe(API_SHARE.restMs);
  expect(restFor(20)).toBe(40);
  expect(restFor(1_000)).toBe(API_SHARE.maxRestMs);
  // Requests keep arriving, but none is noted while an event holds the thread (as on the daemon,
  // where a request's handler runs after the event): the rest is owed all the same.
  const { spanMs, requestBeforeLast } = await burst(3, true, 20);
  expect(requestBeforeLast).toBe(true);
  expect(spanMs).toBeGreaterThanOrEqual(3 * 20 + 2 * (restFor(20) - 1));
});

it('the API keeps its share only while the engine keeps up: more than behindMs behind, the control plane has the thread', () => {
  expect(API_SHARE.behindMs).toBe(100);
  expect(restsAfterSlice(true, 0)).toBe(true);
  expect(restsAfterSlice(true, API_SHARE.behindMs)).toBe(true);
  expect(restsAfterSlice(true, API_SHARE.behindMs + 1)).toBe(false);
  // Without requests nothing rests, however far behind.
  expect(restsAfterSlice(false, 0)).toBe(false);
  expect(restsAfterSlice(false, 10_000)).toBe(false);
});

it('behind the wall clock, the control plane runs without rests but a request arriving during a burst is still answered before it ends', async () => {
  // behindMs 0: every slice is followed by one turn of the event loop only, no rest.
  expect((await burst(12, true, 2, 0)).requestBeforeLast).toBe(true);
});

it('the runtime reports how far the engine is behind the wall clock it follows (slipway_control_plane_lag_seconds)', async () => {
  const rt = createServeRuntime('sim', scenario({ nodes: [node('n1')] }), 1, (e) => {
    throw e;
  });
  const sim = rt.clock as Simulation;
  rt.start();
  // One event holding the thread 30 ms at one virtual instant: while it runs the wall clock moves on, the engine's does not.
  const during = await new Promise<number>((done) =>
    sim.at(sim.now() + 1, () => {
      busy(30);
      done(rt.lagMs!());
    }),
  );
  await rt.close();
  expect(during).toBeGreaterThanOrEqual(29);
});

/**
 * Two events of `eventMs` (4: one per slice) while requests keep arriving; the first starts an API
 * write that ends `writeMs` later (never, when undefined) and is reported in flight until then.
 * Returns whether the write had ended when the second event (the next slice) started, and the
 * wall time between the events' starts.
 */
async function sliceAfterWrite(writeMs: number | undefined): Promise<{ writtenFirst: boolean; gapMs: number }> {
  const rt = createServeRuntime('sim', scenario({ nodes: [node('n1')] }), 1, (e) => {
    throw e;
  }, { behindMs: Infinity });
  const sim = rt.clock as Simulation;
  let inFlight: Promise<void> | undefined;
  let written = false;
  rt.start(undefined, () => inFlight);
  const arrivals = setInterval(() => rt.noteRequest?.(), 1);
  rt.noteRequest?.();
  let first = 0;
  const result = await new Promise<{ writtenFirst: boolean; gapMs: number }>((done) => {
    const at = sim.now() + 1;
    sim.at(at, () => {
      first = performance.now();
      inFlight = new Promise<void>((r) => {
        if (writeMs !== undefined)
          setTimeout(() => {
            written = true;
            inFlight = undefined;
            r();
          }, writeMs);
      });
      busy(API_SHARE.sliceMs);
    });
    sim.at(at, () => done({ writtenFirst: written, gapMs: performance.now() - first }));
  });
  clearInterval(arrivals);
  await rt.close();
  return result;
}

it("the next slice waits for the API's write in flight after a rest: an apply is not answered a slice late", async () => {
  // The write ends 6 ms after the rest (restMs after a 4 ms slice) would: without the wait, the
  // second event runs first.
  const { writtenFirst, gapMs } = await sliceAfterWrite(API_SHARE.sliceMs + API_SHARE.restMs + 6);
  expect(writtenFirst).toBe(true);
  expect(gapMs).toBeGreaterThanOrEqual(API_SHARE.sliceMs + API_SHARE.restMs + 6 - 1);
});

it('a write that does not end holds the control plane back at most holdMs: the next slice still runs', async () => {
  const { writtenFirst, gapMs } = await sliceAfterWrite(undefined);
  expect(writtenFirst).toBe(false);
  expect(gapMs).toBeGreaterThanOrEqual(API_SHARE.sliceMs + API_SHARE.restMs + API_SHARE.holdMs - 1);
});

/**
 * One control-plane event queued at once; `marking` is what the pump sees of V8's marking. Returns
 * the wall time from the start to the event's run.
 */
async function eventWhile(marking: () => boolean, requests: boolean): Promise<number> {
  const rt = createServeRuntime('sim', scenario({ nodes: [node('n1')] }), 1, (e) => {
    throw e;
  }, { marking, behindMs: Infinity });
  const sim = rt.clock as Simulation;
  rt.start();
  const arrivals = requests ? setInterval(() => rt.noteRequest?.(), 1) : undefined;
  if (requests) rt.noteRequest?.();
  const t0 = performance.now();
  const ranAt = await new Promise<number>((done) => sim.at(sim.now() + 1, () => done(performance.now())));
  if (arrivals) clearInterval(arrivals);
  await rt.close();
  return ranAt - t0;
}

it('while V8 marks the heap and requests arrive, control-plane events wait for the marking to end', async () => {
  const t0 = performance.now();
  const after = await eventWhile(() => performance.now() < t0 + 60, true);
  expect(after).toBeGreaterThanOrEqual(60 - 1);
});

it('V8 marking without a break holds the control plane back at most markingHoldMs once per markingGapMs: events still run', async () => {
  expect(API_SHARE).toMatchObject({ markingHoldMs: 150, markingGapMs: 1_000 });
  // Marking "forever" with requests arriving (near the heap's limit V8 marks back to back).
  expect(await eventWhile(() => true, true)).toBeGreaterThanOrEqual(API_SHARE.markingHoldMs - 1);
});

it('marking without requests holds nothing back: the control plane has the thread', async () => {
  // Marking "forever" (a test's stand-in: the real window ends within markingHoldMs): the event still runs.
  expect(await eventWhile(() => true, false)).toBeGreaterThanOrEqual(0);
});
