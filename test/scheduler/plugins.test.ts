import { describe, expect, it } from 'vitest';
import { explainWith, mkNode, mkPod, mkTable, reasonsOf, scoresOf } from './support.js';

const MiB = 1024 * 1024;
const small = (name: string, extra: Parameters<typeof mkNode>[1] extends infer O ? Partial<O> : never = {}) =>
  mkNode(name, { cpu: 4000, memory: 8000 * MiB, ...extra });

describe('TaintToleration', () => {
  it('filters on the first untolerated NoSchedule/NoExecute taint', () => {
    const t = mkTable([
      small('a', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }),
      small('b', { taints: [{ key: 'maint', effect: 'NoExecute' }] }),
      small('c', { taints: [{ key: 'soft', effect: 'PreferNoSchedule' }] }),
    ]);
    const e = explainWith([{ name: 'TaintToleration' }], mkPod('p'), t);
    expect(reasonsOf(e, t)).toEqual({
      a: ['node(s) had untolerated taint(s)'],
      b: ['node(s) had untolerated taint(s)'],
      c: [],
    });
    // Equal needs the value; Exists any value; an empty key with Exists tolerates everything.
    const tolerating = mkPod('q', {
      placement: {
        tolerations: [
          { key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' },
          { key: 'maint', operator: 'Exists', tolerationSeconds: 60 },
        ],
      },
    });
    expect(reasonsOf(explainWith([{ name: 'TaintToleration' }], tolerating, t), t)).toEqual({ a: [], b: [], c: [] });
    const wrongValue = mkPod('r', { placement: { tolerations: [{ key: 'dedicated', value: 'cpu' }] } });
    expect(reasonsOf(explainWith([{ name: 'TaintToleration' }], wrongValue, t), t).a).toEqual(['node(s) had untolerated taint(s)']);
    const all = mkPod('s', { placement: { tolerations: [{ operator: 'Exists' }] } });
    expect(reasonsOf(explainWith([{ name: 'TaintToleration' }], all, t), t)).toEqual({ a: [], b: [], c: [] });
  });

  it('scores by intolerable PreferNoSchedule taints, reversed', () => {
    // counts: a 1, b 2, c 0 → max 2: a 100 - ⌊100·1/2⌋ = 50, b 100 - 100 = 0, c 100
    const soft = (key: string) => ({ key, effect: 'PreferNoSchedule' as const });
    const t = mkTable([small('a', { taints: [soft('x')] }), small('b', { taints: [soft('x'), soft('y')] }), small('c')]);
    expect(scoresOf(explainWith([{ name: 'TaintToleration' }], mkPod('p'), t), t, 'TaintToleration')).toEqual({ a: 50, b: 0, c: 100 });
    // tolerating x (effect PreferNoSchedule): counts a 0, b 1, c 0 → a 100, b 0, c 100
    const p = mkPod('p', { placement: { tolerations: [{ key: 'x', operator: 'Exists', effect: 'PreferNoSchedule' }] } });
    expect(scoresOf(explainWith([{ name: 'TaintToleration' }], p, t), t, 'TaintToleration')).toEqual({ a: 100, b: 0, c: 100 });
  });
});

describe('NodeAffinity', () => {
  const t = mkTable([
    small('a', { labels: { zone: 'a', gen: '3' } }),
    small('b', { labels: { zone: 'a', disk: 'ssd', gen: '5' } }),
    small('c', { labels: { zone: 'b' } }),
  ]);
  const MISMATCH = ["node(s) didn't match Pod's node affinity/selector"];

  it('filters on nodeSelector and required terms (ORed terms, ANDed expressions, Gt)', () => {
    const sel = mkPod('p', { placement: { nodeSelector: { zone: 'a' } } });
    expect(reasonsOf(explainWith([{ name: 'NodeAffinity' }], sel, t), t)).toEqual({ a: [], b: [], c: MISMATCH });
    const req = mkPod('q', {
      placement: {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                { matchExpressions: [{ key: 'gen', operator: 'Gt', values: ['4'] }] },
                { matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }, { key: 'disk', operator: 'DoesNotExist' }] },
              ],
            },
          },
        },
      },
    });
    expect(reasonsOf(explainWith([{ name: 'NodeAffinity' }], req, t), t)).toEqual({ a: MISMATCH, b: [], c: [] });
  });

  it('scores preferred terms by weight, normalized to the best node', () => {
    // a: zone=a → 2; b: zone=a + disk=ssd → 7; c: 0. max 7 → a ⌊200/7⌋ = 28, b 100, c 0
    const p = mkPod('p', {
      placement: {
        affinity: {
          nodeAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              { weight: 2, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] } },
              { weight: 5, preference: { matchExpressions: [{ key: 'disk', operator: 'Exists' }] } },
            ],
          },
        },
      },
    });
    expect(scoresOf(explainWith([{ name: 'NodeAffinity' }], p, t), t, 'NodeAffinity')).toEqual({ a: 28, b: 100, c: 0 });
  });
});

describe('NodeName and NodeUnschedulable', () => {
  it('nodeName pins the pod; a cordoned node takes only pods tolerating the unschedulable taint', () => {
    const t = mkTable([small('a'), small('b', { unschedulable: true })]);
    const plugins = [{ name: 'NodeUnschedulable' }, { name: 'NodeName' }];
    expect(reasonsOf(explainWith(plugins, mkPod('p', { placement: { nodeName: 'b' } }), t), t)).toEqual({
      a: ["node(s) didn't match the requested node name"],
      b: ['node(s) were unschedulable'],
    });
    const tol = mkPod('q', { placement: { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] } });
    expect(reasonsOf(explainWith(plugins, tol, t), t)).toEqual({ a: [], b: [] });
  });
});

describe('NodeResourcesBalancedAllocation', () => {
  it('scores ⌊(1 - std)·100⌋ over requested fractions', () => {
    // a: 4000m, 10000 B; pod 1000m/2000 → fractions 0.25, 0.2 → std |0.25-0.2|/2 = 0.025 → ⌊97.5⌋ = 97
    // b: 2000m, 10000 B; fractions 0.5, 0.2 → std 0.15 → 85
    const t = mkTable([mkNode('a', { cpu: 4000, memory: 10000 }), mkNode('b', { cpu: 2000, memory: 10000 })]);
    const p = mkPod('p', { containers: [{ cpu: 1000, memory: 2000 }] });
    expect(scoresOf(explainWith([{ name: 'NodeResourcesBalancedAllocation' }], p, t), t, 'NodeResourcesBalancedAllocation')).toEqual({ a: 97, b: 85 });
  });

  it('uses the population std for three resources and is skipped for pods requesting nothing', () => {
    // fractions cpu 0.5, memory 0.2, foo 0.5 → mean 0.4, var (0.01+0.04+0.01)/3 = 0.02, std 0.1414 → ⌊85.86⌋ = 85
    const t = mkTable([mkNode('a', { cpu: 2000, memory: 10000, ext: { 'example.com/foo': 2 } })]);
    const p = mkPod('p', { containers: [{ cpu: 1000, memory: 2000, ext: { 'example.com/foo': 1 } }] });
    const args = { resources: [{ name: 'cpu', weight: 1 }, { name: 'memory', weight: 1 }, { name: 'example.com/foo', weight: 1 }] };
    expect(scoresOf(explainWith([{ name: 'NodeResourcesBalancedAllocation', args }], p, t), t, 'NodeResourcesBalancedAllocation')).toEqual({ a: 85 });
    expect(scoresOf(explainWith([{ name: 'NodeResourcesBalancedAllocation' }], mkPod('empty'), t), t, 'NodeResourcesBalancedAllocation')).toEqual({});
  });
});

describe('ImageLocality', () => {
  it('sums image sizes scaled by spread, between 23Mi and 1000Mi per container', () => {
    // nginx:latest (500Mi) on a and b of 3 nodes: ⌊500Mi · 2/3⌋ = 349525333
    // score = ⌊100 · (349525333 - 23Mi) / (1000Mi - 23Mi)⌋ = ⌊100 · 325408085 / 1024458752⌋ = 31; c: below 23Mi → 0
    const img = { 'nginx:latest': 500 * MiB };
    const t = mkTable([small('a', { images: img }), small('b', { images: img }), small('c')]);
    const p = mkPod('p', { images: ['nginx'] });
    expect(scoresOf(explainWith([{ name: 'ImageLocality' }], p, t), t, 'ImageLocality')).toEqual({ a: 31, b: 31, c: 0 });
  });
});

// PodTopologySpread and InterPodAffinity: tables with a `why` per row in
// pod-topology-spread.test.ts and inter-pod-affinity.test.ts.
