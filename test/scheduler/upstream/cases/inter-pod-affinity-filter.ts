/**
 * pkg/scheduler/framework/plugins/interpodaffinity/filtering_test.go: TestRequiredAffinitySingleNode,
 * TestRequiredAffinityMultipleNodes. Upstream's default namespace "" is Slipway's `default`; its
 * namespace objects (subteam1.team1 … with label team) are the snapshot's `namespaces`.
 */
import { node, pod, type FilterWant, type UpstreamCase } from '../harness.js';

const P = 'InterPodAffinity';
const AFF: FilterWant = ['UnschedulableAndUnresolvable', "node(s) didn't match pod affinity rules"];
const ANTI: FilterWant = ['Unschedulable', "node(s) didn't match pod anti-affinity rules"];
const EXISTING: FilterWant = ['Unschedulable', "node(s) didn't satisfy existing pods anti-affinity rules"];

type Expr = { key: string; operator: string; values?: string[] };
interface Term {
  labelSelector?: { matchExpressions?: Expr[]; matchLabels?: Record<string, string> };
  topologyKey: string;
  namespaces?: string[];
  namespaceSelector?: { matchExpressions?: Expr[] };
}
/** st.MakePod().PodAffinityIn / NotIn / Exists(key, topologyKey, ...): one term. */
const inT = (k: string, tk: string, values: string[]): Term => ({ labelSelector: { matchExpressions: [{ key: k, operator: 'In', values }] }, topologyKey: tk });
const notInT = (k: string, tk: string, values: string[]): Term => ({ labelSelector: { matchExpressions: [{ key: k, operator: 'NotIn', values }] }, topologyKey: tk });
const existsT = (k: string, tk: string): Term => ({ labelSelector: { matchExpressions: [{ key: k, operator: 'Exists' }] }, topologyKey: tk });
/** Required pod affinity / anti-affinity terms. */
const req = (aff: Term[] = [], anti: Term[] = []) => ({
  affinity: {
    ...(aff.length ? { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: aff } } : {}),
    ...(anti.length ? { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: anti } } : {}),
  },
});

const NAMESPACES = [
  { name: 'subteam1.team1', labels: { team: 'team1' } },
  { name: 'subteam2.team1', labels: { team: 'team1' } },
  { name: 'subteam1.team2', labels: { team: 'team2' } },
  { name: 'subteam2.team2', labels: { team: 'team2' } },
];
const team1 = { matchExpressions: [{ key: 'team', operator: 'In', values: ['team1'] }] };

// ── TestRequiredAffinitySingleNode: node1 {region: r1, zone: z11} ─────────────────────────────
const T1 = 'TestRequiredAffinitySingleNode';
const podLabel = { service: 'securityscan' };
const podLabel2 = { security: 'S1' };
const existing = pod('existing', { labels: podLabel }, 'node1');
function single(name: string, pending: Record<string, unknown>, pods: Array<Record<string, unknown>>, want: FilterWant): UpstreamCase {
  return {
    upstream: T1,
    name,
    plugin: P,
    snapshot: { hostnameLabels: false, namespaces: NAMESPACES, nodes: [node('node1', { labels: { region: 'r1', zone: 'z11' } })], pods, pending },
    filter: { node1: want },
  };
}
const securityscanOrV2 = (tk: string) => inT('service', tk, ['securityscan', 'value2']);
const antivirus = (tk: string) => inT('service', tk, ['antivirusscan', 'value2']);
const multiOps = (second: string): Term[] => [
  { labelSelector: { matchExpressions: [{ key: 'service', operator: 'Exists' }, { key: 'wrongkey', operator: 'DoesNotExist' }] }, topologyKey: 'region' },
  { labelSelector: { matchExpressions: [{ key: 'service', operator: 'In', values: [second] }, { key: 'service', operator: 'NotIn', values: ['WrongValue'] }] }, topologyKey: 'region' },
];
const nsSelectorTerm = (tk: string, namespaceSelector: Term['namespaceSelector']): Term => ({ ...securityscanOrV2(tk), namespaceSelector });

const singleNode: UpstreamCase[] = [
  single('A pod that has no required pod affinity scheduling rules can schedule onto a node with no existing pods', pod('p'), [], 'ok'),
  single(
    'satisfies with requiredDuringSchedulingIgnoredDuringExecution in PodAffinity using In operator that matches the existing pod',
    pod('p', { labels: podLabel2, ...req([securityscanOrV2('region')]) }),
    [existing],
    'ok',
  ),
  single(
    'satisfies the pod with requiredDuringSchedulingIgnoredDuringExecution in PodAffinity using not in operator in labelSelector that matches the existing pod',
    pod('p', { labels: podLabel2, ...req([notInT('service', 'region', ['securityscan3', 'value3'])]) }),
    [existing],
    'ok',
  ),
  {
    upstream: T1,
    name: 'Does not satisfy the PodAffinity with labelSelector because of diff Namespace',
    plugin: P,
    notExpressible: 'the term has no topologyKey (""); Kubernetes API validation rejects that and so does the snapshot schema ("topologyKey must not be empty")',
  },
  {
    upstream: T1,
    name: "Doesn't satisfy the PodAffinity because of unmatching labelSelector with the existing pod",
    plugin: P,
    notExpressible: 'the term has no topologyKey (""); Kubernetes API validation rejects that and so does the snapshot schema ("topologyKey must not be empty")',
  },
  single('satisfies the PodAffinity with different label Operators in multiple RequiredDuringSchedulingIgnoredDuringExecution ', pod('p', { labels: podLabel2, ...req(multiOps('securityscan')) }), [existing], 'ok'),
  single(
    "The labelSelector requirements(items of matchExpressions) are ANDed, the pod cannot schedule onto the node because one of the matchExpression item don't match.",
    pod('p', { labels: podLabel2, ...req(multiOps('securityscan2')) }),
    [existing],
    AFF,
  ),
  single('satisfies the PodAffinity and PodAntiAffinity with the existing pod', pod('p', { labels: podLabel2, ...req([securityscanOrV2('region')], [antivirus('node')]) }), [existing], 'ok'),
  single(
    'satisfies the PodAffinity and PodAntiAffinity and PodAntiAffinity symmetry with the existing pod',
    pod('p', { labels: podLabel2, ...req([securityscanOrV2('region')], [antivirus('node')]) }),
    [pod('e', { labels: podLabel, ...req([], [antivirus('node')]) }, 'node1')],
    'ok',
  ),
  single("satisfies the PodAffinity but doesn't satisfy the PodAntiAffinity with the existing pod", pod('p', { labels: podLabel2, ...req([securityscanOrV2('region')], [securityscanOrV2('zone')]) }), [existing], ANTI),
  single(
    "satisfies the PodAffinity and PodAntiAffinity but doesn't satisfy PodAntiAffinity symmetry with the existing pod",
    pod('p', { labels: podLabel, ...req([securityscanOrV2('region')], [antivirus('node')]) }),
    [pod('e', { labels: podLabel, ...req([], [securityscanOrV2('zone')]) }, 'node1')],
    EXISTING,
  ),
  // The existing pod is on node2, which the snapshot must list (upstream's snapshot holds it without its node).
  {
    upstream: T1,
    name: 'pod matches its own Label in PodAffinity and that matches the existing pod Labels',
    plugin: P,
    snapshot: {
      hostnameLabels: false,
      nodes: [node('node1', { labels: { region: 'r1', zone: 'z11' } }), node('node2')],
      pods: [pod('e', { labels: podLabel }, 'node2')],
      pending: pod('p', { labels: podLabel, ...req([notInT('service', 'region', ['securityscan', 'value2'])]) }),
    },
    filter: { node1: AFF },
  },
  single(
    "verify that PodAntiAffinity from existing pod is respected when pod has no AntiAffinity constraints. doesn't satisfy PodAntiAffinity symmetry with the existing pod",
    pod('p', { labels: podLabel }),
    [pod('e', { labels: podLabel, ...req([], [securityscanOrV2('zone')]) }, 'node1')],
    EXISTING,
  ),
  single(
    'verify that PodAntiAffinity from existing pod is respected when pod has no AntiAffinity constraints. satisfy PodAntiAffinity symmetry with the existing pod',
    pod('p', { labels: podLabel }),
    [pod('e', { labels: podLabel, ...req([], [notInT('service', 'zone', ['securityscan', 'value2'])]) }, 'node1')],
    'ok',
  ),
  single(
    "satisfies the PodAntiAffinity with existing pod but doesn't satisfy PodAntiAffinity symmetry with incoming pod",
    pod('p', { labels: podLabel, ...req([], [existsT('service', 'region'), existsT('security', 'region')]) }),
    [pod('e', { labels: podLabel2, ...req([], [existsT('security', 'zone')]) }, 'node1')],
    ANTI,
  ),
  single(
    'PodAntiAffinity symmetry check a1: incoming pod and existing pod partially match each other on AffinityTerms',
    pod('p', { labels: podLabel, ...req([], [existsT('service', 'zone'), existsT('security', 'zone')]) }),
    [pod('e', { labels: podLabel2, ...req([], [existsT('security', 'zone')]) }, 'node1')],
    ANTI,
  ),
  single(
    'PodAntiAffinity symmetry check a2: incoming pod and existing pod partially match each other on AffinityTerms',
    pod('p', { labels: podLabel2, ...req([], [existsT('security', 'zone')]) }),
    [pod('e', { labels: podLabel, ...req([], [existsT('service', 'zone'), existsT('security', 'zone')]) }, 'node1')],
    EXISTING,
  ),
  // Both the pod's and the existing pod's anti-affinity fail: upstream reports the pod's own first.
  single(
    'PodAntiAffinity symmetry check b1: incoming pod and existing pod partially match each other on AffinityTerms',
    pod('p', { labels: { abc: '', xyz: '' }, ...req([], [existsT('abc', 'zone'), existsT('def', 'zone')]) }),
    [pod('e', { labels: { def: '', xyz: '' }, ...req([], [existsT('abc', 'zone'), existsT('def', 'zone')]) }, 'node1')],
    ANTI,
  ),
  single(
    'PodAntiAffinity symmetry check b2: incoming pod and existing pod partially match each other on AffinityTerms',
    pod('p', { labels: { def: '', xyz: '' }, ...req([], [existsT('abc', 'zone'), existsT('def', 'zone')]) }),
    [pod('e', { labels: { abc: '', xyz: '' }, ...req([], [existsT('abc', 'zone'), existsT('def', 'zone')]) }, 'node1')],
    ANTI,
  ),
  // Upstream's PreFilter fails (parsing pod: ... Invalid value) for every node.
  single(
    'PodAffinity fails PreFilter with an invalid affinity label syntax',
    pod('p', { labels: podLabel, ...req([inT('service', 'region', ['{{.bad-value.}}']), antivirus('node')]) }),
    [],
    'UnschedulableAndUnresolvable',
  ),
  single(
    'PodAntiAffinity fails PreFilter with an invalid antiaffinity label syntax',
    pod('p', { labels: podLabel, ...req([inT('service', 'region', ['foo']), inT('service', 'node', ['{{.bad-value.}}'])]) }),
    [],
    'UnschedulableAndUnresolvable',
  ),
  single('affinity with NamespaceSelector', pod('p', { labels: podLabel2, ...req([nsSelectorTerm('region', team1)]) }), [pod('e', { namespace: 'subteam1.team1', labels: podLabel }, 'node1')], 'ok'),
  single('affinity with non-matching NamespaceSelector', pod('p', { labels: podLabel2, ...req([nsSelectorTerm('region', team1)]) }), [pod('e', { namespace: 'subteam1.team2', labels: podLabel }, 'node1')], AFF),
  single(
    'anti-affinity with matching NamespaceSelector',
    pod('p', { namespace: 'subteam1.team1', labels: podLabel2, ...req([], [nsSelectorTerm('zone', team1)]) }),
    [pod('e', { namespace: 'subteam2.team1', labels: podLabel }, 'node1')],
    ANTI,
  ),
  single(
    'anti-affinity with matching all NamespaceSelector',
    pod('p', { namespace: 'subteam1.team1', labels: podLabel2, ...req([], [nsSelectorTerm('zone', {})]) }),
    [pod('e', { namespace: 'subteam2.team1', labels: podLabel }, 'node1')],
    ANTI,
  ),
  single(
    'anti-affinity with non-matching NamespaceSelector',
    pod('p', { namespace: 'subteam1.team1', labels: podLabel2, ...req([], [nsSelectorTerm('zone', team1)]) }),
    [pod('e', { namespace: 'subteam1.team2', labels: podLabel }, 'node1')],
    'ok',
  ),
];

// ── TestRequiredAffinityMultipleNodes ──────────────────────────────────────────────────────────
const T2 = 'TestRequiredAffinityMultipleNodes';
const rgChina = { region: 'China' };
const rgChinaAz1 = { region: 'China', az: 'az1' };
const rgIndia = { region: 'India' };
const n = (name: string, labels: Record<string, string>) => node(name, { labels });
function multi(name: string, pending: Record<string, unknown>, pods: Array<Record<string, unknown>>, nodes: Array<Record<string, unknown>>, wants: FilterWant[]): UpstreamCase {
  const filter: Record<string, FilterWant> = {};
  nodes.forEach((nd, k) => (filter[nd.name as string] = wants[k]));
  return { upstream: T2, name, plugin: P, snapshot: { hostnameLabels: false, namespaces: [{ name: 'NS1' }], nodes, pods, pending }, filter };
}
const abNodes = (z2: string) => [n('nodeA', { region: 'r1', zone: 'z1', hostname: 'nodeA' }), n('nodeB', { region: 'r1', zone: z2, hostname: 'nodeB' })];
const e = (name: string, on: string, b: Record<string, unknown>) => pod(name, b, on);

const multipleNodes: UpstreamCase[] = [
  multi(
    'A pod can be scheduled onto all the nodes that have the same topology key & label value with one of them has an existing pod that matches the affinity rules',
    pod('p', req([inT('foo', 'region', ['bar'])])),
    [e('p1', 'node1', { labels: { foo: 'bar' } })],
    [n('node1', rgChina), n('node2', rgChinaAz1), n('node3', rgIndia)],
    ['ok', 'ok', AFF],
  ),
  multi(
    "The affinity rule is to schedule all of the pods of this collection to the same zone. The first pod of the collection should not be blocked from being scheduled onto any node, even there's no existing pod that matches the rule anywhere.",
    pod('p', { labels: { foo: 'bar', service: 'securityscan' }, ...req([inT('foo', 'zone', ['bar']), inT('service', 'zone', ['securityscan'])]) }),
    [e('p1', 'nodeA', { labels: { foo: 'bar' } })],
    [n('nodeA', { zone: 'az1', hostname: 'h1' }), n('nodeB', { zone: 'az2', hostname: 'h2' })],
    ['ok', 'ok'],
  ),
  multi(
    'The first pod of the collection can only be scheduled on nodes labelled with the requested topology keys',
    pod('p', { labels: { foo: 'bar', service: 'securityscan' }, ...req([inT('foo', 'zone', ['bar']), inT('service', 'zone', ['securityscan'])]) }),
    [e('p1', 'nodeA', { labels: { foo: 'bar' } })],
    [n('nodeA', { zoneLabel: 'az1', hostname: 'h1' }), n('nodeB', { zoneLabel: 'az2', hostname: 'h2' })],
    [AFF, AFF],
  ),
  multi(
    'NodeA and nodeB have same topologyKey and label value. NodeA has an existing pod that matches the inter pod affinity rule. The pod can not be scheduled onto nodeA and nodeB.',
    pod('p', req([], [inT('foo', 'region', ['abc'])])),
    [e('e1', 'nodeA', { labels: { foo: 'abc' } })],
    [n('nodeA', { region: 'r1', hostname: 'nodeA' }), n('nodeB', { region: 'r1', hostname: 'nodeB' })],
    [ANTI, ANTI],
  ),
  multi(
    'This test ensures that anti-affinity matches a pod when any term of the anti-affinity rule matches a pod.',
    pod('p', req([], [inT('foo', 'region', ['abc']), inT('service', 'zone', ['securityscan'])])),
    [e('e1', 'nodeA', { labels: { foo: 'abc', service: 'securityscan' } })],
    [n('nodeA', { region: 'r1', zone: 'z1', hostname: 'nodeA' }), n('nodeB', { region: 'r1', zone: 'z2', hostname: 'nodeB' })],
    [ANTI, ANTI],
  ),
  multi(
    'NodeA and nodeB have same topologyKey and label value. NodeA has an existing pod that matches the inter pod affinity rule. The pod can not be scheduled onto nodeA and nodeB but can be scheduled onto nodeC',
    pod('p', req([], [inT('foo', 'region', ['abc'])])),
    [e('e1', 'nodeA', { labels: { foo: 'abc' } })],
    [n('nodeA', rgChina), n('nodeB', rgChinaAz1), n('nodeC', rgIndia)],
    [ANTI, ANTI, 'ok'],
  ),
  multi(
    'NodeA and nodeB have same topologyKey and label value. NodeA has an existing pod that matches the inter pod affinity rule. The pod can not be scheduled onto nodeA, nodeB, but can be scheduled onto nodeC (NodeC has an existing pod that match the inter pod affinity rule but in different namespace)',
    pod('p', { namespace: 'NS1', labels: { foo: '123' }, ...req([], [inT('foo', 'region', ['bar'])]) }),
    [e('e1', 'nodeA', { namespace: 'NS1', labels: { foo: 'bar' } }), e('e2', 'nodeC', { namespace: 'NS2', ...req([], [inT('foo', 'region', ['123'])]) })],
    [n('nodeA', rgChina), n('nodeB', rgChinaAz1), n('nodeC', rgIndia)],
    [ANTI, ANTI, 'ok'],
  ),
  multi(
    "Test existing pod's anti-affinity: if an existing pod has a term with invalid topologyKey, labelSelector of the term is firstly checked, and then topologyKey of the term is also checked",
    pod('p', { labels: { foo: '' } }),
    [e('e1', 'nodeA', req([], [existsT('foo', 'invalid-node-label')]))],
    abNodes('z1'),
    ['ok', 'ok'],
  ),
  multi(
    "Test incoming pod's anti-affinity: even if labelSelector matches, we still check if topologyKey matches",
    pod('p', req([], [existsT('foo', 'invalid-node-label')])),
    [e('e1', 'nodeA', { labels: { foo: '' } })],
    abNodes('z1'),
    ['ok', 'ok'],
  ),
  multi(
    "Test existing pod's anti-affinity: incoming pod wouldn't considered as a fit as it violates each existingPod's terms on all nodes",
    pod('p', { labels: { foo: '', bar: '' } }),
    [e('e1', 'nodeA', req([], [existsT('foo', 'zone')])), e('e2', 'nodeA', req([], [existsT('bar', 'region')]))],
    abNodes('z2'),
    [EXISTING, EXISTING],
  ),
  multi(
    "Test incoming pod's anti-affinity: incoming pod wouldn't considered as a fit as it at least violates one anti-affinity rule of existingPod",
    pod('p', req([], [existsT('foo', 'zone'), existsT('bar', 'region')])),
    [e('e1', 'nodeA', { labels: { foo: '' } }), e('e2', 'nodeB', { labels: { bar: '' } })],
    abNodes('z2'),
    [ANTI, ANTI],
  ),
  multi(
    "Test existing pod's anti-affinity: only when labelSelector and topologyKey both match, it's counted as a single term match - case when one term has invalid topologyKey",
    pod('p', { labels: { foo: '', bar: '' } }),
    [e('e1', 'nodeA', req([], [existsT('foo', 'invalid-node-label'), existsT('bar', 'zone')]))],
    abNodes('z2'),
    [EXISTING, 'ok'],
  ),
  multi(
    "Test incoming pod's anti-affinity: only when labelSelector and topologyKey both match, it's counted as a single term match - case when one term has invalid topologyKey",
    pod('p', req([], [existsT('foo', 'invalid-node-label'), existsT('bar', 'zone')])),
    [e('podA', 'nodeA', { labels: { foo: '', bar: '' } })],
    abNodes('z2'),
    [ANTI, 'ok'],
  ),
  multi(
    "Test existing pod's anti-affinity: only when labelSelector and topologyKey both match, it's counted as a single term match - case when all terms have valid topologyKey",
    pod('p', { labels: { foo: '', bar: '' } }),
    [e('e1', 'nodeA', req([], [existsT('foo', 'region'), existsT('bar', 'zone')]))],
    abNodes('z2'),
    [EXISTING, EXISTING],
  ),
  multi(
    "Test incoming pod's anti-affinity: only when labelSelector and topologyKey both match, it's counted as a single term match - case when all terms have valid topologyKey",
    pod('p', req([], [existsT('foo', 'region'), existsT('bar', 'zone')])),
    [e('e1', 'nodeA', { labels: { foo: '', bar: '' } })],
    abNodes('z2'),
    [ANTI, ANTI],
  ),
  multi(
    "Test existing pod's anti-affinity: existingPod on nodeA and nodeB has at least one anti-affinity term matches incoming pod, so incoming pod can only be scheduled to nodeC",
    pod('p', { labels: { foo: '', bar: '' } }),
    [e('e1', 'nodeA', req([], [existsT('foo', 'zone'), existsT('labelA', 'zone')])), e('e2', 'nodeB', req([], [existsT('bar', 'zone'), existsT('labelB', 'zone')]))],
    [...abNodes('z2'), n('nodeC', { region: 'r1', zone: 'z3', hostname: 'nodeC' })],
    [EXISTING, EXISTING, 'ok'],
  ),
  multi(
    "Test incoming pod's affinity: firstly check if all affinityTerms match, and then check if all topologyKeys match",
    pod('p', req([existsT('foo', 'region'), existsT('bar', 'zone')])),
    [e('pod1', 'nodeA', { labels: { foo: '', bar: '' } })],
    abNodes('z1'),
    ['ok', 'ok'],
  ),
  multi(
    "Test incoming pod's affinity: firstly check if all affinityTerms match, and then check if all topologyKeys match, and the match logic should be satisfied on the same pod",
    pod('p', req([existsT('foo', 'region'), existsT('bar', 'zone')])),
    [e('pod1', 'nodeA', { labels: { foo: '' } }), e('pod2', 'nodeB', { labels: { bar: '' } })],
    abNodes('z2'),
    [AFF, AFF],
  ),
];

export const CASES: readonly UpstreamCase[] = [...singleNode, ...multipleNodes];
