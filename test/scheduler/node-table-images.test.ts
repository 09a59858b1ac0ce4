/**
 * NodeTable.setImages: a node's reported images change during a run (a simulated node pulled an
 * image); ImageLocality's inputs (nodes per image, sizes per node) follow.
 */
import { describe, expect, it } from 'vitest';
import { resources } from '../../src/core/resources.js';
import { NodeTable, type NodeSpec } from '../../src/scheduler/framework/node-table.js';

const spec = (name: string, images?: Array<[string, number]>): NodeSpec => ({
  name,
  labels: {},
  taints: [],
  unschedulable: false,
  allocatable: resources({ cpu: 1000, memory: 1 << 30 }),
  ...(images ? { images: new Map(images) } : {}),
});

describe('NodeTable.setImages', () => {
  it('keeps nodes-per-image counts and per-node sizes in step with the reports', () => {
    const t = new NodeTable([spec('a', [['x:1', 100]]), spec('b'), spec('c', [['x:1', 100], ['y:1', 5]])]);
    expect(t.imageNodes.get('x:1')).toBe(2);
    expect([...t.imageSizes('x:1')]).toEqual([100, 0, 100]);
    t.setImages(1, new Map([['x:1', 100], ['z:1', 7]])); // b pulled x and z
    expect(t.imageNodes.get('x:1')).toBe(3);
    expect(t.imageNodes.get('z:1')).toBe(1);
    expect([...t.imageSizes('x:1')]).toEqual([100, 100, 100]);
    t.setImages(2, undefined); // c reports nothing any more
    expect(t.imageNodes.get('x:1')).toBe(2);
    expect(t.imageNodes.has('y:1')).toBe(false);
    expect([...t.imageSizes('x:1')]).toEqual([100, 100, 0]);
  });
});

describe('NodeTable.setTaints', () => {
  it('keeps the count of tainted nodes, so TaintToleration skips only untainted tables', async () => {
    const { PROFILES, createFramework } = await import('../../src/scheduler/profiles.js');
    const { RandomStream } = await import('../../src/engine/random.js');
    const t = new NodeTable([spec('a'), spec('b')]);
    expect(t.taintedNodes).toBe(0);
    const pod = { name: 'p', namespace: 'default', labels: {}, priority: 0, requests: resources({ cpu: 100 }), nonZeroCpu: 100, nonZeroMemory: 200 << 20, images: [], placement: {} };
    const fw = createFramework(PROFILES.default, new RandomStream('t', 1));
    // a taint added later (a taint operation, a node going NotReady) must be seen by the filter
    t.setTaints(0, [{ key: 'maint', effect: 'NoSchedule' }]);
    t.setTaints(1, [{ key: 'maint', effect: 'NoExecute' }]);
    expect(t.taintedNodes).toBe(2);
    const r = fw.scheduleOne(pod, t);
    expect(r.kind).toBe('unschedulable');
    t.setTaints(0, []);
    expect(t.taintedNodes).toBe(1);
    const r2 = fw.scheduleOne(pod, t);
    expect(r2.kind === 'assign' && t.names[r2.node]).toBe('a');
    t.setTaints(1, []);
    expect(t.taintedNodes).toBe(0);
  });
});
