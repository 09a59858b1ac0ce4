/**
 * pkg/scheduler/framework/plugins/podtopologyspread/scoring_test.go: TestPodTopologySpreadScore
 * (PodTopologySpreadArgs{DefaultingType: System}; `nodes` are the candidates handed to PreScore,
 * `failedNodes` the rest of the cluster) and TestPreScoreSkip. With w = ln(#domains + 2):
 *   raw(n) = round(Σ_c count_c · w_c + (maxSkew_c - 1)),  score = ⌊100 · (max + min - raw) / max⌋.
 */
import { node, pod, type UpstreamCase } from '../harness.js';

const P = 'PodTopologySpread';
const T = 'TestPodTopologySpreadScore';
const H = 'kubernetes.io/hostname';
const exists = (k: string) => ({ matchExpressions: [{ key: k, operator: 'Exists' }] });
const foo = exists('foo');
const bar = exists('bar');
const TAINT = [{ key: 'node.kubernetes.io/unschedulable', value: '', effect: 'NoSchedule' }];

interface C {
  maxSkew?: number;
  key: string;
  sel?: Record<string, unknown> | null;
  minDomains?: number;
  affinity?: 'Honor' | 'Ignore';
  taints?: 'Honor' | 'Ignore';
  matchLabelKeys?: string[];
  hard?: boolean;
}
const sc = (c: C) => ({
  maxSkew: c.maxSkew ?? 1,
  topologyKey: c.key,
  whenUnsatisfiable: c.hard ? 'DoNotSchedule' : 'ScheduleAnyway',
  ...(c.sel ? { labelSelector: c.sel } : {}),
  ...(c.minDomains !== undefined ? { minDomains: c.minDomains } : {}),
  ...(c.affinity ? { nodeAffinityPolicy: c.affinity } : {}),
  ...(c.taints ? { nodeTaintsPolicy: c.taints } : {}),
  ...(c.matchLabelKeys ? { matchLabelKeys: c.matchLabelKeys } : {}),
});
type N = [string, Record<string, string>, boolean?];
const h = (name: string, extra: Record<string, string> = {}): N => [name, { [H]: name, ...extra }];
const lbl = (name: string, labels: Record<string, string>, tainted = false): N => [name, labels, tainted];
/** "node:labels" (comma-separated label keys with empty values; `ns/` namespace; `!` terminating). */
function existing(...specs: string[]): Array<Record<string, unknown>> {
  return specs.map((s, k) => {
    const [on, rest = ''] = s.split(':');
    let labelPart = rest;
    let namespace: string | undefined;
    let terminating = false;
    if (labelPart.includes('/')) [namespace, labelPart] = labelPart.split('/');
    if (labelPart.endsWith('!')) {
      terminating = true;
      labelPart = labelPart.slice(0, -1);
    }
    const labels = Object.fromEntries(labelPart.split(',').filter(Boolean).map((l) => [l, '']));
    return pod(`e${k}`, { labels, ...(namespace ? { namespace } : {}), ...(terminating ? { terminating: true } : {}) }, on);
  });
}
const times = (spec: string, n: number) => Array.from({ length: n }, () => spec);
const p = (labels: string[], cs: C[], extra: Record<string, unknown> = {}) =>
  pod('p', { labels: Object.fromEntries(labels.map((l) => [l, ''])), ...(cs.length ? { topologySpreadConstraints: cs.map(sc) } : {}), ...extra });

function c(name: string, pending: Record<string, unknown>, nodes: N[], failed: N[], pods: Array<Record<string, unknown>>, want: Record<string, number>, extra: Record<string, unknown> = {}): UpstreamCase {
  const all = [...nodes, ...failed];
  return {
    upstream: T,
    name,
    plugin: P,
    args: { defaultingType: 'System' },
    snapshot: { hostnameLabels: false, nodes: all.map(([n, labels, tainted]) => node(n, { labels, ...(tainted ? { taints: TAINT } : {}) })), pods, pending, ...extra },
    scoreNodes: nodes.map(([n]) => n),
    score: want,
  };
}

const onNode = { key: H, sel: foo };
const spread2103 = existing(...times('node-a:foo', 2), 'node-b:foo', ...times('node-d:foo', 3));
const spread4321 = existing(...times('node-a:foo', 4), ...times('node-b:foo', 3), ...times('node-c:foo', 2), 'node-d:foo');
const abcd = [h('node-a'), h('node-b'), h('node-c'), h('node-d')];
const spread4213 = existing(...times('node-a:foo', 4), ...times('node-b:foo', 2), 'node-x:foo', ...times('node-y:foo', 3));
const zn = (name: string, zone: string) => h(name, { zone });
const diffSel = existing('node-a:foo', 'node-b:foo,bar', 'node-y:foo', 'node-y:bar');
const policyNodes: N[] = [lbl('node-a', { node: 'node-a', foo: '' }), lbl('node-b', { node: 'node-b', foo: '' }), lbl('node-c', { node: 'node-c' })];
const policyPods = existing('node-a:foo', 'node-a:foo', 'node-b:foo', 'node-c:foo');
const taintNodes: N[] = [lbl('node-a', { node: 'node-a' }), lbl('node-b', { node: 'node-b' }), lbl('node-c', { node: 'node-c' }, true)];
const nodeIn = (key: string, values: string[]) => ({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key, operator: 'In', values }] }] } } } });
const abcdZones = [zn('node-a', 'zone1'), zn('node-b', 'zone1'), zn('node-c', 'zone2'), zn('node-d', 'zone2')];
const labelKeyPods = existing('node-a:foo', 'node-b:foo,bar', 'node-c:foo', 'node-c:bar');

const score: UpstreamCase[] = [
  c('one constraint on node, no existing pods', p(['foo'], [onNode]), [h('node-a'), h('node-b')], [], [], { 'node-a': 100, 'node-b': 100 }),
  c('one constraint on node, only one node is candidate', p(['foo'], [onNode]), [h('node-a')], [h('node-b')], existing('node-a:foo', 'node-a:foo', 'node-b:foo'), { 'node-a': 100 }),
  c('one constraint on node, all nodes have the same number of matching pods', p(['foo'], [onNode]), [h('node-a'), h('node-b')], [], existing('node-a:foo', 'node-b:foo'), { 'node-a': 100, 'node-b': 100 }),
  // 2/1/0/3, w = ln(6): raw 4, 2, 0, 5 → ⌊100·(5+0-raw)/5⌋ = 20, 60, 100, 0.
  c('one constraint on node, all 4 nodes are candidates', p(['foo'], [onNode]), abcd, [], spread2103, { 'node-a': 20, 'node-b': 60, 'node-c': 100, 'node-d': 0 }),
  c('one constraint on node, null selector', p(['foo'], [{ key: H, sel: null }]), abcd, [], spread2103, { 'node-a': 100, 'node-b': 100, 'node-c': 100, 'node-d': 100 }),
  c('one constraint on node, all 4 nodes are candidates, maxSkew=2', p(['foo'], [{ ...onNode, maxSkew: 2 }]), abcd, [], spread2103, { 'node-a': 33, 'node-b': 66, 'node-c': 100, 'node-d': 16 }),
  c('one constraint on node, all 4 nodes are candidates, maxSkew=3', p(['foo'], [{ ...onNode, maxSkew: 3 }]), abcd, [], spread4321, { 'node-a': 44, 'node-b': 66, 'node-c': 77, 'node-d': 100 }),
  // No constraints of its own: the system defaults (hostname maxSkew 3, zone maxSkew 5) select the pods the Service selects.
  c('system defaulting, nodes don\'t have zone, pods match service', p(['foo'], []), abcd, [], spread4321, { 'node-a': 44, 'node-b': 66, 'node-c': 77, 'node-d': 100 }, {
    services: [{ name: 'svc', selector: { foo: '' } }],
  }),
  c('one constraint on node, 3 out of 4 nodes are candidates', p(['foo'], [onNode]), [h('node-a'), h('node-b'), h('node-x')], [h('node-y')], spread4213, { 'node-a': 33, 'node-b': 83, 'node-x': 100 }),
  c(
    "one constraint on node, 3 out of 4 nodes are candidates, one node doesn't match topology key",
    p(['foo'], [onNode]),
    [h('node-a'), lbl('node-b', { n: 'node-b' }), h('node-x')],
    [h('node-y')],
    spread4213,
    { 'node-a': 16, 'node-b': 0, 'node-x': 100 },
  ),
  c('one constraint on zone, 3 out of 4 nodes are candidates', p(['foo'], [{ key: 'zone', sel: foo }]), [zn('node-a', 'zone1'), zn('node-b', 'zone1'), zn('node-x', 'zone2')], [zn('node-y', 'zone2')], spread4213, {
    'node-a': 75,
    'node-b': 75,
    'node-x': 100,
  }),
  c(
    'two Constraints on zone and node, 2 out of 4 nodes are candidates',
    p(['foo'], [{ key: 'zone', sel: foo }, onNode]),
    [zn('node-a', 'zone1'), zn('node-x', 'zone2')],
    [zn('node-b', 'zone1'), zn('node-y', 'zone2')],
    existing('node-a:foo', 'node-a:foo', 'node-b:foo', 'node-x:foo', 'node-x:foo', ...times('node-y:foo', 4)),
    { 'node-a': 100, 'node-x': 63 },
  ),
  c('two Constraints on zone and node, with different labelSelectors', p(['foo', 'bar'], [{ key: 'zone', sel: foo }, { key: H, sel: bar }]), [zn('node-a', 'zone1'), zn('node-b', 'zone1'), zn('node-x', 'zone2'), zn('node-y', 'zone2')], [], diffSel, {
    'node-a': 60,
    'node-b': 20,
    'node-x': 100,
    'node-y': 60,
  }),
  c(
    'two Constraints on zone and node, with different labelSelectors, some nodes have 0 pods',
    p(['foo', 'bar'], [{ key: 'zone', sel: foo }, { key: H, sel: bar }]),
    [zn('node-a', 'zone1'), zn('node-b', 'zone1'), zn('node-x', 'zone2'), zn('node-y', 'zone2')],
    [],
    existing('node-b:bar', 'node-x:foo', 'node-y:foo,bar'),
    { 'node-a': 100, 'node-b': 60, 'node-x': 40, 'node-y': 0 },
  ),
  c(
    'two Constraints on zone and node, with different labelSelectors, 3 out of 4 nodes are candidates',
    p(['foo', 'bar'], [{ key: 'zone', sel: foo }, { key: H, sel: bar }]),
    [zn('node-a', 'zone1'), zn('node-b', 'zone1'), zn('node-x', 'zone2')],
    [zn('node-y', 'zone2')],
    diffSel,
    { 'node-a': 50, 'node-b': 25, 'node-x': 100 },
  ),
  c('existing pods in a different namespace do not count', p(['foo'], [onNode]), [h('node-a'), h('node-b')], [], existing('node-a:ns1/foo', 'node-a:foo', 'node-b:foo', 'node-b:foo'), { 'node-a': 100, 'node-b': 33 }),
  c('terminating Pods should be excluded', p(['foo'], [onNode]), [h('node-a'), h('node-b')], [], existing('node-a:foo!', 'node-b:foo'), { 'node-a': 100, 'node-b': 0 }),
  {
    upstream: T,
    name: 'minDomains has no effect when ScheduleAnyway',
    plugin: P,
    notExpressible: 'minDomains with whenUnsatisfiable: ScheduleAnyway is rejected as bad input (Kubernetes API validation rejects it too; upstream calls the row artificial)',
  },
  c('NodeAffinityPolicy honoed with labelSelectors', p(['foo'], [{ key: 'node', sel: foo }], { nodeSelector: { foo: '' } }), policyNodes, [], policyPods, { 'node-a': 0, 'node-b': 33, 'node-c': 100 }),
  c('NodeAffinityPolicy ignored with labelSelectors', p(['foo'], [{ key: 'node', sel: foo, affinity: 'Ignore' }], { nodeSelector: { foo: '' } }), policyNodes, [], policyPods, { 'node-a': 66, 'node-b': 100, 'node-c': 100 }),
  c('NodeAffinityPolicy honoed with nodeAffinity', p(['foo'], [{ key: 'node', sel: foo }], nodeIn('foo', [''])), policyNodes, [], policyPods, { 'node-a': 0, 'node-b': 33, 'node-c': 100 }),
  c('NodeAffinityPolicy ignored with nodeAffinity', p(['foo'], [{ key: 'node', sel: foo, affinity: 'Ignore' }], nodeIn('foo', [''])), policyNodes, [], policyPods, { 'node-a': 66, 'node-b': 100, 'node-c': 100 }),
  c('NodeTaintsPolicy honored', p(['foo'], [{ key: 'node', sel: foo, taints: 'Honor' }]), taintNodes, [], policyPods, { 'node-a': 0, 'node-b': 33, 'node-c': 100 }),
  c('NodeTaintsPolicy ignored', p(['foo'], [{ key: 'node', sel: foo }]), taintNodes, [], policyPods, { 'node-a': 66, 'node-b': 100, 'node-c': 100 }),
  {
    upstream: T,
    name: 'matchLabelKeys ignored when feature gate disabled',
    plugin: P,
    notExpressible: 'Slipway always applies matchLabelKeys (MatchLabelKeysInPodTopologySpread is on by default in Kubernetes); the row turns the feature gate off',
  },
  c(
    'matchLabelKeys ANDed with LabelSelector when LabelSelector is empty',
    p(['foo', 'bar'], [{ key: 'zone', sel: {}, matchLabelKeys: ['foo'] }, { key: H, sel: {}, matchLabelKeys: ['bar'] }]),
    abcdZones,
    [],
    labelKeyPods,
    { 'node-a': 60, 'node-b': 20, 'node-c': 60, 'node-d': 100 },
  ),
  c(
    "matchLabelKeys ANDed with LabelSelector when LabelSelector isn't empty",
    p(['foo', 'bar', 'baz'], [{ key: 'zone', sel: foo }, { key: H, sel: bar, matchLabelKeys: ['baz'] }]),
    abcdZones,
    [],
    existing('node-a:foo', 'node-b:foo,bar,baz', 'node-c:foo', 'node-c:bar', 'node-c:bar,baz'),
    { 'node-a': 60, 'node-b': 20, 'node-c': 60, 'node-d': 100 },
  ),
];

// ── TestPreScoreSkip ────────────────────────────────────────────────────────────────────────────
const skip: UpstreamCase[] = [
  {
    upstream: 'TestPreScoreSkip',
    name: "the pod doesn't have soft topology spread Constraints",
    plugin: P,
    args: { defaultingType: 'List' },
    snapshot: { hostnameLabels: false, nodes: [node('node-a', { labels: { [H]: 'node-a' } }), node('node-b', { labels: { [H]: 'node-b' } })], pending: pod('p') },
    preScoreSkip: true,
  },
  // The pod's controller rs2 does not exist (rs1 selects `tar`): the default selector is empty.
  {
    upstream: 'TestPreScoreSkip',
    name: "default constraints and a replicaset that doesn't match",
    plugin: P,
    args: { defaultingType: 'List', defaultConstraints: [{ maxSkew: 2, topologyKey: 'planet', whenUnsatisfiable: 'ScheduleAnyway' }] },
    snapshot: {
      hostnameLabels: false,
      nodes: [node('node-a', { labels: { planet: 'mars' } })],
      replicaSets: [{ name: 'rs1', selector: exists('tar') }],
      pending: pod('p', { labels: { foo: 'bar', baz: 'sup' }, ownerReference: { kind: 'ReplicaSet', name: 'rs2' } }),
    },
    preScoreSkip: true,
  },
];

export const CASES: readonly UpstreamCase[] = [...score, ...skip];
