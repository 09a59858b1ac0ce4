/**
 * ContainerRuntime that drives an OCI runtime with youki's command line (`youki` by default;
 * `runc` and `crun` take the same commands): per node a state directory (`--root`) and a bundles
 * directory. A container is a bundle `<bundles>/<id>/` holding
 *   rootfs/       a copy of the node's rootfs directory
 *   config.json   generated from the ContainerSpec (oci-config.ts)
 *   slipway/      labels.json (Slipway's ids, for listing and adoption), the static busybox the
 *                 exit-code wrapper runs, and `exit` once the process is gone
 *   log           the container's stdout and stderr
 * and is driven with `create`, `start`, `state`/`list`, `kill` and `delete`. Ids are
 * `<instance>-<container>`, so a repeated create (a restarted control plane) finds the existing one.
 * States are polled (`list --format json`, every `pollIntervalMs`); a change is a watch event.
 */
import { execFile, spawn } from 'node:child_process';
import { closeSync, copyFileSync, cpSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type {
  Clock,
  ContainerEvent,
  ContainerRuntime,
  ContainerStatus,
  CreateContainerOptions,
  Unsubscribe,
} from '../../src/core/interfaces.js';
import { containerNotFound, nodeNotFound, nodeUnreachable, OrchestrationError } from '../../src/core/errors.js';
import type { ContainerSpec, ContainerState, NodeId } from '../../src/core/types.js';
import { connectDocker } from '../docker/docker-api.js';
import { ociConfig } from './oci-config.js';
import { OciNetwork, type NetworkGcReport, type OciNetworkConfig } from './oci-network.js';

export interface OciNodeConfig {
  readonly id: NodeId;
  /** `youki`, `runc`, `crun`, or a path. */
  readonly runtime: string;
  /** The runtime's `--root` state directory. */
  readonly root: string;
  /** The rootfs directory bundles are copied from (for every image). */
  readonly rootfs?: string;
  /** Without `rootfs`: a Docker engine to export each image's filesystem from (cached per image under `<root>/images/`). */
  readonly exportFrom?: string;
  /** Default `<root>/bundles`. */
  readonly bundles?: string;
  /** CNI networking (oci-network.ts): per instance a namespace on the node's bridge and subnet. Without it, no network. */
  readonly network?: OciNetworkConfig;
}

export interface OciRuntimeOptions {
  readonly nodes: readonly OciNodeConfig[];
  readonly clock: Clock;
  readonly pollIntervalMs?: number;
  /** From SIGTERM to SIGKILL when stopping. */
  readonly stopGraceMs?: number;
  /** A static busybox on the host, copied into each bundle for the exit-code wrapper. */
  readonly busybox?: string;
  /** Bound on each runtime command. */
  readonly commandTimeoutMs?: number;
  /** The cluster identity (`slipway.cluster` in labels.json): only its containers are seen. Default `default`. */
  readonly cluster?: string;
  /** How often (at most) each running instance's network gets a CNI CHECK during polling. Default 10 s. */
  readonly networkCheckIntervalMs?: number;
}

interface OciNode {
  readonly config: OciNodeConfig;
  readonly bundles: string;
  /** Last seen state per container id (for watch events). */
  readonly seen: Map<string, ContainerState>;
  polling: boolean;
  readonly network?: OciNetwork;
  /** Last CNI CHECK per instance (clock ms). */
  readonly checked: Map<string, number>;
  /** What the last garbage collection (at initNode) removed. */
  gc?: NetworkGcReport;
  /** The garbage collection, run once, before the node's first attach. */
  gcDone?: Promise<void>;
}

interface OciState {
  readonly id: string;
  readonly status: string;
  readonly pid?: number;
}

interface Labels {
  readonly [key: string]: string;
}

export class OciRuntime implements ContainerRuntime {
  private readonly nodes = new Map<NodeId, OciNode>();
  private readonly listeners: Array<(e: ContainerEvent) => void> = [];
  private readonly killed = new Set<string>();
  private readonly stopped = new Set<string>();
  /** Bundles being built or created: the runtime does not list them yet, and they are not exited. */
  private readonly inCreation = new Set<string>();
  /** Bundles left after the runtime said (`state`) it does not know the container: exited, not asked again. */
  private readonly unknownToRuntime = new Set<string>();
  private readonly clock: Clock;
  private readonly poll: number;
  private readonly grace: number;
  private readonly busybox: string;
  private readonly timeout: number;
  private readonly checkEvery: number;
  /** Containers killed because their instance's network failed CHECK, with the plugin's message. */
  private readonly networkLost = new Map<string, string>();
  private cancelPoll: (() => void) | undefined;
  /** The poll in flight, if any. */
  private polling: Promise<void> | undefined;
  /** Runtime commands started and not ended yet: `close` waits for them. */
  private readonly commands = new Set<Promise<string>>();
  /** Image exports in progress, by target directory (concurrent creates share one). */
  private readonly exports = new Map<string, Promise<void>>();
  private closed = false;
  /** This runtime's cluster identity. */
  readonly cluster: string;

  constructor(opts: OciRuntimeOptions) {
    this.clock = opts.clock;
    this.cluster = opts.cluster ?? 'default';
    this.poll = opts.pollIntervalMs ?? 250;
    this.grace = opts.stopGraceMs ?? 2_000;
    this.busybox = opts.busybox ?? '/bin/busybox';
    this.timeout = opts.commandTimeoutMs ?? 10_000;
    this.checkEvery = opts.networkCheckIntervalMs ?? 10_000;
    for (const n of opts.nodes) {
      const network = n.network ? new OciNetwork({ nodeId: n.id, identity: this.cluster, root: n.root, config: n.network }) : undefined;
      this.nodes.set(n.id, {
        config: n,
        bundles: resolve(n.bundles ?? join(n.root, 'bundles')),
        seen: new Map(),
        polling: false,
        checked: new Map(),
        ...(network ? { network } : {}),
      });
    }
  }

  /** A node's CNI network (undefined without `network`). */
  network(nodeId: NodeId): OciNetwork | undefined {
    return this.node(nodeId).network;
  }

  /** What the garbage collection at the node's initNode removed (namespaces, attachments). */
  lastGc(nodeId: NodeId): NetworkGcReport | undefined {
    return this.node(nodeId).gc;
  }

  /** Resolves when the node's runtime answers `list`. */
  async probe(nodeId: NodeId): Promise<void> {
    await this.list(this.node(nodeId));
  }

  async initNode(nodeId: NodeId): Promise<void> {
    const node = this.node(nodeId);
    mkdirSync(node.config.root, { recursive: true });
    mkdirSync(node.bundles, { recursive: true });
    await this.list(node);
    if (node.network) await this.collect(node);
    if (!node.polling) {
      node.polling = true;
      this.schedulePoll();
    }
  }

  async createContainer(spec: ContainerSpec, options: CreateContainerOptions): Promise<string> {
    const node = this.node(options.nodeId);
    const id = containerId(options.instanceId, spec.name);
    if ((await this.stateOf(node, id)) !== undefined) return id;
    if ((spec.command?.length ?? 0) + (spec.args?.length ?? 0) === 0)
      throw new OrchestrationError('Runtime', `container ${spec.name}: the OCI backend needs a command or args (a rootfs has no default command)`);
    // Until a runtime listing shows it, a new container is `creating` (a listing taken before
    // `create` finished must not make it look exited).
    const rootfs = await this.rootfsFor(node, spec.image);
    this.inCreation.add(id);
    let netns: string | undefined;
    try {
      if (node.network) {
        await this.collect(node);
        netns = (await node.network.attach(options.instanceId, spec.ports)).netns;
      }
      await this.build(node, spec, options, id, rootfs, netns);
    } catch (e) {
      this.inCreation.delete(id);
      if (node.network && !this.instanceHasBundle(node, options.instanceId)) await node.network.detach(options.instanceId).catch(() => undefined);
      throw e;
    }
    node.seen.set(id, 'creating');
    await this.exec(node, ['start', id]);
    return id;
  }

  /**
   * Garbage collection of the node's network, once per runtime, before any attach (an attach
   * running meanwhile would look unowned): what a killed Slipway left — namespaces, attachments
   * and reservations that no bundle of this cluster on this node accounts for. (A bundle left
   * half-made is an exited container: its removal detaches its network.)
   */
  private collect(node: OciNode): Promise<void> {
    node.gcDone ??= (async () => {
      const owned = new Set((await this.listContainers(node.config.id)).map((c) => c.instanceId));
      node.gc = await node.network!.gc(owned);
    })().catch((e: unknown) => {
      node.gcDone = undefined; // tried again at the next initNode or create
      throw e;
    });
    return node.gcDone;
  }

  /** Writes the bundle and runs `create`. */
  /**
   * The directory a container's root filesystem is copied from: the node's `rootfs`, or the image
   * exported from `exportFrom` (`docker create` + `export`, unpacked with tar; once per image).
   */
  private async rootfsFor(node: OciNode, image: string): Promise<string> {
    const { rootfs, exportFrom } = node.config;
    if (rootfs !== undefined) {
      if (!existsSync(rootfs)) throw new OrchestrationError('ImagePullFailed', `${node.config.id}: rootfs ${rootfs} for image ${image} does not exist`);
      return rootfs;
    }
    if (exportFrom === undefined) throw new OrchestrationError('Config', `${node.config.id}: no rootfs and no exportFrom`);
    const dir = join(resolve(node.config.root), 'images', image.replace(/[^a-zA-Z0-9_.-]/g, '_'));
    if (existsSync(join(dir, '.slipway-complete'))) return dir;
    let pending = this.exports.get(dir);
    if (!pending) {
      pending = exportImage(exportFrom, image, dir).finally(() => this.exports.delete(dir));
      this.exports.set(dir, pending);
    }
    await pending;
    return dir;
  }

  private async build(node: OciNode, spec: ContainerSpec, options: CreateContainerOptions, id: string, rootfs: string, netns: string | undefined): Promise<void> {
    const bundle = join(node.bundles, id);
    rmSync(bundle, { recursive: true, force: true });
    this.unknownToRuntime.delete(id);
    const statusDir = join(bundle, 'slipway');
    mkdirSync(statusDir, { recursive: true });
    cpSync(rootfs, join(bundle, 'rootfs'), { recursive: true, verbatimSymlinks: true });
    copyFileSync(this.busybox, join(statusDir, 'busybox'));
    const labels: Labels = {
      ...options.labels,
      'slipway.instance': options.instanceId,
      'slipway.workload-id': options.workloadId,
      'slipway.container': spec.name,
      'slipway.node': options.nodeId,
      'slipway.cluster': this.cluster,
    };
    writeFileSync(join(statusDir, 'labels.json'), JSON.stringify(labels));
    writeFileSync(join(bundle, 'config.json'), JSON.stringify(ociConfig(spec, { hostname: options.instanceId.slice(0, 63), statusDir, ...(netns !== undefined ? { netns } : {}) }), null, 1));
    const log = openSync(join(bundle, 'log'), 'a');
    try {
      await this.exec(node, ['create', '--bundle', bundle, id], log);
    } catch (e) {
      rmSync(bundle, { recursive: true, force: true });
      throw e;
    } finally {
      closeSync(log);
    }
  }

  async stopContainer(id: string): Promise<void> {
    const node = this.locate(id);
    const st = await this.stateOf(node, id);
    if (st === undefined || st === 'stopped') return;
    this.stopped.add(id);
    if (st === 'created') {
      this.killed.add(id);
      await this.exec(node, ['kill', id, 'KILL']).catch(() => undefined);
      return;
    }
    await this.exec(node, ['kill', id, 'TERM']).catch(() => undefined);
    // A paused (frozen) container takes the signal only when thawed, as `docker stop` does it.
    if (st === 'paused') await this.exec(node, ['resume', id]).catch(() => undefined);
    const deadline = this.clock.now() + this.grace;
    while (this.clock.now() < deadline) {
      await this.clock.sleep(50);
      const now = await this.stateOf(node, id);
      if (now !== 'running' && now !== 'paused') return;
    }
    this.killed.add(id);
    await this.exec(node, ['kill', id, 'KILL']).catch(() => undefined);
    await this.exec(node, ['resume', id]).catch(() => undefined); // paused again meanwhile: thaw so KILL lands
    for (let k = 0; k < 100; k++) {
      const now = await this.stateOf(node, id);
      if (now !== 'running' && now !== 'paused') break;
      await this.clock.sleep(20);
    }
  }

  async removeContainer(id: string): Promise<void> {
    const node = this.locate(id);
    const st = await this.stateOf(node, id);
    if (st === 'running' || st === 'paused') throw new OrchestrationError('Runtime', `cannot remove container ${id}: it is running`);
    if (st !== undefined) await this.exec(node, ['delete', '--force', id]);
    const instanceId = this.labelsOf(node, id)['slipway.instance'];
    rmSync(join(node.bundles, id), { recursive: true, force: true });
    node.seen.delete(id);
    this.inCreation.delete(id);
    this.unknownToRuntime.delete(id);
    this.killed.delete(id);
    this.stopped.delete(id);
    this.networkLost.delete(id);
    // The instance's last container gone: its namespace and address go too (DEL is idempotent).
    if (node.network && instanceId !== undefined && !this.instanceHasBundle(node, instanceId)) {
      node.checked.delete(instanceId);
      await node.network.detach(instanceId);
    }
  }

  private labelsOf(node: OciNode, id: string): Labels {
    try {
      return JSON.parse(readFileSync(join(node.bundles, id, 'slipway', 'labels.json'), 'utf8')) as Labels;
    } catch {
      return {};
    }
  }

  /** Whether a bundle of this cluster on this node still belongs to the instance. */
  private instanceHasBundle(node: OciNode, instanceId: string): boolean {
    if (!existsSync(node.bundles)) return false;
    for (const d of readdirSync(node.bundles)) {
      const l = this.labelsOf(node, d);
      if (l['slipway.instance'] === instanceId && l['slipway.cluster'] === this.cluster && (l['slipway.node'] ?? node.config.id) === node.config.id) return true;
    }
    return false;
  }

  async getContainerStatus(id: string): Promise<ContainerStatus> {
    const node = this.locate(id);
    return this.statusOf(node, id, await this.stateOf(node, id));
  }

  async listContainers(nodeId: NodeId): Promise<ContainerStatus[]> {
    const node = this.node(nodeId);
    const states = new Map((await this.list(node)).map((s) => [s.id, s.status]));
    const ids = existsSync(node.bundles) ? readdirSync(node.bundles).filter((d) => existsSync(join(node.bundles, d, 'slipway', 'labels.json'))) : [];
    const out: ContainerStatus[] = [];
    for (const id of ids.sort()) {
      let st: ContainerStatus;
      try {
        st = this.statusOf(node, id, states.get(id) ?? (await this.stateOfUnlisted(node, id)));
      } catch {
        continue; // removed meanwhile
      }
      // Nodes (and clusters) may share a root: each sees only its own containers.
      if ((st.labels?.['slipway.node'] ?? node.config.id) === node.config.id && st.labels?.['slipway.cluster'] === this.cluster) out.push(st);
    }
    return out;
  }

  watch(listener: (event: ContainerEvent) => void): Unsubscribe {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /**
   * Stops polling. Resolves once the poll in flight (if any) has stopped and every runtime
   * command already started has ended: a caller that removes the nodes' state directories
   * awaits it first, since runc creates its `--root` directory when it starts (a `list` still
   * running would make the directory again). Never rejects.
   */
  async close(): Promise<void> {
    this.closed = true;
    this.cancelPoll?.();
    this.cancelPoll = undefined;
    while (this.polling !== undefined || this.commands.size > 0) await Promise.allSettled([this.polling, ...this.commands]);
  }

  /** Kills a container's process (fault injection). */
  async kill(id: string, signal = 'KILL'): Promise<void> {
    const node = this.locate(id);
    if (signal === 'KILL') this.killed.add(id);
    await this.exec(node, ['kill', id, signal]);
  }

  // -------------------------------------------------------------------------------------------

  private node(id: NodeId): OciNode {
    const n = this.nodes.get(id);
    if (!n) throw nodeNotFound(id);
    return n;
  }

  /**
   * A container's output so far: the lines its process wrote to stdout and stderr (one file, the
   * bundle's `log`, which the runtime's `create` hands the process as both descriptors, so the two
   * streams are interleaved as written and not told apart). `tail` keeps the last lines.
   * Throws containerNotFound when no bundle of this cluster has the id.
   */
  logs(id: string, tail?: number): string[] {
    const node = this.locate(id);
    let text: string;
    try {
      text = readFileSync(join(node.bundles, id, 'log'), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    return tail !== undefined ? lines.slice(Math.max(0, lines.length - tail)) : lines;
  }

  private locate(id: string): OciNode {
    for (const n of this.nodes.values()) {
      const file = join(n.bundles, id, 'slipway', 'labels.json');
      if (!existsSync(file)) continue;
      try {
        const labels = JSON.parse(readFileSync(file, 'utf8')) as Labels;
        if ((labels['slipway.node'] ?? n.config.id) === n.config.id && labels['slipway.cluster'] === this.cluster) return n;
      } catch {
        // being written or removed: try the next node
      }
    }
    throw containerNotFound(id);
  }

  private statusOf(node: OciNode, id: string, status: string | undefined): ContainerStatus {
    const dir = join(node.bundles, id, 'slipway');
    let labels: Labels = {};
    try {
      labels = JSON.parse(readFileSync(join(dir, 'labels.json'), 'utf8')) as Labels;
    } catch {
      throw containerNotFound(id);
    }
    if (status !== undefined) this.inCreation.delete(id);
    const state = status === undefined && this.inCreation.has(id) ? 'creating' : mapState(status);
    const exit = state === 'exited' ? this.exitOf(id, dir) : undefined;
    const ip = state !== 'exited' && node.network ? node.network.ipOf(labels['slipway.instance'] ?? '') : undefined;
    return {
      id,
      nodeId: node.config.id,
      name: labels['slipway.container'] ?? '',
      instanceId: labels['slipway.instance'] ?? '',
      workloadId: labels['slipway.workload-id'] ?? labels['slipway.workload'] ?? '',
      state,
      labels,
      ...(exit?.code !== undefined ? { exitCode: exit.code } : {}),
      ...(exit ? { reason: exit.reason } : {}),
      ...(ip !== undefined ? { ip } : {}),
    };
  }

  /** The exit code the wrapper wrote; 137 when Slipway killed it first; undefined when unknown. */
  private exitOf(id: string, dir: string): { code?: number; reason: string } {
    let text = '';
    try {
      text = readFileSync(join(dir, 'exit'), 'utf8').trim();
    } catch {
      // not written: the process was killed before the wrapper could write it
    }
    const code = text === '' ? (this.killed.has(id) ? 137 : undefined) : Number(text);
    const lost = this.networkLost.get(id);
    const reason =
      lost !== undefined ? `NetworkLost: ${lost}` : this.stopped.has(id) ? 'Stopped' : this.killed.has(id) ? 'Killed' : code === 0 ? 'Completed' : code === undefined ? 'Unknown' : 'Error';
    return { ...(code !== undefined ? { code } : {}), reason };
  }

  /** The runtime's status of one container (`list`, then `state` when the listing leaves it out); undefined: it does not know it. */
  private async stateOf(node: OciNode, id: string): Promise<string | undefined> {
    return (await this.list(node)).find((s) => s.id === id)?.status ?? (await this.stateOfUnlisted(node, id));
  }

  /**
   * The status of a container that a `list` left out. `runc list` skips a container whose state
   * it cannot load at that moment, with a line on stderr and still exit 0 (runc's list.go: "load
   * container", "status for", "state for"), so a missing entry alone does not mean the container
   * is gone. `state ID` makes the same three calls, but fails instead of skipping: it answers, or
   * says the container does not exist (undefined: exited; not asked again while the bundle is
   * left), or fails otherwise (asked again, as `list` is). Not asked: a container being created
   * (the runtime lists it once `create` is done) and ids without a bundle (never Slipway's here).
   */
  private async stateOfUnlisted(node: OciNode, id: string): Promise<string | undefined> {
    if (this.inCreation.has(id) || this.unknownToRuntime.has(id) || !existsSync(join(node.bundles, id, 'slipway', 'labels.json'))) return undefined;
    for (let attempt = 1; ; attempt++) {
      let out: string;
      try {
        out = await this.exec(node, ['state', id]);
      } catch (e) {
        if (e instanceof OrchestrationError && e.code === 'ContainerNotFound') {
          this.unknownToRuntime.add(id);
          return undefined;
        }
        if (!(e instanceof OrchestrationError) || e.code === 'NodeUnreachable' || attempt >= 5) throw e;
        await this.clock.sleep(20 * attempt);
        continue;
      }
      try {
        return (JSON.parse(out) as OciState).status;
      } catch {
        throw new OrchestrationError('Runtime', `${node.config.runtime} state ${id}: unreadable output`);
      }
    }
  }

  private async list(node: OciNode): Promise<OciState[]> {
    // `list` reads every container's state directory: one removed meanwhile (a concurrent
    // `delete`) fails the whole listing with "no such file or directory". Asked again, it is gone.
    let out = '';
    for (let attempt = 1; ; attempt++) {
      try {
        out = await this.exec(node, ['list', '--format', 'json']);
        break;
      } catch (e) {
        if (!(e instanceof OrchestrationError) || e.code === 'NodeUnreachable' || attempt >= 5) throw e;
        await this.clock.sleep(20 * attempt);
      }
    }
    const text = out.trim();
    if (text === '' || text === 'null') return [];
    try {
      return JSON.parse(text) as OciState[];
    } catch {
      throw new OrchestrationError('Runtime', `${node.config.runtime} list --format json: unreadable output`);
    }
  }

  private schedulePoll(): void {
    if (this.closed || this.cancelPoll !== undefined) return;
    this.cancelPoll = this.clock.setTimer(this.poll, () => {
      this.cancelPoll = undefined;
      this.polling = this.pollAll().finally(() => {
        this.polling = undefined;
        this.schedulePoll();
      });
    });
  }

  private async pollAll(): Promise<void> {
    for (const node of this.nodes.values()) {
      if (this.closed) return;
      if (!node.polling) continue;
      let list: ContainerStatus[];
      try {
        list = await this.listContainers(node.config.id);
      } catch {
        continue; // the node does not answer: the cluster manager notices
      }
      for (const st of list) {
        const before = node.seen.get(st.id);
        if (before === st.state) continue;
        node.seen.set(st.id, st.state);
        if (st.state === 'creating' || (before === undefined && st.state === 'exited')) continue;
        const ev: ContainerEvent = {
          containerId: st.id,
          name: st.name,
          nodeId: st.nodeId,
          instanceId: st.instanceId,
          workloadId: st.workloadId,
          state: st.state,
          ...(st.exitCode !== undefined ? { exitCode: st.exitCode } : {}),
          ...(st.reason !== undefined ? { reason: st.reason } : {}),
          at: this.clock.now(),
          ...(st.ip !== undefined ? { ip: st.ip } : {}),
        };
        for (const l of [...this.listeners]) l(ev);
      }
      if (node.network && !this.closed) await this.checkNetworks(node, list);
    }
  }

  /**
   * CNI CHECK of each running instance's network, at most once per `networkCheckIntervalMs`. An
   * instance whose check fails has its containers killed (reason `NetworkLost: <plugin message>`):
   * an instance without its network serves nothing, and the reconciler replaces it.
   */
  private async checkNetworks(node: OciNode, list: readonly ContainerStatus[]): Promise<void> {
    const net = node.network!;
    const now = this.clock.now();
    const running = new Map<string, string[]>();
    for (const st of list) if (st.state === 'running') running.set(st.instanceId, [...(running.get(st.instanceId) ?? []), st.id]);
    for (const [instanceId, ids] of [...running].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      const last = node.checked.get(instanceId);
      if (last !== undefined && now - last < this.checkEvery) continue;
      node.checked.set(instanceId, now);
      try {
        await net.check(instanceId);
      } catch (e) {
        const msg = (e as Error).message;
        for (const id of ids) {
          this.networkLost.set(id, msg);
          this.killed.add(id);
          await this.exec(node, ['kill', id, 'KILL']).catch(() => undefined);
        }
      }
    }
  }

  /** Runs `<runtime> --root <root> ...args` (an argument array, no shell). Resolves with stdout. */
  private exec(node: OciNode, args: string[], outFd?: number): Promise<string> {
    const p = this.run(node, args, outFd);
    this.commands.add(p);
    const done = () => void this.commands.delete(p);
    p.then(done, done);
    return p;
  }

  private run(node: OciNode, args: string[], outFd?: number): Promise<string> {
    const argv = ['--root', node.config.root, ...args];
    return new Promise((resolvePromise, reject) => {
      if (outFd !== undefined) {
        // create: the container inherits these descriptors, so they must be files, not pipes.
        {
          const child = spawn(node.config.runtime, argv, { stdio: ['ignore', outFd, outFd] });
          const timer = setTimeout(() => child.kill('SIGKILL'), this.timeout);
          child.on('error', (e) => {
            clearTimeout(timer);
            reject(nodeUnreachable(node.config.id, `${node.config.runtime}: ${e.message}`));
          });
          child.on('exit', (code) => {
            clearTimeout(timer);
            if (code === 0) resolvePromise('');
            else {
              let tail = '';
              try {
                tail = readFileSync(join(node.bundles, args[args.length - 1], 'log'), 'utf8').trim().split('\n').slice(-2).join(' ');
              } catch {
                // no log
              }
              reject(new OrchestrationError('Runtime', `${node.config.runtime} ${args[0]} exited with ${code}: ${tail}`));
            }
          });
        }
        return;
      }
      execFile(node.config.runtime, argv, { timeout: this.timeout, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
        if (!err) return resolvePromise(stdout);
        const e = err as NodeJS.ErrnoException & { killed?: boolean };
        if (e.code === 'ENOENT') return reject(nodeUnreachable(node.config.id, `runtime ${node.config.runtime} not found`));
        if (e.killed) return reject(nodeUnreachable(node.config.id, `${node.config.runtime} ${args[0]} timed out`));
        const msg = String(stderr).trim().split('\n').slice(-1)[0] ?? e.message;
        if (args[0] !== 'list' && /does not exist|not found|no such/i.test(msg)) return reject(containerNotFound(args[args.length - 1]));
        reject(new OrchestrationError('Runtime', `${node.config.runtime} ${args[0]}: ${msg}`));
      });
    });
  }
}

/** Exports `image`'s filesystem from a Docker engine into `dir` (marked complete when done). */
async function exportImage(host: string, image: string, dir: string): Promise<void> {
  const api = connectDocker(host, 120_000);
  let created;
  try {
    created = await api.createContainer({ Image: image, Entrypoint: ['/bin/true'], Labels: { 'slipway.export': '1' } });
  } catch (e) {
    throw new OrchestrationError('ImagePullFailed', `cannot export image ${image} from ${host}: ${(e as Error).message}`);
  }
  const tmp = `${dir}.tmp`;
  try {
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    const stream = await created.export();
    await new Promise<void>((ok, fail) => {
      const tar = spawn('tar', ['-x', '-C', tmp], { stdio: ['pipe', 'ignore', 'pipe'] });
      let err = '';
      tar.stderr.on('data', (d: Buffer) => (err += d.toString()));
      tar.on('error', fail);
      tar.on('exit', (code) => (code === 0 ? ok() : fail(new Error(`tar -x exited ${code}: ${err.trim()}`))));
      stream.on('error', fail);
      stream.pipe(tar.stdin);
    });
    writeFileSync(join(tmp, '.slipway-complete'), image);
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw new OrchestrationError('ImagePullFailed', `cannot export image ${image} from ${host}: ${(e as Error).message}`);
  } finally {
    await created.remove({ force: true }).catch(() => undefined);
  }
}

/** `<instance>-<container>`, restricted to characters every runtime accepts. */
export function containerId(instanceId: string, name: string): string {
  return `${instanceId}-${name}`.replace(/[^a-zA-Z0-9_.-]/g, '_');
}

function mapState(status: string | undefined): ContainerState {
  switch (status) {
    case 'creating':
    case 'created':
      return 'creating';
    case 'running':
      return 'running';
    case 'paused':
      return 'paused'; // `runc pause`: frozen, its instance not ready
    default:
      return 'exited'; // stopped, or deleted from the runtime with its bundle left
  }
}
