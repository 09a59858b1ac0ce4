/**
 * Shrinking a failing fuzz case with fast-check: the run's seed regenerates the same case as
 * fast-check's first value, the property "this case does not fail the same way" fails on it, and
 * fast-check's shrinker walks to smaller cases (fewer nodes, workloads, operations and faults;
 * smaller numbers, so earlier and shorter faults) that still fail with the same signature.
 */
import fc from 'fast-check';
import { caseArbitrary, type FuzzCase, type Profile } from './case.js';
import { runCase, type CaseOutcome, type Variant } from './run-case.js';

export interface ShrinkResult {
  readonly case: FuzzCase;
  readonly outcome: CaseOutcome;
  /** Candidate cases run while shrinking. */
  readonly tried: number;
  /** Smaller failing cases found on the way. */
  readonly steps: number;
  /** Shrinking was stopped by `signal` before it finished: `case` is the smallest found so far. */
  readonly interrupted?: true;
}

export interface ShrinkOptions {
  readonly variant?: Variant;
  /** Stop shrinking after this many candidate runs (default 600). */
  readonly budget?: number;
  /**
   * Stops shrinking when aborted (the CLI's signal watch): the smallest failing case found so far
   * is the result. (A signal handler gets to run: the simulation's run loop yields a macrotask
   * between engine instants.)
   */
  readonly signal?: AbortSignal;
}

/**
 * Shrinks the case of `seed` to a minimal one failing with `failure` (the outcome's signature,
 * e.g. `invariant surge`). Returns undefined when the seed does not reproduce the failure.
 */
export async function shrinkCase(seed: number, profile: Profile, failure: string, options: ShrinkOptions = {}): Promise<ShrinkResult | undefined> {
  const budget = options.budget ?? 600;
  let tried = 0;
  let steps = 0;
  let best: { c: FuzzCase; o: CaseOutcome } | undefined;
  let interrupted = false;
  const signal = options.signal;
  await fc.check(
    fc.asyncProperty(caseArbitrary(profile), async (c) => {
      // Out of budget or stopped: accept, which ends the shrink (the first run, the original
      // case, always runs: without it there is nothing to report).
      if (tried >= budget) return true;
      if (signal?.aborted && tried > 0) {
        interrupted = true;
        return true;
      }
      tried++;
      const o = await runCase(c, profile, `fuzz-${seed}-min`, options.variant);
      if (!o.ok && o.failure === failure) {
        best = { c, o };
        steps++;
        return false;
      }
      return true;
    }),
    { seed, numRuns: 1 },
  );
  return best ? { case: best.c, outcome: best.o, tried, steps: steps - 1, ...(interrupted ? { interrupted: true as const } : {}) } : undefined;
}
