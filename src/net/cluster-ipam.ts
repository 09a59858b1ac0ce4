/**
 * The cluster's address plane in one object: node pod CIDRs from the cluster CIDR (cidr-set.ts,
 * kube-controller-manager's range allocator) and, per node, a host-local range over the node's
 * CIDR (host-local.ts). The simulator (backends/sim) owns one; live backends can use one to
 * predict what the real plugins will hand out. Deterministic and free of I/O.
 */
import { CidrSet } from './cidr-set.js';
import { HostLocalRange, type AllocateResult } from './host-local.js';
import { formatCidr, formatIp, parseCidr, type Cidr } from './ipv4.js';

/**
 * Networking as a scenario sets it (`cluster.network`); absent = no network model (instances get
 * no address, traces stay as they were).
 */
export interface NetworkConfig {
  /** The cluster's pod CIDR (kube-controller-manager's `--cluster-cidr`), e.g. `10.244.0.0/16`. */
  readonly podCidr: string;
  /** Prefix length of each node's pod CIDR (`--node-cidr-mask-size`), default 24. */
  readonly nodeCidrMaskSize: number;
}

/** Why an instance got no address: the node has no pod CIDR, or its range is full. */
export type AddressResult = { readonly ok: true; readonly ip: string } | { readonly ok: false; readonly error: string };

export class ClusterIpam {
  private readonly set: CidrSet;
  private readonly nodes = new Map<string, { cidr: Cidr; range: HostLocalRange; explicit: boolean }>();

  /** `explicit`: node pod CIDRs given in the scenario; they are occupied first, as the controller does at start. */
  constructor(config: NetworkConfig, explicit: readonly string[] = []) {
    const cluster = parseCidr(config.podCidr);
    if (typeof cluster === 'string') throw new RangeError(`cluster.network.podCidr: ${cluster}`);
    this.set = new CidrSet(cluster, config.nodeCidrMaskSize);
    for (const s of explicit) {
      const c = parseCidr(s);
      if (typeof c !== 'string') this.set.occupy(c);
    }
  }

  /**
   * A node joins: it gets `explicit` (its scenario `podCidr`) or the next free node block.
   * Returns the node's CIDR, or undefined when the cluster CIDR has none left.
   */
  addNode(node: string, explicit?: string): string | undefined {
    if (this.nodes.has(node)) return formatCidr(this.nodes.get(node)!.cidr);
    let cidr: Cidr | undefined;
    if (explicit !== undefined) {
      const c = parseCidr(explicit);
      if (typeof c === 'string') throw new RangeError(`podCidr of node ${node}: ${c}`);
      cidr = c;
    } else cidr = this.set.allocateNext();
    if (cidr === undefined) return undefined;
    this.nodes.set(node, { cidr, range: new HostLocalRange(cidr), explicit: explicit !== undefined });
    return formatCidr(cidr);
  }

  /** A node left for good: its block goes back to the cluster CIDR, its reservations with it. */
  removeNode(node: string): void {
    const n = this.nodes.get(node);
    if (!n) return;
    this.nodes.delete(node);
    if (!n.explicit) this.set.release(n.cidr);
  }

  /** The node's pod CIDR, if it has one. */
  podCidrOf(node: string): string | undefined {
    const n = this.nodes.get(node);
    return n ? formatCidr(n.cidr) : undefined;
  }

  /** The node's host-local range (undefined without a pod CIDR). */
  rangeOf(node: string): HostLocalRange | undefined {
    return this.nodes.get(node)?.range;
  }

  /** An address for `owner` (an instance) on the node: CNI ADD's IPAM step. */
  allocate(node: string, owner: string): AddressResult {
    const n = this.nodes.get(node);
    if (!n) return { ok: false, error: `node ${node} has no pod CIDR (the cluster CIDR ${formatCidr(this.set.cluster)} has no /${this.set.nodeMaskSize} left)` };
    const r: AllocateResult = n.range.allocate(owner);
    return r.ok ? { ok: true, ip: formatIp(r.ip) } : r;
  }

  /** Frees the owner's address on the node (CNI DEL); idempotent. */
  release(node: string, owner: string): void {
    this.nodes.get(node)?.range.release(owner);
  }
}
