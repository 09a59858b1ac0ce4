/**
 * Properties of the simulated address plane (src/net/cluster-ipam.ts) over random sequences of
 * nodes joining and leaving and instances taking and releasing addresses: after every step, no two
 * live instances of a node share an address, every address lies in its node's pod CIDR and is not
 * the network, broadcast or gateway address, node blocks never overlap, and an allocation fails
 * only when the node has no block or its range is full.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClusterIpam } from '../../src/net/cluster-ipam.js';
import { blockSize, contains, overlaps, parseCidr, parseIp, type Cidr } from '../../src/net/ipv4.js';

type Op =
  | { readonly kind: 'addNode'; readonly node: number }
  | { readonly kind: 'removeNode'; readonly node: number }
  | { readonly kind: 'allocate'; readonly node: number; readonly owner: number }
  | { readonly kind: 'release'; readonly node: number; readonly owner: number };

const NODES = 6;
const OWNERS = 40;

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('addNode' as const), node: fc.nat(NODES - 1) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('removeNode' as const), node: fc.nat(NODES - 1) }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('allocate' as const), node: fc.nat(NODES - 1), owner: fc.nat(OWNERS - 1) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('release' as const), node: fc.nat(NODES - 1), owner: fc.nat(OWNERS - 1) }) },
);

/** Cluster /24 cut into /27 … /30 blocks: ranges of 1 to 29 addresses, so exhaustion is frequent. */
const caseArb = fc.record({ mask: fc.integer({ min: 27, max: 30 }), cluster: fc.integer({ min: 24, max: 26 }), ops: fc.array(opArb, { minLength: 1, maxLength: 300 }) });

describe('ClusterIpam properties', () => {
  it('unique addresses per node, inside the node block, never network/broadcast/gateway; blocks disjoint; failures only when full', () => {
    fc.assert(
      fc.property(caseArb, ({ mask, cluster, ops }) => {
        const ipam = new ClusterIpam({ podCidr: `10.9.0.0/${cluster}`, nodeCidrMaskSize: mask });
        const clusterCidr = parseCidr(`10.9.0.0/${cluster}`) as Cidr;
        const joined = new Set<string>();
        /** Our own record of who holds what: node → owner → address. */
        const held = new Map<string, Map<string, string>>();
        for (const op of ops) {
          const node = `n${op.node}`;
          if (op.kind === 'addNode') {
            ipam.addNode(node);
            joined.add(node);
            if (!held.has(node)) held.set(node, new Map());
          } else if (op.kind === 'removeNode') {
            ipam.removeNode(node);
            joined.delete(node);
            held.delete(node);
          } else if (op.kind === 'allocate') {
            const owner = `i${op.owner}`;
            const range = ipam.rangeOf(node);
            const r = ipam.allocate(node, owner);
            const mine = held.get(node);
            if (r.ok) {
              expect(mine?.has(owner), 'a second address for one owner').not.toBe(true);
              mine!.set(owner, r.ip);
            } else if (!mine?.has(owner)) {
              // Refused although the owner holds nothing: the node has no block, or its range is full.
              expect(range === undefined || range.used === range.capacity, `${node}: ${r.error}`).toBe(true);
            }
          } else {
            ipam.release(node, `i${op.owner}`);
            held.get(node)?.delete(`i${op.owner}`);
          }

          // After every step:
          const blocks: Array<[string, Cidr]> = [];
          for (const n of joined) {
            const s = ipam.podCidrOf(n);
            if (s === undefined) continue;
            const block = parseCidr(s) as Cidr;
            expect(contains(clusterCidr, block.base), `${n}'s block ${s} inside the cluster CIDR`).toBe(true);
            blocks.push([n, block]);
            const ips = [...(held.get(n)?.values() ?? [])];
            expect(new Set(ips).size, `${n}: two owners share an address: ${ips}`).toBe(ips.length);
            const range = ipam.rangeOf(n)!;
            expect(range.used).toBe(ips.length);
            for (const s2 of ips) {
              const ip = parseIp(s2)!;
              expect(contains(block, ip), `${s2} in ${s}`).toBe(true);
              expect(ip, `${s2} is ${s}'s network address`).not.toBe(block.base);
              expect(ip, `${s2} is ${s}'s broadcast address`).not.toBe(block.base + blockSize(block.prefix) - 1);
              expect(ip, `${s2} is ${s}'s gateway`).not.toBe(block.base + 1);
            }
          }
          for (let i = 0; i < blocks.length; i++)
            for (let j = 0; j < i; j++) expect(overlaps(blocks[i][1], blocks[j][1]), `${blocks[i][0]} and ${blocks[j][0]} overlap`).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });
});
