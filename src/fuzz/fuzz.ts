/**
 * The explorer: runs N fuzz cases (in worker threads, or in this thread), collects failures and
 * coverage, and shrinks the first failure of each kind. Host-side code: it never runs inside a
 * simulation, and simulations never see it.
 *
 * Run i of root seed S uses the case seed `deriveSeed(S, "run.i")` (unsigned), so a run is named
 * by its case seed alone: `slipway fuzz --case <seed>` regenerates it.
 */
import { deriveSeed } from '../engine/random.js';
import { runPool } from '../pool/pool.js';
import { siblingModule } from '../module-url.js';
import { wallMs } from '../engine/wall.js';
import { caseFromSeed, type FuzzCase, type Profile } from './case.js';
import { runCase, type CaseOutcome, type Variant } from './run-case.js';
import { shrinkCase, type ShrinkResult } from './shrink.js';

export interface FuzzOptions {
  readonly runs: number;
  readonly seed: number;
  readonly profile: Profile;
  /** Worker threads; 0 runs every case in this thread (needed for `variant`). */
  readonly workers: number;
  /** Planted control-plane variant (tests); only with `workers: 0`. */
  readonly variant?: Variant;
  /** Check safety invariants (default true); off only to measure their cost. */
  readonly invariants?: boolean;
  /** Shrink failures (default true); at most this many distinct failures are shrunk (default 3). */
  readonly shrink?: boolean;
  readonly maxShrinks?: number;
  readonly shrinkBudget?: number;
  /** After every finished run. */
  readonly onRun?: (r: RunRecord, done: number) => void;
  /**
   * After the last run, before shrinking. Shrinking simulates in this thread, where the
   * determinism guard forbids timers and clocks: stop progress bars here.
   */
  readonly onRunsDone?: () => void;
  /**
   * The CLI's signal watch (src/cli/signals.ts). Aborted during the runs: the pool stops,
   * PoolInterrupted, nothing written. Aborted while shrinking: shrinking stops and the report
   * keeps the smallest failing case found so far (`shrunk.interrupted`).
   */
  readonly signal?: AbortSignal;
}

export interface RunRecord {
  readonly index: number;
  readonly seed: number;
  readonly outcome: CaseOutcome;
}

export interface FuzzFailure {
  readonly run: RunRecord;
  readonly case: FuzzCase;
  readonly shrunk?: ShrinkResult;
}

/** What the runs found: the same for one sweep however it ran (threads, shards, a queue). */
export interface FuzzSummary {
  readonly runs: number;
  readonly failures: readonly FuzzFailure[];
  /** Failed runs (including those not shrunk). */
  readonly failed: number;
  /** Runs in which some workload could not converge for lack of capacity (not failures). */
  readonly capacityLimited: number;
  /** `kind@phase` → hits, summed over all runs. */
  readonly coverage: Readonly<Record<string, number>>;
  readonly events: number;
}

export interface FuzzReport extends FuzzSummary {
  /** Wall time of the runs phase (not shrinking). */
  readonly elapsedMs: number;
  readonly runsPerMinute: number;
}

/** The case seed of run `index` under root seed `seed`. */
export function runSeed(seed: number, index: number): number {
  return deriveSeed(seed, `run.${index}`) >>> 0;
}

/** What every fuzz worker gets once. */
export interface FuzzWorkerData {
  readonly profile: Profile;
  readonly invariants: boolean;
}

export async function fuzz(o: FuzzOptions): Promise<FuzzReport> {
  if (o.variant && o.workers > 0) throw new Error('a planted variant runs only in-process (workers: 0)');
  const started = wallMs();
  const records: RunRecord[] = new Array(o.runs);
  let done = 0;
  const finish = (r: RunRecord) => {
    records[r.index] = r;
    done++;
    o.onRun?.(r, done);
  };
  // Each case in a worker thread (or here, where a planted variant can reach the control plane).
  const seeds = Array.from({ length: o.runs }, (_, i) => runSeed(o.seed, i));
  const data: FuzzWorkerData = { profile: o.profile, invariants: o.invariants ?? true };
  await runPool<number, CaseOutcome>({
    entry: siblingModule('worker', import.meta.url),
    data,
    tasks: seeds,
    workers: o.workers,
    inline: (seed) => runCase(caseFromSeed(seed, o.profile), o.profile, `fuzz-${seed}`, { ...o.variant, invariants: data.invariants }),
    describe: (seed, i) => `run ${i} (case seed ${seed}; replay: slipway fuzz --case ${seed} --profile ${o.profile})`,
    onResult: (outcome, index) => finish({ index, seed: seeds[index], outcome }),
    ...(o.signal ? { signal: o.signal } : {}),
  });
  const elapsedMs = wallMs() - started;
  o.onRunsDone?.();

  // A signal after the runs stops shrinking early: the report keeps the smallest cases found so far.
  const summary = await summarizeFuzz(records, { ...o, ...(o.signal ? { shrinkSignal: o.signal } : {}) });
  return {
    ...summary,
    elapsedMs,
    // runs / minutes = runs · 60000 / elapsed ms (the runs phase only, not shrinking)
    runsPerMinute: elapsedMs > 0 ? (o.runs * 60_000) / elapsedMs : 0,
  };
}

/**
 * Coverage, counts and failures of finished runs (in run order), shrinking the first failure of
 * each kind: what `fuzz` does after its runs, and what `slipway merge` does with a sharded
 * campaign's runs.
 */
export async function summarizeFuzz(
  records: readonly RunRecord[],
  o: Pick<FuzzOptions, 'profile' | 'variant' | 'shrink' | 'maxShrinks' | 'shrinkBudget'> & {
    /** Stops shrinking (the current shrink keeps its smallest case so far; no new one starts). */
    readonly shrinkSignal?: AbortSignal;
  },
): Promise<FuzzSummary> {
  const coverage: Record<string, number> = {};
  let events = 0;
  let capacityLimited = 0;
  for (const r of records) {
    events += r.outcome.events;
    if (r.outcome.capacity.length > 0) capacityLimited++;
    for (const [k, v] of Object.entries(r.outcome.coverage)) coverage[k] = (coverage[k] ?? 0) + v;
  }
  const failedRuns = records.filter((r) => !r.outcome.ok);
  const failures: FuzzFailure[] = [];
  const shrunkKinds = new Set<string>();
  for (const run of failedRuns) {
    const c = caseFromSeed(run.seed, o.profile);
    const kind = run.outcome.failure!;
    let shrunk: ShrinkResult | undefined;
    if ((o.shrink ?? true) && !o.shrinkSignal?.aborted && !shrunkKinds.has(kind) && shrunkKinds.size < (o.maxShrinks ?? 3)) {
      shrunkKinds.add(kind);
      shrunk = await shrinkCase(run.seed, o.profile, kind, {
        ...(o.variant ? { variant: o.variant } : {}),
        ...(o.shrinkBudget !== undefined ? { budget: o.shrinkBudget } : {}),
        ...(o.shrinkSignal ? { signal: o.shrinkSignal } : {}),
      });
    }
    failures.push({ run, case: c, ...(shrunk ? { shrunk } : {}) });
  }
  return {
    runs: records.length,
    failures,
    failed: failedRuns.length,
    capacityLimited,
    coverage,
    events,
  };
}
