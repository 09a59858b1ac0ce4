/** `slipway replay TRACE`: re-runs the scenario and seed recorded in a trace and compares. */
import { stringify } from 'yaml';
import { InputError } from '../core/errors.js';
import { readInputFile } from './input-file.js';
import { simulate } from '../run/simulate.js';
import { diffTraces, formatDivergence } from '../run/trace-diff.js';
import { parseScenario } from '../scenario/loader.js';
import { createScheduler, schedulerNames } from '../scheduler/registry.js';
import { EXIT_FAILED, EXIT_OK } from './errors.js';
import { parseSeed } from './run.js';
import { MAX_DURATION_MS } from '../scenario/limits.js';

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
  checkRunStart(start, path);
  // Every line is a record (a trace cut short by a full disk or a crash ends mid-line).
  for (let i = 1; i < lines.length; i++) {
    let rec: unknown;
    try {
      rec = JSON.parse(lines[i]);
    } catch {
      throw new InputError(`${path}:${i + 1}: not a JSON trace record (the trace is cut short or corrupt): ${JSON.stringify(lines[i].slice(0, 60))}`);
    }
    const r = rec as { t?: unknown; type?: unknown };
    if (typeof rec !== 'object' || rec === null || typeof r.t !== 'number' || typeof r.type !== 'string') {
      throw new InputError(`${path}:${i + 1}: not a trace record (needs numeric "t" and string "type")`);
    }
  }
  return { lines, start };
}

/**
 * The run.start header holds what `slipway run` took from its flags: it is checked as the flags
 * are (`--seed`: a non-negative integer; `--until`: a positive duration of at most 366 days), so a
 * doctored header (`untilMs: 1e300`, a negative seed) is bad input rather than a run without end.
 */
function checkRunStart(start: RunStart, path: string): void {
  const field = (name: string, check: () => void) => {
    try {
      check();
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      throw new InputError(`${path}:1: run.start ${name}: ${e.message.replace(/^--[a-z-]+: /, '')}`);
    }
  };
  field('seed', () => parseSeed(String(start.seed)));
  for (const k of ['durationMs', 'untilMs'] as const) {
    field(k, () => {
      const v = start[k];
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0 || v > MAX_DURATION_MS) {
        throw new InputError(`expected a positive number of milliseconds of at most 366 days, got ${JSON.stringify(v)}`);
      }
    });
  }
  if (typeof start.file !== 'string') throw new InputError(`${path}:1: run.start file: expected the scenario's file name, got ${JSON.stringify(start.file)}`);
  if (typeof start.scheduler !== 'string') throw new InputError(`${path}:1: run.start scheduler: expected a scheduler name, got ${JSON.stringify(start.scheduler)}`);
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
