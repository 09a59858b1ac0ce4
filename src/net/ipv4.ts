/**
 * IPv4 addresses and CIDR blocks as unsigned 32-bit integers. Pure functions, no I/O: used by the
 * scenario loader (to check `cluster.network`), the simulated IPAM (host-local.ts) and the node
 * CIDR allocator (cidr-set.ts).
 */

/** An IPv4 block: `base` is the network address (host bits zero), `prefix` its length (0..32). */
export interface Cidr {
  readonly base: number;
  readonly prefix: number;
}

const OCTET = /^(0|[1-9]\d{0,2})$/;

/** `10.244.0.5` → its 32-bit value; undefined when it is not a dotted-quad IPv4 address. */
export function parseIp(s: string): number | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let v = 0;
  for (const p of parts) {
    if (!OCTET.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    v = v * 256 + n;
  }
  return v;
}

/** The dotted-quad form of a 32-bit value. */
export function formatIp(v: number): string {
  return `${(v >>> 24) & 255}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

/** Addresses in a block of this prefix length: 2^(32 - prefix). */
export function blockSize(prefix: number): number {
  return 2 ** (32 - prefix);
}

/** The block's last address (its broadcast address for prefixes up to /30). */
export function lastAddress(c: Cidr): number {
  return c.base + blockSize(c.prefix) - 1;
}

export function formatCidr(c: Cidr): string {
  return `${formatIp(c.base)}/${c.prefix}`;
}

export function contains(c: Cidr, ip: number): boolean {
  return ip >= c.base && ip <= lastAddress(c);
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.base <= lastAddress(b) && b.base <= lastAddress(a);
}

/**
 * Parses `A.B.C.D/N`. Returns the block, or a sentence saying what is wrong (for the loader,
 * which prefixes the field): host bits set is refused, as host-local refuses it ("Network has
 * host bits set").
 */
export function parseCidr(s: string): Cidr | string {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(s);
  if (!m) return `expected an IPv4 CIDR such as 10.244.0.0/16, got ${JSON.stringify(s)}`;
  const ip = parseIp(m[1]);
  if (ip === undefined) return `${JSON.stringify(m[1])} is not an IPv4 address (expected an IPv4 CIDR such as 10.244.0.0/16)`;
  const prefix = Number(m[2]);
  if (prefix > 32) return `prefix length /${prefix} is above /32`;
  const size = blockSize(prefix);
  const base = ip - (ip % size);
  if (base !== ip) return `${s} has host bits set: for a /${prefix} the network address is ${formatIp(base)} (write ${formatIp(base)}/${prefix})`;
  return { base, prefix };
}
