/**
 * Several control-plane replicas inside one simulation (issue #14, `controlPlane.replicas`): each
 * replica campaigns for leadership on the simulated consistent store (backends/sim/sim-kv.ts) with
 * the same election and fencing code as `slipway serve --state etcd://` (src/store). The leader
 * runs the real Orchestrator; followers keep a view of the desired state fed by a watch.
 *
 * - **Desired state lives in the store** (`/slipway/v1/workloads/NAME`, JSON): the scenario's
 *   submissions and operations are the user's API writes (client `api`), whichever replica leads.
 * - **Takeover.** A new leader lists the workloads from the store (at a revision after its win),
 *   builds a fresh Orchestrator on them and starts it with adoption, so it continues what the
 *   previous leader left running (rollouts included) instead of starting again.
 * - **Every action on the cluster is fenced.** Before creating, stopping or removing a container
 *   the leader writes its intent (`/slipway/v1/instances/ID/NAME`, `/slipway/v1/stops/ID`) in one
 *   transaction conditioned on the leader key's create revision (src/store/fencing.ts), and checks
 *   its local lease deadline again when the answer arrives. A refused write deposes the replica.
 * - **Processes can crash, pause and be cut off.** Each replica runs behind a gate: while paused
 *   (GC pause, SIGSTOP) nothing it would run runs — timers, store answers, watch events, container
 *   events are held and run at resume, late; a crashed replica's pending work is dropped and its
 *   lease expires on its own; a restarted one starts as a follower.
 */
import type { SimCluster } from '../../backends/sim/sim-cluster.js';
import { SimKvStore } from '../../backends/sim/sim-kv.js';
import { OrchestrationError } from '../core/errors.js';
import type {
  ClusterManager,
  Clock,
  ContainerRuntime,
  ContainerStatus,
  CreateContainerOptions,
  Recorder,
  Scheduler,
} from '../core/interfaces.js';
import { Orchestrator, type OrchestratorConfig } from '../core/orchestrator.js';
import type { reconcile } from '../core/reconciler.js';
import { InMemoryStateStore } from '../core/state-store.js';
import type { ContainerSpec, Workload } from '../core/types.js';
import { SeededIds } from '../engine/ids.js';
import type { Simulation } from '../engine/simulation.js';
import type { HaConfig } from '../scenario/types.js';
import type { PodDisruptionBudget } from '../core/disruption-budget.js';
import { Election, type ElectionConfig, type ElectionDeps, type Term } from '../store/election.js';
import { FencedWriter, type FencedWrite } from '../store/fencing.js';
import { StoreUnavailableError, type ConsistentKv, type KvEvent } from '../store/kv.js';

export const LEADER_KEY = '/slipway/v1/leader';
export const WORKLOAD_PREFIX = '/slipway/v1/workloads/';
export const INSTANCE_PREFIX = '/slipway/v1/instances/';
export const STOP_PREFIX = '/slipway/v1/stops/';

/** Control-plane variants for planted-bug tests (the real code uses none). */
export interface ReplicaVariant {
  /** false: fenced writes lose their leader compare (src/store/fencing.ts `FencedWriter`). */
  readonly fencing?: boolean;
  /** Builds each replica's election (a planted one may mishandle its lease). */
  readonly election?: (deps: ElectionDeps, config: ElectionConfig) => Election;
  /** A new leader acts on its own watch-fed view, without listing the store or adopting running containers. */
  readonly staleView?: boolean;
}

/** What the checks hear from the replicas. */
export interface ReplicaObserver {
  /** The store committed `key`, written by `replica` under `term`; the leader key's create revision then (0 = absent). */
  onWrite(replica: string, term: number, leaderRevision: number, revision: number, key: string): void;
  /** The store committed `replica`'s put of the leader key over `holder`'s (created at `holderRevision`). */
  onLeaderOverwrite(replica: string, revision: number, holder: string, holderRevision: number): void;
  /** `replica` acts on the cluster under `term`. */
  onAct(replica: string, term: number, what: string): void;
}

export interface SimReplicasDeps {
  readonly sim: Simulation;
  readonly cluster: SimCluster;
  readonly recorder: Recorder;
  readonly ha: HaConfig;
  readonly config: OrchestratorConfig;
  /** A scheduler for a new leader's Orchestrator. */
  readonly scheduler: (replica: string, term: number) => Scheduler;
  readonly reconcile?: typeof reconcile;
  /** The scenario's PodDisruptionBudgets, for every replica's Orchestrator. */
  readonly disruptionBudgets?: readonly PodDisruptionBudget[];
  readonly variant?: ReplicaVariant;
}

/** Holds a paused replica's work until it resumes; drops a crashed one's. */
class Gate {
  paused = 0;
  dead = false;
  private held: Array<() => void> = [];
  constructor(
    private readonly sim: Simulation,
    /** A term's gate sits inside its replica's: dead when the term ends, paused with the process. */
    private readonly parent?: Gate,
  ) {}

  run(fn: () => void): void {
    if (this.dead) return;
    const parent = this.parent;
    if (parent) {
      // The common case (a term's gate inside a replica that is neither paused nor dead) runs `fn`
      // now, as the general path would, without a closure per timer, answer and event.
      if (!parent.dead && parent.paused === 0 && parent.parent === undefined) return void fn();
      return parent.run(() => this.dead || fn());
    }
    if (this.paused > 0) this.held.push(fn);
    else fn();
  }

  /** A gate for work that must stop when something ends (a term), inside this one. */
  child(): Gate {
    return new Gate(this.sim, this);
  }

  resume(): void {
    if (this.paused === 0 || --this.paused > 0 || this.dead) return;
    const held = this.held.splice(0);
    this.sim.deliver(() => {
      for (const fn of held) this.run(fn);
    });
  }

  /** A promise settled outside the replica, seen inside it. */
  wrap<T>(p: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) =>
      p.then(
        (v) => this.run(() => resolve(v)),
        (e: unknown) => this.run(() => reject(e)),
      ),
    );
  }

  clock(): Clock {
    const sim = this.sim;
    return {
      now: () => sim.now(),
      setTimer: (ms, fn) => sim.setTimer(ms, () => this.run(fn)),
      sleep: (ms) => new Promise<void>((resolve) => sim.setTimer(ms, () => this.run(resolve))),
    };
  }

  kv(inner: ConsistentKv): ConsistentKv {
    return {
      get: (k) => this.wrap(inner.get(k)),
      range: (p) => this.wrap(inner.range(p)),
      txn: (t) => this.wrap(inner.txn(t)),
      leaseGrant: (ttl) => this.wrap(inner.leaseGrant(ttl)),
      leaseKeepAlive: (l) => this.wrap(inner.leaseKeepAlive(l)),
      leaseRevoke: (l) => this.wrap(inner.leaseRevoke(l)),
      watch: (prefix, from, h) =>
        inner.watch(prefix, from, {
          onEvents: (events, rev) => this.run(() => h.onEvents(events, rev)),
          onError: (e) => this.run(() => h.onError(e)),
        }),
      close: () => inner.close(),
    };
  }
}

const notLeader = (replica: string, why: string) => new OrchestrationError('State', `${replica} may not act: ${why}`);

/** One control-plane replica. */
export class Replica {
  readonly name: string;
  private gate: Gate;
  private kv: ConsistentKv;
  private election: Election | undefined;
  private writer: FencedWriter;
  /** Desired state as the replica's watch shows it. */
  readonly view = new Map<string, Workload>();
  private stopView: (() => void) | undefined;
  private orch: Orchestrator | undefined;
  private orchStore: InMemoryStateStore | undefined;
  private term: Term | undefined;
  private leadEpoch = 0;
  private restarts = 0;
  up = false;

  constructor(
    private readonly owner: SimReplicas,
    private readonly d: SimReplicasDeps,
    index: number,
  ) {
    this.name = `cp-${index}`;
    this.gate = new Gate(d.sim);
    this.kv = this.gate.kv(owner.store.client(this.name));
    this.writer = new FencedWriter(this.kv, LEADER_KEY, d.variant?.fencing ?? true);
  }

  /** The Orchestrator while this replica leads (and is not paused or crashed). */
  get orchestrator(): Orchestrator | undefined {
    return this.orch;
  }
  get store(): InMemoryStateStore | undefined {
    return this.orchStore;
  }
  get paused(): boolean {
    return this.gate.paused > 0;
  }
  /** The term it believes it holds. */
  get currentTerm(): Term | undefined {
    return this.term;
  }

  start(): void {
    this.up = true;
    const deps: ElectionDeps = { kv: this.kv, clock: this.gate.clock() };
    const config: ElectionConfig = {
      key: LEADER_KEY,
      candidate: this.name,
      ttlSeconds: this.d.ha.ttlMs / 1000,
      ...(this.d.ha.keepAliveMs !== undefined ? { keepAliveMs: this.d.ha.keepAliveMs } : {}),
      ...(this.d.ha.safetyMarginMs !== undefined ? { safetyMarginMs: this.d.ha.safetyMarginMs } : {}),
    };
    const election = this.d.variant?.election ? this.d.variant.election(deps, config) : new Election(deps, config);
    this.election = election;
    election.listen({
      onElected: (term) => this.lead(term),
      onDeposed: (term, reason, detail) => this.stepDown(term, reason, detail),
    });
    this.follow();
    void election.campaign();
  }

  /** kill -9: everything in flight is lost; the lease expires at the store on its own. */
  crash(): boolean {
    if (!this.up) return false;
    const term = this.term;
    this.up = false;
    this.gate.dead = true;
    this.election?.stop();
    this.stopView?.();
    if (term) this.stepDown(term, 'crashed', 'the process was killed');
    return true;
  }

  restart(): boolean {
    if (this.up) return false;
    this.restarts++;
    this.gate = new Gate(this.d.sim);
    this.kv = this.gate.kv(this.owner.store.client(this.name));
    this.writer = new FencedWriter(this.kv, LEADER_KEY, this.d.variant?.fencing ?? true);
    this.view.clear();
    this.start();
    return true;
  }

  pause(): boolean {
    if (!this.up) return false;
    this.gate.paused++;
    return true;
  }

  resume(): void {
    this.gate.resume();
  }

  /** May this replica act on the cluster under `term` right now? (checked right before every action) */
  mayAct(term: Term): boolean {
    return this.up && this.gate.paused === 0 && this.term === term && this.election?.isLeader() === true && this.election.term() === term;
  }

  // -------------------------------------------------------------------------------------------

  /** Follows the desired state: list, then watch from the list's revision; relist when the watch breaks. */
  private follow(): void {
    const gate = this.gate;
    const clock = gate.clock();
    const relist = (): void => {
      if (gate.dead) return;
      this.kv.range(WORKLOAD_PREFIX).then(
        (list) => {
          this.view.clear();
          for (const e of list.entries) this.view.set(e.key.slice(WORKLOAD_PREFIX.length), JSON.parse(e.value) as Workload);
          this.stopView = this.kv.watch(WORKLOAD_PREFIX, list.revision + 1, {
            onEvents: (events) => this.onDesired(events),
            onError: () => clock.setTimer(this.d.ha.requestTimeoutMs, relist),
          });
        },
        () => clock.setTimer(this.d.ha.requestTimeoutMs, relist),
      );
    };
    relist();
  }

  private onDesired(events: readonly KvEvent[]): void {
    for (const e of events) {
      const name = e.key.slice(WORKLOAD_PREFIX.length);
      if (e.type === 'put') this.view.set(name, JSON.parse(e.value!) as Workload);
      else this.view.delete(name);
    }
  }

  /** Won `term`: rebuild the view from the store, adopt what runs, then run the Orchestrator. */
  private lead(term: Term): void {
    this.term = term;
    const epoch = ++this.leadEpoch;
    this.d.recorder.record('cp.elected', { replica: this.name, term: term.revision });
    const gate = this.gate.child();
    this.termGate = gate;
    const leading = () => this.up && this.leadEpoch === epoch && this.term === term;
    const build = (workloads: readonly Workload[], revision: number) => {
      if (!leading()) return;
      const store = new InMemoryStateStore();
      for (const w of workloads) store.putWorkload(w);
      const recorder: Recorder = {
        record: (type, fields) => {
          if (this.orch === orch && leading()) this.d.recorder.record(type, fields);
        },
      };
      const orch: Orchestrator = new Orchestrator({
        clock: gate.clock(),
        runtime: new FencedRuntime(this, term, this.d.cluster, gate),
        cluster: gatedManager(this.d.cluster.manager, gate),
        scheduler: this.d.scheduler(this.name, term.revision),
        store,
        ids: new SeededIds(this.d.sim.random.stream(`ids.instance.${this.name}.${term.revision}`), 5),
        recorder,
        config: this.d.config,
        onError: (e) => this.d.sim.fail(e),
        ...(this.d.reconcile ? { reconcile: this.d.reconcile } : {}),
        ...(this.d.disruptionBudgets ? { disruptionBudgets: this.d.disruptionBudgets } : {}),
      });
      this.orch = orch;
      this.orchStore = store;
      this.owner.leaderChanged(this);
      this.d.recorder.record('cp.takeover', { replica: this.name, term: term.revision, revision, workloads: workloads.length });
      // Desired-state changes from here on reach the Orchestrator; a broken watch relists and
      // applies the differences (the local lease deadline keeps acting safe meanwhile).
      const apply = (name: string, w: Workload | undefined) => {
        const st = orch.status(name);
        if (w === undefined) {
          if (st && !st.deleted) orch.delete(name);
          return;
        }
        const mine = orch.getWorkload(name);
        if (!mine || (st && st.deleted) || JSON.stringify(mine) !== JSON.stringify(w)) orch.apply(w);
      };
      const watchFrom = (from: number) => {
        this.stopLeaderWatch = this.kv.watch(WORKLOAD_PREFIX, from, {
          onEvents: (events) => {
            if (this.orch !== orch || !leading()) return;
            for (const e of events) apply(e.key.slice(WORKLOAD_PREFIX.length), e.type === 'put' ? (JSON.parse(e.value!) as Workload) : undefined);
          },
          onError: () => {
            if (this.orch === orch && leading()) gate.clock().setTimer(this.d.ha.requestTimeoutMs / 4, relist);
          },
        });
      };
      const relist = () => {
        if (this.orch !== orch || !leading()) return;
        this.kv.range(WORKLOAD_PREFIX).then(
          (r) => {
            if (this.orch !== orch || !leading()) return;
            const listed = new Map(r.entries.map((e) => [e.key.slice(WORKLOAD_PREFIX.length), JSON.parse(e.value) as Workload]));
            for (const st of orch.statuses()) if (!listed.has(st.name)) apply(st.name, undefined);
            for (const [name, w] of listed) apply(name, w);
            watchFrom(r.revision + 1);
          },
          () => gate.clock().setTimer(this.d.ha.requestTimeoutMs / 4, relist),
        );
      };
      watchFrom(revision + 1);
      void orch.start({ adopt: this.d.variant?.staleView !== true }).catch((e: unknown) => this.d.sim.fail(e));
    };
    if (this.d.variant?.staleView) {
      // The planted bug: what this replica knew when it last led (or its watch view), no fresh list.
      const known = this.lastLed ?? [...this.view.values()];
      build(known, this.owner.store.revision);
      return;
    }
    const list = () => {
      if (!leading()) return;
      this.kv.range(WORKLOAD_PREFIX).then(
        (r) => build(r.entries.map((e) => JSON.parse(e.value) as Workload), r.revision),
        () => gate.clock().setTimer(this.d.ha.requestTimeoutMs / 4, list),
      );
    };
    list();
  }

  private stopLeaderWatch: (() => void) | undefined;
  private termGate: Gate | undefined;
  /** The desired state as this replica's Orchestrator had it when its last term ended. */
  private lastLed: Workload[] | undefined;

  private stepDown(term: Term, reason: string, detail: string): void {
    if (this.term !== term) return;
    this.term = undefined;
    this.leadEpoch++;
    this.stopLeaderWatch?.();
    this.stopLeaderWatch = undefined;
    if (this.orch) this.lastLed = this.orch.statuses().filter((st) => !st.deleted).map((st) => this.orch!.getWorkload(st.name)!).filter((w) => w !== undefined);
    this.orch?.shutdown();
    this.orch = undefined;
    // The term's pending work (timers, answers, events of its Orchestrator) is dropped.
    if (this.termGate) this.termGate.dead = true;
    this.termGate = undefined;
    this.d.recorder.record('cp.deposed', { replica: this.name, term: term.revision, reason, detail });
    this.owner.leaderChanged(this);
    // Campaign again after a pause (the election is idle once it stepped down).
    if (this.up) {
      const election = this.election;
      this.gate.clock().setTimer(election?.retryMs ?? 1000, () => {
        if (this.up && this.election === election) void election?.campaign().catch(() => {});
      });
    }
  }

  /** Writes the intent of an action under fencing; throws (and steps down when fenced) if it may not act. */
  async fence(term: Term, writes: readonly FencedWrite[], what: string): Promise<void> {
    if (!this.mayAct(term)) throw notLeader(this.name, 'not the leader');
    let r;
    try {
      r = await this.writer.write(term, writes, (txn) => this.owner.expect(txn, this.name, term.revision));
    } catch (e) {
      if (e instanceof StoreUnavailableError) throw notLeader(this.name, `the store is unreachable (${e.message})`);
      throw e;
    }
    if (!r.ok && r.reason === 'fenced') {
      this.d.recorder.record('cp.fenced', { replica: this.name, term: term.revision, key: writes[0].key });
      this.election?.deposed(term, 'fenced', `write of ${writes[0].key} refused`);
      throw notLeader(this.name, 'fenced');
    }
    if (!this.mayAct(term)) throw notLeader(this.name, 'lost leadership while writing');
    this.owner.acted(this.name, term.revision, what);
  }
}

/** The cluster as a leader's Orchestrator sees it: every action fenced, every answer gated. */
class FencedRuntime implements ContainerRuntime {
  constructor(
    private readonly replica: Replica,
    private readonly term: Term,
    private readonly inner: SimCluster,
    private readonly gate: Gate,
  ) {}
  initNode(nodeId: string): Promise<void> {
    return this.gate.wrap(this.inner.initNode(nodeId));
  }
  async createContainer(spec: ContainerSpec, options: CreateContainerOptions): Promise<string> {
    const value = JSON.stringify({ node: options.nodeId, workload: options.workloadId, slot: options.labels['slipway.slot'], term: this.term.revision });
    await this.replica.fence(this.term, [{ key: `${INSTANCE_PREFIX}${options.instanceId}/${spec.name}`, value }], `creates ${options.instanceId}/${spec.name}`);
    // Object.assign, not `{ ...options.labels, k: v }`: V8 gives every object spread from a
    // spread-built literal (the Orchestrator's labels) a hidden class of its own, so 20,000
    // containers had 20,000 shapes, and every label read on them (the invariants' scans, adoption)
    // went megamorphic (the 1,000-node hour with replicas: +1 s of CPU). Same keys, same order.
    const labels: Record<string, string> = Object.assign({}, options.labels, { 'slipway.term': String(this.term.revision) });
    return this.gate.wrap(this.inner.createContainer(spec, { ...options, labels }));
  }
  async stopContainer(id: string): Promise<void> {
    await this.replica.fence(this.term, [{ key: `${STOP_PREFIX}${id}`, value: JSON.stringify({ term: this.term.revision }) }], `stops ${id}`);
    return this.gate.wrap(this.inner.stopContainer(id));
  }
  async removeContainer(id: string): Promise<void> {
    await this.replica.fence(this.term, [{ key: `${STOP_PREFIX}${id}` }], `removes ${id}`);
    return this.gate.wrap(this.inner.removeContainer(id));
  }
  getContainerStatus(id: string): Promise<ContainerStatus> {
    return this.gate.wrap(this.inner.getContainerStatus(id));
  }
  listContainers(nodeId: string): Promise<ContainerStatus[]> {
    return this.gate.wrap(this.inner.listContainers(nodeId));
  }
  watch(listener: Parameters<ContainerRuntime['watch']>[0]): () => void {
    return this.inner.watch((e) => this.gate.run(() => listener(e)));
  }
}

function gatedManager(inner: ClusterManager, gate: Gate): ClusterManager {
  return {
    initialize: () => gate.wrap(inner.initialize()),
    getNode: (id) => inner.getNode(id),
    listNodes: () => inner.listNodes(),
    subscribe: (l) => inner.subscribe((e) => gate.run(() => l(e))),
  };
}

/** The replicas, the store they share and the user's API client. */
export class SimReplicas {
  readonly store: SimKvStore;
  readonly replicas: readonly Replica[];
  private readonly api: ConsistentKv;
  private readonly writers = new WeakMap<object, { replica: string; term: number }>();
  private last: Replica | undefined;
  observer: ReplicaObserver | undefined;
  /** Leaders elected, in order (failover figures). */
  readonly history: Array<{ replica: string; term: number; at: number; event: 'elected' | 'deposed' }> = [];

  constructor(private readonly d: SimReplicasDeps) {
    this.store = new SimKvStore(d.sim, { latency: d.ha.latency, requestTimeoutMs: d.ha.requestTimeoutMs, retainRevisions: 10_000 });
    this.api = this.store.client('api');
    this.replicas = Array.from({ length: d.ha.replicas }, (_, i) => new Replica(this, d, i));
    this.store.onCommit = (c) => {
      if (!c.txn) return;
      // The election only creates the leader key while it is absent; a put over an existing one
      // takes the lead without an election.
      if (c.events.some((e) => e.key === LEADER_KEY && e.type === 'put')) {
        const held = c.before(LEADER_KEY);
        if (held) this.observer?.onLeaderOverwrite(c.client, c.revision, held.value, held.createRevision);
      }
      const w = this.writers.get(c.txn);
      if (!w) return;
      const key = c.events[0]?.key ?? '';
      this.observer?.onWrite(w.replica, w.term, c.before(LEADER_KEY)?.createRevision ?? 0, c.revision, key);
    };
  }

  start(): void {
    for (const r of this.replicas) r.start();
  }

  /** The replica leading now (its Orchestrator running), if any. */
  leader(): Replica | undefined {
    return this.replicas.find((r) => r.orchestrator !== undefined && r.up && !r.paused);
  }

  /** The Orchestrator that leads now, or the last one that did (for checks and summaries). */
  orchestrator(): Orchestrator | undefined {
    return (this.leader() ?? this.last)?.orchestrator ?? this.lastOrchestrator;
  }
  store_(): InMemoryStateStore | undefined {
    return (this.leader() ?? this.last)?.store ?? this.lastStore;
  }
  private lastOrchestrator: Orchestrator | undefined;
  private lastStore: InMemoryStateStore | undefined;

  /** @internal */
  leaderChanged(r: Replica): void {
    const t = r.currentTerm;
    if (r.orchestrator) {
      this.last = r;
      this.lastOrchestrator = r.orchestrator;
      this.lastStore = r.store;
      if (t) this.history.push({ replica: r.name, term: t.revision, at: this.d.sim.now(), event: 'elected' });
    } else {
      this.history.push({ replica: r.name, term: 0, at: this.d.sim.now(), event: 'deposed' });
    }
  }

  /** @internal a fenced write's transaction, so its commit can be checked against its term */
  expect(txn: object, replica: string, term: number): void {
    this.writers.set(txn, { replica, term });
  }

  /** @internal */
  acted(replica: string, term: number, what: string): void {
    this.observer?.onAct(replica, term, what);
  }

  replica(name: string): Replica | undefined {
    return this.replicas.find((r) => r.name === name);
  }

  /** `leader` → the replica that leads now (else the last that led, else the first); a replica's name → itself. */
  resolve(name: string): string | undefined {
    if (name === 'leader') return (this.leader() ?? this.last ?? this.replicas[0]).name;
    return this.replica(name)?.name;
  }

  /** Desired state before the run (a snapshot's workloads): written straight into the store. */
  seed(w: Workload): void {
    this.store.doTxn('api', { compare: [], success: [{ type: 'put', key: `${WORKLOAD_PREFIX}${w.id}`, value: JSON.stringify(w) }] });
  }

  /**
   * Liveness after heal: a replica leads, and its Orchestrator acts on the store's desired state
   * (every workload in the store, at its generation and scale; none the store no longer has).
   */
  livenessFailures(): string[] {
    const leader = this.leader();
    if (!leader) return [`no control-plane replica leads at the end (${this.replicas.filter((r) => r.up).length} of ${this.replicas.length} up)`];
    const orch = leader.orchestrator!;
    const out: string[] = [];
    const stored = new Map<string, Workload>();
    for (const e of this.store.doRange(WORKLOAD_PREFIX).entries) stored.set(e.key.slice(WORKLOAD_PREFIX.length), JSON.parse(e.value) as Workload);
    for (const [name, w] of stored) {
      const st = orch.status(name);
      const mine = orch.getWorkload(name);
      if (!st || st.deleted || !mine) out.push(`${leader.name} does not run workload ${name}, which the store holds`);
      else if (mine.generation !== w.generation || mine.replicas !== w.replicas)
        out.push(`${leader.name} runs ${name} at generation ${mine.generation} × ${mine.replicas}, the store says generation ${w.generation} × ${w.replicas}`);
    }
    for (const st of orch.statuses()) if (!st.deleted && !stored.has(st.name)) out.push(`${leader.name} still runs workload ${st.name}, which the store no longer holds`);
    return out;
  }

  // -------------------------------------------------------------------------------------------
  // The user's API: desired state written to the store, retried while the store is unreachable.
  // -------------------------------------------------------------------------------------------

  /**
   * Changes workload `name` in the store: `change` gets the stored workload (undefined when
   * absent) and returns the new one, `null` to delete it, or undefined to leave it. Resolves with
   * whether anything was written.
   */
  async write(name: string, change: (w: Workload | undefined) => Workload | null | undefined): Promise<boolean> {
    const key = `${WORKLOAD_PREFIX}${name}`;
    for (let attempt = 0; attempt < 100; attempt++) {
      try {
        const cur = await this.api.get(key);
        const next = change(cur ? (JSON.parse(cur.value) as Workload) : undefined);
        if (next === undefined) return false;
        const r = await this.api.txn({
          compare: [{ key, target: 'mod', op: '=', value: cur?.modRevision ?? 0 }],
          success: [next === null ? { type: 'delete', key } : { type: 'put', key, value: JSON.stringify(next) }],
        });
        if (r.succeeded) return true;
      } catch (e) {
        if (!(e instanceof StoreUnavailableError)) throw e;
        await this.d.sim.sleep(this.d.ha.requestTimeoutMs);
      }
    }
    return false;
  }
}
