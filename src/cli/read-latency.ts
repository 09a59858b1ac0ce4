/**
 * Reading a latency model file (what `slipway calibrate` writes): a YAML mapping with a
 * `latency:` block in the scenario format. Only the keys the file gives replace the scenario's.
 */
import { parse } from 'yaml';
import { checkYamlDepth } from '../scenario/yaml-depth.js';
import { InputError } from '../core/errors.js';
import { readInputFile } from './input-file.js';
import { parseScenario } from '../run/parse-scenario.js';
import type { LatencyModel } from '../scenario/types.js';

const KEYS = ['imagePull', 'create', 'start', 'stop', 'network'] as const;

export function readLatency(file: string): Partial<LatencyModel> {
  const text = readInputFile(file);
  checkYamlDepth(text, file, (line) => {
    throw new InputError(line);
  });
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw new InputError(`${file}: not YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  const latency = (doc as { latency?: unknown } | null)?.latency;
  if (typeof latency !== 'object' || latency === null || Array.isArray(latency))
    throw new InputError(`${file}: expected a mapping with a latency: block (as slipway calibrate writes)`);
  const given = KEYS.filter((k) => k in latency);
  // Validate with the scenario loader: the file becomes the tail of a minimal scenario, and error
  // positions are moved back by the lines put in front of it.
  const head = 'name: latency-file\nduration: 1s\nnodes: [{name: n, capacity: {cpu: 1, memory: 1Gi}}]\n';
  const offset = head.split('\n').length - 1;
  let parsed;
  try {
    parsed = parseScenario(head + text, file);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    throw new InputError(e.message.replace(/^([^:\n]+):(\d+):/gm, (_m, f: string, line: string) => `${f}:${Number(line) - offset}:`));
  }
  const out: Partial<Record<(typeof KEYS)[number], LatencyModel[(typeof KEYS)[number]]>> = {};
  for (const k of given) out[k] = parsed.latency[k];
  return out as Partial<LatencyModel>;
}
