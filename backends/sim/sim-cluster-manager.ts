/**
 * The control plane's side of membership: it receives heartbeats from node agents and runs the
 * node monitor (Kubernetes' node lifecycle controller, simplified). Every `nodeMonitorPeriodMs`
 * it looks at each node's last heartbeat:
 *   age > notReadyAfter  → NotReady;   age > downAfter → Down;   a heartbeat → Ready again.
 * A node added while the cluster runs is Unknown until its first heartbeat arrives.
 */
import type { ClusterEvent, ClusterManager, Unsubscribe } from '../../src/core/interfaces.js';
import { changeTaints, type TaintChange } from '../../src/core/taints.js';
import type { Node, NodeId, NodeStatus } from '../../src/core/types.js';
import type { Simulation } from '../../src/engine/simulation.js';
import type { NodeDef } from '../../src/scenario/types.js';

export interface MonitorConfig {
  readonly nodeMonitorPeriodMs: number;
  readonly notReadyAfterMs: number;
  readonly downAfterMs: number;
}

export class SimClusterManager implements ClusterManager {
  private readonly nodes = new Map<NodeId, Node>();
  private sorted: Node[] | undefined;
  private readonly lastHeartbeat = new Map<NodeId, number>();
  private readonly listeners: Array<(e: ClusterEvent) => void> = [];
  private monitoring = false;
  /**
   * Node status comes from gossip membership (`setStatus`), not from heartbeat ages: heartbeats
   * then only carry image lists and the node monitor does nothing.
   */
  membershipDriven = false;

  constructor(private readonly sim: Simulation, private readonly config: MonitorConfig) {}

  async initialize(): Promise<void> {
    if (this.monitoring) return;
    this.monitoring = true;
    const tick = () => {
      this.monitor();
      this.sim.schedule(this.config.nodeMonitorPeriodMs, tick);
    };
    this.sim.schedule(this.config.nodeMonitorPeriodMs, tick);
  }

  getNode(id: NodeId): Node | undefined {
    return this.nodes.get(id);
  }

  listNodes(): readonly Node[] {
    if (!this.sorted) this.sorted = [...this.nodes.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return this.sorted;
  }

  subscribe(listener: (event: ClusterEvent) => void): Unsubscribe {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /**
   * Registers a node. Nodes present at the start are Ready; later ones wait for a heartbeat.
   * `images`: what its agent reports holding at registration.
   */
  /** `podCidr`: the block the pod network gave the node (absent without one). */
  register(def: NodeDef, status: NodeStatus, images?: ReadonlyMap<string, number>, podCidr?: string): Node {
    const now = this.sim.now();
    const node: Node = {
      id: def.name,
      name: def.name,
      address: `sim://${def.name}`,
      status,
      statusSince: now,
      unschedulable: def.unschedulable === true,
      labels: def.labels,
      taints: def.taints,
      capacity: def.capacity,
      allocatable: def.allocatable,
      ...(images !== undefined ? { images } : {}),
      ...(def.gpus ? { gpus: def.gpus } : {}),
      ...(podCidr !== undefined ? { podCidr } : {}),
    };
    this.nodes.set(node.id, node);
    this.sorted = undefined;
    this.lastHeartbeat.set(node.id, now);
    this.emit({ type: 'NodeAdded', node });
    return node;
  }

  deregister(id: NodeId): void {
    if (!this.nodes.delete(id)) return;
    this.sorted = undefined;
    this.lastHeartbeat.delete(id);
    this.emit({ type: 'NodeRemoved', nodeId: id });
  }

  /** Cordons (`true`) or uncordons a node: it stays as it is but takes no new instances. */
  setUnschedulable(id: NodeId, value: boolean): boolean {
    const node = this.nodes.get(id);
    if (!node || node.unschedulable === value) return false;
    node.unschedulable = value;
    this.emit({ type: 'NodeUpdated', node, previous: node.status });
    return true;
  }

  /** Changes the node's own taints (see `changeTaints`); false when the node is unknown or nothing changed. */
  updateTaints(id: NodeId, change: TaintChange): boolean {
    const node = this.nodes.get(id);
    const taints = node && changeTaints(node.taints, change, this.sim.now());
    if (!node || !taints) return false;
    node.taints = taints;
    this.emit({ type: 'NodeUpdated', node, previous: node.status });
    return true;
  }

  /**
   * A heartbeat arrived from the node's agent, with the images it holds (node.status.images)
   * when it reports them. A new image list is visible to the scheduler's next call; it raises no
   * event (kubelet's image list is not a condition the control plane reacts to).
   */
  heartbeat(id: NodeId, images?: ReadonlyMap<string, number>): void {
    const node = this.nodes.get(id);
    if (!node) return;
    if (images !== undefined) node.images = images;
    this.lastHeartbeat.set(id, this.sim.now());
    if (node.status !== 'Ready' && !this.membershipDriven) this.transition(node, 'Ready');
  }

  /** The membership protocol's verdict on a node (see `membershipDriven`). */
  setStatus(id: NodeId, status: NodeStatus): void {
    const node = this.nodes.get(id);
    if (node && node.status !== status) this.transition(node, status);
  }

  private monitor(): void {
    if (this.membershipDriven) return;
    const now = this.sim.now();
    for (const node of this.listNodes()) {
      const age = now - (this.lastHeartbeat.get(node.id) ?? now);
      if (node.status === 'Ready' && age > this.config.notReadyAfterMs) this.transition(node, 'NotReady');
      if ((node.status === 'NotReady' || node.status === 'Unknown') && age > this.config.downAfterMs)
        this.transition(node, 'Down');
    }
  }

  private transition(node: Node, to: NodeStatus): void {
    const previous = node.status;
    node.status = to;
    node.statusSince = this.sim.now();
    this.emit({ type: 'NodeUpdated', node, previous });
  }

  private emit(e: ClusterEvent): void {
    if (this.listeners.length === 0) return;
    this.sim.deliver(() => {
      for (const l of this.listeners) l(e);
    });
  }
}
