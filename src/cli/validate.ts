/**
 * `slipway validate FILE`: loads a scenario and reports whether it is valid.
 */
import { InputError } from '../core/errors.js';
import { readScenario } from './read-scenario.js';
import { parseLimitFlags, type LimitFlags } from './limit-flags.js';

/**
 * Prints `FILE: ok — NAME: N nodes, M workloads, ...` and returns 0, or prints the input error's
 * one-line message (no stack) to stderr and returns 2. Other errors are bugs and propagate.
 */
export function runValidate(file: string, flags: LimitFlags = {}): number {
  try {
    const s = readScenario(file, { limits: parseLimitFlags(flags) });
    for (const w of s.warnings ?? []) process.stderr.write(`${file}: warning: ${w}\n`);
    process.stdout.write(
      `${file}: ok — ${s.name}: ${count(s.nodes.length, 'node')}, ${count(s.workloads.length, 'workload')}, ` +
        `${count(s.operations.length, 'operation')}, ${count(s.faults.length, 'fault')}, ` +
        `${count(s.expectations.length, 'expectation')}\n`,
    );
    return 0;
  } catch (e) {
    if (e instanceof InputError) {
      process.stderr.write(`${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
