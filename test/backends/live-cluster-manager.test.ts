/**
 * The live cluster manager's node images and taints, with faked engines (test/live runs against
 * real engines with SLIPWAY_LIVE=1): images as the Docker engine's `GET /images/json` turned into
 * node.status.images, read with every heartbeat; `taint`/`untaint` operations on live nodes.
 */
import { describe, expect, it } from 'vitest';
import { engineImages } from '../../backends/docker/docker-api.js';
import { LiveClusterManager } from '../../backends/live/live-cluster-manager.js';
import type { ClusterEvent } from '../../src/core/interfaces.js';
import { resources } from '../../src/core/resources.js';
import { applyTaintOperation } from '../../src/run/simulate.js';
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

function fakeNode(images?: () => Promise<ReadonlyMap<string, number>>) {
  return {
    id: 'e1',
    address: 'fake://e1',
    labels: {},
    taints: [],
    capacity: resources({ cpu: 1000, memory: 1 << 30 }),
    probe: () => Promise.resolve(),
    discoverCapacity: () => Promise.reject(new Error('not asked')),
    ...(images ? { images } : {}),
  };
}
const health = { heartbeatIntervalMs: 1000, nodeMonitorPeriodMs: 1000, notReadyAfterMs: 5000, downAfterMs: 10_000, rpcTimeoutMs: 500 };

describe('LiveClusterManager taints', () => {
  it('taint/untaint operations change a live node and the control plane hears of it', async () => {
    const clock = new Simulation(1);
    const manager = new LiveClusterManager(clock, [fakeNode()], health);
    await manager.initialize();
    const events: ClusterEvent[] = [];
    manager.subscribe((e) => events.push(e));
    const records: Array<[string, Record<string, unknown>]> = [];
    const recorder = { record: (type: string, f: Record<string, unknown>) => void records.push([type, f]) };
    await clock.run({ until: 1500 });
    applyTaintOperation({ kind: 'taint', at: 1500, node: 'e1', taint: { key: 'maint', effect: 'NoExecute' } }, manager, recorder);
    expect(manager.getNode('e1')!.taints).toEqual([{ key: 'maint', effect: 'NoExecute', timeAdded: 1500 }]);
    expect(events.map((e) => e.type)).toEqual(['NodeUpdated']);
    applyTaintOperation({ kind: 'untaint', at: 1500, node: 'e1', key: 'other' }, manager, recorder);
    applyTaintOperation({ kind: 'untaint', at: 1500, node: 'e1', key: 'maint', effect: 'NoExecute' }, manager, recorder);
    expect(manager.getNode('e1')!.taints).toEqual([]);
    expect(events).toHaveLength(2);
    expect(records).toEqual([
      ['op.taint', { node: 'e1', taint: 'maint:NoExecute', applied: true }],
      ['op.untaint', { node: 'e1', key: 'other', applied: false }],
      ['op.untaint', { node: 'e1', key: 'maint', effect: 'NoExecute', applied: true }],
    ]);
    manager.close();
  });
});

describe('LiveClusterManager node images', () => {
  it('reads them at start and with each heartbeat; the node object changes only when they do', async () => {
    const clock = new Simulation(1);
    let held: Array<[string, number]> = [['nginx:1.25', 100]];
    let fail = false;
    const manager = new LiveClusterManager(
      clock,
      [fakeNode(() => (fail ? Promise.reject(new Error('engine busy')) : Promise.resolve(new Map(held))))],
      health,
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
