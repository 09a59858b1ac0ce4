/**
 * `runScenario`, the library's one call to run a scenario (re-exported by src/index.ts as
 * `slipway`'s API): a seed, a scheduler by name or instance, a planted reconciler, the trace's
 * records kept in memory.
 */
import type { Scheduler } from '../core/interfaces.js';
import type { reconcile as realReconcile } from '../core/reconciler.js';
import type { TraceEvent } from '../core/trace-events.js';
import type { Scenario } from '../scenario/types.js';
import { InputError } from '../core/errors.js';
import { unknownName } from '../core/suggest.js';
import { schedulerNames } from '../scheduler/registry.js';
import { simulate, type RunSummary } from './simulate.js';

/** Options of `runScenario`. */
export interface RunOptions {
  /** The seed (default: the scenario's `seed:`). The same scenario and seed give the same trace. */
  readonly seed?: number;
  /**
   * A registered scheduler's name (`default`, `round-robin`, `spread`, ...; see `schedulerNames()`)
   * or your own `Scheduler` instance (a fresh one per run: schedulers may keep state).
   */
  readonly scheduler?: string | Scheduler;
  /** A reconciler to run instead of the real one (`reconcile`), e.g. one with a planted bug. */
  readonly reconcile?: typeof realReconcile;
  /** Stop at this virtual time (ms) instead of the scenario's duration. */
  readonly untilMs?: number;
  /** Check the safety invariants after every event (default true); the first violation stops the run. */
  readonly invariants?: boolean;
  /** At the end, check liveness: every workload converged (default false). */
  readonly liveness?: boolean;
  /** Expectations the run stops before (with `untilMs`) are NOT CHECKED; with this they do not make `ok` false. */
  readonly allowUnchecked?: boolean;
  /** Keep the trace's records in the result (default true; false for long runs). */
  readonly trace?: boolean;
}

/** What `runScenario` returns. */
export interface RunResult {
  /** Every expectation passed (none NOT CHECKED unless allowed), no invariant was violated, liveness held when checked. */
  readonly ok: boolean;
  readonly summary: RunSummary;
  /** The trace's records in order, as `trace.jsonl` holds them (empty with `trace: false`). */
  readonly trace: readonly TraceEvent[];
}

/**
 * Runs a scenario through the real control plane on the simulator. Deterministic: the same
 * scenario, seed and options give the same `summary.traceHash`. Never throws for a failing run
 * (that is `ok: false`, with `summary.violation`, `summary.expectations`, `summary.liveness`);
 * throws `InputError` for an unknown scheduler name.
 */
export async function runScenario(scenario: Scenario, options: RunOptions = {}): Promise<RunResult> {
  let s = options.seed !== undefined ? { ...scenario, seed: options.seed } : scenario;
  const own = typeof options.scheduler === 'object' ? options.scheduler : undefined;
  if (typeof options.scheduler === 'string') {
    if (!schedulerNames().includes(options.scheduler)) {
      throw new InputError(unknownName('scheduler', 'scheduler', options.scheduler, schedulerNames()));
    }
    if (s.scheduler.name !== options.scheduler) s = { ...s, scheduler: { name: options.scheduler } };
  }
  const trace: TraceEvent[] = [];
  const keep = options.trace !== false;
  const summary = await simulate(s, {
    ...(own ? { scheduler: own } : {}),
    ...(options.reconcile ? { reconcile: options.reconcile } : {}),
    ...(options.untilMs !== undefined ? { untilMs: options.untilMs } : {}),
    ...(options.invariants !== undefined ? { invariants: options.invariants } : {}),
    ...(options.liveness ? { liveness: true } : {}),
    ...(options.allowUnchecked ? { allowUnchecked: true } : {}),
    ...(keep ? { onEvent: (e: TraceEvent) => void trace.push(e) } : {}),
  });
  return { ok: summary.ok, summary, trace };
}

