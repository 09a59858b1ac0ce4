/** `slipway run FILE [--seed N] [--until DURATION] [--out DIR] [--json] [--check-determinism] [--backend sim|docker|oci] [--state FILE] [--keep]` */
import { readFileSync, rmSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { startWorker } from '../pool/start-worker.js';
import { siblingModule } from '../module-url.js';
import { diffTraces, formatDivergence } from '../run/trace-diff.js';
import { InputError, InterruptedError, signalExitCode } from '../core/errors.js';
import { unknownName } from '../core/suggest.js';
import { formatDuration, parseDuration } from '../core/duration.js';
import { renderRunReport } from '../report/html.js';
import { BACKENDS, type BackendKind } from '../run/live-backend.js';
import { runLive, type LiveRunSummary } from '../run/live.js';
import { simulate, toWorkload, type RunSummary } from '../run/simulate.js';
import { withPolicy } from '../compare/run-one.js';
import { gpuMetricsOptions, MetricsCollector, typicalPod } from '../report/metrics.js';
import { parseScheduler } from './compare.js';
import { EXIT_FAILED, EXIT_OK } from './errors.js';
import { countResults, statusWord } from '../check/expectations.js';
import { prepareOutput, writeOutput } from './output.js';
import { readCluster, withCluster } from './read-cluster.js';
import { readLatency } from './read-latency.js';
import { parseNodes, readScenario } from './read-scenario.js';
import { pluginsOf } from './plugin-flag.js';
import { MAX_DURATION_MS } from '../scenario/limits.js';
import { parseLimitFlags, type LimitFlags } from './limit-flags.js';
import { commitFiles, removeTemporaries, stageFile, temporaryName, trackTemporary } from '../engine/durable-file.js';
import { watchSignals } from './signals.js';
import { liveProgress } from './live-progress.js';
import { simProgress } from './sim-progress.js';

export interface RunFlags extends LimitFlags {
  readonly seed?: string;
  readonly until?: string;
  /** NOT CHECKED expectations do not fail the run. */
  readonly allowUnchecked?: boolean;
  readonly out?: string;
  readonly json?: boolean;
  readonly backend?: string;
  readonly state?: string;
  readonly keep?: boolean;
  /** Live: the cluster identity (default: the state file's, else the scenario's name). */
  readonly identity?: string;
  /** Live: break another controller's locks on the engines. */
  readonly force?: boolean;
  readonly latency?: string;
  readonly cluster?: string;
  /** User plugin files (`--plugin`), loaded before the scenario is read. */
  readonly plugin?: readonly string[];
  readonly checkDeterminism?: boolean;
  /** A registered scheduler (policy) instead of the scenario's. */
  readonly scheduler?: string;
  /** FILE is a Kubernetes manifest file: run it on this many default nodes. */
  readonly nodes?: string;
}


export function parseBackend(v: string | undefined): BackendKind {
  const b = v ?? 'sim';
  if (!(BACKENDS as readonly string[]).includes(b)) throw new InputError(unknownName('--backend', 'backend', b, BACKENDS));
  return b as BackendKind;
}

export function parseSeed(v: string): number {
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw new InputError(`--seed: expected a non-negative integer, got "${v}"`);
  return Number(v);
}

export function parseUntil(v: string): number {
  try {
    const ms = parseDuration(v);
    if (ms <= 0) throw new Error('must be positive');
    if (ms > MAX_DURATION_MS) throw new Error('over the limit of 366d per run');
    return ms;
  } catch (e) {
    throw new InputError(`--until: invalid duration "${v}": ${(e as Error).message}`);
  }
}

/** The command that reproduces a run, for messages and reports. */
export interface ReplayOptions {
  readonly untilMs?: number;
  readonly backend?: BackendKind;
  readonly latencyFile?: string;
  readonly clusterFile?: string;
  readonly plugins?: readonly string[];
  readonly scheduler?: string;
  /** `--nodes N` of a manifest file. */
  readonly nodes?: number;
}

export function replayCommand(file: string, seed: number, o: ReplayOptions = {}): string {
  const parts = ['npx', 'slipway', 'run', file, '--seed', String(seed)];
  if (o.nodes !== undefined) parts.push('--nodes', String(o.nodes));
  if (o.untilMs !== undefined) parts.push('--until', formatDuration(o.untilMs));
  if (o.backend !== undefined && o.backend !== 'sim') parts.push('--backend', o.backend);
  if (o.latencyFile !== undefined) parts.push('--latency', o.latencyFile);
  if (o.clusterFile !== undefined) parts.push('--cluster', o.clusterFile);
  for (const p of o.plugins ?? []) parts.push('--plugin', p);
  if (o.scheduler !== undefined) parts.push('--scheduler', o.scheduler);
  return parts.join(' ');
}

export async function runCommand(file: string, flags: RunFlags, setContext: (c: () => string) => void): Promise<number> {
  // First: the scenario's profile may name a plugin from these files.
  const plugins = await pluginsOf(flags.plugin);
  const seed = flags.seed !== undefined ? parseSeed(flags.seed) : undefined;
  const untilMs = flags.until !== undefined ? parseUntil(flags.until) : undefined;
  if (flags.scheduler !== undefined) parseScheduler(flags.scheduler);
  // --until stops the run early; the scenario keeps its duration, so expectations after the stop are NOT CHECKED.
  const limits = parseLimitFlags(flags);
  const nodes = flags.nodes !== undefined ? parseNodes(flags.nodes) : undefined;
  // A manifest file runs for --until (its one expectation is checked at its end); a scenario keeps its duration.
  const fileScenario = readScenario(file, { ...(seed !== undefined ? { seed } : {}), limits, plugins, ...(nodes !== undefined ? { nodes } : {}), ...(untilMs !== undefined ? { manifestRunMs: untilMs } : {}) });
  const read = flags.scheduler !== undefined ? withPolicy(fileScenario, flags.scheduler) : fileScenario;
  const withLatency = flags.latency !== undefined ? { ...read, latency: { ...read.latency, ...readLatency(flags.latency) } } : read;
  const scenario = flags.cluster !== undefined ? withCluster(withLatency, readCluster(flags.cluster), flags.cluster) : withLatency;
  const out = flags.out ?? join('reports', basename(file, extname(file)));
  prepareOutput('--out', out, 'dir');
  const tracePath = join(out, 'trace.jsonl');
  const backend = parseBackend(flags.backend);
  if (backend === 'sim' && (flags.state !== undefined || flags.keep || flags.cluster !== undefined || flags.identity !== undefined || flags.force))
    throw new InputError('--state, --keep, --cluster, --identity and --force apply to live backends only (--backend docker|oci)');
  if (flags.checkDeterminism && (backend !== 'sim' || flags.latency !== undefined || flags.plugin !== undefined || flags.scheduler !== undefined))
    throw new InputError('--check-determinism applies to simulated runs of the scenario file alone (no --backend, --latency, --plugin or --scheduler)');
  const command = replayCommand(file, scenario.seed, {
    ...(untilMs !== undefined ? { untilMs } : {}),
    backend,
    ...(flags.latency !== undefined ? { latencyFile: flags.latency } : {}),
    ...(flags.cluster !== undefined ? { clusterFile: flags.cluster } : {}),
    ...(flags.plugin !== undefined ? { plugins: flags.plugin } : {}),
    ...(flags.scheduler !== undefined ? { scheduler: flags.scheduler } : {}),
    ...(nodes !== undefined ? { nodes } : {}),
  });
  for (const w of scenario.warnings ?? []) process.stderr.write(`${file}: warning: ${w}\n`);
  if (scenario.scheduler.ignored) {
    process.stderr.write(`${file}: warning: scheduler: KubeSchedulerConfiguration fields not modelled, ignored: ${scenario.scheduler.ignored.join(', ')}\n`);
  }
  setContext(() => `seed ${scenario.seed}; replay: ${command}`);

  const runEnd = { ...(untilMs !== undefined ? { untilMs } : {}), ...(flags.allowUnchecked ? { allowUnchecked: true } : {}) };
  // Metrics for the report, computed from the trace records as they are written.
  const collector = new MetricsCollector({ durationMs: untilMs ?? scenario.durationMs, typicalPod: typicalPod(scenario.workloads), gpu: gpuMetricsOptions(scenario.workloads.map(toWorkload)) });
  const progress = backend === 'sim' ? undefined : liveProgress();
  const simBar = backend === 'sim' ? simProgress(untilMs ?? scenario.durationMs) : undefined;
  const traceLimit = limits.maxTraceBytes !== undefined ? { maxTraceBytes: limits.maxTraceBytes } : {};
  // The run's three outputs are staged beside their final names and renamed into place together
  // (no await between the renames), so a reader never sees a new trace beside an old report, and
  // an interrupted run leaves no temporary behind.
  const stagedTrace = temporaryName(tracePath, 'run');
  trackTemporary(stagedTrace);
  const signals = watchSignals(backend === 'sim' ? 'the simulation' : 'the live run');
  let summary: RunSummary;
  try {
    summary =
      backend === 'sim'
        ? await simulate(scenario, { tracePath: stagedTrace, onEvent: collector.onEvent, signal: signals.signal, plugins, ...traceLimit, ...runEnd, ...(simBar ? { observe: simBar.observe } : {}) })
        : await runLive(scenario, {
            backend,
            plugins,
            tracePath: stagedTrace,
            onEvent: collector.onEvent,
            signal: signals.signal,
            ...traceLimit,
            ...runEnd,
            ...(flags.state !== undefined ? { statePath: flags.state } : {}),
            ...(flags.keep ? { keep: true } : {}),
            ...(flags.identity !== undefined ? { identity: flags.identity } : {}),
            ...(flags.force ? { force: true } : {}),
            notice: (line) => process.stderr.write(`warning: ${line}\n`),
            onProgress: progress!.onProgress,
          });
  } catch (e) {
    removeTemporaries();
    throw e;
  } finally {
    progress?.stop();
    simBar?.stop();
  }
  const summaryPath = join(out, 'summary.json');
  const reportPath = join(out, 'report.html');
  const run = {
    policy: summary.scheduler,
    seed: summary.seed,
    traceHash: summary.traceHash,
    events: summary.events,
    ok: summary.ok,
    metrics: collector.finish(summary.simulatedTimeMs),
    summary,
  };
  const staged: Array<readonly [string, string]> = [[stagedTrace, tracePath]];
  staged.push([stageFile(summaryPath, JSON.stringify({ ...summary, command, trace: tracePath }, null, 2) + '\n'), summaryPath]);
  staged.push([stageFile(reportPath, renderRunReport({ scenario, run, command, tracePath })), reportPath]);
  // A signal during the staging: a simulated run writes nothing (a live one keeps what it did).
  if (signals.received !== undefined && backend === 'sim') {
    removeTemporaries();
    throw new InterruptedError(signals.received, `interrupted (${signals.received}) while writing the outputs: no output written`);
  }
  commitFiles(staged);
  const interrupted = (summary as Partial<LiveRunSummary>).interrupted;
  if (interrupted === undefined) signals.dispose();

  let deterministic = true;
  let determinismText = '';
  if (flags.checkDeterminism) {
    const check = await checkDeterminism({ file, seed: scenario.seed, durationMs: scenario.durationMs, untilMs: untilMs ?? scenario.durationMs, tracePath, hash: summary.traceHash, ...(nodes !== undefined ? { nodes } : {}) });
    deterministic = check.ok;
    determinismText = check.text;
  }
  if (flags.json) process.stdout.write(JSON.stringify({ ...summary, command, trace: tracePath }, null, 2) + '\n');
  else process.stdout.write(formatSummary(summary, { command, out, tracePath, summaryPath, reportPath }));
  process.stdout.write(determinismText);
  if (interrupted !== undefined) return signalExitCode(interrupted);
  return summary.ok && deterministic ? EXIT_OK : EXIT_FAILED;
}

/**
 * Runs the scenario a second time in a fresh worker thread and compares the traces' hashes; on a
 * mismatch, reports the first divergence. The second trace is kept only when they differ.
 */
async function checkDeterminism(o: { file: string; seed: number; durationMs: number; untilMs: number; tracePath: string; hash: string; nodes?: number }): Promise<{ ok: boolean; text: string }> {
  const second = o.tracePath.replace(/\.jsonl$/, '') + '.determinism.jsonl';
  const worker = startWorker(siblingModule('determinism-worker', import.meta.url), { file: o.file, seed: o.seed, durationMs: o.durationMs, untilMs: o.untilMs, tracePath: second, ...(o.nodes !== undefined ? { nodes: o.nodes } : {}) });
  const result = await new Promise<{ hash: string }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`determinism worker exited with code ${code}`)));
  });
  await worker.terminate();
  if (result.hash === o.hash) {
    rmSync(second, { force: true });
    return { ok: true, text: `determinism: identical in a fresh worker (sha256 ${o.hash})\n` };
  }
  const d = diffTraces(readLines(o.tracePath), readLines(second), 3, { expected: o.tracePath, actual: second });
  const lines = [`determinism: FAILED: the second run (fresh worker) differs; its trace: ${second}`];
  if (d) lines.push(...formatDivergence(d));
  return { ok: false, text: lines.join('\n') + '\n' };
}

function readLines(path: string): string[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
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
  const live = (s as Partial<LiveRunSummary>).backend;
  lines.push(
    live === undefined
      ? `${s.scenario}: seed ${s.seed}, ${formatDuration(s.simulatedTimeMs)} simulated, ${s.events} events, scheduler ${s.scheduler}`
      : `${s.scenario}: live on ${live}, ${formatDuration(s.simulatedTimeMs)} of wall time, scheduler ${s.scheduler}${(s as LiveRunSummary).resumed ? ', resumed from its state file' : ''}`,
  );
  lines.push(`nodes: ${s.nodes.total} (${s.nodes.ready} Ready, ${s.nodes.notReady} NotReady, ${s.nodes.down} Down)`);
  const header = ['workload', 'kind', 'desired', 'running', 'pending', 'failed', 'restarts'];
  const rows = s.workloads.map((w) => [w.name, w.kind, w.desired, w.running, w.pending, w.failed, w.restarts].map(String));
  lines.push(...table([header, ...rows]));
  if (s.expectations.length > 0) {
    lines.push('expectations:');
    for (const e of s.expectations) lines.push(`  ${statusWord(e.status)}  ${e.name} — ${e.detail}`);
  }
  const interrupted = (s as Partial<LiveRunSummary>).interrupted;
  if (interrupted) {
    lines.push(`interrupted (${interrupted}): expectations whose time had not come are NOT CHECKED; the run counts as failed`);
    if ((s as Partial<LiveRunSummary>).persisted) lines.push('state kept and workloads left running: run the same command again to resume');
  }
  const left = (s as Partial<LiveRunSummary>).containersLeft;
  if (left !== undefined) lines.push(left === 0 ? 'teardown: no containers left' : `teardown: ${left} container(s) left on the nodes`);
  if (s.admissionRejections > 0) lines.push(`warning: nodes refused ${s.admissionRejections} container create(s) for lack of room`);
  lines.push(`trace:   ${p.tracePath} (${s.traceLines} lines, sha256 ${s.traceHash})`);
  lines.push(`summary: ${p.summaryPath}`);
  const { pass, fail: failed, notChecked } = countResults(s.expectations);
  const total = s.expectations.length;
  if (s.violation) {
    const v = s.violation;
    lines.push(`INVARIANT VIOLATED: ${v.invariant} at event ${v.event} (t=${formatDuration(v.t)}): ${v.message}`);
    lines.push(`FAILED: the run stopped at the violation; seed ${s.seed}; replay: ${p.command}`);
  } else if (interrupted) {
    // An interrupted run proves nothing: never "ok", always the command that runs it again.
    lines.push(`FAILED: interrupted by ${interrupted}; ${pass} of ${total} expectation(s) held before; seed ${s.seed}; replay: ${p.command}`);
  } else {
    lines.push(
      total === 0
        ? 'ok: no invariant violated (the scenario states no expectations)'
        : failed > 0
        ? `FAILED: ${failed} of ${total} expectation(s)${notChecked > 0 ? ` (${notChecked} NOT CHECKED)` : ''}; seed ${s.seed}; replay: ${p.command}`
        : notChecked === 0
          ? `ok: ${total} expectation(s) hold, no invariant violated`
          : s.ok
            ? `ok: ${pass} of ${total} expectation(s) hold, ${notChecked} NOT CHECKED (allowed by --allow-unchecked), no invariant violated`
            : `NOT CHECKED: ${notChecked} of ${total} expectation(s) could not be checked (the run stopped before their time); ${pass} hold. Run to the scenario's end, or pass --allow-unchecked`,
    );
  }
  // Last, so `npm start` ends with the path of the report to open.
  lines.push(`report:  ${p.reportPath}`);
  return lines.join('\n') + '\n';
}

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => '  ' + r.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd());
}
