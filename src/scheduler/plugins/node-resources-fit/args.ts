/**
 * NodeResourcesFitArgs (kube-scheduler config v1), validated as kube-scheduler's
 * ValidateNodeResourcesFitArgs does: resource weights in (0, 100]; a shape with points sorted by
 * strictly increasing utilization in [0, 100] and scores in [0, 10].
 */
import { PluginArgsError, argsObject, isRecord } from '../../framework/args.js';

export type ScoringStrategyType = 'LeastAllocated' | 'MostAllocated' | 'RequestedToCapacityRatio';

export interface ResourceSpec {
  readonly name: string;
  readonly weight: number;
}

export interface UtilizationShapePoint {
  readonly utilization: number;
  readonly score: number;
}

export interface NodeResourcesFitArgs {
  readonly ignoredResources: readonly string[];
  /** Extended resources (`DOMAIN/NAME`, not in kubernetes.io) whose DOMAIN is listed are not checked by the Filter. */
  readonly ignoredResourceGroups: readonly string[];
  readonly scoringStrategy: {
    readonly type: ScoringStrategyType;
    readonly resources: readonly ResourceSpec[];
    readonly shape: readonly UtilizationShapePoint[];
  };
}

export const DEFAULT_RESOURCES: readonly ResourceSpec[] = [
  { name: 'cpu', weight: 1 },
  { name: 'memory', weight: 1 },
];

/** kube-scheduler's default shape for RequestedToCapacityRatio is required; none is assumed. */
export const MAX_CUSTOM_PRIORITY_SCORE = 10;
export const MAX_UTILIZATION = 100;

const TYPES: readonly ScoringStrategyType[] = ['LeastAllocated', 'MostAllocated', 'RequestedToCapacityRatio'];

function intIn(plugin: string, field: string, v: unknown, lo: number, hi: number, loOpen = false): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || (loOpen ? v <= lo : v < lo) || v > hi) {
    throw new PluginArgsError(plugin, field, `must be an integer in ${loOpen ? '(' : '['}${lo}, ${hi}], got ${JSON.stringify(v)}`);
  }
  return v;
}

/** Resource specs: names non-empty and unique, weights in (0, 100]. */
export function parseResourceSpecs(plugin: string, field: string, v: unknown): ResourceSpec[] {
  if (!Array.isArray(v)) throw new PluginArgsError(plugin, field, `expected a list of {name, weight}, got ${JSON.stringify(v)}`);
  const seen = new Set<string>();
  return v.map((r, i) => {
    const f = `${field}[${i}]`;
    if (!isRecord(r)) throw new PluginArgsError(plugin, f, `expected {name, weight}, got ${JSON.stringify(r)}`);
    for (const k of Object.keys(r)) if (k !== 'name' && k !== 'weight') throw new PluginArgsError(plugin, `${f}.${k}`, 'unknown field (known: name, weight)');
    if (typeof r.name !== 'string' || r.name === '') throw new PluginArgsError(plugin, `${f}.name`, `expected a resource name, got ${JSON.stringify(r.name)}`);
    if (seen.has(r.name)) throw new PluginArgsError(plugin, `${f}.name`, `duplicate resource ${JSON.stringify(r.name)}`);
    seen.add(r.name);
    const weight = r.weight === undefined ? 1 : intIn(plugin, `${f}.weight`, r.weight, 0, 100, true);
    return { name: r.name, weight };
  });
}

export function parseFitArgs(plugin: string, raw: unknown): NodeResourcesFitArgs {
  const a = argsObject(plugin, raw, ['ignoredResources', 'ignoredResourceGroups', 'scoringStrategy']);
  const ignored = a.ignoredResources === undefined ? [] : a.ignoredResources;
  if (!Array.isArray(ignored) || ignored.some((x) => typeof x !== 'string')) {
    throw new PluginArgsError(plugin, 'args.ignoredResources', `expected a list of resource names, got ${JSON.stringify(ignored)}`);
  }
  const groups = a.ignoredResourceGroups === undefined ? [] : a.ignoredResourceGroups;
  if (!Array.isArray(groups) || groups.some((x) => typeof x !== 'string' || x.includes('/'))) {
    throw new PluginArgsError(plugin, 'args.ignoredResourceGroups', `expected a list of resource name prefixes without "/", got ${JSON.stringify(groups)}`);
  }
  const ss = a.scoringStrategy === undefined ? {} : a.scoringStrategy;
  if (!isRecord(ss)) throw new PluginArgsError(plugin, 'args.scoringStrategy', `expected a mapping, got ${JSON.stringify(ss)}`);
  for (const k of Object.keys(ss)) {
    if (!['type', 'resources', 'requestedToCapacityRatio'].includes(k)) {
      throw new PluginArgsError(plugin, `args.scoringStrategy.${k}`, 'unknown field (known: type, resources, requestedToCapacityRatio)');
    }
  }
  const type = (ss.type ?? 'LeastAllocated') as ScoringStrategyType;
  if (!TYPES.includes(type)) {
    throw new PluginArgsError(plugin, 'args.scoringStrategy.type', `expected one of ${TYPES.join(', ')}, got ${JSON.stringify(ss.type)}`);
  }
  const resources = ss.resources === undefined ? [...DEFAULT_RESOURCES] : parseResourceSpecs(plugin, 'args.scoringStrategy.resources', ss.resources);
  let shape: UtilizationShapePoint[] = [];
  if (type === 'RequestedToCapacityRatio') {
    const r = ss.requestedToCapacityRatio;
    if (!isRecord(r) || !Array.isArray(r.shape) || r.shape.length === 0) {
      throw new PluginArgsError(plugin, 'args.scoringStrategy.requestedToCapacityRatio.shape', 'needs at least one point {utilization, score}');
    }
    shape = r.shape.map((p, i) => {
      const f = `args.scoringStrategy.requestedToCapacityRatio.shape[${i}]`;
      if (!isRecord(p)) throw new PluginArgsError(plugin, f, `expected {utilization, score}, got ${JSON.stringify(p)}`);
      return {
        utilization: intIn(plugin, `${f}.utilization`, p.utilization, 0, MAX_UTILIZATION),
        score: intIn(plugin, `${f}.score`, p.score, 0, MAX_CUSTOM_PRIORITY_SCORE),
      };
    });
    for (let i = 1; i < shape.length; i++) {
      if (shape[i].utilization <= shape[i - 1].utilization) {
        throw new PluginArgsError(
          plugin,
          `args.scoringStrategy.requestedToCapacityRatio.shape[${i}].utilization`,
          `utilization values must be sorted in increasing order, got ${shape[i].utilization} after ${shape[i - 1].utilization}`,
        );
      }
    }
  } else if (ss.requestedToCapacityRatio !== undefined) {
    throw new PluginArgsError(plugin, 'args.scoringStrategy.requestedToCapacityRatio', `only allowed with type RequestedToCapacityRatio, not ${type}`);
  }
  return { ignoredResources: ignored as string[], ignoredResourceGroups: groups as string[], scoringStrategy: { type, resources, shape } };
}
