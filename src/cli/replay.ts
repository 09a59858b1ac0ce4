/** `slipway replay TRACE`: re-runs the scenario and seed recorded in a trace and compares. */
import { stringify } from 'yaml';
import { InputError } from '../core/errors.js';
import { readInputFile } from './input-file.js';
import { simulate } from '../run/simulate.js';
import { diffTraces, formatDivergence } from '../run/trace-diff.js';
import { parseScenario } from '../scenario/loader.js';
import { createScheduler, schedulerNames } from '../scheduler/registry.js';
import { EXIT_FAILED, EXIT_OK } from './errors.js';

interface RunStart {
  readonly type: 'run.start';
  readonly file: string;
  readonly seed: number;
  readonly durationMs: number;
  readonly untilMs: number;
  readonly scheduler: string;
  readonly document: unknown;
}

/** Reads a trace's lines; the first must be a run.start record with the scenario document. */
export function readTrace(path: string): { lines: string[]; start: RunStart } {
  const text = readInputFile(path);
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  let start: RunStart;
  try {
    start = JSON.parse(lines[0] ?? '') as RunStart;
  } catch {
    throw new InputError(`${path}:1:1: not a Slipway trace: the first line is not JSON`);
  }
  if (start?.type !== 'run.start' || typeof start.seed !== 'number' || start.document === undefined) {
    throw new InputError(`${path}:1:1: not a Slipway trace: the first record must be run.start with the scenario document and seed`);
  }
  return { lines, start };
}

export async function replayTraceCommand(path: string, setContext: (c: () => string) => void): Promise<number> {
  const { lines, start } = readTrace(path);
  setContext(() => `seed ${start.seed}; trace ${path}`);
  const scenario = { ...parseScenario(stringify(start.document), start.file), seed: start.seed, durationMs: start.durationMs };
  if (!schedulerNames().includes(start.scheduler)) {
    throw new InputError(`${path}:1:1: the trace was recorded with scheduler "${start.scheduler}", which this build does not have (known: ${schedulerNames().join(', ')})`);
  }
  const fresh: string[] = [];
  await simulate(scenario, {
    untilMs: start.untilMs,
    scheduler: createScheduler(start.scheduler),
    onRecord: (type, fields, t, seq) => fresh.push(JSON.stringify({ t, seq, type, ...fields })),
  });
  const d = diffTraces(lines, fresh);
  if (!d) {
    process.stdout.write(`replay ${path}: identical (${lines.length} records; scenario ${scenario.name}, seed ${start.seed})\n`);
    return EXIT_OK;
  }
  process.stdout.write(`replay ${path}: the runs diverge (scenario ${scenario.name}, seed ${start.seed})\n`);
  process.stdout.write(formatDivergence(d).join('\n') + '\n');
  return EXIT_FAILED;
}
