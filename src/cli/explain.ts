/**
 * `slipway explain FILE [--json]`: why a pod lands where it does (see docs/scheduling.md).
 * FILE is a snapshot, or a scenario explained at a point of its run (`--at T --workload NAME`).
 */
import { withPolicy } from '../compare/run-one.js';
import { parseDuration } from '../core/duration.js';
import { InputError } from '../core/errors.js';
import { readInputFile } from './input-file.js';
import { explainScenarioAt } from '../run/explain-at.js';
import { explainSnapshot, formatExplainTable, type ExplainReport } from '../scheduler/explain/explain.js';
import { parseSnapshot } from '../scheduler/explain/snapshot.js';
import { parseScheduler } from './compare.js';
import { parseSeed } from './run.js';
import { readScenario } from './read-scenario.js';
import { pluginsOf } from './plugin-flag.js';
import { prepareOutput, writeOutput } from './output.js';
import { documentKind, mixUpMessage } from './document-kind.js';
import { stringify } from 'yaml';

export interface ExplainFlags {
  readonly json?: boolean;
  /** Scenario files: the virtual time to explain at. */
  readonly at?: string;
  /** Scenario files: the workload one more instance of which is explained. */
  readonly workload?: string;
  /** Scenario files: a profile instead of the scenario's. */
  readonly scheduler?: string;
  readonly seed?: string;
  /** Scenario files: also write the explained state as a snapshot file. */
  readonly snapshotOut?: string;
  /** User plugin files (`--plugin`): the profile may name their plugins. */
  readonly plugin?: readonly string[];
}

function parseAt(v: string): number {
  try {
    return parseDuration(v);
  } catch (e) {
    throw new InputError(`--at: ${(e as Error).message}`);
  }
}

/** Prints the table (or JSON) and returns 0; bad input throws InputError (exit 2). */
export async function runExplain(file: string, flags: ExplainFlags): Promise<number> {
  const plugins = await pluginsOf(flags.plugin);
  const text = readInputFile(file);
  const scenarioFlags = (['at', 'workload', 'scheduler', 'seed', 'snapshotOut'] as const).filter((k) => flags[k] !== undefined);
  if (scenarioFlags.length > 0) {
    if (flags.at === undefined || flags.workload === undefined) {
      throw new InputError(`${file}: explaining a scenario needs both --at DURATION and --workload NAME (given: ${scenarioFlags.map((k) => (k === 'snapshotOut' ? '--snapshot-out' : `--${k}`)).join(', ')})`);
    }
    const atMs = parseAt(flags.at);
    const seed = flags.seed !== undefined ? parseSeed(flags.seed) : undefined;
    if (flags.scheduler !== undefined) parseScheduler(flags.scheduler);
    // An unusable path is bad input before the simulation, not an I/O error after it.
    if (flags.snapshotOut !== undefined) prepareOutput('--snapshot-out', flags.snapshotOut, 'file');
    const read = readScenario(file, { ...(seed !== undefined ? { seed } : {}), plugins });
    for (const w of read.warnings ?? []) process.stderr.write(`${file}: warning: ${w}\n`);
    const scenario = flags.scheduler !== undefined ? withPolicy(read, flags.scheduler) : read;
    const report = await explainScenarioAt(scenario, { atMs, workload: flags.workload, plugins });
    if (flags.snapshotOut !== undefined) {
      const header = `# slipway explain snapshot: ${file} at ${flags.at} (seed ${scenario.seed}), one more instance of ${flags.workload}\n`;
      writeOutput(flags.snapshotOut, header + stringify(report.snapshot, { lineWidth: 0 }));
    }
    if (flags.json) process.stdout.write(`${JSON.stringify({ at: flags.at, atMs, boundInstances: report.boundInstances, ...reportJson(report) })}\n`);
    else process.stdout.write(`${file} at ${flags.at} (seed ${scenario.seed}): ${report.boundInstances} instance(s) bound; one more instance of ${flags.workload}:\n${formatExplainTable(report)}`);
    return 0;
  }
  const mixUp = mixUpMessage(file, documentKind(text), 'snapshot');
  if (mixUp !== undefined) throw new InputError(mixUp);
  const snapshot = parseSnapshot(text, file, { plugins });
  if (snapshot.ignored.length > 0) {
    process.stderr.write(`${file}: warning: profile: KubeSchedulerConfiguration fields not modelled, ignored: ${snapshot.ignored.join(', ')}\n`);
  }
  const report = explainSnapshot(snapshot, { plugins });
  if (flags.json) process.stdout.write(`${JSON.stringify(reportJson(report))}\n`);
  else process.stdout.write(formatExplainTable(report));
  return 0;
}

/** The JSON form of a report (the same for snapshots and scenarios). */
function reportJson(report: ExplainReport): Record<string, unknown> {
    const { pending, chosen, nodes, preemption, gpus } = report;
    return {
      pending,
      chosen,
      ...(gpus ? { gpus } : {}),
      nodes: nodes.map((n) => ({
        name: n.name,
        feasible: n.feasible,
        reasons: n.reasons,
        scores: n.scores,
        total: n.total,
        ...(n.gpuFree ? { gpuFree: n.gpuFree } : {}),
      })),
      ...(preemption ? { preemption } : {}),
    };
}
