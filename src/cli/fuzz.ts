/** `slipway fuzz [--runs N] [--seed S] [--profile P] [--workers W] [--out DIR] [--no-shrink] [--verbose]`, or `--case SEED` */
import { join } from 'node:path';
import cliProgress from 'cli-progress';
import { InputError, signalExitCode } from '../core/errors.js';
import { unknownName } from '../core/suggest.js';
import { caseFromSeed, caseYaml, FUZZ_FAULT_KINDS, PROFILE_SHAPES, PROFILES, type FuzzCase, type Profile } from '../fuzz/case.js';
import { fuzz, runSeed, summarizeFuzz, type FuzzFailure, type FuzzReport, type FuzzSummary, type RunRecord } from '../fuzz/fuzz.js';
import type { CaseOutcome } from '../fuzz/run-case.js';
import { fuzzKind, type FuzzSpec } from './sweep-kinds.js';
import { sweepRows, type SweepFlags } from './sweep-run.js';
import { runCase } from '../fuzz/run-case.js';
import { EXIT_FAILED, EXIT_OK } from './errors.js';
import { prepareOutput, writeOutput, writeOutputs } from './output.js';
import { parseSeed } from './run.js';
import { parseWorkerCount } from './workers.js';
import { rawStream } from './terminal.js';
import { watchSignals } from './signals.js';

export interface FuzzFlags extends SweepFlags {
  readonly runs?: string;
  readonly seed?: string;
  readonly profile?: string;
  readonly workers?: string;
  readonly out?: string;
  readonly shrink?: boolean;
  readonly verbose?: boolean;
  readonly case?: string;
  /** Print one JSON object (summary.json's content; with --case the case's outcome) instead of text. */
  readonly json?: boolean;
}

function positiveInt(flag: string, v: string, min: number): number {
  if (!/^\d+$/.test(v) || Number(v) < min || !Number.isSafeInteger(Number(v))) {
    throw new InputError(`${flag}: expected an integer ≥ ${min}, got "${v}"`);
  }
  return Number(v);
}

export function parseProfile(v: string): Profile {
  if (!(PROFILES as readonly string[]).includes(v)) throw new InputError(unknownName('--profile', 'profile', v, PROFILES));
  return v as Profile;
}

/**
 * `slipway fuzz --case SEED [--profile P] [--out DIR]`: regenerates one run from its case seed,
 * writes it as a scenario file, runs it and prints the outcome with the replay command.
 */
async function oneCase(flags: FuzzFlags): Promise<number> {
  const seed = positiveInt('--case', flags.case!, 0);
  const profile = parseProfile(flags.profile ?? 'small');
  const out = flags.out ?? join('reports', 'fuzz');
  prepareOutput('--out', out, 'dir');
  const c = caseFromSeed(seed, profile);
  const path = join(out, `case-${seed}.yaml`);
  writeOutput(path, caseYaml(c, profile, `fuzz-${seed}`, [`slipway fuzz case seed ${seed}, profile ${profile}.`, `Replay: ${runCommandFor(path)}`]));
  const o = await runCase(c, profile, `fuzz-${seed}`);
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ seed, profile, plan: planOf(c), ...o, scenario: path, replay: runCommandFor(path) })}\n`);
    return o.ok ? EXIT_OK : EXIT_FAILED;
  }
  process.stdout.write(`case seed ${seed} (profile ${profile}): ${planOf(c)}\n`);
  process.stdout.write(`${o.ok ? 'ok' : `FAILED: ${o.failure}: ${o.detail}`}\n`);
  process.stdout.write(`scenario: ${path}\nreplay:   ${runCommandFor(path)}\n`);
  return o.ok ? EXIT_OK : EXIT_FAILED;
}

export async function fuzzCommand(flags: FuzzFlags): Promise<number> {
  if (flags.case !== undefined) return oneCase(flags);
  const runs = positiveInt('--runs', flags.runs ?? '100', 1);
  const seed = flags.seed !== undefined ? parseSeed(flags.seed) : 1;
  const profile = parseProfile(flags.profile ?? 'small');
  const workers = parseWorkerCount(flags.workers, 0);
  const out = flags.out ?? join('reports', 'fuzz');
  const spec: FuzzSpec = { runs, seed, profile, shrink: flags.shrink !== false };
  const swept = await sweepRows({ kind: fuzzKind, spec, flags, out, workers, json: flags.json, argv: process.argv.slice(2) });
  if (swept !== undefined) return swept;
  prepareOutput('--out', out, 'dir');
  const err = process.stderr;
  // With --json, stdout holds the one JSON object alone; the progress bar (a TTY only) is on stderr.
  const print = flags.json ? () => {} : (line: string) => process.stdout.write(line);
  print(`fuzz: ${runs} runs, profile ${profile}, seed ${seed}, ${workers === 0 ? 'in-process' : `${workers} worker(s)`}, output ${out}\n`);

  const bar = err.isTTY && workers > 0 ? new cliProgress.SingleBar({ format: 'fuzz [{bar}] {value}/{total} runs, {failures} failures', stream: rawStream(err) }, cliProgress.Presets.shades_classic) : undefined;
  bar?.start(runs, 0, { failures: 0 });
  let failures = 0;
  const held: string[] = [];
  const records: RunRecord[] = new Array(runs);
  // The signal watch covers the runs (the pool stops on it: nothing written) and the shrinking
  // after them (it stops early: the report is written with the smallest cases found so far).
  const watch = watchSignals('the fuzz campaign');
  let report: Awaited<ReturnType<typeof fuzz>>;
  try {
    report = await fuzz({
      signal: watch.signal,
      runs,
      seed,
      profile,
      workers,
      ...(flags.shrink === false ? { shrink: false } : {}),
      onRun: (r: RunRecord, done) => {
        records[r.index] = r;
        if (flags.verbose) {
          const line = `run ${r.index} (case seed ${r.seed}): ${planOf(caseFromSeed(r.seed, profile))} → ${r.outcome.ok ? 'ok' : r.outcome.failure}`;
          if (bar) held.push(line);
          else print(line + '\n');
        }
        if (!r.outcome.ok) {
          failures++;
          const line = `FAIL run ${r.index} (case seed ${r.seed}): ${r.outcome.failure}: ${r.outcome.detail}`;
          if (bar) held.push(line);
          else print(line + '\n');
        }
        bar?.update(done, { failures });
      },
      onRunsDone: () => {
        bar?.stop();
      },
    });
    for (const line of held) print(line + '\n');
    const code = writeReport(spec, report, records, out, flags.json);
    const sig = watch.received;
    if (sig === undefined) return code;
    err.write(`${sig}: shrinking stopped early; the report and the smallest failing cases found so far are written to ${out}\n`);
    return signalExitCode(sig);
  } finally {
    watch.dispose();
  }
}

/**
 * Writes runs.jsonl, summary.json and the failures' case files of a campaign from its outcomes
 * (run order), shrinking as `fuzz` does, and prints the report: what `slipway merge` does with the
 * shards' rows, so they write what the local campaign writes.
 */
export async function writeFuzzOutputs(spec: FuzzSpec, outcomes: readonly CaseOutcome[], out: string, o: { json?: boolean; how: string }): Promise<number> {
  const records = outcomes.map((outcome, index) => ({ index, seed: runSeed(spec.seed, index), outcome }));
  const summary = await summarizeFuzz(records, { profile: spec.profile, shrink: spec.shrink });
  if (!o.json) process.stdout.write(`fuzz: ${spec.runs} runs, profile ${spec.profile}, seed ${spec.seed}, ${o.how}, output ${out}\n`);
  return writeReport(spec, summary, records, out, o.json);
}

function writeReport(spec: FuzzSpec, report: FuzzSummary & Partial<Pick<FuzzReport, 'elapsedMs' | 'runsPerMinute'>>, records: readonly RunRecord[], out: string, json: boolean | undefined): number {
  const { profile, seed } = spec;
  const lines = records.map((r) => JSON.stringify({ index: r.index, seed: r.seed, ...r.outcome, case: caseFromSeed(r.seed, profile) }));
  // No wall time in the file: the same campaign writes the same bytes, however it ran.
  const summary = { runs: report.runs, failures: report.failures.map(failureSummary(profile, out)), failed: report.failed, capacityLimited: report.capacityLimited, coverage: report.coverage, events: report.events };
  // One commit: runs.jsonl, the failures' cases and summary.json appear together or not at all.
  writeOutputs([
    [join(out, 'runs.jsonl'), lines.join('\n') + '\n'],
    ...report.failures.flatMap((f) => failureFiles(f, profile, out)),
    [join(out, 'summary.json'), JSON.stringify(summary, null, 2) + '\n'],
  ]);
  const speed = report.elapsedMs !== undefined ? { elapsedMs: report.elapsedMs, runsPerMinute: report.runsPerMinute } : {};
  if (json) process.stdout.write(`${JSON.stringify({ profile, seed, out, ...summary, ...speed })}\n`);
  else process.stdout.write(formatReport(report, profile, out));
  return report.failed > 0 ? EXIT_FAILED : EXIT_OK;
}

function paths(f: FuzzFailure, out: string) {
  const dir = join(out, 'failures');
  return { full: join(dir, `case-${f.run.seed}.yaml`), min: join(dir, `case-${f.run.seed}-min.yaml`) };
}

/** The command that replays a written case. */
export function runCommandFor(path: string): string {
  return ['npx', 'slipway', 'run', path].join(' ');
}

/** One line: cluster, workload mix, fault plan and knobs of a case. */
export function planOf(c: FuzzCase): string {
  const drawn = c.faults.map((f) => `${f.kind}${f.rate > 0 ? `@${f.rate}/h` : `@${f.atS}s`}`);
  const faults = [...(c.leaseSkew ? ['leaseSkew@0s(run-long)'] : []), ...drawn].join(' ') || 'none';
  const k = c.knobs;
  return (
    `${c.nodes.length} nodes (${c.nodes.reduce((a, n) => a + n.cpu, 0)} cpu), ${c.workloads.length} workloads (${c.workloads.filter((w) => w.job).length} jobs), ` +
    `${c.operations.length} ops, faults: ${faults}; knobs: heartbeat ${k.heartbeatS}s, grace ${k.evictionGraceS}s, resync ${k.resyncS}s, ` +
    `reconcile ${k.reconcileS}s, backoff ${k.backoffInitialS}-${k.backoffMaxS}s, network ${k.networkMs}ms`
  );
}

function describeCase(c: FuzzCase): string {
  return `${c.nodes.length} node(s), ${c.workloads.length} workload(s), ${c.operations.length} operation(s), ${c.faults.length} fault(s)`;
}

function caseText(f: FuzzFailure, c: FuzzCase, profile: Profile, name: string, detail: string, path: string): string {
  const shape = PROFILE_SHAPES[profile];
  const liveness = f.run.outcome.failure === 'liveness';
  return caseYaml(
    c,
    profile,
    name,
    [
      `Found by slipway fuzz (profile ${profile}), case seed ${f.run.seed}.`,
      `Failure: ${f.run.outcome.failure}: ${detail}`,
      `Replay: ${runCommandFor(path)}`,
    ],
    // A liveness failure is replayed by an expectation: every workload converged at the end.
    liveness ? { expectations: [{ name: 'every workload converged after the faults healed', converged: { by: `${shape.end}s` } }] } : {},
  );
}

function failureFiles(f: FuzzFailure, profile: Profile, out: string): Array<readonly [string, string]> {
  const p = paths(f, out);
  const files: Array<readonly [string, string]> = [[p.full, caseText(f, f.case, profile, `fuzz-${f.run.seed}`, f.run.outcome.detail ?? '', p.full)]];
  if (f.shrunk) files.push([p.min, caseText(f, f.shrunk.case, profile, `fuzz-${f.run.seed}-min`, f.shrunk.outcome.detail ?? '', p.min)]);
  return files;
}

function failureSummary(profile: Profile, out: string) {
  return (f: FuzzFailure) => ({
    index: f.run.index,
    seed: f.run.seed,
    profile,
    failure: f.run.outcome.failure,
    detail: f.run.outcome.detail,
    case: paths(f, out).full,
    ...(f.shrunk ? { minimal: paths(f, out).min, minimalDetail: f.shrunk.outcome.detail, shrinkRuns: f.shrunk.tried, ...(f.shrunk.interrupted ? { shrinkInterrupted: true } : {}), replay: runCommandFor(paths(f, out).min) } : {}),
  });
}

/** Coverage: per fault kind, how often it fired in each control-plane phase; kinds never fired are listed. */
export function formatCoverage(coverage: Readonly<Record<string, number>>, kinds: readonly string[]): string[] {
  const phases = [...new Set(Object.keys(coverage).map((k) => k.split('@')[1]))].sort();
  const lines = [`coverage (fault hits per control-plane phase):`];
  if (phases.length === 0) return [...lines, '  no fault fired'];
  const header = ['fault', ...phases];
  const rows = kinds.map((k) => [k, ...phases.map((p) => String(coverage[`${k}@${p}`] ?? 0))]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  lines.push('  ' + header.map((h, i) => (i === 0 ? h.padEnd(widths[i]) : h.padStart(widths[i]))).join('  '));
  for (const r of rows) lines.push('  ' + r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
  const never = kinds.filter((k) => !phases.some((p) => coverage[`${k}@${p}`]));
  if (never.length > 0) lines.push(`  never fired: ${never.join(', ')}`);
  return lines;
}

export function formatReport(r: FuzzSummary & Partial<Pick<FuzzReport, 'elapsedMs' | 'runsPerMinute'>>, profile: Profile, out: string): string {
  const lines: string[] = [];
  const held: string[] = [];
  for (const f of r.failures) {
    lines.push(`failure: run ${f.run.index}, case seed ${f.run.seed}: ${f.run.outcome.failure}: ${f.run.outcome.detail}`);
    lines.push(`  case:    ${describeCase(f.case)} → ${paths(f, out).full}`);
    if (f.shrunk) {
      const how = f.shrunk.interrupted ? `shrinking interrupted after ${f.shrunk.tried} runs: the smallest found so far` : `${f.shrunk.tried} shrink runs`;
      lines.push(`  minimal: ${describeCase(f.shrunk.case)} (${how}) → ${paths(f, out).min}`);
      lines.push(`  replay:  ${runCommandFor(paths(f, out).min)}`);
    } else {
      lines.push(`  replay:  ${runCommandFor(paths(f, out).full)}`);
    }
  }
  const kinds = PROFILE_SHAPES[profile].kinds.length ? [...new Set(PROFILE_SHAPES[profile].kinds)] : FUZZ_FAULT_KINDS;
  lines.push(...formatCoverage(r.coverage, kinds));
  if (r.capacityLimited > 0) lines.push(`${r.capacityLimited} run(s) could not converge for lack of capacity (not failures; see runs.jsonl)`);
  lines.push(`runs: ${out}/runs.jsonl; summary: ${out}/summary.json`);
  if (r.elapsedMs !== undefined && r.runsPerMinute !== undefined) lines.push(`speed: ${r.runsPerMinute.toFixed(0)} runs per minute (${(r.elapsedMs / 1000).toFixed(1)}s, ${r.events} events)`);
  else lines.push(`events: ${r.events}`);
  lines.push(`${r.runs} runs, ${r.failed} failures`);
  return lines.join('\n') + '\n';
}
