/**
 * Every plugin Slipway ships, by name: one line each. A profile names plugins from a registry
 * value; a user's own plugin file (`--plugin ./my-plugin.ts`) makes a new registry from
 * `BUILT_IN_PLUGINS.with(name, create)` (see src/cli/plugins.ts).
 */
import type { PluginFactory } from '../framework/args.js';
import { BALANCED_ALLOCATION, balancedAllocation } from './balanced-allocation/index.js';
import { COSCHEDULING, coscheduling } from './coscheduling/index.js';
import { DEFAULT_PREEMPTION, defaultPreemption } from './default-preemption/index.js';
import { DOT_PRODUCT, dotProduct } from './dot-product/index.js';
import { FIRST_FIT, firstFit } from './first-fit/index.js';
import { GPU_PLUGINS } from './gpu/index.js';
import { IMAGE_LOCALITY, imageLocality } from './image-locality/index.js';
import { INTER_POD_AFFINITY, interPodAffinity } from './inter-pod-affinity/index.js';
import { MAX_INSTANCES_PER_NODE, maxInstancesPerNode } from './max-instances-per-node/index.js';
import { NODE_AFFINITY, nodeAffinity } from './node-affinity/index.js';
import { NODE_NAME, nodeName } from './node-name/index.js';
import { NODE_RESOURCES_FIT, nodeResourcesFit } from './node-resources-fit/index.js';
import { NODE_UNSCHEDULABLE, nodeUnschedulable } from './node-unschedulable/index.js';
import { POD_TOPOLOGY_SPREAD, podTopologySpread } from './pod-topology-spread/index.js';
import { TAINT_TOLERATION, taintToleration } from './taint-toleration/index.js';

const BUILT_IN: Readonly<Record<string, PluginFactory>> = {
  [NODE_UNSCHEDULABLE]: nodeUnschedulable,
  [NODE_NAME]: nodeName,
  [TAINT_TOLERATION]: taintToleration,
  [NODE_AFFINITY]: nodeAffinity,
  [NODE_RESOURCES_FIT]: nodeResourcesFit,
  [POD_TOPOLOGY_SPREAD]: podTopologySpread,
  [INTER_POD_AFFINITY]: interPodAffinity,
  [MAX_INSTANCES_PER_NODE]: maxInstancesPerNode,
  [DEFAULT_PREEMPTION]: defaultPreemption,
  [BALANCED_ALLOCATION]: balancedAllocation,
  [IMAGE_LOCALITY]: imageLocality,
  [FIRST_FIT]: firstFit,
  [DOT_PRODUCT]: dotProduct,
  [COSCHEDULING]: coscheduling,
  ...GPU_PLUGINS,
};

/**
 * Plugin name → factory: kube-scheduler's `Registry`, as a value. Whoever builds a framework is
 * handed one (`createFramework(..., { plugins })`, `createScheduler(..., { plugins })`,
 * `parseScenario(..., { plugins })`); nothing reads a module-level registry. A registry never
 * changes: `with` returns a new one, so a run that loaded `--plugin` files cannot leak them into
 * another run in the same process (a test, a worker, the daemon).
 */
export class PluginRegistry {
  private constructor(private readonly factories: ReadonlyMap<string, PluginFactory>) {}

  /** A registry holding exactly these plugins. */
  static of(factories: Readonly<Record<string, PluginFactory>>): PluginRegistry {
    return new PluginRegistry(new Map(Object.entries(factories)));
  }

  /**
   * This registry plus `name` (kube-scheduler's `Registry.Register`). A name already known is an
   * error: a user's plugin never silently replaces another.
   */
  with(name: string, factory: PluginFactory): PluginRegistry {
    if (this.factories.has(name)) throw new Error(`plugin ${JSON.stringify(name)} is already registered`);
    return new PluginRegistry(new Map([...this.factories, [name, factory]]));
  }

  /** The factory of `name`, or undefined when this registry does not hold it. */
  factory(name: string): PluginFactory | undefined {
    return this.factories.get(name);
  }

  /** Every name, sorted. */
  names(): string[] {
    return [...this.factories.keys()].sort();
  }
}

/** The plugins Slipway ships; a run without `--plugin` files uses exactly these. */
export const BUILT_IN_PLUGINS: PluginRegistry = PluginRegistry.of(BUILT_IN);
