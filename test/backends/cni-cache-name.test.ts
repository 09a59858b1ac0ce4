/**
 * The CNI result cache's file names (libcni's `<network>-<container>-<ifname>`): garbage collection
 * after a kill -9 reads whose a half-written `.tmp` entry was from its name alone, so the name
 * written and the name read must agree, for every network and container id Slipway makes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cacheName, cacheOwner } from '../../backends/oci/cni.js';

const word = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,30}$/);

describe('CNI cache entry names', () => {
  it('the owner read from a name is the container id it was written with', () => {
    fc.assert(
      fc.property(word, word, fc.constantFrom('eth0', 'lo'), (network, cid, ifName) => {
        expect(cacheOwner(cacheName(network, cid, ifName), network, ifName)).toBe(cid);
      }),
    );
  });

  it("another network's or interface's entry, or a name with no container id, has no owner here", () => {
    expect(cacheOwner(cacheName('slipway-n1', 'abc', 'eth0'), 'slipway-n2', 'eth0')).toBeUndefined();
    expect(cacheOwner(cacheName('slipway-n1', 'abc', 'lo'), 'slipway-n1', 'eth0')).toBeUndefined();
    expect(cacheOwner('slipway-n1--eth0', 'slipway-n1', 'eth0')).toBeUndefined();
  });
});
