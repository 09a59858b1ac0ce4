/** `slipway replay TRACE`: re-runs the scenario and seed recorded in a trace and compares. */
import { stringify } from 'yaml';
import { InputError } from '../core/errors.js';
import { readInputFile } from './input-file.js';
import { simulate } from '../run/simulate.js';
import { diffTraces, formatDivergence } from '../run/trace-diff.js';
import { parseScenario } from '../run/parse-scenario.js';
import { schedulerNames } from '../scheduler/registry.js';
import { withPolicy } from '../compare/run-one.js';
import { EXIT_FAILED, EXIT_OK } from './errors.js';
import { parseSeed } from './run.js';
import { MAX_DURATION_MS } from '../scenario/limits.js';
import { parseTrace } from '../engine/trace-reader.js';
import type { TraceEventOf } from '../core/trace-events.js';

type RunStart = TraceEventOf<'run.start'>;

/**
 * Reads a trace (every line decoded by the one trace reader: FILE:LINE on a bad line); the first
 * record must be run.start with the scenario document. Returns the lines as written, for the
 * byte-for-byte comparison, and the header.
 */
export function readTrace(path: string): { lines: string[]; start: RunStart } {
  const text = readInputFile(path);
  const events = parseTrace(text, path);
  const start = events[0];
  if (start?.type !== 'run.start') {
    throw new InputError(`${path}:1: not a Slipway trace: the first record must be run.start with the scenario document and seed`);
  }
  checkRunStart(start, path);
  const lines = text.split('\n').filter((l) => l.trim() !== '');
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
}

export async function replayTraceCommand(path: string, setContext: (c: () => string) => void): Promise<number> {
  const { lines, start } = readTrace(path);
  setContext(() => `seed ${start.seed}; trace ${path}`);
  if (!schedulerNames().includes(start.scheduler)) {
    throw new InputError(`${path}:1: the trace was recorded with scheduler "${start.scheduler}", which this build does not have (known: ${schedulerNames().join(', ')})`);
  }
  // The scheduler as the run made it (`run --scheduler` is withPolicy too): created by simulate
  // with the run's seeded `scheduler` stream and the scenario's profile, so ties break the same way.
  const scenario = withPolicy({ ...parseScenario(stringify(start.document), start.file), seed: start.seed, durationMs: start.durationMs }, start.scheduler);
  const fresh: string[] = [];
  await simulate(scenario, {
    untilMs: start.untilMs,
    onEvent: (e) => fresh.push(JSON.stringify(e)),
  });
  const d = diffTraces(lines, fresh, 3, { expected: path, actual: 'the replayed run' });
  if (!d) {
    process.stdout.write(`replay ${path}: identical (${lines.length} records; scenario ${scenario.name}, seed ${start.seed})\n`);
    return EXIT_OK;
  }
  process.stdout.write(`replay ${path}: the runs diverge (scenario ${scenario.name}, seed ${start.seed})\n`);
  process.stdout.write(formatDivergence(d).join('\n') + '\n');
  return EXIT_FAILED;
}
