/** `slipway run FILE [--seed N] [--until DURATION] [--out DIR] [--json]` */
import { basename, extname, join } from 'node:path';
import { InputError } from '../core/errors.js';
import { formatDuration, parseDuration } from '../core/duration.js';
import { renderRunReport } from '../report/html.js';
import { runOne } from '../compare/run-one.js';
import { parseScheduler } from './compare.js';
import type { RunSummary } from '../run/simulate.js';
import { EXIT_FAILED, EXIT_OK } from './errors.js';
import { writeOutput } from './output.js';
import { readScenario } from './read-scenario.js';

export interface RunFlags {
  readonly seed?: string;
  readonly until?: string;
  readonly out?: string;
  readonly json?: boolean;
  readonly scheduler?: string;
}

export function parseSeed(v: string): number {
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw new InputError(`--seed: expected a non-negative integer, got "${v}"`);
  return Number(v);
}

export function parseUntil(v: string): number {
  try {
    const ms = parseDuration(v);
    if (ms <= 0) throw new Error('must be positive');
    return ms;
  } catch (e) {
    throw new InputError(`--until: invalid duration "${v}": ${(e as Error).message}`);
  }
}

/** The command that reproduces a run, for messages and reports. */
export function replayCommand(file: string, seed: number, untilMs?: number, scheduler?: string): string {
  const parts = ['npx', 'slipway', 'run', file, '--seed', String(seed)];
  if (untilMs !== undefined) parts.push('--until', formatDuration(untilMs));
  if (scheduler !== undefined) parts.push('--scheduler', scheduler);
  return parts.join(' ');
}

export async function runCommand(file: string, flags: RunFlags, setContext: (c: () => string) => void): Promise<number> {
  const seed = flags.seed !== undefined ? parseSeed(flags.seed) : undefined;
  const untilMs = flags.until !== undefined ? parseUntil(flags.until) : undefined;
  if (flags.scheduler !== undefined) parseScheduler(flags.scheduler);
  const read = readScenario(file, { ...(seed !== undefined ? { seed } : {}), ...(untilMs !== undefined ? { durationMs: untilMs } : {}) });
  const scenario = flags.scheduler !== undefined ? { ...read, scheduler: { name: flags.scheduler } } : read;
  const out = flags.out ?? join('reports', basename(file, extname(file)));
  const tracePath = join(out, 'trace.jsonl');
  const command = replayCommand(file, scenario.seed, untilMs, flags.scheduler);
  setContext(() => `seed ${scenario.seed}; replay: ${command}`);

  const run = await runOne(scenario, { policy: scenario.scheduler.name, seed: scenario.seed }, { tracePath });
  const summary = run.summary;
  const summaryPath = join(out, 'summary.json');
  const reportPath = join(out, 'report.html');
  writeOutput(summaryPath, JSON.stringify({ ...summary, command, trace: tracePath }, null, 2) + '\n');
  writeOutput(reportPath, renderRunReport({ scenario, run, command, tracePath }));

  if (flags.json) process.stdout.write(JSON.stringify({ ...summary, command, trace: tracePath }, null, 2) + '\n');
  else process.stdout.write(formatSummary(summary, { command, out, tracePath, summaryPath, reportPath }));
  return summary.ok ? EXIT_OK : EXIT_FAILED;
}

interface Paths {
  readonly command: string;
  readonly out: string;
  readonly tracePath: string;
  readonly summaryPath: string;
  readonly reportPath: string;
}

export function formatSummary(s: RunSummary, p: Paths): string {
  const lines: string[] = [];
  lines.push(`${s.scenario}: seed ${s.seed}, ${formatDuration(s.simulatedTimeMs)} simulated, ${s.events} events, scheduler ${s.scheduler}`);
  lines.push(`nodes: ${s.nodes.total} (${s.nodes.ready} Ready, ${s.nodes.notReady} NotReady, ${s.nodes.down} Down)`);
  const header = ['workload', 'kind', 'desired', 'running', 'pending', 'failed', 'restarts'];
  const rows = s.workloads.map((w) => [w.name, w.kind, w.desired, w.running, w.pending, w.failed, w.restarts].map(String));
  lines.push(...table([header, ...rows]));
  if (s.expectations.length > 0) {
    lines.push('expectations:');
    for (const e of s.expectations) lines.push(`  ${e.ok ? 'PASS' : 'FAIL'}  ${e.name} — ${e.detail}`);
  }
  if (s.admissionRejections > 0) lines.push(`warning: nodes refused ${s.admissionRejections} container create(s) for lack of room`);
  lines.push(`trace:   ${p.tracePath} (${s.traceLines} lines, sha256 ${s.traceHash})`);
  lines.push(`summary: ${p.summaryPath}`);
  const failed = s.expectations.filter((e) => !e.ok).length;
  lines.push(
    failed === 0
      ? `ok: ${s.expectations.length} expectation(s) hold`
      : `FAILED: ${failed} of ${s.expectations.length} expectation(s); replay: ${p.command}`,
  );
  // Last, so `npm start` ends with the path of the report to open.
  lines.push(`report:  ${p.reportPath}`);
  return lines.join('\n') + '\n';
}

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => '  ' + r.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd());
}
