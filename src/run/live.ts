/**
 * One live run of a scenario: the same control plane (Orchestrator, scheduler, reconciler) as
 * `simulate`, on wall-clock time against real Docker engines or an OCI runtime. The scenario's
 * workloads, operations and faults are applied at their times (real milliseconds since the
 * start), expectations are evaluated at theirs, and the trace has the simulated run's format.
 *
 * Crash safety: with `statePath`, the desired state and the run's progress (its start time, the
 * steps and faults already applied) live in a file written atomically. A run started again with
 * the same file continues the same timeline: it adopts the containers the nodes run, skips what
 * was already applied, and finishes the rest.
 *
 * At the end (unless `keep`), every workload is deleted and the run waits until the nodes hold
 * none of Slipway's containers; the summary says how many were left.
 */
import { FileStateStore } from '../../backends/store/file-state-store.js';
import { InputError } from '../core/errors.js';
import { countResults, evaluate, evaluateAtEnd, evaluationTime, expectationRecord, type ExpectationResult } from '../check/expectations.js';
import type { Scheduler, StateStore } from '../core/interfaces.js';
import { Orchestrator } from '../core/orchestrator.js';
import { InMemoryStateStore } from '../core/state-store.js';
import { liveIds } from '../engine/live-ids.js';
import { TraceWriter } from '../engine/trace.js';
import type { TraceEvent } from '../core/trace-events.js';
import { DEFAULT_LIMITS, formatSize } from '../scenario/limits.js';
import { scenarioIdentity, type ScenarioIdentity } from './scenario-identity.js';
import { WallClock } from '../engine/wall-clock.js';
import { assertLiveFaults, scheduleLiveFaults } from '../faults/live-injector.js';
import { createScheduler } from '../scheduler/registry.js';
import type { PluginRegistry } from '../scheduler/plugins/registry.js';
import type { Operation, Scenario, WorkloadDef } from '../scenario/types.js';
import { SLIPWAY_VERSION } from '../version.js';
import { formatDuration } from '../core/duration.js';
import { createLiveBackend, type LiveBackend, type LiveBackendKind } from './live-backend.js';
import { acquireAll, newOwner } from '../../backends/live/engine-lock.js';
import { applyTaintOperation, applyWorkloadOperation, clusterObjectsOf, orchestratorConfig, toWorkload, workloadSummary, type RunSummary } from './simulate.js';

export interface LiveOptions {
  readonly backend: LiveBackendKind;
  readonly tracePath?: string;
  /**
   * Stop at this many ms after the start instead of the scenario's duration. Expectations whose
   * time lies after it, and untimed ones about the whole scenario, are then `not-checked`.
   */
  readonly untilMs?: number;
  /** Not-checked expectations do not fail the run (`--allow-unchecked`). */
  readonly allowUnchecked?: boolean;
  readonly scheduler?: Scheduler;
  /** The plugins the scenario's profile may name (default `BUILT_IN_PLUGINS`; `--plugin` files add to it). */
  readonly plugins?: PluginRegistry;
  /** Durable desired state and run progress; a run with an existing file resumes it. */
  readonly statePath?: string;
  /** Leave the workloads running at the end (no teardown). */
  readonly keep?: boolean;
  /** Longest wait for the teardown, ms (default 60 s). */
  readonly teardownTimeoutMs?: number;
  /** Sees every trace event as it is written (metrics, tests), in trace order. */
  readonly onEvent?: (e: TraceEvent) => void;
  /** Called once the world is built, before the first step (tests look inside). */
  readonly observe?: (world: LiveWorld) => void;
  /**
   * The cluster identity (`--identity`): labels every container created, limits adoption and
   * orphan removal to its own containers, and names the engine locks. Default: the identity the
   * state file recorded, else the scenario's name.
   */
  readonly identity?: string;
  /** Break other controllers' locks on the engines (`--force`: their owner is gone), and resume a
   *  state file another scenario (or an edited one) wrote. */
  readonly force?: boolean;
  /** Ends the run early when aborted (SIGINT/SIGTERM; the reason is the signal's name). */
  readonly signal?: AbortSignal;
  /** Stop with a TraceLimitError when the trace grows past this many bytes (default DEFAULT_LIMITS). */
  readonly maxTraceBytes?: number;
  /** One-line notices for the user (a broken stale lock). */
  readonly notice?: (line: string) => void;
  /** Progress while the run waits: now, then every second until the end of the teardown. */
  readonly onProgress?: (p: LiveProgress) => void;
}

export interface LiveWorld {
  readonly clock: WallClock;
  readonly backend: LiveBackend;
  readonly orchestrator: Orchestrator;
  readonly store: StateStore;
  readonly trace: TraceWriter;
}

export interface LiveRunSummary extends RunSummary {
  readonly backend: LiveBackendKind;
  /** This run continued an earlier one from its state file. */
  readonly resumed: boolean;
  /** Ctrl-C ended the run early: expectations whose time had not come are not checked. */
  readonly interrupted?: 'SIGINT' | 'SIGTERM';
  /** Interrupted with a state file: the workloads were left running and the state kept, to resume. */
  readonly persisted?: boolean;
  /** Slipway containers still on the nodes after the teardown (0 = clean); undefined with `keep`. */
  readonly containersLeft?: number;
}

type Step = { readonly at: number; readonly index: number } & (
  | { readonly kind: 'submit'; readonly def: WorkloadDef }
  | { readonly kind: 'op'; readonly op: Operation }
);

/** Workload submissions and operations in time order (file order for equal times). */
function steps(s: Scenario): Step[] {
  const out: Step[] = [];
  s.workloads.forEach((def) => out.push({ at: def.at, index: out.length, kind: 'submit', def }));
  s.operations.forEach((op) => out.push({ at: op.at, index: out.length, kind: 'op', op }));
  return out.sort((a, b) => a.at - b.at || a.index - b.index);
}

export async function runLive(scenario: Scenario, options: LiveOptions): Promise<LiveRunSummary> {
  assertLiveFaults(scenario.faults, scenario.source.file, options.backend);
  const fileStore = options.statePath !== undefined ? new FileStateStore(options.statePath) : undefined;
  if (fileStore?.getMeta<boolean>('finished'))
    throw new InputError(`--state ${options.statePath}: this run finished (and was torn down); remove the file or name another to start a new run`);
  const scenarioId = scenarioIdentity(scenario);
  if (fileStore?.resumed) {
    const was = fileStore.getMeta<ScenarioIdentity>('scenario');
    if (was?.hash !== scenarioId.hash && !options.force) {
      throw new InputError(
        was === undefined
          ? `--state ${options.statePath}: the state file does not say which scenario wrote it; pass --force to resume it with ${scenario.source.file}, or name another state file`
          : `--state ${options.statePath}: written by scenario "${was.name}" (sha256 ${was.hash.slice(0, 12)}), not by ${scenario.source.file} ("${scenarioId.name}", sha256 ${scenarioId.hash.slice(0, 12)}); pass --force to resume it anyway, or name another state file`,
      );
    }
  }
  const identity = clusterIdentity(scenario, options.identity, fileStore?.getMeta<string>('identity'), options.statePath);
  const store: StateStore = fileStore ?? new InMemoryStateStore();
  const resumed = fileStore?.resumed ?? false;
  const origin = fileStore?.getMeta<number>('origin');
  const clock = new WallClock(origin !== undefined ? { origin } : {});
  const progress = progressReporter(options.onProgress, clock, options.untilMs ?? scenario.durationMs);
  const backend = createLiveBackend(scenario, options.backend, clock, identity, options.notice);
  // One controller per identity: take every engine's lock before adopting or removing anything.
  let releaseLocks: () => Promise<void>;
  try {
    releaseLocks = await acquireAll(backend.locks, newOwner(identity, scenario.source.file), {
      ...(options.force ? { force: true } : {}),
      ...(options.notice ? { notice: options.notice } : {}),
    });
  } catch (e) {
    progress.stop();
    await backend.close();
    throw e;
  }
  if (fileStore && origin === undefined) fileStore.setMeta('origin', clock.origin);
  if (fileStore && fileStore.getMeta<ScenarioIdentity>('scenario')?.hash !== scenarioId.hash) fileStore.setMeta('scenario', scenarioId);
  if (fileStore && fileStore.getMeta<string>('identity') === undefined) fileStore.setMeta('identity', identity);
  const applied = new Set<string>(fileStore?.getMeta<string[]>('applied') ?? []);
  const markApplied = (key: string) => {
    applied.add(key);
    fileStore?.setMeta('applied', [...applied].sort());
  };

  const maxBytes = options.maxTraceBytes ?? DEFAULT_LIMITS.maxTraceBytes;
  const trace = new TraceWriter(() => clock.now(), options.tracePath, { maxBytes, maxBytesText: formatSize(maxBytes) });
  if (options.onEvent) trace.listenEvents(options.onEvent);
  const until = options.untilMs ?? scenario.durationMs;
  const errors: unknown[] = [];
  let orchestrator: Orchestrator | undefined;
  try {
    const scheduler =
      options.scheduler ??
      createScheduler(scenario.scheduler.name, {
        workloads: scenario.workloads.map(toWorkload),
        cluster: clusterObjectsOf(scenario),
        ...(scenario.scheduler.profile ? { profile: scenario.scheduler.profile } : {}),
        ...(options.plugins ? { plugins: options.plugins } : {}),
      });
    trace.record('run.start', {
      slipway: SLIPWAY_VERSION,
      scenario: scenario.name,
      file: scenario.source.file,
      seed: scenario.seed,
      durationMs: scenario.durationMs,
      untilMs: until,
      scheduler: scheduler.name,
      backend: options.backend,
      identity,
      resumed,
      document: scenario.source.document,
    });
    orchestrator = new Orchestrator({
      clock,
      runtime: backend.runtime,
      cluster: backend.cluster,
      scheduler,
      store,
      ids: liveIds(),
      recorder: trace,
      config: orchestratorConfig(scenario),
      ...(scenario.podDisruptionBudgets ? { disruptionBudgets: scenario.podDisruptionBudgets } : {}),
      onError: (e) => {
        errors.push(e);
        trace.record('run.error', { error: e instanceof Error ? e.message : String(e) });
      },
    });
    const orch = orchestrator;
    progress.set(resumed ? 'adopting containers' : 'starting', orch, backend);
    await orch.start({ adopt: true });
    progress.set('running', orch, backend);
    options.observe?.({ clock, backend, orchestrator: orch, store, trace });

    // What is still to happen; cancelled when Ctrl-C ends the run early.
    const pending: Array<() => void> = [];
    for (const step of steps(scenario)) {
      const key = `step-${step.index}`;
      if (applied.has(key)) continue;
      pending.push(clock.setTimer(Math.max(0, step.at - clock.now()), () => {
        markApplied(key);
        if (step.kind === 'submit') orch.apply(toWorkload(step.def));
        else applyLiveOperation(step.op, orch, backend, trace);
      }));
    }
    pending.push(...scheduleLiveFaults({
      faults: scenario.faults,
      target: backend.faults,
      clock,
      recorder: trace,
      onError: (e) => errors.push(e),
      skip: (i) => applied.has(`fault-${i}`),
      onInjected: (i) => markApplied(`fault-${i}`),
    }));

    // Expectations decided before a crash keep their verdicts: they are in the state file (by
    // index), recorded again in this run's trace, and not evaluated a second time.
    let stopped = false;
    const results: ExpectationResult[] = [];
    const context = () => ({ orchestrator: orch, store, node: (id: string) => backend.cluster.getNode(id), now: clock.now() });
    const settle = (i: number, r: ExpectationResult) => {
      results[i] = r;
      trace.record('expectation', expectationRecord(r));
      if (fileStore && !stopped) fileStore.setMeta('expectations', { ...(fileStore.getMeta<Record<string, ExpectationResult>>('expectations') ?? {}), [i]: r });
    };
    const decided = fileStore?.getMeta<Record<string, ExpectationResult>>('expectations') ?? {};
    for (const [k, r] of Object.entries(decided)) {
      const i = Number(k);
      if (Number.isInteger(i) && i >= 0 && i < scenario.expectations.length && r?.name === scenario.expectations[i].name) {
        results[i] = r;
        trace.record('expectation', expectationRecord(r));
      }
    }
    scenario.expectations.forEach((e, i) => {
      const t = evaluationTime(e);
      if (results[i] === undefined && t !== undefined && t < until) pending.push(clock.setTimer(Math.max(0, t - clock.now()), () => settle(i, evaluate(e, context()))));
    });

    // A signal (SIGINT, SIGTERM) ends the run early: with a state file the workloads are left
    // running and the state kept so the run can be resumed; without one they are torn down.
    let interrupted: 'SIGINT' | 'SIGTERM' | undefined;
    await new Promise<void>((resolve) => {
      const onAbort = () => {
        interrupted = options.signal?.reason === 'SIGINT' ? 'SIGINT' : 'SIGTERM';
        trace.record('run.interrupted', { signal: interrupted });
        resolve();
      };
      if (options.signal?.aborted) return onAbort();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      void clock.sleep(Math.max(0, until - clock.now())).then(() => {
        options.signal?.removeEventListener('abort', onAbort);
        resolve();
      });
    });
    for (const c of pending) c();
    // Verdicts from here on (checked early, after a signal) are not persisted as decided.
    stopped = interrupted !== undefined;
    const persist = interrupted !== undefined && fileStore !== undefined;
    // At the end: those due then; those whose time never came (--until, Ctrl-C) are not checked.
    const stoppedAt = interrupted ? clock.now() : Math.max(clock.now(), until);
    const cutShort = interrupted ? `interrupted by ${interrupted}` : until < scenario.durationMs ? `--until ${formatDuration(until)}` : undefined;
    scenario.expectations.forEach((e, i) => {
      if (results[i] === undefined) settle(i, evaluateAtEnd(e, context(), { now: stoppedAt, scenarioEndMs: scenario.durationMs, ...(cutShort ? { cutShort } : {}) }));
    });
    const counts = countResults(results);
    const workloads = orch.statuses().map(workloadSummary);
    const nodes = backend.cluster.listNodes();
    const nodeCounts = {
      total: nodes.length,
      ready: nodes.filter((n) => n.status === 'Ready').length,
      notReady: nodes.filter((n) => n.status === 'NotReady' || n.status === 'Unknown').length,
      down: nodes.filter((n) => n.status === 'Down').length,
    };
    if (!options.keep && !persist) progress.set('tearing down', orch, backend);
    const containersLeft = options.keep || persist ? undefined : await teardown(orch, backend, clock, options.teardownTimeoutMs ?? 60_000);
    progress.stop();
    if (containersLeft !== undefined) trace.record('run.teardown', { containersLeft });
    // Nothing the control plane does may follow run.end in the trace.
    orch.shutdown();
    const end = clock.now();
    trace.record('run.end', {
      reason: interrupted ? 'interrupted' : 'until',
      expectationsFailed: counts.fail,
      ...(counts.notChecked > 0 ? { expectationsNotChecked: counts.notChecked } : {}),
      errors: errors.length,
    });
    // Nothing of ours runs on the engines any more before another controller may take them.
    await backend.close();
    await releaseLocks();
    clock.cancelAll();
    if (errors.length > 0) throw errors[0];
    const closed = trace.close();
    if (fileStore && !options.keep && !persist) fileStore.setMeta('finished', true);
    return {
      scenario: scenario.name,
      seed: scenario.seed,
      traceHash: closed.hash,
      events: closed.lines,
      traceLines: closed.lines,
      simulatedTimeMs: end,
      scheduler: scheduler.name,
      nodes: nodeCounts,
      workloads,
      expectations: results,
      coverage: {},
      network: {},
      admissionRejections: 0,
      // An interrupted run fails even when what it could check held.
      ok: !interrupted && counts.fail === 0 && (counts.notChecked === 0 || options.allowUnchecked === true) && (containersLeft ?? 0) === 0,
      backend: options.backend,
      resumed,
      ...(interrupted ? { interrupted } : {}),
      ...(persist ? { persisted: true } : {}),
      ...(containersLeft !== undefined ? { containersLeft } : {}),
    };
  } catch (e) {
    progress.stop();
    orchestrator?.shutdown();
    await backend.close().catch(() => undefined);
    await releaseLocks().catch(() => undefined);
    clock.cancelAll();
    trace.abort();
    throw e;
  }
}

/**
 * The cluster identity of a live run: `--identity`, else the one its state file recorded, else the
 * scenario's name. A state file belongs to one identity.
 */
export function clusterIdentity(scenario: Scenario, given: string | undefined, stored: string | undefined, statePath: string | undefined): string {
  if (given !== undefined) {
    if (given.trim() === '' || given.length > 200) throw new InputError(`--identity: expected a name of 1 to 200 characters, got ${JSON.stringify(given)}`);
    if (stored !== undefined && stored !== given)
      throw new InputError(`--identity ${given}: the state file ${statePath} belongs to cluster "${stored}"; resume it with --identity ${stored} (or without --identity)`);
    return given;
  }
  return stored ?? scenario.name;
}

/** What a live run reports while it waits (see `LiveOptions.onProgress`). */
export interface LiveProgress {
  /** `starting`, `adopting containers`, `running`, `tearing down`. */
  readonly phase: string;
  /** Ms since the run's start, and where it stops. */
  readonly elapsedMs: number;
  readonly untilMs: number;
  readonly nodesReady: number;
  readonly nodes: number;
  /** Instances running, and wanted (services' replicas, jobs' parallel instances still to run). */
  readonly running: number;
  readonly desired: number;
  readonly pending: number;
}

/** Calls `onProgress` now and every second until stopped (on the wall clock's timers). */
function progressReporter(onProgress: ((p: LiveProgress) => void) | undefined, clock: WallClock, untilMs: number) {
  let phase = '';
  let orch: Orchestrator | undefined;
  let backend: LiveBackend | undefined;
  let cancel: (() => void) | undefined;
  let stopped = false;
  const report = () => {
    if (!onProgress || stopped) return;
    const statuses = orch?.statuses().filter((s) => !s.deleted) ?? [];
    const nodes = backend?.cluster.listNodes() ?? [];
    onProgress({
      phase,
      elapsedMs: Math.max(0, clock.now()),
      untilMs,
      nodesReady: nodes.filter((n) => n.status === 'Ready').length,
      nodes: nodes.length,
      running: statuses.reduce((a, s) => a + s.running, 0),
      desired: statuses.reduce((a, s) => a + (s.kind === 'job' ? (s.completed ? 0 : Math.min(s.desired, s.running + s.notReady + s.pending)) : s.desired), 0),
      pending: statuses.reduce((a, s) => a + s.pending, 0),
    });
  };
  const tick = () => {
    report();
    if (!stopped) cancel = clock.setTimer(1_000, tick);
  };
  return {
    set(p: string, o?: Orchestrator, b?: LiveBackend) {
      phase = p;
      orch = o ?? orch;
      backend = b ?? backend;
      if (!onProgress || stopped) return;
      cancel?.();
      tick();
    },
    stop() {
      stopped = true;
      cancel?.();
    },
  };
}

/** Deletes every workload, waits for their instances to go, and counts Slipway containers left. */
async function teardown(orch: Orchestrator, backend: LiveBackend, clock: WallClock, timeoutMs: number): Promise<number> {
  for (const s of orch.statuses()) if (!s.deleted) orch.delete(s.name);
  const deadline = clock.now() + timeoutMs;
  let left = Infinity;
  while (clock.now() < deadline) {
    left = 0;
    for (const n of backend.cluster.listNodes()) {
      left += (await backend.runtime.listContainers(n.id).catch(() => [])).length;
    }
    // Gone = removed, not only without instances: the pass that records `workload.removed` comes
    // after the last instance goes, and it must come before `run.end`.
    if (left === 0 && orch.allRemoved()) return 0;
    await clock.sleep(200);
  }
  return left;
}

function applyLiveOperation(op: Operation, orch: Orchestrator, backend: LiveBackend, trace: TraceWriter): void {
  // addNode and removeNode are rejected by checkLiveScenario before the run starts.
  if (applyWorkloadOperation(op, orch, trace)) return;
  applyTaintOperation(op, backend.cluster, trace);
}
