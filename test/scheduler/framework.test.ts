import { describe, expect, it } from 'vitest';
import { RandomStream } from '../../src/engine/random.js';
import { Framework } from '../../src/scheduler/framework/framework.js';
import { numFeasibleNodesToFind } from '../../src/scheduler/framework/sampling.js';
import type { Plugin } from '../../src/scheduler/framework/types.js';
import { createFramework, PROFILES } from '../../src/scheduler/profiles.js';
import { explainWith, mkNode, mkPod, mkTable } from './support.js';

const MiB = 1024 * 1024;
const nodes = (n: number) => Array.from({ length: n }, (_, i) => mkNode(`n${String(i).padStart(5, '0')}`, { cpu: 4000, memory: 8000 * MiB }));

describe('numFeasibleNodesToFind (kube-scheduler adaptive sampling)', () => {
  it.each([
    [0, 50, 50], // fewer than 100 nodes: all
    [0, 99, 99],
    [0, 100, 100], // 50 - 0 = 50% → 50, raised to the minimum 100
    [0, 1000, 420], // 50 - ⌊1000/125⌋ = 42% → 420
    [0, 5000, 500], // 50 - 40 = 10% → 500
    [0, 6000, 300], // 50 - 48 = 2% → clamped to 5% → 300
    [0, 1500, 570], // 50 - 12 = 38% → 570
    [10, 500, 100], // 10% → 50, raised to 100
    [30, 1000, 300],
    [100, 5000, 5000],
  ])('percentage %i of %i nodes → %i', (pct, n, want) => {
    expect(numFeasibleNodesToFind(pct, n)).toBe(want);
  });
});

describe('Framework', () => {
  it('evaluates only the sampled number of nodes, resuming where the previous cycle stopped', () => {
    const t = mkTable(nodes(1000));
    const fw = createFramework(PROFILES.spread.name === 'spread' ? { ...PROFILES.spread, percentageOfNodesToScore: 0 } : PROFILES.spread, new RandomStream('s', 1));
    const a = fw.scheduleOne(mkPod('p', { containers: [{ cpu: 1 }] }), t);
    const b = fw.scheduleOne(mkPod('q', { containers: [{ cpu: 1 }] }), t);
    if (a.kind !== 'assign' || b.kind !== 'assign') throw new Error('expected placements');
    expect([a.evaluated, a.feasible, b.evaluated]).toEqual([420, 420, 420]);
    // all nodes tie; the first cycle picks among n0..n419, the second among n420..n839
    expect(a.node).toBeLessThan(420);
    expect(b.node).toBeGreaterThanOrEqual(420);
    expect(b.node).toBeLessThan(840);
  });

  it('stops right after the node that completes the sample, also when filters run in batches', () => {
    // 200 nodes, 100 wanted: n0..n98 fit, n99 is cordoned, n100 fits, n101.. are cordoned. The
    // 100th feasible node is n100, so 101 nodes are evaluated and the next cycle starts at n101
    // (batch filtering sees n100..n163 in one chunk, where n100 is the only survivor).
    const specs = Array.from({ length: 200 }, (_, i) =>
      mkNode(`n${String(i).padStart(5, '0')}`, { cpu: 4000, memory: 8000 * MiB, unschedulable: i === 99 || i > 100 }),
    );
    const t = mkTable(specs);
    const fw = createFramework({ ...PROFILES.spread, percentageOfNodesToScore: 50 }, new RandomStream('s', 1));
    const a = fw.scheduleOne(mkPod('p', { containers: [{ cpu: 1 }] }), t);
    if (a.kind !== 'assign') throw new Error('expected a placement');
    expect([a.evaluated, a.feasible]).toEqual([101, 100]);
    const b = fw.scheduleOne(mkPod('q', { containers: [{ cpu: 1 }] }), t);
    if (b.kind !== 'assign') throw new Error('expected a placement');
    // from n101: 99 cordoned nodes, then n0..n98 (99 fit) and n99 (cordoned), n100: all 200 nodes
    expect([b.evaluated, b.feasible]).toEqual([200, 100]);
  });

  it('breaks ties among equal top scores with the seeded stream (reservoir sampling)', () => {
    const pick = (seed: number) => {
      const fw = createFramework(PROFILES.random, new RandomStream('scheduler', seed));
      return fw.scheduleOne(mkPod('p'), mkTable(nodes(10)));
    };
    const chosen = new Set<number>();
    for (let seed = 0; seed < 40; seed++) {
      const r = pick(seed);
      if (r.kind !== 'assign') throw new Error('expected a placement');
      chosen.add(r.node);
      expect(pick(seed)).toEqual(r); // same seed, same choice
    }
    expect(chosen.size).toBeGreaterThan(5);
  });

  it('rejects a plugin score outside [0, 100], naming the plugin', () => {
    const bad: Plugin = { name: 'Overeager', score: () => 101 };
    const fw = new Framework({ plugins: [{ plugin: bad, weight: 1 }], percentageOfNodesToScore: 100, random: new RandomStream('s', 1) });
    expect(() => fw.scheduleOne(mkPod('p'), mkTable(nodes(2)))).toThrow(/plugin Overeager returned score 101 for node n00000/);
  });

  it('applies weights: total = Σ weight · score, and reports the top candidates', () => {
    // spread: LeastAllocated. a: 4000m free → (4000-1000)·100/4000 = 75, memory (8000-100)·100/8000 = 98 → 86
    const t = mkTable([mkNode('a', { cpu: 4000, memory: 8000 }), mkNode('b', { cpu: 2000, memory: 8000 })]);
    const fw = createFramework(
      { name: 'w', percentageOfNodesToScore: 100, plugins: [{ name: 'NodeResourcesFit', weight: 3 }] },
      new RandomStream('s', 1),
    );
    const r = fw.scheduleOne(mkPod('p', { containers: [{ cpu: 1000, memory: 100 }] }), t);
    // b: cpu (2000-1000)·100/2000 = 50, memory 98 → ⌊148/2⌋ = 74
    expect(r).toMatchObject({
      kind: 'assign',
      node: 0,
      candidates: [
        { node: 0, total: 3 * 86, scores: { NodeResourcesFit: 86 } },
        { node: 1, total: 3 * 74, scores: { NodeResourcesFit: 74 } },
      ],
    });
  });

  it('counts failed nodes per reason', () => {
    const t = mkTable([
      mkNode('a', { cpu: 1000, memory: 8000 }),
      mkNode('b', { cpu: 1000, memory: 8000, taints: [{ key: 'k', effect: 'NoSchedule' }] }),
      mkNode('c', { cpu: 500, memory: 10 }),
    ]);
    const fw = createFramework(PROFILES.default, new RandomStream('s', 1));
    expect(fw.scheduleOne(mkPod('p', { containers: [{ cpu: 2000, memory: 100 }] }), t)).toEqual({
      kind: 'unschedulable',
      reasons: { 'Insufficient cpu': 2, 'node(s) had untolerated taint(s)': 1, 'Insufficient memory': 1 },
    });
  });
});

describe('DefaultPreemption', () => {
  const plugins = [{ name: 'NodeResourcesFit' }, { name: 'DefaultPreemption' }];

  it('evicts only lower-priority pods, reprieving the most important first', () => {
    // node a (4000m): p1 2000m (prio 0, started 1), p2 1000m (prio 0, started 2), p3 1000m (prio 5)
    // pending 2000m at prio 10. Remove p1, p2, p3 → fits. Reprieve in order p3 (prio 5), p1 (earlier), p2:
    //   +p3: used 1000 → fits, keep; +p1: used 3000 → 1000 free < 2000, victim; +p2: used 2000 → fits, keep
    const p1 = mkPod('p1', { containers: [{ cpu: 2000 }], startedAt: 1 });
    const p2 = mkPod('p2', { containers: [{ cpu: 1000 }], startedAt: 2 });
    const p3 = mkPod('p3', { containers: [{ cpu: 1000 }], priority: 5 });
    const t = mkTable([mkNode('a', { cpu: 4000, memory: 8000 })], [[0, p1], [0, p2], [0, p3]]);
    const e = explainWith(plugins, mkPod('hi', { containers: [{ cpu: 2000 }], priority: 10 }), t);
    expect(e.preemption?.victims.map((v) => v.name)).toEqual(['p1']);
    expect(t.pods[0].map((p) => p.name).sort()).toEqual(['p1', 'p2', 'p3']); // the table is restored
  });

  it('never evicts pods of equal or higher priority; picks the node with the lowest-priority victims', () => {
    const t = mkTable(
      [mkNode('a', { cpu: 2000, memory: 8000 }), mkNode('b', { cpu: 2000, memory: 8000 }), mkNode('c', { cpu: 2000, memory: 8000 })],
      [
        [0, mkPod('a1', { containers: [{ cpu: 2000 }], priority: 3 })],
        [1, mkPod('b1', { containers: [{ cpu: 2000 }], priority: 1 })],
        [2, mkPod('c1', { containers: [{ cpu: 2000 }], priority: 10 })],
      ],
    );
    const e = explainWith(plugins, mkPod('hi', { containers: [{ cpu: 1500 }], priority: 10 }), t);
    expect(e.preemption).toMatchObject({ node: 1 });
    expect(e.preemption?.victims.map((v) => v.name)).toEqual(['b1']);
    const none = explainWith(plugins, mkPod('lo', { containers: [{ cpu: 1500 }], priority: 1 }), t);
    expect(none.preemption).toBeUndefined();
  });
});
