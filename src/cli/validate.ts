/**
 * `slipway validate FILE [--json]`: loads a scenario and reports whether it is valid, with every
 * problem found (up to MAX_PROBLEMS), one line each.
 */
import { InputError } from '../core/errors.js';
import type { Scenario } from '../scenario/types.js';
import { EXIT_BAD_INPUT, EXIT_OK } from './errors.js';
import { parseNodes, readScenario } from './read-scenario.js';
import { parseLimitFlags, type LimitFlags } from './limit-flags.js';

/** At most this many problems are printed; a line then says how many more there were. */
export const MAX_PROBLEMS = 50;

export interface ValidateFlags {
  readonly json?: boolean;
  /** FILE is a Kubernetes manifest file: check it as run on this many default nodes. */
  readonly nodes?: string;
}

/** One problem of `--json`: where (when the message names FILE:LINE:COL) and what. */
interface JsonProblem {
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly message: string;
}

/**
 * Prints `FILE: ok — NAME: N nodes, M workloads, ...` and returns 0, or prints each problem as
 * `FILE:LINE:COL: message` to stderr and returns 2. With `--json` both go to stdout as one JSON
 * object `{ file, valid, problems, warnings, summary? }`. Other errors are bugs and propagate.
 */
export function runValidate(file: string, flags: ValidateFlags & LimitFlags = {}): number {
  let s: Scenario;
  try {
    s = readScenario(file, { limits: parseLimitFlags(flags), ...(flags.nodes !== undefined ? { nodes: parseNodes(flags.nodes) } : {}) });
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    const shown = e.problems.slice(0, MAX_PROBLEMS);
    const more = e.problems.length - shown.length;
    if (flags.json) {
      const out = { file, valid: false, problems: shown.map(jsonProblem), ...(more > 0 ? { moreProblems: more } : {}), warnings: [] };
      process.stdout.write(`${JSON.stringify(out)}\n`);
    } else {
      process.stderr.write(shown.map((p) => `${p}\n`).join(''));
      if (more > 0) process.stderr.write(`${file}: ... and ${more} more problem(s) (the first ${MAX_PROBLEMS} are shown)\n`);
    }
    return EXIT_BAD_INPUT;
  }
  const summary = {
    name: s.name,
    nodes: s.nodes.length,
    workloads: s.workloads.length,
    operations: s.operations.length,
    faults: s.faults.length,
    expectations: s.expectations.length,
    scheduler: s.scheduler.name,
  };
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ file, valid: true, problems: [], warnings: s.warnings ?? [], summary })}\n`);
    return EXIT_OK;
  }
  for (const w of s.warnings ?? []) process.stderr.write(`${file}: warning: ${w}\n`);
  process.stdout.write(
    `${file}: ok — ${s.name}: ${count(s.nodes.length, 'node')}, ${count(s.workloads.length, 'workload')}, ` +
      `${count(s.operations.length, 'operation')}, ${count(s.faults.length, 'fault')}, ` +
      `${count(s.expectations.length, 'expectation')}\n`,
  );
  return EXIT_OK;
}

function jsonProblem(line: string): JsonProblem {
  const m = /^(.*?):(\d+):(\d+): (.*)$/s.exec(line);
  if (!m) return { message: line };
  return { file: m[1], line: Number(m[2]), column: Number(m[3]), message: m[4] };
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
