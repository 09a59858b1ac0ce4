/**
 * The discrete-event engine: the only owner of time, randomness and ordering in a simulated run.
 *
 * ## How async control-plane code runs deterministically
 *
 * The control plane is ordinary async TypeScript (the same code drives live backends). In a
 * simulation there is no real I/O and no real timer, so every promise it awaits is settled by an
 * engine event: `sleep`, a `setTimer` callback, or a simulated backend answering a call. Whenever
 * an event hands control to control-plane code (settles such a promise or calls one of its
 * callbacks) it marks the engine "to drain". Before the clock advances past the current instant,
 * the run loop yields one macrotask (`setImmediate`), which lets the JavaScript job queue run every
 * pending promise continuation to completion. Continuations run in FIFO order and can only
 * schedule new events through the engine, so the interleaving is a function of the event order
 * alone, which is itself a total order on (time, seq). Events that touch no control-plane code
 * (heartbeats, simulated container transitions) run back to back without yielding.
 *
 * Nothing else in the process runs during a simulation: the determinism guard (guard.ts) makes
 * real time, real randomness and real timers throw.
 */
import type { Clock } from '../core/interfaces.js';
import { EventQueue, type EventFn } from './event-queue.js';
import { installGuard, real } from './guard.js';
import { RandomStreams } from './random.js';

export interface RunOptions {
  /** Stop before the first event later than this virtual time (the clock is left at `until`). */
  readonly until?: number;
  /** Stop after this many events. */
  readonly maxEvents?: number;
  /**
   * Install the determinism guard while running (default true). Only the serve daemon's
   * wall-clock simulation turns it off: its HTTP server shares the thread, reads real time and
   * answers requests between the engine's drains, and that run is not replayable anyway.
   */
  readonly guard?: boolean;
  /**
   * Wall-clock milliseconds of events between yields to the event loop (only with `guard: false`):
   * once a slice has run this long the engine yields (drains) even within one virtual instant, so
   * a server sharing the thread answers what arrived meanwhile. A yield inside an instant lets
   * control-plane continuations run before that instant's later events: the order then depends on
   * wall time, which is why it needs the guard off (a run that is not replayable anyway).
   */
  readonly sliceMs?: number;
  /** What a used-up slice awaits (default: one turn of the event loop, as a drain). */
  readonly pause?: () => Promise<void>;
}

export type StopReason = 'until' | 'idle' | 'maxEvents' | 'stopped';

export interface RunResult {
  readonly reason: StopReason;
  /** Events executed in this call. */
  readonly events: number;
  readonly now: number;
}

const drain = (): Promise<void> => new Promise((resolve) => real.setImmediate(resolve));

export class Simulation implements Clock {
  readonly random: RandomStreams;
  private readonly queue = new EventQueue();
  private time = 0;
  private needsDrain = false;
  private failure: unknown;
  private stopRequested = false;
  private running = false;
  private totalEvents = 0;
  private seqNow = 0;
  /**
   * Called after every event and after every drain of control-plane continuations (invariant
   * checks). One null check per event when unset.
   */
  afterEvent: (() => void) | undefined;

  constructor(readonly seed: number) {
    this.random = new RandomStreams(seed);
  }

  now(): number {
    return this.time;
  }

  /** Events executed so far. */
  get events(): number {
    return this.totalEvents;
  }

  /** Sequence number (1-based) of the event executing or last executed, across runs. */
  get eventSeq(): number {
    return this.seqNow;
  }

  /** Events waiting in the queue. */
  get pending(): number {
    return this.queue.size;
  }

  /** Schedules an engine-internal event (no control-plane code runs in it) after `delay`. */
  schedule(delay: number, fn: EventFn): void {
    if (!(delay >= 0)) throw new RangeError(`cannot schedule ${delay}ms in the past`);
    this.queue.push(this.time + delay, fn);
  }

  /** Schedules an engine-internal event at absolute time `at` (not before now). */
  at(at: number, fn: EventFn): void {
    if (!(at >= this.time)) throw new RangeError(`cannot schedule at ${at}, now is ${this.time}`);
    this.queue.push(at, fn);
  }

  /**
   * Runs `fn` as control-plane code: pending promise continuations are drained before the clock
   * moves on. Backends call this to deliver watch events and answers.
   */
  deliver(fn: () => void): void {
    this.needsDrain = true;
    fn();
  }

  setTimer(delayMs: number, fn: () => void): () => void {
    let live = true;
    this.schedule(delayMs, () => {
      if (!live) return;
      live = false;
      this.deliver(fn);
    });
    return () => {
      live = false;
    };
  }

  sleep(delayMs: number): Promise<void> {
    return new Promise((resolve) => this.schedule(delayMs, () => this.deliver(resolve)));
  }

  /**
   * Starts a SimPy-style process: a generator that yields how long to wait (ms) before it
   * continues. It runs now up to its first `yield`, then as engine events; no promises involved,
   * so it costs no drain. An exception thrown by the generator ends the run.
   *
   * @example sim.process((function* () { for (;;) yield rng.exponential(1000); })());
   */
  process(body: Iterator<number, unknown, undefined>): void {
    const step = (): void => {
      const r = body.next();
      if (r.done !== true) this.schedule(r.value, step);
    };
    step();
  }

  /** A promise settled by a later engine event; settling it counts as delivering. */
  after<T>(delayMs: number, settle: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) =>
      this.schedule(delayMs, () =>
        this.deliver(() => {
          try {
            resolve(settle());
          } catch (e) {
            reject(e);
          }
        }),
      ),
    );
  }

  /** Ends the run with this error (for failures inside async continuations). */
  fail(error: unknown): void {
    if (this.failure === undefined) this.failure = error ?? new Error('simulation failed');
  }

  /** Ends the run after the current event. */
  stop(): void {
    this.stopRequested = true;
  }

  async run(options: RunOptions = {}): Promise<RunResult> {
    if (this.running) throw new Error('simulation is already running');
    const until = options.until ?? Infinity;
    const maxEvents = options.maxEvents ?? Infinity;
    const queue = this.queue;
    let events = 0;
    let reason: StopReason;
    this.running = true;
    this.stopRequested = false;
    const sliceMs = options.sliceMs;
    if (sliceMs !== undefined && options.guard !== false) throw new RangeError('sliceMs needs guard: false (a wall-clock slice makes the run irreproducible)');
    let sliceEnd = sliceMs === undefined ? Infinity : real.performanceNow() + sliceMs;
    const release = options.guard === false ? () => {} : installGuard(() => ` (virtual time ${this.time}ms, seed ${this.seed})`);
    try {
      for (;;) {
        if (this.needsDrain && queue.peekTime() > this.time) {
          this.needsDrain = false;
          await drain();
          if (this.failure !== undefined) throw this.failure;
          if (this.afterEvent) this.afterEvent();
          continue;
        }
        if (this.failure !== undefined) throw this.failure;
        if (this.stopRequested) {
          reason = 'stopped';
          break;
        }
        if (queue.size === 0) {
          reason = 'idle';
          break;
        }
        if (queue.peekTime() > until) {
          this.time = until;
          reason = 'until';
          break;
        }
        if (events >= maxEvents) {
          reason = 'maxEvents';
          break;
        }
        const fn = queue.pop()!;
        this.time = queue.lastTime;
        events++;
        this.seqNow = this.totalEvents + events;
        fn();
        if (this.afterEvent) this.afterEvent();
        if (sliceMs !== undefined && real.performanceNow() >= sliceEnd) {
          // The slice is used up: yield to the event loop (continuations first), mid-instant if need be.
          this.needsDrain = false;
          await (options.pause ?? drain)();
          if (this.failure !== undefined) throw this.failure;
          if (this.afterEvent) this.afterEvent();
          sliceEnd = real.performanceNow() + sliceMs;
        }
      }
    } finally {
      this.totalEvents += events;
      this.running = false;
      release();
    }
    return { reason, events, now: this.time };
  }
}
