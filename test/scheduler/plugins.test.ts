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

describe('PodTopologySpread', () => {
  const zones = [
    small('a1', { labels: { zone: 'a' } }),
    small('a2', { labels: { zone: 'a' } }),
    small('b1', { labels: { zone: 'b' } }),
    small('x'), // no zone label
  ];
  const web = (n: string) => mkPod(n, { labels: { app: 'web' } });
  const constraint = (when: 'DoNotSchedule' | 'ScheduleAnyway', extra = {}) => ({
    placement: {
      topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: when, labelSelector: { matchLabels: { app: 'web' } }, ...extra }],
    },
    labels: { app: 'web' },
  });

  it('filters on skew = count + self - min > maxSkew, and on a missing topology label', () => {
    // zone a: 2 web pods, zone b: 0 → min 0. a1/a2: 2 + 1 - 0 = 3 > 1; b1: 0 + 1 - 0 = 1 ok
    const t = mkTable(zones, [[0, web('w1')], [1, web('w2')]]);
    const e = explainWith([{ name: 'PodTopologySpread' }], mkPod('p', constraint('DoNotSchedule')), t);
    const SKEW = "node(s) didn't match pod topology spread constraints";
    expect(reasonsOf(e, t)).toEqual({ a1: [SKEW], a2: [SKEW], b1: [], x: [`${SKEW} (missing required label)`] });
  });

  it('minDomains above the number of domains makes the global minimum 0', () => {
    // zone a: 1, zone b: 1 → min 1; a1: 1 + 1 - 1 = 1 ok. With minDomains 3 (only 2 domains): min 0 → 2 > 1
    const t = mkTable(zones, [[0, web('w1')], [2, web('w2')]]);
    expect(explainWith([{ name: 'PodTopologySpread' }], mkPod('p', constraint('DoNotSchedule')), t).nodes[0].feasible).toBe(true);
    const e = explainWith([{ name: 'PodTopologySpread' }], mkPod('p', constraint('DoNotSchedule', { minDomains: 3 })), t);
    expect(e.nodes.filter((n) => n.feasible).map((n) => t.names[n.node])).toEqual([]);
  });

  it('scores ScheduleAnyway constraints: fewer matching pods in the domain scores higher', () => {
    // feasible a1, a2, b1, x (x lacks the key → ignored, score 0). Domains among feasible: a, b → w = ln(4)
    // counts a 2, b 0: raw a = round(2·1.386 + 0) = 3, b = round(0) = 0; min 0, max 3
    // a: ⌊100·(3 + 0 - 3)/3⌋ = 0; b: ⌊100·3/3⌋ = 100
    const t = mkTable(zones, [[0, web('w1')], [1, web('w2')]]);
    const e = explainWith([{ name: 'PodTopologySpread' }], mkPod('p', constraint('ScheduleAnyway')), t);
    expect(scoresOf(e, t, 'PodTopologySpread')).toEqual({ a1: 0, a2: 0, b1: 100, x: 0 });
  });
});

describe('InterPodAffinity', () => {
  const host = (n: string, zone: string) => small(n, { labels: { 'kubernetes.io/hostname': n, zone } });
  const nodes = [host('n1', 'a'), host('n2', 'a'), host('n3', 'b')];
  const term = (app: string, topologyKey: string) => ({ labelSelector: { matchLabels: { app } }, topologyKey });

  it('required anti-affinity keeps the pod out of domains with matching pods', () => {
    const t = mkTable(nodes, [[0, mkPod('db', { labels: { app: 'db' } })]]);
    const p = mkPod('p', { placement: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('db', 'zone')] } } } });
    expect(reasonsOf(explainWith([{ name: 'InterPodAffinity' }], p, t), t)).toEqual({
      n1: ["node(s) didn't match pod anti-affinity rules"],
      n2: ["node(s) didn't match pod anti-affinity rules"],
      n3: [],
    });
  });

  it("honours existing pods' anti-affinity against the incoming pod", () => {
    const guard = mkPod('g', { placement: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('web', 'kubernetes.io/hostname')] } } } });
    const t = mkTable(nodes, [[1, guard]]);
    expect(reasonsOf(explainWith([{ name: 'InterPodAffinity' }], mkPod('w', { labels: { app: 'web' } }), t), t)).toEqual({
      n1: [],
      n2: ["node(s) didn't satisfy existing pods anti-affinity rules"],
      n3: [],
    });
  });

  it('required affinity needs a matching pod in the domain, except for the first pod of a self-matching group', () => {
    const p = mkPod('p', { labels: { app: 'cache' }, placement: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('cache', 'zone')] } } } });
    // no cache pod anywhere and p matches its own term: every node is allowed
    const empty = mkTable(nodes);
    expect(explainWith([{ name: 'InterPodAffinity' }], p, empty).nodes.every((n) => n.feasible)).toBe(true);
    const t = mkTable(nodes, [[2, mkPod('c1', { labels: { app: 'cache' } })]]);
    expect(reasonsOf(explainWith([{ name: 'InterPodAffinity' }], p, t), t)).toEqual({
      n1: ["node(s) didn't match pod affinity rules"],
      n2: ["node(s) didn't match pod affinity rules"],
      n3: [],
    });
  });

  it('scores preferred affinity and anti-affinity per domain, min-max normalized', () => {
    // preferred: affinity web (weight 10, zone), anti-affinity db (weight 4, hostname)
    // web pod on n1 (zone a) → zone a +10; db pod on n2 → host n2 -4
    // raw: n1 10, n2 10 - 4 = 6, n3 0 → min 0, max 10: n1 100, n2 60, n3 0
    const t = mkTable(nodes, [[0, mkPod('w', { labels: { app: 'web' } })], [1, mkPod('d', { labels: { app: 'db' } })]]);
    const p = mkPod('p', {
      placement: {
        affinity: {
          podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: term('web', 'zone') }] },
          podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 4, podAffinityTerm: term('db', 'kubernetes.io/hostname') }] },
        },
      },
    });
    expect(scoresOf(explainWith([{ name: 'InterPodAffinity' }], p, t), t, 'InterPodAffinity')).toEqual({ n1: 100, n2: 60, n3: 0 });
  });
});
