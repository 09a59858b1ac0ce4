/**
 * The scenario format is the one source of truth for nodes, control-plane timings, schedulers and
 * workloads: the daemon's config keys `nodes`, `controlPlane`, `scheduler` and every workload sent
 * to the API are checked by the scenario loader itself. They are wrapped in a minimal scenario
 * document, loaded, and any problem is placed back where it came from (the config file's
 * FILE:LINE:COL, or the field of the request body).
 */
import { InputError } from '../core/errors.js';
import { parseScenario } from '../scenario/loader.js';
import { pathOfMessage } from '../scenario/yaml-errors.js';
import type { PathSegment } from '../scenario/schema.js';
import type { Scenario, WorkloadDef } from '../scenario/types.js';
import type { ServeConfig } from './config.js';

/** Four simulated nodes of 8 CPUs and 32 GiB: what `slipway serve` runs on with no config. */
export const DEFAULT_SIM_NODES = [{ name: 'node-{i}', count: 4, capacity: { cpu: 8, memory: '32Gi' } }];
export const DEFAULT_SERVE_SCHEDULER = 'default';

const SYNTHETIC = '<config>';

/** Splits `FILE:LINE:COL: rest` from a loader message. */
function restOf(message: string): string {
  const m = /^<[a-z]+>:\d+:\d+: (.*)$/s.exec(message);
  return m ? m[1] : message;
}

/** The cluster the daemon runs: its config's cluster keys as a scenario (no workloads). */
export function clusterScenario(config: ServeConfig): Scenario {
  const raw = config.cluster.raw;
  const doc = {
    name: 'slipway-serve',
    duration: '1h',
    seed: config.seed,
    nodes: raw.nodes ?? DEFAULT_SIM_NODES,
    ...(raw.controlPlane !== undefined ? { controlPlane: raw.controlPlane } : {}),
    scheduler: raw.scheduler ?? DEFAULT_SERVE_SCHEDULER,
  };
  try {
    return parseScenario(JSON.stringify(doc), SYNTHETIC);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    const rest = restOf(e.message);
    const path = pathOfMessage(rest);
    const where = config.cluster.where;
    const at = where && path ? where(path) : config.cluster.file ?? 'config';
    throw new InputError(`${at}: ${rest}`);
  }
}

/** A workload spec the API refused: the field (a path inside the spec) and why. */
export class SpecError extends Error {
  constructor(readonly field: string, readonly path: readonly PathSegment[], message: string) {
    super(message);
    this.name = 'SpecError';
  }
}

/** Formats a path as `containers[0].image`. */
export function fieldOf(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out === '' ? String(seg) : `.${seg}`;
  return out;
}

/**
 * Checks one workload spec (the scenario format's `workloads:` entry, without `at`) with the
 * scenario loader. `priorityClasses` are the names `placement.priorityClassName` may use.
 * Throws SpecError naming the field; the message starts with it.
 */
export function parseWorkloadSpec(spec: unknown, priorityClasses?: Readonly<Record<string, number>>): WorkloadDef {
  if (typeof spec === 'object' && spec !== null && !Array.isArray(spec) && 'at' in spec) {
    throw new SpecError('at', ['at'], 'at: not used by the API (a workload is applied when it is sent); remove it');
  }
  const doc = {
    name: 'api',
    duration: '1h',
    nodes: [{ name: 'n', capacity: { cpu: 1, memory: '1Gi' } }],
    // The checks of a workload do not depend on the scheduler; round-robin is the cheapest to set up.
    scheduler: 'round-robin',
    ...(priorityClasses ? { priorityClasses } : {}),
    workloads: [spec],
  };
  let s: Scenario;
  try {
    s = parseScenario(JSON.stringify(doc), '<body>');
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    let rest = restOf(e.message);
    const path = pathOfMessage(rest) ?? [];
    if (path[0] === 'workloads' && path[1] === 0) {
      const inner = path.slice(2);
      const field = fieldOf(inner);
      const prefix = fieldOf(path);
      rest = rest.startsWith(prefix) ? (field === '' ? rest.slice(prefix.length).replace(/^[.:]\s*/, '') : field + rest.slice(prefix.length)) : rest;
      throw new SpecError(field, inner, rest);
    }
    // `unknown key "x" in workloads[0].containers[0]; did you mean ...`: the field is the key.
    const unknown = /^unknown key "([^"]+)" in workloads\[0\]((?:\.[\w-]+|\[\d+\])*)(.*)$/s.exec(rest);
    if (unknown) {
      const inner = [...(pathOfMessage(`x${unknown[2]}: `) ?? ['x']).slice(1), unknown[1]];
      const field = fieldOf(inner);
      throw new SpecError(field, inner, `${field}: unknown key${unknown[3]}`);
    }
    const missing = path.length === 0 ? /missing required key "([^"]+)"/.exec(rest) : null;
    if (missing) throw new SpecError(missing[1], [missing[1]], `${missing[1]}: missing required key`);
    if (path[0] === 'workloads' || /workloads\[0\]/.test(rest) || path.length === 0)
      throw new SpecError('', [], /^expected a mapping/.test(rest) ? 'expected a workload mapping (name, containers, ...)' : rest.replace(/workloads\[0\]\.?/g, ''));
    throw new SpecError(fieldOf(path), path, rest);
  }
  return s.workloads[0];
}
