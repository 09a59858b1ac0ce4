/**
 * `--workers N` of every command that runs worker threads (compare, fuzz, experiment fgd): one
 * parser and one cap. More threads than this only cost memory (each worker holds its own
 * TypeScript loader and heap: `fuzz --workers 1000` took ~400 threads and 5 GB and never finished).
 */
import { availableParallelism } from 'node:os';
import { InputError } from '../core/errors.js';
import { MAX_WORKERS } from '../pool/pool.js';

export { MAX_WORKERS };

/**
 * Parses `--workers`: an integer from `min` (0 = run in this thread, where the command allows it)
 * to MAX_WORKERS; absent, one per core.
 */
export function parseWorkerCount(v: string | undefined, min: 0 | 1 = 0): number {
  if (v === undefined) return Math.max(1, availableParallelism());
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > MAX_WORKERS) {
    throw new InputError(`--workers: expected an integer from ${min} to ${MAX_WORKERS}, got ${JSON.stringify(v)}`);
  }
  return Number(v);
}
