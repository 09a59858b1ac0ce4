/** Invalid plugin arguments: bad input naming the field (`args.scoringStrategy.resources[0].weight`) and value. */
export class PluginArgsError extends Error {
  constructor(
    readonly plugin: string,
    readonly field: string,
    readonly detail: string,
  ) {
    super(`plugin ${plugin}: ${field}: ${detail}`);
    this.name = 'PluginArgsError';
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks `args` is a mapping with only `known` keys (undefined = {}). */
export function argsObject(plugin: string, args: unknown, known: readonly string[]): Record<string, unknown> {
  if (args === undefined || args === null) return {};
  if (!isRecord(args)) throw new PluginArgsError(plugin, 'args', `expected a mapping, got ${JSON.stringify(args)}`);
  for (const k of Object.keys(args)) {
    if (!known.includes(k)) {
      throw new PluginArgsError(plugin, `args.${k}`, `unknown argument${known.length ? ` (known: ${known.join(', ')})` : ''}`);
    }
  }
  return args;
}

/**
 * What a plugin may know about the run besides its args: the profile's seeded stream (plugins
 * that draw, e.g. the GPU random policy's device choice) and the run's workloads (the FGD policy's
 * typical pods). Either may be absent (validation, live runs without a scenario).
 */
export interface PluginEnvironment {
  readonly random?: { int(lo: number, hi: number): number };
  readonly workloads?: readonly import('../../core/types.js').Workload[];
}

/** A plugin's constructor: validates its args (throwing PluginArgsError) and builds it. */
export type PluginFactory = (args: unknown, env?: PluginEnvironment) => import('./types.js').Plugin;
