/**
 * The sim backend's share of the thread between the API and the control plane (backend.ts,
 * API_SHARE): the engine runs control-plane events in slices of `sliceMs`; after a slice, when a
 * request arrived within `quietMs`, the pump rests `restMs` so the HTTP server has the thread.
 * The assertions use only ordering and lower bounds (a timer never fires early), never a speed.
 */
import { expect, it } from 'vitest';
import { API_SHARE, createServeRuntime } from '../../src/serve/backend.js';
import type { Simulation } from '../../src/engine/simulation.js';
import { node, scenario } from '../support/scenario-builder.js';

/** Holds the thread for `ms` of real time, as a costly control-plane event would. */
function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

/**
 * Starts a sim runtime, queues `n` events of 2 ms each at one virtual instant and returns, once
 * they ran, the wall time from the first to the last and whether a `setImmediate` callback queued
 * when the first ran (a request arriving) ran before the last.
 */
async function burst(n: number, requests: boolean): Promise<{ spanMs: number; requestBeforeLast: boolean }> {
  const rt = createServeRuntime('sim', scenario({ nodes: [node('n1')] }), 1, (e) => {
    throw e;
  });
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
        busy(2);
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
