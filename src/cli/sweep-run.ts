/**
 * The sweep flags shared by compare, fuzz and experiment: `--shard I/N` (run one shard, write its
 * bundle), `--queue URL` (run the sweep on `slipway worker`s through Redis, write the outputs)
 * and `--emit-k8s-job FILE` (write the sweep as Kubernetes Indexed Jobs, run nothing);
 * `sweepRows` does what they ask: undefined for a local run (the command runs it its own way),
 * the command's exit code otherwise.
 */
import cliProgress from 'cli-progress';
import { join } from 'node:path';
import { InputError } from '../core/errors.js';
import { siblingModule } from '../module-url.js';
import { runPool } from '../pool/pool.js';
import { withSignals } from './signals.js';
import { makeBundle, writeBundle } from '../sweep/bundle.js';
import { inputsHash, type SweepKind } from '../sweep/kind.js';
import { sweepJobsYaml } from '../sweep/k8s-job.js';
import { formatShard, parseShard, shardIndices } from '../sweep/shard.js';
import { SLIPWAY_VERSION } from '../version.js';
import { parseQueueUrl } from '../sweep/queue-url.js';
import { EXIT_OK } from './errors.js';
import { prepareOutput, writeOutput } from './output.js';
import type { SweepTask } from './sweep-worker.js';
import type { SweepFlags } from './sweep-flags.js';

export type { SweepFlags } from './sweep-flags.js';

function count(flag: string, v: string | undefined, dflt: number, min: number): number {
  if (v === undefined) return dflt;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > 100_000) throw new InputError(`${flag}: expected an integer from ${min} to 100000, got "${v}"`);
  return Number(v);
}

/** Flags of the sweep's own command line that the Job's command does not carry (they take a value unless listed in BOOLEAN). */
const DROPPED = new Set(['--out', '--workers', '--shard', '--queue', '--emit-k8s-job', '--k8s-shards', '--k8s-parallelism', '--k8s-backoff-limit-per-index', '--k8s-image', '--k8s-claim', '--k8s-name', '--json']);
const BOOLEAN = new Set(['--json']);

/** The command line `args` (after `slipway`) without the flags of this run only (output, workers, sweep modes). */
export function sweepArgs(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const name = a.split('=')[0];
    if (DROPPED.has(name)) {
      if (!a.includes('=') && !BOOLEAN.has(name)) i++;
      continue;
    }
    out.push(a);
  }
  return out;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export interface SweepRunOptions<S, R> {
  readonly kind: SweepKind<S, R>;
  readonly spec: S;
  readonly flags: SweepFlags & { readonly workers?: string };
  readonly out: string;
  readonly workers: number;
  /** `--json` of compare and fuzz (a queue sweep prints what the local run prints). */
  readonly json?: boolean;
  /** The command line after `slipway` (process.argv.slice(2)), for the Job's command. */
  readonly argv: readonly string[];
}

/**
 * Checks the sweep flags (one mode at most) before anything runs; InputError on a bad value.
 * Returns the mode.
 */
export function sweepMode(flags: SweepFlags & { readonly workers?: string }): 'local' | 'shard' | 'queue' | 'k8s' {
  const modes = [flags.shard !== undefined && '--shard', flags.queue !== undefined && '--queue', flags.emitK8sJob !== undefined && '--emit-k8s-job'].filter(Boolean);
  if (modes.length > 1) throw new InputError(`${modes.join(' and ')}: choose one`);
  const k8sOnly = (['k8sShards', 'k8sParallelism', 'k8sBackoffLimitPerIndex', 'k8sImage', 'k8sClaim', 'k8sName'] as const).find((k) => flags[k] !== undefined);
  if (k8sOnly && flags.emitK8sJob === undefined) throw new InputError(`--${k8sOnly.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())}: only with --emit-k8s-job`);
  if (flags.shard !== undefined) {
    parseShard(flags.shard);
    return 'shard';
  }
  if (flags.queue !== undefined) {
    parseQueueUrl(flags.queue);
    if (flags.workers !== undefined) throw new InputError('--workers: not with --queue (the runs run on slipway worker --queue processes; give them --concurrency)');
    return 'queue';
  }
  if (flags.emitK8sJob !== undefined) return 'k8s';
  return 'local';
}

/** Runs `indices` of the sweep in worker threads (or here with workers 0), rows in index order. */
export async function runIndices<S, R>(o: { kind: SweepKind<S, R>; spec: S; indices: readonly number[]; workers: number; keys: readonly string[]; onDone?: (done: number) => void }): Promise<R[]> {
  const hash = inputsHash({ kind: o.kind.name, spec: o.spec });
  let inline: ((i: number) => Promise<R>) | undefined;
  return withSignals('the sweep', (signal) => runPool<SweepTask, R>({
    signal,
    entry: siblingModule('sweep-worker', import.meta.url),
    tasks: o.indices.map((index) => ({ kind: o.kind.name, hash, spec: o.spec, index })),
    workers: o.workers,
    inline: async (t) => (inline ??= await o.kind.prepare(o.spec))(t.index),
    describe: (t) => `run ${t.index} (${o.keys[t.index]})`,
    onResult: (_r, _i, done) => o.onDone?.(done),
  }));
}

function progressBar(label: string, total: number) {
  if (!process.stderr.isTTY) return undefined;
  const bar = new cliProgress.SingleBar({ format: `${label} [{bar}] {value}/{total} runs | {duration_formatted}`, stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic);
  bar.start(total, 0);
  return bar;
}

/**
 * Does what the sweep flags ask: undefined for a local run (the caller runs it its own way); for
 * a shard or a manifest it writes it and prints where; for a queue it runs the sweep on the
 * queue's workers and writes the outputs. Returns the command's exit code then.
 */
export async function sweepRows<S, R>(o: SweepRunOptions<S, R>): Promise<number | undefined> {
  const mode = sweepMode(o.flags);
  if (mode === 'local') return undefined;
  if (mode === 'queue') return (await import('./sweep-queue.js')).queueSweep({ url: o.flags.queue!, kind: o.kind, spec: o.spec, out: o.out, json: o.json });
  const keys = o.kind.keys(o.spec);
  const hash = inputsHash({ kind: o.kind.name, spec: o.spec });
  if (mode === 'shard') {
    const shard = parseShard(o.flags.shard!);
    const indices = shardIndices(keys.length, shard);
    prepareOutput('--out', o.out, 'dir');
    const bar = progressBar(`shard ${formatShard(shard)}`, indices.length);
    let rows: R[];
    try {
      rows = await runIndices({ kind: o.kind, spec: o.spec, indices, workers: o.workers, keys, onDone: (d) => bar?.update(d) });
    } finally {
      bar?.stop();
    }
    const path = writeBundle(o.out, makeBundle({ version: SLIPWAY_VERSION, kind: o.kind.name, spec: o.spec, keys, shard, rows }));
    process.stdout.write(`shard ${formatShard(shard)}: ${indices.length} of ${keys.length} runs (${hash.slice(0, 19)}…) → ${path}\nmerge every shard's folder with: slipway merge DIR... --out DIR\n`);
    return EXIT_OK;
  }
  {
    const file = o.flags.emitK8sJob!;
    prepareOutput('--emit-k8s-job', file, 'file');
    const completions = count('--k8s-shards', o.flags.k8sShards, 4, 1);
    const parallelism = count('--k8s-parallelism', o.flags.k8sParallelism, completions, 1);
    const backoffLimitPerIndex = count('--k8s-backoff-limit-per-index', o.flags.k8sBackoffLimitPerIndex, 2, 0);
    const name = o.flags.k8sName ?? `slipway-${o.kind.name.replace(/^experiment /, '')}-${hash.slice(7, 15)}`;
    if (!DNS_LABEL.test(name) || name.length > 57) throw new InputError(`--k8s-name: "${name}" is not a DNS label of at most 57 characters (a-z, 0-9, -)`);
    const yaml = sweepJobsYaml({
      name,
      image: o.flags.k8sImage ?? `slipway:${SLIPWAY_VERSION}`,
      claim: o.flags.k8sClaim ?? 'slipway-sweep',
      workDir: '/sweep',
      completions,
      parallelism,
      backoffLimitPerIndex,
      command: ['slipway', ...sweepArgs(o.argv)],
      bundlesDir: join('bundles', name),
      resultsDir: join('results', name),
      labels: { 'slipway.dev/sweep': hash.slice(7, 47) },
    });
    writeOutput(file, yaml);
    process.stdout.write(`wrote ${file}: Job ${name} (${completions} shards of ${keys.length} runs) and Job ${name}-merge (suspended)\nrun it: kubectl apply -f ${file} (the file's header lists the commands)\n`);
    return EXIT_OK;
  }
}
