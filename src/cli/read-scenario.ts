/**
 * Reading a scenario file from disk: the only I/O around the pure `parseScenario`.
 */
import { readFailure } from '../core/read-failure.js';
import { readFileSync, statSync } from 'node:fs';
import { InputError } from '../core/errors.js';
import { parseScenario } from '../run/parse-scenario.js';
import type { Scenario } from '../scenario/types.js';
import type { PluginRegistry } from '../scheduler/plugins/registry.js';
import { formatSize, LIMIT_FLAGS, limitsWith, type ScenarioLimits } from '../scenario/limits.js';
import { documentKind, mixUpMessage } from './document-kind.js';

/** Command-line values that take precedence over the file's. */
export interface ScenarioOverrides {
  readonly seed?: number;
  readonly durationMs?: number;
  /** Bounds other than the defaults (`--max-instances`, `--max-file-size`, ...). */
  readonly limits?: Partial<ScenarioLimits>;
  /** The plugins a `scheduler:` profile may name (`--plugin` files; default the built-in ones). */
  readonly plugins?: PluginRegistry;
}

/**
 * Reads, parses and validates `file`, then applies `overrides`. Every failure is an `InputError`
 * with a one-line message: `FILE: cannot read: <reason>` or `FILE:LINE:COL: <problem>`.
 */
export function readScenario(file: string, overrides: ScenarioOverrides = {}): Scenario {
  const limits = limitsWith(overrides.limits);
  let text: string;
  try {
    // A 50 MB scenario would take gigabytes to parse: refuse it before reading it.
    const size = statSync(file).size;
    if (size > limits.maxFileBytes) {
      throw new InputError(
        `${file}: ${formatSize(size)} is over the limit of ${formatSize(limits.maxFileBytes)} per scenario file (raise it with ${LIMIT_FLAGS.maxFileBytes} SIZE)`,
      );
    }
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`${file}: cannot read: ${readFailure(e)}`);
  }
  let scenario: Scenario;
  try {
    scenario = parseScenario(text, file, { limits, ...(overrides.plugins ? { plugins: overrides.plugins } : {}) });
  } catch (e) {
    // Handed a snapshot or a trace: name the mix-up rather than the first unknown field.
    const mixUp = e instanceof InputError ? mixUpMessage(file, documentKind(text), 'scenario') : undefined;
    throw mixUp !== undefined ? new InputError(mixUp) : e;
  }
  if (overrides.seed !== undefined) {
    if (!Number.isSafeInteger(overrides.seed) || overrides.seed < 0) {
      throw new InputError(`seed override: expected a non-negative integer, got ${overrides.seed}`);
    }
  }
  if (overrides.durationMs !== undefined) {
    if (!Number.isSafeInteger(overrides.durationMs) || overrides.durationMs <= 0) {
      throw new InputError(`duration override: expected more than 0 ms, got ${overrides.durationMs}`);
    }
  }
  return {
    ...scenario,
    ...(overrides.seed !== undefined ? { seed: overrides.seed } : {}),
    ...(overrides.durationMs !== undefined ? { durationMs: overrides.durationMs } : {}),
  };
}

