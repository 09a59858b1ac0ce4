/**
 * `slipway experiment fgd --workload W [--traces DIR] [--policies LIST] [--seeds 42..51] [--workers N] [--out DIR]`
 *
 * Runs the FGD paper's experiment (src/gpu/experiment.ts) for every workload, policy and seed and
 * writes DIR/results.csv and DIR/report.html (atomically); prints unallocated GPU % at 100% arrived.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { parsePolicies, parseSeeds, parseWorkloads, resultsCsv, studyJobs, summaryTable, type JobResult } from '../gpu/study.js';
import { InputError } from '../core/errors.js';
import { fgdKind, traceFileHashes, type FgdSpec } from './sweep-kinds.js';
import { sweepMode, sweepRows, type SweepFlags } from './sweep-run.js';
import { renderFgdReport } from '../report/fgd-report.js';
import { EXIT_OK } from './errors.js';
import { runJobs } from './experiment-pool.js';
import { parseWorkerCount } from './workers.js';
import { prepareOutput, writeOutputs } from './output.js';
import { readGpuNodes, resolveTracesDir } from './traces.js';
import { rawStream } from './terminal.js';

export interface FgdFlags extends SweepFlags {
  readonly workload: string;
  readonly traces?: string;
  readonly policies?: string;
  readonly seeds: string;
  readonly workers?: string;
  readonly out?: string;
  readonly placements?: boolean;
}

function parseWorkers(v: string | undefined): number {
  return parseWorkerCount(v, 1);
}

/** The text of d3's minified bundle, inlined in the report. */
export function d3Source(): string {
  const require = createRequire(import.meta.url);
  // d3's exports map has no ./package.json; its main entry is src/index.js beside dist/
  return readFileSync(join(dirname(require.resolve('d3')), '..', 'dist', 'd3.min.js'), 'utf8');
}

/** The command that reproduces a study, with the resolved trace folder and output folder. */
export function fgdCommand(flags: FgdFlags, { tracesDir, out }: { tracesDir: string; out: string }): string {
  const parts = ['npx', 'slipway', 'experiment', 'fgd', '--workload', flags.workload, '--traces', tracesDir];
  if (flags.policies !== undefined) parts.push('--policies', flags.policies);
  if (flags.placements) parts.push('--placements');
  parts.push('--seeds', flags.seeds, '--out', out);
  return parts.map((p) => (/^[\w@%+=:,./-]+$/.test(p) ? p : `'${p.replace(/'/g, `'\\''`)}'`)).join(' ');
}

export async function runFgdExperiment(flags: FgdFlags, setContext: (c: () => string) => void): Promise<number> {
  const workloads = parseWorkloads(flags.workload);
  const policies = parsePolicies(flags.policies);
  const seeds = parseSeeds(flags.seeds);
  const workers = parseWorkers(flags.workers);
  const mode = sweepMode(flags);
  if (flags.placements && mode !== 'local') throw new InputError('--placements: only in a local run (not with --shard, --queue or --emit-k8s-job)');
  const tracesDir = resolveTracesDir(flags.traces);
  const out = flags.out ?? join('reports', `fgd-${flags.workload}`);
  const command = fgdCommand(flags, { tracesDir, out });
  setContext(() => `seeds ${flags.seeds}; replay: ${command}`);

  const capacityGpus = readGpuNodes(tracesDir).reduce((a, n) => a + n.gpuCount, 0);
  const spec: FgdSpec = {
    workload: flags.workload,
    policies: flags.policies ?? null,
    seeds: flags.seeds,
    tracesDir,
    traceFiles: mode === 'local' ? {} : traceFileHashes(tracesDir, workloads),
    capacityGpus,
  };
  const swept = await sweepRows({ kind: fgdKind, spec, flags, out, workers, argv: process.argv.slice(2) });
  if (swept !== undefined) return swept;
  prepareOutput('--out', out, 'dir');
  const jobs = studyJobs(workloads, policies, seeds);
  const progress = process.stderr.isTTY;
  const placementsDir = flags.placements ? join(out, 'placements') : undefined;
  const results = await runJobs(jobs, {
    tracesDir,
    workers,
    placementsDir,
    onDone: (done, total, r) => {
      if (progress) rawStream(process.stderr).write(`\r${done}/${total} experiments (last: ${r.workload} ${r.policy} seed ${r.seed})   `);
    },
  });
  if (progress) process.stderr.write('\n');
  return writeFgdOutputs(spec, results, out, placementsDir);
}

/**
 * Writes results.csv and report.html of a study from its results (job order) and prints the
 * summary: the one writer of a local run, and `slipway merge`.
 */
export function writeFgdOutputs(spec: FgdSpec, results: readonly JobResult[], out: string, placementsDir?: string): number {
  const command = fgdCommand({ workload: spec.workload, seeds: spec.seeds, ...(spec.policies !== null ? { policies: spec.policies } : {}), placements: placementsDir !== undefined }, { tracesDir: spec.tracesDir, out });
  const csvPath = join(out, 'results.csv');
  const htmlPath = join(out, 'report.html');
  writeOutputs([
    [csvPath, resultsCsv(results)],
    [htmlPath, renderFgdReport({ results, command, d3Source: d3Source(), capacityGpus: spec.capacityGpus })],
  ]);
  const wrote = placementsDir ? `${csvPath}, ${htmlPath} and ${placementsDir}/` : `${csvPath} and ${htmlPath}`;
  process.stdout.write(`${summaryTable(results, spec.capacityGpus)}\n\nwrote ${wrote}\nreproduce: ${command}\n`);
  return EXIT_OK;
}
