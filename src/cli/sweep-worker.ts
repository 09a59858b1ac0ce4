/**
 * A worker thread (src/pool) that runs runs of any sweep kind: each task names the kind, the spec
 * (with its hash) and the run's index. The runner `prepare` builds (the parsed scenario, the read
 * trace) is kept for the last few sweeps, so a queue worker serving one sweep prepares it once.
 */
import { serveTasks } from '../pool/serve-tasks.js';
import { kindNamed } from '../sweep/kind.js';
import { SWEEP_KINDS } from './sweep-kinds.js';

/** One run of a sweep, as sent to this thread. */
export interface SweepTask {
  readonly kind: string;
  readonly hash: string;
  readonly spec: unknown;
  readonly index: number;
}

const prepared = new Map<string, Promise<(index: number) => Promise<unknown>>>();

serveTasks(async (t: SweepTask) => {
  let run = prepared.get(t.hash);
  if (!run) {
    const kind = kindNamed(SWEEP_KINDS, t.kind);
    if (!kind) throw new Error(`unknown sweep kind "${t.kind}"`);
    run = kind.prepare(t.spec);
    prepared.set(t.hash, run);
    // A failed prepare (a trace file that differs from the submitter's) is tried again by the next
    // run: a long-lived queue worker must recover once the input is fixed.
    const failed = run;
    failed.catch(() => {
      if (prepared.get(t.hash) === failed) prepared.delete(t.hash);
    });
    if (prepared.size > 4) prepared.delete(prepared.keys().next().value!);
  }
  return (await run)(t.index);
});
