/**
 * Real time for live backends: the same `Clock` the simulation offers, read from the machine's
 * monotonic clock. `now()` is milliseconds since the clock was made (or since `origin`, a wall
 * time in ms since the epoch, so a restarted orchestrator continues the timeline of its run).
 * This file, like the live backends, may read real time; simulated code never sees it.
 */
import { performance } from 'node:perf_hooks';
import type { Clock } from '../core/interfaces.js';

export interface WallClockOptions {
  /** Epoch milliseconds that count as t = 0 (default: now). */
  readonly origin?: number;
}

export class WallClock implements Clock {
  /** Epoch ms of t = 0. */
  readonly origin: number;
  private readonly perfOrigin: number;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();

  constructor(options: WallClockOptions = {}) {
    const epochNow = Date.now();
    this.origin = options.origin ?? epochNow;
    // now() = (performance.now() - perfOrigin): monotonic, and equal to epochNow - origin at construction.
    this.perfOrigin = performance.now() - (epochNow - this.origin);
  }

  /** Whole milliseconds since t = 0 (integers keep traces comparable with simulated ones). */
  now(): number {
    return Math.floor(performance.now() - this.perfOrigin);
  }

  setTimer(delayMs: number, fn: () => void): () => void {
    const h = setTimeout(() => {
      this.timers.delete(h);
      fn();
    }, Math.max(0, delayMs));
    this.timers.add(h);
    return () => {
      clearTimeout(h);
      this.timers.delete(h);
    };
  }

  sleep(delayMs: number): Promise<void> {
    return new Promise((resolve) => this.setTimer(delayMs, resolve));
  }

  /** Cancels every pending timer (at the end of a run, so the process can exit). */
  cancelAll(): void {
    for (const h of this.timers) clearTimeout(h);
    this.timers.clear();
  }
}
