/**
 * Result bundles: what one shard of a sweep writes (`OUT/bundle-I-of-N.json`), and the merge that
 * turns a set of them back into the whole sweep's rows — or names, in one line, why the set is
 * not one sweep (another sweep's inputs, another Slipway version, a gap, an overlap, a duplicate
 * that differs).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { InputError } from '../core/errors.js';
import { writeFileDurable } from '../engine/durable-file.js';
import { inputsHash, type SweepKind } from './kind.js';
import { formatShard, shardIndices, type Shard } from './shard.js';

export const BUNDLE_FORMAT = 'slipway-sweep-bundle/1';

/** One run's row in a bundle. */
export interface BundleRow {
  readonly index: number;
  readonly key: string;
  readonly row: unknown;
}

export interface Bundle {
  readonly format: typeof BUNDLE_FORMAT;
  /** The Slipway version that ran the shard. */
  readonly slipway: string;
  readonly kind: string;
  /** `inputsHash({ kind, spec })`. */
  readonly inputsHash: string;
  readonly spec: unknown;
  /** Runs in the whole sweep. */
  readonly runs: number;
  readonly shard: Shard;
  /** The keys of the runs this bundle covers, in run order. */
  readonly keys: readonly string[];
  readonly rows: readonly BundleRow[];
}

const bundleSchema = z.object({
  format: z.literal(BUNDLE_FORMAT),
  slipway: z.string(),
  kind: z.string(),
  inputsHash: z.string(),
  spec: z.unknown(),
  runs: z.number().int().nonnegative(),
  shard: z.object({ index: z.number().int().positive(), count: z.number().int().positive() }),
  keys: z.array(z.string()),
  rows: z.array(z.object({ index: z.number().int().nonnegative(), key: z.string(), row: z.unknown() })),
});

/** The file name of shard I of N's bundle: several shards can share one output folder. */
export function bundleFileName(shard: Shard): string {
  return `bundle-${shard.index}-of-${shard.count}.json`;
}

export function makeBundle(o: { version: string; kind: string; spec: unknown; keys: readonly string[]; shard: Shard; rows: readonly unknown[] }): Bundle {
  const indices = shardIndices(o.keys.length, o.shard);
  if (indices.length !== o.rows.length) throw new Error(`bundle: ${o.rows.length} rows for ${indices.length} runs`);
  return {
    format: BUNDLE_FORMAT,
    slipway: o.version,
    kind: o.kind,
    inputsHash: inputsHash({ kind: o.kind, spec: o.spec }),
    spec: o.spec,
    runs: o.keys.length,
    shard: o.shard,
    keys: indices.map((i) => o.keys[i]),
    rows: indices.map((index, k) => ({ index, key: o.keys[index], row: o.rows[k] })),
  };
}

/** Writes the bundle atomically into `dir`; returns its path. */
export function writeBundle(dir: string, bundle: Bundle): string {
  const path = join(dir, bundleFileName(bundle.shard));
  writeFileDurable(path, JSON.stringify(bundle) + '\n');
  return path;
}

/** A bundle and the file it came from. */
export interface BundleFile {
  readonly path: string;
  readonly bundle: Bundle;
}

/**
 * The bundles named by `args`: each a bundle file, or a folder whose `bundle-*.json` files are
 * read (in name order). InputError naming the path when one is missing or not a bundle.
 */
export function readBundles(args: readonly string[]): BundleFile[] {
  const files: string[] = [];
  for (const a of args) {
    let isDir: boolean;
    try {
      isDir = statSync(a).isDirectory();
    } catch {
      throw new InputError(`${a}: no such file or directory`);
    }
    if (!isDir) {
      files.push(a);
      continue;
    }
    const found = readdirSync(a)
      .filter((f) => /^bundle-\d+-of-\d+\.json$/.test(f))
      .sort((x, y) => x.localeCompare(y, 'en', { numeric: true }));
    if (found.length === 0) throw new InputError(`${a}: no sweep bundle in this folder (a shard writes bundle-I-of-N.json into its --out)`);
    files.push(...found.map((f) => join(a, f)));
  }
  return files.map((path) => ({ path, bundle: parseBundle(path) }));
}

function parseBundle(path: string): Bundle {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new InputError(`${path}: not a sweep bundle: ${e instanceof SyntaxError ? 'not JSON' : (e as Error).message}`);
  }
  const r = bundleSchema.safeParse(data);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new InputError(`${path}: not a sweep bundle: ${issue.path.join('.') || '(top)'}: ${issue.message}`);
  }
  return r.data as Bundle;
}

/** The merged sweep: its kind and spec, and every run's row in run order. */
export interface MergedSweep {
  readonly kind: SweepKind;
  readonly spec: unknown;
  readonly rows: unknown[];
  /** Duplicate rows (identical) that were dropped. */
  readonly duplicates: number;
}

function listRuns(indices: readonly number[], keys: readonly string[], max = 3): string {
  const shown = indices.slice(0, max).map((i) => `${i} (${keys[i]})`);
  return shown.join(', ') + (indices.length > max ? `, … ${indices.length - max} more` : '');
}

/**
 * Checks that `files` are the shards of one sweep and returns its rows. InputError, one line, when:
 * a bundle's kind is unknown; versions differ (from each other or from `version`); inputs differ;
 * a bundle is not what its shard should hold; two bundles of different shards cover one run
 * (overlap); two copies of one shard differ on a run; some run is in no bundle (gap).
 * Copies of one shard whose rows are identical are tolerated (a shard that ran twice).
 */
export function mergeBundles(files: readonly BundleFile[], kinds: readonly SweepKind[], version: string): MergedSweep {
  if (files.length === 0) throw new InputError('merge: no bundles given');
  const first = files[0];
  const kind = kinds.find((k) => k.name === first.bundle.kind);
  if (!kind) throw new InputError(`${first.path}: unknown sweep kind "${first.bundle.kind}" (known: ${kinds.map((k) => k.name).join(', ')})`);
  for (const f of files) {
    const b = f.bundle;
    if (b.slipway !== version) throw new InputError(`${f.path}: made by Slipway ${b.slipway}, this is ${version}: merge with the version that ran the shards`);
    if (b.kind !== first.bundle.kind) throw new InputError(`${f.path}: a ${b.kind} sweep, but ${first.path} is a ${first.bundle.kind} sweep: different inputs`);
    if (b.inputsHash !== first.bundle.inputsHash) {
      throw new InputError(`${f.path}: different inputs than ${first.path} (${b.inputsHash.slice(0, 19)}… vs ${first.bundle.inputsHash.slice(0, 19)}…): not shards of one sweep`);
    }
    if (inputsHash({ kind: b.kind, spec: b.spec }) !== b.inputsHash) throw new InputError(`${f.path}: its spec does not match its inputsHash (the file was edited or damaged)`);
  }
  const spec = first.bundle.spec;
  const keys = kind.keys(spec);
  // Dense (Array.from, not new Array): a hole would be skipped by flatMap below and hide a gap.
  const owner: Array<{ file: BundleFile; row: BundleRow } | undefined> = Array.from({ length: keys.length }, () => undefined);
  let duplicates = 0;
  for (const f of files) {
    const b = f.bundle;
    const expected = shardIndices(keys.length, b.shard);
    if (b.runs !== keys.length || b.shard.index > b.shard.count || b.rows.length !== expected.length || b.rows.some((r, k) => r.index !== expected[k] || r.key !== keys[r.index])) {
      throw new InputError(`${f.path}: does not hold the runs of shard ${formatShard(b.shard)} (${expected.length} of ${keys.length}): the file was edited or damaged`);
    }
    for (const r of b.rows) {
      const prev = owner[r.index];
      if (!prev) {
        owner[r.index] = { file: f, row: r };
        continue;
      }
      const ps = prev.file.bundle.shard;
      if (ps.index !== b.shard.index || ps.count !== b.shard.count) {
        throw new InputError(
          `overlap: run ${r.index} (${r.key}) is in ${prev.file.path} (shard ${formatShard(ps)}) and ${f.path} (shard ${formatShard(b.shard)}): merge the shards of one split`,
        );
      }
      if (JSON.stringify(prev.row.row) !== JSON.stringify(r.row)) {
        throw new InputError(`duplicate shard ${formatShard(b.shard)} differs: run ${r.index} (${r.key}) in ${prev.file.path} and ${f.path} has different results`);
      }
      duplicates++;
    }
  }
  const missing = owner.flatMap((o, i) => (o ? [] : [i]));
  if (missing.length > 0) {
    const counts = [...new Set(files.map((f) => f.bundle.shard.count))];
    const present = new Set(files.map((f) => f.bundle.shard.index));
    const which =
      counts.length === 1
        ? ` (missing shard${Array.from({ length: counts[0] }, (_, i) => i + 1).filter((i) => !present.has(i)).length > 1 ? 's' : ''} ${Array.from({ length: counts[0] }, (_, i) => i + 1)
            .filter((i) => !present.has(i))
            .map((i) => `${i}/${counts[0]}`)
            .join(', ')})`
        : '';
    throw new InputError(`gap: ${missing.length} of ${keys.length} runs are in no bundle${which}: run ${listRuns(missing, keys)}`);
  }
  return { kind, spec, rows: owner.map((o) => o!.row.row), duplicates };
}
