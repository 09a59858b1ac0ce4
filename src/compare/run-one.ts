/**
 * One (policy, seed) run of a comparison: simulates the scenario with that seed and scheduler and
 * computes its metrics from the trace as it streams (the trace itself is only hashed).
 */
import { gpuMetricsOptions, MetricsCollector, typicalPod } from '../report/metrics.js';
import { simulate, toWorkload } from '../run/simulate.js';
import type { Scheduler } from '../core/interfaces.js';
import type { Scenario } from '../scenario/types.js';
import type { RunResult, RunTask } from '../report/run-result.js';

export type { RunResult, RunTask } from '../report/run-result.js';

/** The scenario with `policy` as its scheduler (keeping the scenario's own profile when it has that name). */
export function withPolicy(scenario: Scenario, policy: string): Scenario {
  if (scenario.scheduler.name === policy) return scenario;
  return { ...scenario, scheduler: { name: policy } };
}

export interface RunOneOptions {
  /** A scheduler instance instead of the registry's `policy` (tests with custom behaviour). */
  readonly scheduler?: Scheduler;
  readonly tracePath?: string;
  readonly samples?: number;
}

/**
 * Runs `scenario` with `task.seed` under `task.policy`. Every policy sees the same workload and
 * fault plan for a seed (common random numbers): only the scheduler differs.
 */
export async function runOne(scenario: Scenario, task: RunTask, options: RunOneOptions = {}): Promise<RunResult> {
  // The scheduler is built by simulate from the scenario, with the run's seeded tie-break stream.
  const seeded: Scenario = { ...withPolicy(scenario, task.policy), seed: task.seed };
  const collector = new MetricsCollector({
    durationMs: scenario.durationMs,
    typicalPod: typicalPod(scenario.workloads),
    gpu: gpuMetricsOptions(scenario.workloads.map(toWorkload)),
    ...(options.samples !== undefined ? { samples: options.samples } : {}),
  });
  const summary = await simulate(seeded, {
    ...(options.scheduler !== undefined ? { scheduler: options.scheduler } : {}),
    onEvent: collector.onEvent,
    ...(options.tracePath !== undefined ? { tracePath: options.tracePath } : {}),
  });
  return {
    policy: task.policy,
    seed: task.seed,
    traceHash: summary.traceHash,
    events: summary.events,
    ok: summary.ok,
    metrics: collector.finish(summary.simulatedTimeMs),
    summary,
  };
}
