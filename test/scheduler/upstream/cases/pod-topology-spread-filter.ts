/**
 * pkg/scheduler/framework/plugins/podtopologyspread/filtering_test.go: TestSingleConstraint,
 * TestMultipleConstraints (PodTopologySpreadArgs{DefaultingType: List}, no default constraints;
 * the NodeInclusionPolicy feature on, as every current kube-scheduler runs it). Upstream asserts
 * status codes only. fooSelector/barSelector: `foo`/`bar` Exists.
 */
import { node, pod, type FilterWant, type UpstreamCase } from '../harness.js';

const P = 'PodTopologySpread';
const ARGS = { defaultingType: 'List' };
const OK: FilterWant = 'ok';
const NO: FilterWant = 'Unschedulable';
const MISSING: FilterWant = 'UnschedulableAndUnresolvable';
const exists = (k: string) => ({ matchExpressions: [{ key: k, operator: 'Exists' }] });
const foo = exists('foo');
const bar = exists('bar');

interface C {
  maxSkew: number;
  topologyKey: string;
  sel?: Record<string, unknown> | null;
  minDomains?: number;
  affinity?: 'Honor' | 'Ignore';
  taints?: 'Honor' | 'Ignore';
}
/** st.MakePod().SpreadConstraint(maxSkew, key, DoNotSchedule, selector, minDomains, nodeAffinityPolicy, nodeTaintsPolicy, nil). */
const sc = (c: C) => ({
  maxSkew: c.maxSkew,
  topologyKey: c.topologyKey,
  whenUnsatisfiable: 'DoNotSchedule',
  ...(c.sel ? { labelSelector: c.sel } : {}),
  ...(c.minDomains !== undefined ? { minDomains: c.minDomains } : {}),
  ...(c.affinity ? { nodeAffinityPolicy: c.affinity } : {}),
  ...(c.taints ? { nodeTaintsPolicy: c.taints } : {}),
});
const UNSCHEDULABLE_TAINT = [{ key: 'node.kubernetes.io/unschedulable', value: '', effect: 'NoSchedule' }];
type N = [string, Record<string, string>, boolean?];
const zn = (name: string, zone: string, extra: Record<string, string> = {}): N => [name, { zone, node: name, ...extra }];
const tainted = ([n, labels]: N): N => [n, labels, true];
const abxy: N[] = [zn('node-a', 'zone1'), zn('node-b', 'zone1'), zn('node-x', 'zone2'), zn('node-y', 'zone2')];
/** Existing pods as "node:labels" entries; labels comma-separated keys with empty values, `ns/` prefix for a namespace. */
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
function c(upstream: string, name: string, pending: Record<string, unknown>, nodes: N[], pods: Array<Record<string, unknown>>, want: Record<string, FilterWant>): UpstreamCase {
  return {
    upstream,
    name,
    plugin: P,
    args: ARGS,
    snapshot: { hostnameLabels: false, nodes: nodes.map(([n, labels, tainted]) => node(n, { labels, ...(tainted ? { taints: UNSCHEDULABLE_TAINT } : {}) })), pods, pending },
    filter: want,
  };
}
const p = (labels: string[], constraints: C[], extra: Record<string, unknown> = {}) =>
  pod('p', { labels: Object.fromEntries(labels.map((l) => [l, ''])), topologySpreadConstraints: constraints.map(sc), ...extra });
const nodeAffinityIn = (key: string, values: string[]) => ({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key, operator: 'In', values }] }] } } } });
const nodeAffinityNotIn = (key: string, values: string[]) => ({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key, operator: 'NotIn', values }] }] } } } });

const S = 'TestSingleConstraint';
const zone1 = { maxSkew: 1, topologyKey: 'zone', sel: foo };
const node1 = { maxSkew: 1, topologyKey: 'node', sel: foo };
const spread2103 = existing('node-a:foo', 'node-a:foo', 'node-b:foo', 'node-y:foo', 'node-y:foo', 'node-y:foo');
const inclusionNodes: N[] = [['node-a', { node: 'node-a', foo: '' }], ['node-b', { node: 'node-b', foo: '' }], ['node-x', { node: 'node-x', foo: '' }], ['node-y', { node: 'node-y' }]];
const taintNodes: N[] = [['node-a', { node: 'node-a', foo: '' }], ['node-b', { node: 'node-b', foo: '' }], ['node-x', { node: 'node-x', foo: '' }], ['node-y', { node: 'node-y' }, true]];
const aby = existing('node-a:foo', 'node-b:foo', 'node-y:foo');
const abc: N[] = [['node-a', { node: 'node-a' }], ['node-b', { node: 'node-b' }], ['node-c', { node: 'node-c' }]];
const aabbc = existing('node-a:foo', 'node-a:foo', 'node-b:foo', 'node-b:foo', 'node-c:foo');

const single: UpstreamCase[] = [
  c(S, 'no existing pods', p(['foo'], [zone1]), abxy, [], { 'node-a': OK, 'node-b': OK, 'node-x': OK, 'node-y': OK }),
  c(S, "no existing pods, incoming pod doesn't match itself", p(['foo'], [{ ...zone1, sel: bar }]), abxy, [], { 'node-a': OK, 'node-b': OK, 'node-x': OK, 'node-y': OK }),
  c(S, 'existing pods in a different namespace do not count', p(['foo'], [zone1]), abxy, existing('node-a:ns1/foo', 'node-a:ns2/foo', 'node-x:foo', 'node-y:foo'), { 'node-a': OK, 'node-b': OK, 'node-x': NO, 'node-y': NO }),
  c(S, 'existing pods do not match null selector', p(['foo'], [{ ...zone1, sel: null }]), abxy, existing('node-x:foo', 'node-y:foo'), { 'node-a': OK, 'node-b': OK, 'node-x': OK, 'node-y': OK }),
  c(S, 'pods spread across zones as 3/3, all nodes fit', p(['foo'], [zone1]), abxy, spread2103, { 'node-a': OK, 'node-b': OK, 'node-x': OK, 'node-y': OK }),
  c(
    S,
    "pods spread across zones as 1/2 due to absence of label 'zone' on node-b",
    p(['foo'], [zone1]),
    [zn('node-a', 'zone1'), ['node-b', { zon: 'zone1', node: 'node-b' }], zn('node-x', 'zone2'), zn('node-y', 'zone2')],
    existing('node-a:foo', 'node-b:foo', 'node-x:foo', 'node-y:foo'),
    { 'node-a': OK, 'node-b': MISSING, 'node-x': NO, 'node-y': NO },
  ),
  c(S, "pod cannot be scheduled as all nodes don't have label 'rack'", p(['foo'], [{ ...zone1, topologyKey: 'rack' }]), [zn('node-a', 'zone1'), zn('node-x', 'zone2')], [], { 'node-a': MISSING, 'node-x': MISSING }),
  c(S, 'pods spread across nodes as 2/1/0/3, only node-x fits', p(['foo'], [node1]), abxy, spread2103, { 'node-a': NO, 'node-b': NO, 'node-x': OK, 'node-y': NO }),
  c(S, 'pods spread across nodes as 2/1/0/3, maxSkew is 2, node-b and node-x fit', p(['foo'], [{ ...node1, maxSkew: 2 }]), abxy, spread2103, { 'node-a': NO, 'node-b': OK, 'node-x': OK, 'node-y': NO }),
  c(S, "pods spread across nodes as 2/1/0/3, but pod doesn't match itself", p(['bar'], [node1]), abxy, spread2103, { 'node-a': NO, 'node-b': OK, 'node-x': OK, 'node-y': NO }),
  // Only node-a and node-y count (2/~1~/~0~/3); this unit test runs no NodeAffinity filter, so b and x pass.
  c(S, 'incoming pod has nodeAffinity, pods spread as 2/~1~/~0~/3, hence node-a fits', p(['foo'], [node1], nodeAffinityIn('node', ['node-a', 'node-y'])), abxy, spread2103, {
    'node-a': OK,
    'node-b': OK,
    'node-x': OK,
    'node-y': NO,
  }),
  c(S, 'terminating Pods should be excluded', p(['foo'], [node1]), [['node-a', { node: 'node-a' }], ['node-b', { node: 'node-b' }]], existing('node-a:foo!', 'node-b:foo'), { 'node-a': OK, 'node-b': NO }),
  c(S, 'incoming pod has nodeAffinity, pods spread as 0/~2~/0/1, hence node-a fits', p(['foo'], [zone1], nodeAffinityNotIn('node', ['node-b'])), abxy, existing('node-b:foo', 'node-b:foo', 'node-y:foo'), {
    'node-a': OK,
    'node-b': OK,
    'node-x': NO,
    'node-y': NO,
  }),
  c(S, 'pods spread across nodes as 2/2/1, maxSkew is 2, and the number of domains < minDomains, then the third node fits', p(['foo'], [{ ...node1, maxSkew: 2, minDomains: 4 }]), abc, aabbc, {
    'node-a': NO,
    'node-b': NO,
    'node-c': OK,
  }),
  c(S, 'pods spread across nodes as 2/2/1, maxSkew is 2, and the number of domains > minDomains, then the all nodes fit', p(['foo'], [{ ...node1, maxSkew: 2, minDomains: 2 }]), abc, aabbc, {
    'node-a': OK,
    'node-b': OK,
    'node-c': OK,
  }),
  c(
    S,
    'pods spread across zone as 2/1, maxSkew is 2 and the number of domains < minDomains, then the third and fourth nodes fit',
    p(['foo'], [{ ...zone1, maxSkew: 2, minDomains: 3 }]),
    abxy,
    existing('node-a:foo', 'node-b:foo', 'node-y:foo'),
    { 'node-a': NO, 'node-b': NO, 'node-x': OK, 'node-y': OK },
  ),
  c(
    S,
    'pods spread across zone as 2/1, maxSkew is 2 and the number of domains > minDomains, then the all nodes fit',
    p(['foo'], [{ ...zone1, maxSkew: 2, minDomains: 1 }]),
    abxy,
    existing('node-a:foo', 'node-b:foo', 'node-y:foo'),
    { 'node-a': OK, 'node-b': OK, 'node-x': OK, 'node-y': OK },
  ),
  c(S, 'NodeAffinityPolicy honored with labelSelectors', p(['foo'], [node1], { nodeSelector: { foo: '' } }), inclusionNodes, aby, { 'node-a': NO, 'node-b': NO, 'node-x': OK, 'node-y': OK }),
  c(S, 'NodeAffinityPolicy ignored with labelSelectors', p(['foo'], [{ ...node1, affinity: 'Ignore' }], { nodeSelector: { foo: '' } }), inclusionNodes, aby, { 'node-a': NO, 'node-b': NO, 'node-x': OK, 'node-y': NO }),
  c(S, 'NodeAffinityPolicy honored with nodeAffinity', p(['foo'], [node1], nodeAffinityIn('foo', [''])), inclusionNodes, aby, { 'node-a': NO, 'node-b': NO, 'node-x': OK, 'node-y': OK }),
  // Upstream's table names this case like the nodeSelector one above; the suffix keeps rows unique.
  c(S, 'NodeAffinityPolicy ignored with labelSelectors (nodeAffinity, 2nd case of that name)', p(['foo'], [{ ...node1, affinity: 'Ignore' }], nodeAffinityIn('foo', [''])), inclusionNodes, aby, {
    'node-a': NO,
    'node-b': NO,
    'node-x': OK,
    'node-y': NO,
  }),
  c(S, 'NodeTaintsPolicy honored', p(['foo'], [{ ...node1, taints: 'Honor' }]), taintNodes, aby, { 'node-a': NO, 'node-b': NO, 'node-x': OK, 'node-y': OK }),
  c(S, 'NodeTaintsPolicy ignored', p(['foo'], [node1]), taintNodes, aby, { 'node-a': NO, 'node-b': NO, 'node-x': OK, 'node-y': NO }),
];

const M = 'TestMultipleConstraints';
const zoneNode = [zone1, node1];
const zoneFooNodeBar = [zone1, { ...node1, sel: bar }];
const multiple: UpstreamCase[] = [
  c(M, 'two Constraints on zone and node, spreads = [3/3, 2/1/0/3]', p(['foo'], zoneNode), abxy, spread2103, { 'node-a': NO, 'node-b': NO, 'node-x': OK, 'node-y': NO }),
  c(M, 'two Constraints on zone and node, spreads = [3/4, 2/1/0/4]', p(['foo'], zoneNode), abxy, existing('node-a:foo', 'node-a:foo', 'node-b:foo', 'node-y:foo', 'node-y:foo', 'node-y:foo', 'node-y:foo'), {
    'node-a': NO,
    'node-b': NO,
    'node-x': NO,
    'node-y': NO,
  }),
  c(M, 'Constraints hold different labelSelectors, spreads = [1/0, 1/0/0/1]', p(['foo', 'bar'], zoneFooNodeBar), abxy, existing('node-a:foo', 'node-y:bar'), { 'node-a': NO, 'node-b': NO, 'node-x': OK, 'node-y': NO }),
  c(M, 'Constraints hold different labelSelectors, spreads = [1/0, 0/0/1/1]', p(['foo', 'bar'], zoneFooNodeBar), abxy, existing('node-a:foo', 'node-x:bar', 'node-y:bar'), {
    'node-a': NO,
    'node-b': NO,
    'node-x': NO,
    'node-y': NO,
  }),
  c(M, 'Constraints hold different labelSelectors, spreads = [2/3, 1/0/0/1]', p(['foo', 'bar'], zoneFooNodeBar), abxy, existing('node-a:foo', 'node-a:foo,bar', 'node-y:foo', 'node-y:foo,bar', 'node-y:foo'), {
    'node-a': NO,
    'node-b': OK,
    'node-x': NO,
    'node-y': NO,
  }),
  c(M, "Constraints hold different labelSelectors but pod doesn't match itself on 'zone' constraint", p(['bar'], zoneFooNodeBar), abxy, existing('node-a:foo', 'node-x:bar', 'node-y:bar'), {
    'node-a': OK,
    'node-b': OK,
    'node-x': NO,
    'node-y': NO,
  }),
  c(
    M,
    "two Constraints on zone and node, absence of label 'node' on node-x, spreads = [1/1, 1/0/0/1]",
    p(['foo'], zoneNode),
    [zn('node-a', 'zone1'), zn('node-b', 'zone1'), ['node-x', { zone: 'zone2' }], zn('node-y', 'zone2')],
    existing('node-a:foo', 'node-y:foo'),
    { 'node-a': NO, 'node-b': OK, 'node-x': MISSING, 'node-y': NO },
  ),
  c(
    M,
    'two node inclusion Constraints, zone: honor/ignore, node: ignore/ignore',
    p(['foo'], [zone1, { ...node1, affinity: 'Ignore' }], { nodeSelector: { foo: '' } }),
    [zn('node-a', 'zone1', { foo: '' }), zn('node-b', 'zone1', { foo: '' }), zn('node-x', 'zone2', { foo: '' }), zn('node-y', 'zone2')],
    aby,
    { 'node-a': NO, 'node-b': NO, 'node-x': OK, 'node-y': NO },
  ),
  c(
    M,
    'two node inclusion Constraints, zone: honor/honor, node: honor/ignore',
    p(['foo'], [{ ...zone1, taints: 'Honor' }, node1]),
    [zn('node-a', 'zone1', { foo: '' }), zn('node-b', 'zone1', { foo: '' }), zn('node-x', 'zone2', { foo: '' }), tainted(zn('node-y', 'zone2'))],
    aby,
    { 'node-a': NO, 'node-b': NO, 'node-x': OK, 'node-y': NO },
  ),
  c(
    M,
    'two node inclusion Constraints, zone: honor/ignore, node: honor/ignore',
    p(['foo'], zoneNode, { nodeSelector: { foo: '' } }),
    [zn('node-a', 'zone1', { foo: '' }), zn('node-b', 'zone1'), zn('node-x', 'zone2', { foo: '' }), tainted(zn('node-y', 'zone2', { foo: '' }))],
    aby,
    { 'node-a': NO, 'node-b': OK, 'node-x': OK, 'node-y': NO },
  ),
  c(
    M,
    'two node inclusion Constraints, zone: honor/honor, node: ignore/ignore',
    p(['foo'], [{ ...zone1, taints: 'Honor' }, { ...node1, affinity: 'Ignore' }], { nodeSelector: { foo: '' } }),
    [zn('node-a', 'zone1', { foo: '' }), zn('node-b', 'zone1'), zn('node-x', 'zone2', { foo: '' }), tainted(zn('node-y', 'zone2', { foo: '' }))],
    aby,
    { 'node-a': NO, 'node-b': NO, 'node-x': OK, 'node-y': NO },
  ),
];

export const CASES: readonly UpstreamCase[] = [...single, ...multiple];
