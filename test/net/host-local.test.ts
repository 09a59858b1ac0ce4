/**
 * The simulated host-local IPAM (src/net/host-local.ts) against what the real plugin does
 * (containernetworking/plugins, plugins/ipam/host-local/backend/allocator: allocator.go's
 * GetIter/Next, range.go's Canonicalize). Each row says why the answer is what it is.
 */
import { describe, expect, it } from 'vitest';
import { HostLocalRange } from '../../src/net/host-local.js';
import { formatIp, parseCidr, type Cidr } from '../../src/net/ipv4.js';

const cidr = (s: string): Cidr => parseCidr(s) as Cidr;
const ip = (r: ReturnType<HostLocalRange['allocate']>): string => (r.ok ? formatIp(r.ip) : `error: ${r.error}`);

/** Steps: `+name` allocates for name, `-name` releases it. Returns what each `+` got. */
function play(subnet: string, steps: readonly string[]): string[] {
  const r = new HostLocalRange(cidr(subnet));
  const out: string[] = [];
  for (const s of steps) {
    if (s.startsWith('+')) out.push(ip(r.allocate(s.slice(1))));
    else r.release(s.slice(1));
  }
  return out;
}

describe('host-local range (defaults: gateway = network+1, range network+1 .. broadcast-1)', () => {
  it.each<{ why: string; subnet: string; start: string; end: string; gateway: string; capacity: number }>([
    { why: 'a /24: range .1-.254, the gateway .1 is skipped, so .2-.254 = 253 addresses', subnet: '10.244.0.0/24', start: '10.244.0.1', end: '10.244.0.254', gateway: '10.244.0.1', capacity: 253 },
    { why: 'a /29: 8 addresses minus network, broadcast and gateway = 5', subnet: '10.0.0.8/29', start: '10.0.0.9', end: '10.0.0.14', gateway: '10.0.0.9', capacity: 5 },
    { why: 'a /30, the smallest block host-local allocates from: one address (.2)', subnet: '192.168.7.0/30', start: '192.168.7.1', end: '192.168.7.2', gateway: '192.168.7.1', capacity: 1 },
    { why: 'a /16 spans octets: the range ends at x.y.255.254', subnet: '10.1.0.0/16', start: '10.1.0.1', end: '10.1.255.254', gateway: '10.1.0.1', capacity: 65533 },
  ])('$why', ({ subnet, start, end, gateway, capacity }) => {
    const r = new HostLocalRange(cidr(subnet));
    expect([formatIp(r.rangeStart), formatIp(r.rangeEnd), formatIp(r.gateway), r.capacity]).toEqual([start, end, gateway, capacity]);
    expect(r.toString()).toBe(`${start}-${end}`);
  });

  it.each(['10.0.0.0/31', '10.0.0.0/32'])('refuses %s: too small to allocate from (range.go)', (s) => {
    expect(() => new HostLocalRange(cidr(s))).toThrow(/too small to allocate from/);
  });
});

describe('host-local allocation order', () => {
  it.each<{ why: string; subnet: string; steps: string[]; got: string[] }>([
    {
      why: 'the first allocation starts at rangeStart, which is the gateway, so it gets .2',
      subnet: '10.244.0.0/24',
      steps: ['+a', '+b', '+c'],
      got: ['10.244.0.2', '10.244.0.3', '10.244.0.4'],
    },
    {
      why: 'round-robin, not lowest-free: after releasing .2 the next one is .4 (after the last reserved .3)',
      subnet: '10.244.0.0/24',
      steps: ['+a', '+b', '-a', '+c'],
      got: ['10.244.0.2', '10.244.0.3', '10.244.0.4'],
    },
    {
      why: 'a released address comes back only after the range wrapped: .2 freed, .3-.6 handed out, then the wrap finds .2',
      subnet: '10.0.0.0/29',
      steps: ['+a', '+b', '-a', '+c', '+d', '+e', '+f'],
      got: ['10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6', '10.0.0.2'],
    },
    {
      why: 'the wrap skips the gateway: after .6 (rangeEnd) comes .1 = gateway, so .2',
      subnet: '10.0.0.0/29',
      steps: ['+a', '+b', '+c', '+d', '+e', '-a', '+f'],
      got: ['10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6', '10.0.0.2'],
    },
    {
      why: 'the last reserved address survives its own release: releasing .3 then allocating tries .4 first',
      subnet: '10.0.0.0/29',
      steps: ['+a', '+b', '-b', '+c'],
      got: ['10.0.0.2', '10.0.0.3', '10.0.0.4'],
    },
    {
      why: 'a full range: the sixth allocation of a /29 fails with the plugin\'s message',
      subnet: '10.0.0.0/29',
      steps: ['+a', '+b', '+c', '+d', '+e', '+f'],
      got: ['10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6', 'error: failed to allocate for range 0: no IP addresses available in range set: 10.0.0.1-10.0.0.6'],
    },
    {
      why: 'exhaustion is not permanent: a release makes the freed address the only candidate',
      subnet: '10.0.0.0/29',
      steps: ['+a', '+b', '+c', '+d', '+e', '+f', '-c', '+g'],
      got: ['10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6', 'error: failed to allocate for range 0: no IP addresses available in range set: 10.0.0.1-10.0.0.6', '10.0.0.4'],
    },
    {
      why: 'a second allocation for the same owner is refused, as the CNI spec asks (allocator.go)',
      subnet: '10.0.0.0/29',
      steps: ['+a', '+a'],
      got: ['10.0.0.2', 'error: 10.0.0.2 has been allocated to a, duplicate allocation is not allowed'],
    },
    {
      why: 'a /30 holds one address; the second owner waits for the first to go',
      subnet: '10.0.0.4/30',
      steps: ['+a', '+b', '-a', '+b'],
      got: ['10.0.0.6', 'error: failed to allocate for range 0: no IP addresses available in range set: 10.0.0.5-10.0.0.6', '10.0.0.6'],
    },
  ])('$why', ({ subnet, steps, got }) => {
    expect(play(subnet, steps)).toEqual(got);
  });

  it('releasing what is not held is not an error (CNI DEL is idempotent)', () => {
    const r = new HostLocalRange(cidr('10.0.0.0/29'));
    expect(r.release('nobody')).toBeUndefined();
    r.allocate('a');
    expect(r.release('a')).toBe(cidr('10.0.0.2/32').base);
    expect(r.release('a')).toBeUndefined();
    expect(r.used).toBe(0);
  });
});
