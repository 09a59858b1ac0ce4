/** `slipway compare FILE --policies a,b,c [--seeds 1..20] [--workers N] [--out DIR] [--json]` */
import { readFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { SingleBar } from 'cli-progress';
import { aggregate, type MetricComparison } from '../report/aggregate.js';
import { CompareRunError, runCompare } from '../compare/compare.js';
import { resultsCsv, resultsJson } from '../compare/results-files.js';
import type { RunResult } from '../compare/run-one.js';
import { InputError } from '../core/errors.js';
import { unknownName } from '../core/suggest.js';
import { displayUnit, formatMetric, METRICS } from '../report/metric-defs.js';
import { renderReport } from '../report/report-html.js';
import { parseSeedList } from '../report/stats.js';
import { schedulerNames } from '../scheduler/registry.js';
import { EXIT_OK } from './errors.js';
import { prepareOutput, writeOutputs } from './output.js';
import { readScenario } from './read-scenario.js';
import { withSignals } from './signals.js';
import { parseWorkerCount } from './workers.js';
import { parseLimitFlags, type LimitFlags } from './limit-flags.js';
import { rawStream } from './terminal.js';
import { compareKind, compareScenario, type CompareSpec } from './sweep-kinds.js';
import { sweepMode, sweepRows, type SweepFlags } from './sweep-run.js';

export interface CompareFlags extends LimitFlags, SweepFlags {
  readonly policies: string;
  readonly seeds?: string;
  readonly workers?: string;
  readonly out?: string;
  readonly json?: boolean;
}

export function parsePolicies(spec: string): string[] {
  const names = spec.split(',').map((s) => s.trim());
  const known = schedulerNames();
  for (const n of names) {
    if (n === '') throw new InputError(`--policies: empty policy name in "${spec}"`);
    if (!known.includes(n)) throw new InputError(unknownName('--policies', 'policy', n, known));
  }
  if (new Set(names).size !== names.length) throw new InputError(`--policies: a policy is listed twice in "${spec}"`);
  return names;
}

export function parseWorkers(v: string | undefined): number {
  return parseWorkerCount(v, 0);
}

/** The command that replays one (policy, seed) run with its trace and single-run report. */
export function replayRunCommand(file: string, policy: string, seed: number | string): string {
  return `npx slipway run ${file} --seed ${seed} --scheduler ${policy}`;
}

export async function compareCommand(file: string, flags: CompareFlags, setContext: (c: () => string) => void): Promise<number> {
  const policies = parsePolicies(flags.policies);
  const seedSpec = flags.seeds ?? '1..20';
  const seeds = parseSeedList(seedSpec);
  if (!seeds || seeds.length === 0) throw new InputError(`--seeds: expected a range like 1..20 or a list like 1,2,5, got "${seedSpec}"`);
  const workers = parseWorkers(flags.workers);
  sweepMode(flags);
  const limits = parseLimitFlags(flags);
  const manifestFiles: Record<string, { file: string; text: string }> = {};
  const scenario = readScenario(file, { limits, manifestFiles });
  const out = flags.out ?? join('reports', `compare-${basename(file, extname(file))}`);
  const spec: CompareSpec = { file, text: readFileSync(file, 'utf8'), limits, policies, seeds, seedSpec, ...(Object.keys(manifestFiles).length > 0 ? { manifestFiles } : {}) };
  const command = compareCommandLine(spec, out);
  setContext(() => `replay: ${command}`);
  const swept = await sweepRows({ kind: compareKind, spec, flags, out, workers, json: flags.json, argv: process.argv.slice(2) });
  if (swept !== undefined) return swept;
  prepareOutput('--out', out, 'dir');

  const total = policies.length * seeds.length;
  const bar = process.stdout.isTTY && !flags.json ? new SingleBar({ format: 'compare [{bar}] {value}/{total} runs | {policy} seed {seed} | {duration_formatted}', hideCursor: true, stream: rawStream(process.stderr) }) : undefined;
  bar?.start(total, 0, { policy: '', seed: '' });
  const t0 = performance.now();
  let runs: RunResult[];
  try {
    runs = await withSignals('the comparison', (signal) =>
      runCompare({
        scenario,
        policies,
        seeds,
        workers,
        signal,
        onProgress: (done, _total, r) => bar?.update(done, { policy: r.policy, seed: r.seed }),
      }),
    );
  } catch (e) {
    bar?.stop();
    if (e instanceof CompareRunError) {
      setContext(() => `seed ${e.task.seed}; replay: ${replayRunCommand(file, e.task.policy, e.task.seed)}`);
    }
    throw e;
  }
  bar?.stop();
  const wallMs = performance.now() - t0;
  return writeCompareOutputs(spec, runs, out, { json: flags.json, how: `in ${(wallMs / 1000).toFixed(1)} s wall (${workers} worker${workers === 1 ? '' : 's'})` });
}

/** The command that reproduces every number of a comparison written to `out`. */
export function compareCommandLine(spec: CompareSpec, out: string): string {
  return ['npx', 'slipway', 'compare', spec.file, '--policies', spec.policies.join(','), '--seeds', spec.seedSpec, '--out', out].join(' ');
}

/**
 * Writes report.html, results.json and results.csv of a comparison from its runs (in run order)
 * and prints its table. The one writer of a local run, and `slipway merge`, so all
 * three give the same bytes. `how`: how the runs ran, for the closing line.
 */
export function writeCompareOutputs(spec: CompareSpec, runs: readonly RunResult[], out: string, o: { json?: boolean; how: string }): number {
  const { policies, seeds, seedSpec, file } = spec;
  const scenario = compareScenario(spec);
  const command = compareCommandLine(spec, out);
  const comparisons = aggregate(runs, policies, seeds);
  const commands = [
    { label: 'every number in this report', command },
    ...policies.map((p) => ({
      label: `one ${p} run with its trace and timeline (any seed of ${seedSpec}; shown: the first)`,
      command: replayRunCommand(file, p, seeds[0]),
    })),
  ];
  const t1 = performance.now();
  const html = renderReport({ title: `Slipway compare: ${scenario.name}`, scenario, policies, seeds, runs, comparisons, commands });
  const reportMs = performance.now() - t1;
  // No wall time in the files: the same sweep writes the same bytes, however and wherever it ran.
  const meta = { scenario: scenario.name, file, policies, seeds, commands: { compare: command, replay: replayRunCommand(file, '<policy>', '<seed>') } };
  writeOutputs([
    [join(out, 'report.html'), html],
    [join(out, 'results.json'), resultsJson(meta, runs, comparisons)],
    [join(out, 'results.csv'), resultsCsv(runs)],
  ]);
  if (o.json) process.stdout.write(resultsJson(meta, runs, comparisons));
  else process.stdout.write(formatTable(policies, comparisons, seeds.length) + `${runs.length} runs ${o.how}; report built in ${(reportMs / 1000).toFixed(2)} s\nresults: ${join(out, 'results.json')}, ${join(out, 'results.csv')}\nreport:  ${join(out, 'report.html')}\n`);
  return EXIT_OK;
}

function formatTable(policies: readonly string[], comparisons: readonly MetricComparison[], n: number): string {
  const header = ['metric', ...policies];
  const rows = comparisons.map((c) => {
    const def = METRICS.find((m) => m.key === c.key)!;
    return [
      `${def.label} (${displayUnit(def.unit)})`,
      ...c.summaries.map((s, i) => {
        if (!s) return '–';
        const ci = n > 1 ? ` [${formatMetric(def.unit, s.ciLow)}${s.clamped ? '*' : ''}, ${formatMetric(def.unit, s.ciHigh)}]` : '';
        const t = c.tests[i];
        const sig = t && t.p !== null && t.p < 0.05 ? ' *' : '';
        return `${c.best === i ? '★ ' : ''}${formatMetric(def.unit, s.mean)}${ci}${sig}`;
      }),
    ];
  });
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const lines = all.map((r) => '  ' + r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd());
  const clamped = comparisons.some((c) => c.summaries.some((s) => s?.clamped));
  const notes = n > 1 ? ` [95% CI over ${n} seeds, Student's t${clamped ? '; 0* = lower end clamped at 0, the quantity cannot be negative' : ''}]; * after a value: paired t-test vs ${policies[0]} p < 0.05` : '';
  return lines.join('\n') + `\n  (mean${notes}; ★ the one better mean, none on a tie)\n`;
}

/** `--scheduler NAME` of `slipway run`: one registered scheduler. */
export function parseScheduler(name: string): string {
  const known = schedulerNames();
  if (!known.includes(name)) throw new InputError(unknownName('--scheduler', 'scheduler', name, known));
  return name;
}
