/**
 * Gossip membership for simulated clusters (`cluster.membership: swim | lifeguard | ...`): every
 * virtual node's agent and the control plane are members of one SWIM/Lifeguard group
 * (src/membership), whose messages travel the simulated network (`sendGossip`: partitions,
 * message faults of kind `gossip`, latency) and whose work runs on the node (a crashed node's
 * member is silent, a frozen one's waits, a slow one processes messages late).
 *
 * The control plane's own member's view is the node status the control plane sees:
 *   alive → Ready, suspect → NotReady, dead → Down
 * (heartbeats then only carry the node's image list). Member 0 is the control plane; nodes get
 * the next numbers in the order they join.
 *
 * The trace gets the control plane's view changes (`member.view`), the first suspicion and the
 * first death verdict of each (member, incarnation) anywhere in the group (`member.suspected`,
 * `member.declared_dead`), every refutation (`member.refuted`), and a summary of the protocol's
 * traffic every minute (`membership.stats`). Single probes are not recorded: a thousand members
 * probe a thousand times a second.
 */
import type { Recorder } from '../../src/core/interfaces.js';
import type { NodeId, NodeStatus } from '../../src/core/types.js';
import type { RandomStream } from '../../src/engine/random.js';
import type { Simulation } from '../../src/engine/simulation.js';
import { featuresOf, type DetectorName, type GossipParams } from '../../src/membership/config.js';
import { ALIVE, DEAD, GossipGroup, STATE_NAMES, SUSPECT, type GossipStats } from '../../src/membership/swim.js';
import type { SimNetwork } from './sim-network.js';
import type { SimNode } from './sim-node.js';

export interface SimMembershipOptions {
  readonly sim: Simulation;
  readonly network: SimNetwork;
  readonly recorder: Recorder;
  readonly detector: DetectorName;
  readonly params: GossipParams;
  /** Members the group has room for: the control plane plus every node that will ever join. */
  readonly capacity: number;
  /** The node's agent (undefined once removed). */
  readonly node: (id: NodeId) => SimNode | undefined;
  /** The control plane's verdict on a node changed. */
  readonly setStatus: (id: NodeId, status: NodeStatus) => void;
}

const STATS_EVERY_MS = 60_000;
/** Serf's `ReconnectInterval` default (serf/config.go): how often an agent tries a failed member again. */
export const SERF_RECONNECT_INTERVAL_MS = 30_000;

export class SimMembership {
  private readonly group: GossipGroup;
  private readonly ids: NodeId[] = ['(control-plane)'];
  private readonly index = new Map<NodeId, number>();
  private readonly slow = new Map<number, number[]>();
  private readonly firstSuspected = new Set<string>();
  private readonly firstDead = new Set<string>();
  private readonly rLatency: RandomStream;
  private last: GossipStats = { messages: 0, probes: 0, indirectProbes: 0, suspicions: 0, refutations: 0, deadDeclarations: 0 };
  private started = false;

  constructor(private readonly o: SimMembershipOptions) {
    const { sim } = o;
    this.rLatency = sim.random.stream('membership.network');
    const absent: number[] = [];
    for (let i = 1; i < o.capacity; i++) absent.push(i);
    this.group = new GossipGroup({
      size: o.capacity,
      absent,
      params: o.params,
      features: featuresOf(o.detector),
      random: sim.random.stream('membership.protocol'),
      // The control plane's live counterpart is Serf, which reconnects to failed members.
      reconnect: { intervalMs: SERF_RECONNECT_INTERVAL_MS, random: sim.random.stream('membership.reconnect') },
      host: {
        now: () => sim.now(),
        schedule: (d, fn) => sim.schedule(d, fn),
        send: (from, to, deliver) => {
          o.network.sendGossip(this.nodeId(from), this.nodeId(to), this.rLatency, () => this.receive(to, deliver));
        },
        run: (member, fn) => this.run(member, fn),
      },
    });
    this.group.onView((observer, subject, state, incarnation, cause) => {
      const node = this.ids[subject]!;
      if (observer === subject) {
        if (cause === 'refute') o.recorder.record('member.refuted', { node, incarnation });
        return;
      }
      const key = `${subject}/${incarnation}`;
      if (state === SUSPECT && !this.firstSuspected.has(key)) {
        this.firstSuspected.add(key);
        o.recorder.record('member.suspected', { node, incarnation, by: this.ids[observer]! });
      } else if (state === DEAD && cause === 'timeout' && !this.firstDead.has(key)) {
        this.firstDead.add(key);
        o.recorder.record('member.declared_dead', { node, incarnation, by: this.ids[observer]! });
      }
      if (observer !== 0 || subject === 0) return;
      o.recorder.record('member.view', { node, state: STATE_NAMES[state], incarnation, cause });
      o.setStatus(node, state === ALIVE ? 'Ready' : state === SUSPECT ? 'NotReady' : 'Down');
    });
  }

  /** A node's member joins (at start, or when the node is added); the group starts with the first. */
  join(id: NodeId): void {
    const i = this.ids.length;
    if (i >= this.o.capacity) throw new Error(`membership: no room for node ${id} (capacity ${this.o.capacity})`);
    this.ids.push(id);
    this.index.set(id, i);
    if (!this.started) {
      // Nodes present at the start form the group before it runs: one converged membership.
      this.group.joinConverged(i);
      return;
    }
    this.group.join(i);
  }

  /** Starts the protocol (after the initial nodes joined). */
  start(): void {
    this.started = true;
    this.group.start();
    const tick = () => {
      const s = this.group.stats;
      const d = this.last;
      this.o.recorder.record('membership.stats', {
        members: this.ids.length,
        messages: s.messages - d.messages,
        probes: s.probes - d.probes,
        indirectProbes: s.indirectProbes - d.indirectProbes,
        suspicions: s.suspicions - d.suspicions,
        refutations: s.refutations - d.refutations,
        deadDeclarations: s.deadDeclarations - d.deadDeclarations,
      });
      this.last = { ...s };
      this.o.sim.schedule(STATS_EVERY_MS, tick);
    };
    this.o.sim.schedule(STATS_EVERY_MS, tick);
  }

  /** The node's agent booted again after a crash: its member rejoins with a higher incarnation. */
  restarted(id: NodeId): void {
    const i = this.index.get(id);
    if (i !== undefined) this.group.restart(i);
  }

  /** The node was removed from the cluster. */
  left(id: NodeId): void {
    const i = this.index.get(id);
    if (i !== undefined) this.group.leave(i);
  }

  /** Messages to the node's member are processed `delayMs` later until `end()` runs (the slowNode fault). */
  slowDown(id: NodeId, delayMs: number): (() => void) | undefined {
    const i = this.index.get(id);
    if (i === undefined) return undefined;
    const list = this.slow.get(i) ?? [];
    list.push(delayMs);
    this.slow.set(i, list);
    return () => {
      const l = this.slow.get(i);
      if (!l) return;
      l.splice(l.indexOf(delayMs), 1);
      if (l.length === 0) this.slow.delete(i);
    };
  }

  private nodeId(member: number): NodeId | undefined {
    return member === 0 ? undefined : this.ids[member];
  }

  private run(member: number, fn: () => void): void {
    if (member === 0) return fn();
    const node = this.o.node(this.ids[member]!);
    if (!node || !node.up) return;
    if (node.frozen > 0) node.held.push(fn);
    else fn();
  }

  private receive(member: number, deliver: () => void): void {
    const delays = this.slow.get(member);
    if (delays === undefined) return this.run(member, deliver);
    const node = this.o.node(this.ids[member]!);
    if (!node || !node.up) return;
    const epoch = node.epoch;
    this.o.sim.schedule(Math.max(...delays), () => {
      if (node.epoch === epoch) this.run(member, deliver);
    });
  }
}
