/**
 * The live runner's state file (`--state FILE`), read and checked before a run trusts it. A corrupt,
 * empty or wrong-shaped file, or a folder, is bad input (InputError: one line naming the file and
 * the reason, exit 2) rather than a raw TypeError deep in the control plane.
 *
 * Format (version 1): `{"version":1,"workloads":[Workload...],"meta":{...}}`.
 */
import { readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import { InputError } from '../../src/core/errors.js';
import type { Workload } from '../../src/core/types.js';

const container = z.looseObject({ name: z.string().min(1), image: z.string() });

const workload = z.looseObject({
  id: z.string().min(1),
  name: z.string().min(1),
  kind: z.enum(['service', 'job']),
  replicas: z.number().int().min(0),
  completions: z.number().int().min(0),
  backoffLimit: z.number().int().min(0),
  containers: z.array(container).min(1),
  labels: z.record(z.string(), z.string()),
  priority: z.number().int(),
  restartPolicy: z.enum(['Always', 'OnFailure', 'Never']),
  updateStrategy: z.looseObject({ type: z.string(), maxSurge: z.number(), maxUnavailable: z.number() }),
  generation: z.number().int().min(1),
});

const meta = z.looseObject({
  origin: z.number().finite().optional(),
  applied: z.array(z.string()).optional(),
  finished: z.boolean().optional(),
  scenario: z.object({ name: z.string(), hash: z.string() }).optional(),
});

export const stateFileSchema = z.object({
  version: z.literal(1),
  workloads: z.array(workload),
  meta: meta.default({}),
});

export interface StateFile {
  readonly version: 1;
  readonly workloads: Workload[];
  readonly meta: Record<string, unknown>;
}

function where(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}

/** Reads and checks `path`; undefined when it does not exist (a new run). */
export function readStateFile(path: string): StateFile | undefined {
  const bad = (reason: string) => new InputError(`--state ${path}: ${reason}`);
  let text: string;
  try {
    if (statSync(path).isDirectory()) throw bad('is a directory, not a state file');
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof InputError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw bad(`cannot read: ${code === 'EACCES' || code === 'EPERM' ? 'permission denied' : String((e as Error).message).split('\n')[0]}`);
  }
  if (text.trim() === '') throw bad('the file is empty (not a Slipway state file; remove it to start a new run)');
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw bad(`not a Slipway state file: not JSON (${String((e as Error).message).split('\n')[0]})`);
  }
  const parsed = stateFileSchema.safeParse(data);
  if (!parsed.success) {
    const iss = parsed.error.issues[0];
    const at = where(iss.path);
    if (iss.path[0] === 'version' || typeof data !== 'object' || data === null || Array.isArray(data)) {
      const v = (data as { version?: unknown } | null)?.version;
      throw bad(`not a Slipway state file (expected {"version":1,"workloads":[...],"meta":{...}}${v !== undefined ? `, got version ${JSON.stringify(v)}` : ''})`);
    }
    throw bad(`not a valid state file: ${at ? `${at}: ` : ''}${iss.message}`);
  }
  return parsed.data as unknown as StateFile;
}
