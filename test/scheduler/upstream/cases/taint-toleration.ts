/** pkg/scheduler/framework/plugins/tainttoleration/taint_toleration_test.go */
import { MAX, node, pod, type UpstreamCase } from '../harness.js';

const T = 'TaintToleration';
const UNTOLERATED = 'node(s) had untolerated taint(s)';
type Taint = { key: string; value?: string; effect: string };
type Tol = { key?: string; operator?: string; value?: string; effect?: string };
const nt = (name: string, taints: Taint[]) => node(name, { taints });
const withTol = (tolerations: Tol[]) => pod('pod1', { tolerations });

const score = (name: string, tolerations: Tol[], nodes: Array<[string, Taint[]]>, want: Record<string, number>): UpstreamCase => ({
  upstream: 'TestTaintTolerationScore',
  name,
  plugin: T,
  snapshot: { nodes: nodes.map(([n, ts]) => nt(n, ts)), pending: withTol(tolerations) },
  score: want,
});
const filter = (name: string, tolerations: Tol[], taints: Taint[], ok: boolean): UpstreamCase => ({
  upstream: 'TestTaintTolerationFilter',
  name,
  plugin: T,
  snapshot: { nodes: [nt('nodeA', taints)], pending: withTol(tolerations) },
  filter: { nodeA: ok ? 'ok' : ['UnschedulableAndUnresolvable', UNTOLERATED] },
});

const PNS = 'PreferNoSchedule';
export const CASES: readonly UpstreamCase[] = [
  score('node with taints tolerated by the pod, gets a higher score than those node with intolerable taints', [{ key: 'foo', operator: 'Equal', value: 'bar', effect: PNS }], [['nodeA', [{ key: 'foo', value: 'bar', effect: PNS }]], ['nodeB', [{ key: 'foo', value: 'blah', effect: PNS }]]], { nodeA: MAX, nodeB: 0 }),
  score(
    'the nodes that all of their taints are tolerated by the pod, get the same score, no matter how many tolerable taints a node has',
    [{ key: 'cpu-type', operator: 'Equal', value: 'arm64', effect: PNS }, { key: 'disk-type', operator: 'Equal', value: 'ssd', effect: PNS }],
    [['nodeA', []], ['nodeB', [{ key: 'cpu-type', value: 'arm64', effect: PNS }]], ['nodeC', [{ key: 'cpu-type', value: 'arm64', effect: PNS }, { key: 'disk-type', value: 'ssd', effect: PNS }]]],
    { nodeA: MAX, nodeB: MAX, nodeC: MAX },
  ),
  score(
    'the more intolerable taints a node has, the lower score it gets.',
    [{ key: 'foo', operator: 'Equal', value: 'bar', effect: PNS }],
    [['nodeA', []], ['nodeB', [{ key: 'cpu-type', value: 'arm64', effect: PNS }]], ['nodeC', [{ key: 'cpu-type', value: 'arm64', effect: PNS }, { key: 'disk-type', value: 'ssd', effect: PNS }]]],
    { nodeA: MAX, nodeB: 50, nodeC: 0 },
  ),
  score(
    'only taints and tolerations that have effect PreferNoSchedule are checked by taints-tolerations priority function',
    [{ key: 'cpu-type', operator: 'Equal', value: 'arm64', effect: 'NoSchedule' }, { key: 'disk-type', operator: 'Equal', value: 'ssd', effect: 'NoSchedule' }],
    [['nodeA', []], ['nodeB', [{ key: 'cpu-type', value: 'arm64', effect: 'NoSchedule' }]], ['nodeC', [{ key: 'cpu-type', value: 'arm64', effect: PNS }, { key: 'disk-type', value: 'ssd', effect: PNS }]]],
    { nodeA: MAX, nodeB: MAX, nodeC: 0 },
  ),
  score('Default behaviour No taints and tolerations, lands on node with no taints', [], [['nodeA', []], ['nodeB', [{ key: 'cpu-type', value: 'arm64', effect: PNS }]]], { nodeA: MAX, nodeB: 0 }),
  score('Numeric Gt operator: pod with Gt toleration prefers nodes with matching SLA taint', [{ key: 'node.kubernetes.io/sla', operator: 'Gt', value: '950', effect: PNS }], [['nodeA', [{ key: 'node.kubernetes.io/sla', value: '800', effect: PNS }]], ['nodeB', [{ key: 'node.kubernetes.io/sla', value: '999', effect: PNS }]]], { nodeA: 0, nodeB: MAX }),
  score('Numeric Lt operator: pod with Lt toleration prefers nodes with matching SLA taint', [{ key: 'node.kubernetes.io/sla', operator: 'Lt', value: '800', effect: PNS }], [['nodeA', [{ key: 'node.kubernetes.io/sla', value: '950', effect: PNS }]], ['nodeB', [{ key: 'node.kubernetes.io/sla', value: '700', effect: PNS }]]], { nodeA: 0, nodeB: MAX }),
  score('Score ignores parse errors from numeric PreferNoSchedule taint value', [{ key: 'node.kubernetes.io/sla', operator: 'Gt', value: '950', effect: PNS }], [['nodeA', []], ['nodeB', [{ key: 'node.kubernetes.io/sla', value: 'high', effect: PNS }]]], { nodeA: MAX, nodeB: 0 }),

  filter('A pod having no tolerations can\'t be scheduled onto a node with nonempty taints', [], [{ key: 'dedicated', value: 'user1', effect: 'NoSchedule' }], false),
  filter('A pod which can be scheduled on a dedicated node assigned to user1 with effect NoSchedule', [{ key: 'dedicated', value: 'user1', effect: 'NoSchedule' }], [{ key: 'dedicated', value: 'user1', effect: 'NoSchedule' }], true),
  filter('A pod which can\'t be scheduled on a dedicated node assigned to user2 with effect NoSchedule', [{ key: 'dedicated', operator: 'Equal', value: 'user2', effect: 'NoSchedule' }], [{ key: 'dedicated', value: 'user1', effect: 'NoSchedule' }], false),
  filter('A pod can be scheduled onto the node, with a toleration uses operator Exists that tolerates the taints on the node', [{ key: 'foo', operator: 'Exists', effect: 'NoSchedule' }], [{ key: 'foo', value: 'bar', effect: 'NoSchedule' }], true),
  filter(
    'A pod has multiple tolerations, node has multiple taints, all the taints are tolerated, pod can be scheduled onto the node',
    [{ key: 'dedicated', operator: 'Equal', value: 'user2', effect: 'NoSchedule' }, { key: 'foo', operator: 'Exists', effect: 'NoSchedule' }],
    [{ key: 'dedicated', value: 'user2', effect: 'NoSchedule' }, { key: 'foo', value: 'bar', effect: 'NoSchedule' }],
    true,
  ),
  filter("A pod has a toleration that keys and values match the taint on the node, but (non-empty) effect doesn't match, can't be scheduled onto the node", [{ key: 'foo', operator: 'Equal', value: 'bar', effect: PNS }], [{ key: 'foo', value: 'bar', effect: 'NoSchedule' }], false),
  filter('The pod has a toleration that keys and values match the taint on the node, the effect of toleration is empty, and the effect of taint is NoSchedule. Pod can be scheduled onto the node', [{ key: 'foo', operator: 'Equal', value: 'bar' }], [{ key: 'foo', value: 'bar', effect: 'NoSchedule' }], true),
  filter("The pod has a toleration that key and value don't match the taint on the node, but the effect of taint on node is PreferNoSchedule. Pod can be scheduled onto the node", [{ key: 'dedicated', operator: 'Equal', value: 'user2', effect: 'NoSchedule' }], [{ key: 'dedicated', value: 'user1', effect: PNS }], true),
  filter('The pod has no toleration, but the effect of taint on node is PreferNoSchedule. Pod can be scheduled onto the node', [], [{ key: 'dedicated', value: 'user1', effect: PNS }], true),
  filter('Pod with Gt toleration cannot be scheduled on node when taint value is lower than threshold', [{ key: 'node.example.com/priority-level', operator: 'Gt', value: '950', effect: 'NoSchedule' }], [{ key: 'node.example.com/priority-level', value: '800', effect: 'NoSchedule' }], false),
  filter('Pod with Gt toleration can be scheduled on node when taint value is higher than threshold', [{ key: 'node.kubernetes.io/sla', operator: 'Gt', value: '750', effect: 'NoSchedule' }], [{ key: 'node.kubernetes.io/sla', value: '950', effect: 'NoSchedule' }], true),
  filter('Pod with Lt toleration cannot be scheduled on node when taint value is higher than threshold', [{ key: 'node.example.com/priority-level', operator: 'Lt', value: '800', effect: 'NoSchedule' }], [{ key: 'node.example.com/priority-level', value: '950', effect: 'NoSchedule' }], false),
];
