/**
 * `import ... from 'slipway/testing'`: property testing your own scheduler, reconciler or
 * scenarios with fast-check. `scenarioArbitrary` draws random scenarios (clusters, workload
 * mixes, operations, fault plans, control-plane knobs) exactly as `slipway fuzz` does, with its
 * shrinking; `checkScenario` runs one with the safety invariants and liveness and says what broke,
 * with the YAML to replay it. `fc` is the fast-check instance the arbitraries belong to.
 * Documented in docs/library.md.
 */
import fc from 'fast-check';
import { caseArbitrary, caseScenario, caseYaml, PROFILES, type FuzzCase, type Profile } from './fuzz/case.js';
import type { Scenario } from './scenario/types.js';
import { runScenario, type RunOptions, type RunResult } from './run/run-scenario.js';

export { fc };
export type { FuzzCase, Profile as FuzzProfile };

/** The case shapes of `slipway fuzz --profile`: `small`, `tiny`, `partitions`, `crashes`. */
export const FUZZ_PROFILES: readonly Profile[] = PROFILES;

/** A random case of `slipway fuzz`'s generator (the plain data behind a scenario; shrinks well). */
export function fuzzCaseArbitrary(profile: Profile = 'tiny'): fc.Arbitrary<FuzzCase> {
  return caseArbitrary(profile);
}

/**
 * Random scenarios of the given fuzz profile (default `tiny`: up to 3 nodes, 4 workloads, 3
 * faults, 25 simulated minutes). Each is what loading the case's YAML gives; its `seed` is drawn too.
 */
export function scenarioArbitrary(profile: Profile = 'tiny', name = 'case'): fc.Arbitrary<Scenario> {
  return caseArbitrary(profile).map((c) => caseScenario(c, profile, name));
}

/** The YAML of a case (what `slipway run` replays), e.g. to save a failing one. */
export function fuzzCaseYaml(c: FuzzCase, profile: Profile = 'tiny', name = 'case'): string {
  return caseYaml(c, profile, name);
}

/** What `checkScenario` found. */
export interface CheckResult extends RunResult {
  /** What failed, one line (`invariant surge: ...`, `liveness: ...`, `expectation ...`); undefined when ok. */
  readonly failure?: string;
}

/**
 * Runs a scenario with the safety invariants after every event and, by default, liveness at the
 * end (every workload converged, or could not for lack of capacity, which is not a failure).
 * `options` as `runScenario`'s (your scheduler or reconciler, the seed); the trace is not kept
 * unless `trace: true`.
 */
export async function checkScenario(scenario: Scenario, options: RunOptions = {}): Promise<CheckResult> {
  const r = await runScenario(scenario, { liveness: true, trace: false, ...options, invariants: true });
  const s = r.summary;
  let failure: string | undefined;
  if (s.violation) failure = `invariant ${s.violation.invariant}: ${s.violation.message} (event ${s.violation.event}, t=${s.violation.t}ms)`;
  else if (s.liveness && !s.liveness.ok) failure = `liveness: ${s.liveness.failures.slice(0, 3).join('; ')}`;
  else {
    const bad = s.expectations.find((e) => e.status === 'fail');
    if (bad) failure = `expectation ${bad.name}: ${bad.detail}`;
  }
  return { ...r, ...(failure !== undefined ? { failure } : {}) };
}
