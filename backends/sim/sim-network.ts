/**
 * The simulated network between the control plane and the node agents. Every control message
 * travels through `send`: requests to a node (`rpc`, down), answers and watch events from it
 * (`rpc` / `status`, up) and heartbeats (`heartbeat`, up). Faults act here:
 *
 * - a cut link (a partition, possibly one-way) loses every message in that direction, both those
 *   sent while it is cut and those in flight when it is cut (checked on arrival);
 * - a degradation loses a message with probability `drop`, delivers it twice with probability
 *   `duplicate` (each copy with its own latency) and adds `delay` to its latency.
 *
 * Latency is drawn first, from `sim.network`, so a run without network faults draws the same
 * numbers as before they existed; fault decisions come from the separate `fault.network` stream.
 */
import type { Distribution, NodeId } from '../../src/core/types.js';
import type { RandomStream } from '../../src/engine/random.js';
import type { Simulation } from '../../src/engine/simulation.js';
import type { MessageKind } from '../../src/scenario/types.js';

/** `up`: node → control plane; `down`: control plane → node. */
export type Direction = 'up' | 'down';

export interface Degradation {
  readonly nodes: ReadonlySet<NodeId>;
  readonly kinds: ReadonlySet<MessageKind>;
  readonly drop: number;
  readonly duplicate: number;
  readonly delay?: Distribution;
}

export interface NetworkStats {
  sent: number;
  /** Lost to a cut link. */
  partitioned: number;
  /** Lost to a degradation's `drop`. */
  dropped: number;
  duplicated: number;
  delayed: number;
}

export class SimNetwork {
  private readonly cuts = new Map<string, number>();
  private readonly degradations: Degradation[] = [];
  readonly stats: NetworkStats = { sent: 0, partitioned: 0, dropped: 0, duplicated: 0, delayed: 0 };

  constructor(
    private readonly sim: Simulation,
    private readonly latency: Distribution,
    private readonly rLatency: RandomStream,
    private readonly rFault: RandomStream,
  ) {}

  /** One-way latency of one message, without faults. */
  latencyMs(): number {
    return this.rLatency.duration(this.latency);
  }

  /** Cuts (`+1`) or restores (`-1`) the link of a node in one direction; cuts nest. */
  cut(nodeId: NodeId, direction: Direction, delta: 1 | -1): void {
    const key = `${direction}:${nodeId}`;
    const n = (this.cuts.get(key) ?? 0) + delta;
    if (n <= 0) this.cuts.delete(key);
    else this.cuts.set(key, n);
  }

  isCut(nodeId: NodeId, direction: Direction): boolean {
    return this.cuts.size > 0 && this.cuts.has(`${direction}:${nodeId}`);
  }

  /** Whether messages to or from the node are being dropped, duplicated or delayed. */
  isDegraded(nodeId: NodeId): boolean {
    return this.degradations.length > 0 && this.degradations.some((d) => d.nodes.has(nodeId));
  }

  /** Adds a degradation; returns the function that removes it. */
  degrade(d: Degradation): () => void {
    this.degradations.push(d);
    return () => {
      const i = this.degradations.indexOf(d);
      if (i >= 0) this.degradations.splice(i, 1);
    };
  }

  /**
   * Sends one gossip message between two members, node to node or to and from the control plane
   * (`undefined`). The network is a star: a message leaves through its sender's uplink and
   * arrives through its receiver's downlink, so a partitioned node (either direction cut) is cut
   * off from its peers as from the control plane. Degradations of kind `gossip` on either end
   * apply. Latency comes from `rLatency` (the membership's own stream), so runs without gossip
   * draw exactly the numbers they drew before it existed.
   */
  sendGossip(from: NodeId | undefined, to: NodeId | undefined, rLatency: RandomStream, deliver: () => void): void {
    this.stats.sent++;
    const base = rLatency.duration(this.latency);
    const lost = () => (from !== undefined && this.isCut(from, 'up')) || (to !== undefined && this.isCut(to, 'down'));
    if (lost()) {
      this.stats.partitioned++;
      return;
    }
    let extra = 0;
    let copies = 1;
    if (this.degradations.length > 0) {
      for (const d of this.degradations) {
        if (!d.kinds.has('gossip') || !((from !== undefined && d.nodes.has(from)) || (to !== undefined && d.nodes.has(to)))) continue;
        if (d.drop > 0 && this.rFault.float() < d.drop) {
          this.stats.dropped++;
          return;
        }
        if (d.duplicate > 0 && this.rFault.float() < d.duplicate) {
          copies++;
          this.stats.duplicated++;
        }
        if (d.delay) {
          extra += this.rFault.duration(d.delay);
          this.stats.delayed++;
        }
      }
    }
    const arrive = () => {
      if (lost()) {
        this.stats.partitioned++;
        return;
      }
      deliver();
    };
    this.sim.schedule(base + extra, arrive);
    for (let k = 1; k < copies; k++) this.sim.schedule(rLatency.duration(this.latency) + extra, arrive);
  }

  /** Sends one message; `deliver` runs on arrival unless the message is lost. */
  send(nodeId: NodeId, direction: Direction, kind: MessageKind, deliver: () => void): void {
    this.stats.sent++;
    const base = this.latencyMs();
    if (this.isCut(nodeId, direction)) {
      this.stats.partitioned++;
      return;
    }
    let copies = 1;
    let extra = 0;
    for (const d of this.degradations) {
      if (!d.nodes.has(nodeId) || !d.kinds.has(kind)) continue;
      if (d.drop > 0 && this.rFault.float() < d.drop) {
        this.stats.dropped++;
        return;
      }
      if (d.duplicate > 0 && this.rFault.float() < d.duplicate) {
        copies++;
        this.stats.duplicated++;
      }
      if (d.delay) {
        extra += this.rFault.duration(d.delay);
        this.stats.delayed++;
      }
    }
    const arrive = () => {
      if (this.isCut(nodeId, direction)) {
        this.stats.partitioned++;
        return;
      }
      deliver();
    };
    this.sim.schedule(base + extra, arrive);
    for (let k = 1; k < copies; k++) this.sim.schedule(this.latencyMs() + extra, arrive);
  }
}
