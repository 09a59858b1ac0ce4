/**
 * The ConsistentKv contract on a real etcd cluster (SLIPWAY_LIVE=1; scripts/start-etcd.sh --members 3,
 * which .ci/run starts). SLIPWAY_ETCD_ENDPOINTS overrides the endpoints.
 */
import { describe, expect, it } from 'vitest';
import { EtcdKv } from '../../backends/store/etcd-kv.js';
import { StoreUnavailableError } from '../../src/store/kv.js';
import { ETCD_ENDPOINTS, LIVE, LIVE_SKIP_REASON } from '../support/backends.js';
import { kvContractSuite } from './kv-contract.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

if (LIVE) {
  kvContractSuite('etcd', {
    prefix: `/slipway-test/kv-contract/${process.pid.toString(36)}${Date.now().toString(36)}`,
    // etcd rounds a 1 s lease up to its minimum (1.5 × election timeout) and checks expiry every 0.5 s.
    leaseExpiryBoundMs: 10_000,
    open: async () => {
      const kv = new EtcdKv({ endpoints: ETCD_ENDPOINTS });
      return { kv, compact: (revision) => kv.compact(revision), sleep, run: (body) => body(), close: () => kv.close() };
    },
  });
} else {
  describe('ConsistentKv contract: etcd', () => it.skip(`skipped: ${LIVE_SKIP_REASON} (and scripts/start-etcd.sh --members 3)`, () => {}));
}

describe('EtcdKv without a reachable member', () => {
  it('answers StoreUnavailableError within the request timeout, for requests and for watches', async () => {
    // Port 9 (discard) on loopback: nothing listens, every connection is refused.
    const kv = new EtcdKv({ endpoints: ['127.0.0.1:9'], requestTimeoutMs: 1000 });
    try {
      await expect(kv.get('/x')).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(kv.txn({ compare: [], success: [{ type: 'put', key: '/x', value: '1' }] })).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(kv.leaseKeepAlive('1')).rejects.toBeInstanceOf(StoreUnavailableError);
      const error = await new Promise<Error>((resolve) => {
        kv.watch('/x', 1, { onEvents: () => undefined, onError: resolve });
      });
      expect(error).toBeInstanceOf(StoreUnavailableError);
    } finally {
      await kv.close();
    }
  });
});
