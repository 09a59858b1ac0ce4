/**
 * Profiles from a KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1), so users can bring
 * their production config. What is read:
 *
 *   percentageOfNodesToScore (top level, or per profile)
 *   profiles[0] (or the profile whose schedulerName is `schedulerName`):
 *     plugins.<extension point>.enabled / disabled  ([{name, weight}], `*` disables every default)
 *     pluginConfig: [{name, args}]
 *
 * Slipway's plugins implement all their extension points together, so the points map onto one
 * list: `score.disabled` sets a plugin's weight to 0 (it still filters); disabling it at
 * `multiPoint`, `filter` or `preFilter` removes it; `enabled` at any point adds it, and a weight
 * given at `score` or `multiPoint` sets its weight. Other top-level fields are ignored, listed in
 * `ignored` so the caller can warn once.
 */
import { InputError } from '../core/errors.js';
import { isRecord } from './framework/args.js';
import { DEFAULT_WEIGHTS, PROFILES, type PluginConfig, type ProfileConfig } from './profiles.js';

export const KUBE_SCHEDULER_CONFIGURATION = 'KubeSchedulerConfiguration';
const POINTS = ['multiPoint', 'queueSort', 'preEnqueue', 'preFilter', 'filter', 'postFilter', 'preScore', 'score', 'reserve', 'permit', 'preBind', 'bind', 'postBind'];
const KNOWN_TOP = ['apiVersion', 'kind', 'profiles', 'percentageOfNodesToScore'];

export function isKubeSchedulerConfiguration(v: unknown): v is Record<string, unknown> {
  return isRecord(v) && v.kind === KUBE_SCHEDULER_CONFIGURATION;
}

interface Entry {
  name: string;
  weight?: number;
}

function entries(v: unknown, where: string): Entry[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new InputError(`${where}: expected a list of {name, weight}`);
  return v.map((e, i) => {
    if (!isRecord(e) || typeof e.name !== 'string') throw new InputError(`${where}[${i}]: expected {name, weight}, got ${JSON.stringify(e)}`);
    if (e.weight !== undefined && typeof e.weight !== 'number') throw new InputError(`${where}[${i}].weight: expected a number, got ${JSON.stringify(e.weight)}`);
    return { name: e.name, ...(e.weight !== undefined ? { weight: e.weight as number } : {}) };
  });
}

/** The profile, and the fields that were present but are not modelled (for a warning). */
/** Where a plugin of the resulting list was written: its `enabled` entry and its pluginConfig args. */
export interface KubeConfigOrigin {
  entry?: string;
  args?: string;
}

export function profileFromKubeConfig(
  cfg: Record<string, unknown>,
  where: string,
  schedulerName?: string,
): { profile: ProfileConfig; ignored: string[]; origins: Map<string, KubeConfigOrigin> } {
  const origins = new Map<string, KubeConfigOrigin>();
  const origin = (name: string): KubeConfigOrigin => {
    let o = origins.get(name);
    if (!o) origins.set(name, (o = {}));
    return o;
  };
  const ignored = Object.keys(cfg).filter((k) => !KNOWN_TOP.includes(k));
  const profiles = cfg.profiles === undefined ? [{}] : cfg.profiles;
  if (!Array.isArray(profiles) || profiles.length === 0) throw new InputError(`${where}.profiles: expected a non-empty list`);
  let index = 0;
  if (schedulerName !== undefined) {
    index = profiles.findIndex((p) => isRecord(p) && (p.schedulerName ?? 'default-scheduler') === schedulerName);
    if (index < 0) throw new InputError(`${where}.profiles: no profile with schedulerName ${JSON.stringify(schedulerName)}`);
  }
  const p = profiles[index];
  const at = `${where}.profiles[${index}]`;
  if (!isRecord(p)) throw new InputError(`${at}: expected a mapping`);
  for (const k of Object.keys(p)) if (!['schedulerName', 'plugins', 'pluginConfig', 'percentageOfNodesToScore'].includes(k)) ignored.push(`profiles[${index}].${k}`);

  const list: PluginConfig[] = PROFILES.default.plugins.map((x) => ({ name: x.name, weight: x.weight ?? DEFAULT_WEIGHTS[x.name] ?? 0 }));
  const find = (name: string) => list.findIndex((x) => x.name === name);
  const plugins = p.plugins === undefined ? {} : p.plugins;
  if (!isRecord(plugins)) throw new InputError(`${at}.plugins: expected a mapping of extension points`);
  for (const [point, set] of Object.entries(plugins)) {
    if (!POINTS.includes(point)) throw new InputError(`${at}.plugins.${point}: unknown extension point (known: ${POINTS.join(', ')})`);
    if (!isRecord(set)) throw new InputError(`${at}.plugins.${point}: expected {enabled, disabled}`);
    const scoring = point === 'score' || point === 'multiPoint';
    for (const d of entries(set.disabled, `${at}.plugins.${point}.disabled`)) {
      const names = d.name === '*' ? list.map((x) => x.name) : [d.name];
      for (const name of names) {
        const k = find(name);
        if (k < 0) continue;
        if (point === 'score') list[k] = { ...list[k], weight: 0 };
        else if (point === 'multiPoint' || point === 'filter' || point === 'preFilter') list.splice(k, 1);
      }
    }
    entries(set.enabled, `${at}.plugins.${point}.enabled`).forEach((e, j) => {
      origin(e.name).entry = `${at}.plugins.${point}.enabled[${j}]`;
      const k = find(e.name);
      const weight = scoring ? (e.weight ?? DEFAULT_WEIGHTS[e.name] ?? 1) : undefined;
      if (k < 0) list.push({ name: e.name, weight: weight ?? 0 });
      else if (weight !== undefined) list[k] = { ...list[k], weight };
    });
  }
  const config = p.pluginConfig === undefined ? [] : p.pluginConfig;
  if (!Array.isArray(config)) throw new InputError(`${at}.pluginConfig: expected a list of {name, args}`);
  config.forEach((c, i) => {
    if (!isRecord(c) || typeof c.name !== 'string') throw new InputError(`${at}.pluginConfig[${i}]: expected {name, args}`);
    const k = find(c.name);
    origin(c.name).args = `${at}.pluginConfig[${i}].args`;
    if (k >= 0) list[k] = { ...list[k], args: c.args };
  });
  const pct = p.percentageOfNodesToScore ?? cfg.percentageOfNodesToScore ?? 0;
  if (typeof pct !== 'number') throw new InputError(`${where}.percentageOfNodesToScore: expected a number, got ${JSON.stringify(pct)}`);
  const name = typeof p.schedulerName === 'string' ? p.schedulerName : 'default-scheduler';
  return { profile: { name, plugins: list, percentageOfNodesToScore: pct }, ignored, origins };
}
