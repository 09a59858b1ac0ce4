/**
 * `slipway explain FILE [--json]`: why a pod lands where it does (see the README, "Scheduling").
 */
import { readFileSync } from 'node:fs';
import { InputError } from '../core/errors.js';
import { explainSnapshot, formatExplainTable } from '../scheduler/explain/explain.js';
import { parseSnapshot } from '../scheduler/explain/snapshot.js';

export interface ExplainFlags {
  readonly json?: boolean;
}

/** Prints the table (or JSON) and returns 0; bad input throws InputError (exit 2). */
export function runExplain(file: string, flags: ExplainFlags): number {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(`${file}: cannot read: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message.split('\n')[0]}`);
  }
  const snapshot = parseSnapshot(text, file);
  if (snapshot.ignored.length > 0) {
    process.stderr.write(`${file}: warning: profile: KubeSchedulerConfiguration fields not modelled, ignored: ${snapshot.ignored.join(', ')}\n`);
  }
  const report = explainSnapshot(snapshot);
  if (flags.json) {
    const { pending, chosen, nodes, preemption, gpus } = report;
    const out = {
      pending,
      chosen,
      ...(gpus ? { gpus } : {}),
      nodes: nodes.map((n) => ({
        name: n.name,
        feasible: n.feasible,
        reasons: n.reasons,
        scores: n.scores,
        total: n.total,
        ...(n.gpuFree ? { gpuFree: n.gpuFree } : {}),
      })),
      ...(preemption ? { preemption } : {}),
    };
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } else {
    process.stdout.write(formatExplainTable(report));
  }
  return 0;
}
