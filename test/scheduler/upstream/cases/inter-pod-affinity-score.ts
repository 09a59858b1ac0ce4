/**
 * pkg/scheduler/framework/plugins/interpodaffinity/scoring_test.go: TestPreferredAffinity,
 * TestPreferredAffinityWithHardPodAffinitySymmetricWeight. Upstream's namespace "" is `default`.
 * Scores: per domain Σ ±weight, normalized ⌊100 · (s - min) / (max - min)⌋.
 */
import { MAX, node, pod, type UpstreamCase } from '../harness.js';

const P = 'InterPodAffinity';
const T = 'TestPreferredAffinity';
type Expr = { key: string; operator: string; values?: string[] };
const NAMESPACES = [
  { name: 'subteam1.team1', labels: { team: 'team1' } },
  { name: 'subteam2.team1', labels: { team: 'team1' } },
  { name: 'subteam1.team2', labels: { team: 'team2' } },
  { name: 'subteam2.team2', labels: { team: 'team2' } },
];
const team1 = { matchExpressions: [{ key: 'team', operator: 'In', values: ['team1'] }] };

const rgChina = { region: 'China' };
const rgIndia = { region: 'India' };
const az1 = { az: 'az1' };
const az2 = { az: 'az2' };
const rgChinaAz1 = { region: 'China', az: 'az1' };
const S1 = { security: 'S1' };
const S2 = { security: 'S2' };

const wterm = (weight: number, exprs: Expr[], topologyKey: string, extra: Record<string, unknown> = {}) => ({ weight, podAffinityTerm: { labelSelector: { matchExpressions: exprs }, topologyKey, ...extra } });
const sec = (v: string): Expr => ({ key: 'security', operator: 'In', values: [v] });
const stayWithS1InRegion = { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [wterm(5, [sec('S1')], 'region')] } };
const stayWithS2InRegion = { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [wterm(6, [sec('S2')], 'region')] } };
const affinity3 = {
  podAffinity: {
    preferredDuringSchedulingIgnoredDuringExecution: [
      wterm(8, [{ key: 'security', operator: 'NotIn', values: ['S1'] }, sec('S2')], 'region'),
      wterm(2, [{ key: 'security', operator: 'Exists' }, { key: 'wrongkey', operator: 'DoesNotExist' }], 'region'),
    ],
  },
};
const hardAffinity = {
  podAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: [
      { labelSelector: { matchExpressions: [{ key: 'security', operator: 'In', values: ['S1', 'value2'] }] }, topologyKey: 'region' },
      { labelSelector: { matchExpressions: [{ key: 'security', operator: 'Exists' }, { key: 'wrongkey', operator: 'DoesNotExist' }] }, topologyKey: 'region' },
    ],
  },
};
const awayFromS1InAz = { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [wterm(5, [sec('S1')], 'az')] } };
const awayFromS2InAz = { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [wterm(5, [sec('S2')], 'az')] } };
const stayWithS1InRegionAwayFromS2InAz = {
  podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [wterm(8, [sec('S1')], 'region')] },
  podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [wterm(5, [sec('S2')], 'az')] },
};
const nsTerms = { namespaces: ['subteam2.team2'], namespaceSelector: team1 };
const affinityNamespaceSelector = { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [wterm(5, [sec('S1')], 'region', nsTerms)] } };
const antiAffinityNamespaceSelector = { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [wterm(5, [sec('S1')], 'region', nsTerms)] } };
const invalidAffinityLabels = { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [wterm(8, [sec('{{.bad-value.}}')], 'region')] } };
const invalidAntiAffinityLabels = { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [wterm(5, [sec('{{.bad-value.}}')], 'az')] } };

type Labels = Record<string, string>;
/** Bound pods as [node, labels, affinity?, namespace?]. */
type Bound = [string, Labels?, Record<string, unknown>?, string?];
function c(name: string, pending: Record<string, unknown>, bound: Bound[], nodes: Array<[string, Labels]>, want: Record<string, number> | 'skip', args: Record<string, unknown> = { hardPodAffinityWeight: 1 }, upstream = T): UpstreamCase {
  const pods = bound.map(([on, labels, affinity, namespace], k) => pod(`e${k}`, { ...(labels ? { labels } : {}), ...(affinity ? { affinity } : {}), ...(namespace ? { namespace } : {}) }, on));
  return {
    upstream,
    name,
    plugin: P,
    args,
    snapshot: { hostnameLabels: false, namespaces: NAMESPACES, nodes: nodes.map(([nn, labels]) => node(nn, { labels })), pods, pending },
    ...(want === 'skip' ? { preScoreSkip: true } : { score: want }),
  };
}
const p = (labels?: Labels, affinity?: Record<string, unknown>, namespace?: string) => pod('p', { ...(labels ? { labels } : {}), ...(affinity ? { affinity } : {}), ...(namespace ? { namespace } : {}) });
const three: Array<[string, Labels]> = [['node1', rgChina], ['node2', rgIndia], ['node3', az1]];

const preferred: UpstreamCase[] = [
  c('all nodes are same priority as Affinity is nil', p(S1), [], three, 'skip'),
  c(
    'Affinity: pod that matches topology key & pods in nodes will get high score comparing to otherswhich doesn\'t match either pods in nodes or in topology key',
    p(S1, stayWithS1InRegion),
    [['node1', S1], ['node2', S2], ['node3', S1]],
    three,
    { node1: MAX, node2: 0, node3: 0 },
  ),
  c(
    'All the nodes that have the same topology key & label value with one of them has an existing pod that match the affinity rules, have the same score',
    p(undefined, stayWithS1InRegion),
    [['node1', S1]],
    [['node1', rgChina], ['node2', rgChinaAz1], ['node3', rgIndia]],
    { node1: MAX, node2: MAX, node3: 0 },
  ),
  c(
    'Affinity: nodes in one region has more matching pods comparing to other region, so the region which has more matches will get high score',
    p(S1, stayWithS2InRegion),
    [['node1', S2], ['node1', S2], ['node2', S2], ['node3', S2], ['node4', S2], ['node5', S2]],
    [['node1', rgChina], ['node2', rgIndia], ['node3', rgChina], ['node4', rgChina], ['node5', rgIndia]],
    { node1: MAX, node2: 0, node3: MAX, node4: MAX, node5: 0 },
  ),
  // node1: S1 matches the weight-2 term → 2; node2: S2 matches both → 10; node3 has no region → 0. 100·2/10 = 20.
  c(
    'Affinity: different Label operators and values for pod affinity scheduling preference, including some match failures ',
    p(S1, affinity3),
    [['node1', S1], ['node2', S2], ['node3', S1]],
    three,
    { node1: 20, node2: MAX, node3: 0 },
  ),
  c(
    'Affinity symmetry: considered only the preferredDuringSchedulingIgnoredDuringExecution in pod affinity symmetry',
    p(S2),
    [['node1', S1, stayWithS1InRegion], ['node2', S2, stayWithS2InRegion]],
    three,
    { node1: 0, node2: MAX, node3: 0 },
  ),
  c('Affinity symmetry with namespace selector', p(S1, undefined, 'subteam1.team1'), [['node1', S1, affinityNamespaceSelector], ['node2', S2, stayWithS2InRegion]], three, { node1: MAX, node2: 0, node3: 0 }),
  c('AntiAffinity symmetry with namespace selector', p(S1, undefined, 'subteam1.team1'), [['node1', S1, antiAffinityNamespaceSelector], ['node2', S2, stayWithS2InRegion]], three, { node1: 0, node2: MAX, node3: MAX }),
  c(
    'Affinity symmetry: considered RequiredDuringSchedulingIgnoredDuringExecution in pod affinity symmetry',
    p(S1),
    [['node1', S1, hardAffinity], ['node2', S2, hardAffinity]],
    three,
    { node1: MAX, node2: MAX, node3: 0 },
  ),
  c('Anti Affinity: pod that does not match existing pods in node will get high score ', p(S1, awayFromS1InAz), [['node1', S1], ['node2', S2]], [['node1', az1], ['node2', rgChina]], { node1: 0, node2: MAX }),
  c(
    'Anti Affinity: pod that does not match topology key & match the pods in nodes will get higher score comparing to others ',
    p(S1, awayFromS1InAz),
    [['node1', S1], ['node2', S1]],
    [['node1', az1], ['node2', rgChina]],
    { node1: 0, node2: MAX },
  ),
  c(
    'Anti Affinity: one node has more matching pods comparing to other node, so the node which has more unmatches will get high score',
    p(S1, awayFromS1InAz),
    [['node1', S1], ['node1', S1], ['node2', S2]],
    [['node1', az1], ['node2', rgIndia]],
    { node1: 0, node2: MAX },
  ),
  c(
    'Anti Affinity symmetry: the existing pods in node which has anti affinity match will get high score',
    p(S2),
    [['node1', S1, awayFromS2InAz], ['node2', S2, awayFromS1InAz]],
    [['node1', az1], ['node2', az2]],
    { node1: 0, node2: MAX },
  ),
  c(
    'Affinity and Anti Affinity: considered only preferredDuringSchedulingIgnoredDuringExecution in both pod affinity & anti affinity',
    p(S1, stayWithS1InRegionAwayFromS2InAz),
    [['node1', S1], ['node2', S1]],
    [['node1', rgChina], ['node2', az1]],
    { node1: MAX, node2: 0 },
  ),
  c(
    'Affinity and Anti Affinity: considering both affinity and anti-affinity, the pod to schedule and existing pods have the same labels',
    p(S1, stayWithS1InRegionAwayFromS2InAz),
    [['node1', S1], ['node1', S1], ['node2', S1], ['node3', S1], ['node3', S1], ['node4', S1], ['node5', S1]],
    [['node1', rgChinaAz1], ['node2', rgIndia], ['node3', rgChina], ['node4', rgChina], ['node5', rgIndia]],
    { node1: MAX, node2: 0, node3: MAX, node4: MAX, node5: 0 },
  ),
  c(
    'Affinity and Anti Affinity and symmetry: considered only preferredDuringSchedulingIgnoredDuringExecution in both pod affinity & anti affinity & symmetry',
    p(S1, stayWithS1InRegionAwayFromS2InAz),
    [['node1', S1], ['node2', S2], ['node3', undefined, stayWithS1InRegionAwayFromS2InAz], ['node4', undefined, awayFromS1InAz]],
    [['node1', rgChina], ['node2', az1], ['node3', rgIndia], ['node4', az2]],
    { node1: MAX, node2: 0, node3: MAX, node4: 0 },
  ),
  c(
    "Avoid panic when partial nodes in a topology don't have pods with affinity",
    p(S1),
    [['node1', S1], ['node2', undefined, stayWithS1InRegionAwayFromS2InAz]],
    [['node1', rgChina], ['node2', rgChina]],
    { node1: 0, node2: 0 },
  ),
  {
    upstream: T,
    name: 'invalid Affinity fails PreScore',
    plugin: P,
    notExpressible: "Slipway's PreScore cannot fail with an Error; the invalid term fails the pod at PreFilter instead (as upstream's PreFilter does when it parses the pod: see TestRequiredAffinitySingleNode's invalid-label rows)",
  },
  {
    upstream: T,
    name: 'invalid AntiAffinity fails PreScore',
    plugin: P,
    notExpressible: "Slipway's PreScore cannot fail with an Error; the invalid term fails the pod at PreFilter instead (as upstream's PreFilter does when it parses the pod: see TestRequiredAffinitySingleNode's invalid-label rows)",
  },
  c(
    'Affinity with pods matching NamespaceSelector',
    p(S1, affinityNamespaceSelector, 'subteam1.team1'),
    [['node1', S1, undefined, 'subteam1.team1'], ['node1', S1, undefined, 'subteam1.team1'], ['node1', S1, undefined, 'subteam1.team2'], ['node2', S1, undefined, 'subteam2.team1']],
    [['node1', rgChina], ['node2', rgIndia]],
    { node1: MAX, node2: 0 },
  ),
  c(
    'Affinity with pods matching both NamespaceSelector and Namespaces fields',
    p(S1, affinityNamespaceSelector, 'subteam1.team1'),
    [['node1', S1, undefined, 'subteam1.team1'], ['node1', S1, undefined, 'subteam1.team1'], ['node1', S1, undefined, 'subteam2.team2'], ['node2', S1, undefined, 'subteam2.team1']],
    [['node1', rgChina], ['node2', rgIndia]],
    { node1: MAX, node2: 0 },
  ),
  // Upstream's table repeats these two names for the anti-affinity variant; the suffix keeps rows unique.
  c(
    'Affinity with pods matching NamespaceSelector (anti-affinity, 2nd case of that name)',
    p(S1, antiAffinityNamespaceSelector, 'subteam1.team1'),
    [['node1', S1, undefined, 'subteam1.team1'], ['node1', S1, undefined, 'subteam1.team1'], ['node1', S1, undefined, 'subteam1.team2'], ['node2', S1, undefined, 'subteam2.team1']],
    [['node1', rgChina], ['node2', rgIndia]],
    { node1: 0, node2: MAX },
  ),
  c(
    'Affinity with pods matching both NamespaceSelector and Namespaces fields (anti-affinity, 2nd case of that name)',
    p(S1, antiAffinityNamespaceSelector, 'subteam1.team1'),
    [['node1', S1, undefined, 'subteam1.team1'], ['node1', S1, undefined, 'subteam1.team1'], ['node1', S1, undefined, 'subteam2.team2'], ['node2', S1, undefined, 'subteam2.team1']],
    [['node1', rgChina], ['node2', rgIndia]],
    { node1: 0, node2: MAX },
  ),
  c(
    'Ignore preferred terms of existing pods',
    p(S2),
    [['node1', S1, stayWithS1InRegionAwayFromS2InAz], ['node2', S2, stayWithS2InRegion]],
    [['node1', rgChina], ['node2', rgIndia]],
    'skip',
    { hardPodAffinityWeight: 1, ignorePreferredTermsOfExistingPods: true },
  ),
  c(
    'Do not ignore preferred terms of existing pods',
    p(S2),
    [['node1', S1, stayWithS1InRegionAwayFromS2InAz], ['node2', S2, stayWithS2InRegion]],
    [['node1', rgChina], ['node2', rgIndia]],
    { node1: 0, node2: MAX },
    { hardPodAffinityWeight: 1, ignorePreferredTermsOfExistingPods: false },
  ),
  // A snapshot has at least one node: PreScore gets none of them (upstream: no nodes at all).
  { upstream: T, name: 'No nodes to score', plugin: P, args: { hardPodAffinityWeight: 1 }, snapshot: { nodes: [node('node1')], pending: p(S2) }, scoreNodes: [], preScoreSkip: true },
];

// ── TestPreferredAffinityWithHardPodAffinitySymmetricWeight ───────────────────────────────────
const T2 = 'TestPreferredAffinityWithHardPodAffinitySymmetricWeight';
const hardPodAffinity = {
  podAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: [
      { labelSelector: { matchExpressions: [{ key: 'service', operator: 'In', values: ['S1'] }] }, namespaces: ['default', 'subteam2.team2'], namespaceSelector: team1, topologyKey: 'region' },
    ],
  },
};
const svcS1 = { service: 'S1' };
const hardBound: Bound[] = [['node1', undefined, hardPodAffinity], ['node2', undefined, hardPodAffinity]];
const symmetric: UpstreamCase[] = [
  c('with default weight', p(svcS1), hardBound, three, { node1: MAX, node2: MAX, node3: 0 }, { hardPodAffinityWeight: 1 }, T2),
  c('with zero weight', p(svcS1), hardBound, three, 'skip', { hardPodAffinityWeight: 0 }, T2),
  c('with no matching namespace', p(svcS1, undefined, 'subteam1.team2'), hardBound, three, 'skip', { hardPodAffinityWeight: 1 }, T2),
  c('with matching NamespaceSelector', p(svcS1, undefined, 'subteam1.team1'), hardBound, three, { node1: MAX, node2: MAX, node3: 0 }, { hardPodAffinityWeight: 1 }, T2),
  c('with matching Namespaces', p(svcS1, undefined, 'subteam2.team2'), hardBound, three, { node1: MAX, node2: MAX, node3: 0 }, { hardPodAffinityWeight: 1 }, T2),
];

export const CASES: readonly UpstreamCase[] = [...preferred, ...symmetric];
