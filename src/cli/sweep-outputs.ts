/**
 * Writes a sweep's outputs from its rows (run order) with the writer its local run uses, so a
 * merge of shards and a queue sweep write the same bytes as the local run. Each command's module
 * is imported only for its own kind.
 */
import type { RunResult } from '../compare/run-one.js';
import type { CaseOutcome } from '../fuzz/run-case.js';
import type { JobResult } from '../gpu/study.js';
import type { StudyRow } from '../membership/study.js';
import type { CompareSpec, FgdSpec, FuzzSpec, MembershipSpec } from './sweep-kinds.js';

export interface SweepOutputOptions {
  /** compare: print results.json instead of the table; fuzz: print summary.json. */
  readonly json?: boolean;
  /** How the runs ran, for the closing line (`merged from 3 arguments`, `on the queue ...`). */
  readonly how: string;
}

/** Returns the command's exit code (fuzz: 1 when a run failed). */
export async function writeSweepOutputs(kind: string, spec: unknown, rows: readonly unknown[], out: string, o: SweepOutputOptions): Promise<number> {
  switch (kind) {
    case 'compare':
      return (await import('./compare.js')).writeCompareOutputs(spec as CompareSpec, rows as RunResult[], out, o);
    case 'fuzz':
      return (await import('./fuzz.js')).writeFuzzOutputs(spec as FuzzSpec, rows as CaseOutcome[], out, o);
    case 'experiment fgd':
      return (await import('./experiment.js')).writeFgdOutputs(spec as FgdSpec, rows as JobResult[], out);
    case 'experiment membership':
      return (await import('./experiment-membership.js')).writeMembershipOutputs(spec as MembershipSpec, rows as StudyRow[], out);
    default:
      throw new Error(`no output writer for sweep kind ${kind}`);
  }
}
