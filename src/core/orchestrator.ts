/**
 * The Orchestrator loop: the seed's `Orchestrator`, finished. It keeps the control plane's view
 * of the cluster (nodes, instance records, per-node allocations), calls the pure reconciler for
 * every workload that may need work, and executes the returned actions through the interfaces:
 * the Scheduler places instances, the ContainerRuntime creates and stops containers.
 *
 * When it reconciles:
 * - soon after something it watches changes (at once after a quiet period, else batched to at
 *   most one pass per `reconcileMinGapMs`):
 *   a workload is submitted, scaled, updated or deleted; a container changes state; a node is
 *   added, removed or changes status; a stop finishes;
 * - when a back-off or retry it was told about expires (the reconciler's `wakeAt`);
 * - every `reconcileIntervalMs`, all workloads (a safety net: nothing depends on it).
 * Every `resyncIntervalMs` it lists the containers of every Ready node, to catch missed watch
 * events, containers that vanished and orphans (containers no live instance owns, which it removes).
 *
 * It runs unchanged on live backends: all time comes from the Clock, all ids from the IdSource.
 *
 * Concerns with their own modules beside it (each sharing the records in control-plane-state.ts
 * and asking back through a narrow host interface): gang coordination (gang-coordinator.ts),
 * NoExecute taint eviction timers (taint-eviction-timers.ts), adoption and resync (adoption.ts).
 */
import { podRequests } from './pod-requests.js';
import { EndpointTracker } from './endpoint-tracker.js';
import { backoffDelay, reconcile, type Action, type ReconcilerConfig } from './reconciler.js';
import { OrchestrationError } from './errors.js';
import { Adoption } from './adoption.js';
import {
  LIVE,
  newWorkloadState,
  nodeName,
  nodeReady,
  type ControlPlaneRecords,
  type NodeState,
  type WorkloadState,
} from './control-plane-state.js';
import { BoundSet } from './bound-set.js';
import { GangCoordinator } from './gang-coordinator.js';
import { TaintEvictionTimers } from './taint-eviction-timers.js';
import type {
  BoundInstance,
  ClusterEvent,
  Clock,
  ContainerEvent,
  ContainerRuntime,
  ClusterManager,
  IdSource,
  NodeView,
  Recorder,
  Scheduler,
  StateStore,
} from './interfaces.js';
import { addInto, tally, type Resources } from './resources.js';
import { instanceTaintEviction, noExecuteTaints } from './taints.js';
import { TERMINAL_STATUSES, type ContainerSpec, type Instance, type InstanceContainer, type InstanceStatus, type Millis, type Node, type NodeId, type Workload, type WorkloadId } from './types.js';
import { containerRecords, hasInitContainers, initProgress, lifecycleOf, ROLE_LABEL } from './init-containers.js';
import { endpointEnvJoined } from './endpoints.js';
import { assertNever } from './assert-never.js';
import { budgetHealth, budgetSelects, type BudgetHealth, type DisruptionBudgetStatus, type PodDisruptionBudget } from './disruption-budget.js';
import { DEFAULT_NAMESPACE } from './namespace.js';

/** Nodes the scheduler re-reads between wall-clock checks in a sliced pass (Orchestrator.refreshWithin): a node with a rollout's changes takes 0.1-0.2 ms. */
const REFRESH_STEP = 4;
/**
 * A sliced pass re-reads the scheduler's stale nodes ahead (Orchestrator.refreshWithin) only when
 * at least this many are stale, about a slice of re-reading: fewer are left to the next scheduling
 * call, as they would be re-read again anyway if they change before it (re-reading ahead at every
 * pass re-read 14-37 % more nodes under 500 applies/s, and the creates' tail grew with that work and its garbage).
 */
const REFRESH_AHEAD_NODES = 32;

export interface OrchestratorConfig extends ReconcilerConfig {
  readonly reconcileIntervalMs: Millis;
  /**
   * Event-driven passes run at most once per this long: the first event after a quiet period is
   * handled at once, a storm of events (a thousand containers starting) is batched.
   */
  readonly reconcileMinGapMs: Millis;
  readonly resyncIntervalMs: Millis;
  readonly backoffResetMs: Millis;
  /**
   * Work one reconcile pass may do before it stops and continues 1 ms later (unset: no limit,
   * one pass reconciles every dirty workload). A workload reconciled counts 1 plus the actions
   * the reconciler returned for it (creations, schedulings, stops, ...). `slipway serve` sets it:
   * its HTTP server shares the thread with the control plane, and a pass over hundreds of new
   * workloads would hold every request for its whole length. The simulator leaves it unset (a
   * pass is one event there whatever its length).
   */
  readonly reconcileBudget?: number;
  /**
   * With `reconcileBudget`: wall milliseconds one pass may take before it stops (after the workload
   * it is on) and continues 1 ms later, read from OrchestratorDeps.wallMs. `slipway serve` sets it
   * so a pass of code not yet compiled (the first after a start) or of costly workloads is cut as
   * short as a budget of cheap ones. Ignored without `wallMs` (the simulator never reads real time).
   */
  readonly reconcileSliceMs?: number;
}

export interface OrchestratorDeps {
  readonly clock: Clock;
  readonly runtime: ContainerRuntime;
  readonly cluster: ClusterManager;
  readonly scheduler: Scheduler;
  readonly store: StateStore;
  readonly ids: IdSource;
  readonly recorder: Recorder;
  readonly config: OrchestratorConfig;
  /** Called with unexpected errors (bugs) from async work; the simulation fails the run. */
  readonly onError: (error: unknown) => void;
  /** PodDisruptionBudgets: their status goes to the scheduler with every request (DefaultPreemption reads it). */
  readonly disruptionBudgets?: readonly PodDisruptionBudget[];
  /** The reconciler; the real one by default (tests plant faulty variants to prove the explorer finds them). */
  readonly reconcile?: typeof reconcile;
  /** Real time in ms (`performance.now`), for `reconcileSliceMs`: only `slipway serve` gives it; a simulation must not read real time. */
  readonly wallMs?: () => number;
  /**
   * Resolves after the host's thread has done its other work (`setImmediate`: the HTTP server
   * answers what arrived meanwhile). With `wallMs` and `reconcileSliceMs`, work that continues
   * from many promises at once (every node's resync listing) yields here once it has run a slice
   * of wall time. Only `slipway serve` gives it; a simulation never yields to real time.
   */
  readonly yieldToHost?: () => Promise<void>;
}

/** What a user sees of a workload. */
export interface WorkloadStatus {
  readonly name: string;
  readonly kind: Workload['kind'];
  readonly generation: number;
  readonly desired: number;
  /** Running and ready instances. */
  readonly running: number;
  /** Running instances that are not ready (a container paused): not counted in `running`. */
  readonly notReady: number;
  /** Running, ready instances of the current generation. */
  readonly updated: number;
  readonly pending: number;
  readonly terminating: number;
  /** Terminating instances whose node does not answer (evicted from a lost node): they stop when it returns. */
  readonly terminatingUnreachable: number;
  /** Instances that ended Failed during the run. */
  readonly failed: number;
  readonly succeeded: number;
  /** Replacements made for failed instances. */
  readonly restarts: number;
  readonly deleted: boolean;
  /** Jobs: completed (all completions succeeded) or failed (backoffLimit exceeded). */
  readonly completed: boolean;
  readonly jobFailed: boolean;
  /** The reason an instance is pending, when one is. */
  readonly pendingReason?: string;
}

export interface StartOptions {
  /** Rebuild instance records from the containers the nodes already run (a restarted control plane). */
  readonly adopt?: boolean;
}

/** What a drain's evictions did: how many instances went, and which ones a budget kept (with why). */
export interface EvictionResult {
  readonly evicted: number;
  readonly blocked: readonly { readonly instance: string; readonly workload: string; readonly reason: string }[];
}

/** A workload's pods as a PodDisruptionBudget sees them (namespace and labels). */
function budgetPod(w: Workload): { readonly namespace: string; readonly labels: Readonly<Record<string, string>> } {
  return { namespace: w.namespace ?? DEFAULT_NAMESPACE, labels: w.labels };
}

export class Orchestrator {
  private readonly d: OrchestratorDeps;
  private readonly workloads = new Map<WorkloadId, WorkloadState>();
  private readonly nodes = new Map<NodeId, NodeState>();
  private sortedViews: NodeView[] | undefined;
  private readonly containerOwner = new Map<string, string>();
  private readonly instanceRequest = new Map<string, Resources>();
  private readonly creating = new Map<string, Promise<void>>();
  /** Instances whose containers' creation should look again when the running pass ends (an init container finished meanwhile). */
  private readonly advanceAgain = new Set<string>();
  /**
   * Instances with init containers created by this control plane: the workload they were created
   * from (init steps continue with it even after an update) and when their first init container
   * was created; `reported`: init containers whose end is in the trace. Gone once init completed.
   */
  private readonly initRuns = new Map<string, { workload: Workload; since?: Millis; reported: Set<string> }>();
  /** Pending sidecar restarts (`instance/container` → cancel). */
  private readonly sidecarRestarts = new Map<string, () => void>();
  /** Container id → instance id of containers no longer used (see ControlPlaneRecords.retired). */
  private readonly retired = new Map<string, string>();
  private readonly tearingDown = new Set<string>();
  private readonly dirty = new Set<WorkloadId>();
  /** Workloads with instances no node could take: reconciled again when capacity appears. */
  private readonly waitingForCapacity = new Set<WorkloadId>();
  private reconcileQueued = false;
  /** A pass that stopped at `reconcileBudget` queued its continuation. */
  private continuationQueued = false;
  private passes = 0;
  private lastPassAt = -Infinity;
  private capacityEpoch = 0;
  private readonly stoppers: Array<() => void> = [];
  private started = false;
  /** While adopting at start: reconcile passes wait (dirty workloads accumulate). */
  private holdReconcile = false;
  /**
   * Workloads found in the store at start: while nodes stay unlisted since adoption began, their
   * instances may run there (see `unlistedHold`). Cleared once every node was listed.
   */
  private readonly restored = new Set<WorkloadId>();
  /** The `slot.held` last recorded per workload (recorded again only when it changes). */
  private readonly tracedHolds = new Map<WorkloadId, string>();
  /** The maps above, shared with the modules beside the Orchestrator. */
  private readonly records: ControlPlaneRecords;
  /** Gang members reserved and waiting for their gang (see `scheduleInstances`). */
  private readonly gangs: GangCoordinator;
  private readonly taintEvictions: TaintEvictionTimers;
  private readonly adoption: Adoption;
  /** Each workload's endpoints (with a pod network; docs/networking.md). */
  private readonly endpointTracker: EndpointTracker;
  /** The endpoint variables of containers created now, until the endpoints (or the workloads) change. */
  private endpointEnvCache: { readonly version: number; readonly workloads: number; readonly env: Record<string, string> | undefined } | undefined;

  constructor(deps: OrchestratorDeps) {
    this.d = deps;
    const { clock, runtime, store, recorder } = deps;
    this.endpointTracker = new EndpointTracker(recorder);
    const records: ControlPlaneRecords = {
      workloads: this.workloads,
      nodes: this.nodes,
      containerOwner: this.containerOwner,
      instanceRequest: this.instanceRequest,
      retired: this.retired,
    };
    this.records = records;
    this.gangs = new GangCoordinator({
      clock,
      store,
      recorder,
      records,
      capacityEpoch: () => this.capacityEpoch,
      reserveOn: (inst, nodeId, request, gpus) => this.reserveOn(inst, nodeId, request, gpus),
      unreserve: (inst, reason) => this.unreserve(inst, reason),
      startInstance: (inst, w) => this.startInstance(inst, w),
      capacityAppeared: () => this.capacityAppeared(),
      markDirty: (id) => this.markDirty(id),
    });
    this.taintEvictions = new TaintEvictionTimers({
      clock,
      store,
      recorder,
      records,
      evictionGraceMs: deps.config.evictionGraceMs,
      markDirty: (id) => this.markDirty(id),
      reconcileNode: (ns) => {
        for (const id of ns.instances) {
          const inst = store.getInstance(id);
          if (inst) this.dirty.add(inst.workloadId);
        }
        this.queueReconcile();
      },
      capacityAppeared: () => this.capacityAppeared(),
    });
    this.adoption = new Adoption({
      clock,
      runtime,
      store,
      recorder,
      records,
      requestOf: (ws, generation) => this.requestOf(ws, generation),
      refreshStatus: (inst, reason) => this.refreshStatus(inst, reason),
      addressKnown: (inst) => this.syncEndpoints(inst),
      bindContainer: (inst, c, id) => this.bindContainer(inst, c, id),
      startInstance: (inst, w) => this.startInstance(inst, w),
      armTaintEvictions: (ns) => this.taintEvictions.arm(ns),
      invalidateViews: () => {
        this.sortedViews = undefined;
      },
      spawn: (p) => this.spawn(p),
      unlistedChanged: () => this.unlistedChanged(),
      pace: () => this.pace(),
    });
  }

  /** Wall time the current stretch of paced work (OrchestratorDeps.yieldToHost) began, and its last step. */
  private paceFrom = 0;
  private paceLast = -Infinity;

  /**
   * Undefined (go on) or a promise to await first: the stretch of paced work so far ran
   * `reconcileSliceMs` of wall time without a gap (see OrchestratorDeps.yieldToHost).
   */
  private pace(): Promise<void> | undefined {
    const { wallMs, yieldToHost } = this.d;
    const slice = this.d.config.reconcileSliceMs;
    if (wallMs === undefined || yieldToHost === undefined || slice === undefined) return undefined;
    const now = wallMs();
    // A gap of over 1 ms: the thread did other things or idled since; a new stretch begins.
    if (now - this.paceLast > 1) this.paceFrom = now;
    this.paceLast = now;
    if (now - this.paceFrom < slice) return undefined;
    return yieldToHost().then(() => {
      this.paceFrom = this.paceLast = wallMs();
    });
  }

  // -------------------------------------------------------------------------------------------
  // Lifecycle and the user's API
  // -------------------------------------------------------------------------------------------

  /**
   * Initializes the cluster manager, learns the nodes, subscribes to events and starts the timers.
   * Workloads already in the store (desired state persisted by an earlier control plane) are
   * taken up again. With `adopt`, the containers running on every Ready node are listed first and
   * the instance records rebuilt from their labels (see `adoptNode`); containers no desired
   * workload owns are removed. Adoption finishes before the first reconcile pass, so no slot is
   * filled twice. A node not Ready then (or whose listing fails) is adopted when it answers; until
   * then the restored workloads' free slots are held as long as instances there would be kept
   * (src/core/adoption.ts, `ReconcileInput.unlisted`).
   */
  async start(options: StartOptions = {}): Promise<void> {
    if (this.started) return;
    this.started = true;
    const { cluster, runtime, clock, config } = this.d;
    await cluster.initialize();
    for (const node of cluster.listNodes()) this.addNode(node);
    for (const w of this.d.store.listWorkloads()) this.restoreWorkload(w);
    this.stoppers.push(cluster.subscribe((e) => this.onClusterEvent(e)));
    this.stoppers.push(runtime.watch((e) => this.onContainerEvent(e)));
    if (options.adopt) {
      for (const w of this.d.store.listWorkloads()) this.restored.add(w.id);
      this.adoption.begin(cluster.listNodes().map((n) => n.id));
      // No reconcile pass may run before every node is adopted: it would refill adopted slots.
      this.holdReconcile = true;
      try {
        for (const node of cluster.listNodes()) if (node.status === 'Ready') await this.adoption.adoptNode(node.id);
      } finally {
        this.holdReconcile = false;
      }
      if (this.dirty.size > 0) this.queueReconcile();
    }
    if (this.workloads.size > 0) this.markAllDirty();
    for (const node of cluster.listNodes()) this.spawn(this.initNode(node.id));
    let cancelReconcile = () => {};
    let cancelResync = () => {};
    const reconcileTick = () => {
      this.markAllDirty();
      cancelReconcile = clock.setTimer(config.reconcileIntervalMs, reconcileTick);
    };
    const resyncTick = () => {
      for (const ns of this.nodes.values()) if (ns.node.status === 'Ready') this.spawn(this.adoption.resyncNode(ns.node.id));
      cancelResync = clock.setTimer(config.resyncIntervalMs, resyncTick);
    };
    cancelReconcile = clock.setTimer(config.reconcileIntervalMs, reconcileTick);
    cancelResync = clock.setTimer(config.resyncIntervalMs, resyncTick);
    this.stoppers.push(() => cancelReconcile(), () => cancelResync());
  }

  /** Stops the timers and subscriptions (containers keep running). */
  shutdown(): void {
    for (const s of this.stoppers.splice(0)) s();
    for (const w of this.workloads.values()) w.wake?.cancel();
    for (const cancel of this.sidecarRestarts.values()) cancel();
    this.sidecarRestarts.clear();
    this.gangs.shutdown();
  }

  /** Submits a new workload, or applies a changed one (scaling, or a spec change = new generation). */
  apply(workload: Workload): void {
    const existing = this.workloads.get(workload.id);
    if (!existing || existing.removed) {
      this.restored.delete(workload.id);
      this.workloads.set(workload.id, newWorkloadState(workload));
      this.d.store.putWorkload(workload);
      this.d.recorder.record('workload.submitted', {
        workload: workload.name,
        kind: workload.kind,
        replicas: workload.replicas,
        ...(workload.kind === 'job' ? { completions: workload.completions } : {}),
        generation: workload.generation,
      });
    } else {
      if (existing.deleted) throw new OrchestrationError('WorkloadNotFound', `workload ${workload.name} was deleted`);
      const prev = existing.workload;
      existing.workload = workload;
      // Every bound instance of the workload now reads the new object (NodeView.bound).
      for (const inst of this.d.store.listInstances(workload.id)) this.boundChanged(inst);
      this.d.store.putWorkload(workload);
      if (prev.replicas !== workload.replicas)
        this.d.recorder.record('workload.scaled', { workload: workload.name, from: prev.replicas, to: workload.replicas });
      if (prev.generation !== workload.generation)
        this.d.recorder.record('workload.updated', { workload: workload.name, generation: workload.generation });
    }
    this.markDirty(workload.id);
  }

  /** Deletes a workload: its instances are stopped, then it is forgotten. */
  delete(workloadId: WorkloadId): void {
    const ws = this.workloads.get(workloadId);
    if (!ws || ws.deleted) throw new OrchestrationError('WorkloadNotFound', `workload not found: ${workloadId}`);
    ws.deleted = true;
    // The desired state forgets it at once: a control plane restarted now removes its containers.
    this.d.store.deleteWorkload(workloadId);
    ws.wake?.cancel();
    this.d.recorder.record('workload.deleted', { workload: ws.workload.name });
    this.markDirty(workloadId);
  }

  /**
   * Evicts the node's live instances (a drain): each is stopped and its slot refilled elsewhere by
   * the next reconcile pass. Evictions go through the PodDisruptionBudgets as Kubernetes' Eviction
   * API does (`evictionGuard`): an instance a budget protects stays and is named in `blocked`, for
   * the caller to retry as kubectl drain does. `ignoreBudgets` (kubectl drain --disable-eviction)
   * evicts every instance.
   */
  evictNode(nodeId: NodeId, reason = 'drained', options: { readonly ignoreBudgets?: boolean } = {}): EvictionResult {
    const ns = this.nodes.get(nodeId);
    if (!ns) return { evicted: 0, blocked: [] };
    const guard = options.ignoreBudgets === true ? undefined : this.evictionGuard();
    let evicted = 0;
    const blocked: EvictionResult['blocked'][number][] = [];
    for (const id of [...ns.instances]) {
      const inst = this.d.store.getInstance(id);
      if (!inst || inst.stopRequestedAt !== undefined || !LIVE.has(inst.status)) continue;
      const refusal = guard?.(inst);
      if (refusal !== undefined) {
        blocked.push({ instance: inst.id, workload: inst.workloadName, reason: refusal });
        continue;
      }
      this.stopInstance(inst, reason);
      this.markDirty(inst.workloadId);
      evicted++;
    }
    return { evicted, blocked };
  }

  /**
   * The Eviction API's budget check (kube-apiserver's pod eviction handler), applied to one
   * instance after another, each eviction using up its budget's allowance:
   * - an instance not Running yet is evicted without a check (as a Pending pod is);
   * - no budget selects it: evicted; more than one: refused (the eviction subresource does not
   *   support that);
   * - Running but not ready: evicted when its budget's currentHealthy ≥ desiredHealthy (the
   *   default unhealthyPodEvictionPolicy, IfHealthyBudget), without using an allowance;
   * - else evicted when the budget allows a disruption (which it uses), refused when it allows none
   *   (the API's 429).
   * Undefined without budgets; the function returns undefined (evict) or why not.
   */
  private evictionGuard(): ((inst: Instance) => string | undefined) | undefined {
    const counted = this.budgetCounts();
    if (counted === undefined) return undefined;
    // Each eviction of a healthy instance uses an allowance and leaves one healthy fewer.
    const left = counted.map((c) => ({ ...c, allowed: c.health.disruptionsAllowed, healthy: c.health.currentHealthy }));
    return (inst) => {
      if (inst.status !== 'Running') return undefined;
      const ws = this.workloads.get(inst.workloadId);
      if (!ws) return undefined;
      const pod = budgetPod(ws.workload);
      const selecting = left.filter((c) => budgetSelects(c.budget, pod));
      if (selecting.length === 0) return undefined;
      if (selecting.length > 1) {
        return `more than one PodDisruptionBudget selects it (${selecting.map((c) => c.budget.name).join(', ')}); the Eviction API refuses such a pod`;
      }
      const c = selecting[0]!;
      const needs = `the disruption budget ${c.budget.name} needs ${c.health.desiredHealthy} healthy instances and has ${c.healthy}`;
      if (inst.notReady !== undefined) return c.healthy >= c.health.desiredHealthy ? undefined : `${needs} (the instance is not ready)`;
      if (c.allowed <= 0) return needs;
      c.allowed--;
      c.healthy--;
      return undefined;
    };
  }

  getWorkload(id: WorkloadId): Workload | undefined {
    return this.workloads.get(id)?.workload;
  }

  /** Takes up a workload found in the store at start (no trace record: it was submitted before). */
  private restoreWorkload(workload: Workload): void {
    if (this.workloads.has(workload.id)) return;
    this.workloads.set(workload.id, newWorkloadState(workload));
    this.d.recorder.record('workload.restored', {
      workload: workload.name,
      replicas: workload.replicas,
      generation: workload.generation,
    });
  }

  /**
   * Adoption: rebuilds instance records from the containers a node runs (see src/core/adoption.ts).
   * Returns the number of instances adopted.
   */
  adoptNode(nodeId: NodeId): Promise<number> {
    return this.adoption.adoptNode(nodeId);
  }

  /** True when every workload submitted was deleted and is gone (its `workload.removed` recorded). */
  allRemoved(): boolean {
    for (const ws of this.workloads.values()) if (!ws.removed) return false;
    return true;
  }

  /** Status of every workload ever submitted, in submission order. */
  statuses(): WorkloadStatus[] {
    return [...this.workloads.keys()].map((id) => this.status(id)!);
  }

  status(id: WorkloadId): WorkloadStatus | undefined {
    const ws = this.workloads.get(id);
    if (!ws) return undefined;
    const w = ws.workload;
    let running = 0;
    let notReady = 0;
    let updated = 0;
    let pending = 0;
    let terminating = 0;
    let terminatingUnreachable = 0;
    let pendingReason: string | undefined;
    for (const inst of this.d.store.listInstances(id)) {
      if (inst.stopRequestedAt !== undefined) {
        terminating++;
        if (inst.node !== undefined && !this.nodeReady(inst.node)) terminatingUnreachable++;
      }
      else if (inst.status === 'Running' && inst.notReady !== undefined) notReady++;
      else if (inst.status === 'Running') {
        running++;
        if (inst.generation === w.generation) updated++;
      } else if (inst.status === 'Pending') {
        pending++;
        pendingReason ??= inst.reason;
      }
    }
    return {
      name: w.name,
      kind: w.kind,
      generation: w.generation,
      desired: ws.deleted ? 0 : w.kind === 'job' ? w.completions : w.replicas,
      running,
      notReady,
      updated,
      pending,
      terminating,
      terminatingUnreachable,
      failed: ws.failed,
      succeeded: ws.succeeded,
      restarts: ws.restarts,
      deleted: ws.deleted,
      completed: ws.completed,
      jobFailed: ws.jobFailed,
      ...(pendingReason !== undefined ? { pendingReason } : {}),
    };
  }

  /**
   * Idle-time work for a daemon (Scheduler.refresh): lets the scheduler re-read up to `maxNodes`
   * nodes whose instances changed, so the next scheduling after a burst of changes does not re-read
   * them all at once. Changes no decision and records nothing. Returns how many nodes it re-read.
   */
  refreshScheduler(maxNodes: number): number {
    return this.d.scheduler.refresh?.(this.nodeViews(), maxNodes) ?? 0;
  }

  /** Nodes with what the control plane has allocated on them, sorted by name. */
  nodeViews(): readonly NodeView[] {
    if (!this.sortedViews) {
      this.sortedViews = [...this.nodes.values()].sort((a, b) =>
        a.node.name < b.node.name ? -1 : a.node.name > b.node.name ? 1 : 0,
      );
    }
    return this.sortedViews;
  }

  // -------------------------------------------------------------------------------------------
  // Reconciliation
  // -------------------------------------------------------------------------------------------

  private markDirty(id: WorkloadId): void {
    this.dirty.add(id);
    this.queueReconcile();
  }

  private markAllDirty(): void {
    for (const [id, ws] of this.workloads) if (!ws.removed) this.dirty.add(id);
    this.queueReconcile();
  }

  /**
   * Reconcile passes started so far. A pass that stops at `reconcileBudget` and continues 1 ms
   * later is still one pass (its continuations reconcile the rest of the same dirty set).
   */
  get reconcilePasses(): number {
    return this.passes;
  }

  private queueReconcile(): void {
    if (this.reconcileQueued || this.holdReconcile) return;
    this.reconcileQueued = true;
    const now = this.d.clock.now();
    const delay = Math.max(0, this.lastPassAt + this.d.config.reconcileMinGapMs - now);
    this.d.clock.setTimer(delay, () => {
      this.reconcileQueued = false;
      // A pass queued before adoption began (a Ready node is "capacity appeared") must not run
      // while nodes are still being adopted: it would refill slots about to be adopted. The dirty
      // set is kept; releasing the hold queues the pass again.
      if (this.holdReconcile) return;
      this.lastPassAt = this.d.clock.now();
      this.passes++;
      this.reconcileDirty();
    });
  }

  private reconcileDirty(): void {
    const ids = [...this.dirty];
    const budget = this.d.config.reconcileBudget;
    if (budget === undefined) {
      this.dirty.clear();
      for (const id of ids) {
        const ws = this.workloads.get(id);
        if (ws) this.reconcileWorkload(ws);
      }
      return;
    }
    // Budgeted (serve): the workloads not reached stay dirty, in their order, for the
    // continuation; one marked dirty again while it is reconciled goes to the end.
    let spent = 0;
    const wall = this.d.wallMs;
    const sliceMs = this.d.config.reconcileSliceMs;
    const stopAt = wall !== undefined && sliceMs !== undefined ? wall() + sliceMs : Infinity;
    // Sliced (serve): when many nodes' instances changed since the scheduler read them, it re-reads
    // them a few at a time first, within the slice, so that a workload's scheduling below does not
    // re-read them all in one go (after a rollout of 10,000 instances, every node: 30+ ms in one event). A pass that
    // ran out of time doing so stops before its first workload, once: the next one reconciles at
    // least one however much is left, so churn faster than the refresh cannot starve the workloads.
    const refreshed = stopAt === Infinity || this.refreshWithin(wall!, stopAt);
    for (const id of ids) {
      if (spent >= budget || ((spent > 0 || !refreshed) && stopAt !== Infinity && wall!() >= stopAt)) break;
      this.dirty.delete(id);
      const ws = this.workloads.get(id);
      spent += 1 + (ws ? this.reconcileWorkload(ws) : 0);
    }
    if (this.dirty.size > 0 && !this.continuationQueued) {
      this.continuationQueued = true;
      this.d.clock.setTimer(1, () => {
        this.continuationQueued = false;
        // Released holds queue a pass of their own (queueReconcile).
        if (!this.holdReconcile) this.reconcileDirty();
      });
    }
  }

  /**
   * Brings the scheduler's view of changed nodes up to date when REFRESH_AHEAD_NODES or more are
   * stale, REFRESH_STEP nodes at a time, until none is left (true) or the wall clock reaches
   * `stopAt` (false). A pass that returned false
   * once proceeds the next time whatever is left (`refreshYielded`), so it cannot stop twice in a row.
   */
  private refreshWithin(wall: () => number, stopAt: number): boolean {
    const refresh = this.d.scheduler.refresh;
    if (refresh === undefined || this.refreshYielded) {
      this.refreshYielded = false;
      return true;
    }
    const views = this.nodeViews();
    if ((this.d.scheduler.staleNodes?.(views) ?? 0) < REFRESH_AHEAD_NODES) return true;
    // A step that re-read fewer than it could left none stale.
    while (refresh.call(this.d.scheduler, views, REFRESH_STEP) === REFRESH_STEP) {
      if (wall() >= stopAt) {
        this.refreshYielded = true;
        return false;
      }
    }
    return true;
  }
  private refreshYielded = false;

  /** Reconciles one workload; returns how many actions the reconciler returned (the pass's budget counts them). */
  private reconcileWorkload(ws: WorkloadState): number {
    const { clock, store, config } = this.d;
    const now = clock.now();
    const w = ws.workload;
    const instances = store.listInstances(w.id);
    // Retry stops that failed earlier (their node was unreachable).
    for (const inst of instances) {
      if (inst.stopRequestedAt !== undefined && !this.tearingDown.has(inst.id) && this.nodeReady(inst.node))
        this.spawn(this.teardown(inst));
    }
    if (ws.removed) return 0;
    if (ws.deleted && instances.length === 0) {
      ws.removed = true;
      store.deleteWorkload(w.id);
      this.d.recorder.record('workload.removed', { workload: w.name });
      return 1;
    }
    const result = (this.d.reconcile ?? reconcile)({
      workload: w,
      deleted: ws.deleted,
      observed: {
        instances,
        slots: ws.slots,
        jobFailures: ws.jobFailures,
        finished: ws.finished,
      },
      node: (id) => this.nodes.get(id)?.node,
      noExecute: (id) => {
        const ns = this.nodes.get(id)!;
        return noExecuteTaints(ns.node, ns.unreadySince);
      },
      capacityEpoch: this.capacityEpoch,
      ...(this.restored.has(w.id) ? this.unlistedHold(w) : undefined),
      now,
      config,
    });
    const creates: Array<Extract<Action, { type: 'create' }>> = [];
    const toSchedule: Instance[] = [];
    for (const a of result.actions) {
      switch (a.type) {
        case 'create':
          creates.push(a);
          break;
        case 'schedule': {
          const inst = store.getInstance(a.instance);
          if (inst) toSchedule.push(inst);
          break;
        }
        case 'stop': {
          const inst = store.getInstance(a.instance);
          if (inst) this.stopInstance(inst, a.reason, a.taint !== undefined ? { taint: a.taint } : undefined);
          break;
        }
        case 'cleanup': {
          const inst = store.getInstance(a.instance);
          if (inst && !this.tearingDown.has(inst.id) && (inst.node === undefined || this.nodeReady(inst.node)))
            this.spawn(this.teardown(inst));
          break;
        }
        case 'forget': {
          const inst = store.getInstance(a.instance);
          if (inst) {
            this.d.recorder.record('instance.forgotten', { instance: inst.id, workload: w.name, reason: a.reason });
            this.removeRecord(inst);
          }
          break;
        }
        case 'backoff': {
          const slot = ws.slots.get(a.slot);
          if (slot && slot.tracedBackoffUntil !== a.until) {
            slot.tracedBackoffUntil = a.until;
            this.d.recorder.record('slot.backoff', {
              workload: w.name,
              slot: a.slot,
              failures: a.failures,
              until: a.until,
            });
          }
          break;
        }
        case 'hold': {
          const key = `${a.until} ${a.slots.join(',')} ${a.nodes.join(',')}`;
          if (this.tracedHolds.get(w.id) !== key) {
            this.tracedHolds.set(w.id, key);
            this.d.recorder.record('slot.held', {
              workload: w.name,
              slots: a.slots,
              nodes: a.nodes,
              ...(a.until !== Infinity ? { until: a.until } : {}),
            });
          }
          break;
        }
        case 'complete-job':
          if (!ws.finished) {
            ws.finished = true;
            ws.completed = true;
            this.d.recorder.record('workload.completed', { workload: w.name, succeeded: ws.succeeded, failed: ws.failed });
          }
          break;
        case 'fail-job':
          if (!ws.finished) {
            ws.finished = true;
            ws.jobFailed = true;
            this.d.recorder.record('workload.failed', { workload: w.name, reason: a.reason });
          }
          break;
        default:
          assertNever(a, 'reconciler action');
      }
    }
    for (const c of creates) toSchedule.push(this.createInstance(ws, c.slot, c.reason));
    if (toSchedule.length > 0) this.scheduleInstances(ws, toSchedule);
    if (this.waitingForCapacity.has(w.id) && !store.listInstances(w.id).some((i) => i.node === undefined && i.stopRequestedAt === undefined))
      this.waitingForCapacity.delete(w.id);
    ws.wake?.cancel();
    ws.wake = undefined;
    if (result.wakeAt !== undefined) {
      const at = result.wakeAt;
      const cancel = clock.setTimer(Math.max(0, at - now), () => {
        ws.wake = undefined;
        this.markDirty(w.id);
      });
      ws.wake = { at, cancel };
    }
  
    return result.actions.length;
  }

  /**
   * `ReconcileInput.unlisted` for a restored workload: the nodes not listed since start, and
   * when an instance of it placed there before the start would be evicted from them (the latest
   * of these moments; Infinity when one of them evicts nothing, e.g. a Ready node that did not
   * answer its listing). Absent once every node was listed.
   */
  private unlistedHold(w: Workload): { unlisted: { until: Millis; nodes: string[] } } | undefined {
    if (this.adoption.unlisted.size === 0) return undefined;
    let until = -Infinity;
    const nodes: string[] = [];
    for (const id of this.adoption.unlisted) {
      const ns = this.nodes.get(id);
      if (!ns) continue;
      const ev = instanceTaintEviction(w.placement?.tolerations, this.d.config.evictionGraceMs / 1000, noExecuteTaints(ns.node, ns.unreadySince), 0);
      until = Math.max(until, ev === undefined ? Infinity : ev.at);
      nodes.push(ns.node.name);
    }
    if (nodes.length === 0) return undefined;
    nodes.sort();
    return { unlisted: { until, nodes } };
  }

  /** A node unlisted since start was listed, changed status or left: the held slots are looked at again. */
  private unlistedChanged(): void {
    if (this.adoption.unlisted.size === 0) {
      for (const id of this.restored) this.dirty.add(id);
      this.restored.clear();
    } else for (const id of this.restored) this.dirty.add(id);
    this.queueReconcile();
  }

  private requestOf(ws: WorkloadState, generation: number): Resources {
    let r = ws.requests.get(generation);
    if (!r) {
      r = podRequests(ws.workload);
      ws.requests.set(generation, r);
    }
    return r;
  }

  private createInstance(ws: WorkloadState, slot: number, reason: string): Instance {
    const w = ws.workload;
    const now = this.d.clock.now();
    let id = this.d.ids.next(w.name);
    // Adopted instances carry ids from an earlier control plane's source: never reuse one.
    while (this.d.store.getInstance(id) !== undefined) id = this.d.ids.next(w.name);
    const inst: Instance = {
      id,
      workloadId: w.id,
      workloadName: w.name,
      slot,
      generation: w.generation,
      status: 'Pending',
      containers: containerRecords(w),
      createdAt: now,
      attempts: 0,
    };
    this.d.store.putInstance(inst);
    if (hasInitContainers(w)) this.initRuns.set(inst.id, { workload: w, reported: new Set() });
    this.instanceRequest.set(inst.id, this.requestOf(ws, w.generation));
    this.d.recorder.record('instance.created', {
      instance: inst.id,
      workload: w.name,
      slot,
      generation: w.generation,
      reason,
    });
    return inst;
  }

  private scheduleInstances(ws: WorkloadState, instances: Instance[]): void {
    const w = ws.workload;
    const now = this.d.clock.now();
    // One scheduler call per generation (requests may differ between generations).
    const byGen = new Map<number, Instance[]>();
    for (const inst of instances) {
      let l = byGen.get(inst.generation);
      if (!l) byGen.set(inst.generation, (l = []));
      l.push(inst);
    }
    /** Gangs whose waiting members bind now (a member was allowed), and gangs rejected (a member fits nowhere). */
    const allowed = new Set<string>();
    const rejected = new Map<string, Instance>();
    for (const [gen, list] of byGen) {
      const request = this.requestOf(ws, gen);
      const budgets = this.budgetStatuses();
      const decisions = this.d.scheduler.schedule({ workload: w, request, count: list.length, ...(budgets ? { disruptionBudgets: budgets } : {}) }, this.nodeViews());
      list.forEach((inst, k) => {
        const dec = decisions[k];
        inst.attempts++;
        inst.lastAttemptAt = now;
        inst.lastAttemptEpoch = this.capacityEpoch;
        if (dec && dec.kind === 'wait') {
          this.gangs.wait(ws, inst, dec, request);
        } else if (dec && dec.kind === 'assign') {
          const ns = this.reserveOn(inst, dec.nodeId, request, dec.gpus);
          inst.scheduledAt = now;
          inst.reason = undefined;
          if (dec.allowsGang !== undefined) allowed.add(dec.allowsGang);
          this.d.recorder.record('instance.scheduled', {
            instance: inst.id,
            workload: w.name,
            node: ns.node.name,
            attempt: inst.attempts,
            request,
            ...(dec.gpus !== undefined ? { gpus: dec.gpus } : {}),
            ...(dec.candidates ? { candidates: dec.candidates } : {}),
          });
          this.startInstance(inst, w);
          // Placed on a node with NoExecute taints it tolerates for a while.
          if (ns.node.status !== 'Ready' || ns.node.taints.length > 0) this.taintEvictions.arm(ns, inst);
        } else {
          const message = dec ? dec.message : `scheduler ${this.d.scheduler.name} returned no decision`;
          inst.reason = message;
          this.waitingForCapacity.add(w.id);
          this.d.recorder.record('instance.unschedulable', {
            instance: inst.id,
            workload: w.name,
            attempt: inst.attempts,
            message,
            reasons: dec && dec.kind === 'unschedulable' ? dec.reasons : {},
          });
          if (dec && dec.kind === 'unschedulable' && dec.victims) this.preempt(inst, dec.victims, dec.nominatedNode, dec.violatedBudgets);
          if (dec && dec.kind === 'unschedulable' && dec.rejectGang !== undefined) rejected.set(dec.rejectGang, inst);
        }
      });
    }
    for (const g of allowed) this.gangs.bind(g);
    for (const [g, by] of rejected) this.gangs.release(g, 'rejected', by);
  }

  /**
   * The PodDisruptionBudgets' status as the disruption controller computes it from the records:
   * selected instances not ended, the healthy ones (Running, ready, not asked to stop), and the
   * replicas of the workloads whose pods the budget selects. Undefined without budgets.
   */
  budgetStatuses(): DisruptionBudgetStatus[] | undefined {
    return this.budgetCounts()?.map(({ budget: b, health }) => ({
      name: b.name,
      namespace: b.namespace,
      ...(b.selector ? { selector: b.selector } : {}),
      disruptionsAllowed: health.disruptionsAllowed,
    }));
  }

  /** Each budget with its status numbers, from the records (see `budgetStatuses`); undefined without budgets. */
  private budgetCounts(): { readonly budget: PodDisruptionBudget; readonly health: BudgetHealth }[] | undefined {
    const budgets = this.d.disruptionBudgets;
    if (!budgets || budgets.length === 0) return undefined;
    const instances = this.d.store.listInstances();
    return budgets.map((b) => {
      let replicas = 0;
      let pods = 0;
      let healthy = 0;
      for (const ws of this.workloads.values()) if (!ws.deleted && budgetSelects(b, budgetPod(ws.workload))) replicas += ws.workload.replicas;
      for (const inst of instances) {
        const ws = this.workloads.get(inst.workloadId);
        if (!ws || TERMINAL_STATUSES.has(inst.status) || !budgetSelects(b, budgetPod(ws.workload))) continue;
        pods++;
        if (inst.status === 'Running' && inst.notReady === undefined && inst.stopRequestedAt === undefined) healthy++;
      }
      return { budget: b, health: budgetHealth(b, { pods, healthy, controllerReplicas: replicas }) };
    });
  }

  /** Puts the instance on the node: its request counts against the node from now on. */
  private reserveOn(inst: Instance, nodeId: NodeId, request: Resources, gpus?: readonly number[]): NodeState {
    const ns = this.nodes.get(nodeId);
    if (!ns) throw new Error(`scheduler ${this.d.scheduler.name} chose unknown node ${nodeId}`);
    inst.node = nodeId;
    if (gpus !== undefined) inst.gpus = [...gpus];
    addInto(ns.allocated, request);
    ns.instanceCount++;
    ns.instances.add(inst.id);
    ns.version++;
    return ns;
  }

  /** Takes a reserved instance off its node again (it was never bound: nothing runs there). */
  private unreserve(inst: Instance, reason: string): void {
    const ns = inst.node === undefined ? undefined : this.nodes.get(inst.node);
    const req = this.instanceRequest.get(inst.id);
    if (ns && ns.instances.delete(inst.id)) {
      ns.version++;
      if (req) addInto(ns.allocated, req, -1);
      ns.instanceCount--;
    }
    this.d.recorder.record('instance.unreserved', { instance: inst.id, workload: inst.workloadName, node: this.nodeName(inst.node), reason });
    inst.node = undefined;
    inst.gpus = undefined;
    inst.waitingSince = undefined;
    inst.reason = reason;
    this.markDirty(inst.workloadId);
  }

  /** Stops lower-priority instances the scheduler chose as victims; the preemptor retries when they are gone. */
  private preempt(preemptor: Instance, victims: readonly string[], node: string | undefined, budgets?: Readonly<Record<string, string>>): void {
    const pdbViolations = budgets ? Object.keys(budgets).length : 0;
    this.d.recorder.record('instance.preempting', { instance: preemptor.id, workload: preemptor.workloadName, node, victims, ...(pdbViolations > 0 ? { pdbViolations } : {}) });
    for (const id of victims) {
      const v = this.d.store.getInstance(id);
      const pdb = budgets?.[id];
      if (v && v.stopRequestedAt === undefined) this.stopInstance(v, 'preempted', pdb !== undefined ? { pdb } : undefined);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Executing actions through the runtime
  // -------------------------------------------------------------------------------------------

  /**
   * Creates the instance's containers in the background; a teardown waits for them (`creating`).
   * Called again while a pass runs (an init container finished), the pass looks once more.
   */
  private startInstance(inst: Instance, w: Workload): void {
    if (this.creating.has(inst.id)) {
      this.advanceAgain.add(inst.id);
      return;
    }
    const p = this.startContainers(inst, w);
    this.creating.set(inst.id, p);
    this.spawn(p.finally(() => this.creating.delete(inst.id)));
  }

  /**
   * Creates the instance's containers in lifecycle order (src/core/init-containers.ts): the init
   * containers one at a time, each awaited (an `init` one until it exited 0, a sidecar until it
   * started: the next call, from the container event, goes on), then every regular container.
   */
  private async startContainers(inst: Instance, w: Workload): Promise<void> {
    const { runtime } = this.d;
    const steps = hasInitContainers(w) ? lifecycleOf(w) : undefined;
    const specs = steps ? steps.map((x) => x.spec) : w.containers;
    const inits = w.initContainers?.length ?? 0;
    do {
      this.advanceAgain.delete(inst.id);
      let regular = 0;
      for (let k = 0; k < specs.length; k++) {
        if (inst.stopRequestedAt !== undefined || !LIVE.has(inst.status)) return;
        const role = steps?.[k].role;
        const c = steps ? inst.containers.find((x) => x.name === specs[k].name) : inst.containers[k];
        const first = role === undefined && regular++ === 0;
        if (!c) continue;
        if (c.id === undefined && c.state === 'creating') {
          if (role !== undefined) this.initStarting(inst, c, k, inits);
          try {
            const id = await runtime.createContainer(this.withEndpoints(specs[k]), {
              nodeId: inst.node!,
              workloadId: w.id,
              instanceId: inst.id,
              labels: {
                'slipway.workload': w.name,
                'slipway.instance': inst.id,
                'slipway.slot': String(inst.slot),
                'slipway.generation': String(inst.generation),
                // the devices, so a restarted control plane adopting the instance knows what it holds
                ...(inst.gpus !== undefined ? { 'slipway.gpus': inst.gpus.join(',') } : {}),
                ...(role !== undefined ? { [ROLE_LABEL]: role } : {}),
              },
              // the first regular container holds the instance's GPUs (init containers come and go)
              ...(first && w.gpus ? { gpus: { count: w.gpus.count, devices: inst.gpus ?? [], milli: w.gpus.milli } } : {}),
              ...(role !== undefined ? { role } : {}),
            });
            if (c.id === undefined) this.bindContainer(inst, c, id);
            if (this.retired.delete(id)) await this.reusedId(inst, c, id);
          } catch (e) {
            if (!(e instanceof OrchestrationError)) throw e;
            // A create that timed out may still have happened on the node (only the answer was lost):
            // a container we learnt of through a watch event keeps its state, so the stop reaches it.
            if (c.id === undefined || e.code !== 'NodeUnreachable') c.state = 'exited';
            this.d.recorder.record('container.create_failed', {
              instance: inst.id,
              workload: w.name,
              node: this.nodeName(inst.node),
              container: c.name,
              code: e.code,
              error: e.message,
            });
            if (inst.stopRequestedAt === undefined && LIVE.has(inst.status))
              this.setStatus(inst, 'Failed', `create failed: ${e.message}`);
            return;
          }
        }
        // The next container waits: for an init container to exit 0, for a sidecar to start.
        if (role === 'init' && !(c.state === 'exited' && c.exitCode === 0)) break;
        if (role === 'sidecar' && c.state === 'creating' && (c.restarts ?? 0) === 0) break;
      }
    } while (this.advanceAgain.has(inst.id));
  }

  /**
   * The runtime gave a restarted sidecar the id of the container it replaces (the OCI backend's
   * ids are `<instance>-<container>`): events for that id were ignored while it was retired, so
   * its state is asked for once.
   */
  private async reusedId(inst: Instance, c: InstanceContainer, id: string): Promise<void> {
    let st;
    try {
      st = await this.d.runtime.getContainerStatus(id);
    } catch (e) {
      if (e instanceof OrchestrationError) return; // the next resync tells
      throw e;
    }
    if (c.id !== id || (c.state === st.state && c.exitCode === st.exitCode)) return;
    c.state = st.state;
    c.exitCode = st.exitCode;
    this.refreshStatus(inst, st.reason);
  }

  /** An init container is about to be created: the trace says so, a pending instance says why it waits. */
  private initStarting(inst: Instance, c: InstanceContainer, k: number, of: number): void {
    const run = this.initRuns.get(inst.id);
    if (run && run.since === undefined) run.since = this.d.clock.now();
    if (c.role === 'init' || (c.restarts ?? 0) === 0) {
      this.d.recorder.record('init.started', {
        instance: inst.id,
        workload: inst.workloadName,
        node: this.nodeName(inst.node),
        container: c.name,
        index: k + 1,
        of,
        ...(c.role === 'sidecar' ? { sidecar: true } : {}),
      });
    }
    if (inst.status === 'Pending') inst.reason = `init container ${c.name} (${k + 1}/${of})`;
  }

  /**
   * After a container of an instance with init containers changed: records init containers that
   * ended and the end of the init phase, restarts exited sidecars, and creates what may start now.
   */
  private advanceInit(inst: Instance): void {
    const run = this.initRuns.get(inst.id);
    if (inst.stopRequestedAt !== undefined || !LIVE.has(inst.status) || !this.nodeReady(inst.node)) return;
    if (run && initProgress(inst.containers).done) {
      this.initRuns.delete(inst.id);
      this.d.recorder.record('init.completed', { instance: inst.id, workload: inst.workloadName, initMs: this.d.clock.now() - (run.since ?? this.d.clock.now()) });
    }
    for (const c of inst.containers) if (c.role === 'sidecar' && c.state === 'exited' && c.id !== undefined) this.restartSidecar(inst, c);
    if (inst.containers.some((c) => c.id === undefined && c.state === 'creating')) {
      const w = run?.workload ?? this.workloads.get(inst.workloadId)?.workload;
      if (w) this.startInstance(inst, w);
    }
  }

  /** Records the init containers (not sidecars) of the instance that ended since the last look. */
  private reportInitEnds(inst: Instance): void {
    const run = this.initRuns.get(inst.id);
    if (run) {
      for (const c of inst.containers) {
        if (c.role !== 'init' || c.state !== 'exited' || c.id === undefined || run.reported.has(c.name)) continue;
        run.reported.add(c.name);
        this.d.recorder.record('init.finished', {
          instance: inst.id,
          workload: inst.workloadName,
          container: c.name,
          ...(c.exitCode !== undefined ? { exitCode: c.exitCode } : {}),
        });
      }
    }
  }

  /**
   * A sidecar exited while its instance lives: after the container back-off (the slot back-off's
   * formula on the sidecar's restart count) its container is removed and created again.
   */
  private restartSidecar(inst: Instance, c: InstanceContainer): void {
    const key = `${inst.id}/${c.name}`;
    if (this.sidecarRestarts.has(key)) return;
    const { clock, config } = this.d;
    c.restarts = (c.restarts ?? 0) + 1;
    const delay = backoffDelay(c.restarts, config);
    this.d.recorder.record('init.sidecar_restart', {
      instance: inst.id,
      workload: inst.workloadName,
      container: c.name,
      restarts: c.restarts,
      ...(c.exitCode !== undefined ? { exitCode: c.exitCode } : {}),
      at: clock.now() + delay,
    });
    const cancel = clock.setTimer(delay, () => {
      this.sidecarRestarts.delete(key);
      this.spawn(this.replaceSidecar(inst, c));
    });
    this.sidecarRestarts.set(key, cancel);
  }

  private async replaceSidecar(inst: Instance, c: InstanceContainer): Promise<void> {
    const live = () => inst.stopRequestedAt === undefined && LIVE.has(inst.status) && this.d.store.getInstance(inst.id) === inst;
    const old = c.id;
    if (!live() || old === undefined || c.state !== 'exited') return;
    // Its late events are ignored from now on; the name is free again once it is removed.
    this.retired.set(old, inst.id);
    try {
      await this.d.runtime.removeContainer(old);
    } catch (e) {
      if (!(e instanceof OrchestrationError)) throw e;
      if (e.code !== 'ContainerNotFound') {
        this.retired.delete(old);
        // Try again after a longer back-off (a node that stopped answering: when it is Ready again).
        if (live() && c.id === old && this.nodeReady(inst.node)) this.restartSidecar(inst, c);
        return;
      }
    }
    this.containerOwner.delete(old);
    if (!live() || c.id !== old) return;
    c.id = undefined;
    c.state = 'creating';
    delete c.exitCode;
    const w = this.initRuns.get(inst.id)?.workload ?? this.workloads.get(inst.workloadId)?.workload;
    if (w) this.startInstance(inst, w);
  }

  private bindContainer(inst: Instance, c: Instance['containers'][number], id: string): void {
    c.id = id;
    this.containerOwner.set(id, inst.id);
    this.d.recorder.record('container.created', {
      container: id,
      instance: inst.id,
      workload: inst.workloadName,
      node: this.nodeName(inst.node),
      name: c.name,
    });
  }

  /** `detail`: extra trace fields (an eviction's `taint`). */
  private stopInstance(inst: Instance, reason: string, detail?: Record<string, unknown>): void {
    if (inst.stopRequestedAt !== undefined) return;
    // A waiting member stopped (scaled down, preempted, deleted) is unreserved; Coscheduling's
    // Unreserve then rejects every other waiting member of its gang.
    const waitingGang = inst.waitingSince !== undefined ? this.gangs.gangOf(inst) : undefined;
    if (inst.waitingSince !== undefined) this.gangs.leave(inst);
    inst.stopRequestedAt = this.d.clock.now();
    inst.stopReason = reason;
    this.boundChanged(inst);
    const from = inst.status;
    inst.status = 'Terminating';
    this.d.recorder.record('instance.stopping', { instance: inst.id, workload: inst.workloadName, from, reason, ...detail });
    this.syncEndpoints(inst);
    if (waitingGang !== undefined) this.gangs.release(waitingGang, 'rejected', inst, `left the wait (${reason})`);
    this.touchNode(inst.node);
    if (inst.node === undefined) {
      // Never placed: nothing to stop.
      this.removeRecord(inst);
      return;
    }
    if (this.nodeReady(inst.node)) this.spawn(this.teardown(inst));
  }

  /** Stops and removes the instance's containers, then forgets the instance. */
  private async teardown(inst: Instance): Promise<void> {
    if (this.tearingDown.has(inst.id)) return;
    this.tearingDown.add(inst.id);
    try {
      const inflight = this.creating.get(inst.id);
      if (inflight) await inflight;
      const { runtime } = this.d;
      // The regular containers first, then the init containers (sidecars) in reverse order, as the kubelet stops them.
      const order = inst.containers.some((c) => c.role !== undefined)
        ? [...inst.containers.filter((c) => c.role === undefined), ...inst.containers.filter((c) => c.role !== undefined).reverse()]
        : inst.containers;
      for (const c of order) {
        if (c.id === undefined || c.state === 'exited') continue;
        try {
          await runtime.stopContainer(c.id);
          c.state = 'exited';
        } catch (e) {
          if (e instanceof OrchestrationError && e.code === 'ContainerNotFound') c.state = 'exited';
          else if (e instanceof OrchestrationError) return; // unreachable: retried when the node is Ready
          else throw e;
        }
      }
      for (const c of inst.containers) {
        if (c.id === undefined) continue;
        try {
          await runtime.removeContainer(c.id);
        } catch (e) {
          if (e instanceof OrchestrationError && e.code === 'ContainerNotFound') continue;
          // Still running (our record was wrong): stop it on the next attempt.
          if (e instanceof OrchestrationError && e.code === 'Runtime') c.state = 'unknown';
          if (e instanceof OrchestrationError) return;
          throw e;
        }
      }
      if (this.d.store.getInstance(inst.id) !== inst) return;
      this.d.recorder.record('instance.removed', {
        instance: inst.id,
        workload: inst.workloadName,
        node: this.nodeName(inst.node),
      });
      this.removeRecord(inst);
    } finally {
      this.tearingDown.delete(inst.id);
    }
  }

  private removeRecord(inst: Instance): void {
    if (inst.waitingSince !== undefined) this.gangs.leave(inst);
    this.endpointTracker.update(inst, undefined, true);
    this.d.store.deleteInstance(inst.id);
    for (const c of inst.containers) if (c.id !== undefined) this.containerOwner.delete(c.id);
    if (inst.containers.some((c) => c.role !== undefined)) this.forgetInit(inst);
    const req = this.instanceRequest.get(inst.id);
    this.instanceRequest.delete(inst.id);
    if (inst.node !== undefined) {
      const ns = this.nodes.get(inst.node);
      if (ns && ns.instances.delete(inst.id)) {
        ns.version++;
        if (req) addInto(ns.allocated, req, -1);
        ns.instanceCount--;
      }
    }
    this.markDirty(inst.workloadId);
    this.capacityAppeared();
  }

  /** The instance's record is gone: its init bookkeeping goes too. */
  private forgetInit(inst: Instance): void {
    this.initRuns.delete(inst.id);
    this.advanceAgain.delete(inst.id);
    for (const c of inst.containers) {
      const key = `${inst.id}/${c.name}`;
      this.sidecarRestarts.get(key)?.();
      this.sidecarRestarts.delete(key);
    }
    for (const [id, owner] of this.retired) if (owner === inst.id) this.retired.delete(id);
  }

  /** The instance's status, stop request or address changed: its workload's endpoints follow. */
  private syncEndpoints(inst: Instance): void {
    this.endpointTracker.update(inst, this.workloads.get(inst.workloadId)?.workload.containers);
  }

  /**
   * The workload's endpoints (`IP:PORT` of its running instances, docs/networking.md), ordered by
   * address; empty without a pod network.
   */
  endpointsOf(workloadId: WorkloadId): string[] {
    return this.endpointTracker.of(workloadId);
  }

  /**
   * The container as it is created: with a pod network, every workload's endpoints at this moment
   * in `SLIPWAY_ENDPOINTS_<NAME>` (docs/networking.md), as Kubernetes gives a pod its services'
   * `<SVC>_SERVICE_HOST` variables when it starts. The container's own env wins a clash.
   */
  private withEndpoints(spec: ContainerSpec): ContainerSpec {
    const tracker = this.endpointTracker;
    let cached = this.endpointEnvCache;
    if (cached === undefined || cached.version !== tracker.version || cached.workloads !== this.workloads.size) {
      const ids = tracker.withEndpoints();
      const env = ids.length === 0 ? undefined : endpointEnvJoined(ids.flatMap((id) => {
        const ws = this.workloads.get(id);
        return ws ? [{ name: ws.workload.name, joined: tracker.joined(id) }] : [];
      }));
      this.endpointEnvCache = cached = { version: tracker.version, workloads: this.workloads.size, env };
    }
    if (cached.env === undefined) return spec; // no pod network, or nothing ready yet
    return { ...spec, env: { ...cached.env, ...spec.env } };
  }

  /** Capacity appeared: workloads with unschedulable instances get another try. */
  private capacityAppeared(): void {
    this.capacityEpoch++;
    for (const id of this.waitingForCapacity) this.dirty.add(id);
    this.queueReconcile();
  }

  // -------------------------------------------------------------------------------------------
  // Observing the world
  // -------------------------------------------------------------------------------------------

  private onContainerEvent(ev: ContainerEvent): void {
    const instId = this.containerOwner.get(ev.containerId) ?? ev.instanceId;
    const inst = this.d.store.getInstance(instId);
    this.d.recorder.record('container.state', {
      container: ev.containerId,
      instance: ev.instanceId,
      node: this.nodeName(ev.nodeId),
      state: ev.state,
      ...(ev.exitCode !== undefined ? { exitCode: ev.exitCode } : {}),
      ...(ev.reason !== undefined ? { reason: ev.reason } : {}),
    });
    if (!inst || inst.node !== ev.nodeId) return; // an orphan: resync removes it
    if (this.retired.has(ev.containerId)) return; // a sidecar's container replaced by a new one
    const c = inst.containers.find((x) => x.id === ev.containerId) ?? inst.containers.find((x) => x.name === ev.name && x.id === undefined);
    if (!c) return;
    if (c.id === undefined) this.bindContainer(inst, c, ev.containerId);
    c.state = ev.state;
    if (ev.exitCode !== undefined) c.exitCode = ev.exitCode;
    // The instance's address is its regular containers' (an init container's may be its own, on Docker).
    if (ev.ip !== undefined && inst.ip === undefined && c.role === undefined) {
      inst.ip = ev.ip;
      this.syncEndpoints(inst); // already Running (a runtime that reports the address later): it becomes an endpoint now
    }
    this.refreshStatus(inst, ev.reason);
  }

  /** Derives an instance's status from its containers (see the README's lifecycle table). */
  private refreshStatus(inst: Instance, reason?: string): void {
    if (inst.stopRequestedAt !== undefined || !LIVE.has(inst.status)) return;
    if (inst.node !== undefined && !this.nodeReady(inst.node)) return; // stays Unknown until the node is back
    // Records with init containers start with them (src/core/init-containers.ts).
    if (inst.containers[0]?.role !== undefined) this.reportInitEnds(inst);
    const ws = this.workloads.get(inst.workloadId);
    let anyCreating = false;
    let exited0 = 0;
    let failed: { name: string; code?: number } | undefined;
    let running = 0;
    let paused: string | undefined;
    /** With init containers: regular containers (the only ones whose states decide the status below), a sidecar not running. */
    let n = inst.containers.length;
    let sidecarDown: string | undefined;
    let init: ReturnType<typeof initProgress> | undefined;
    for (const c of inst.containers) {
      if (c.role !== undefined) {
        n--;
        init ??= initProgress(inst.containers);
        if (c.role === 'sidecar') {
          if (c.state === 'paused') paused ??= c.name;
          else if (c.state !== 'running') sidecarDown ??= c.name;
        }
        continue;
      }
      if (c.state === 'running') running++;
      else if (c.state === 'paused') {
        running++; // frozen, still there: the instance runs, but is not ready
        paused ??= c.name;
      } else if (c.state === 'exited') {
        if (c.exitCode === 0) exited0++;
        else failed ??= { name: c.name, code: c.exitCode };
      } else anyCreating = true;
    }
    if (init?.failed) {
      const f = init.failed;
      const why =
        f.code === undefined
          ? `init container ${f.name} is gone${reason ? ` (${reason})` : ''}`
          : `init container ${f.name} exited with code ${f.code}${reason ? ` (${reason})` : ''}`;
      this.setStatus(inst, 'Failed', why, f.code);
    } else if (failed) {
      const why =
        failed.code === undefined
          ? `container ${failed.name} is gone${reason ? ` (${reason})` : ''}`
          : `container ${failed.name} exited with code ${failed.code}${reason ? ` (${reason})` : ''}`;
      this.setStatus(inst, 'Failed', why, failed.code);
    } else if (exited0 === n) {
      this.setStatus(inst, 'Succeeded', 'all containers exited with code 0', 0);
    } else if (exited0 > 0 && ws?.workload.kind === 'service' && !anyCreating && running + exited0 === n) {
      const first = inst.containers.find((c) => c.state === 'exited')!;
      this.setStatus(inst, 'Failed', `container ${first.name} exited with code 0; services keep running`, 0);
    } else if (running === n) {
      this.setStatus(inst, 'Running');
    } else if (!anyCreating && running + exited0 === n) {
      this.setStatus(inst, 'Running'); // a job whose remaining containers still run
    } else if (inst.status === 'Unknown') {
      this.setStatus(inst, 'Pending');
    }
    this.setReady(
      inst,
      inst.status !== 'Running' ? undefined : paused !== undefined ? `container ${paused} is paused` : sidecarDown !== undefined ? `sidecar ${sidecarDown} is not running` : undefined,
    );
    if (init !== undefined) this.advanceInit(inst);
  }

  /**
   * Marks a Running instance not ready (with the reason) or ready again, and records the change
   * (`instance.ready`). An instance that is no longer Running drops the mark without a record.
   */
  private setReady(inst: Instance, notReady: string | undefined): void {
    if (inst.notReady === notReady) return;
    if (notReady === undefined) delete inst.notReady;
    else inst.notReady = notReady;
    if (inst.status === 'Running') {
      this.d.recorder.record('instance.ready', {
        instance: inst.id,
        workload: inst.workloadName,
        ready: notReady === undefined,
        ...(notReady !== undefined ? { reason: notReady } : {}),
      });
    }
    this.syncEndpoints(inst); // a paused instance serves nothing: out of its workload's endpoints
    this.markDirty(inst.workloadId);
  }

  private setStatus(inst: Instance, status: InstanceStatus, reason?: string, exitCode?: number): void {
    if (inst.status === status) return;
    const now = this.d.clock.now();
    const from = inst.status;
    inst.status = status;
    inst.reason = reason;
    this.boundChanged(inst);
    if (status === 'Running' && inst.startedAt === undefined) {
      inst.startedAt = now;
      this.touchNode(inst.node);
    }
    if (exitCode !== undefined) inst.exitCode = exitCode;
    this.d.recorder.record('instance.status', {
      instance: inst.id,
      workload: inst.workloadName,
      from,
      to: status,
      ...(reason !== undefined ? { reason } : {}),
      ...(exitCode !== undefined ? { exitCode } : {}),
      ...(status === 'Running' && inst.ip !== undefined ? { ip: inst.ip } : {}),
    });
    this.syncEndpoints(inst);
    if (status === 'Succeeded' || status === 'Failed') {
      inst.finishedAt = now;
      this.touchNode(inst.node); // the scheduler sees it as ended (it no longer counts for its gang)
      this.onTerminal(inst, status);
    }
    this.markDirty(inst.workloadId);
  }

  /** Updates the slot's history when an instance ends, per the workload's restart policy. */
  private onTerminal(inst: Instance, status: 'Succeeded' | 'Failed'): void {
    const ws = this.workloads.get(inst.workloadId);
    if (!ws) return;
    const w = ws.workload;
    const now = this.d.clock.now();
    if (status === 'Failed') ws.failed++;
    else ws.succeeded++;
    // A stale copy whose slot was already refilled (its node was lost) does not count as a restart.
    const refilled = this.d.store
      .listInstances(w.id)
      .some((o) => o !== inst && o.slot === inst.slot && o.stopRequestedAt === undefined && LIVE.has(o.status));
    if (refilled) return;
    let slot = ws.slots.get(inst.slot);
    if (!slot) ws.slots.set(inst.slot, (slot = { failures: 0, lastFailureAt: 0, done: false }));
    const done =
      w.kind === 'job'
        ? status === 'Succeeded'
        : w.restartPolicy === 'Never' || (w.restartPolicy === 'OnFailure' && status === 'Succeeded');
    if (done) {
      slot.done = true;
      return;
    }
    if (w.kind === 'job') ws.jobFailures++;
    // Back-off: a run of at least backoffReset restarts the count.
    const ranFor = inst.startedAt !== undefined ? now - inst.startedAt : 0;
    slot.failures = ranFor >= this.d.config.backoffResetMs ? 1 : slot.failures + 1;
    slot.lastFailureAt = now;
    ws.restarts++;
    this.d.recorder.record('slot.failed', {
      workload: w.name,
      slot: inst.slot,
      failures: slot.failures,
      nextAttemptAt: now + backoffDelay(slot.failures, this.d.config),
    });
  }

  private onClusterEvent(e: ClusterEvent): void {
    switch (e.type) {
      case 'NodeAdded':
        this.addNode(e.node);
        this.spawn(this.initNode(e.node.id));
        break;
      case 'NodeRemoved': {
        const ns = this.nodes.get(e.nodeId);
        if (!ns) return;
        this.nodes.delete(e.nodeId);
        this.sortedViews = undefined;
        this.d.recorder.record('node.removed', { node: ns.node.name });
        if (this.adoption.forget(e.nodeId)) this.unlistedChanged();
        for (const id of ns.instances) {
          const inst = this.d.store.getInstance(id);
          if (inst) this.dirty.add(inst.workloadId);
        }
        this.queueReconcile();
        break;
      }
      case 'NodeUpdated': {
        const ns = this.nodes.get(e.node.id);
        if (!ns) return;
        ns.node = e.node;
        this.sortedViews = undefined;
        const to = e.node.status;
        if (e.previous === to) {
          // Not a status change (taints, cordon, capacity): no node.status record, no resync. An
          // uncordoned or grown Ready node may take what waits for capacity.
          if (e.node.taints !== ns.taints) this.taintEvictions.taintsChanged(ns);
          else if (to === 'Ready') this.capacityAppeared();
          break;
        }
        if (e.previous === 'Ready' && to !== 'Ready') ns.unreadySince = e.node.statusSince;
        this.d.recorder.record('node.status', { node: e.node.name, from: e.previous, to });
        // Its status decides how long the slots held for it wait; Ready: the resync below adopts it.
        if (this.adoption.unlisted.has(e.node.id)) this.unlistedChanged();
        if (to === 'Ready') {
          for (const id of ns.instances) {
            const inst = this.d.store.getInstance(id);
            if (inst) {
              this.refreshStatus(inst);
              this.dirty.add(inst.workloadId);
            }
          }
          this.spawn(this.adoption.resyncNode(e.node.id));
          this.capacityAppeared();
        } else {
          // Gang members waiting here give their reservation up: they would bind to a lost node.
          for (const id of [...ns.instances]) {
            const inst = this.d.store.getInstance(id);
            if (inst?.waitingSince === undefined) continue;
            this.gangs.leave(inst);
            inst.lastAttemptEpoch = undefined;
            this.unreserve(inst, `node ${e.node.name} is ${to}`);
          }
          for (const id of ns.instances) {
            const inst = this.d.store.getInstance(id);
            if (inst && inst.stopRequestedAt === undefined && LIVE.has(inst.status)) this.setStatus(inst, 'Unknown', `node ${e.node.name} is ${to}`);
          }
          // Eviction: the reconciler replaces these instances once their tolerations run out.
          this.taintEvictions.arm(ns, undefined, true);
        }
        break;
      }
      default:
        assertNever(e, 'cluster event');
    }
  }

  private addNode(node: Node): void {
    if (this.nodes.has(node.id)) return;
    const instances = new BoundSet();
    const ns: NodeState = {
      node,
      allocated: tally(),
      instanceCount: 0,
      instances,
      version: 0,
      unreadySince: node.status === 'Ready' ? 0 : node.statusSince,
      taints: node.taints,
    };
    // NodeView.bound, computed when a scheduler asks (placement plugins; round-robin never does).
    Object.defineProperty(ns, 'bound', { enumerable: false, get: () => this.boundOn(instances) });
    Object.defineProperty(ns, 'boundChanges', { enumerable: false, value: (reader: object) => instances.changesFor(reader, (id) => this.boundEntry(instances, id), () => this.boundOn(instances)) });
    this.nodes.set(node.id, ns);
    this.sortedViews = undefined;
    this.d.recorder.record('node.added', {
      node: node.name,
      status: node.status,
      capacity: node.capacity,
      allocatable: node.allocatable,
      unschedulable: node.unschedulable,
      ...(node.gpus ? { gpus: node.gpus } : {}),
      ...(node.podCidr !== undefined ? { podCidr: node.podCidr } : {}),
    });
    if (node.status === 'Ready') this.capacityAppeared();
  }

  /** What the node's instances look like to the scheduler changed (NodeView.version). */
  private touchNode(id: NodeId | undefined): void {
    const ns = id === undefined ? undefined : this.nodes.get(id);
    if (ns) ns.version++;
  }

  /**
   * The node's bound instances, in the order they joined it. Computed from the last list handed
   * out and what changed since (BoundSet), so a scheduler re-reading a changed node costs
   * O(changes), not O(instances on the node); an instance whose scheduler-visible fields did not
   * change gets the same BoundInstance object again (schedulers tell unchanged ones by identity).
   */
  private boundOn(ids: BoundSet): BoundInstance[] {
    // Sized once (a scheduler re-reads thousands of nodes a second under load; growing the list
    // by push allocated about three times its size), trimmed when an entry is missing.
    const out = new Array<BoundInstance>(ids.size);
    let n = 0;
    let complete = true;
    const last = ids.last;
    if (last === undefined) {
      for (const id of ids) {
        const b = this.boundEntry(ids, id);
        if (b) out[n++] = b;
        else complete = false;
      }
    } else {
      const removed = ids.removed.size > 0;
      const changed = ids.changed.size > 0;
      for (const b of last) {
        if (removed && ids.removed.has(b.id)) continue;
        if (changed && ids.changed.has(b.id)) {
          const c = this.boundEntry(ids, b.id);
          if (c) out[n++] = c;
          else complete = false;
        } else out[n++] = b;
      }
      for (const id of ids.added)
        if (ids.has(id)) {
          const c = this.boundEntry(ids, id);
          if (c) out[n++] = c;
          else complete = false;
        }
    }
    if (n !== out.length) out.length = n;
    ids.settle(complete ? out : undefined);
    return out;
  }

  /** One bound instance (undefined while its record, workload or request is missing). */
  private boundEntry(ids: BoundSet, id: string): BoundInstance | undefined {
    let e = ids.known.get(id);
    if (e === undefined) {
      const inst = this.d.store.getInstance(id);
      const ws = inst && this.workloads.get(inst.workloadId);
      const request = this.instanceRequest.get(id);
      if (!inst || !ws || !request) return undefined;
      ids.known.set(id, (e = { inst, ws, request }));
    }
    const { inst, ws, request } = e;
    const terminating = inst.stopRequestedAt !== undefined || inst.status === 'Succeeded' || inst.status === 'Failed';
    let b = e.bound;
    if (b === undefined || b.workload !== ws.workload || b.startedAt !== inst.startedAt || (b.terminating === true) !== terminating || b.gpus !== inst.gpus) {
      b = {
        id,
        workload: ws.workload,
        request,
        ...(inst.startedAt !== undefined ? { startedAt: inst.startedAt } : {}),
        ...(terminating ? { terminating: true } : {}),
        ...(inst.gpus !== undefined ? { gpus: inst.gpus } : {}),
      };
      e.bound = b;
    }
    return b;
  }

  /** The instance's bound fields (start, stop, end, workload) may have changed: its node's list re-reads it. */
  private boundChanged(inst: Instance): void {
    const ns = inst.node === undefined ? undefined : this.nodes.get(inst.node);
    (ns?.instances as BoundSet | undefined)?.touch(inst.id);
  }

  /**
   * NodeView.bound of a node computed from scratch, without BoundSet's memory (tests check the
   * incremental list against it). Undefined for an unknown node.
   */
  recomputeBound(nodeId: NodeId): BoundInstance[] | undefined {
    const ns = this.nodes.get(nodeId);
    if (!ns) return undefined;
    const out: BoundInstance[] = [];
    for (const id of ns.instances) {
      const inst = this.d.store.getInstance(id);
      const ws = inst && this.workloads.get(inst.workloadId);
      const request = this.instanceRequest.get(id);
      if (!inst || !ws || !request) continue;
      out.push({
        id,
        workload: ws.workload,
        request,
        ...(inst.startedAt !== undefined ? { startedAt: inst.startedAt } : {}),
        ...(inst.stopRequestedAt !== undefined || inst.status === 'Succeeded' || inst.status === 'Failed' ? { terminating: true } : {}),
        ...(inst.gpus !== undefined ? { gpus: inst.gpus } : {}),
      });
    }
    return out;
  }

  private async initNode(id: NodeId): Promise<void> {
    try {
      await this.d.runtime.initNode(id);
    } catch (e) {
      if (!(e instanceof OrchestrationError)) throw e;
      this.d.recorder.record('node.init_failed', { node: this.nodeName(id), error: e.message });
    }
  }

  // -------------------------------------------------------------------------------------------

  private nodeReady(id: NodeId | undefined): boolean {
    return nodeReady(this.records, id);
  }

  private nodeName(id: NodeId | undefined): string | undefined {
    return nodeName(this.records, id);
  }

  private spawn(p: Promise<unknown>): void {
    p.catch((e) => this.d.onError(e));
  }
}
