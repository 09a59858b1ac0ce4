/**
 * The simulated twin of the CNI `host-local` IPAM plugin (containernetworking/plugins,
 * plugins/ipam/host-local/backend/allocator): one node's address range, allocated the way the
 * real plugin allocates it, so a scenario gives the same addresses in simulation and on the OCI
 * backend (docs/networking.md).
 *
 * What the real plugin does, and this class does too:
 * - The range of a subnet without `rangeStart`/`rangeEnd`/`gateway`: the gateway is the first
 *   address (network + 1); the range runs from network + 1 to the last address before the
 *   broadcast address; the iterator skips the gateway. A /24 thus hands out .2 to .254 (253).
 *   A /31 or /32 is refused ("too small to allocate from").
 * - Round-robin, not lowest-free: the search starts right after the last reserved address
 *   (`last_reserved_ip.0` in its data directory), wraps at the range end, and gives up when it is
 *   back where it started. A released address is handed out again only after the whole range has
 *   been gone through ("a crash-looping container will not see the same IP until the entire
 *   range has been run through"). The last reserved address survives releases.
 * - Exhaustion: `no IP addresses available in range set: START-END`, wrapped by the plugin's main
 *   as `failed to allocate for range 0: ...`. A second allocation for an owner that holds one is
 *   refused (`duplicate allocation is not allowed`), as the CNI spec asks.
 *
 * Deterministic and free of I/O (src/net is below the simulator, docs/architecture.md).
 */
import { blockSize, formatIp, type Cidr } from './ipv4.js';

/** An allocation's outcome: the address, or the plugin's error message. */
export type AllocateResult = { readonly ok: true; readonly ip: number } | { readonly ok: false; readonly error: string };

export class HostLocalRange {
  readonly subnet: Cidr;
  /** network + 1: host-local's default gateway (the bridge's address), never handed out. */
  readonly gateway: number;
  /** First and last address of the range (inclusive): network + 1 and broadcast - 1. */
  readonly rangeStart: number;
  readonly rangeEnd: number;
  private readonly byIp = new Map<number, string>();
  private readonly byOwner = new Map<string, number>();
  /** host-local's `last_reserved_ip.0`: where the next search starts (after it). */
  private last: number | undefined;

  constructor(subnet: Cidr) {
    if (subnet.prefix > 30) throw new RangeError(`Network ${formatIp(subnet.base)}/${subnet.prefix} too small to allocate from`);
    this.subnet = subnet;
    this.gateway = subnet.base + 1;
    this.rangeStart = subnet.base + 1;
    this.rangeEnd = subnet.base + blockSize(subnet.prefix) - 2;
  }

  /** Addresses that can be handed out: the range minus the gateway. */
  get capacity(): number {
    return this.rangeEnd - this.rangeStart; // (end - start + 1) addresses, one of them the gateway
  }

  /** Addresses handed out now. */
  get used(): number {
    return this.byOwner.size;
  }

  /** `START-END`, as host-local prints a range set of one range. */
  toString(): string {
    return `${formatIp(this.rangeStart)}-${formatIp(this.rangeEnd)}`;
  }

  /** The address `owner` holds, if any. */
  addressOf(owner: string): number | undefined {
    return this.byOwner.get(owner);
  }

  /** The last reserved address (host-local's `last_reserved_ip.0`), if any was ever reserved. */
  get lastReserved(): number | undefined {
    return this.last;
  }

  /** Every address handed out, with its owner, by address. */
  allocations(): Array<{ ip: number; owner: string }> {
    return [...this.byIp].map(([ip, owner]) => ({ ip, owner })).sort((a, b) => a.ip - b.ip);
  }

  /**
   * Reserves the next free address for `owner` (host-local's `Get` without a requested IP):
   * the first free one after the last reserved, wrapping at the range end, skipping the gateway.
   */
  allocate(owner: string): AllocateResult {
    const held = this.byOwner.get(owner);
    if (held !== undefined) return { ok: false, error: `${formatIp(held)} has been allocated to ${owner}, duplicate allocation is not allowed` };
    const ip = this.used >= this.capacity ? undefined : this.search();
    if (ip === undefined) return { ok: false, error: `failed to allocate for range 0: no IP addresses available in range set: ${this}` };
    this.byIp.set(ip, owner);
    this.byOwner.set(owner, ip);
    this.last = ip;
    return { ok: true, ip };
  }

  /** Frees the owner's address (host-local's `ReleaseByID`); nothing held is not an error (DEL is idempotent). */
  release(owner: string): number | undefined {
    const ip = this.byOwner.get(owner);
    if (ip === undefined) return undefined;
    this.byOwner.delete(owner);
    this.byIp.delete(ip);
    return ip;
  }

  /**
   * host-local's RangeIter over one range: start after `last` when it lies in the range, else at
   * rangeStart; step by one, wrap from rangeEnd to rangeStart; stop when back at the first
   * candidate; skip the gateway. Returns the first candidate not reserved.
   */
  private search(): number | undefined {
    const { rangeStart, rangeEnd, gateway } = this;
    let cur: number;
    if (this.last !== undefined && this.last >= rangeStart && this.last <= rangeEnd) {
      cur = this.last === rangeEnd ? rangeStart : this.last + 1;
    } else cur = rangeStart;
    const start = cur;
    do {
      if (cur !== gateway && !this.byIp.has(cur)) return cur;
      cur = cur === rangeEnd ? rangeStart : cur + 1;
    } while (cur !== start);
    return undefined;
  }
}
