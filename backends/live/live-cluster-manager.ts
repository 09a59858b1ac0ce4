/**
 * Membership and health of live nodes (Docker engines, OCI runtime hosts). Every
 * `heartbeatIntervalMs` each node is probed (Docker: `GET /_ping`; OCI: the runtime answers
 * `state` on its root), bounded by `rpcTimeoutMs`. The node monitor then applies the same rule
 * as the simulated one, on wall time:
 *   age of the last successful probe > notReadyAfter → NotReady;  > downAfter → Down;
 *   a successful probe → Ready again.
 * Capacity comes from the node (`docker info`: NCPU × 1000 millicores, MemTotal bytes) unless
 * the scenario gives one.
 *
 * With a membership source (`cluster.membership: serf`), node status comes from it instead of the
 * probes' ages (the probes still read capacity and images): alive → Ready, suspect → NotReady,
 * failed → Down, left → the node is removed (and added back when it rejoins).
 */
import type { Clock, ClusterEvent, ClusterManager, Unsubscribe } from '../../src/core/interfaces.js';
import type { Resources } from '../../src/core/resources.js';
import { changeTaints, type TaintChange } from '../../src/core/taints.js';
import type { Node, NodeId, NodeStatus, Taint } from '../../src/core/types.js';

/** How the manager reaches one live node. */
export interface LiveNodeProbe {
  readonly id: NodeId;
  readonly address: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly Taint[];
  /** Starts cordoned (the scenario's `unschedulable: true`). */
  readonly unschedulable?: boolean;
  /** The scenario's capacity, or undefined to ask the node. */
  readonly capacity?: Resources;
  readonly allocatable?: Resources;
  /** Resolves when the node answers; rejects (or never settles) when it does not. */
  probe(): Promise<void>;
  /** The node's own capacity (asked once, when the scenario gives none). */
  discoverCapacity(): Promise<Resources>;
  /** The images the node holds with their sizes (node.status.images), when the runtime can tell. */
  images?(): Promise<ReadonlyMap<string, number>>;
  /** The node's pod CIDR (node.spec.podCIDR), when the cluster has a pod network. */
  readonly podCidr?: string;
}

/** What a membership protocol says about a node. */
export type LiveMembershipState = 'alive' | 'suspect' | 'failed' | 'left';

/** A live membership protocol (Serf) that decides node status instead of heartbeat ages. */
export interface LiveMembershipSource {
  /** Starts watching; resolves with the states known now (a node missing from it is not a member yet). */
  start(nodes: readonly NodeId[], report: (node: NodeId, state: LiveMembershipState) => void): Promise<ReadonlyMap<NodeId, LiveMembershipState>>;
  close(): void;
}

export interface LiveHealthConfig {
  readonly heartbeatIntervalMs: number;
  readonly nodeMonitorPeriodMs: number;
  readonly notReadyAfterMs: number;
  readonly downAfterMs: number;
  readonly rpcTimeoutMs: number;
}

export class LiveClusterManager implements ClusterManager {
  private readonly nodes = new Map<NodeId, Node>();
  private readonly lastOk = new Map<NodeId, number>();
  private readonly listeners: Array<(e: ClusterEvent) => void> = [];
  private readonly stoppers: Array<() => void> = [];
  /** Nodes removed because their member left (membership source), kept to add them back on rejoin. */
  private readonly departed = new Map<NodeId, Node>();
  private initialized = false;

  constructor(
    private readonly clock: Clock,
    private readonly probes: readonly LiveNodeProbe[],
    private readonly config: LiveHealthConfig,
    private readonly membership?: LiveMembershipSource,
  ) {}

  /** Probes every node once (capacity, first status), then starts heartbeats and the monitor. */
  async initialize(): Promise<void> {
    if (this.initialized) return;
    this.initialized = true;
    const now = this.clock.now();
    await Promise.all(
      this.probes.map(async (p) => {
        const ok = await this.probeOnce(p);
        let capacity = p.capacity;
        if (capacity === undefined) {
          if (!ok) throw new Error(`node ${p.id} (${p.address}) does not answer, and its capacity must come from it`);
          capacity = await p.discoverCapacity();
        }
        const node: Node = {
          id: p.id,
          name: p.id,
          address: p.address,
          status: ok ? 'Ready' : 'NotReady',
          statusSince: now,
          unschedulable: p.unschedulable === true,
          labels: p.labels,
          taints: p.taints,
          capacity,
          allocatable: p.allocatable ?? capacity,
          ...(p.podCidr !== undefined ? { podCidr: p.podCidr } : {}),
        };
        this.nodes.set(p.id, node);
        if (ok) await this.refreshImages(p);
        if (ok) this.lastOk.set(p.id, now);
        else this.lastOk.set(p.id, now - this.config.notReadyAfterMs - 1);
      }),
    );
    if (this.membership) {
      const states = await this.membership.start(
        this.probes.map((p) => p.id),
        (id, state) => this.onMembership(id, state),
      );
      for (const p of this.probes) this.onMembership(p.id, states.get(p.id) ?? 'suspect');
    }
    const beat = () => {
      for (const p of this.probes) {
        void this.probeOnce(p).then((ok) => {
          if (!ok) return;
          this.lastOk.set(p.id, this.clock.now());
          const node = this.nodes.get(p.id);
          if (node && node.status !== 'Ready' && !this.membership) this.transition(node, 'Ready');
          void this.refreshImages(p);
        });
      }
      this.stoppers[0] = this.clock.setTimer(this.config.heartbeatIntervalMs, beat);
    };
    const monitor = () => {
      this.monitor();
      this.stoppers[1] = this.clock.setTimer(this.config.nodeMonitorPeriodMs, monitor);
    };
    this.stoppers[0] = this.clock.setTimer(this.config.heartbeatIntervalMs, beat);
    if (!this.membership) this.stoppers[1] = this.clock.setTimer(this.config.nodeMonitorPeriodMs, monitor);
  }

  /** Stops heartbeats, the monitor and the membership source. */
  close(): void {
    for (const s of this.stoppers) s?.();
    this.membership?.close();
  }

  /** The membership source's verdict on a node (see the file comment). */
  private onMembership(id: NodeId, state: LiveMembershipState): void {
    if (state === 'left') {
      const node = this.nodes.get(id);
      if (!node) return;
      this.nodes.delete(id);
      this.departed.set(id, node);
      const e: ClusterEvent = { type: 'NodeRemoved', nodeId: id };
      for (const l of [...this.listeners]) l(e);
      return;
    }
    const back = this.departed.get(id);
    if (back) {
      this.departed.delete(id);
      back.status = state === 'alive' ? 'Ready' : state === 'failed' ? 'Down' : 'NotReady';
      back.statusSince = this.clock.now();
      this.nodes.set(id, back);
      const e: ClusterEvent = { type: 'NodeAdded', node: back };
      for (const l of [...this.listeners]) l(e);
      return;
    }
    const node = this.nodes.get(id);
    if (!node) return;
    const to: NodeStatus = state === 'alive' ? 'Ready' : state === 'failed' ? 'Down' : 'NotReady';
    if (node.status !== to) this.transition(node, to);
  }

  getNode(id: NodeId): Node | undefined {
    return this.nodes.get(id);
  }

  listNodes(): readonly Node[] {
    return [...this.nodes.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  subscribe(listener: (event: ClusterEvent) => void): Unsubscribe {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /**
   * Reads the node's images (with each heartbeat, like kubelet's status updates); the node's
   * `images` is replaced only when they changed, so the scheduler re-reads it only then. A node
   * that cannot list them keeps the last list.
   */
  private async refreshImages(p: LiveNodeProbe): Promise<void> {
    if (!p.images) return;
    let images: ReadonlyMap<string, number>;
    try {
      images = await p.images();
    } catch {
      return;
    }
    const node = this.nodes.get(p.id);
    if (!node) return;
    const old = node.images;
    const same = old !== undefined && old.size === images.size && [...images].every(([k, v]) => old.get(k) === v);
    if (!same) node.images = images;
  }

  private async probeOnce(p: LiveNodeProbe): Promise<boolean> {
    let cancel = () => {};
    const timeout = new Promise<boolean>((resolve) => {
      cancel = this.clock.setTimer(this.config.rpcTimeoutMs, () => resolve(false));
    });
    try {
      return await Promise.race([p.probe().then(() => true, () => false), timeout]);
    } finally {
      cancel();
    }
  }

  private monitor(): void {
    const now = this.clock.now();
    for (const node of this.listNodes()) {
      const age = now - (this.lastOk.get(node.id) ?? now);
      if (node.status === 'Ready' && age > this.config.notReadyAfterMs) this.transition(node, 'NotReady');
      if ((node.status === 'NotReady' || node.status === 'Unknown') && age > this.config.downAfterMs) this.transition(node, 'Down');
    }
  }

  /** Cordons (`true`) or uncordons a node (the serve API): it stays as it is but takes no new instances. */
  setUnschedulable(id: NodeId, value: boolean): boolean {
    const node = this.nodes.get(id);
    if (!node || node.unschedulable === value) return false;
    node.unschedulable = value;
    const e: ClusterEvent = { type: 'NodeUpdated', node, previous: node.status };
    for (const l of [...this.listeners]) l(e);
    return true;
  }

  /** Changes the node's own taints (see `changeTaints`); false when the node is unknown or nothing changed. */
  updateTaints(id: NodeId, change: TaintChange): boolean {
    const node = this.nodes.get(id);
    const taints = node && changeTaints(node.taints, change, this.clock.now());
    if (!node || !taints) return false;
    node.taints = taints;
    const e: ClusterEvent = { type: 'NodeUpdated', node, previous: node.status };
    for (const l of [...this.listeners]) l(e);
    return true;
  }

  private transition(node: Node, to: NodeStatus): void {
    const previous = node.status;
    node.status = to;
    node.statusSince = this.clock.now();
    const e: ClusterEvent = { type: 'NodeUpdated', node, previous };
    for (const l of [...this.listeners]) l(e);
  }
}
