/**
 * What a long simulated run (the 1,000-node hour: ~10 s of wall time) shows on a terminal while it
 * runs: one line on stderr, redrawn in place every `everyMs` of wall time —
 * `run: 12m of 1h simulated (20%), 234,567 events` — and erased before the summary is printed.
 * Nothing is drawn when stderr is not a terminal (pipes and CI logs get only the summary), nor for
 * a run that ends within one interval (the default scenario).
 *
 * The simulation runs under the determinism guard, which makes `setInterval`, `Date.now()` and the
 * like throw while it runs. The redraw runs on the real `setInterval` the engine captured before
 * any guard, and reads only the engine's virtual clock and event count, between its events: the run
 * and its trace are byte-identical with or without the line.
 */
import { formatDuration } from '../core/duration.js';
import { real } from '../engine/guard.js';
import type { SimWorld } from '../run/simulate.js';
import { rawStream } from './terminal.js';

/** The progress line's text (without the carriage return and the erase). */
export function simProgressLine(p: { readonly nowMs: number; readonly untilMs: number; readonly events: number }): string {
  const pct = p.untilMs > 0 ? Math.min(100, Math.floor((p.nowMs * 100) / p.untilMs)) : 100;
  return `run: ${formatDuration(p.nowMs)} of ${formatDuration(p.untilMs)} simulated (${pct}%), ${p.events.toLocaleString('en-US')} events`;
}

export interface SimProgress {
  /** Pass as `simulate`'s `observe`: starts the redraw once the world is built. */
  readonly observe: (world: SimWorld) => void;
  /** Stops the redraw and erases the line (call before printing the summary, also on errors). */
  stop(): void;
}

/** Progress of a simulated run of `untilMs` virtual ms on `stream`; undefined when it is not a terminal. */
export function simProgress(untilMs: number, stream: NodeJS.WriteStream = process.stderr, everyMs = 250): SimProgress | undefined {
  if (!stream.isTTY) return undefined;
  const out = rawStream(stream);
  let timer: ReturnType<typeof setInterval> | undefined;
  let drawn = false;
  return {
    observe: ({ sim }) => {
      timer = real.setInterval(() => {
        out.write(`\r\x1b[K${simProgressLine({ nowMs: Math.floor(sim.now() / 1000) * 1000, untilMs, events: sim.eventSeq })}`);
        drawn = true;
      }, everyMs);
      timer.unref?.();
    },
    stop: () => {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      if (drawn) out.write('\r\x1b[K');
      drawn = false;
    },
  };
}
