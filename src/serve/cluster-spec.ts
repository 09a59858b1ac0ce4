/**
 * The scenario format is the one source of truth for nodes, control-plane timings, schedulers and
 * workloads: the daemon's config keys `nodes`, `controlPlane`, `scheduler` and every workload sent
 * to the API are checked by the scenario loader itself. They are wrapped in a minimal scenario
 * document, loaded, and any problem is placed back where it came from (the config file's
 * FILE:LINE:COL, or the field of the request body).
 */
import { InputError } from '../core/errors.js';
import { WorkloadEntryError, parseWorkloadEntry } from '../scenario/loader.js';
import { parseScenario } from '../run/parse-scenario.js';
import { pathOfMessage } from '../scenario/yaml-errors.js';
import { formatPath, type PathSegment } from '../scenario/schema.js';
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
    ...(raw.cluster !== undefined ? { cluster: raw.cluster } : {}),
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
 * scenario format's own workload schema and rules (`parseWorkloadEntry`: no scenario is built, so
 * an apply costs a zod parse of the spec, not a YAML parse of a wrapped scenario).
 * `priorityClasses` are the names `placement.priorityClassName` may use.
 * Throws SpecError naming the field; the message starts with it.
 */
export function parseWorkloadSpec(spec: unknown, priorityClasses?: Readonly<Record<string, number>>): WorkloadDef {
  if (typeof spec === 'object' && spec !== null && !Array.isArray(spec) && 'at' in spec) {
    throw new SpecError('at', ['at'], 'at: not used by the API (a workload is applied when it is sent); remove it');
  }
  try {
    return parseWorkloadEntry(spec, priorityClasses ? { priorityClasses } : {});
  } catch (e) {
    if (!(e instanceof WorkloadEntryError)) throw e;
    // `unknown key "x" in containers[0]; did you mean ...`: the field is the key.
    if (e.at === 'key') {
      const parent = e.path.slice(0, -1);
      const lead = `unknown key ${JSON.stringify(String(e.path[e.path.length - 1]))} ${parent.length > 0 ? `in ${formatPath(parent)}` : 'at the top level'}`;
      if (e.message.startsWith(lead)) {
        const field = fieldOf(e.path);
        throw new SpecError(field, e.path, `${field}: unknown key${e.message.slice(lead.length)}`);
      }
    }
    // The field is the path the message starts with (the problem may point deeper, at a value).
    const path = e.path.length === 0 ? [] : pathOfMessage(e.message) ?? e.path;
    throw new SpecError(fieldOf(path), path, e.message);
  }
}
