/**
 * `slipway merge DIR... --out DIR`: joins the result bundles of a sharded sweep (compare, fuzz
 * or an experiment run with `--shard I/N`) and writes the outputs the unsharded run writes, byte
 * for byte. Bundles that are not one sweep are bad input: one line naming the problem, exit 2.
 */
import { mergeBundles, readBundles } from '../sweep/bundle.js';
import { SLIPWAY_VERSION } from '../version.js';
import { prepareOutput } from './output.js';
import { SWEEP_KINDS } from './sweep-kinds.js';
import { writeSweepOutputs } from './sweep-outputs.js';

export interface MergeFlags {
  readonly out: string;
  readonly json?: boolean;
}

export async function mergeCommand(dirs: readonly string[], flags: MergeFlags): Promise<number> {
  const merged = mergeBundles(readBundles(dirs), SWEEP_KINDS, SLIPWAY_VERSION);
  prepareOutput('--out', flags.out, 'dir');
  const how = `merged from ${dirs.length} argument${dirs.length === 1 ? '' : 's'}${merged.duplicates ? ` (${merged.duplicates} duplicate row${merged.duplicates === 1 ? '' : 's'} were identical and counted once)` : ''}`;
  return writeSweepOutputs(merged.kind.name, merged.spec, merged.rows, flags.out, { json: flags.json, how });
}
