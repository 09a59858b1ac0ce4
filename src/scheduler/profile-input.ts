/**
 * A profile as users write it (scenario `scheduler:`, snapshot `profile:`): a profile name, a
 * mapping `{name?, percentageOfNodesToScore?, plugins: [{name, weight?, args?}]}`, or a
 * KubeSchedulerConfiguration. Validated completely (plugin names, weights, args): every problem
 * is an InputError naming the field under `where`.
 */
import { InputError } from '../core/errors.js';
import { unknownName } from '../core/suggest.js';
import { RandomStream } from '../engine/random.js';
import { isRecord } from './framework/args.js';
import { isKubeSchedulerConfiguration, profileFromKubeConfig, type KubeConfigOrigin } from './kube-config.js';
import { PROFILES, createFramework, profileNames, type ProfileConfig } from './profiles.js';
import type { PluginRegistry } from './plugins/registry.js';

export interface ProfileInput {
  readonly profile: ProfileConfig;
  /** KubeSchedulerConfiguration fields Slipway does not model (warn once). */
  readonly ignored: readonly string[];
}

/** Options of `profileFromInput`. */
export interface ProfileInputOptions {
  /** percentageOfNodesToScore when a mapping leaves it out (default 0, adaptive). */
  readonly defaultPercentage?: number;
  /** Names the caller accepts besides the profiles (listed in the unknown-name error). */
  readonly alsoKnown?: readonly string[];
  /** The plugins a profile may name (default `BUILT_IN_PLUGINS`). */
  readonly plugins?: PluginRegistry;
}

export function profileFromInput(v: unknown, where: string, options: ProfileInputOptions = {}): ProfileInput {
  const { defaultPercentage = 0, alsoKnown = [] } = options;
  let profile: ProfileConfig;
  let ignored: string[] = [];
  let origins: Map<string, KubeConfigOrigin> | undefined;
  if (typeof v === 'string') {
    const p = PROFILES[v];
    if (!p) throw new InputError(unknownName(where, 'profile', v, [...profileNames(), ...alsoKnown].sort()));
    return { profile: p, ignored };
  }
  if (isKubeSchedulerConfiguration(v)) {
    ({ profile, ignored, origins } = profileFromKubeConfig(v, where));
  } else if (isRecord(v)) {
    for (const k of Object.keys(v)) {
      if (!['name', 'percentageOfNodesToScore', 'plugins', 'tieBreak'].includes(k)) {
        throw new InputError(`${where}.${k}: unknown key (known: name, percentageOfNodesToScore, plugins, tieBreak; or a KubeSchedulerConfiguration)`);
      }
    }
    if (v.name !== undefined && (typeof v.name !== 'string' || v.name === '')) throw new InputError(`${where}.name: expected a name, got ${JSON.stringify(v.name)}`);
    if (!Array.isArray(v.plugins) || v.plugins.length === 0) throw new InputError(`${where}.plugins: expected a non-empty list of {name, weight, args}`);
    const plugins = v.plugins.map((p, i) => {
      if (!isRecord(p) || typeof p.name !== 'string') throw new InputError(`${where}.plugins[${i}]: expected {name, weight, args}, got ${JSON.stringify(p)}`);
      for (const k of Object.keys(p)) if (!['name', 'weight', 'args'].includes(k)) throw new InputError(`${where}.plugins[${i}].${k}: unknown key (known: name, weight, args)`);
      if (p.weight !== undefined && typeof p.weight !== 'number') throw new InputError(`${where}.plugins[${i}].weight: expected a number, got ${JSON.stringify(p.weight)}`);
      return { name: p.name, ...(p.weight !== undefined ? { weight: p.weight as number } : {}), ...(p.args !== undefined ? { args: p.args } : {}) };
    });
    const pct = v.percentageOfNodesToScore ?? defaultPercentage;
    if (typeof pct !== 'number') throw new InputError(`${where}.percentageOfNodesToScore: expected a number, got ${JSON.stringify(pct)}`);
    profile = {
      name: (v.name as string | undefined) ?? 'custom',
      plugins,
      percentageOfNodesToScore: pct,
      ...(v.tieBreak !== undefined ? { tieBreak: v.tieBreak as ProfileConfig['tieBreak'] } : {}),
    };
  } else {
    throw new InputError(`${where}: expected a profile name, a mapping with plugins, or a KubeSchedulerConfiguration`);
  }
  try {
    createFramework(profile, new RandomStream('validate', 0), { where, ...(options.plugins ? { plugins: options.plugins } : {}) }); // validates names, weights, args
  } catch (e) {
    if (origins && e instanceof InputError) throw new InputError(inKubeConfigTerms(e.message, where, profile, origins));
    throw e;
  }
  return { profile, ignored };
}

/**
 * A problem found in the plugin list a KubeSchedulerConfiguration became (`where.plugins[4].args...`)
 * named where the user wrote it: `where.profiles[0].pluginConfig[1].args...` for args,
 * `where.profiles[0].plugins.score.enabled[2]...` for a name or weight.
 */
function inKubeConfigTerms(message: string, where: string, profile: ProfileConfig, origins: ReadonlyMap<string, KubeConfigOrigin>): string {
  const prefix = `${where}.plugins[`;
  if (!message.startsWith(prefix)) return message;
  const m = /^(\d+)\]((?:\.(args|name|weight))?[^:]*)(: .*)$/s.exec(message.slice(prefix.length));
  if (!m) return message;
  const plugin = profile.plugins[Number(m[1])];
  const o = plugin && origins.get(plugin.name);
  if (!o) return message;
  if (m[3] === 'args' && o.args) return `${o.args}${m[2].slice('.args'.length)}${m[4]}`;
  if (m[3] !== 'args' && o.entry) return `${o.entry}${m[2]}${m[4]}`;
  return message;
}
