/**
 * `import ... from 'slipway'`: Slipway as a library. Load a scenario, run it through the real
 * control plane on the deterministic simulator with a seed, swap in your own scheduler or
 * reconciler, and read the trace, the expectations and the invariant results. Property-test
 * helpers (fast-check arbitraries for scenarios) are in `slipway/testing`. Documented in
 * docs/library.md; every export here is part of the package's API.
 */
import type { Scenario } from './scenario/types.js';
import { readScenario } from './cli/read-scenario.js';

export { SLIPWAY_VERSION } from './version.js';
export { runScenario, type RunOptions, type RunResult } from './run/run-scenario.js';
export { InputError } from './core/errors.js';
export { parseScenario, type ScenarioParseOptions as ParseOptions } from './run/parse-scenario.js';
export { PluginRegistry, BUILT_IN_PLUGINS } from './scheduler/plugins/registry.js';
export { simulate, type SimulateOptions, type RunSummary, type WorkloadSummary, type SimWorld } from './run/simulate.js';
export type { Scenario, WorkloadDef, NodeDef, Fault, Operation, Expectation } from './scenario/types.js';
export type { ExpectationResult, ExpectationStatus } from './check/expectations.js';
export type { InvariantViolation } from './check/invariants.js';
export type { LivenessResult } from './check/liveness.js';
export type { Scheduler, ScheduleRequest, ScheduleDecision, NodeView } from './core/interfaces.js';
export type { Workload, Node } from './core/types.js';
export type { Resources } from './core/resources.js';
export { reconcile, type ReconcileInput, type ReconcileResult, type Action } from './core/reconciler.js';
export { createScheduler, schedulerNames, type SchedulerOptions } from './scheduler/registry.js';
export { RoundRobinScheduler } from './scheduler/round-robin.js';
export { PROFILES, type ProfileConfig } from './scheduler/profiles.js';
export type { Plugin, CycleContext, FilterStatus } from './scheduler/framework/types.js';
export { unschedulable, unresolvable, MAX_NODE_SCORE, MIN_NODE_SCORE, StateKey, CycleStateError } from './scheduler/framework/types.js';
export { parseTrace, readTrace, streamTrace, isEvent } from './engine/trace-reader.js';
export type { TraceEvent, TraceEventType, TraceEventOf } from './core/trace-events.js';

/**
 * Reads, parses and validates a scenario file. A bad file throws `InputError` whose message is
 * one line, `FILE:LINE:COL: problem` (or `FILE: cannot read: no such file`).
 */
export function loadScenario(file: string, options: { readonly seed?: number } = {}): Scenario {
  return readScenario(file, options.seed !== undefined ? { seed: options.seed } : {});
}
