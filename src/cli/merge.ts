/**
 * `slipway merge DIR... --out DIR`: joins the result bundles of a sharded sweep (compare, fuzz
 * or an experiment run with `--shard I/N`) and writes the outputs the unsharded run writes, byte
 * for byte. Bundles that are not one sweep are bad input: one line naming the problem, exit 2.
 */
import { mergeBundles, readBundles } from '../sweep/bundle.js';
import { SLIPWAY_VERSION } from '../version.js';
import { prepareOutput } from './output.js';
import { SWEEP_KINDS, type CompareSpec, type FgdSpec, type FuzzSpec, type MembershipSpec } from './sweep-kinds.js';
import type { RunResult } from '../compare/run-one.js';
import type { CaseOutcome } from '../fuzz/run-case.js';
import type { JobResult } from '../gpu/study.js';
import type { StudyRow } from '../membership/study.js';

export interface MergeFlags {
  readonly out: string;
  readonly json?: boolean;
}

export async function mergeCommand(dirs: readonly string[], flags: MergeFlags): Promise<number> {
  const merged = mergeBundles(readBundles(dirs), SWEEP_KINDS, SLIPWAY_VERSION);
  prepareOutput('--out', flags.out, 'dir');
  const how = `merged from ${dirs.length} argument${dirs.length === 1 ? '' : 's'}${merged.duplicates ? ` (${merged.duplicates} duplicate row${merged.duplicates === 1 ? '' : 's'} were identical and counted once)` : ''}`;
  switch (merged.kind.name) {
    case 'compare':
      return (await import('./compare.js')).writeCompareOutputs(merged.spec as CompareSpec, merged.rows as RunResult[], flags.out, { json: flags.json, how });
    case 'fuzz':
      return (await import('./fuzz.js')).writeFuzzOutputs(merged.spec as FuzzSpec, merged.rows as CaseOutcome[], flags.out, { json: flags.json, how });
    case 'experiment fgd':
      return (await import('./experiment.js')).writeFgdOutputs(merged.spec as FgdSpec, merged.rows as JobResult[], flags.out);
    case 'experiment membership':
      return (await import('./experiment-membership.js')).writeMembershipOutputs(merged.spec as MembershipSpec, merged.rows as StudyRow[], flags.out);
    default:
      throw new Error(`merge: no writer for kind ${merged.kind.name}`);
  }
}
