/**
 * Node pod CIDRs out of the cluster's pod CIDR, the way kube-controller-manager's range allocator
 * hands them out (`--cluster-cidr`, `--node-cidr-mask-size`; pkg/controller/nodeipam/ipam/cidrset):
 * the cluster block is cut into 2^(mask - prefix) node blocks; `allocateNext` takes the first
 * free one at or after `nextCandidate` (round-robin, wrapping), then moves `nextCandidate` past
 * it; `occupy` marks blocks a node already holds (a node's explicit `podCidr`); `release` frees
 * the block of a node that left. Deterministic and free of I/O.
 */
import { blockSize, contains, lastAddress, overlaps, type Cidr } from './ipv4.js';

/** kube-controller-manager refuses a node mask more than 16 bits longer than the cluster's. */
export const MAX_NODE_MASK_DIFF = 16;

export class CidrSet {
  readonly cluster: Cidr;
  readonly nodeMaskSize: number;
  /** Node blocks the cluster block holds. */
  readonly maxCidrs: number;
  private readonly used = new Set<number>();
  private nextCandidate = 0;

  constructor(cluster: Cidr, nodeMaskSize: number) {
    if (nodeMaskSize < cluster.prefix || nodeMaskSize - cluster.prefix > MAX_NODE_MASK_DIFF) {
      throw new RangeError(`node mask /${nodeMaskSize} does not fit cluster /${cluster.prefix}`);
    }
    this.cluster = cluster;
    this.nodeMaskSize = nodeMaskSize;
    this.maxCidrs = 2 ** (nodeMaskSize - cluster.prefix);
  }

  /** Node blocks handed out or occupied. */
  get allocated(): number {
    return this.used.size;
  }

  /** The next free node block, or undefined when none is left ("no remaining CIDRs"). */
  allocateNext(): Cidr | undefined {
    if (this.used.size >= this.maxCidrs) return undefined;
    for (let i = 0; i < this.maxCidrs; i++) {
      const candidate = (i + this.nextCandidate) % this.maxCidrs;
      if (!this.used.has(candidate)) {
        this.nextCandidate = (candidate + 1) % this.maxCidrs;
        this.used.add(candidate);
        return this.block(candidate);
      }
    }
    return undefined;
  }

  /** Marks the node blocks that `cidr` covers (or the one that covers it) as used. */
  occupy(cidr: Cidr): void {
    for (const i of this.indices(cidr)) this.used.add(i);
  }

  /** Frees the node blocks `cidr` covers. */
  release(cidr: Cidr): void {
    for (const i of this.indices(cidr)) this.used.delete(i);
  }

  private block(index: number): Cidr {
    return { base: this.cluster.base + index * blockSize(this.nodeMaskSize), prefix: this.nodeMaskSize };
  }

  /** Indices of the node blocks overlapping `cidr` (none when it lies outside the cluster block). */
  private indices(cidr: Cidr): number[] {
    if (!overlaps(cidr, this.cluster)) return [];
    const size = blockSize(this.nodeMaskSize);
    const from = Math.max(cidr.base, this.cluster.base);
    const to = Math.min(lastAddress(cidr), lastAddress(this.cluster));
    const out: number[] = [];
    for (let i = Math.floor((from - this.cluster.base) / size); i <= Math.floor((to - this.cluster.base) / size); i++) out.push(i);
    return out;
  }

  /** True when `ip` is in the cluster block. */
  has(ip: number): boolean {
    return contains(this.cluster, ip);
  }
}
