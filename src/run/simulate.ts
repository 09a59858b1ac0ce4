/**
 * One simulated run of a scenario: builds the engine, the simulated cluster and the real control
 * plane, schedules the scenario's workloads, operations, faults and expectation checks, runs the
 * engine to the scenario's end and summarises the outcome.
 *
 * Inputs are explicit ({scenario, seed}); the same inputs give a byte-identical trace.
 */
import { ROLE_LABEL } from '../core/init-containers.js';
import { SimCluster, simNetworkOf } from '../../backends/sim/sim-cluster.js';
import { SimMembership } from '../../backends/sim/sim-membership.js';
import { InputError, InterruptedError } from '../core/errors.js';
import { countResults, evaluate, evaluateAtEnd, evaluationTime, expectationRecord, notChecked, type ExpectationResult } from '../check/expectations.js';
import type { Recorder, Scheduler } from '../core/interfaces.js';
import { Orchestrator, type OrchestratorConfig, type WorkloadStatus } from '../core/orchestrator.js';
import { InMemoryStateStore } from '../core/state-store.js';
import { changeTaints, formatTaint, type TaintChange } from '../core/taints.js';
import type { Node, Workload } from '../core/types.js';
import type { ClusterObjects } from '../core/namespace.js';
import { SeededIds } from '../engine/ids.js';
import { Simulation } from '../engine/simulation.js';
import { TraceWriter } from '../engine/trace.js';
import type { TraceEvent } from '../core/trace-events.js';
import { DEFAULT_LIMITS, formatSize } from '../scenario/limits.js';
import { scheduleFaults } from '../faults/injector.js';
import type { FaultTarget } from '../faults/fault-target.js';
import { InvariantChecker, type InvariantViolation } from '../check/invariants.js';
import { checkLiveness, type LivenessResult } from '../check/liveness.js';
import type { reconcile } from '../core/reconciler.js';
import { createScheduler } from '../scheduler/registry.js';
import type { PluginRegistry } from '../scheduler/plugins/registry.js';
import type { ContainerPatch, Operation, Scenario, WorkloadDef } from '../scenario/types.js';
import { SLIPWAY_VERSION } from '../version.js';
import { HaInvariants } from '../check/ha-invariants.js';
import { SimReplicas, type ReplicaVariant } from './sim-replicas.js';
import { formatDuration } from '../core/duration.js';
import { assertNever } from '../core/assert-never.js';

export interface SimulateOptions {
  /** Write the trace here (JSONL). Without it the trace is only hashed. */
  readonly tracePath?: string;
  /**
   * Stop at this virtual time instead of the scenario's duration (`--until`). Expectations whose
   * time lies after it, and untimed ones about the whole scenario, are then `not-checked`.
   */
  readonly untilMs?: number;
  /** Not-checked expectations do not fail the run (`--allow-unchecked`). */
  readonly allowUnchecked?: boolean;
  /** Use this scheduler instead of the scenario's. */
  readonly scheduler?: Scheduler;
  /** The plugins the scenario's profile may name (default `BUILT_IN_PLUGINS`; `--plugin` files add to it). */
  readonly plugins?: PluginRegistry;
  /** Sees every trace event as it is written (metrics, replay, tests), in trace order. */
  readonly onEvent?: (e: TraceEvent) => void;
  /** Called once the world is built, before the first event: tests and invariant checkers look inside. */
  readonly observe?: (world: SimWorld) => void;
  /**
   * Called after each engine event once its records and their continuations have run (after the
   * invariant checkers): the state an event's records announce is complete here, where `onEvent`
   * may see it half-done (`instance.removed` is recorded before the instance is forgotten). Must
   * only read.
   */
  readonly afterEvent?: () => void;
  /** Use this reconciler instead of the real one (planted-bug tests). */
  readonly reconcile?: typeof reconcile;
  /** With `controlPlane.replicas`: control-plane variants (planted-bug tests). */
  readonly replicaVariant?: ReplicaVariant;
  /** Stop with a TraceLimitError (exit 2) when the trace grows past this many bytes (default DEFAULT_LIMITS). */
  readonly maxTraceBytes?: number;
  /** Stops the run when aborted (SIGINT/SIGTERM): the trace is discarded and InterruptedError thrown. */
  readonly signal?: AbortSignal;
  /** Check the safety invariants after every event (default true); a violation stops the run. */
  readonly invariants?: boolean;
  /** At the end, check liveness: every workload converged, every pending instance has a reason. */
  readonly liveness?: boolean;
}

/** The parts of a simulated run, for checks that look at ground truth. */
export interface SimWorld {
  readonly sim: Simulation;
  readonly cluster: SimCluster;
  /** The control plane (with replicas: the one leading now, or the last that led). */
  readonly orchestrator: Orchestrator;
  readonly store: InMemoryStateStore;
  readonly trace: TraceWriter;
  /** With `controlPlane.replicas`: the replicas and their store. */
  readonly replicas?: SimReplicas;
}

export interface WorkloadSummary {
  readonly name: string;
  readonly kind: string;
  readonly desired: number;
  readonly running: number;
  readonly pending: number;
  readonly failed: number;
  readonly succeeded: number;
  readonly restarts: number;
  readonly completed?: boolean;
}

export interface RunSummary {
  readonly scenario: string;
  readonly seed: number;
  readonly traceHash: string;
  /** Engine events executed. */
  readonly events: number;
  readonly traceLines: number;
  readonly simulatedTimeMs: number;
  readonly scheduler: string;
  readonly nodes: { readonly total: number; readonly ready: number; readonly notReady: number; readonly down: number };
  readonly workloads: readonly WorkloadSummary[];
  readonly expectations: readonly ExpectationResult[];
  /** Container creates the nodes refused for lack of room (0 unless the control plane over-commits). */
  readonly admissionRejections: number;
  /** The first safety invariant violated, if any (the run stopped there). */
  readonly violation?: InvariantViolation;
  /** With `liveness`: the end-of-run liveness check. */
  readonly liveness?: LivenessResult;
  /** How often each fault kind fired in each control-plane phase (`kind@phase` → count). */
  readonly coverage: Readonly<Record<string, number>>;
  /** Control messages: sent, lost to partitions, dropped, duplicated, delayed; OOM kills. */
  readonly network: Readonly<Record<string, number>>;
  /** With `controlPlane.replicas`: elections, failovers and store traffic. */
  readonly controlPlane?: HaSummary;
  readonly ok: boolean;
}

/** What a replicated control plane did in a run. */
export interface HaSummary {
  readonly replicas: number;
  /** Terms won. */
  readonly elections: number;
  /** The replica leading at the end, if any. */
  readonly leader?: string;
  /** Longest time without a leader after the first election (ms). */
  readonly longestGapMs: number;
  readonly storeRequests: number;
  readonly storeCommits: number;
}

/** A workload's line in the run summary. */
export function workloadSummary(s: WorkloadStatus): WorkloadSummary {
  return {
    name: s.name,
    kind: s.kind,
    desired: s.desired,
    running: s.running,
    pending: s.pending,
    failed: s.failed,
    succeeded: s.succeeded,
    restarts: s.restarts,
    ...(s.kind === 'job' ? { completed: s.completed } : {}),
  };
}

/** The Workload the control plane receives for a scenario's workload definition. */
/** The scenario's namespaces and Services, as the scheduler reads them. */
export function clusterObjectsOf(scenario: Pick<Scenario, 'namespaces' | 'services'>): ClusterObjects {
  return { ...(scenario.namespaces ? { namespaces: scenario.namespaces } : {}), ...(scenario.services ? { services: scenario.services } : {}) };
}

export function toWorkload(def: WorkloadDef): Workload {
  return {
    id: def.name,
    name: def.name,
    ...(def.namespace !== undefined ? { namespace: def.namespace } : {}),
    ...(def.controller !== undefined ? { controller: def.controller } : {}),
    kind: def.kind,
    replicas: def.replicas,
    completions: def.completions,
    backoffLimit: def.backoffLimit,
    containers: def.containers,
    ...(def.initContainers ? { initContainers: def.initContainers } : {}),
    ...(def.overhead ? { overhead: def.overhead } : {}),
    labels: def.labels,
    priority: def.priority,
    restartPolicy: def.restartPolicy,
    updateStrategy: def.updateStrategy,
    generation: 1,
    ...(def.placement ? { placement: def.placement } : {}),
    ...(def.gpus ? { gpus: def.gpus } : {}),
  };
}

/** A spec change: the patched containers, one generation later. */
export function applyPatch(w: Workload, patch: ContainerPatch): Workload {
  const containers = w.containers.map((c) => {
    if (patch.container !== undefined && c.name !== patch.container) return c;
    // New requests replace the old ones' explicit zeros too.
    const { zeroRequests: _old, ...rest } = c;
    const base = patch.requests !== undefined ? { ...rest, ...(patch.zeroRequests ? { zeroRequests: patch.zeroRequests } : {}) } : c;
    return {
      ...base,
      ...(patch.image !== undefined ? { image: patch.image } : {}),
      ...(patch.command !== undefined ? { command: patch.command } : {}),
      ...(patch.args !== undefined ? { args: patch.args } : {}),
      ...(patch.env !== undefined ? { env: patch.env } : {}),
      ...(patch.requests !== undefined ? { requests: patch.requests } : {}),
      ...(patch.limits !== undefined ? { limits: patch.limits } : {}),
      ...(patch.sim !== undefined ? { sim: patch.sim } : {}),
    };
  });
  return { ...w, containers, generation: w.generation + 1 };
}

export function orchestratorConfig(s: Scenario): OrchestratorConfig {
  const c = s.controlPlane;
  return {
    evictionGraceMs: c.evictionGraceMs,
    backoffInitialMs: c.backoffInitialMs,
    backoffMaxMs: c.backoffMaxMs,
    backoffResetMs: c.backoffResetMs,
    unschedulableRetryMs: c.unschedulableRetryMs,
    reconcileIntervalMs: c.reconcileIntervalMs,
    reconcileMinGapMs: c.reconcileMinGapMs,
    resyncIntervalMs: c.resyncIntervalMs,
  };
}

export async function simulate(scenario: Scenario, options: SimulateOptions = {}): Promise<RunSummary> {
  const fromEngine = scenario.nodes.find((n) => n.capacityFromEngine);
  if (fromEngine)
    throw new InputError(
      `${scenario.source.file}: node ${fromEngine.name} takes its capacity from its Docker engine; give it a capacity to simulate it, or run with --backend docker`,
    );
  const sim = new Simulation(scenario.seed);
  const maxBytes = options.maxTraceBytes ?? DEFAULT_LIMITS.maxTraceBytes;
  const trace = new TraceWriter(() => sim.now(), options.tracePath, { maxBytes, maxBytesText: formatSize(maxBytes) });
  if (options.onEvent) trace.listenEvents(options.onEvent);
  const until = options.untilMs ?? scenario.durationMs;
  try {
    const scheduler =
      options.scheduler ??
      createScheduler(scenario.scheduler.name, {
        random: sim.random.stream('scheduler'),
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
      document: scenario.source.document,
    });
    const store = new InMemoryStateStore();
    const cluster = new SimCluster({
      sim,
      latency: scenario.latency,
      controlPlane: scenario.controlPlane,
      ids: new SeededIds(sim.random.stream('ids.container'), 10),
      ...(scenario.images ? { imageSizes: scenario.images } : {}),
      ...(scenario.cluster?.network ? { network: simNetworkOf(scenario) } : {}),
    });
    const membership = attachMembership(scenario, sim, cluster, trace);
    for (const def of scenario.nodes) cluster.addNode(def, true);
    membership?.start();
    const ha = scenario.controlPlane.ha;
    // One control plane (the default), or the first of the replicas' until one leads.
    const single = new Orchestrator({
      clock: sim,
      runtime: cluster,
      cluster: cluster.manager,
      scheduler,
      store,
      ids: new SeededIds(sim.random.stream('ids.instance'), 5),
      recorder: trace,
      config: orchestratorConfig(scenario),
      onError: (e) => sim.fail(e),
      ...(options.reconcile ? { reconcile: options.reconcile } : {}),
      ...(scenario.podDisruptionBudgets ? { disruptionBudgets: scenario.podDisruptionBudgets } : {}),
    });
    const replicas = ha
      ? new SimReplicas({
          sim,
          cluster,
          recorder: trace,
          ha,
          config: orchestratorConfig(scenario),
          scheduler: (replica, term) =>
            createScheduler(scenario.scheduler.name, {
              random: sim.random.stream(`scheduler.${replica}.${term}`),
              workloads: scenario.workloads.map(toWorkload),
              cluster: clusterObjectsOf(scenario),
              ...(scenario.scheduler.profile ? { profile: scenario.scheduler.profile } : {}),
              ...(options.plugins ? { plugins: options.plugins } : {}),
            }),
          ...(options.reconcile ? { reconcile: options.reconcile } : {}),
          ...(scenario.podDisruptionBudgets ? { disruptionBudgets: scenario.podDisruptionBudgets } : {}),
          ...(options.replicaVariant ? { variant: options.replicaVariant } : {}),
        })
      : undefined;
    /** The control plane that acts now (with replicas: the leader's, or the last leader's). */
    const cp = (): Orchestrator => replicas?.orchestrator() ?? single;
    const cpStore = (): InMemoryStateStore => replicas?.store_() ?? store;
    options.observe?.({
      sim,
      cluster,
      get orchestrator() {
        return cp();
      },
      get store() {
        return cpStore();
      },
      trace,
      ...(replicas ? { replicas } : {}),
    });
    let violation: InvariantViolation | undefined;
    if (options.invariants ?? true) {
      const onViolation = (v: InvariantViolation) => {
        violation = v;
        trace.record('invariant.violated', { invariant: v.invariant, event: v.event, message: v.message });
        sim.stop();
      };
      const checker = new InvariantChecker(
        {
          sim,
          cluster,
          get orchestrator() {
            return cp();
          },
          get store() {
            return cpStore();
          },
          ...(replicas ? { canAct: () => replicas.leader() !== undefined } : {}),
        },
        { settleMs: settleWindow(scenario), onViolation },
      );
      trace.listenEvents((e) => checker.onEvent(e));
      if (replicas) {
        const haChecker = new HaInvariants({ sim, cluster, windowMs: settleWindow(scenario), onViolation });
        replicas.observer = haChecker;
        sim.afterEvent = () => {
          checker.afterEvent();
          haChecker.afterEvent();
        };
      } else sim.afterEvent = () => checker.afterEvent();
    }
    if (options.afterEvent) {
      const checkers = sim.afterEvent;
      const after = options.afterEvent;
      sim.afterEvent = checkers
        ? () => {
            checkers();
            after();
          }
        : after;
    }
    const running = scenario.running ?? [];
    if (replicas) {
      if (running.length > 0) seedRunning(scenario, cluster, { putWorkload: (w) => replicas.seed(w) });
      replicas.start();
    } else if (running.length === 0) {
      // Start before the first event: the control plane knows the initial nodes when workloads arrive.
      await single.start();
    } else {
      // A snapshot of a running cluster: the workloads submitted at 0 are the desired state the
      // control plane finds in its store, the running instances' containers are on their nodes, and
      // the control plane starts like a restarted one, adopting them (listing nodes takes engine time).
      seedRunning(scenario, cluster, store);
      sim.setTimer(0, () => void single.start({ adopt: true }).catch((e: unknown) => sim.fail(e)));
    }

    for (const def of scenario.workloads) {
      if (running.length > 0 && def.at === 0) continue; // restored from the store
      if (replicas) sim.setTimer(def.at, () => void replicas.write(def.name, (cur) => (cur ? undefined : toWorkload(def))).catch((e: unknown) => sim.fail(e)));
      else sim.setTimer(def.at, () => single.apply(toWorkload(def)));
    }
    for (const op of scenario.operations) {
      sim.setTimer(op.at, () => applyOperation(op, { orchestrator: single, cluster, recorder: trace, ...(replicas ? { replicas, fail: (e: unknown) => sim.fail(e) } : {}) }));
    }
    const coverage: Record<string, number> = {};
    scheduleFaults(scenario.faults, {
      target: faultTarget(cluster, cp, replicas),
      clock: sim,
      recorder: trace,
      stream: (name) => sim.random.stream(name),
      phase: () => controlPlanePhase(cp(), cluster),
      hit: (kind, phase) => {
        const k = `${kind}@${phase}`;
        coverage[k] = (coverage[k] ?? 0) + 1;
      },
    });

    const results: ExpectationResult[] = [];
    const context = () => ({ orchestrator: cp(), store: cpStore(), node: (id: string) => cluster.manager.getNode(id), now: sim.now() });
    const settle = (i: number, r: ExpectationResult) => {
      results[i] = r;
      trace.record('expectation', expectationRecord(r));
    };
    scenario.expectations.forEach((e, i) => {
      const t = evaluationTime(e);
      if (t !== undefined && t < until) sim.setTimer(t, () => settle(i, evaluate(e, context())));
    });

    const onAbort = () => sim.stop();
    options.signal?.addEventListener('abort', onAbort);
    const run = await sim.run({ until: options.signal?.aborted ? sim.now() : until }).finally(() => options.signal?.removeEventListener('abort', onAbort));
    sim.afterEvent = undefined;
    if (options.signal?.aborted) {
      const sig = options.signal.reason === 'SIGINT' ? 'SIGINT' : 'SIGTERM';
      throw new InterruptedError(sig, `interrupted (${sig}) at t=${sim.now()}ms of ${until}ms: the run stopped; no output written`);
    }
    // Still open: those due at the end, and those the run stopped before (not checked).
    const end = { now: run.reason === 'idle' ? until : sim.now(), scenarioEndMs: scenario.durationMs, ...(until < scenario.durationMs ? { cutShort: `--until ${formatDuration(until)}` } : {}) };
    scenario.expectations.forEach((e, i) => {
      if (results[i] !== undefined) return;
      if (violation !== undefined) settle(i, notChecked(e, sim.now(), `the run stopped at an invariant violation at ${formatDuration(violation.t)}`));
      else settle(i, evaluateAtEnd(e, context(), end));
    });
    const counts = countResults(results);
    const liveness =
      options.liveness && violation === undefined
        ? withHaLiveness(checkLiveness({ orchestrator: cp(), store: cpStore(), nodes: cluster.manager.listNodes() }), replicas)
        : undefined;
    if (liveness) trace.record('liveness', { ok: liveness.ok, failures: liveness.failures, capacity: liveness.capacity });

    const nodes = cluster.manager.listNodes();
    const workloads = cp().statuses().map(workloadSummary);
    trace.record('run.end', {
      reason: violation ? 'invariant' : run.reason,
      events: sim.events,
      expectationsFailed: counts.fail,
      ...(counts.notChecked > 0 ? { expectationsNotChecked: counts.notChecked } : {}),
    });
    const closed = trace.close();
    return {
      scenario: scenario.name,
      seed: scenario.seed,
      traceHash: closed.hash,
      events: sim.events,
      traceLines: closed.lines,
      simulatedTimeMs: sim.now(),
      scheduler: scheduler.name,
      nodes: {
        total: nodes.length,
        ready: nodes.filter((n) => n.status === 'Ready').length,
        notReady: nodes.filter((n) => n.status === 'NotReady' || n.status === 'Unknown').length,
        down: nodes.filter((n) => n.status === 'Down').length,
      },
      workloads,
      expectations: results,
      admissionRejections: cluster.admissionRejections,
      ...(violation ? { violation } : {}),
      ...(liveness ? { liveness } : {}),
      coverage,
      network: { ...cluster.network.stats, oomKills: cluster.oomKills },
      ...(replicas ? { controlPlane: haSummary(replicas, sim.now()) } : {}),
      ok: violation === undefined && counts.fail === 0 && (counts.notChecked === 0 || options.allowUnchecked === true) && (liveness?.ok ?? true),
    };
  } catch (e) {
    trace.abort();
    throw e;
  }
}

/**
 * A scenario's `running:` instances before the run: the workloads submitted at 0 go into the store
 * (the desired state a restarted control plane reads), and each instance's containers run on its
 * node with the labels the control plane writes (workload, instance, slot, generation 1, GPUs).
 */
function seedRunning(scenario: Scenario, cluster: SimCluster, store: Pick<InMemoryStateStore, 'putWorkload'>): void {
  const defs = new Map<string, Workload>();
  for (const def of scenario.workloads) {
    if (def.at !== 0) continue;
    const w = toWorkload(def);
    defs.set(w.id, w);
    store.putWorkload(w);
  }
  for (const r of scenario.running ?? []) {
    const w = defs.get(r.workload);
    if (!w) throw new InputError(`${scenario.source.file}: running: workload ${r.workload} is not submitted at 0`);
    // The labels the control plane writes (a fresh object per container).
    const labels = (): Record<string, string> => ({
      'slipway.workload': w.name,
      'slipway.instance': r.id,
      'slipway.slot': String(r.slot),
      'slipway.generation': String(w.generation),
      ...(r.gpus !== undefined ? { 'slipway.gpus': r.gpus.join(',') } : {}),
    });
    const on = { nodeId: r.node, workloadId: w.id, instanceId: r.id };
    // Its init phase is over: the sidecars run beside the regular containers; init containers are gone.
    const sidecars = (w.initContainers ?? []).filter((c) => c.restartPolicy === 'Always');
    for (const spec of sidecars) cluster.seedRunning(spec, { ...on, labels: { ...labels(), [ROLE_LABEL]: 'sidecar' }, role: 'sidecar' });
    w.containers.forEach((spec, k) => {
      cluster.seedRunning(spec, {
        ...on,
        labels: labels(),
        ...(k === 0 && w.gpus ? { gpus: { count: w.gpus.count, devices: r.gpus ?? [], milli: w.gpus.milli } } : {}),
      });
    });
  }
}

/**
 * How long a ground-truth condition (an extra running copy, an orphan container) may last before
 * it is a violation: two resyncs, three RPC timeouts and a reconcile interval, i.e. time for the
 * control plane to observe the state and for its stops to complete.
 */
export function settleWindow(s: Scenario): number {
  const c = s.controlPlane;
  return 2 * c.resyncIntervalMs + 3 * c.rpcTimeoutMs + c.reconcileIntervalMs + 10 * c.heartbeatIntervalMs;
}

/** The fault target of a simulated run: the cluster, plus the operator's drain through the control plane. */
function faultTarget(cluster: SimCluster, cp: () => Orchestrator, replicas: SimReplicas | undefined): FaultTarget {
  return {
    resolveReplica: (name) => replicas?.resolve(name),
    crashReplica: (name) => replicas?.replica(name)?.crash() ?? false,
    restartReplica: (name) => replicas?.replica(name)?.restart() ?? false,
    pauseReplica: (name) => replicas?.replica(name)?.pause() ?? false,
    resumeReplica: (name) => replicas?.replica(name)?.resume(),
    partitionReplica: (name, ms) => {
      if (!replicas?.replica(name)) return false;
      replicas.store.partitionClient(name, ms);
      return true;
    },
    slowStore: (ms, duration) => {
      if (!replicas) return false;
      replicas.store.slowClient('*', ms, duration);
      return true;
    },
    skewLeases: (ms, duration) => {
      if (!replicas) return false;
      replicas.store.skewLeases(ms, duration);
      return true;
    },
    electStore: (duration, notice) => {
      if (!replicas) return false;
      replicas.store.elect(duration, notice);
      return true;
    },
    resolveNodes: (t) => cluster.resolveNodes(t),
    crashNode: (n) => cluster.crashNode(n),
    bootNode: (n) => cluster.bootNode(n),
    crashContainer: (w, slot, code) => cluster.crashContainer(w, slot, code),
    freezeNode: (n, d) => cluster.freezeNode(n, d),
    partitionNode: (n, dir, d) => cluster.partitionNode(n, dir, d),
    skewNode: (n, d) => cluster.skewNode(n, d),
    failPulls: (n, image) => cluster.failPulls(n, image),
    slowPulls: (n, f) => cluster.slowPulls(n, f),
    slowNode: (n, d) => cluster.slowNode(n, d),
    startCrashLoop: (w, after, code) => cluster.startCrashLoop(w, after, code),
    startMemoryLeak: (w, rate, d) => cluster.startMemoryLeak(w, rate, d),
    degradeMessages: (nodes, d) => cluster.degradeMessages(nodes, d),
    cordonNode: (n, on) => cluster.manager.setUnschedulable(n, on),
    evictNode: (n, ignoreBudgets) => cp().evictNode(n, 'drained', { ignoreBudgets }),
  };
}

/**
 * The control plane's phase, for coverage counters: `node-lost` (a node is not Ready),
 * `placing` (instances pending), `stopping` (instances terminating), `updating` (outdated
 * instances run), `backoff` (a slot waits out a crash loop), else `steady`.
 */
export function controlPlanePhase(orchestrator: Orchestrator, cluster: SimCluster): string {
  if (cluster.manager.listNodes().some((n) => n.status !== 'Ready')) return 'node-lost';
  const st = orchestrator.statuses();
  if (st.some((s) => s.pending > 0)) return 'placing';
  if (st.some((s) => s.terminating > 0)) return 'stopping';
  if (st.some((s) => s.running !== s.updated)) return 'updating';
  if (st.some((s) => !s.deleted && s.kind === 'service' && s.running < s.desired)) return 'backoff';
  return 'steady';
}

interface OperationContext {
  readonly orchestrator: Orchestrator;
  readonly cluster: SimCluster;
  readonly recorder: Recorder;
  /** With replicas, workload operations are the user's writes to the store. */
  readonly replicas?: SimReplicas;
  readonly fail?: (e: unknown) => void;
}

/** A workload operation as a write to the replicated control plane's store, recorded when it lands. */
function applyReplicatedOperation(op: Operation, replicas: SimReplicas, recorder: Recorder, fail: (e: unknown) => void): boolean {
  switch (op.kind) {
    case 'scale':
      void replicas
        .write(op.workload, (w) => (w ? { ...w, replicas: op.replicas } : undefined))
        .then((ok) => recorder.record('op.scale', { workload: op.workload, replicas: op.replicas, applied: ok }), fail);
      return true;
    case 'update':
      void replicas
        .write(op.workload, (w) => (w ? applyPatch(w, op.patch) : undefined))
        .then((ok) => recorder.record('op.update', { workload: op.workload, patch: op.patch, applied: ok }), fail);
      return true;
    case 'delete':
      void replicas.write(op.workload, (w) => (w ? null : undefined)).then((ok) => recorder.record('op.delete', { workload: op.workload, applied: ok }), fail);
      return true;
    default:
      return false;
  }
}

/** With replicas, liveness also needs a leader at the end that acts on the store's desired state. */
function withHaLiveness(l: LivenessResult, replicas: SimReplicas | undefined): LivenessResult {
  if (!replicas) return l;
  const extra = replicas.livenessFailures();
  return extra.length === 0 ? l : { ...l, ok: false, failures: [...l.failures, ...extra] };
}

function haSummary(replicas: SimReplicas, now: number): HaSummary {
  const h = replicas.history;
  let gap = 0;
  let since: number | undefined;
  let elections = 0;
  for (const e of h) {
    if (e.event === 'elected') {
      elections++;
      if (since !== undefined) gap = Math.max(gap, e.at - since);
      since = undefined;
    } else since = e.at;
  }
  if (since !== undefined && elections > 0) gap = Math.max(gap, now - since);
  const leader = replicas.leader()?.name;
  return {
    replicas: replicas.replicas.length,
    elections,
    ...(leader ? { leader } : {}),
    longestGapMs: gap,
    storeRequests: replicas.store.stats.requests,
    storeCommits: replicas.store.stats.commits,
  };
}

/**
 * Applies a scenario operation on a workload (scale, update, delete) through the control plane's
 * API, recording it; `applied: false` when the workload is gone. Returns false for node operations,
 * which belong to the backend. Shared by simulated and live runs.
 */
export function applyWorkloadOperation(op: Operation, orchestrator: Orchestrator, recorder: Recorder): boolean {
  const active = (name: string) => {
    const s = orchestrator.status(name);
    return s !== undefined && !s.deleted;
  };
  switch (op.kind) {
    case 'scale': {
      const ok = active(op.workload);
      recorder.record('op.scale', { workload: op.workload, replicas: op.replicas, applied: ok });
      if (ok) orchestrator.apply({ ...orchestrator.getWorkload(op.workload)!, replicas: op.replicas });
      return true;
    }
    case 'update': {
      const ok = active(op.workload);
      recorder.record('op.update', { workload: op.workload, patch: op.patch, applied: ok });
      if (ok) orchestrator.apply(applyPatch(orchestrator.getWorkload(op.workload)!, op.patch));
      return true;
    }
    case 'delete': {
      const ok = active(op.workload);
      recorder.record('op.delete', { workload: op.workload, applied: ok });
      if (ok) orchestrator.delete(op.workload);
      return true;
    }
    case 'addNode':
    case 'removeNode':
    case 'taint':
    case 'untaint':
      return false;
    default:
      return assertNever(op, 'operation');
  }
}

/** A cluster whose nodes' own taints can change (simulated and live cluster managers). */
export interface TaintableCluster {
  getNode(id: string): Node | undefined;
  updateTaints(id: string, change: TaintChange): boolean;
}

/**
 * Applies a `taint`/`untaint` operation, recording it (`applied: false` when the node is gone or
 * no taint matched) before the node's change is seen. Returns false for other operations.
 * Shared by simulated and live runs.
 */
export function applyTaintOperation(op: Operation, cluster: TaintableCluster, recorder: Recorder): boolean {
  if (op.kind === 'taint') {
    const ok = cluster.getNode(op.node) !== undefined;
    recorder.record('op.taint', { node: op.node, taint: formatTaint(op.taint), applied: ok });
    if (ok) cluster.updateTaints(op.node, { add: op.taint });
    return true;
  }
  if (op.kind === 'untaint') {
    const remove = { key: op.key, ...(op.effect ? { effect: op.effect } : {}) };
    const taints = cluster.getNode(op.node)?.taints ?? [];
    const ok = changeTaints(taints, { remove }, 0) !== undefined;
    recorder.record('op.untaint', { node: op.node, ...remove, applied: ok });
    if (ok) cluster.updateTaints(op.node, { remove });
    return true;
  }
  return false;
}

/**
 * With `cluster.membership` other than heartbeat, every node's agent and the control plane join a
 * gossip group whose view drives node status (backends/sim/sim-membership.ts).
 */
function attachMembership(scenario: Scenario, sim: Simulation, cluster: SimCluster, recorder: Recorder): SimMembership | undefined {
  const c = scenario.cluster;
  if (c === undefined || c.membership === 'heartbeat') return undefined;
  const added = scenario.operations.filter((op) => op.kind === 'addNode').length;
  const membership = new SimMembership({
    sim,
    network: cluster.network,
    recorder,
    // Serf's twin: memberlist with Lifeguard, the same parameters.
    detector: c.membership === 'serf' ? 'lifeguard' : c.membership,
    params: c.gossip,
    capacity: 1 + scenario.nodes.length + added,
    node: (id) => cluster.node(id),
    setStatus: (id, status) => cluster.manager.setStatus(id, status),
  });
  cluster.attachMembership(membership);
  return membership;
}

function applyOperation(op: Operation, ctx: OperationContext): void {
  const { orchestrator, cluster, recorder } = ctx;
  if (ctx.replicas && applyReplicatedOperation(op, ctx.replicas, recorder, ctx.fail ?? (() => {}))) return;
  if (applyWorkloadOperation(op, orchestrator, recorder)) return;
  if (applyTaintOperation(op, cluster.manager, recorder)) return;
  switch (op.kind) {
    case 'addNode':
      recorder.record('op.add_node', { node: op.node.name, applied: true });
      cluster.addNode(op.node, false);
      break;
    case 'removeNode': {
      const ok = cluster.node(op.node) !== undefined;
      recorder.record('op.remove_node', { node: op.node, applied: ok });
      if (ok) cluster.removeNode(op.node);
      break;
    }
    case 'scale':
    case 'update':
    case 'delete':
    case 'taint':
    case 'untaint':
      break; // applied above
    default:
      assertNever(op, 'operation');
  }
}
