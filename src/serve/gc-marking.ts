/**
 * When V8 is marking the heap for a major GC, as the daemon's thread can tell: from the start of
 * incremental marking (a `gc` performance entry of kind NODE_PERFORMANCE_GC_INCREMENTAL) until the
 * mark-compact that finishes it (kind NODE_PERFORMANCE_GC_MAJOR), at most `capMs` after its start.
 *
 * Why the sim backend's pump wants to know (backend.ts, API_SHARE.markingHoldMs): a daemon log of
 * the paced phases of `npm run bench -- api` (docs/performance.md, session 16) found the slow
 * applies left after the sliced scheduler refresh inside these windows, 100-150 ms long: V8's
 * marking threads take the machine's cores, marking steps run inside the thread's own work, and a
 * 10-16 ms mark-compact ends it. Control-plane work in the window both allocates (more marking
 * steps) and competes for the thread, so while requests arrive the pump leaves it to the API.
 */
import { constants, PerformanceObserver } from 'node:perf_hooks';

export class MarkingWindow {
  /** performance.now() ms when the marking under way started; -Infinity when none is. */
  private since = -Infinity;

  constructor(private readonly capMs: number) {}

  /** A `gc` performance entry of `kind` that started at `startTime` (performance.now() ms). */
  note(kind: number, startTime: number): void {
    if (kind === constants.NODE_PERFORMANCE_GC_INCREMENTAL) {
      // A start long after an unfinished one (its end was missed): a new window.
      if (!this.marking(startTime)) this.since = startTime;
    } else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) this.since = -Infinity;
  }

  /** Whether marking is under way at `now` (performance.now() ms): started, not finished, less than capMs ago. */
  marking(now: number): boolean {
    return now - this.since < this.capMs;
  }
}

/** A MarkingWindow fed by this thread's GC performance entries until `stop()`. */
export function watchMarking(capMs: number): { readonly window: MarkingWindow; stop(): void } {
  const window = new MarkingWindow(capMs);
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.note((e as unknown as { detail: { kind: number } }).detail.kind, e.startTime);
  });
  observer.observe({ entryTypes: ['gc'] });
  return { window, stop: () => observer.disconnect() };
}
