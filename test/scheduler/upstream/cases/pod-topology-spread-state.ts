/**
 * PodTopologySpread's state tables. scoring_test.go: TestPreScoreStateEmptyNodes (PreScore's
 * Constraints, IgnoredNodes, TopologyValueToPodCounts, TopologyNormalizingWeight; SCORE_STATE_CASES).
 * filtering_test.go: TestPreFilterState (its rows that need no feature gate off), with PodTopologySpreadArgs{DefaultConstraints: row's,
 * DefaultingType: List} as the test builds them. Upstream compares the whole preFilterState:
 * Constraints (maxSkew, topologyKey, selector, minDomains, inclusion policies) and
 * TpValueToMatchNum are compared here; the selector as labels.Selector's String() (requirements
 * sorted by key; `labels.Nothing()` prints `<none>`). CriticalPaths are not compared: Slipway keeps
 * only their minimum, which the TestSingleConstraint/TestMultipleConstraints Filter rows exercise.
 * Upstream's namespace "" is `default`; its Services (`objs`) are the snapshot's `services`.
 */
import { node, pod, type UpstreamCase } from '../harness.js';

const P = 'PodTopologySpread';
const T = 'TestPreFilterState';
const exists = (k: string) => ({ matchExpressions: [{ key: k, operator: 'Exists' }] });
const foo = exists('foo');
const bar = exists('bar');
/** st.MakePod().SpreadConstraint(maxSkew, key, when, selector, ...). */
const sc = (maxSkew: number, topologyKey: string, when: 'DoNotSchedule' | 'ScheduleAnyway', sel?: Record<string, unknown>) => ({
  maxSkew,
  topologyKey,
  whenUnsatisfiable: when,
  ...(sel ? { labelSelector: sel } : {}),
});
/** A constraint of the state as upstream's want lists it (default policies: Honor affinity, Ignore taints). */
const want = (maxSkew: number, topologyKey: string, selector: string) => ({ maxSkew, topologyKey, selector, minDomains: 1, nodeAffinityPolicy: 'Honor', nodeTaintsPolicy: 'Ignore' });
const zoneNode = (name: string, zone: string) => node(name, { labels: { zone, node: name } });
const abxy = [zoneNode('node-a', 'zone1'), zoneNode('node-b', 'zone1'), zoneNode('node-x', 'zone2'), zoneNode('node-y', 'zone2')];
/** Existing pods labelled foo="" on the given nodes (`ns/node` for another namespace). */
const fooPods = (...on: string[]) =>
  on.map((s, k) => {
    const [ns, n] = s.includes('/') ? s.split('/') : [undefined, s];
    return pod(`e${k}`, { labels: { foo: '' }, ...(ns ? { namespace: ns } : {}) }, n);
  });
const fooPod = (constraints: Array<Record<string, unknown>>, labels: Record<string, string> = { foo: '' }) => pod('p', { labels, topologySpreadConstraints: constraints });

/** st.MakePod().NodeAffinityIn/NotIn(key, values): one required node selector term. */
const nodeAffinity = (key: string, operator: string, values: string[]) => ({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key, operator, values }] }] } } } });
/** The NodeAffinityPolicy rows' cluster: node-a, node-b {foo}, node-c {bar}; bar pods a, b, b; an unlabelled pod on c. */
function inclusion(placement: Record<string, unknown>, policy?: 'Ignore'): Record<string, unknown> {
  return {
    nodes: [node('node-a', { labels: { node: 'node-a', foo: '' } }), node('node-b', { labels: { node: 'node-b', foo: '' } }), node('node-c', { labels: { node: 'node-c', bar: '' } })],
    pods: [pod('p-a', { labels: { bar: '' } }, 'node-a'), pod('p-b', { labels: { bar: '' } }, 'node-b'), pod('p-c', { labels: { bar: '' } }, 'node-b'), pod('p-d', {}, 'node-c')],
    pending: pod('p', { labels: { foo: '' }, ...placement, topologySpreadConstraints: [{ ...sc(1, 'node', 'DoNotSchedule', bar), ...(policy ? { nodeAffinityPolicy: policy } : {}) }] }),
  };
}

function row(name: string, snapshot: Record<string, unknown>, state: UpstreamCase['preFilterState'], defaultConstraints?: Array<Record<string, unknown>>): UpstreamCase {
  return {
    upstream: T,
    name,
    plugin: P,
    args: { defaultingType: 'List', ...(defaultConstraints ? { defaultConstraints } : {}) },
    snapshot: { hostnameLabels: false, ...snapshot },
    preFilterState: state,
  };
}

/** A node with no topology labels: upstream's rows with default constraints list no nodes (a snapshot needs one). */
const bare = [node('node-0')];

export const CASES: readonly UpstreamCase[] = [
  row(
    'clean cluster with one spreadConstraint',
    { nodes: abxy, pending: fooPod([sc(5, 'zone', 'DoNotSchedule', { matchLabels: { foo: 'bar' } })]) },
    { constraints: [want(5, 'zone', 'foo=bar')], tpValueToMatchNum: [{ zone1: 0, zone2: 0 }] },
  ),
  row(
    'normal case with one spreadConstraint',
    { nodes: abxy, pods: fooPods('node-a', 'node-a', 'node-b', 'node-y', 'node-y'), pending: fooPod([sc(1, 'zone', 'DoNotSchedule', foo)]) },
    { constraints: [want(1, 'zone', 'foo')], tpValueToMatchNum: [{ zone1: 3, zone2: 2 }] },
  ),
  row(
    'normal case with null label selector',
    { nodes: abxy, pods: fooPods('node-a', 'node-a', 'node-b', 'node-y', 'node-y'), pending: fooPod([sc(1, 'zone', 'DoNotSchedule')]) },
    { constraints: [want(1, 'zone', '<none>')], tpValueToMatchNum: [{ zone1: 0, zone2: 0 }] },
  ),
  row(
    'normal case with one spreadConstraint, on a 3-zone cluster',
    {
      nodes: [...abxy, zoneNode('node-o', 'zone3'), zoneNode('node-p', 'zone3')],
      pods: fooPods('node-a', 'node-a', 'node-b', 'node-y', 'node-y'),
      pending: fooPod([sc(1, 'zone', 'DoNotSchedule', foo)]),
    },
    { constraints: [want(1, 'zone', 'foo')], tpValueToMatchNum: [{ zone1: 3, zone2: 2, zone3: 0 }] },
  ),
  row(
    "namespace mismatch doesn't count",
    { nodes: abxy, pods: fooPods('node-a', 'ns1/node-a', 'node-b', 'ns2/node-y', 'node-y'), pending: fooPod([sc(1, 'zone', 'DoNotSchedule', foo)]) },
    { constraints: [want(1, 'zone', 'foo')], tpValueToMatchNum: [{ zone1: 2, zone2: 1 }] },
  ),
  row(
    'normal case with two spreadConstraints',
    {
      nodes: abxy,
      pods: fooPods('node-a', 'node-a', 'node-b', 'node-y', 'node-y', 'node-y', 'node-y'),
      pending: fooPod([sc(1, 'zone', 'DoNotSchedule', foo), sc(1, 'node', 'DoNotSchedule', foo)]),
    },
    { constraints: [want(1, 'zone', 'foo'), want(1, 'node', 'foo')], tpValueToMatchNum: [{ zone1: 3, zone2: 4 }, { 'node-a': 2, 'node-b': 1, 'node-x': 0, 'node-y': 4 }] },
  ),
  row(
    'soft spreadConstraints should be bypassed',
    {
      nodes: [zoneNode('node-a', 'zone1'), zoneNode('node-b', 'zone1'), zoneNode('node-y', 'zone2')],
      pods: fooPods('node-a', 'node-a', 'node-b', 'node-y', 'node-y', 'node-y', 'node-y'),
      pending: fooPod([sc(1, 'zone', 'ScheduleAnyway', foo), sc(1, 'zone', 'DoNotSchedule', foo), sc(1, 'node', 'ScheduleAnyway', foo), sc(1, 'node', 'DoNotSchedule', foo)]),
    },
    { constraints: [want(1, 'zone', 'foo'), want(1, 'node', 'foo')], tpValueToMatchNum: [{ zone1: 3, zone2: 4 }, { 'node-a': 2, 'node-b': 1, 'node-y': 4 }] },
  ),
  row(
    'different labelSelectors - simple version',
    {
      nodes: [zoneNode('node-a', 'zone1'), zoneNode('node-b', 'zone1'), zoneNode('node-y', 'zone2')],
      pods: [pod('p-a', { labels: { foo: '' } }, 'node-a'), pod('p-b', { labels: { bar: '' } }, 'node-b')],
      pending: fooPod([sc(1, 'zone', 'DoNotSchedule', foo), sc(1, 'node', 'DoNotSchedule', bar)], { foo: '', bar: '' }),
    },
    { constraints: [want(1, 'zone', 'foo'), want(1, 'node', 'bar')], tpValueToMatchNum: [{ zone1: 1, zone2: 0 }, { 'node-a': 0, 'node-b': 1, 'node-y': 0 }] },
  ),
  row(
    'different labelSelectors - complex pods',
    {
      nodes: [zoneNode('node-a', 'zone1'), zoneNode('node-b', 'zone1'), zoneNode('node-y', 'zone2')],
      pods: [
        pod('p-a1', { labels: { foo: '' } }, 'node-a'),
        pod('p-a2', { labels: { foo: '', bar: '' } }, 'node-a'),
        pod('p-b1', { labels: { foo: '' } }, 'node-b'),
        pod('p-y1', { labels: { foo: '' } }, 'node-y'),
        pod('p-y2', { labels: { foo: '', bar: '' } }, 'node-y'),
        pod('p-y3', { labels: { foo: '' } }, 'node-y'),
        pod('p-y4', { labels: { foo: '', bar: '' } }, 'node-y'),
      ],
      pending: fooPod([sc(1, 'zone', 'DoNotSchedule', foo), sc(1, 'node', 'DoNotSchedule', bar)], { foo: '', bar: '' }),
    },
    { constraints: [want(1, 'zone', 'foo'), want(1, 'node', 'bar')], tpValueToMatchNum: [{ zone1: 3, zone2: 4 }, { 'node-a': 1, 'node-b': 0, 'node-y': 2 }] },
  ),
  row(
    'two spreadConstraints, and with podAffinity',
    {
      nodes: abxy,
      pods: fooPods('node-a', 'node-a', 'node-b', 'node-y', 'node-y', 'node-y', 'node-y'),
      pending: pod('p', { labels: { foo: '' }, ...nodeAffinity('node', 'NotIn', ['node-x']), topologySpreadConstraints: [sc(1, 'zone', 'DoNotSchedule', foo), sc(1, 'node', 'DoNotSchedule', foo)] }),
    },
    { constraints: [want(1, 'zone', 'foo'), want(1, 'node', 'foo')], tpValueToMatchNum: [{ zone1: 3, zone2: 4 }, { 'node-a': 2, 'node-b': 1, 'node-y': 4 }] },
  ),
  row(
    'TpKeyToDomainsNum is calculated when MinDomains is enabled',
    {
      nodes: abxy,
      pods: fooPods('node-a', 'node-a', 'node-b', 'node-y', 'node-y', 'node-y', 'node-y'),
      pending: fooPod([sc(1, 'zone', 'DoNotSchedule', foo), sc(1, 'node', 'DoNotSchedule', foo)]),
    },
    { constraints: [want(1, 'zone', 'foo'), want(1, 'node', 'foo')], tpValueToMatchNum: [{ zone1: 3, zone2: 4 }, { 'node-a': 2, 'node-b': 1, 'node-x': 0, 'node-y': 4 }] },
  ),
  {
    upstream: T,
    name: 'feature gate disabled with NodeAffinityPolicy',
    plugin: P,
    notExpressible: 'the row turns the NodeInclusionPolicyInPodTopologySpread feature gate off; Slipway always applies the inclusion policies (on by default in Kubernetes)',
  },
  row('NodeAffinityPolicy honored with labelSelectors', inclusion({ nodeSelector: { foo: '' } }), { constraints: [want(1, 'node', 'bar')], tpValueToMatchNum: [{ 'node-a': 1, 'node-b': 2 }] }),
  row(
    'NodeAffinityPolicy ignored with labelSelectors',
    inclusion({ nodeSelector: { foo: '' } }, 'Ignore'),
    { constraints: [{ ...want(1, 'node', 'bar'), nodeAffinityPolicy: 'Ignore' }], tpValueToMatchNum: [{ 'node-a': 1, 'node-b': 2, 'node-c': 0 }] },
  ),
  row('NodeAffinityPolicy honored with nodeAffinity', inclusion(nodeAffinity('foo', 'In', [''])), { constraints: [want(1, 'node', 'bar')], tpValueToMatchNum: [{ 'node-a': 1, 'node-b': 2 }] }),
  // ── default constraints: helper.DefaultSelector builds the selector from the Services selecting the pod ──
  row(
    'default constraints and a service',
    { nodes: bare, services: [{ name: 's', selector: { foo: 'bar' } }], pending: pod('p', { labels: { foo: 'bar', baz: 'kar' } }) },
    { constraints: [want(3, 'node', 'foo=bar'), want(5, 'rack', 'foo=bar')], tpValueToMatchNum: [{}, {}] },
    [sc(3, 'node', 'DoNotSchedule'), sc(2, 'node', 'ScheduleAnyway'), sc(5, 'rack', 'DoNotSchedule')],
  ),
  row(
    "default constraints and a service that doesn't match",
    { nodes: bare, services: [{ name: 's', selector: { baz: 'kep' } }], pending: pod('p', { labels: { foo: 'bar' } }) },
    'skip',
    [sc(3, 'node', 'DoNotSchedule')],
  ),
  row(
    'default constraints and a service, but pod has constraints',
    {
      nodes: bare,
      services: [{ name: 's', selector: { foo: 'bar' } }],
      pending: fooPod([sc(1, 'zone', 'DoNotSchedule', { matchLabels: { baz: 'tar' } }), sc(2, 'planet', 'ScheduleAnyway', { matchLabels: { fot: 'rok' } })], { foo: 'bar', baz: 'tar' }),
    },
    { constraints: [want(1, 'zone', 'baz=tar')], tpValueToMatchNum: [{}] },
    [sc(2, 'node', 'DoNotSchedule')],
  ),
  row(
    'default soft constraints and a service',
    { nodes: bare, services: [{ name: 's', selector: { foo: 'bar' } }], pending: pod('p', { labels: { foo: 'bar' } }) },
    'skip',
    [sc(2, 'node', 'ScheduleAnyway')],
  ),
];

// ── scoring_test.go: TestPreScoreStateEmptyNodes (no existing pods; PreScore over every node) ──
const TS = 'TestPreScoreStateEmptyNodes';
const H = 'kubernetes.io/hostname';
const Z = 'topology.kubernetes.io/zone';
/** topologyNormalizingWeight(size) = ln(size + 2). */
const w = (size: number) => Math.log(size + 2);
const soft = (maxSkew: number, key: string, sel?: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ ...sc(maxSkew, key, 'ScheduleAnyway', sel), ...extra });
/** A node with its hostname label (upstream's nodes carry it explicitly). */
const hn = (name: string, labels: Record<string, string> = {}, extra: Record<string, unknown> = {}) => node(name, { labels: { ...labels, [H]: name }, ...extra });
const abx = (x: Record<string, string> = { zone: 'zone2' }, taintX = false) => [
  hn('node-a', { zone: 'zone1' }),
  hn('node-b', { zone: 'zone1' }),
  hn('node-x', x, taintX ? { taints: [{ key: 'node.kubernetes.io/unschedulable', value: '', effect: 'NoSchedule' }] } : {}),
];
const abxFoo = (taintX = false) => [hn('node-a', { zone: 'zone1', foo: '' }), hn('node-b', { zone: 'zone1', foo: '' }), ...abx(undefined, taintX).slice(2)];
const rs1 = { replicaSets: [{ name: 'rs1', selector: foo }] };
const owned = (labels: Record<string, string>, extra: Record<string, unknown> = {}) => pod('p', { labels, ownerReference: { kind: 'ReplicaSet', name: 'rs1' }, ...extra });

function scoreRow(name: string, args: Record<string, unknown>, snapshot: Record<string, unknown>, state: Record<string, unknown>): UpstreamCase {
  return { upstream: TS, name, plugin: P, args, snapshot: { hostnameLabels: false, ...snapshot }, preScoreState: state };
}
const LIST = { defaultingType: 'List' };
const zoneBar = (policy: Record<string, unknown> = {}) => ({
  constraints: [{ ...want(1, 'zone', 'bar'), ...policy }],
  ignoredNodes: [],
  topologyValueToPodCounts: [{ zone1: 0, zone2: 0 }],
  topologyNormalizingWeight: [w(2)],
});

export const SCORE_STATE_CASES: readonly UpstreamCase[] = [
  scoreRow('normal case', LIST, { nodes: abx(), pending: fooPod([soft(1, 'zone', foo), soft(1, H, foo)]) }, {
    constraints: [want(1, 'zone', 'foo'), want(1, H, 'foo')],
    ignoredNodes: [],
    topologyValueToPodCounts: [{ zone1: 0, zone2: 0 }, {}],
    topologyNormalizingWeight: [w(2), w(3)],
  }),
  scoreRow('null selector', LIST, { nodes: abx(), pending: fooPod([soft(1, 'zone')]) }, {
    constraints: [want(1, 'zone', '<none>')],
    ignoredNodes: [],
    topologyValueToPodCounts: [{ zone1: 0, zone2: 0 }],
    topologyNormalizingWeight: [w(2)],
  }),
  scoreRow("node-x doesn't have label zone", LIST, { nodes: abx({}), pending: fooPod([soft(1, 'zone', foo), soft(1, H, bar)]) }, {
    constraints: [want(1, 'zone', 'foo'), want(1, H, 'bar')],
    ignoredNodes: ['node-x'],
    topologyValueToPodCounts: [{ zone1: 0 }, {}],
    topologyNormalizingWeight: [w(1), w(2)],
  }),
  scoreRow(
    'system default constraints and a replicaset',
    { defaultingType: 'System' },
    { ...rs1, nodes: [hn('node-a', { [Z]: 'mars' }), hn('node-b', { [Z]: 'mars' }), hn('node-c'), hn('node-d')], pending: owned({ foo: 'tar', baz: 'sup' }) },
    {
      constraints: [want(3, H, 'foo'), want(5, Z, 'foo')],
      ignoredNodes: [],
      // Nodes with no zone are not excluded: they are the zone "".
      topologyValueToPodCounts: [{}, { '': 0, mars: 0 }],
      topologyNormalizingWeight: [w(4), w(2)],
    },
  ),
  scoreRow(
    'default constraints and a replicaset',
    { defaultingType: 'List', defaultConstraints: [soft(1, H), sc(2, 'rack', 'DoNotSchedule'), soft(2, 'planet')] },
    { ...rs1, nodes: [hn('node-a', { rack: 'rack1', planet: 'mars' })], pending: owned({ foo: 'tar', baz: 'sup' }) },
    { constraints: [want(1, H, 'foo'), want(2, 'planet', 'foo')], ignoredNodes: [], topologyValueToPodCounts: [{}, { mars: 0 }], topologyNormalizingWeight: [w(1), w(1)] },
  ),
  scoreRow(
    'default constraints and a replicaset, but pod has constraints',
    { defaultingType: 'List', defaultConstraints: [soft(2, 'galaxy')] },
    {
      ...rs1,
      nodes: [node('node-a', { labels: { planet: 'mars', galaxy: 'andromeda' } })],
      pending: owned({ foo: 'bar', baz: 'sup' }, { topologySpreadConstraints: [sc(1, 'zone', 'DoNotSchedule', bar), soft(2, 'planet', { matchLabels: { baz: 'sup' } })] }),
    },
    { constraints: [want(2, 'planet', 'baz=sup')], ignoredNodes: [], topologyValueToPodCounts: [{ mars: 0 }], topologyNormalizingWeight: [w(1)] },
  ),
  scoreRow('NodeAffinityPolicy honored with labelSelectors', LIST, { nodes: abxFoo(), pending: pod('p', { labels: { foo: '' }, nodeSelector: { foo: '' }, topologySpreadConstraints: [soft(1, 'zone', bar)] }) }, zoneBar()),
  scoreRow(
    'NodeAffinityPolicy ignored with labelSelectors',
    LIST,
    { nodes: abxFoo(), pending: pod('p', { labels: { foo: '' }, nodeSelector: { foo: '' }, topologySpreadConstraints: [soft(1, 'zone', bar, { nodeAffinityPolicy: 'Ignore' })] }) },
    zoneBar({ nodeAffinityPolicy: 'Ignore' }),
  ),
  scoreRow('NodeAffinityPolicy honored with nodeAffinity', LIST, { nodes: abxFoo(), pending: pod('p', { labels: { foo: '' }, ...nodeAffinity('foo', 'In', ['']), topologySpreadConstraints: [soft(1, 'zone', bar)] }) }, zoneBar()),
  scoreRow(
    'NodeAffinityPolicy ignored with nodeAffinity',
    LIST,
    { nodes: abxFoo(), pending: pod('p', { labels: { foo: '' }, ...nodeAffinity('foo', 'In', ['']), topologySpreadConstraints: [soft(1, 'zone', bar, { nodeAffinityPolicy: 'Ignore' })] }) },
    zoneBar({ nodeAffinityPolicy: 'Ignore' }),
  ),
  scoreRow('NodeTaintsPolicy honored', LIST, { nodes: abxFoo(true), pending: fooPod([soft(1, 'zone', bar, { nodeTaintsPolicy: 'Honor' })]) }, zoneBar({ nodeTaintsPolicy: 'Honor' })),
  scoreRow('NodeTaintsPolicy ignored', LIST, { nodes: abxFoo(true), pending: fooPod([soft(1, 'zone', bar)]) }, zoneBar()),
];
