import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { explainWith, mkNode, mkPod, mkTable, reasonsOf, scoresOf } from './support.js';

const MiB = 1024 * 1024;
const fit = (type: string, resources = [{ name: 'cpu', weight: 1 }, { name: 'memory', weight: 1 }], extra: object = {}) => [
  { name: 'NodeResourcesFit', weight: 1, args: { scoringStrategy: { type, resources, ...extra } } },
];
// kube-scheduler's test fixture: two containers, 1000m/2000 + 2000m/3000 → 3000m cpu, 5000 bytes.
const pod = mkPod('p', { containers: [{ cpu: 1000, memory: 2000 }, { cpu: 2000, memory: 3000 }] });
const nodes = [mkNode('node1', { cpu: 4000, memory: 10000 }), mkNode('node2', { cpu: 6000, memory: 10000 })];

describe('NodeResourcesFit scoring', () => {
  it.each([
    // LeastAllocated: ⌊(alloc - req)·100/alloc⌋ per resource, weighted average (truncated)
    //   node1: cpu (4000-3000)·100/4000 = 25, memory (10000-5000)·100/10000 = 50 → ⌊75/2⌋ = 37
    //   node2: cpu (6000-3000)·100/6000 = 50, memory 50                         → 50
    ['LeastAllocated', fit('LeastAllocated'), { node1: 37, node2: 50 }],
    // MostAllocated: ⌊req·100/alloc⌋
    //   node1: cpu 3000·100/4000 = 75, memory 50 → ⌊125/2⌋ = 62;  node2: 50, 50 → 50
    ['MostAllocated', fit('MostAllocated'), { node1: 62, node2: 50 }],
    // LeastAllocated with cpu weight 2: node1 ⌊(25·2 + 50·1)/3⌋ = 33; node2 ⌊(50·2+50)/3⌋ = 50
    ['LeastAllocated, cpu weight 2', fit('LeastAllocated', [{ name: 'cpu', weight: 2 }, { name: 'memory', weight: 1 }]), { node1: 33, node2: 50 }],
    // RequestedToCapacityRatio, shape (0,0)→(100,10), scores ×10: f(u) = u
    //   node1: cpu u = 3000·100/4000 = 75 → 75, memory u = 50 → 50; round(125/2 = 62.5) = 63
    //   node2: 50, 50 → 50
    [
      'RequestedToCapacityRatio',
      fit('RequestedToCapacityRatio', undefined, { requestedToCapacityRatio: { shape: [{ utilization: 0, score: 0 }, { utilization: 100, score: 10 }] } }),
      { node1: 63, node2: 50 },
    ],
    // Reversed shape (0,10)→(100,0): f(u) = 100 - u. node1: 25, 50 → round(37.5) = 38; node2: 50, 50 → 50
    [
      'RequestedToCapacityRatio reversed',
      fit('RequestedToCapacityRatio', undefined, { requestedToCapacityRatio: { shape: [{ utilization: 0, score: 10 }, { utilization: 100, score: 0 }] } }),
      { node1: 38, node2: 50 },
    ],
  ])('%s', (_name, plugins, want) => {
    const t = mkTable(nodes);
    expect(scoresOf(explainWith(plugins, pod, t), t, 'NodeResourcesFit')).toEqual(want);
  });

  it('counts 100m cpu and 200Mi memory for containers without requests (scoring only)', () => {
    // node: 1000m, 2000Mi. Pod with one empty container scores as 100m / 200Mi:
    //   cpu (1000-100)·100/1000 = 90, memory (2000Mi-200Mi)·100/2000Mi = 90 → 90
    // A bound pod without requests also counts 100m/200Mi: then cpu (1000-200)·100/1000 = 80,
    //   memory (2000-400)·100/2000 = 80 → 80
    const n = [mkNode('a', { cpu: 1000, memory: 2000 * MiB }), mkNode('b', { cpu: 1000, memory: 2000 * MiB })];
    const t = mkTable(n, [[1, mkPod('e')]]);
    const e = explainWith(fit('LeastAllocated'), mkPod('p'), t);
    expect(scoresOf(e, t, 'NodeResourcesFit')).toEqual({ a: 90, b: 80 });
    // ... but the filter sees real requests (0): both nodes are feasible.
    expect(e.nodes.every((x) => x.feasible)).toBe(true);
  });

  it('scores an extended resource only when the pod requests it', () => {
    // resources cpu, memory, example.com/foo (weight 1 each). Pod requests foo=1 on node2 (foo 4):
    //   node2: cpu (6000-3000)·100/6000 = 50, memory 50, foo (4-1)·100/4 = 75 → ⌊175/3⌋ = 58
    //   node1 has no foo: skipped → (25+50)/2 = 37
    const n = [mkNode('node1', { cpu: 4000, memory: 10000 }), mkNode('node2', { cpu: 6000, memory: 10000, ext: { 'example.com/foo': 4 } })];
    const p = mkPod('p', { containers: [{ cpu: 1000, memory: 2000 }, { cpu: 2000, memory: 3000, ext: { 'example.com/foo': 1 } }] });
    const t = mkTable(n);
    const res = [{ name: 'cpu', weight: 1 }, { name: 'memory', weight: 1 }, { name: 'example.com/foo', weight: 1 }];
    const e = explainWith(fit('LeastAllocated', res), p, t);
    expect(reasonsOf(e, t)).toEqual({ node1: ['Insufficient example.com/foo'], node2: [] });
    expect(scoresOf(e, t, 'NodeResourcesFit')).toEqual({ node2: 58 });
  });
});

describe('NodeResourcesFit filter', () => {
  it('reports every shortfall, kube-scheduler style', () => {
    // node1: 3000m used of 4000m → 1000m free < 3000m; memory 10000 - 8000 = 2000 < 5000
    const t = mkTable(nodes, [[0, mkPod('e1', { containers: [{ cpu: 3000, memory: 8000 }] })]]);
    const e = explainWith(fit('LeastAllocated'), pod, t);
    expect(reasonsOf(e, t)).toEqual({ node1: ['Insufficient cpu', 'Insufficient memory'], node2: [] });
  });

  it('rejects a node at its pod limit with "Too many pods", even for a pod without requests', () => {
    const t = mkTable([mkNode('a', { cpu: 4000, memory: 10000, pods: 1 })], [[0, mkPod('e')]]);
    expect(reasonsOf(explainWith(fit('LeastAllocated'), mkPod('p'), t), t)).toEqual({ a: ['Too many pods'] });
  });

  it('counts extended resources already requested on the node', () => {
    // node has 4 example.com/foo; a bound pod holds 3 → 1 free < 2 requested
    const n = [mkNode('a', { cpu: 4000, memory: 10000, ext: { 'example.com/foo': 4 } })];
    const t = mkTable(n, [[0, mkPod('e', { containers: [{ cpu: 1, ext: { 'example.com/foo': 3 } }] })]]);
    const p = mkPod('p', { containers: [{ cpu: 1, ext: { 'example.com/foo': 2 } }] });
    expect(reasonsOf(explainWith(fit('LeastAllocated'), p, t), t)).toEqual({ a: ['Insufficient example.com/foo'] });
  });

  it('ignores ignoredResources', () => {
    const t = mkTable([mkNode('a', { cpu: 4000, memory: 10000 })]);
    const p = mkPod('p', { containers: [{ cpu: 1, ext: { 'example.com/x': 3 } }] });
    const plugins = [{ name: 'NodeResourcesFit', args: { ignoredResources: ['example.com/x'] } }];
    expect(reasonsOf(explainWith(plugins, p, t), t)).toEqual({ a: [] });
  });
});

describe('NodeResourcesFit args', () => {
  it.each([
    [0, 'profile.plugins[0].args.scoringStrategy.resources[0].weight: must be an integer in (0, 100], got 0'],
    [-1, 'profile.plugins[0].args.scoringStrategy.resources[0].weight: must be an integer in (0, 100], got -1'],
    [101, 'profile.plugins[0].args.scoringStrategy.resources[0].weight: must be an integer in (0, 100], got 101'],
  ])('rejects resource weight %s, naming the field', (weight, message) => {
    const t = mkTable(nodes);
    const run = () => explainWith(fit('LeastAllocated', [{ name: 'cpu', weight }]), pod, t);
    expect(run).toThrow(InputError);
    expect(run).toThrow(message);
  });

  it('rejects an unsorted shape and an unknown strategy', () => {
    const t = mkTable(nodes);
    expect(() =>
      explainWith(
        fit('RequestedToCapacityRatio', undefined, { requestedToCapacityRatio: { shape: [{ utilization: 50, score: 1 }, { utilization: 10, score: 2 }] } }),
        pod,
        t,
      ),
    ).toThrow('shape[1].utilization: utilization values must be sorted in increasing order');
    expect(() => explainWith(fit('Tetris'), pod, t)).toThrow('args.scoringStrategy.type: expected one of LeastAllocated, MostAllocated, RequestedToCapacityRatio, got "Tetris"');
  });
});
