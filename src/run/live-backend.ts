/**
 * Builds a live backend (runtime, cluster manager, fault target) for a scenario's nodes.
 * Every node must name an endpoint of the chosen backend; anything else is bad input.
 */
import { engineImages } from '../../backends/docker/docker-api.js';
import { DockerFaults } from '../../backends/docker/docker-faults.js';
import { DockerRuntime } from '../../backends/docker/docker-runtime.js';
import { LiveClusterManager, type LiveMembershipSource, type LiveNodeProbe } from '../../backends/live/live-cluster-manager.js';
import { SerfMembership } from '../../backends/serf/serf-membership.js';
import { dockerLock, fileLock, type DockerVolumeApi, type EngineLock } from '../../backends/live/engine-lock.js';
import { OciFaults } from '../../backends/oci/oci-faults.js';
import { OciRuntime } from '../../backends/oci/oci-runtime.js';
import { defaultBridgeName, missingCniPlugins } from '../../backends/oci/oci-network.js';
import { routesTo } from '../../backends/oci/netns.js';
import { ClusterIpam } from '../net/cluster-ipam.js';
import { InputError } from '../core/errors.js';
import type { Clock, ContainerRuntime } from '../core/interfaces.js';
import { resources } from '../core/resources.js';
import type { LiveFaultTarget } from '../faults/live-injector.js';
import type { Scenario } from '../scenario/types.js';

export type LiveBackendKind = 'docker' | 'oci';
export const BACKENDS = ['sim', 'docker', 'oci'] as const;
export type BackendKind = (typeof BACKENDS)[number];

export interface LiveBackend {
  readonly kind: LiveBackendKind;
  readonly runtime: ContainerRuntime;
  readonly cluster: LiveClusterManager;
  readonly faults: LiveFaultTarget;
  /** One lock per engine (Docker host, OCI state directory) the nodes use, for the cluster identity. */
  readonly locks: readonly EngineLock[];
  /** Stops the node probes and the runtime; resolves when no runtime command is in flight any more. */
  close(): Promise<void>;
}

/** Checks that the scenario can run on `kind`; throws InputError naming the first problem. */
export function checkLiveScenario(scenario: Scenario, kind: LiveBackendKind): void {
  const file = scenario.source.file;
  for (const n of scenario.nodes) {
    if (n.endpoint?.kind !== kind) {
      const example = kind === 'docker' ? 'docker: {host: unix:///var/run/docker.sock}' : 'oci: {runtime: runc, root: /run/slipway/oci-1, rootfs: /path/to/rootfs}';
      throw new InputError(
        `${file}: node ${n.name} has no ${kind} endpoint (needed for --backend ${kind}); add ${example}`,
      );
    }
  }
  const membership = scenario.cluster?.membership ?? 'heartbeat';
  if (membership !== 'heartbeat' && membership !== 'serf')
    throw new InputError(
      `${file}: cluster.membership: ${membership} is the simulator's gossip detector; live backends take heartbeat or serf (HashiCorp Serf agents, memberlist with Lifeguard)`,
    );
  for (const op of scenario.operations) {
    if (op.kind === 'addNode' || op.kind === 'removeNode')
      throw new InputError(`${file}: operation ${op.kind} at ${op.at}ms is not supported on live backends (nodes are the engines you name)`);
  }
}

/**
 * Each node's pod CIDR when the scenario has a pod network (`cluster.network`): the node's own
 * `podCidr`, else the next block of the cluster CIDR in file order — what the simulator gives
 * (backends/sim), so both hand out the same addresses. Throws InputError when the cluster CIDR
 * has no block left for a node.
 */
export function livePodCidrs(scenario: Scenario): ReadonlyMap<string, string> {
  const out = new Map<string, string>();
  const config = scenario.cluster?.network;
  if (config === undefined) return out;
  const explicit = scenario.nodes.flatMap((n) => (n.podCidr !== undefined ? [n.podCidr] : []));
  const ipam = new ClusterIpam(config, explicit);
  for (const n of scenario.nodes) {
    const cidr = ipam.addNode(n.name, n.podCidr);
    if (cidr === undefined)
      throw new InputError(`${scenario.source.file}: cluster.network.podCidr: ${config.podCidr} has no /${config.nodeCidrMaskSize} left for node ${n.name} (a live node needs a subnet)`);
    out.set(n.name, cidr);
  }
  return out;
}

/**
 * The OCI nodes' CNI configuration against this host: every plugin in the node's CNI_PATH, and
 * no other interface already routing the node's subnet (two bridges with one subnet break both).
 * Throws InputError naming the field.
 */
export function checkOciNetwork(scenario: Scenario, podCidrs: ReadonlyMap<string, string>, identity: string): void {
  const file = scenario.source.file;
  scenario.nodes.forEach((n, k) => {
    const e = n.endpoint;
    const cidr = podCidrs.get(n.name);
    if (e?.kind !== 'oci' || cidr === undefined) return;
    const missing = missingCniPlugins(e.cniPath ?? '/usr/lib/cni');
    if (missing.length > 0)
      throw new InputError(
        `${file}: nodes[${k}].oci.cniPath: ${JSON.stringify(e.cniPath ?? '/usr/lib/cni')} lacks the CNI plugin(s) ${missing.join(', ')} (install containernetworking-plugins, or point cniPath at them)`,
      );
    const bridge = e.bridge ?? defaultBridgeName(identity, n.name);
    const other = routesTo(cidr).find((dev) => dev !== bridge);
    if (other !== undefined)
      throw new InputError(
        `${file}: nodes[${k}] (${n.name}): its pod CIDR ${cidr} is already routed through ${other} on this host; choose another ${n.podCidr !== undefined ? `nodes[${k}].podCidr` : 'cluster.network.podCidr'}`,
      );
  });
}

/**
 * The runtime, cluster manager and fault target for the scenario's nodes. `identity` names the
 * cluster: its containers carry it and only its containers are seen (shared engines).
 */
export function createLiveBackend(
  scenario: Scenario,
  kind: LiveBackendKind,
  clock: Clock,
  identity: string,
  notice: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): LiveBackend {
  checkLiveScenario(scenario, kind);
  const podCidrs = livePodCidrs(scenario);
  if (kind === 'oci') checkOciNetwork(scenario, podCidrs, identity);
  const c = scenario.cluster;
  const membership: LiveMembershipSource | undefined =
    c?.membership === 'serf' ? new SerfMembership({ rpc: c.serf.rpc, tag: c.serf.tag, gossip: c.gossip, clock, warn: notice }) : undefined;
  const cp = scenario.controlPlane;
  const health = {
    heartbeatIntervalMs: cp.heartbeatIntervalMs,
    nodeMonitorPeriodMs: cp.nodeMonitorPeriodMs,
    notReadyAfterMs: cp.notReadyAfterMs,
    downAfterMs: cp.downAfterMs,
    rpcTimeoutMs: cp.rpcTimeoutMs,
  };
  const given = (n: Scenario['nodes'][number]) => ({
    ...(n.capacityFromEngine ? {} : { capacity: n.capacity, allocatable: n.allocatable }),
    ...(podCidrs.has(n.name) ? { podCidr: podCidrs.get(n.name)! } : {}),
  });
  if (kind === 'docker') {
    const nodes = scenario.nodes.map((n) => {
      const e = n.endpoint as Extract<NonNullable<typeof n.endpoint>, { kind: 'docker' }>;
      return { def: n, e };
    });
    const runtime = new DockerRuntime({
      clock,
      // Container operations (create copies layers, stop waits for the grace period) take longer
      // than a health probe: rpcTimeout bounds the probes, this bounds each API call.
      callTimeoutMs: Math.max(cp.rpcTimeoutMs, 30_000),
      // With a pod network, a node without its own `network` mode gets a bridge network with its pod CIDR.
      nodes: nodes.map(({ def, e }) => ({
        id: def.name,
        host: e.host,
        ...(e.network !== undefined ? { network: e.network } : podCidrs.has(def.name) ? { bridge: { subnet: podCidrs.get(def.name)! } } : {}),
      })),
      cluster: identity,
    });
    const probes: LiveNodeProbe[] = nodes.map(({ def, e }) => ({
      id: def.name,
      address: e.host,
      labels: def.labels,
      taints: def.taints,
      unschedulable: def.unschedulable === true,
      ...given(def),
      probe: async () => {
        await runtime.api(def.name).ping();
      },
      discoverCapacity: async () => {
        const info = await runtime.api(def.name).info();
        // NCPU cores × 1000 = millicores; MemTotal is bytes.
        return resources({ cpu: info.NCPU * 1000, memory: info.MemTotal });
      },
      images: async () => engineImages(await runtime.api(def.name).listImages()),
    }));
    const cluster = new LiveClusterManager(clock, probes, health, membership);
    const faults = new DockerFaults(
      runtime,
      nodes.map(({ def, e }) => ({ id: def.name, ...(e.pidFile !== undefined ? { pidFile: e.pidFile } : {}) })),
    );
    const hosts = [...new Set(nodes.map(({ e }) => e.host))].sort();
    const firstNode = (host: string) => nodes.find(({ e }) => e.host === host)!.def.name;
    const locks = hosts.map((h) => dockerLock(runtime.api(firstNode(h)) as ReturnType<DockerRuntime['api']> & DockerVolumeApi, h, identity));
    return { kind, runtime, cluster, faults, locks, close: closer(cluster, runtime) };
  }
  const nodes = scenario.nodes.map((n) => ({ def: n, e: n.endpoint as Extract<NonNullable<typeof n.endpoint>, { kind: 'oci' }> }));
  const runtime = new OciRuntime({
    clock,
    nodes: nodes.map(({ def, e }) => ({
      id: def.name,
      runtime: e.runtime,
      root: e.root,
      ...(e.rootfs !== undefined ? { rootfs: e.rootfs } : {}),
      ...(e.exportFrom !== undefined ? { exportFrom: e.exportFrom } : {}),
      ...(e.bundles !== undefined ? { bundles: e.bundles } : {}),
      ...(podCidrs.has(def.name)
        ? {
            network: {
              subnet: podCidrs.get(def.name)!,
              ...(e.bridge !== undefined ? { bridge: e.bridge } : {}),
              ...(e.cniPath !== undefined ? { cniPath: e.cniPath.split(':').filter((d) => d !== '') } : {}),
            },
          }
        : {}),
    })),
    cluster: identity,
  });
  const probes: LiveNodeProbe[] = nodes.map(({ def, e }) => ({
    id: def.name,
    address: `oci://${e.runtime}${e.root}`,
    labels: def.labels,
    taints: def.taints,
    unschedulable: def.unschedulable === true,
    ...given(def),
    probe: () => runtime.probe(def.name),
    discoverCapacity: () => Promise.resolve(def.capacity),
  }));
  const cluster = new LiveClusterManager(clock, probes, health, membership);
  const roots = [...new Map(nodes.map(({ e }) => [e.root, e])).values()].sort((a, b) => (a.root < b.root ? -1 : 1));
  const locks = roots.map((e) => fileLock(e.root, `${e.runtime} --root ${e.root}`, identity));
  return { kind, runtime, cluster, faults: new OciFaults(runtime, nodes.map(({ def }) => def.name)), locks, close: closer(cluster, runtime) };
}

/**
 * The backend's close: the probes first, then the runtime, awaited (an OCI runtime waits for its
 * commands in flight: a `runc list` still running re-creates the state directory after it).
 */
function closer(cluster: LiveClusterManager, runtime: { close(): void | Promise<void> }): () => Promise<void> {
  return async () => {
    cluster.close();
    await runtime.close();
  };
}
