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
 *   after that long with `sim.exitCode` (0 = Completed, else Error). stop: `stop` latency → exited
 *   143 (a container still being created is cancelled at once). A node crash kills every container
 *   (exit 137, NodeCrashed) without telling anyone; when the node boots again its agent reports them.
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
import { addInto, firstShortfall } from '../../src/core/resources.js';
import type { ContainerSpec, NodeId } from '../../src/core/types.js';
import type { RandomStream } from '../../src/engine/random.js';
import type { Simulation } from '../../src/engine/simulation.js';
import type { ControlPlaneConfig, LatencyModel, NodeDef } from '../../src/scenario/types.js';
import { SimClusterManager } from './sim-cluster-manager.js';
import { SimNode, type SimContainer } from './sim-node.js';

export interface SimClusterOptions {
  readonly sim: Simulation;
  readonly latency: LatencyModel;
  readonly controlPlane: ControlPlaneConfig;
  /** Container ids. */
  readonly ids: IdSource;
}

export class SimCluster implements ContainerRuntime {
  readonly manager: SimClusterManager;
  private readonly nodes = new Map<NodeId, SimNode>();
  private readonly location = new Map<string, NodeId>();
  private readonly listeners: Array<(e: ContainerEvent) => void> = [];
  private readonly sim: Simulation;
  private readonly latency: LatencyModel;
  private readonly cp: ControlPlaneConfig;
  private readonly ids: IdSource;
  private readonly rLatency: RandomStream;
  private readonly rNetwork: RandomStream;
  private readonly rHeartbeat: RandomStream;
  private readonly rBehavior: RandomStream;
  /** Creates refused because the node was full: a scheduler or accounting bug when non-zero. */
  admissionRejections = 0;

  constructor(opts: SimClusterOptions) {
    this.sim = opts.sim;
    this.latency = opts.latency;
    this.cp = opts.controlPlane;
    this.ids = opts.ids;
    this.rLatency = this.sim.random.stream('sim.latency');
    this.rNetwork = this.sim.random.stream('sim.network');
    this.rHeartbeat = this.sim.random.stream('sim.heartbeat');
    this.rBehavior = this.sim.random.stream('sim.behavior');
    this.manager = new SimClusterManager(this.sim, this.cp);
  }

  // -------------------------------------------------------------------------------------------
  // The world (used by the scenario driver and fault injection)
  // -------------------------------------------------------------------------------------------

  /** Adds a node. `initial` nodes are Ready at once; later ones join with their first heartbeat. */
  addNode(def: NodeDef, initial: boolean): SimNode {
    if (this.nodes.has(def.name)) throw new Error(`node ${def.name} exists`);
    const node = new SimNode(def);
    this.nodes.set(node.id, node);
    this.manager.register(def, initial ? 'Ready' : 'Unknown');
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
    node.removed = true;
    this.nodes.delete(name);
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
    for (const c of node.containers.values()) {
      if (c.diedWithNode) {
        c.diedWithNode = false;
        this.emit(node, c);
      }
    }
    this.startHeartbeats(node, 0);
    return true;
  }

  /**
   * A running container of the workload's instance in `slot` exits with `exitCode`.
   * Returns the container's id, or undefined when no such container is running.
   */
  crashContainer(workload: string, slot: number, exitCode: number): string | undefined {
    const s = String(slot);
    for (const node of this.sortedNodes()) {
      if (!node.up) continue;
      for (const c of node.containers.values()) {
        if (c.state === 'running' && c.labels['slipway.workload'] === workload && c.labels['slipway.slot'] === s) {
          this.exit(node, c, exitCode, 'Crashed');
          return c.id;
        }
      }
    }
    return undefined;
  }

  node(name: string): SimNode | undefined {
    return this.nodes.get(name);
  }

  /** Nodes sorted by name. */
  sortedNodes(): SimNode[] {
    return [...this.nodes.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  private killNode(node: SimNode, reason: string): void {
    node.up = false;
    node.epoch++;
    node.pulls.clear();
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
      this.sim.schedule(this.net(), () => this.manager.heartbeat(node.id));
      this.sim.schedule(this.cp.heartbeatIntervalMs, beat);
    };
    this.sim.schedule(firstDelay, beat);
  }

  // -------------------------------------------------------------------------------------------
  // ContainerRuntime
  // -------------------------------------------------------------------------------------------

  initNode(nodeId: NodeId): Promise<void> {
    return this.call(nodeId, 'initNode', (_node, reply) => reply(undefined));
  }

  createContainer(spec: ContainerSpec, options: CreateContainerOptions): Promise<string> {
    return this.call<string>(options.nodeId, 'createContainer', (node, reply, fail) => {
      const short = firstShortfall(spec.requests, node.used, node.def.allocatable);
      if (short !== undefined) {
        this.admissionRejections++;
        fail(
          new OrchestrationError('InsufficientResources', `node ${node.name} refused container ${spec.name}: OutOf${short}`),
        );
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
      };
      addInto(node.used, spec.requests);
      node.containers.set(id, c);
      this.location.set(id, node.id);
      this.withImage(node, spec.image, () => {
        this.sim.schedule(this.rLatency.duration(this.latency.create), () => {
          if (node.epoch !== c.epoch || c.state !== 'creating') return;
          reply(id);
          this.sim.schedule(this.rLatency.duration(this.latency.start), () => {
            if (node.epoch !== c.epoch || c.state !== 'creating') return;
            c.state = 'running';
            c.startedAt = this.sim.now();
            this.emit(node, c);
            const runFor = spec.sim?.runFor;
            if (runFor) {
              const code = spec.sim?.exitCode ?? 0;
              this.sim.schedule(this.rBehavior.duration(runFor), () => {
                if (node.epoch !== c.epoch || c.state !== 'running') return;
                this.exit(node, c, code, code === 0 ? 'Completed' : 'Error');
              });
            }
          });
        });
      });
    });
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
      this.sim.schedule(this.rLatency.duration(this.latency.stop), () => {
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
      reply(undefined);
    });
  }

  getContainerStatus(id: string): Promise<ContainerStatus> {
    return this.callFor<ContainerStatus>(id, 'getContainerStatus', (node, reply, fail) => {
      const c = node.containers.get(id);
      if (!c) return fail(containerNotFound(id));
      reply(statusOf(c));
    });
  }

  listContainers(nodeId: NodeId): Promise<ContainerStatus[]> {
    return this.call<ContainerStatus[]>(nodeId, 'listContainers', (node, reply) => {
      const list = [...node.containers.values()].map(statusOf);
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

  private net(): number {
    return this.rNetwork.duration(this.latency.network);
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
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        sim.deliver(fn);
      };
      sim.schedule(this.cp.rpcTimeoutMs, () =>
        settle(() => reject(nodeUnreachable(target.name, `no answer to ${op} within ${this.cp.rpcTimeoutMs}ms`))),
      );
      sim.schedule(this.net(), () => {
        if (!target.up) return;
        const epoch = target.epoch;
        const answer = (fn: () => void) => {
          if (!target.up || target.epoch !== epoch) return;
          sim.schedule(this.net(), () => settle(fn));
        };
        handler(
          target,
          (v) => answer(() => resolve(v)),
          (e) => answer(() => reject(e)),
        );
      });
    });
  }

  private withImage(node: SimNode, image: string, then: () => void): void {
    if (node.images.has(image)) return then();
    const waiting = node.pulls.get(image);
    if (waiting) {
      waiting.push(then);
      return;
    }
    const epoch = node.epoch;
    node.pulls.set(image, [then]);
    this.sim.schedule(this.rLatency.duration(this.latency.imagePull), () => {
      if (node.epoch !== epoch) return;
      node.images.add(image);
      const cbs = node.pulls.get(image) ?? [];
      node.pulls.delete(image);
      for (const cb of cbs) cb();
    });
  }

  private release(node: SimNode, c: SimContainer): void {
    if (!c.accounted) return;
    c.accounted = false;
    addInto(node.used, c.spec.requests, -1);
  }

  private exit(node: SimNode, c: SimContainer, exitCode: number, reason: string): void {
    this.release(node, c);
    c.state = 'exited';
    c.exitCode = exitCode;
    c.reason = reason;
    c.finishedAt = this.sim.now();
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
      at: this.sim.now(),
    };
    this.sim.schedule(this.net(), () =>
      this.sim.deliver(() => {
        for (const l of this.listeners) l(ev);
      }),
    );
  }
}

function statusOf(c: SimContainer): ContainerStatus {
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
  if (c.startedAt !== undefined) s.startedAt = c.startedAt;
  if (c.finishedAt !== undefined) s.finishedAt = c.finishedAt;
  if (c.reason !== undefined) s.reason = c.reason;
  return s;
}
