/**
 * The four divergences from kube-scheduler found by translating its plugin tests (issue 12), each
 * pinned where a user meets it: snapshots, scenarios and manifests, the simulation itself.
 */
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/run/parse-scenario.js';
import { podOf } from '../../src/scheduler/framework-scheduler.js';
import { explainSnapshot } from '../../src/scheduler/explain/explain.js';
import { parseSnapshot } from '../../src/scheduler/explain/snapshot.js';

const explain = (doc: unknown) => explainSnapshot(parseSnapshot(JSON.stringify(doc), 'case.yaml'));
const node = (name: string, labels: Record<string, string> = {}) => ({ name, capacity: { cpu: '4', memory: '8Gi' }, labels });
const scores = (doc: unknown, plugin: string) => Object.fromEntries(explain(doc).nodes.map((n) => [n.name, n.feasible ? n.scores[plugin] : 'infeasible']));
const feasible = (doc: unknown) => Object.fromEntries(explain(doc).nodes.map((n) => [n.name, n.feasible]));

describe('1. an explicit zero request stays 0 (non-zero defaults only for absent requests)', () => {
  const fit = { plugins: [{ name: 'NodeResourcesFit' }] };
  // Node 4 cpu / 8Gi. Absent requests count as 100m and 200Mi:
  //   cpu (4000-100)·100/4000 = 97.5, memory (8192-200)·100/8192 = 97.55 → ⌊(97.5+97.55)/2⌋ = 97
  // explicit zeros count as 0: both 100 → 100; cpu 0 with memory absent: (100 + 97.55)/2 → 98.
  it.each([
    ['absent', {}, 97],
    ['explicit cpu: 0 and memory: 0', { cpu: '0', memory: '0' }, 100],
    ['explicit cpu: 0, memory absent', { cpu: 0 }, 98],
  ])('snapshot: %s', (_name, requests, want) => {
    expect(scores({ nodes: [node('a')], pending: { name: 'p', containers: [{ requests }] }, profile: fit }, 'NodeResourcesFit')).toEqual({ a: want });
  });

  const scenario = (requests: string) => `name: zero
duration: 1m
nodes: [{name: a, capacity: {cpu: 4, memory: 8Gi}}]
workloads:
  - name: w
    replicas: 1
    containers: [{name: c, image: busybox, ${requests}}]
`;
  it('scenarios: requests {cpu: 0, memory: 0} score as 0, absent ones as 100m/200Mi', () => {
    const zero = parseScenario(scenario('requests: {cpu: 0, memory: 0}'), 's.yaml').workloads[0];
    const absent = parseScenario(scenario('requests: {disk: 1Gi}'), 's.yaml').workloads[0];
    const pod = (w: typeof zero) => podOf({ ...w, id: w.name, generation: 1 } as never, w.containers[0].requests);
    expect([pod(zero).nonZeroCpu, pod(zero).nonZeroMemory]).toEqual([0, 0]);
    expect([pod(absent).nonZeroCpu, pod(absent).nonZeroMemory]).toEqual([100, 200 * 2 ** 20]);
  });

  it('manifests: resources.requests {cpu: "0"} scores cpu as 0, memory (absent) as 200Mi', () => {
    const s = parseScenario(
      `name: m
duration: 1m
manifests:
  - {apiVersion: v1, kind: Node, metadata: {name: a}, status: {capacity: {cpu: "4", memory: 8Gi}}}
  - apiVersion: v1
    kind: Pod
    metadata: {name: p}
    spec: {containers: [{name: c, image: busybox, resources: {requests: {cpu: "0"}}}]}
`,
      'm.yaml',
    );
    const w = s.workloads[0];
    const pod = podOf({ ...w, id: w.name, generation: 1 } as never, w.containers[0].requests);
    expect([pod.nonZeroCpu, pod.nonZeroMemory]).toEqual([0, 200 * 2 ** 20]);
  });
});

describe('2. PodTopologySpread does not count terminating pods (Filter and Score)', () => {
  const nodes = [node('a', { zone: 'z1' }), node('b', { zone: 'z2' })];
  const pods = (terminating: boolean) => [
    { name: 'old-1', node: 'a', labels: { app: 'x' }, containers: [{}], ...(terminating ? { terminating: true } : {}) },
    { name: 'old-2', node: 'a', labels: { app: 'x' }, containers: [{}], ...(terminating ? { terminating: true } : {}) },
  ];
  const pending = (when: string) => ({
    name: 'p',
    labels: { app: 'x' },
    containers: [{}],
    topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: when, labelSelector: { matchLabels: { app: 'x' } } }],
  });
  const profile = { plugins: [{ name: 'PodTopologySpread' }] };
  it('Filter: two running pods in z1 make a infeasible; two terminating ones do not', () => {
    expect(feasible({ nodes, pods: pods(false), pending: pending('DoNotSchedule'), profile })).toEqual({ a: false, b: true });
    expect(feasible({ nodes, pods: pods(true), pending: pending('DoNotSchedule'), profile })).toEqual({ a: true, b: true });
  });
  it('Score: terminating pods leave both zones equal (100, 100)', () => {
    expect(scores({ nodes, pods: pods(false), pending: pending('ScheduleAnyway'), profile }, 'PodTopologySpread')).toEqual({ a: 0, b: 100 });
    expect(scores({ nodes, pods: pods(true), pending: pending('ScheduleAnyway'), profile }, 'PodTopologySpread')).toEqual({ a: 100, b: 100 });
  });
  it('default spreading (siblings by owner) skips terminating siblings too', () => {
    const sib = (name: string, n: string, terminating: boolean) => ({ name, node: n, owner: 'web', containers: [{}], ...(terminating ? { terminating: true } : {}) });
    const doc = (terminating: boolean) => ({
      nodes: [node('a'), node('b')],
      pods: [sib('w1', 'a', terminating), sib('w2', 'a', terminating), sib('w3', 'a', terminating)],
      pending: { name: 'web-new', owner: 'web', containers: [{}] },
      profile,
    });
    expect(scores(doc(false), 'PodTopologySpread')).not.toEqual({ a: 100, b: 100 });
    expect(scores(doc(true), 'PodTopologySpread')).toEqual({ a: 100, b: 100 });
  });
});

describe('3. empty labelSelector and ignorePreferredTermsOfExistingPods as upstream', () => {
  it('PodTopologySpread: labelSelector {} selects every pod of the namespace (and the pod itself); an absent one none', () => {
    const nodes = [node('a', { zone: 'z1' }), node('b', { zone: 'z2' })];
    const pods = [
      { name: 'x', node: 'a', labels: { app: 'x' }, containers: [{}] },
      { name: 'y', node: 'a', labels: { other: 'y' }, containers: [{}] },
      { name: 'z', node: 'b', namespace: 'elsewhere', labels: { app: 'x' }, containers: [{}] },
    ];
    const pending = (labelSelector?: unknown) => ({
      name: 'p',
      containers: [{}],
      topologySpreadConstraints: [{ maxSkew: 2, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', ...(labelSelector ? { labelSelector } : {}) }],
    });
    const profile = { plugins: [{ name: 'PodTopologySpread' }] };
    // {}: a holds 2 matching pods, b 0 (z is in another namespace); self matches: a 2+1-0 = 3 > 2.
    expect(feasible({ nodes, pods, pending: pending({}), profile })).toEqual({ a: false, b: true });
    // absent (nil): nothing matches, not even the pod itself.
    expect(feasible({ nodes, pods, pending: pending(), profile })).toEqual({ a: true, b: true });
  });

  const ipaNodes = [node('a', { zone: 'z1' }), node('b', { zone: 'z2' })];
  // An existing pod on a prefers (weight 50) pods labelled app=web; the incoming pod is one.
  const existing = {
    name: 'cache',
    node: 'a',
    labels: { app: 'cache' },
    containers: [{}],
    affinity: { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, podAffinityTerm: { topologyKey: 'zone', labelSelector: { matchLabels: { app: 'web' } } } }] } },
  };
  const profile = (ignore: boolean) => ({ plugins: [{ name: 'InterPodAffinity', args: { ignorePreferredTermsOfExistingPods: ignore } }] });
  it('ignorePreferredTermsOfExistingPods skips existing pods\' preferred terms only when the incoming pod has none', () => {
    const plain = { name: 'web', labels: { app: 'web' }, containers: [{}] };
    expect(scores({ nodes: ipaNodes, pods: [existing], pending: plain, profile: profile(false) }, 'InterPodAffinity')).toEqual({ a: 100, b: 0 });
    // Skipped: InterPodAffinity does not score at all.
    expect(explain({ nodes: ipaNodes, pods: [existing], pending: plain, profile: profile(true) }).nodes.map((n) => n.scores)).toEqual([{}, {}]);
  });
  it('…and counts them when the incoming pod has preferred terms of its own', () => {
    // The incoming pod dislikes (weight 10) pods labelled app=cache: a gets +50 - 10 = 40, b 0 → a 100, b 0.
    const withTerms = {
      name: 'web',
      labels: { app: 'web' },
      containers: [{}],
      affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: { topologyKey: 'zone', labelSelector: { matchLabels: { app: 'cache' } } } }] } },
    };
    expect(scores({ nodes: ipaNodes, pods: [existing], pending: withTerms, profile: profile(true) }, 'InterPodAffinity')).toEqual({ a: 100, b: 0 });
  });
});

describe('4. a NodeAffinity term with an invalid label value matches nothing', () => {
  const nodes = [node('a', { foo: 'bar baz' }), node('b', { foo: 'ok' })];
  const req = (values: string[], operator = 'In') => ({
    name: 'p',
    containers: [{}],
    affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'foo', operator, values }] }] } } },
  });
  const profile = { plugins: [{ name: 'NodeAffinity' }] };
  it('In ["bar baz"] (a space: not a label value) matches no node, not even one labelled so', () => {
    expect(feasible({ nodes, pending: req(['bar baz']), profile })).toEqual({ a: false, b: false });
  });
  it('NotIn ["bar baz"] matches nothing either (the whole term is invalid)', () => {
    expect(feasible({ nodes, pending: req(['bar baz'], 'NotIn'), profile })).toEqual({ a: false, b: false });
  });
  it('a valid term ORed with the invalid one still matches', () => {
    const pending = req(['bar baz']);
    (pending.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms as unknown[]).push({ matchExpressions: [{ key: 'foo', operator: 'In', values: ['ok'] }] });
    expect(feasible({ nodes, pending, profile })).toEqual({ a: false, b: true });
  });
  it('Gt with a negative value (not a label value: it starts with "-") matches nothing', () => {
    const ns = [node('a', { n: '5' })];
    expect(feasible({ nodes: ns, pending: { ...req(['-1'], 'Gt'), affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'n', operator: 'Gt', values: ['-1'] }] }] } } } }, profile })).toEqual({ a: false });
  });
  it('an invalid preferred term fails the pod on every node (upstream PreScore returns an error)', () => {
    const pending = {
      name: 'p',
      containers: [{}],
      affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 5, preference: { matchExpressions: [{ key: 'foo', operator: 'In', values: ['bar baz'] }] } }] } },
    };
    const r = explain({ nodes, pending, profile });
    expect(r.chosen).toBeNull();
    expect(r.nodes[0].reasons[0]).toMatch(/^invalid preferred node affinity term/);
  });
});
