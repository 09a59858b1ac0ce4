/**
 * `slipway apply -f FILE`: one workload (a mapping with containers), a list of them, or a
 * scenario's `workloads:` (their `at` is dropped: a daemon applies when it is told). Each is sent
 * to POST /v1/workloads; the daemon's field errors are placed back in the file (FILE:LINE:COL).
 */
import { readFileSync } from 'node:fs';
import { InputError } from '../../core/errors.js';
import { didYouMean } from '../../core/suggest.js';
import { unreadable } from '../input-file.js';
import { pathOfMessage, parseYamlDocument } from '../../scenario/yaml-errors.js';
import { describeValue, isMapping, type PathSegment } from '../../scenario/schema.js';
import { parseWorkloadSpec, SpecError } from '../../serve/cluster-spec.js';
import { ApiFailure, clientCommand, connect, safe, type ClientFlags } from './api-client.js';

export interface ApplyFlags extends ClientFlags {
  readonly file: string;
  readonly dryRun?: string;
  /** --dry-run=sim: simulated time after the change (default 10m). */
  readonly horizon?: string;
  /** --dry-run=sim: the simulation's seed. */
  readonly seed?: string;
  /** --dry-run=sim: print the whole result as JSON. */
  readonly json?: boolean;
}

interface SimulateAnswer {
  converged: boolean;
  convergedAfterMs?: number;
  horizonMs: number;
  pending: Array<{ workload: string; pending: number; reason: string }>;
  liveness: { failures: string[]; capacity: string[] };
  stopped: string[];
  started: string[];
  traceHash: string;
  replay: string;
  violation?: string;
}

/** `--dry-run=sim`: the file's workloads applied in the simulator on a snapshot of the cluster; exit 1 when it does not converge. */
async function simulateApply(items: readonly Item[], flags: ApplyFlags): Promise<number> {
  if (flags.seed !== undefined && !/^\d+$/.test(flags.seed)) throw new InputError(`--seed: expected a non-negative integer, got ${JSON.stringify(flags.seed)}`);
  const client = connect(flags);
  return clientCommand(async () => {
    const r = await client.request<SimulateAnswer>('POST', '/v1/simulate', {
      changes: items.map((it) => ({ kind: 'apply', workload: it.spec })),
      ...(flags.horizon !== undefined ? { horizon: flags.horizon } : {}),
      ...(flags.seed !== undefined ? { seed: Number(flags.seed) } : {}),
    });
    if (flags.json) {
      process.stdout.write(JSON.stringify(r, null, 2) + '\n');
      return r.converged ? 0 : 1;
    }
    const lines = [
      `simulated (nothing applied): ${r.converged ? `converges ${((r.convergedAfterMs ?? 0) / 1000).toFixed(1)}s after the apply` : `does NOT converge within ${r.horizonMs / 1000}s`}`,
      ...r.pending.map((p) => `  pending: ${safe(p.workload)}: ${p.pending} instance(s): ${safe(p.reason)}`),
      ...r.liveness.capacity.map((c) => `  ${safe(c)}`),
      ...r.liveness.failures.map((f) => `  failure: ${safe(f)}`),
      ...(r.violation ? [`  invariant violated: ${safe(r.violation)}`] : []),
      `  instances stopped: ${r.stopped.length}, started: ${r.started.length}`,
      `  trace sha256 ${r.traceHash}`,
      `  replay (on the daemon's machine): ${safe(r.replay)}`,
    ];
    process.stdout.write(lines.join('\n') + '\n');
    return r.converged ? 0 : 1;
  });
}

interface Item {
  readonly spec: Record<string, unknown>;
  readonly path: readonly PathSegment[];
}

/** The workloads a file holds, with where each is in it. */
export function workloadsOf(raw: unknown, where: (p: readonly PathSegment[]) => string): Item[] {
  const item = (v: unknown, path: PathSegment[]): Item => {
    if (!isMapping(v)) throw new InputError(`${where(path)}: expected a workload (a mapping with name and containers), got ${describeValue(v)}`);
    const { at: _at, ...spec } = v;
    return { spec, path };
  };
  if (Array.isArray(raw)) return raw.map((v, i) => item(v, [i]));
  if (isMapping(raw) && Array.isArray(raw.workloads)) return raw.workloads.map((v, i) => item(v, ['workloads', i]));
  if (isMapping(raw) && raw.workloads !== undefined) throw new InputError(`${where(['workloads'])}: workloads: expected a list, got ${describeValue(raw.workloads)}`);
  if (isMapping(raw)) return [item(raw, [])];
  throw new InputError(`${where([])}: expected a workload, a list of workloads, or a scenario with workloads:, got ${describeValue(raw)}`);
}

export async function runApply(flags: ApplyFlags): Promise<number> {
  const file = flags.file;
  let text: string;
  try {
    text = file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8');
  } catch (e) {
    throw unreadable(file, e);
  }
  const name = file === '-' ? '<stdin>' : file;
  const doc = parseYamlDocument(text, name);
  const items = workloadsOf(doc.raw, (p) => doc.where(p));
  if (items.length === 0) throw new InputError(`${name}: no workloads in the file`);
  const place = (it: Item, field: string, message: string): never => {
    const inner = field === '' ? [] : pathOfMessage(`${field}: `) ?? [];
    throw new InputError(`${doc.where([...it.path, ...inner])}: ${message}`);
  };
  if (flags.dryRun !== undefined && flags.dryRun !== 'client' && flags.dryRun !== 'sim') throw new InputError(`--dry-run: unknown mode ${JSON.stringify(flags.dryRun)}${didYouMean(flags.dryRun, ['client', 'sim'])} (client, sim)`);
  if (flags.dryRun !== 'sim' && (flags.horizon !== undefined || flags.seed !== undefined || flags.json)) throw new InputError('--horizon, --seed and --json go with --dry-run=sim');
  // Every workload is checked before any is sent: a bad file changes nothing.
  for (const it of items) {
    try {
      parseWorkloadSpec(it.spec);
    } catch (e) {
      if (e instanceof SpecError) place(it, e.field, e.message);
      throw e;
    }
  }
  if (flags.dryRun === 'sim') return simulateApply(items, flags);
  if (flags.dryRun !== undefined) {
    for (const it of items) process.stdout.write(`workload/${safe(it.spec.name)} valid (dry run)\n`);
    return 0;
  }
  const client = connect(flags);
  return clientCommand(async () => {
    for (const it of items) {
      try {
        const before = await client.request<{ revision: number; generation: number }>('GET', `/v1/workloads/${encodeURIComponent(String(it.spec.name))}`).catch((e) => {
          if (e instanceof ApiFailure && e.status === 404) return undefined;
          throw e;
        });
        const r = await client.request<{ name: string; revision: number; generation: number }>('POST', '/v1/workloads', { spec: it.spec });
        const verb = before === undefined ? 'created' : r.revision === before.revision ? 'unchanged' : 'configured';
        process.stdout.write(`workload/${safe(r.name)} ${verb}\n`);
      } catch (e) {
        if (e instanceof ApiFailure && e.status === 400 && e.problem.field?.startsWith('spec')) {
          const field = e.problem.field.replace(/^spec\.?/, '');
          place(it, field, e.message.replace(/^spec\./, ''));
        }
        throw e;
      }
    }
    return 0;
  });
}
