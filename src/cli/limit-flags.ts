/**
 * The flags that raise (or lower) the scenario limits of `src/scenario/limits.ts`, shared by every
 * command that reads a scenario: `--max-instances N`, `--max-nodes N`, `--max-faults N`,
 * `--max-file-size SIZE`, `--max-trace-size SIZE`.
 */
import type { Command } from 'commander';
import { InputError } from '../core/errors.js';
import { DEFAULT_LIMITS, formatSize, LIMIT_FLAGS, parseSize, type ScenarioLimits } from '../scenario/limits.js';

/** The flags as commander hands them over. */
export interface LimitFlags {
  readonly maxInstances?: string;
  readonly maxNodes?: string;
  readonly maxFaults?: string;
  readonly maxFileSize?: string;
  readonly maxTraceSize?: string;
}

/** Adds the limit flags to a command (`trace`: also --max-trace-size, for commands that write one). */
export function addLimitOptions(cmd: Command, o: { trace?: boolean } = {}): Command {
  cmd
    .option(`${LIMIT_FLAGS.maxInstances} <n>`, `most instances a scenario may ask for (default ${DEFAULT_LIMITS.maxInstances.toLocaleString('en-US')})`)
    .option(`${LIMIT_FLAGS.maxNodes} <n>`, `most nodes (default ${DEFAULT_LIMITS.maxNodes.toLocaleString('en-US')})`)
    .option(`${LIMIT_FLAGS.maxFaults} <n>`, `most faults, counting a rate fault's expected firings (default ${DEFAULT_LIMITS.maxFaults.toLocaleString('en-US')})`)
    .option(`${LIMIT_FLAGS.maxFileBytes} <size>`, `largest scenario file, e.g. 64M (default ${formatSize(DEFAULT_LIMITS.maxFileBytes)})`);
  if (o.trace) cmd.option(`${LIMIT_FLAGS.maxTraceBytes} <size>`, `largest trace a run may write, e.g. 10G (default ${formatSize(DEFAULT_LIMITS.maxTraceBytes)})`);
  return cmd;
}

function count(flag: string, v: string): number {
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v)) || Number(v) < 1) throw new InputError(`${flag}: expected a positive integer, got "${v}"`);
  return Number(v);
}

function size(flag: string, v: string): number {
  const n = parseSize(v);
  if (n === undefined) throw new InputError(`${flag}: expected a size such as 64M or 2G, got "${v}"`);
  return n;
}

/** The limits the flags give (only those given), checked. */
export function parseLimitFlags(f: LimitFlags): Partial<ScenarioLimits> {
  return {
    ...(f.maxInstances !== undefined ? { maxInstances: count(LIMIT_FLAGS.maxInstances, f.maxInstances) } : {}),
    ...(f.maxNodes !== undefined ? { maxNodes: count(LIMIT_FLAGS.maxNodes, f.maxNodes) } : {}),
    ...(f.maxFaults !== undefined ? { maxFaults: count(LIMIT_FLAGS.maxFaults, f.maxFaults) } : {}),
    ...(f.maxFileSize !== undefined ? { maxFileBytes: size(LIMIT_FLAGS.maxFileBytes, f.maxFileSize) } : {}),
    ...(f.maxTraceSize !== undefined ? { maxTraceBytes: size(LIMIT_FLAGS.maxTraceBytes, f.maxTraceSize) } : {}),
  };
}
