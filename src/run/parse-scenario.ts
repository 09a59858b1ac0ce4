/**
 * The scenario loader with this build's schedulers. src/scenario/loader.ts is handed the known
 * scheduler names (it imports no registry); this is where the registry's names are handed in.
 */
import { parseScenario as parseWith, type ParseOptions } from '../scenario/loader.js';
import type { Scenario } from '../scenario/types.js';
import { schedulerNames } from '../scheduler/registry.js';

/** Options of `parseScenario`: the loader's, the scheduler names defaulting to `schedulerNames()`. */
export type ScenarioParseOptions = Omit<ParseOptions, 'schedulers'> & { readonly schedulers?: readonly string[] };

/**
 * Parses and validates a scenario file's text (`file` names it in errors). Throws `InputError`
 * (`FILE:LINE:COL: message`). `options.plugins`: the registry a `scheduler:` profile's plugins
 * come from (`--plugin` files), default the built-in plugins.
 */
export function parseScenario(text: string, file: string, options: ScenarioParseOptions = {}): Scenario {
  return parseWith(text, file, { ...options, schedulers: options.schedulers ?? schedulerNames() });
}
