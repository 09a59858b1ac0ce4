/**
 * ContainerRuntime on Docker engines (one engine = one node), through dockerode.
 *
 * Mapping of a ContainerSpec (see docs/live-backends.md):
 *   command → Entrypoint, args → Cmd, env → Env, ports → ExposedPorts/PortBindings,
 *   limits.cpu (millicores) → NanoCpus = cpu × 10⁶, limits.memory → Memory (bytes),
 *   requests.cpu → CpuShares = max(2, cpu × 1024 / 1000), requests.memory → MemoryReservation.
 * Docker's restart policy is "no": restarts are the reconciler's. Containers are named
 * `slipway-<instance>-<container>` and labelled with Slipway's ids (workload, instance, slot,
 * generation, container name, node, cluster), so a restarted control plane can adopt them. Only
 * containers with a `slipway.instance` label, the node's `slipway.node` label and the runtime's
 * `slipway.cluster` identity are listed, watched and located: other containers on a shared engine
 * (another tool's, another Slipway node's, another Slipway cluster's) are never touched.
 *
 * Networking: a node with `bridge: {subnet}` puts its instances on a user-defined bridge network
 * of its engine, `slipway-<6 hex of sha256(identity)>-<node>` with that subnet, which Slipway
 * creates on the first create (labelled `slipway.cluster`, `slipway.node`, `slipway.network`) and
 * removes when its last container is removed. An instance's address is its container's
 * `NetworkSettings.Networks[<network>].IPAddress`. `network: none` (or any mode) stays possible.
 *
 * State changes arrive from the engine's event stream (`start` → running, `die` → exited with
 * the exit code); a lost stream is reopened, and the orchestrator's resync covers the gap.
 */
import type {
  Clock,
  ContainerEvent,
  ContainerRuntime,
  ContainerStatus,
  CreateContainerOptions,
  Unsubscribe,
} from '../../src/core/interfaces.js';
import { createHash } from 'node:crypto';
import { containerNotFound, nodeNotFound, nodeUnreachable, OrchestrationError } from '../../src/core/errors.js';
import type { ContainerSpec, ContainerState, NodeId } from '../../src/core/types.js';
import {
  connectDocker,
  connectDockerStream,
  type DockerApi,
  type DockerContainerSummary,
  type DockerCreateOptions,
  type DockerEndpoint,
} from './docker-api.js';

export interface DockerNodeConfig {
  readonly id: NodeId;
  /** `unix:///run/slipway/e1.sock`, `tcp://10.0.0.5:2375`. */
  readonly host: string;
  /** Docker network mode for containers (`none`, `bridge`, `host`, a network name); engine default when absent. */
  readonly network?: string;
  /**
   * A user-defined bridge network Slipway manages on the engine for this node's instances, with
   * this IPv4 subnet (the node's pod CIDR). Excludes `network`.
   */
  readonly bridge?: { readonly subnet: string };
}

export interface DockerRuntimeOptions {
  readonly nodes: readonly DockerNodeConfig[];
  readonly clock: Clock;
  /** Bound on every API call; a call that takes longer fails with NodeUnreachable. */
  readonly callTimeoutMs?: number;
  /** Seconds between SIGTERM and SIGKILL when stopping. */
  readonly stopGraceSeconds?: number;
  /**
   * The cluster identity (a live run's `--identity`, by default its scenario's name): every
   * container created carries it as `slipway.cluster`, and only containers carrying it are seen.
   * Default `default`.
   */
  readonly cluster?: string;
}

/** The labels Slipway puts on its containers. */
export const LABEL = {
  workload: 'slipway.workload',
  workloadId: 'slipway.workload-id',
  instance: 'slipway.instance',
  slot: 'slipway.slot',
  generation: 'slipway.generation',
  container: 'slipway.container',
  node: 'slipway.node',
  cluster: 'slipway.cluster',
} as const;

/** The identity of runtimes given none. */
export const DEFAULT_CLUSTER = 'default';

interface DockerNode {
  readonly config: DockerNodeConfig;
  readonly api: DockerApi;
  stream?: NodeJS.ReadableStream;
  watching: boolean;
  /** The managed bridge network's name (with `bridge`). */
  readonly networkName?: string;
  /** Network create/remove, one at a time per node; creates in flight keep the network. */
  netQueue: Promise<unknown>;
  creating: number;
  /** Engine events being delivered, in order (a start on a managed network waits for its address). */
  events: Promise<void>;
}

interface HttpError {
  statusCode?: number;
  code?: string;
  message?: string;
  json?: { message?: string };
}

export class DockerRuntime implements ContainerRuntime {
  private readonly nodes = new Map<NodeId, DockerNode>();
  private readonly location = new Map<string, NodeId>();
  private readonly stopping = new Set<string>();
  private readonly listeners: Array<(e: ContainerEvent) => void> = [];
  private readonly clock: Clock;
  private readonly grace: number;
  /** This runtime's cluster identity (`slipway.cluster`). */
  readonly cluster: string;
  private closed = false;

  constructor(opts: DockerRuntimeOptions) {
    this.clock = opts.clock;
    this.cluster = opts.cluster ?? DEFAULT_CLUSTER;
    this.grace = opts.stopGraceSeconds ?? 2;
    for (const n of opts.nodes) {
      this.nodes.set(n.id, {
        config: n,
        api: connectDocker(n.host, opts.callTimeoutMs ?? 10_000),
        watching: false,
        ...(n.bridge ? { networkName: managedNetworkName(this.cluster, n.id) } : {}),
        netQueue: Promise.resolve(),
        creating: 0,
        events: Promise.resolve(),
      });
    }
  }

  /** The name of the bridge network Slipway manages for the node (undefined without `bridge`). */
  networkName(nodeId: NodeId): string | undefined {
    return this.node(nodeId).networkName;
  }

  /** The engine client of a node (the cluster manager and fault injection use it). */
  api(nodeId: NodeId): DockerApi {
    const n = this.nodes.get(nodeId);
    if (!n) throw nodeNotFound(nodeId);
    return n.api;
  }

  async initNode(nodeId: NodeId): Promise<void> {
    const node = this.node(nodeId);
    await this.call(nodeId, () => node.api.ping());
    if (!node.watching) {
      node.watching = true;
      this.openEvents(node);
    }
  }

  async createContainer(spec: ContainerSpec, options: CreateContainerOptions): Promise<string> {
    const node = this.node(options.nodeId);
    if (node.networkName === undefined) return this.create(node, spec, options, node.config.network);
    node.creating++;
    try {
      await this.ensureNetwork(node);
      return await this.create(node, spec, options, node.networkName);
    } finally {
      node.creating--;
    }
  }

  private async create(node: DockerNode, spec: ContainerSpec, options: CreateContainerOptions, network: string | undefined): Promise<string> {
    const name = containerName(options.instanceId, spec.name);
    const create = dockerCreateOptions(spec, options, name, network, this.cluster);
    let id: string;
    try {
      id = (await this.call(options.nodeId, () => node.api.createContainer(create))).id;
    } catch (e) {
      const err = e as OrchestrationError & { cause?: HttpError };
      const status = err.cause?.statusCode;
      if (status === 404) {
        await this.pull(node, spec.image);
        id = (await this.call(options.nodeId, () => node.api.createContainer(create))).id;
      } else if (status === 409) {
        // Created before (a retried call, or a restarted control plane): the name is the key —
        // but only a container of this cluster is ours to take.
        const found = await this.call(options.nodeId, () => node.api.getContainer(name).inspect());
        if (found.Config.Labels?.[LABEL.cluster] !== this.cluster)
          throw new OrchestrationError('Runtime', `${options.nodeId}: a container named ${name} exists and belongs to cluster "${found.Config.Labels?.[LABEL.cluster] ?? '(none)'}", not "${this.cluster}"`);
        id = found.Id;
      } else throw e;
    }
    this.location.set(id, options.nodeId);
    try {
      await this.call(options.nodeId, () => node.api.getContainer(id).start());
    } catch (e) {
      const err = e as OrchestrationError & { cause?: HttpError };
      if (err.cause?.statusCode !== 304) throw new OrchestrationError('Runtime', `start ${name}: ${err.message}`);
    }
    return id;
  }

  async stopContainer(id: string): Promise<void> {
    const nodeId = await this.locate(id);
    const api = this.node(nodeId).api;
    this.stopping.add(id);
    try {
      await this.call(nodeId, () => api.getContainer(id).stop({ t: this.grace }), { notFound: id });
    } catch (e) {
      if ((e as { cause?: HttpError }).cause?.statusCode === 304) return; // already stopped
      throw e;
    }
  }

  async removeContainer(id: string): Promise<void> {
    const nodeId = await this.locate(id);
    const api = this.node(nodeId).api;
    const st = await this.getContainerStatus(id);
    if (st.state === 'running' || st.state === 'paused') throw new OrchestrationError('Runtime', `cannot remove container ${id}: it is running`);
    await this.call(nodeId, () => api.getContainer(id).remove({ force: true, v: true }), { notFound: id });
    this.location.delete(id);
    this.stopping.delete(id);
    const node = this.node(nodeId);
    if (node.networkName !== undefined) await this.removeNetworkIfUnused(node);
  }

  /** Creates the node's bridge network unless it exists (then it must be this cluster's, with the subnet). */
  private ensureNetwork(node: DockerNode): Promise<void> {
    return this.onNetQueue(node, async () => {
      const name = node.networkName!;
      const subnet = node.config.bridge!.subnet;
      const id = node.config.id;
      const found = (await this.call(id, () => node.api.listNetworks({ filters: JSON.stringify({ name: [name] }) }))).find((n) => n.Name === name);
      if (found) {
        const subnets = (found.IPAM.Config ?? []).map((c) => c.Subnet);
        if (found.Labels?.[LABEL.cluster] !== this.cluster || !subnets.includes(subnet))
          throw new OrchestrationError(
            'Runtime',
            `${id}: network ${name} exists with subnet ${subnets.join(',') || '(none)'} and cluster "${found.Labels?.[LABEL.cluster] ?? '(none)'}", not ${subnet} and "${this.cluster}"`,
          );
        return;
      }
      try {
        await this.call(id, () =>
          node.api.createNetwork({
            Name: name,
            CheckDuplicate: true,
            Driver: 'bridge',
            IPAM: { Driver: 'default', Config: [{ Subnet: subnet }] },
            Labels: { [LABEL.cluster]: this.cluster, [LABEL.node]: id, 'slipway.network': subnet },
          }),
        );
      } catch (e) {
        throw new OrchestrationError('Runtime', `${id}: cannot create network ${name} (${subnet}): ${(e as Error).message}`);
      }
    });
  }

  /** Removes the node's bridge network when no container is on it and no create is in flight. */
  private removeNetworkIfUnused(node: DockerNode): Promise<void> {
    return this.onNetQueue(node, async () => {
      if (node.creating > 0) return;
      const id = node.config.id;
      const name = node.networkName!;
      const found = (await this.call(id, () => node.api.listNetworks({ filters: JSON.stringify({ name: [name] }) }))).find((n) => n.Name === name);
      if (!found || found.Labels?.[LABEL.cluster] !== this.cluster) return;
      const info = await this.call(id, () => node.api.getNetwork(found.Id).inspect());
      if (Object.keys(info.Containers ?? {}).length > 0) return;
      // a container created but never started is not listed on the network: ask for them too
      const ours = await this.call(id, () =>
        node.api.listContainers({ all: true, filters: JSON.stringify({ network: [name] }) }),
      );
      if (ours.length > 0) return;
      await this.call(id, () => node.api.getNetwork(found.Id).remove()).catch(() => undefined);
    });
  }

  private onNetQueue<T>(node: DockerNode, fn: () => Promise<T>): Promise<T> {
    const next = node.netQueue.catch(() => undefined).then(fn);
    node.netQueue = next;
    return next;
  }

  async getContainerStatus(id: string): Promise<ContainerStatus> {
    const nodeId = await this.locate(id);
    const api = this.node(nodeId).api;
    const info = await this.call(nodeId, () => api.getContainer(id).inspect(), { notFound: id });
    const labels = info.Config.Labels ?? {};
    const state = mapState(info.State.Status);
    const exitCode = state === 'exited' ? info.State.ExitCode : undefined;
    return statusFrom({
      id: info.Id,
      nodeId,
      labels,
      state,
      exitCode,
      reason: exitCode === undefined ? undefined : this.reasonFor(info.Id, exitCode, info.State.OOMKilled),
      ip: state === 'running' ? ipOn(this.node(nodeId).networkName, info.NetworkSettings?.Networks) : undefined,
    });
  }

  async listContainers(nodeId: NodeId): Promise<ContainerStatus[]> {
    const api = this.node(nodeId).api;
    const list = await this.call(nodeId, () =>
      // Several nodes may share an engine: each sees only the containers labelled with its name.
      api.listContainers({ all: true, filters: JSON.stringify({ label: [LABEL.instance, `${LABEL.node}=${nodeId}`, `${LABEL.cluster}=${this.cluster}`] }) }),
    );
    const out: ContainerStatus[] = [];
    for (const c of list) {
      this.location.set(c.Id, nodeId);
      const state = mapState(c.State);
      let exitCode: number | undefined;
      if (state === 'exited') exitCode = (await this.getContainerStatus(c.Id).catch(() => undefined))?.exitCode;
      out.push(
        statusFrom({
          id: c.Id,
          nodeId,
          labels: c.Labels,
          state,
          exitCode,
          reason: exitCode === undefined ? undefined : this.reasonFor(c.Id, exitCode, false),
          ip: state === 'running' ? ipOn(this.node(nodeId).networkName, c.NetworkSettings?.Networks) : undefined,
        }),
      );
    }
    return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  watch(listener: (event: ContainerEvent) => void): Unsubscribe {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** Closes the event streams (containers keep running). */
  close(): void {
    this.closed = true;
    for (const n of this.nodes.values()) {
      const s = n.stream as (NodeJS.ReadableStream & { destroy?: () => void }) | undefined;
      s?.destroy?.();
      n.stream = undefined;
      n.watching = false;
    }
  }

  /** Kills a container with a signal (fault injection: a container killed from outside). */
  async kill(id: string, signal = 'KILL'): Promise<void> {
    const nodeId = await this.locate(id);
    await this.call(nodeId, () => this.node(nodeId).api.getContainer(id).kill({ signal }), { notFound: id });
  }

  // -------------------------------------------------------------------------------------------

  private node(id: NodeId): DockerNode {
    const n = this.nodes.get(id);
    if (!n) throw nodeNotFound(id);
    return n;
  }

  /** The node holding a container: remembered, else asked of every engine (in node order). */
  private async locate(id: string): Promise<NodeId> {
    const known = this.location.get(id);
    if (known !== undefined) return known;
    for (const [nodeId, n] of this.nodes) {
      try {
        const info = await n.api.getContainer(id).inspect();
        if ((info.Config.Labels?.[LABEL.node] ?? nodeId) !== nodeId) continue; // another node on a shared engine
        if (info.Config.Labels?.[LABEL.cluster] !== this.cluster) continue; // another cluster's
        this.location.set(id, nodeId);
        return nodeId;
      } catch {
        // not there, or the engine is down: try the next one
      }
    }
    throw containerNotFound(id);
  }

  private reasonFor(id: string, exitCode: number, oom: boolean): string {
    if (oom) return 'OOMKilled';
    if (this.stopping.has(id)) return 'Stopped';
    return exitCode === 0 ? 'Completed' : 'Error';
  }

  /** Runs an API call; transport failures become NodeUnreachable, 404 ContainerNotFound (when asked). */
  private async call<T>(nodeId: NodeId, fn: () => Promise<T>, opts: { notFound?: string } = {}): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      const err = e as HttpError;
      if (err.statusCode === undefined) {
        throw nodeUnreachable(nodeId, err.code ?? err.message ?? String(e));
      }
      if (err.statusCode === 404 && opts.notFound !== undefined) throw containerNotFound(opts.notFound);
      const msg = err.json?.message ?? err.message ?? `HTTP ${err.statusCode}`;
      const wrapped = new OrchestrationError('Runtime', `${nodeId}: ${msg}`);
      (wrapped as { cause?: unknown }).cause = err;
      throw wrapped;
    }
  }

  private async pull(node: DockerNode, image: string): Promise<void> {
    try {
      const stream = await node.api.pull(image);
      await new Promise<void>((resolve, reject) => node.api.modem.followProgress(stream, (err) => (err ? reject(err) : resolve())));
    } catch (e) {
      throw new OrchestrationError('ImagePullFailed', `image ${image} is not on ${node.config.id} and could not be pulled: ${(e as Error).message}`);
    }
  }

  private openEvents(node: DockerNode): void {
    if (this.closed || !node.watching) return;
    const stream = connectDockerStream(node.config.host);
    const filters = JSON.stringify({ type: ['container'], label: [LABEL.instance, `${LABEL.cluster}=${this.cluster}`], event: ['start', 'die', 'pause', 'unpause'] });
    const retry = () => {
      if (node.stream !== undefined) node.stream = undefined;
      if (!this.closed && node.watching) setTimeout(() => this.openEvents(node), 1_000).unref();
    };
    stream
      .getEvents({ filters })
      .then((s) => {
        if (this.closed) {
          (s as unknown as { destroy(): void }).destroy();
          return;
        }
        node.stream = s;
        let buf = '';
        s.on('data', (chunk: Buffer) => {
          buf += chunk.toString('utf8');
          let nl: number;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, nl).trim();
            buf = buf.slice(nl + 1);
            if (line) this.onEngineEvent(node, line);
          }
        });
        s.on('error', () => undefined);
        s.on('close', retry);
        s.on('end', retry);
      })
      .catch(retry);
  }

  private onEngineEvent(node: DockerNode, line: string): void {
    let ev: { status?: string; Action?: string; id?: string; Actor?: { ID?: string; Attributes?: Record<string, string> } };
    try {
      ev = JSON.parse(line);
    } catch {
      return;
    }
    const action = ev.Action ?? ev.status;
    const id = ev.Actor?.ID ?? ev.id;
    const attrs = ev.Actor?.Attributes ?? {};
    if (id === undefined || action === undefined || !Object.hasOwn(EVENT_STATES, action)) return;
    if ((attrs[LABEL.node] ?? node.config.id) !== node.config.id) return; // another node's, on a shared engine
    if (attrs[LABEL.cluster] !== this.cluster) return; // another cluster's
    this.location.set(id, node.config.id);
    const exitCode = action === 'die' ? Number(attrs.exitCode ?? 'NaN') : undefined;
    const event: ContainerEvent = {
      containerId: id,
      name: attrs[LABEL.container] ?? '',
      nodeId: node.config.id,
      instanceId: attrs[LABEL.instance] ?? '',
      workloadId: attrs[LABEL.workloadId] ?? attrs[LABEL.workload] ?? '',
      state: EVENT_STATES[action],
      ...(exitCode !== undefined && Number.isFinite(exitCode)
        ? { exitCode, reason: this.reasonFor(id, exitCode, false) }
        : {}),
      at: this.clock.now(),
    };
    const deliver = (e: ContainerEvent) => {
      for (const l of [...this.listeners]) l(e);
    };
    if (node.networkName === undefined || action !== 'start') {
      node.events = node.events.then(() => deliver(event));
      return;
    }
    // `start` carries no address: ask the engine, keeping the events of the node in order.
    const api = node.api;
    const network = node.networkName;
    node.events = node.events.then(async () => {
      const info = await api.getContainer(id).inspect().catch(() => undefined);
      const ip = ipOn(network, info?.NetworkSettings?.Networks);
      deliver(ip !== undefined ? { ...event, ip } : event);
    });
  }
}

export function containerName(instanceId: string, container: string): string {
  return `slipway-${instanceId}-${container}`.replace(/[^a-zA-Z0-9_.-]/g, '_');
}

function dockerCreateOptions(
  spec: ContainerSpec,
  options: CreateContainerOptions,
  name: string,
  network: string | undefined,
  cluster: string,
): DockerCreateOptions {
  const exposed: Record<string, object> = {};
  const bindings: Record<string, Array<{ HostPort: string }>> = {};
  for (const p of spec.ports) {
    const key = `${p.containerPort}/${p.protocol}`;
    exposed[key] = {};
    if (p.hostPort !== undefined) bindings[key] = [{ HostPort: String(p.hostPort) }];
  }
  const env = Object.keys(spec.env)
    .sort()
    .map((k) => `${k}=${spec.env[k]}`);
  return {
    name,
    Image: spec.image,
    ...(spec.command !== undefined ? { Entrypoint: [...spec.command] } : {}),
    ...(spec.args !== undefined ? { Cmd: [...spec.args] } : {}),
    Env: env,
    Labels: {
      ...options.labels,
      [LABEL.workloadId]: options.workloadId,
      [LABEL.instance]: options.instanceId,
      [LABEL.container]: spec.name,
      [LABEL.node]: options.nodeId,
      [LABEL.cluster]: cluster,
    },
    ExposedPorts: exposed,
    HostConfig: {
      ...(spec.limits.cpu > 0 ? { NanoCpus: spec.limits.cpu * 1_000_000 } : {}),
      ...(spec.requests.cpu > 0 ? { CpuShares: Math.max(2, Math.round((spec.requests.cpu * 1024) / 1000)) } : {}),
      ...(spec.limits.memory > 0 ? { Memory: spec.limits.memory } : {}),
      ...(spec.requests.memory > 0 && (spec.limits.memory === 0 || spec.requests.memory <= spec.limits.memory)
        ? { MemoryReservation: spec.requests.memory }
        : {}),
      RestartPolicy: { Name: 'no' },
      ...(network !== undefined ? { NetworkMode: network } : {}),
      ...(Object.keys(bindings).length > 0 ? { PortBindings: bindings } : {}),
    },
  };
}

/** The engine's container events Slipway follows, and the state each one means. */
const EVENT_STATES: Readonly<Record<string, ContainerState>> = { start: 'running', die: 'exited', pause: 'paused', unpause: 'running' };

function mapState(s: string): ContainerState {
  switch (s) {
    case 'created':
      return 'creating';
    case 'running':
    case 'restarting':
      return 'running';
    case 'paused':
      return 'paused'; // `docker pause`: frozen (State.Paused), its instance not ready
    case 'exited':
    case 'dead':
    case 'removing':
      return 'exited';
    default:
      return 'unknown';
  }
}

function statusFrom(x: {
  id: string;
  nodeId: NodeId;
  labels: Readonly<Record<string, string>>;
  state: ContainerState;
  exitCode?: number;
  reason?: string;
  ip?: string;
}): ContainerStatus {
  return {
    id: x.id,
    nodeId: x.nodeId,
    name: x.labels[LABEL.container] ?? '',
    instanceId: x.labels[LABEL.instance] ?? '',
    workloadId: x.labels[LABEL.workloadId] ?? x.labels[LABEL.workload] ?? '',
    state: x.state,
    labels: { ...x.labels },
    ...(x.exitCode !== undefined ? { exitCode: x.exitCode } : {}),
    ...(x.reason !== undefined ? { reason: x.reason } : {}),
    ...(x.ip !== undefined ? { ip: x.ip } : {}),
  };
}

/** `slipway-<6 hex of sha256(identity)>-<node>`: one network per cluster and node on an engine. */
export function managedNetworkName(cluster: string, nodeId: NodeId): string {
  return `slipway-${createHash('sha256').update(cluster).digest('hex').slice(0, 6)}-${nodeId}`.replace(/[^a-zA-Z0-9_.-]/g, '_');
}

/** The container's address on `network` (undefined when it has none there). */
function ipOn(network: string | undefined, networks: Readonly<Record<string, DockerEndpoint>> | null | undefined): string | undefined {
  if (network === undefined) return undefined;
  const ip = networks?.[network]?.IPAddress;
  return ip !== undefined && ip !== '' ? ip : undefined;
}

export type { DockerContainerSummary };
