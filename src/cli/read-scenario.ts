/**
 * Reading a scenario file from disk: the only I/O around the pure `parseScenario`.
 */
import { readFailure } from '../core/read-failure.js';
import { readFileSync, statSync } from 'node:fs';
import { InputError } from '../core/errors.js';
import { parseScenario } from '../run/parse-scenario.js';
import { schedulerNames } from '../scheduler/registry.js';
import type { Scenario } from '../scenario/types.js';
import type { PluginRegistry } from '../scheduler/plugins/registry.js';
import { formatSize, LIMIT_FLAGS, limitsWith, type ScenarioLimits } from '../scenario/limits.js';
import { documentKind, mixUpMessage } from './document-kind.js';
import { isManifestFile, manifestScenario } from '../scenario/manifest-scenario.js';
import { dirname, isAbsolute, join } from 'node:path';

/** Command-line values that take precedence over the file's. */
export interface ScenarioOverrides {
  readonly seed?: number;
  readonly durationMs?: number;
  /** Bounds other than the defaults (`--max-instances`, `--max-file-size`, ...). */
  readonly limits?: Partial<ScenarioLimits>;
  /**
   * `--nodes N`: FILE may be a Kubernetes manifest file, run on N default nodes (besides its own
   * Nodes); refused for a scenario file, whose nodes are in the file.
   */
  readonly nodes?: number;
  /** For a Kubernetes manifest file: how long it runs (`--until`; default 10m). Ignored for scenarios. */
  readonly manifestRunMs?: number;
  /**
   * Filled with the manifest files the scenario names, by their `manifests:` entry, as read: what
   * a sweep's spec carries so that its runs (on any machine) parse the same scenario.
   */
  readonly manifestFiles?: Record<string, { file: string; text: string }>;
  /** The plugins a `scheduler:` profile may name (`--plugin` files; default the built-in ones). */
  readonly plugins?: PluginRegistry;
}

/** `--nodes N`: a whole number of nodes, 1..100000 (a node entry's `count`). */
export function parseNodes(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 100_000) throw new InputError(`--nodes: expected a whole number of nodes from 1 to 100000, got "${v}"`);
  return Number(v);
}

/** Reads `path` for a scenario (size-limited); InputError `PATH: cannot read: ...` otherwise. */
function readLimited(path: string, limits: ScenarioLimits, what: string): string {
  try {
    // A 50 MB scenario would take gigabytes to parse: refuse it before reading it.
    const size = statSync(path).size;
    if (size > limits.maxFileBytes) {
      throw new InputError(`${path}: ${formatSize(size)} is over the limit of ${formatSize(limits.maxFileBytes)} per ${what} (raise it with ${LIMIT_FLAGS.maxFileBytes} SIZE)`);
    }
    return readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`${path}: cannot read: ${readFailure(e)}`);
  }
}

/** The reader of a scenario's manifest files: paths relative to the scenario file's folder. */
export function manifestFileReader(scenarioFile: string, limits: ScenarioLimits): (ref: string) => { file: string; text: string } {
  return (ref) => {
    const file = isAbsolute(ref) ? ref : join(dirname(scenarioFile), ref);
    return { file, text: readLimited(file, limits, 'manifest file') };
  };
}

/**
 * Reads, parses and validates `file`, then applies `overrides`. Every failure is an `InputError`
 * with a one-line message: `FILE: cannot read: <reason>` or `FILE:LINE:COL: <problem>`.
 */
export function readScenario(file: string, overrides: ScenarioOverrides = {}): Scenario {
  const limits = limitsWith(overrides.limits);
  const text = readLimited(file, limits, 'scenario file');
  const parseOptions = { limits, ...(overrides.plugins ? { plugins: overrides.plugins } : {}) };
  let scenario: Scenario;
  if (isManifestFile(text)) {
    scenario = manifestScenario(text, file, { ...parseOptions, schedulers: schedulerNames(), ...(overrides.nodes !== undefined ? { nodes: overrides.nodes } : {}), ...(overrides.manifestRunMs !== undefined ? { durationMs: overrides.manifestRunMs } : {}) });
  } else {
    if (overrides.nodes !== undefined) throw new InputError(`--nodes: ${file} is a scenario (its nodes are in the file); --nodes is for a Kubernetes manifest file`);
    try {
      const reader = manifestFileReader(file, limits);
      const record = overrides.manifestFiles;
      scenario = parseScenario(text, file, {
        ...parseOptions,
        readManifestFile: (ref) => {
          const read = reader(ref);
          if (record) record[ref] = read;
          return read;
        },
      });
    } catch (e) {
      // Handed a snapshot or a trace: name the mix-up rather than the first unknown field.
      const mixUp = e instanceof InputError ? mixUpMessage(file, documentKind(text), 'scenario') : undefined;
      throw mixUp !== undefined ? new InputError(mixUp) : e;
    }
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

