/**
 * Profiles: a named set of plugins with weights and args, plus node sampling. The built-in ones:
 *
 * | profile       | scoring                                                         | nodes scored |
 * |---------------|-----------------------------------------------------------------|--------------|
 * | `default`     | kube-scheduler's default profile (weights below)                | adaptive     |
 * | `first-fit`   | the first feasible node in name order                            | all          |
 * | `random`      | a uniformly random feasible node (seeded)                        | all          |
 * | `best-fit`    | NodeResourcesFit MostAllocated (bin packing)                     | all          |
 * | `spread`      | NodeResourcesFit LeastAllocated                                  | all          |
 * | `balanced`    | NodeResourcesBalancedAllocation                                  | all          |
 * | `dot-product` | DotProduct (Tetris alignment of demand and free capacity)        | all          |
 * | `gpu-random`, `gpu-dotprod`, `gpu-clustering`, `gpu-packing`, `gpu-best-fit`, `gpu-fgd` | the FGD paper's six GPU policies (src/scheduler/plugins/gpu), ties to the smallest node name | all |
 *
 * Every profile filters with NodeUnschedulable, NodeName, TaintToleration, NodeAffinity,
 * NodeResourcesFit, PodTopologySpread, InterPodAffinity, MaxInstancesPerNode (a no-op for pods
 * without its label) and GpuFit (a no-op for pods without a GPU request), and places gangs with
 * Coscheduling. `round-robin` (the seed's policy) is a
 * separate scheduler (src/scheduler/round-robin.ts).
 */
import { InputError } from '../core/errors.js';
import { unknownName } from '../core/suggest.js';
import { PluginArgsError, type PluginEnvironment } from './framework/args.js';
import { Framework, TIE_BREAKS, type TieBreak, type TieBreaker } from './framework/framework.js';
import type { WeightedPlugin } from './framework/types.js';
import { BUILT_IN_PLUGINS, type PluginRegistry } from './plugins/registry.js';
import { GPU_POLICY_PLUGINS } from './plugins/gpu/index.js';

export interface PluginConfig {
  readonly name: string;
  /** Score weight; 0 = the plugin does not score. Default: kube-scheduler's default weight (else 1). */
  readonly weight?: number;
  readonly args?: unknown;
}

export interface ProfileConfig {
  readonly name: string;
  readonly plugins: readonly PluginConfig[];
  /** 0 = adaptive (kube-scheduler's default), 1..100 = that percentage. */
  readonly percentageOfNodesToScore: number;
  /** How equal totals are broken (default `random`, kube-scheduler's; see FrameworkOptions.tieBreak). */
  readonly tieBreak?: TieBreak;
}

/** kube-scheduler's default score weights (config v1). */
export const DEFAULT_WEIGHTS: Readonly<Record<string, number>> = {
  TaintToleration: 3,
  NodeAffinity: 2,
  PodTopologySpread: 2,
  InterPodAffinity: 2,
  NodeResourcesFit: 1,
  NodeResourcesBalancedAllocation: 1,
  ImageLocality: 1,
};

const FILTER_ONLY: readonly PluginConfig[] = [
  { name: 'NodeUnschedulable', weight: 0 },
  { name: 'NodeName', weight: 0 },
  { name: 'TaintToleration', weight: 0 },
  { name: 'NodeAffinity', weight: 0 },
  { name: 'NodeResourcesFit', weight: 0 },
  { name: 'PodTopologySpread', weight: 0 },
  { name: 'InterPodAffinity', weight: 0 },
  { name: 'MaxInstancesPerNode', weight: 0 },
  { name: 'GpuFit', weight: 0 },
  { name: 'Coscheduling', weight: 0 },
];

function classic(name: string, scorer: PluginConfig[], replaceFit = false): ProfileConfig {
  const filters = replaceFit ? FILTER_ONLY.filter((p) => p.name !== 'NodeResourcesFit') : FILTER_ONLY;
  return { name, percentageOfNodesToScore: 100, plugins: [...filters, ...scorer] };
}

const fitWith = (type: string): PluginConfig => ({
  name: 'NodeResourcesFit',
  weight: 1,
  args: { scoringStrategy: { type, resources: [{ name: 'cpu', weight: 1 }, { name: 'memory', weight: 1 }] } },
});

export const PROFILES: Readonly<Record<string, ProfileConfig>> = {
  default: {
    name: 'default',
    percentageOfNodesToScore: 0,
    plugins: [
      { name: 'NodeUnschedulable' },
      { name: 'NodeName' },
      { name: 'TaintToleration' },
      { name: 'NodeAffinity' },
      { name: 'NodeResourcesFit' },
      { name: 'PodTopologySpread' },
      { name: 'InterPodAffinity' },
      { name: 'MaxInstancesPerNode', weight: 0 },
      { name: 'GpuFit', weight: 0 },
      { name: 'DefaultPreemption' },
      { name: 'NodeResourcesBalancedAllocation' },
      { name: 'ImageLocality' },
      { name: 'Coscheduling' },
    ],
  },
  'first-fit': classic('first-fit', [{ name: 'FirstFit', weight: 1 }]),
  random: classic('random', []),
  'best-fit': classic('best-fit', [fitWith('MostAllocated')], true),
  spread: classic('spread', [fitWith('LeastAllocated')], true),
  balanced: classic('balanced', [{ name: 'NodeResourcesBalancedAllocation', weight: 1 }]),
  'dot-product': classic('dot-product', [{ name: 'DotProduct', weight: 1 }]),
  ...gpuProfiles(),
};

/**
 * The FGD paper's six policies as profiles `gpu-<policy>` (the CPU profiles `random` and
 * `best-fit` keep their names): the classic filters (GpuFit included), the policy's plugin alone
 * scoring, ties to the smallest node name as in the paper's simulator (gpu-random: the seeded
 * draw, which is its policy).
 */
/** gpu-random, gpu-dotprod, gpu-clustering, gpu-packing, gpu-best-fit, gpu-fgd. */
export function gpuProfileName(policy: string): string {
  return policy.startsWith('gpu-') ? policy : `gpu-${policy}`;
}

function gpuProfiles(): Record<string, ProfileConfig> {
  const out: Record<string, ProfileConfig> = {};
  for (const [plugin, policy] of Object.entries(GPU_POLICY_PLUGINS)) {
    const name = gpuProfileName(policy);
    out[name] = { ...classic(name, [{ name: plugin, weight: 1 }]), ...(policy === 'random' ? {} : { tieBreak: 'smallest-name' }) };
  }
  return out;
}

export function profileNames(): string[] {
  return Object.keys(PROFILES).sort();
}

/** How a profile becomes plugins. */
export interface BuildOptions {
  /** Names the profile in error messages (default `profile`). */
  readonly where?: string;
  /** The run's workloads (the FGD plugin's typical pods come from them). */
  readonly workloads?: PluginEnvironment['workloads'];
  /**
   * The plugins a profile may name (kube-scheduler's Registry handed to NewFramework). Default:
   * `BUILT_IN_PLUGINS`; a run with `--plugin` files passes the registry they made.
   */
  readonly plugins?: PluginRegistry;
}

/**
 * Builds the plugins of a profile from `options.plugins`. Unknown plugins, duplicate names, bad
 * weights and invalid args are InputErrors naming `where` (e.g.
 * `profile.plugins[0].args.scoringStrategy.resources[0].weight`).
 */
export function buildPlugins(profile: ProfileConfig, options: BuildOptions & { readonly env?: PluginEnvironment } = {}): WeightedPlugin[] {
  const where = options.where ?? 'profile';
  const registry = options.plugins ?? BUILT_IN_PLUGINS;
  const seen = new Set<string>();
  return profile.plugins.map((pc, i) => {
    const at = `${where}.plugins[${i}]`;
    const factory = registry.factory(pc.name);
    if (!factory) throw new InputError(unknownName(`${at}.name`, 'plugin', pc.name, registry.names()));
    if (seen.has(pc.name)) throw new InputError(`${at}.name: plugin ${JSON.stringify(pc.name)} is listed twice`);
    seen.add(pc.name);
    const weight = pc.weight ?? DEFAULT_WEIGHTS[pc.name] ?? 1;
    if (!Number.isInteger(weight) || weight < 0 || weight > 100) {
      throw new InputError(`${at}.weight: must be an integer in [0, 100], got ${JSON.stringify(pc.weight)}`);
    }
    try {
      return { plugin: factory(pc.args, options.env ?? {}), weight };
    } catch (e) {
      if (e instanceof PluginArgsError) throw new InputError(`${at}.${e.field}: ${e.detail}`);
      throw e;
    }
  });
}

/** The framework of `profile`, its ties broken by `random`, its plugins from `options.plugins`. */
export function createFramework(profile: ProfileConfig, random: TieBreaker, options: BuildOptions = {}): Framework {
  const where = options.where ?? 'profile';
  if (profile.tieBreak !== undefined && !TIE_BREAKS.includes(profile.tieBreak)) {
    throw new InputError(`${where}.tieBreak: must be one of ${TIE_BREAKS.join(', ')}, got ${JSON.stringify(profile.tieBreak)}`);
  }
  if (!Number.isInteger(profile.percentageOfNodesToScore) || profile.percentageOfNodesToScore < 0 || profile.percentageOfNodesToScore > 100) {
    throw new InputError(`${where}.percentageOfNodesToScore: must be an integer in [0, 100], got ${profile.percentageOfNodesToScore}`);
  }
  const { workloads } = options;
  return new Framework({
    plugins: buildPlugins(profile, { ...options, env: { random, ...(workloads ? { workloads } : {}) } }),
    percentageOfNodesToScore: profile.percentageOfNodesToScore,
    random,
    ...(profile.tieBreak !== undefined ? { tieBreak: profile.tieBreak } : {}),
  });
}
