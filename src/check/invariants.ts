/**
 * Safety invariants, checked after every engine event of a simulated run (and on the trace
 * records that carry decisions). A violation stops the run; the message names the invariant,
 * the engine event's sequence number and the virtual time, and the caller adds the seed and the
 * command that replays it.
 *
 * Checked at the decision (from trace records):
 * - capacity: after a placement, the control plane's allocation on the node is within its
 *   allocatable (cpu, memory, disk, every extended resource);
 * - ready-node: a placement goes only to a node that is Ready (not NotReady, Unknown or Down)
 *   at the moment of the decision;
 * - back-off: a replacement for a failed instance is not made before the slot's back-off ends
 *   (the `nextAttemptAt` the control plane recorded when the slot failed);
 * - no silent drop: a workload is forgotten only after the user deleted it;
 * - gang (all-or-nothing): after every engine event in which a member of a gang was bound, no
 *   member of that gang is still waiting (reserved) and at least `minMember` of its members are
 *   bound (on a node, live, not asked to stop), unless a member of it ended in that same event
 *   (a stop, a failure or success, its node leaving). Below minMember a gang only falls by
 *   members ending, never by binding.
 *
 * Checked on ground truth (the simulated nodes), with a settle window, because the control plane
 * needs time to observe and act (a stop takes a round trip and the stop latency):
 * - surge: on nodes the control plane can reach and sees Ready, a workload never runs more
 *   instances than its replicas (plus maxSurge while an outdated instance runs, i.e. during a
 *   rolling update) for longer than `settleMs`;
 * - orphans: on such nodes, no container lacks an owning live record (an instance the control
 *   plane tracks on that node) for longer than `settleMs`.
 *
 * Cost: the ground-truth checks run only when a container changed state or a decision was
 * recorded since the last check, at most once per `sampleMs` of virtual time, or when a
 * pending deadline passes. `sampleMs` defaults to 10 ms per node, between 1 s and 10 s: a scan
 * visits every container, so a bigger cluster is scanned less often and the total cost stays
 * linear in its size (a 1,000-node hour: 360 scans instead of 3,600); heartbeats and timers cost a comparison or two. Sampling loses nothing:
 * these conditions are violations only after lasting the settle window (minutes). The decision
 * checks (capacity, ready-node, back-off, dropped workload) run on every decision.
 */
import type { Orchestrator } from '../core/orchestrator.js';
import type { Resources } from '../core/resources.js';
import type { StateStore } from '../core/interfaces.js';
import type { ContainerState, Node, NodeId } from '../core/types.js';
import type { Simulation } from '../engine/simulation.js';
import type { TraceEvent } from '../core/trace-events.js';
import type { HaInvariant } from './ha-invariants.js';

export interface InvariantViolation {
  readonly invariant: 'capacity' | 'ready-node' | 'backoff' | 'dropped-workload' | 'surge' | 'orphan' | 'gang' | HaInvariant;
  readonly message: string;
  /** Engine event sequence number (1-based) after which it was detected. */
  readonly event: number;
  /** Virtual time (ms). */
  readonly t: number;
}

/**
 * What the invariants read of the simulated cluster's ground truth: the nodes as they really are
 * (up, frozen, their containers), the network's cuts, and the cluster manager's view. backends/sim's
 * SimCluster is one; declared here so that checks stay below the backends.
 */
export interface GroundTruthCluster {
  /** Bumped whenever the ground truth changes (skips rescans of an unchanged cluster). */
  readonly version: number;
  readonly nodeCount: number;
  readonly manager: { getNode(id: NodeId): Node | undefined };
  readonly network: { isCut(nodeId: NodeId, direction: 'up' | 'down'): boolean; isDegraded(nodeId: NodeId): boolean };
  /** Every node, in a stable order. */
  sortedNodes(): readonly GroundTruthNode[];
}

export interface GroundTruthNode {
  readonly id: NodeId;
  readonly up: boolean;
  /** Frozen (a pause fault): more than 0 while it does not act. */
  readonly frozen: number;
  readonly containers: ReadonlyMap<
    string,
    {
      readonly id: string;
      readonly name: string;
      readonly instanceId: string;
      readonly workloadId: string;
      readonly state: ContainerState;
      readonly labels: Readonly<Record<string, string>>;
    }
  >;
}

export interface InvariantWorld {
  readonly sim: Simulation;
  readonly cluster: GroundTruthCluster;
  readonly orchestrator: Orchestrator;
  readonly store: StateStore;
  /**
   * With replicas: whether some replica can act on the cluster now. While none can (every replica
   * crashed or paused), the surge and orphan grace clocks stop: nobody could have fixed either.
   */
  readonly canAct?: () => boolean;
}

export interface InvariantOptions {
  /** How long a ground-truth condition may last before it is a violation. */
  readonly settleMs: number;
  /** Ground truth is re-examined at most this often (virtual ms) unless a deadline passes; default 10 ms per node, 1–10 s. */
  readonly sampleMs?: number;
  readonly onViolation: (v: InvariantViolation) => void;
}

/** The first resource the allocation exceeds, as `cpu 4500m > 4000m`, or undefined. */
function overAllocated(allocated: Resources | { cpu: number; memory: number; disk: number; extended: Record<string, number> }, allocatable: Resources): string | undefined {
  if (allocated.cpu > allocatable.cpu) return `cpu ${allocated.cpu}m > ${allocatable.cpu}m`;
  if (allocated.memory > allocatable.memory) return `memory ${allocated.memory} > ${allocatable.memory} bytes`;
  if (allocated.disk > allocatable.disk && allocatable.disk > 0) return `disk ${allocated.disk} > ${allocatable.disk} bytes`;
  for (const [k, v] of Object.entries(allocated.extended)) {
    if (v > (allocatable.extended[k] ?? 0)) return `${k} ${v} > ${allocatable.extended[k] ?? 0}`;
  }
  return undefined;
}

export class InvariantChecker {
  private readonly w: InvariantWorld;
  private readonly o: InvariantOptions;
  private lastVersion = -1;
  private lastRecords = -1;
  private dirtyRecords = 0;
  private nextDeadline = Infinity;
  private lastCheckAt = -Infinity;
  private readonly excessSince = new Map<string, number>();
  private readonly orphanSince = new Map<string, number>();
  /** Since when no replica can act (InvariantWorld.canAct), while that lasts. */
  private actorlessSince: number | undefined;
  /** `workload/slot` → the time before which a replacement must not be made. */
  private readonly backoffUntil = new Map<string, number>();
  private readonly submitted = new Set<string>();
  private readonly deleted = new Set<string>();
  private violated = false;
  /** Gangs with a member bound, and gangs with a member ended, in the current engine event. */
  private readonly gangsBound = new Set<string>();
  private readonly gangsEnded = new Set<string>();

  constructor(world: InvariantWorld, options: InvariantOptions) {
    this.w = world;
    this.o = options;
  }

  get failed(): boolean {
    return this.violated;
  }

  private violate(invariant: InvariantViolation['invariant'], message: string): void {
    if (this.violated) return;
    this.violated = true;
    this.o.onViolation({ invariant, message, event: this.w.sim.eventSeq, t: this.w.sim.now() });
  }

  /** Sees every trace record (decisions). */
  onEvent(e: TraceEvent): void {
    this.dirtyRecords++;
    const gang = 'workload' in e ? this.gangOf(e.workload) : undefined;
    if (gang !== undefined) {
      if (e.type === 'instance.scheduled') this.gangsBound.add(gang);
      else if (e.type === 'instance.stopping' || e.type === 'instance.forgotten' || e.type === 'instance.removed') this.gangsEnded.add(gang);
      else if (e.type === 'instance.status' && (e.to === 'Failed' || e.to === 'Succeeded')) this.gangsEnded.add(gang);
    }
    switch (e.type) {
      case 'instance.waiting':
      case 'instance.scheduled': {
        const nodeName = e.node;
        const node = nodeName === undefined ? undefined : this.w.cluster.manager.getNode(nodeName);
        if (!node || node.status !== 'Ready') {
          this.violate('ready-node', `${e.instance} placed on ${nodeName}, which was ${node ? node.status : 'not in the cluster'} when the decision was made`);
          return;
        }
        const view = this.w.orchestrator.nodeViews().find((v) => v.node.name === nodeName);
        const over = view ? overAllocated(view.allocated, node.allocatable) : undefined;
        if (over) this.violate('capacity', `node ${nodeName} over its allocatable after placing ${e.instance}: ${over}`);
        return;
      }
      case 'slot.failed':
        this.backoffUntil.set(`${e.workload}/${e.slot}`, e.nextAttemptAt);
        return;
      case 'instance.created': {
        if (e.reason !== 'replace-failed') return;
        const key = `${e.workload}/${e.slot}`;
        const until = this.backoffUntil.get(key);
        if (until !== undefined && e.t < until) {
          this.violate('backoff', `${e.instance} replaces a failed instance of slot ${key} at ${e.t}ms, before its back-off ends at ${until}ms`);
        }
        return;
      }
      case 'workload.submitted':
        this.submitted.add(e.workload);
        return;
      case 'workload.deleted':
        this.deleted.add(e.workload);
        return;
      case 'workload.removed': {
        const name = e.workload;
        if (!this.deleted.has(name)) this.violate('dropped-workload', `workload ${name} was removed but never deleted`);
        return;
      }
    }
  }

  private gangOf(workload: string): string | undefined {
    return this.w.orchestrator.getWorkload(workload)?.placement?.gang?.name;
  }

  /** The gang invariant, for the gangs that had a member bound in the event that just ran. */
  private checkGangs(): void {
    const { orchestrator, store } = this.w;
    for (const gang of this.gangsBound) {
      let bound = 0;
      let minMember = 0;
      const waiting: string[] = [];
      for (const inst of store.listInstances()) {
        const spec = orchestrator.getWorkload(inst.workloadId)?.placement?.gang;
        if (spec?.name !== gang) continue;
        minMember = spec.minMember;
        if (inst.waitingSince !== undefined) waiting.push(inst.id);
        else if (inst.node !== undefined && inst.stopRequestedAt === undefined && (inst.status === 'Pending' || inst.status === 'Running' || inst.status === 'Unknown')) bound++;
      }
      if (waiting.length > 0) {
        this.violate('gang', `gang ${gang} bound members but left ${waiting.join(', ')} waiting`);
        break;
      }
      if (!this.gangsEnded.has(gang) && bound < minMember) {
        this.violate('gang', `gang ${gang} bound members with only ${bound} of minMember ${minMember} bound`);
        break;
      }
    }
    this.gangsBound.clear();
    this.gangsEnded.clear();
  }

  /** After every engine event. */
  afterEvent(): void {
    if (this.violated) return;
    if (this.gangsBound.size > 0) this.checkGangs();
    else if (this.gangsEnded.size > 0) this.gangsEnded.clear();
    if (this.violated) return;
    const { cluster, sim } = this.w;
    const now = sim.now();
    if (now < this.nextDeadline) {
      if (cluster.version === this.lastVersion && this.dirtyRecords === this.lastRecords) return;
      const sample = this.o.sampleMs ?? Math.min(10_000, Math.max(1000, 10 * cluster.nodeCount));
      if (now < this.lastCheckAt + sample) return;
    }
    this.lastVersion = cluster.version;
    this.lastRecords = this.dirtyRecords;
    this.lastCheckAt = now;
    this.checkGroundTruth(now);
  }

  private checkGroundTruth(now: number): void {
    if (this.w.canAct && !this.w.canAct()) {
      this.actorlessSince ??= now;
      this.nextDeadline = Infinity;
      return;
    }
    if (this.actorlessSince !== undefined) {
      // The grace clocks stood still while the control plane was wholly down.
      const gap = now - this.actorlessSince;
      for (const [k, v] of this.orphanSince) this.orphanSince.set(k, v + gap);
      for (const [k, v] of this.excessSince) this.excessSince.set(k, v + gap);
      this.actorlessSince = undefined;
    }
    const { cluster, orchestrator, store } = this.w;
    const settle = this.o.settleMs;
    const running = new Map<string, Set<string>>();
    const orphansNow = new Set<string>();
    /** Workloads with an outdated instance running: a rolling update may surge. */
    const rolling = new Set<string>();
    /** Each workload's current generation as a label value, looked up once per scan. */
    const generation = new Map<string, string>();
    for (const node of cluster.sortedNodes()) {
      const view = cluster.manager.getNode(node.id);
      // Only what the control plane can observe and act on counts.
      if (!node.up || !view || view.status !== 'Ready' || cluster.network.isCut(node.id, 'up') || cluster.network.isCut(node.id, 'down') || cluster.network.isDegraded(node.id)) continue;
      if (node.frozen > 0) continue;
      for (const c of node.containers.values()) {
        const inst = store.getInstance(c.instanceId);
        // Owned: its instance is on this node and tracks this container (or has not learnt its id yet).
        let owned = false;
        if (inst !== undefined && inst.node === node.id) {
          for (const x of inst.containers) {
            if (x.id === c.id || (x.id === undefined && x.name === c.name)) {
              owned = true;
              break;
            }
          }
        }
        if (!owned) orphansNow.add(c.id);
        if (c.state === 'running') {
          let set = running.get(c.workloadId);
          if (!set) running.set(c.workloadId, (set = new Set()));
          set.add(c.instanceId);
          let gen = generation.get(c.workloadId);
          if (gen === undefined) {
            const w = orchestrator.getWorkload(c.workloadId);
            gen = w ? String(w.generation) : '';
            generation.set(c.workloadId, gen);
          }
          if (gen !== '' && c.labels['slipway.generation'] !== gen) rolling.add(c.workloadId);
        }
      }
    }
    let deadline = Infinity;
    // Surge.
    for (const [wid, set] of running) {
      const w = orchestrator.getWorkload(wid);
      const status = orchestrator.status(wid);
      // replicas, plus maxSurge while a rolling update is under way (an outdated instance runs).
      const limit = !w || status?.deleted ? 0 : w.replicas + (rolling.has(wid) ? w.updateStrategy.maxSurge : 0);
      if (set.size > limit) {
        const since = this.excessSince.get(wid) ?? now;
        this.excessSince.set(wid, since);
        if (now - since > settle) {
          this.violate('surge', `workload ${wid} has ${set.size} running instances (${[...set].sort().join(', ')}) for ${now - since}ms, more than the ${limit} allowed (replicas${rolling.has(wid) ? ' + maxSurge, during a rolling update' : ''})`);
          return;
        }
        deadline = Math.min(deadline, since + settle + 1);
      } else this.excessSince.delete(wid);
    }
    for (const wid of [...this.excessSince.keys()]) if (!running.has(wid)) this.excessSince.delete(wid);
    // Orphans.
    for (const id of [...this.orphanSince.keys()]) if (!orphansNow.has(id)) this.orphanSince.delete(id);
    for (const id of orphansNow) {
      const since = this.orphanSince.get(id) ?? now;
      this.orphanSince.set(id, since);
      if (now - since > settle) {
        this.violate('orphan', `container ${id} has had no owning instance for ${now - since}ms`);
        return;
      }
      deadline = Math.min(deadline, since + settle + 1);
    }
    // Workloads the control plane dropped without a delete.
    for (const name of this.submitted) {
      if (this.deleted.has(name)) continue;
      if (orchestrator.getWorkload(name) === undefined || store.getWorkload(name) === undefined) {
        this.violate('dropped-workload', `workload ${name} is no longer known to the control plane, but was never deleted`);
        return;
      }
    }
    this.nextDeadline = deadline;
  }
}
