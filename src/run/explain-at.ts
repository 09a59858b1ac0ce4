/**
 * `slipway explain SCENARIO --at T --workload NAME`: the scenario simulated up to virtual time T,
 * then the cluster as the control plane's scheduler sees it at that moment (nodes with their
 * condition taints, bound instances with their requests and GPU devices; the same NodeTable the
 * FrameworkScheduler builds) and the explanation of placing one more instance of NAME there.
 * Deterministic: the same scenario, seed and time give the same report.
 */
import { InputError } from '../core/errors.js';
import type { Orchestrator } from '../core/orchestrator.js';
import { sum } from '../core/resources.js';
import { formatDuration } from '../core/duration.js';
import { didYouMean } from '../scenario/schema.js';
import type { Scenario } from '../scenario/types.js';
import { explainOn, type ExplainReport } from '../scheduler/explain/explain.js';
import { nodeTableOf, podOf } from '../scheduler/framework-scheduler.js';
import { PROFILES, profileNames, type ProfileConfig } from '../scheduler/profiles.js';
import { simulate, toWorkload } from './simulate.js';

export interface ExplainAtOptions {
  /** Virtual time to stop at (0 .. the scenario's duration). */
  readonly atMs: number;
  /** The workload one more instance of which is explained. */
  readonly workload: string;
}

export interface ExplainAtReport extends ExplainReport {
  readonly atMs: number;
  /** Instances bound to nodes at that time (what the table counts against the nodes). */
  readonly boundInstances: number;
}

/** The framework profile behind the scenario's scheduler (its own profile, or a named one). */
function profileOf(scenario: Scenario): ProfileConfig {
  const { name, profile } = scenario.scheduler;
  if (profile && profile.name === name) return profile;
  const named = PROFILES[name];
  if (named) return named;
  throw new InputError(`scheduler ${JSON.stringify(name)} is not a plugin-framework profile, so it has no filters or scores to explain; pick one with --scheduler (${profileNames().join(', ')})`);
}

export async function explainScenarioAt(scenario: Scenario, o: ExplainAtOptions): Promise<ExplainAtReport> {
  const file = scenario.source.file;
  const def = scenario.workloads.find((w) => w.name === o.workload);
  if (!def) {
    const names = scenario.workloads.map((w) => w.name);
    throw new InputError(`--workload: ${file} has no workload ${JSON.stringify(o.workload)}${didYouMean(o.workload, names)}${names.length <= 10 ? ` (workloads: ${names.join(', ')})` : ''}`);
  }
  if (o.atMs > scenario.durationMs) {
    throw new InputError(`--at: ${formatDuration(o.atMs)} is beyond the end of ${file} (its duration is ${formatDuration(scenario.durationMs)})`);
  }
  const profile = profileOf(scenario);
  let orchestrator: Orchestrator | undefined;
  await simulate(scenario, { untilMs: o.atMs, observe: (w) => (orchestrator = w.orchestrator) });
  const views = orchestrator!.nodeViews();
  const { table, pods } = nodeTableOf(views);
  // The workload's spec at that time (after updates), or its definition when it has not arrived yet.
  const workload = orchestrator!.getWorkload(def.name) ?? toWorkload(def);
  const pending = podOf(workload, sum(workload.containers.map((c) => c.requests)));
  const report = explainOn(table, pending, profile, scenario.seed, scenario.workloads.map(toWorkload));
  return { ...report, atMs: o.atMs, boundInstances: pods.reduce((a, p) => a + p.length, 0) };
}
