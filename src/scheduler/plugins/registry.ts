/**
 * Every plugin Slipway knows, by name: one line each. A profile names plugins from here; a user's
 * own plugin file (`--plugin ./my-plugin.ts`) adds to it at run time (see load-plugin.ts).
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

const userPlugins = new Map<string, PluginFactory>();

/** Adds a plugin from a user's file. A name already known is an error (no silent override). */
export function registerPlugin(name: string, factory: PluginFactory): void {
  if (name in BUILT_IN || userPlugins.has(name)) throw new Error(`plugin ${JSON.stringify(name)} is already registered`);
  userPlugins.set(name, factory);
}

export function pluginFactory(name: string): PluginFactory | undefined {
  return BUILT_IN[name] ?? userPlugins.get(name);
}

export function pluginNames(): string[] {
  return [...Object.keys(BUILT_IN), ...userPlugins.keys()].sort();
}
