/**
 * Named schedulers. A scenario picks one with `scheduler: NAME`.
 * One line per scheduler; the plugin framework's named profiles (src/scheduler/profiles.ts) are
 * registered here too.
 */
import type { Scheduler } from '../core/interfaces.js';
import type { Workload } from '../core/types.js';
import type { ClusterObjects } from '../core/namespace.js';
import { RandomStream } from '../engine/random.js';
import type { TieBreaker } from './framework/framework.js';
import { FrameworkScheduler } from './framework-scheduler.js';
import { PROFILES, createFramework, profileNames, type ProfileConfig } from './profiles.js';
import { ROUND_ROBIN, RoundRobinScheduler } from './round-robin.js';
import type { PluginRegistry } from './plugins/registry.js';

export interface SchedulerOptions {
  /** The seeded stream for tie-breaking (simulations pass `sim.random.stream('scheduler')`). */
  readonly random?: TieBreaker;
  /** A profile defined in the scenario (or a KubeSchedulerConfiguration); used when `name` is its name. */
  readonly profile?: ProfileConfig;
  /** The run's workloads (the FGD plugin's typical pods come from them). */
  readonly workloads?: readonly Workload[];
  /** The plugins a profile may name (default `BUILT_IN_PLUGINS`; `--plugin` files make another). */
  readonly plugins?: PluginRegistry;
  /** Namespaces (labels) and Services of the run (namespaceSelector, default topology spreading). */
  readonly cluster?: ClusterObjects;
}

const FACTORIES: Readonly<Record<string, (o: SchedulerOptions) => Scheduler>> = {
  [ROUND_ROBIN]: () => new RoundRobinScheduler(),
};

/**
 * Every scheduler name this build knows (round-robin and the named profiles). Callers hand it to
 * the scenario loader (`parseScenario(..., { schedulers })`), which does not import this module.
 */
export function schedulerNames(): string[] {
  return [...Object.keys(FACTORIES), ...profileNames()].sort();
}

/** A fresh scheduler instance (schedulers may keep per-run state, like round-robin's cursor). */
export function createScheduler(name: string, options: SchedulerOptions = {}): Scheduler {
  const random = options.random ?? new RandomStream('scheduler', 0);
  const build = { ...(options.workloads ? { workloads: options.workloads } : {}), ...(options.plugins ? { plugins: options.plugins } : {}) };
  if (options.profile && options.profile.name === name) {
    return new FrameworkScheduler(name, createFramework(options.profile, random, build), options.cluster);
  }
  const make = FACTORIES[name];
  if (make) return make(options);
  const profile = PROFILES[name];
  if (profile) return new FrameworkScheduler(name, createFramework(profile, random, build), options.cluster);
  throw new Error(`unknown scheduler ${JSON.stringify(name)}; known: ${schedulerNames().join(', ')}`);
}
