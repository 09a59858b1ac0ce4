/**
 * Networking of one OCI node through CNI: per instance (all of its containers, like a pod) a
 * network namespace, attached with two CNI networks from Debian's containernetworking-plugins:
 *
 *   slipway-<h>-<node> (CNI_IFNAME=eth0) a list [bridge + host-local IPAM, portmap]
 *                      bridge: the node's bridge, isGateway + isDefaultGateway (the host is .1, the
 *                      instance's default route, and routes between
 *                      nodes' bridges), hairpin; host-local: the node's subnet, data in `dataDir`;
 *                      portmap: the instance's hostPorts (capability `portMappings`)
 *   slipway-<h>-<node>-lo (CNI_IFNAME=lo) loopback    (h = 6 hex of sha256(identity): portmap
 *                      names its iptables chains after the network and container id, so two
 *                      clusters on one host never share a chain)
 *
 * Names (so garbage collection touches only what this cluster made on this node):
 *   namespace   /run/netns/sw<h>-<instance>     h = 8 hex of sha256(cluster identity, node)
 *   CNI container id = the instance id (sanitized); host-local reservations and cached results
 *   live in `dataDir`, by default `<root>/cni/<8 hex of sha256(identity)>`: one per identity.
 *
 * Attach = create the namespace, ADD loopback, ADD the list. Detach = DEL the list, DEL loopback,
 * delete the namespace; every step tolerates what is already gone, so detach is idempotent.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { OrchestrationError } from '../../src/core/errors.js';
import type { PortMapping } from '../../src/core/types.js';
import { CACHE_TMP, cacheOwner, Cni, CniError, resultIp, type CniConfList, type CniRuntimeConf } from './cni.js';
import { createNetns, deleteNetns, listNetns, netnsPath } from './netns.js';

/** A node's network, as given in the scenario (`oci.network`). */
export interface OciNetworkConfig {
  /** The node's IPv4 subnet, e.g. `10.213.1.0/24`: host-local allocates from it, the bridge is its first address. */
  readonly subnet: string;
  /** The node's bridge (≤ 15 characters). Default `sw` + 10 hex of sha256(identity, node). */
  readonly bridge?: string;
  /** CNI_PATH: directories holding the plugin binaries. Default `/usr/lib/cni`. */
  readonly cniPath?: readonly string[];
  /** host-local's data directory and the result cache. Default `<root>/cni/<8 hex of sha256(identity)>`. */
  readonly dataDir?: string;
}

/** The plugins a node's network uses (each must be in CNI_PATH). */
export const CNI_PLUGINS = ['bridge', 'host-local', 'portmap', 'loopback'] as const;

/** The CNI plugins Slipway calls that none of `cniPath`'s folders (colon-separated) holds. */
export function missingCniPlugins(cniPath: string): string[] {
  const dirs = cniPath.split(':').filter((d) => d !== '');
  return CNI_PLUGINS.filter((p) => !dirs.some((d) => existsSync(join(d, p))));
}

const CNI_VERSION = '1.0.0';
const IFNAME = 'eth0';

const hex = (...parts: string[]) => createHash('sha256').update(parts.join('\0')).digest('hex');

/** `sw` + 10 hex of sha256(identity, node): 12 characters, within IFNAMSIZ. */
export function defaultBridgeName(identity: string, nodeId: string): string {
  return `sw${hex(identity, nodeId).slice(0, 10)}`;
}

/** A CNI container id / namespace suffix from an instance id (`^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`). */
export function cniContainerId(instanceId: string): string {
  const s = instanceId.replace(/[^a-zA-Z0-9_.-]/g, '_');
  return /^[a-zA-Z0-9]/.test(s) ? s : `i${s}`;
}

/** What the garbage collector removed. */
export interface NetworkGcReport {
  readonly namespaces: readonly string[];
  readonly attachments: readonly string[];
}

export class OciNetwork {
  readonly cni: Cni;
  readonly bridge: string;
  readonly dataDir: string;
  readonly network: string;
  readonly loNetwork: string;
  /** Namespace name prefix of this cluster on this node. */
  readonly prefix: string;
  private readonly list: CniConfList;
  private readonly lo: CniConfList;
  /** Attach/detach in progress per CNI container id (they are serialized per instance). */
  private readonly busy = new Map<string, Promise<unknown>>();
  private readonly ips = new Map<string, string>();

  constructor(opts: { readonly nodeId: string; readonly identity: string; readonly root: string; readonly config: OciNetworkConfig }) {
    const { nodeId, identity, root, config } = opts;
    const nodeName = nodeId.replace(/[^a-zA-Z0-9_.-]/g, '_');
    this.bridge = config.bridge ?? defaultBridgeName(identity, nodeId);
    this.dataDir = resolve(config.dataDir ?? join(root, 'cni', hex(identity).slice(0, 8)));
    this.network = `slipway-${hex(identity).slice(0, 6)}-${nodeName}`;
    this.loNetwork = `${this.network}-lo`;
    this.prefix = `sw${hex(identity, nodeId).slice(0, 8)}-`;
    this.cni = new Cni({ path: config.cniPath ?? ['/usr/lib/cni'], cacheDir: this.dataDir });
    this.list = {
      cniVersion: CNI_VERSION,
      name: this.network,
      plugins: [
        {
          type: 'bridge',
          bridge: this.bridge,
          isGateway: true,
          isDefaultGateway: true,
          ipMasq: false,
          hairpinMode: true,
          ipam: { type: 'host-local', ranges: [[{ subnet: config.subnet }]], dataDir: this.dataDir },
        },
        { type: 'portmap', capabilities: { portMappings: true }, snat: true },
      ],
    };
    this.lo = { cniVersion: CNI_VERSION, name: this.loNetwork, plugins: [{ type: 'loopback' }] };
  }

  netnsName(instanceId: string): string {
    return `${this.prefix}${cniContainerId(instanceId)}`;
  }

  /** The plugins missing from CNI_PATH (a configuration problem, reported as bad input). */
  missingPlugins(): string[] {
    return CNI_PLUGINS.filter((p) => this.cni.findPlugin(p) === undefined);
  }

  /**
   * Gives the instance a namespace and an address (idempotent: an attached instance keeps its
   * address). Rejects with an OrchestrationError carrying the plugin's message; whatever the
   * failed attach made is removed first.
   */
  attach(instanceId: string, ports: readonly PortMapping[]): Promise<{ ip: string; netns: string }> {
    return this.serialize(instanceId, async () => {
      const cid = cniContainerId(instanceId);
      const name = this.netnsName(instanceId);
      const cached = this.cni.cached(this.network, { containerId: cid, ifName: IFNAME });
      const ipCached = cached && resultIp(cached);
      if (ipCached !== undefined && existsSync(netnsPath(name))) {
        this.ips.set(cid, ipCached);
        return { ip: ipCached, netns: netnsPath(name) };
      }
      const portMappings = ports
        .filter((p) => p.hostPort !== undefined)
        .map((p) => ({ hostPort: p.hostPort, containerPort: p.containerPort, protocol: p.protocol }));
      try {
        const path = await createNetns(name);
        await this.cni.add(this.lo, { containerId: cid, netns: path, ifName: 'lo' });
        const result = await this.cni.add(this.list, { containerId: cid, netns: path, ifName: IFNAME, capabilityArgs: { portMappings } });
        const ip = resultIp(result);
        if (ip === undefined) throw new CniError('bridge', 'ADD', 0, 'the result has no IPv4 address');
        this.ips.set(cid, ip);
        return { ip, netns: path };
      } catch (e) {
        await this.detachNow(instanceId).catch(() => undefined);
        throw networkError(this.network, instanceId, e);
      }
    });
  }

  /** Removes the instance's attachments and namespace. Idempotent. */
  detach(instanceId: string): Promise<void> {
    return this.serialize(instanceId, async () => {
      try {
        await this.detachNow(instanceId);
      } catch (e) {
        throw networkError(this.network, instanceId, e);
      }
    });
  }

  /** CNI CHECK of the instance's attachment; rejects with the plugin's message. */
  check(instanceId: string): Promise<void> {
    return this.serialize(instanceId, async () => {
      const cid = cniContainerId(instanceId);
      const path = netnsPath(this.netnsName(instanceId));
      if (!existsSync(path)) throw new OrchestrationError('Network', `network ${this.network}: namespace of ${instanceId} is gone`);
      try {
        await this.cni.check(this.list, { containerId: cid, netns: path, ifName: IFNAME });
      } catch (e) {
        throw networkError(this.network, instanceId, e);
      }
    });
  }

  /** The instance's address while attached. */
  ipOf(instanceId: string): string | undefined {
    const cid = cniContainerId(instanceId);
    const known = this.ips.get(cid);
    if (known !== undefined) return known;
    const cached = this.cni.cached(this.network, { containerId: cid, ifName: IFNAME });
    const ip = cached && resultIp(cached);
    if (ip !== undefined) this.ips.set(cid, ip);
    return ip;
  }

  /**
   * Removes every namespace, cached attachment and host-local reservation of this node's network
   * that no instance in `owned` (instance ids) holds: what a killed Slipway left behind. When no
   * reservation is left, host-local's `last_reserved_ip` is removed too (allocation restarts at .2).
   */
  async gc(owned: ReadonlySet<string>): Promise<NetworkGcReport> {
    const keep = new Set([...owned].map(cniContainerId));
    const stale = new Set<string>();
    const namespaces: string[] = [];
    for (const name of listNetns(this.prefix)) {
      const cid = name.slice(this.prefix.length);
      if (!keep.has(cid)) (stale.add(cid), namespaces.push(name));
    }
    for (const cid of this.reservedBy()) if (!keep.has(cid)) stale.add(cid);
    const results = join(this.dataDir, 'results');
    if (existsSync(results))
      for (const f of readdirSync(results)) {
        if (f.endsWith(CACHE_TMP)) {
          // a write a kill -9 interrupted: its name says whose it was (NETWORK-CID-IFNAME.tmp)
          const cid = this.tmpOwner(f.slice(0, -CACHE_TMP.length));
          if (cid !== undefined && !keep.has(cid)) stale.add(cid);
          continue;
        }
        let entry: { networkName?: string; containerId?: string };
        try {
          entry = JSON.parse(readFileSync(join(results, f), 'utf8')) as typeof entry;
        } catch {
          continue; // removed meanwhile
        }
        const ours = entry.networkName === this.network || entry.networkName === this.loNetwork;
        if (ours && entry.containerId !== undefined && !keep.has(entry.containerId)) stale.add(entry.containerId);
      }
    for (const cid of [...stale].sort()) await this.detach(cid);
    // Nothing reserved any more: forget host-local's round-robin position, so a new run on an
    // empty node hands out addresses from the start of the range, as the simulator does.
    const dir = join(this.dataDir, this.network);
    if (this.reservedBy().length === 0 && existsSync(dir))
      for (const f of readdirSync(dir)) if (f.startsWith('last_reserved_ip.')) rmSync(join(dir, f), { force: true });
    return { namespaces, attachments: [...stale].sort() };
  }

  /** The CNI container id in a cache file name of this node's networks, if it is one of ours. */
  private tmpOwner(name: string): string | undefined {
    return cacheOwner(name, this.loNetwork, 'lo') ?? cacheOwner(name, this.network, IFNAME);
  }

  /** CNI container ids holding a host-local reservation in this node's network. */
  reservedBy(): string[] {
    const dir = join(this.dataDir, this.network);
    if (!existsSync(dir)) return [];
    const out = new Set<string>();
    for (const f of readdirSync(dir)) {
      if (!/^\d+\.\d+\.\d+\.\d+$/.test(f)) continue; // last_reserved_ip.0, lock
      try {
        const id = readFileSync(join(dir, f), 'utf8').split(/\r?\n/)[0].trim();
        if (id !== '') out.add(id);
      } catch {
        // released meanwhile
      }
    }
    return [...out].sort();
  }

  private async detachNow(instanceId: string): Promise<void> {
    const cid = cniContainerId(instanceId);
    const name = this.netnsName(instanceId);
    const path = existsSync(netnsPath(name)) ? netnsPath(name) : '';
    const rt: CniRuntimeConf = { containerId: cid, netns: path, ifName: IFNAME };
    await this.cni.del(this.list, rt);
    await this.cni.del(this.lo, { containerId: cid, netns: path, ifName: 'lo' });
    await deleteNetns(name);
    this.ips.delete(cid);
  }

  private serialize<T>(instanceId: string, fn: () => Promise<T>): Promise<T> {
    const cid = cniContainerId(instanceId);
    const before = this.busy.get(cid) ?? Promise.resolve();
    const next = before.catch(() => undefined).then(fn);
    this.busy.set(cid, next);
    void next.catch(() => undefined).finally(() => {
      if (this.busy.get(cid) === next) this.busy.delete(cid);
    });
    return next;
  }
}

function networkError(network: string, instanceId: string, e: unknown): OrchestrationError {
  if (e instanceof OrchestrationError) return e;
  const msg = e instanceof CniError ? `CNI ${e.plugin} ${e.command}: ${e.msg}${e.details ? ` (${e.details})` : ''}` : (e as Error).message;
  return new OrchestrationError('Network', `network ${network} for ${instanceId}: ${msg}`);
}
