/**
 * Node pod CIDRs (src/net/cidr-set.ts, src/net/cluster-ipam.ts) against kube-controller-manager's
 * range allocator (pkg/controller/nodeipam/ipam/cidrset: AllocateNext, Occupy, Release).
 */
import { describe, expect, it } from 'vitest';
import { CidrSet } from '../../src/net/cidr-set.js';
import { ClusterIpam } from '../../src/net/cluster-ipam.js';
import { formatCidr, parseCidr, type Cidr } from '../../src/net/ipv4.js';

const cidr = (s: string): Cidr => parseCidr(s) as Cidr;

describe('node CIDRs from the cluster CIDR', () => {
  it.each<{ why: string; cluster: string; mask: number; steps: string[]; got: Array<string | undefined> }>([
    {
      why: 'nodes get consecutive blocks in the order they join',
      cluster: '10.244.0.0/16', mask: 24, steps: ['+', '+', '+'],
      got: ['10.244.0.0/24', '10.244.1.0/24', '10.244.2.0/24'],
    },
    {
      why: 'round-robin: a released block is not handed out next (nextCandidate moved past it)',
      cluster: '10.244.0.0/16', mask: 24, steps: ['+', '+', '-10.244.0.0/24', '+'],
      got: ['10.244.0.0/24', '10.244.1.0/24', '10.244.2.0/24'],
    },
    {
      why: 'a /24 cut into /26 holds 4 node blocks; the fifth node gets none',
      cluster: '10.0.0.0/24', mask: 26, steps: ['+', '+', '+', '+', '+'],
      got: ['10.0.0.0/26', '10.0.0.64/26', '10.0.0.128/26', '10.0.0.192/26', undefined],
    },
    {
      why: 'after wrapping, the search finds the released block',
      cluster: '10.0.0.0/24', mask: 26, steps: ['+', '+', '+', '+', '-10.0.0.64/26', '+'],
      got: ['10.0.0.0/26', '10.0.0.64/26', '10.0.0.128/26', '10.0.0.192/26', '10.0.0.64/26'],
    },
    {
      why: 'an occupied block (a node\'s explicit podCidr) is skipped',
      cluster: '10.0.0.0/24', mask: 26, steps: ['=10.0.0.0/26', '+', '+'],
      got: ['10.0.0.64/26', '10.0.0.128/26'],
    },
    {
      why: 'an occupied block larger than a node block covers several',
      cluster: '10.0.0.0/24', mask: 26, steps: ['=10.0.0.0/25', '+'],
      got: ['10.0.0.128/26'],
    },
  ])('$why', ({ cluster, mask, steps, got }) => {
    const set = new CidrSet(cidr(cluster), mask);
    const out: Array<string | undefined> = [];
    for (const s of steps) {
      if (s === '+') {
        const c = set.allocateNext();
        out.push(c && formatCidr(c));
      } else if (s.startsWith('-')) set.release(cidr(s.slice(1)));
      else set.occupy(cidr(s.slice(1)));
    }
    expect(out).toEqual(got);
  });
});

describe('ClusterIpam', () => {
  it('a node without a block fails every allocation with the reason', () => {
    const ipam = new ClusterIpam({ podCidr: '10.0.0.0/24', nodeCidrMaskSize: 25 });
    expect(ipam.addNode('a')).toBe('10.0.0.0/25');
    expect(ipam.addNode('b')).toBe('10.0.0.128/25');
    expect(ipam.addNode('c')).toBeUndefined();
    expect(ipam.allocate('a', 'i1')).toEqual({ ok: true, ip: '10.0.0.2' });
    expect(ipam.allocate('c', 'i2')).toEqual({ ok: false, error: 'node c has no pod CIDR (the cluster CIDR 10.0.0.0/24 has no /25 left)' });
  });

  it('explicit node CIDRs are occupied from the start and kept when their node leaves', () => {
    const ipam = new ClusterIpam({ podCidr: '10.0.0.0/24', nodeCidrMaskSize: 26 }, ['10.0.0.64/26']);
    expect(ipam.addNode('a')).toBe('10.0.0.0/26');
    expect(ipam.addNode('b')).toBe('10.0.0.128/26');
    expect(ipam.addNode('x', '10.0.0.64/26')).toBe('10.0.0.64/26');
    ipam.removeNode('x');
    expect(ipam.addNode('c')).toBe('10.0.0.192/26');
    expect(ipam.addNode('d')).toBeUndefined(); // .64/26 is still x's (it may come back)
  });

  it('a removed node takes its reservations with it; its block goes back', () => {
    const ipam = new ClusterIpam({ podCidr: '10.0.0.0/25', nodeCidrMaskSize: 26 });
    ipam.addNode('a');
    ipam.addNode('b');
    ipam.allocate('a', 'i1');
    ipam.removeNode('a');
    expect(ipam.rangeOf('a')).toBeUndefined();
    expect(ipam.addNode('c')).toBe('10.0.0.0/26');
    expect(ipam.allocate('c', 'i2')).toEqual({ ok: true, ip: '10.0.0.2' });
  });
});
