/**
 * `slipway experiment membership [--study swim|lifeguard|all] [--seeds 1..3] [--members 10,100,1000] [--workers N] [--out DIR]`
 *
 * Runs the membership studies (src/membership/study.ts) on N worker threads of the pool
 * (./membership-worker; 0 = in this thread) and writes DIR/results.csv (one row per run, in run
 * order whatever order the workers finish in, so the files are the same for any N) and
 * DIR/report.html, atomically; prints both studies' summaries and the command that reproduces them.
 */
import { join } from 'node:path';
import { parseDuration } from '../core/duration.js';
import { InputError } from '../core/errors.js';
import { unknownName } from '../core/suggest.js';
import { DETECTORS, type DetectorName } from '../membership/config.js';
import { runMembership, type MembershipRunResult, type MembershipRunSpec } from '../membership/experiment.js';
import { siblingModule } from '../module-url.js';
import { runPool } from '../pool/pool.js';
import { withSignals } from './signals.js';
import { DEFAULT_DURATION_MS, resultsCsv, STUDIES, studyRuns, summaryText, type StudyName, type StudyOptions, type StudyRow } from '../membership/study.js';
import { membershipKind, type MembershipSpec } from './sweep-kinds.js';
import { sweepMode, sweepRows, type SweepFlags } from './sweep-run.js';
import { renderMembershipReport } from '../report/membership-report.js';
import { EXIT_OK } from './errors.js';
import { d3Source } from './experiment.js';
import { prepareOutput, writeOutputs } from './output.js';
import { parseWorkerCount } from './workers.js';
import { rawStream } from './terminal.js';

export interface MembershipFlags extends SweepFlags {
  readonly study: string;
  readonly seeds: string;
  readonly members?: string;
  readonly detectors?: string;
  readonly duration?: string;
  readonly workers?: string;
  readonly out?: string;
}

const MAX_MEMBERS = 5000;
const MAX_SEEDS = 1000;

function parseSeedList(v: string): number[] {
  const range = /^(\d+)\.\.(\d+)$/.exec(v);
  let seeds: number[];
  if (range) {
    const a = Number(range[1]);
    const b = Number(range[2]);
    if (b < a) throw new InputError(`--seeds: the range ${v} ends before it starts`);
    if (b - a + 1 > MAX_SEEDS) throw new InputError(`--seeds: at most ${MAX_SEEDS} seeds, got ${b - a + 1}`);
    seeds = Array.from({ length: b - a + 1 }, (_, i) => a + i);
  } else seeds = v.split(',').map((s) => Number(s.trim()));
  if (seeds.length === 0 || seeds.some((s) => !Number.isSafeInteger(s) || s < 0))
    throw new InputError(`--seeds: expected a range 1..3, a list 1,2,3 or one seed (non-negative integers), got ${JSON.stringify(v)}`);
  return seeds;
}

function parseDurationFlag(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  let ms: number;
  try {
    ms = parseDuration(v);
  } catch {
    throw new InputError(`--duration: expected a duration such as 10m or 90s, got ${JSON.stringify(v)}`);
  }
  if (ms < 60_000 || ms > 24 * 3_600_000) throw new InputError(`--duration: expected from 1m to 24h, got ${JSON.stringify(v)}`);
  return ms;
}

function parseStudies(v: string): StudyName[] {
  if (v === 'all') return [...STUDIES];
  const out: StudyName[] = [];
  for (const s of v.split(',').map((x) => x.trim())) {
    if (!(STUDIES as readonly string[]).includes(s)) throw new InputError(unknownName('--study', 'study', s, [...STUDIES, 'all']));
    out.push(s as StudyName);
  }
  return out;
}

function parseMembers(v: string | undefined): number[] | undefined {
  if (v === undefined) return undefined;
  const out = v.split(',').map((x) => Number(x.trim()));
  for (const n of out)
    if (!Number.isSafeInteger(n) || n < 3 || n > MAX_MEMBERS) throw new InputError(`--members: expected sizes from 3 to ${MAX_MEMBERS}, got ${JSON.stringify(v)}`);
  return out;
}

function parseDetectors(v: string | undefined): DetectorName[] | undefined {
  if (v === undefined) return undefined;
  const out: DetectorName[] = [];
  for (const d of v.split(',').map((x) => x.trim())) {
    if (!(DETECTORS as readonly string[]).includes(d)) throw new InputError(unknownName('--detectors', 'detector', d, DETECTORS));
    out.push(d as DetectorName);
  }
  return out;
}

export function membershipCommand(flags: MembershipSpec['flags'], out: string): string {
  const parts = ['npx', 'slipway', 'experiment', 'membership', '--study', flags.study, '--seeds', flags.seeds];
  if (flags.members !== undefined) parts.push('--members', flags.members);
  if (flags.detectors !== undefined) parts.push('--detectors', flags.detectors);
  if (flags.duration !== undefined) parts.push('--duration', flags.duration);
  parts.push('--out', out);
  return parts.map((p) => (/^[\w@%+=:,./-]+$/.test(p) ? p : `'${p.replace(/'/g, `'\\''`)}'`)).join(' ');
}

export async function runMembershipExperiment(flags: MembershipFlags, setContext: (c: () => string) => void): Promise<number> {
  const studies = parseStudies(flags.study);
  const seeds = parseSeedList(flags.seeds);
  const members = parseMembers(flags.members);
  const detectors = parseDetectors(flags.detectors);
  const durationMs = parseDurationFlag(flags.duration);
  const workers = parseWorkerCount(flags.workers);
  sweepMode(flags);
  const out = flags.out ?? join('reports', 'membership');
  const command = membershipCommand(flags, out);
  setContext(() => `seeds ${flags.seeds}; replay: ${command}`);

  const options: StudyOptions = { studies, seeds, ...(members ? { members } : {}), ...(detectors ? { detectors } : {}), ...(durationMs ? { durationMs } : {}) };
  const spec: MembershipSpec = {
    flags: {
      study: flags.study,
      seeds: flags.seeds,
      ...(flags.members !== undefined ? { members: flags.members } : {}),
      ...(flags.detectors !== undefined ? { detectors: flags.detectors } : {}),
      ...(flags.duration !== undefined ? { duration: flags.duration } : {}),
    },
    options,
  };
  const swept = await sweepRows({ kind: membershipKind, spec, flags, out, workers, argv: process.argv.slice(2) });
  if (swept !== undefined) return swept;
  prepareOutput('--out', out, 'dir');

  const runs = studyRuns(options);
  const progress = process.stderr.isTTY;
  const results = await withSignals('the membership study', (signal) => runPool<MembershipRunSpec, MembershipRunResult>({
    signal,
    entry: siblingModule('membership-worker', import.meta.url),
    tasks: runs.map((r) => r.spec),
    workers: Math.min(workers, runs.length),
    inline: (spec) => runMembership(spec),
    describe: (spec) => `${spec.detector} N=${spec.members} seed ${spec.seed}`,
    onResult: (r, _i, done) => {
      if (progress) rawStream(process.stderr).write(`\r${done}/${runs.length} runs (last: ${r.detector} N=${r.members} seed ${r.seed})   `);
    },
  }));
  if (progress) process.stderr.write('\n');
  const rows: StudyRow[] = results.map((r, i) => ({ study: runs[i]!.study, ...r }));
  return writeMembershipOutputs(spec, rows, out);
}

/** Writes results.csv and report.html from the rows (run order) and prints the summaries: the one writer of a local run, and `slipway merge`. */
export function writeMembershipOutputs(spec: MembershipSpec, rows: readonly StudyRow[], out: string): number {
  const command = membershipCommand(spec.flags, out);
  const csvPath = join(out, 'results.csv');
  const htmlPath = join(out, 'report.html');
  const durationMs = spec.options.durationMs;
  writeOutputs([
    [csvPath, resultsCsv(rows)],
    [htmlPath, renderMembershipReport({ rows, command, d3Source: d3Source(), durationMs: durationMs !== undefined ? { swim: durationMs, lifeguard: durationMs } : DEFAULT_DURATION_MS })],
  ]);
  process.stdout.write(`${summaryText(rows)}\n\nwrote ${csvPath} and ${htmlPath}\nreproduce: ${command}\n`);
  return EXIT_OK;
}
