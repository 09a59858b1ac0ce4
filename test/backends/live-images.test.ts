/**
 * Live nodes report their images for ImageLocality: the Docker engine's `GET /images/json` as
 * kubelet turns it into node.status.images, read with every heartbeat by the live cluster manager.
 * (The engine itself is faked here; test/live runs against real engines with SLIPWAY_LIVE=1.)
 */
import { describe, expect, it } from 'vitest';
import { engineImages } from '../../backends/docker/docker-api.js';
import { LiveClusterManager } from '../../backends/live/live-cluster-manager.js';
import { resources } from '../../src/core/resources.js';
import { Simulation } from '../../src/engine/simulation.js';

describe('engineImages', () => {
  it('every tag and digest is a name with the image size; <none> placeholders are dropped', () => {
    const m = engineImages([
      { RepoTags: ['nginx:1.25', 'registry.example/web'], RepoDigests: ['nginx@sha256:abc'], Size: 187_000_000 },
      { RepoTags: ['<none>:<none>'], RepoDigests: ['<none>@<none>'], Size: 5 },
      { RepoTags: null, RepoDigests: null, Size: 7 },
    ]);
    expect([...m]).toEqual([
      ['nginx:1.25', 187_000_000],
      ['registry.example/web:latest', 187_000_000],
      ['nginx@sha256:abc', 187_000_000],
    ]);
  });
});

describe('LiveClusterManager node images', () => {
  it('reads them at start and with each heartbeat; the node object changes only when they do', async () => {
    const clock = new Simulation(1);
    let held: Array<[string, number]> = [['nginx:1.25', 100]];
    let fail = false;
    const manager = new LiveClusterManager(
      clock,
      [
        {
          id: 'e1',
          address: 'fake://e1',
          labels: {},
          taints: [],
          capacity: resources({ cpu: 1000, memory: 1 << 30 }),
          probe: () => Promise.resolve(),
          discoverCapacity: () => Promise.reject(new Error('not asked')),
          images: () => (fail ? Promise.reject(new Error('engine busy')) : Promise.resolve(new Map(held))),
        },
      ],
      { heartbeatIntervalMs: 1000, nodeMonitorPeriodMs: 1000, notReadyAfterMs: 5000, downAfterMs: 10_000, rpcTimeoutMs: 500 },
    );
    await manager.initialize();
    const first = manager.getNode('e1')!.images;
    expect(first && [...first]).toEqual([['nginx:1.25', 100]]);
    await clock.run({ until: 2500 });
    expect(manager.getNode('e1')!.images).toBe(first); // unchanged: the same object, no rebuild
    held = [['nginx:1.25', 100], ['redis:7', 50]];
    await clock.run({ until: 3500 });
    expect([...manager.getNode('e1')!.images!]).toEqual([['nginx:1.25', 100], ['redis:7', 50]]);
    const second = manager.getNode('e1')!.images;
    fail = true;
    await clock.run({ until: 5500 });
    expect(manager.getNode('e1')!.images).toBe(second); // a failed listing keeps the last one
    manager.close();
  });
});
