/**
 * The simulated world: virtual nodes, their agents, the network between them and the control
 * plane, and the ContainerRuntime the control plane talks to. Everything happens on the engine's
 * clock; every latency is drawn from the scenario's latency model through named random streams.
 *
 * Calls from the control plane to a node travel `latency.network` each way. A node that is down
 * never answers; the caller gets `NodeUnreachable` after `rpcTimeoutMs`.
 *
 * Container lifecycle on a node:
 *   create: admission (requests must fit allocatable), image pull if the image is not in the
 *   node's cache (concurrent pulls of one image share the download), `create` latency → the id is
 *   returned; then `start` latency → running. With `sim.runFor` the container exits by itself
 *   after that long with `sim.exitCode` (0 = Completed, else Error); an init container without it
 *   runs DEFAULT_INIT_RUN_MS (1 s). stop: `stop` latency → exited
 *   143 (a container still being created is cancelled at once). A node crash kills every container
 *   (exit 137, NodeCrashed) without telling anyone; when the node boots again its agent reports them.
 *
 * Faults (src/faults/) act through the methods in "Faults" below: the network (sim-network.ts)
 * loses, delays and duplicates messages; a frozen node defers all its work (`onNode`) until it
 * resumes; crash loops, memory leaks (OOM kills) and image pull faults change what containers do.
 */
import type {
  ContainerEvent,
  ContainerRuntime,
  ContainerStatus,
  CreateContainerOptions,
  IdSource,
  Unsubscribe,
} from '../../src/core/interfaces.js';
import { containerNotFound, nodeNotFound, nodeUnreachable, OrchestrationError } from '../../src/core/errors.js';
import { normalizedImageName } from '../../src/core/images.js';
import { addInto, firstShortfall } from '../../src/core/resources.js';
import { formatIp } from '../../src/net/ipv4.js';
import { DEFAULT_INIT_RUN_MS, type ContainerSpec, type Distribution, type NodeId } from '../../src/core/types.js';
import type { RandomStream } from '../../src/engine/random.js';
import type { Simulation } from '../../src/engine/simulation.js';
import type { ControlPlaneConfig, LatencyModel, MessageKind, NetworkConfig, NodeDef, NodeTarget, Scenario } from '../../src/scenario/types.js';
import { ClusterIpam } from '../../src/net/cluster-ipam.js';
import { SimClusterManager } from './sim-cluster-manager.js';
import type { SimMembership } from './sim-membership.js';
import { SimNetwork } from './sim-network.js';
import { SimNode, type SimContainer } from './sim-node.js';

export interface SimClusterOptions {
  readonly sim: Simulation;
  readonly latency: LatencyModel;
  readonly controlPlane: ControlPlaneConfig;
  /** Container ids. */
  readonly ids: IdSource;
  /** Image sizes by normalized name: nodes report the images they hold that have one (ImageLocality). */
  readonly imageSizes?: Readonly<Record<string, number>>;
  /**
   * The pod network (`cluster.network`): nodes get pod CIDRs and instances addresses (host-local's
   * way, src/net). `explicitCidrs`: every node podCidr the scenario gives, occupied from the start.
   */
  readonly network?: { readonly config: NetworkConfig; readonly explicitCidrs: readonly string[] };
}

/**
 * A call's timeout while it is pending. The engine holds a timeout event until its time comes,
 * answered calls included (it cannot take an event back): the event holds only this, and the call
 * clears `fire` when it settles, so an answered call's promise, its closures and the async work
 * waiting on it are not kept for the rest of rpcTimeout. A daemon whose engine ran behind kept
 * 160,000-300,000 answered calls that way (docs/performance.md, session 18).
 */
interface PendingTimeout {
  fire: (() => void) | undefined;
}

/** The timeout event of a call (made outside the call's scope, so it closes over `p` alone). */
function timeoutEvent(p: PendingTimeout): () => void {
  return () => p.fire?.();
}

/** The scenario's pod network as SimCluster takes it (undefined without `cluster.network`). */
export function simNetworkOf(scenario: Scenario): SimClusterOptions['network'] {
  const config = scenario.cluster?.network;
  if (config === undefined) return undefined;
  const explicitCidrs: string[] = [];
  for (const n of scenario.nodes) if (n.podCidr !== undefined) explicitCidrs.push(n.podCidr);
  for (const op of scenario.operations) if (op.kind === 'addNode' && op.node.podCidr !== undefined) explicitCidrs.push(op.node.podCidr);
  return { config, explicitCidrs };
}

const DEFAULT_INIT_RUN: Distribution = { kind: 'constant', ms: DEFAULT_INIT_RUN_MS };

export class SimCluster implements ContainerRuntime {
  readonly manager: SimClusterManager;
  private readonly nodes = new Map<NodeId, SimNode>();
  private sorted: SimNode[] | undefined;
  private readonly location = new Map<string, NodeId>();
  private readonly listeners: Array<(e: ContainerEvent) => void> = [];
  private readonly sim: Simulation;
  private readonly latency: LatencyModel;
  private readonly cp: ControlPlaneConfig;
  private readonly ids: IdSource;
  private readonly rLatency: RandomStream;
  private readonly rHeartbeat: RandomStream;
  private readonly rBehavior: RandomStream;
  readonly network: SimNetwork;
  /** Active crash loops per workload (the latest one wins). */
  private readonly crashLoops = new Map<string, Array<{ exitAfter: number; exitCode: number }>>();
  /** Active and past memory leaks per workload. */
  private readonly leaks = new Map<string, Array<{ from: number; until: number; bytesPerMinute: number }>>();
  /** Bumped whenever a container changes state on any node (invariant checkers look only then). */
  version = 0;
  /** Containers OOM-killed so far. */
  oomKills = 0;
  /** Creates refused because the node was full: a scheduler or accounting bug when non-zero. */
  admissionRejections = 0;

  constructor(opts: SimClusterOptions) {
    this.sim = opts.sim;
    this.latency = opts.latency;
    this.cp = opts.controlPlane;
    this.ids = opts.ids;
    this.rLatency = this.sim.random.stream('sim.latency');
    this.network = new SimNetwork(this.sim, this.latency.network, this.sim.random.stream('sim.network'), this.sim.random.stream('fault.network'));
    this.rHeartbeat = this.sim.random.stream('sim.heartbeat');
    this.rBehavior = this.sim.random.stream('sim.behavior');
    this.manager = new SimClusterManager(this.sim, this.cp);
    this.imageSizes = opts.imageSizes ?? {};
    this.ipam = opts.network ? new ClusterIpam(opts.network.config, opts.network.explicitCidrs) : undefined;
    this.reportsImages = Object.keys(this.imageSizes).length > 0;
  }

  private readonly imageSizes: Readonly<Record<string, number>>;
  /** The pod network's addresses, when the scenario has one. */
  readonly ipam: ClusterIpam | undefined;
  /** Creates refused because the node had no address left (or no pod CIDR). */
  addressExhaustions = 0;
  /** False when no image has a size: nodes then report none (and nothing is computed per heartbeat). */
  private readonly reportsImages: boolean;
  /** The image list each node last reported, kept while its cache does not change. */
  private readonly imageReports = new Map<NodeId, ReadonlyMap<string, number>>();

  /**
   * What the node's agent reports holding (node.status.images): the cached images that have a
   * size, in the order they were pulled. The same object while the cache is unchanged.
   */
  private imageReport(node: SimNode): ReadonlyMap<string, number> | undefined {
    if (!this.reportsImages) return undefined;
    let report = this.imageReports.get(node.id);
    if (report === undefined || node.imagesChanged) {
      const m = new Map<string, number>();
      for (const img of node.images) {
        const size = this.imageSizes[img];
        if (size !== undefined) m.set(img, size);
      }
      report = m;
      this.imageReports.set(node.id, report);
      node.imagesChanged = false;
    }
    return report;
  }

  // -------------------------------------------------------------------------------------------
  // The world (used by the scenario driver and fault injection)
  // -------------------------------------------------------------------------------------------

  /** Gossip membership, when the scenario chooses it (`cluster.membership`); see `attachMembership`. */
  private membership: SimMembership | undefined;

  /** Node status comes from this membership group from now on; nodes added before it are not members. */
  attachMembership(m: SimMembership): void {
    this.membership = m;
    this.manager.membershipDriven = true;
  }

  /** Adds a node. `initial` nodes are Ready at once; later ones join with their first heartbeat (or gossip). */
  addNode(def: NodeDef, initial: boolean): SimNode {
    if (this.nodes.has(def.name)) throw new Error(`node ${def.name} exists`);
    const node = new SimNode(def);
    this.nodes.set(node.id, node);
    this.sorted = undefined;
    this.membership?.join(def.name);
    const podCidr = this.ipam?.addNode(def.name, def.podCidr);
    this.manager.register(def, initial ? 'Ready' : 'Unknown', this.imageReport(node), podCidr);
    // Spread heartbeats over the interval so a thousand nodes do not beat in lockstep.
    const first = initial ? this.rHeartbeat.int(0, this.cp.heartbeatIntervalMs - 1) : 0;
    this.startHeartbeats(node, first);
    return node;
  }

  /** The node leaves the cluster for good: its agent stops and its containers die with it. */
  removeNode(name: string): void {
    const node = this.nodes.get(name);
    if (!node) throw nodeNotFound(name);
    this.killNode(node, 'NodeRemoved');
    this.membership?.left(name);
    node.removed = true;
    this.ipam?.removeNode(name);
    this.nodes.delete(name);
    this.sorted = undefined;
    this.manager.deregister(name);
  }

  /** The node crashes: containers die (exit 137), heartbeats stop, calls go unanswered. */
  crashNode(name: string): boolean {
    const node = this.nodes.get(name);
    if (!node || !node.up) return false;
    this.killNode(node, 'NodeCrashed');
    return true;
  }

  /** The node boots again with an empty runtime (its image cache survives) and reports the dead containers. */
  bootNode(name: string): boolean {
    const node = this.nodes.get(name);
    if (!node || node.up) return false;
    node.up = true;
    node.epoch++;
    node.frozen = 0;
    node.held = [];
    for (const c of node.containers.values()) {
      if (c.diedWithNode) {
        c.diedWithNode = false;
        this.emit(node, c);
      }
    }
    this.startHeartbeats(node, 0);
    this.membership?.restarted(name);
    return true;
  }

  /** Gossip messages to the node's member are processed `delayMs` late until the returned function runs (slowNode). */
  slowNode(name: string, delayMs: number): (() => void) | undefined {
    if (!this.nodes.has(name)) return undefined;
    return this.membership?.slowDown(name, delayMs);
  }

  /**
   * A running container of the workload's instance in `slot` exits with `exitCode`: a regular
   * one (never an init container or a sidecar).
   * Returns the container's id, or undefined when no such container is running.
   */
  crashContainer(workload: string, slot: number, exitCode: number): string | undefined {
    const s = String(slot);
    for (const node of this.sortedNodes()) {
      if (!node.up) continue;
      for (const c of node.containers.values()) {
        if (c.state === 'running' && c.role === undefined && c.labels['slipway.workload'] === workload && c.labels['slipway.slot'] === s) {
          this.exit(node, c, exitCode, 'Crashed');
          return c.id;
        }
      }
    }
    return undefined;
  }

  /**
   * `docker pause` (`paused: true`) or `docker unpause` of a container: it keeps its resources,
   * its node reports the new state. Returns false when the container is not there or not in the
   * state to change from (running to pause, paused to resume). The simulator pauses nothing by
   * itself; tests call this as a user runs `docker pause` beside a live control plane. A paused
   * container's own exit (`sim.runFor`) and crash loop do not fire while it is paused.
   */
  setPaused(id: string, paused: boolean): boolean {
    const nodeId = this.location.get(id);
    const node = nodeId === undefined ? undefined : this.nodes.get(nodeId);
    const c = node?.containers.get(id);
    if (!node || !node.up || !c || c.state !== (paused ? 'running' : 'paused')) return false;
    c.state = paused ? 'paused' : 'running';
    this.version++;
    this.emit(node, c);
    return true;
  }

  node(name: string): SimNode | undefined {
    return this.nodes.get(name);
  }

  /** Nodes sorted by name (cached until a node joins or leaves; do not modify). */
  sortedNodes(): readonly SimNode[] {
    this.sorted ??= [...this.nodes.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return this.sorted;
  }

  get nodeCount(): number {
    return this.nodes.size;
  }

  private killNode(node: SimNode, reason: string): void {
    node.up = false;
    node.epoch++;
    node.pulls.clear();
    node.held = [];
    this.version++;
    for (const c of node.containers.values()) {
      if (c.state === 'exited') continue;
      this.release(node, c);
      c.state = 'exited';
      c.exitCode = 137;
      c.reason = reason;
      c.finishedAt = this.sim.now();
      c.diedWithNode = true;
    }
  }

  private startHeartbeats(node: SimNode, firstDelay: number): void {
    const epoch = node.epoch;
    const beat = () => {
      if (!node.up || node.epoch !== epoch) return;
      const images = this.imageReport(node);
      this.network.send(node.id, 'up', 'heartbeat', () => this.manager.heartbeat(node.id, images));
      this.onNode(node, this.cp.heartbeatIntervalMs, beat);
    };
    this.onNode(node, firstDelay, beat);
  }

  /** Node-local work after `delay`: while the node is frozen it waits until the node resumes. */
  private onNode(node: SimNode, delay: number, fn: () => void): void {
    this.sim.schedule(delay, () => {
      if (node.frozen > 0) node.held.push(fn);
      else fn();
    });
  }

  // -------------------------------------------------------------------------------------------
  // Faults (see src/faults/)
  // -------------------------------------------------------------------------------------------

  /**
   * The nodes a fault target matches, in name order: the named ones (`node`, `nodes`) that
   * exist, further narrowed by `selector` (every label must match); with no names, every node
   * the selector matches; with neither, every node.
   */
  resolveNodes(t: NodeTarget): string[] {
    const names = t.node !== undefined || t.nodes !== undefined ? new Set([...(t.node !== undefined ? [t.node] : []), ...(t.nodes ?? [])]) : undefined;
    const sel = t.selector ? Object.entries(t.selector) : [];
    return this.sortedNodes()
      .filter((n) => (names === undefined || names.has(n.name)) && sel.every(([k, v]) => n.def.labels[k] === v))
      .map((n) => n.name);
  }

  /** Control messages to and from the nodes are lost, duplicated or delayed until the returned function runs. */
  degradeMessages(
    names: readonly string[],
    d: { kinds: readonly MessageKind[]; drop: number; duplicate: number; delay?: Distribution },
  ): () => void {
    return this.network.degrade({
      nodes: new Set(names),
      kinds: new Set(d.kinds),
      drop: d.drop,
      duplicate: d.duplicate,
      ...(d.delay !== undefined ? { delay: d.delay } : {}),
    });
  }

  /** Freezes (`+1`) or resumes (`-1`) a node; freezes nest. Returns false for an unknown or down node. */
  freezeNode(name: string, delta: 1 | -1): boolean {
    const node = this.nodes.get(name);
    if (!node || (!node.up && delta > 0)) return false;
    node.frozen = Math.max(0, node.frozen + delta);
    if (node.frozen === 0 && node.held.length > 0) {
      const held = node.held;
      node.held = [];
      for (const fn of held) fn();
    }
    return true;
  }

  /** Cuts (`+1`) or heals (`-1`) the links between a node and the control plane. */
  partitionNode(name: string, direction: 'both' | 'toControlPlane' | 'fromControlPlane', delta: 1 | -1): boolean {
    if (!this.nodes.has(name)) return false;
    if (direction !== 'fromControlPlane') this.network.cut(name, 'up', delta);
    if (direction !== 'toControlPlane') this.network.cut(name, 'down', delta);
    return true;
  }

  /** Shifts the timestamps a node reports. */
  skewNode(name: string, deltaMs: number): boolean {
    const node = this.nodes.get(name);
    if (!node) return false;
    node.skewMs += deltaMs;
    return true;
  }

  /** Image pulls on the node fail (for `image`, or every image); returns the function that ends it. */
  failPulls(name: string, image: string | undefined): (() => void) | undefined {
    const node = this.nodes.get(name);
    if (!node) return undefined;
    const f = image === undefined ? {} : { image };
    node.pullFailures.push(f);
    return () => {
      const i = node.pullFailures.indexOf(f);
      if (i >= 0) node.pullFailures.splice(i, 1);
    };
  }

  /** Image pulls on the node take `factor` times longer; returns the function that ends it. */
  slowPulls(name: string, factor: number): (() => void) | undefined {
    const node = this.nodes.get(name);
    if (!node) return undefined;
    node.pullSlowdowns.push(factor);
    return () => {
      const i = node.pullSlowdowns.indexOf(factor);
      if (i >= 0) node.pullSlowdowns.splice(i, 1);
    };
  }

  /** Containers of the workload that start from now on exit after `exitAfter`; returns the end. */
  startCrashLoop(workload: string, exitAfter: number, exitCode: number): () => void {
    let list = this.crashLoops.get(workload);
    if (!list) this.crashLoops.set(workload, (list = []));
    const entry = { exitAfter, exitCode };
    list.push(entry);
    // Running containers crash too: the loop starts now.
    for (const node of this.sortedNodes()) {
      for (const c of node.containers.values()) {
        if (c.state === 'running' && c.workloadId === workload) this.scheduleCrashLoopExit(node, c, entry);
      }
    }
    return () => {
      const i = list.indexOf(entry);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.crashLoops.delete(workload);
    };
  }

  /** The workload's containers leak memory from now until `durationMs` later; returns how many it touches now. */
  startMemoryLeak(workload: string, bytesPerMinute: number, durationMs: number): number {
    let list = this.leaks.get(workload);
    if (!list) this.leaks.set(workload, (list = []));
    const now = this.sim.now();
    list.push({ from: now, until: now + durationMs, bytesPerMinute });
    let n = 0;
    for (const node of this.sortedNodes()) {
      for (const c of node.containers.values()) {
        if (c.state === 'running' && c.workloadId === workload) {
          n++;
          this.scheduleOomCheck(node, c);
        }
      }
    }
    return n;
  }

  /** Memory a container uses at `t` (bytes): its base usage plus every leak since it started. */
  memoryOf(c: SimContainer, t: number): number {
    let m = c.baseMemory ?? 0;
    const leaks = this.leaks.get(c.workloadId);
    if (leaks && c.startedAt !== undefined) {
      for (const l of leaks) {
        // Leaked bytes = rate × minutes of overlap between [startedAt, t] and [from, until].
        const overlap = Math.min(t, l.until) - Math.max(c.startedAt, l.from);
        if (overlap > 0) m += (l.bytesPerMinute * overlap) / 60_000;
      }
    }
    return m;
  }

  private scheduleCrashLoopExit(node: SimNode, c: SimContainer, loop: { exitAfter: number; exitCode: number }): void {
    const epoch = c.epoch;
    this.onNode(node, loop.exitAfter, () => {
      if (node.epoch !== epoch || c.state !== 'running') return;
      this.exit(node, c, loop.exitCode, 'CrashLoop');
    });
  }

  /**
   * Schedules the OOM kill of a running container at the moment its usage crosses its memory
   * limit, if that happens while the current leaks last. The check at that time re-verifies.
   */
  private scheduleOomCheck(node: SimNode, c: SimContainer): void {
    const limit = c.spec.limits.memory;
    if (!(limit > 0) || c.state !== 'running') return;
    const now = this.sim.now();
    let at: number | undefined;
    if (this.memoryOf(c, now) > limit) at = now;
    else {
      const leaks = this.leaks.get(c.workloadId) ?? [];
      // Usage is piecewise linear; step through the end points of the leaks to find the crossing.
      const points = [...new Set(leaks.flatMap((l) => [l.from, l.until]).filter((t) => t > now))].sort((a, b) => a - b);
      let t0 = now;
      for (const t1 of points) {
        const m0 = this.memoryOf(c, t0);
        const m1 = this.memoryOf(c, t1);
        if (m1 > limit) {
          // Linear between t0 and t1: m0 + (m1 - m0)·(t - t0)/(t1 - t0) crosses the limit at t.
          at = t0 + Math.ceil(((limit - m0) * (t1 - t0)) / (m1 - m0));
          break;
        }
        t0 = t1;
      }
    }
    if (at === undefined) return;
    const epoch = c.epoch;
    this.onNode(node, Math.max(0, at - now), () => {
      if (node.epoch !== epoch || c.state !== 'running') return;
      if (this.memoryOf(c, this.sim.now()) < limit) return;
      this.oomKills++;
      this.exit(node, c, 137, 'OOMKilled');
    });
  }

  // -------------------------------------------------------------------------------------------
  // ContainerRuntime
  // -------------------------------------------------------------------------------------------

  initNode(nodeId: NodeId): Promise<void> {
    return this.call(nodeId, 'initNode', (_node, reply) => reply(undefined));
  }

  createContainer(spec: ContainerSpec, options: CreateContainerOptions): Promise<string> {
    return this.call<string>(options.nodeId, 'createContainer', (node, reply, fail) => {
      const short = firstShortfall(spec.requests, node.used, node.def.allocatable) ?? gpuShortfall(node, options.gpus);
      if (short !== undefined) {
        this.admissionRejections++;
        fail(
          new OrchestrationError('InsufficientResources', `node ${node.name} refused container ${spec.name}: OutOf${short}`),
        );
        return;
      }
      const ip = this.podAddress(node, options.instanceId);
      if (ip !== undefined && !ip.ok) {
        this.addressExhaustions++;
        fail(new OrchestrationError('Network', `node ${node.name} failed to set up the network of instance ${options.instanceId}: ${ip.error}`));
        return;
      }
      const id = this.ids.next('c');
      const c: SimContainer = {
        id,
        name: spec.name,
        nodeId: node.id,
        instanceId: options.instanceId,
        workloadId: options.workloadId,
        labels: options.labels,
        spec,
        state: 'creating',
        epoch: node.epoch,
        accounted: true,
        ...(options.gpus && options.gpus.devices.length > 0 ? { gpus: { devices: options.gpus.devices, milli: options.gpus.milli } } : {}),
        ...(ip !== undefined ? { ip: ip.ip } : {}),
        ...(options.role !== undefined ? { role: options.role } : {}),
      };
      if (ip !== undefined) node.podRefs.set(options.instanceId, (node.podRefs.get(options.instanceId) ?? 0) + 1);
      addInto(node.used, spec.requests);
      if (c.gpus) for (const d of c.gpus.devices) node.gpuUsed[d] += c.gpus.milli;
      node.containers.set(id, c);
      this.location.set(id, node.id);
      this.version++;
      this.withImage(node, spec.image, (err) => {
        if (err) {
          if (node.epoch !== c.epoch || c.state !== 'creating') return;
          this.release(node, c);
          c.state = 'exited';
          c.exitCode = 128;
          c.reason = 'ImagePullBackOff';
          c.finishedAt = this.sim.now();
          this.version++;
          fail(err);
          return;
        }
        this.onNode(node, this.rLatency.duration(this.latency.create), () => {
          if (node.epoch !== c.epoch || c.state !== 'creating') return;
          reply(id);
          this.onNode(node, this.rLatency.duration(this.latency.start), () => {
            if (node.epoch !== c.epoch || c.state !== 'creating') return;
            this.run(node, c, true);
          });
        });
      });
    });
  }

  /**
   * A container that already runs when the run starts (a scenario's `running:` instances): it is
   * on the node, running since now, its image in the node's cache, its requests counted, and no
   * event is sent (the control plane learns of it by listing the node: adoption). Call before the
   * engine runs. Returns the container id.
   */
  seedRunning(spec: ContainerSpec, options: CreateContainerOptions): string {
    const node = this.nodes.get(options.nodeId);
    if (!node) throw nodeNotFound(options.nodeId);
    const id = this.ids.next('c');
    const ip = this.podAddress(node, options.instanceId);
    const c: SimContainer = {
      id,
      name: spec.name,
      nodeId: node.id,
      instanceId: options.instanceId,
      workloadId: options.workloadId,
      labels: options.labels,
      spec,
      state: 'creating',
      epoch: node.epoch,
      accounted: true,
      ...(options.gpus && options.gpus.devices.length > 0 ? { gpus: { devices: options.gpus.devices, milli: options.gpus.milli } } : {}),
      ...(ip?.ok ? { ip: ip.ip } : {}),
      ...(options.role !== undefined ? { role: options.role } : {}),
    };
    if (ip?.ok) node.podRefs.set(options.instanceId, (node.podRefs.get(options.instanceId) ?? 0) + 1);
    addInto(node.used, spec.requests);
    if (c.gpus) for (const d of c.gpus.devices) node.gpuUsed[d] += c.gpus.milli;
    node.containers.set(id, c);
    this.location.set(id, node.id);
    const image = normalizedImageName(spec.image);
    if (!node.images.has(image)) {
      node.images.add(image);
      node.imagesChanged = true;
    }
    this.run(node, c, false);
    return id;
  }

  /**
   * The container starts running (reported to the control plane with `report`): its own exit
   * (`sim.runFor`), crash loops and OOM checks are armed.
   */
  private run(node: SimNode, c: SimContainer, report: boolean): void {
    const spec = c.spec;
    c.state = 'running';
    c.startedAt = this.sim.now();
    if (spec.sim?.memory !== undefined) c.baseMemory = spec.sim.memory;
    this.version++;
    if (report) this.emit(node, c);
    // An init container runs to completion: without its own run time, the default one.
    const runFor = spec.sim?.runFor ?? (c.role === 'init' ? DEFAULT_INIT_RUN : undefined);
    if (runFor) {
      const code = spec.sim?.exitCode ?? 0;
      this.onNode(node, this.rBehavior.duration(runFor), () => {
        if (node.epoch !== c.epoch || c.state !== 'running') return;
        this.exit(node, c, code, code === 0 ? 'Completed' : 'Error');
      });
    }
    const loops = this.crashLoops.get(c.workloadId);
    if (loops) this.scheduleCrashLoopExit(node, c, loops[loops.length - 1]);
    this.scheduleOomCheck(node, c);
  }

  stopContainer(id: string): Promise<void> {
    return this.callFor<void>(id, 'stopContainer', (node, reply, fail) => {
      const c = node.containers.get(id);
      if (!c) return fail(containerNotFound(id));
      if (c.state === 'exited') return reply(undefined);
      if (c.state === 'creating') {
        this.exit(node, c, 143, 'Cancelled');
        return reply(undefined);
      }
      this.onNode(node, this.rLatency.duration(this.latency.stop), () => {
        if (node.epoch !== c.epoch) return;
        if (c.state !== 'exited') this.exit(node, c, 143, 'Stopped');
        reply(undefined);
      });
    });
  }

  removeContainer(id: string): Promise<void> {
    return this.callFor<void>(id, 'removeContainer', (node, reply, fail) => {
      const c = node.containers.get(id);
      if (!c) return fail(containerNotFound(id));
      if (c.state !== 'exited')
        return fail(new OrchestrationError('Runtime', `cannot remove container ${id}: it is ${c.state}`));
      node.containers.delete(id);
      this.location.delete(id);
      if (c.ip !== undefined) this.unrefPod(node, c.instanceId);
      this.version++;
      reply(undefined);
    });
  }

  getContainerStatus(id: string): Promise<ContainerStatus> {
    return this.callFor<ContainerStatus>(id, 'getContainerStatus', (node, reply, fail) => {
      const c = node.containers.get(id);
      if (!c) return fail(containerNotFound(id));
      reply(statusOf(c, node.skewMs));
    });
  }

  listContainers(nodeId: NodeId): Promise<ContainerStatus[]> {
    return this.call<ContainerStatus[]>(nodeId, 'listContainers', (node, reply) => {
      const list = [...node.containers.values()].map((c) => statusOf(c, node.skewMs));
      list.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      reply(list);
    });
  }

  watch(listener: (event: ContainerEvent) => void): Unsubscribe {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  // -------------------------------------------------------------------------------------------

  /** A call about a container, sent to the node that holds it; an unknown id is ContainerNotFound. */
  private callFor<T>(
    id: string,
    op: string,
    handler: (node: SimNode, reply: (v: T) => void, fail: (e: Error) => void) => void,
  ): Promise<T> {
    const nodeId = this.location.get(id);
    if (nodeId === undefined) return this.sim.after(0, () => { throw containerNotFound(id); });
    return this.call(nodeId, op, handler);
  }

  /**
   * A request to a node's agent. The handler runs on the node when the request arrives (if the
   * node is up) and answers with `reply` or `fail`; the answer travels back. No answer within
   * rpcTimeout rejects with NodeUnreachable.
   */
  private call<T>(
    nodeId: NodeId,
    op: string,
    handler: (node: SimNode, reply: (v: T) => void, fail: (e: Error) => void) => void,
  ): Promise<T> {
    const sim = this.sim;
    return new Promise<T>((resolve, reject) => {
      const target = this.nodes.get(nodeId);
      if (!target) {
        sim.schedule(0, () => sim.deliver(() => reject(nodeNotFound(nodeId))));
        return;
      }
      let settled = false;
      const pending: PendingTimeout = { fire: undefined };
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        pending.fire = undefined;
        sim.deliver(fn);
      };
      pending.fire = () => settle(() => reject(nodeUnreachable(target.name, `no answer to ${op} within ${this.cp.rpcTimeoutMs}ms`)));
      sim.schedule(this.cp.rpcTimeoutMs, timeoutEvent(pending));
      this.network.send(nodeId, 'down', 'rpc', () => {
        if (!target.up) return;
        const epoch = target.epoch;
        const answer = (fn: () => void) => {
          if (!target.up || target.epoch !== epoch) return;
          this.network.send(nodeId, 'up', 'rpc', () => settle(fn));
        };
        const handle = () => {
          if (!target.up || target.epoch !== epoch) return;
          handler(
            target,
            (v) => answer(() => resolve(v)),
            (e) => answer(() => reject(e)),
          );
        };
        if (target.frozen > 0) target.held.push(handle);
        else handle();
      });
    });
  }

  private withImage(node: SimNode, image: string, then: (err?: Error) => void): void {
    const cached = normalizedImageName(image);
    if (node.images.has(cached)) return then();
    const waiting = node.pulls.get(cached);
    if (waiting) {
      waiting.push(then);
      return;
    }
    const epoch = node.epoch;
    node.pulls.set(cached, [then]);
    let pullMs = this.rLatency.duration(this.latency.imagePull);
    for (const f of node.pullSlowdowns) pullMs *= f;
    this.onNode(node, Math.round(pullMs), () => {
      if (node.epoch !== epoch) return;
      const cbs = node.pulls.get(cached) ?? [];
      node.pulls.delete(cached);
      if (node.pullFailures.some((f) => f.image === undefined || f.image === image)) {
        const err = new OrchestrationError('ImagePullFailed', `node ${node.name} failed to pull ${image}`);
        for (const cb of cbs) cb(err);
        return;
      }
      node.images.add(cached);
      node.imagesChanged = true;
      for (const cb of cbs) cb();
    });
  }

  /**
   * The instance's address on the node (CNI ADD's IPAM step, done once per instance: its later
   * containers join the same network namespace). Undefined without a pod network.
   */
  private podAddress(node: SimNode, instanceId: string): { ok: true; ip: string } | { ok: false; error: string } | undefined {
    if (!this.ipam) return undefined;
    const held = this.ipam.rangeOf(node.name)?.addressOf(instanceId);
    if (held !== undefined && (node.podRefs.get(instanceId) ?? 0) > 0) return { ok: true, ip: formatIp(held) };
    return this.ipam.allocate(node.name, instanceId);
  }

  /** A container of the instance was removed: the last one's removal tears the network down (CNI DEL). */
  private unrefPod(node: SimNode, instanceId: string): void {
    const n = (node.podRefs.get(instanceId) ?? 0) - 1;
    if (n > 0) {
      node.podRefs.set(instanceId, n);
      return;
    }
    node.podRefs.delete(instanceId);
    this.ipam?.release(node.name, instanceId);
  }

  private release(node: SimNode, c: SimContainer): void {
    if (!c.accounted) return;
    c.accounted = false;
    addInto(node.used, c.spec.requests, -1);
    if (c.gpus) for (const d of c.gpus.devices) node.gpuUsed[d] -= c.gpus.milli;
  }

  private exit(node: SimNode, c: SimContainer, exitCode: number, reason: string): void {
    this.release(node, c);
    c.state = 'exited';
    c.exitCode = exitCode;
    c.reason = reason;
    c.finishedAt = this.sim.now();
    this.version++;
    this.emit(node, c);
  }

  /** The node's agent reports a container's state to the control plane. */
  private emit(node: SimNode, c: SimContainer): void {
    if (!node.up || this.listeners.length === 0) return;
    const ev: ContainerEvent = {
      containerId: c.id,
      name: c.name,
      nodeId: node.id,
      instanceId: c.instanceId,
      workloadId: c.workloadId,
      state: c.state,
      ...(c.exitCode !== undefined ? { exitCode: c.exitCode } : {}),
      ...(c.reason !== undefined ? { reason: c.reason } : {}),
      at: this.sim.now() + node.skewMs,
      ...(c.ip !== undefined ? { ip: c.ip } : {}),
    };
    this.network.send(node.id, 'up', 'status', () =>
      this.sim.deliver(() => {
        for (const l of this.listeners) l(ev);
      }),
    );
  }
}

/** A container's status as its node reports it (timestamps on the node's clock). */
function statusOf(c: SimContainer, skewMs: number): ContainerStatus {
  const s: { -readonly [K in keyof ContainerStatus]: ContainerStatus[K] } = {
    id: c.id,
    nodeId: c.nodeId,
    name: c.name,
    instanceId: c.instanceId,
    workloadId: c.workloadId,
    state: c.state,
    labels: { ...c.labels },
  };
  if (c.exitCode !== undefined) s.exitCode = c.exitCode;
  if (c.startedAt !== undefined) s.startedAt = c.startedAt + skewMs;
  if (c.finishedAt !== undefined) s.finishedAt = c.finishedAt + skewMs;
  if (c.reason !== undefined) s.reason = c.reason;
  if (c.ip !== undefined) s.ip = c.ip;
  return s;
}

/**
 * Device admission (like a GPU device plugin's Allocate): the instance's share must name `count`
 * distinct devices of the node, each with `milli` free. Returns the refusal's suffix (`Gpu`) or undefined.
 */
function gpuShortfall(node: SimNode, gpus: CreateContainerOptions['gpus']): string | undefined {
  if (gpus === undefined) return undefined;
  const { devices, milli } = gpus;
  if (devices.length !== gpus.count || new Set(devices).size !== devices.length) return 'Gpu';
  for (const d of devices) {
    if (!Number.isInteger(d) || d < 0 || d >= node.gpuUsed.length || node.gpuUsed[d] + milli > 1000) return 'Gpu';
  }
  return undefined;
}
