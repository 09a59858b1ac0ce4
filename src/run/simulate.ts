/**
 * One simulated run of a scenario: builds the engine, the simulated cluster and the real control
 * plane, schedules the scenario's workloads, operations, faults and expectation checks, runs the
 * engine to the scenario's end and summarises the outcome.
 *
 * Inputs are explicit ({scenario, seed}); the same inputs give a byte-identical trace.
 */
import { SimCluster } from '../../backends/sim/sim-cluster.js';
import { InputError } from '../core/errors.js';
import { evaluate, evaluationTime, type ExpectationResult } from '../check/expectations.js';
import type { Recorder, Scheduler } from '../core/interfaces.js';
import { Orchestrator, type OrchestratorConfig } from '../core/orchestrator.js';
import { InMemoryStateStore } from '../core/state-store.js';
import type { Workload } from '../core/types.js';
import { SeededIds } from '../engine/ids.js';
import { Simulation } from '../engine/simulation.js';
import { TraceWriter } from '../engine/trace.js';
import { scheduleFaults } from '../faults/injector.js';
import { createScheduler } from '../scheduler/registry.js';
import type { ContainerPatch, Operation, Scenario, WorkloadDef } from '../scenario/types.js';
import { SLIPWAY_VERSION } from '../version.js';

export interface SimulateOptions {
  /** Write the trace here (JSONL). Without it the trace is only hashed. */
  readonly tracePath?: string;
  /** Stop at this virtual time instead of the scenario's duration. */
  readonly untilMs?: number;
  /** Use this scheduler instead of the scenario's. */
  readonly scheduler?: Scheduler;
  /** Sees every trace record as it is written (metrics, invariant checks). */
  readonly onRecord?: (type: string, fields: Record<string, unknown>, t: number, seq: number) => void;
  /** Called once the world is built, before the first event: tests and invariant checkers look inside. */
  readonly observe?: (world: SimWorld) => void;
}

/** The parts of a simulated run, for checks that look at ground truth. */
export interface SimWorld {
  readonly sim: Simulation;
  readonly cluster: SimCluster;
  readonly orchestrator: Orchestrator;
  readonly store: InMemoryStateStore;
  readonly trace: TraceWriter;
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
  readonly ok: boolean;
}

/** The Workload the control plane receives for a scenario's workload definition. */
export function toWorkload(def: WorkloadDef): Workload {
  return {
    id: def.name,
    name: def.name,
    kind: def.kind,
    replicas: def.replicas,
    completions: def.completions,
    backoffLimit: def.backoffLimit,
    containers: def.containers,
    labels: def.labels,
    priority: def.priority,
    restartPolicy: def.restartPolicy,
    updateStrategy: def.updateStrategy,
    generation: 1,
    ...(def.placement ? { placement: def.placement } : {}),
  };
}

/** A spec change: the patched containers, one generation later. */
export function applyPatch(w: Workload, patch: ContainerPatch): Workload {
  const containers = w.containers.map((c) => {
    if (patch.container !== undefined && c.name !== patch.container) return c;
    return {
      ...c,
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
  const trace = new TraceWriter(() => sim.now(), options.tracePath);
  if (options.onRecord) trace.listen(options.onRecord);
  const until = options.untilMs ?? scenario.durationMs;
  try {
    const scheduler =
      options.scheduler ??
      createScheduler(scenario.scheduler.name, {
        random: sim.random.stream('scheduler'),
        ...(scenario.scheduler.profile ? { profile: scenario.scheduler.profile } : {}),
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
    });
    for (const def of scenario.nodes) cluster.addNode(def, true);
    const orchestrator = new Orchestrator({
      clock: sim,
      runtime: cluster,
      cluster: cluster.manager,
      scheduler,
      store,
      ids: new SeededIds(sim.random.stream('ids.instance'), 5),
      recorder: trace,
      config: orchestratorConfig(scenario),
      onError: (e) => sim.fail(e),
    });
    options.observe?.({ sim, cluster, orchestrator, store, trace });
    // Start before the first event: the control plane knows the initial nodes when workloads arrive.
    await orchestrator.start();

    for (const def of scenario.workloads) {
      sim.setTimer(def.at, () => orchestrator.apply(toWorkload(def)));
    }
    for (const op of scenario.operations) {
      sim.setTimer(op.at, () => applyOperation(op, { orchestrator, cluster, recorder: trace }));
    }
    scheduleFaults(scenario.faults, cluster, sim, trace);

    const results: ExpectationResult[] = [];
    const check = (i: number) => {
      const r = evaluate(scenario.expectations[i], {
        orchestrator,
        store,
        node: (id) => cluster.manager.getNode(id),
        now: sim.now(),
      });
      results[i] = r;
      trace.record('expectation', { name: r.name, ok: r.ok, detail: r.detail });
    };
    const atEnd: number[] = [];
    scenario.expectations.forEach((e, i) => {
      const t = evaluationTime(e);
      if (t === undefined || t >= until) atEnd.push(i);
      else sim.setTimer(t, () => check(i));
    });

    const run = await sim.run({ until });
    for (const i of atEnd) check(i);

    const nodes = cluster.manager.listNodes();
    const workloads: WorkloadSummary[] = orchestrator.statuses().map((s) => ({
      name: s.name,
      kind: s.kind,
      desired: s.desired,
      running: s.running,
      pending: s.pending,
      failed: s.failed,
      succeeded: s.succeeded,
      restarts: s.restarts,
      ...(s.kind === 'job' ? { completed: s.completed } : {}),
    }));
    trace.record('run.end', {
      reason: run.reason,
      events: sim.events,
      expectationsFailed: results.filter((r) => !r.ok).length,
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
      ok: results.every((r) => r.ok),
    };
  } catch (e) {
    trace.abort();
    throw e;
  }
}

interface OperationContext {
  readonly orchestrator: Orchestrator;
  readonly cluster: SimCluster;
  readonly recorder: Recorder;
}

function applyOperation(op: Operation, ctx: OperationContext): void {
  const { orchestrator, cluster, recorder } = ctx;
  const active = (name: string) => {
    const s = orchestrator.status(name);
    return s !== undefined && !s.deleted;
  };
  switch (op.kind) {
    case 'scale': {
      const ok = active(op.workload);
      recorder.record('op.scale', { workload: op.workload, replicas: op.replicas, applied: ok });
      if (ok) orchestrator.apply({ ...orchestrator.getWorkload(op.workload)!, replicas: op.replicas });
      break;
    }
    case 'update': {
      const ok = active(op.workload);
      recorder.record('op.update', { workload: op.workload, patch: op.patch, applied: ok });
      if (ok) orchestrator.apply(applyPatch(orchestrator.getWorkload(op.workload)!, op.patch));
      break;
    }
    case 'delete': {
      const ok = active(op.workload);
      recorder.record('op.delete', { workload: op.workload, applied: ok });
      if (ok) orchestrator.delete(op.workload);
      break;
    }
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
  }
}
