/**
 * Shards of a sweep (the Playwright `--shard I/N` model). A sweep's runs are listed in one
 * deterministic order (each kind's `keys`); shard I of N (1-based) takes every run whose index i
 * has `i mod N = I − 1`. Interleaving rather than contiguous blocks spreads a slow policy or
 * workload over every shard.
 */
import { InputError } from '../core/errors.js';

/** Shard I of N, 1 ≤ I ≤ N. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** The most shards a sweep can be split into. */
export const MAX_SHARDS = 10_000;

/**
 * `--shard I/N`. I is 1..N, or the name of an environment variable holding a **0-based** index
 * (Kubernetes' `JOB_COMPLETION_INDEX`), so an Indexed Job's pods can all run one command.
 * InputError (exit 2) naming the flag and value otherwise.
 */
export function parseShard(value: string, env: NodeJS.ProcessEnv = process.env): Shard {
  const m = /^([1-9]\d*|[A-Za-z_][A-Za-z0-9_]*)\/([1-9]\d*)$/.exec(value);
  if (!m) throw new InputError(`--shard: expected I/N with 1 ≤ I ≤ N (e.g. 2/4), or VAR/N with VAR an environment variable holding a 0-based index, got "${value}"`);
  const count = Number(m[2]);
  if (count > MAX_SHARDS) throw new InputError(`--shard: at most ${MAX_SHARDS} shards, got ${count}`);
  let index: number;
  if (/^\d/.test(m[1])) index = Number(m[1]);
  else {
    const raw = env[m[1]];
    if (raw === undefined) throw new InputError(`--shard ${value}: the environment variable ${m[1]} is not set`);
    if (!/^\d+$/.test(raw)) throw new InputError(`--shard ${value}: ${m[1]}="${raw}" is not a 0-based index`);
    index = Number(raw) + 1;
  }
  if (index > count) throw new InputError(`--shard ${value}: shard ${index} of ${count} does not exist (1 ≤ I ≤ N)`);
  return { index, count };
}

/** The run indices of `shard` among `total` runs, ascending. */
export function shardIndices(total: number, shard: Shard): number[] {
  const out: number[] = [];
  for (let i = shard.index - 1; i < total; i += shard.count) out.push(i);
  return out;
}

export function formatShard(s: Shard): string {
  return `${s.index}/${s.count}`;
}
