/** pkg/scheduler/framework/plugins/nodeaffinity/node_affinity_test.go */
import { MAX, node, pod, type FilterWant, type UpstreamCase } from '../harness.js';

const POD = "node(s) didn't match Pod's node affinity/selector";
const ENFORCED = "node(s) didn't match scheduler-enforced node affinity";
const NO: FilterWant = ['UnschedulableAndUnresolvable', POD];
type Req = { key: string; operator: string; values?: string[] };
type Term = { matchExpressions?: Req[]; matchFields?: Req[] };
const required = (...nodeSelectorTerms: Term[]) => ({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms } } } });
const name = (v: string): Req => ({ key: 'metadata.name', operator: 'In', values: [v] });
const T = 'TestNodeAffinity';

/** One node (`nodeName`, default "node", with `labels`) and the pod: upstream's Filter table. */
function f(caseName: string, podB: Record<string, unknown>, labels: Record<string, string> | undefined, want: FilterWant, o: { nodeName?: string; args?: unknown } = {}): UpstreamCase {
  const nn = o.nodeName ?? 'node';
  return {
    upstream: T,
    name: caseName,
    plugin: 'NodeAffinity',
    ...(o.args ? { args: o.args } : {}),
    snapshot: { hostnameLabels: false, nodes: [node(nn, labels ? { labels } : {})], pending: pod('p', podB) },
    filter: { [nn]: want },
  };
}

const affinity1 = { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 2, preference: { matchExpressions: [{ key: 'foo', operator: 'In', values: ['bar'] }] } }] } };
const affinity2 = {
  nodeAffinity: {
    preferredDuringSchedulingIgnoredDuringExecution: [
      { weight: 2, preference: { matchExpressions: [{ key: 'foo', operator: 'In', values: ['bar'] }] } },
      { weight: 4, preference: { matchExpressions: [{ key: 'key', operator: 'In', values: ['value'] }] } },
      { weight: 5, preference: { matchExpressions: [{ key: 'foo', operator: 'In', values: ['bar'] }, { key: 'key', operator: 'In', values: ['value'] }, { key: 'az', operator: 'In', values: ['az1'] }] } },
    ],
  },
};
const label1 = { foo: 'bar' };
const label2 = { key: 'value' };
const label3 = { az: 'az1' };
const label4 = { abc: 'az11', def: 'az22' };
const label5 = { foo: 'bar', key: 'value', az: 'az1' };
function s(caseName: string, podB: Record<string, unknown>, nodes: Array<[string, Record<string, string>]>, score: Record<string, number>, args?: unknown): UpstreamCase {
  return {
    upstream: 'TestNodeAffinityPriority',
    name: caseName,
    plugin: 'NodeAffinity',
    ...(args ? { args } : {}),
    snapshot: { hostnameLabels: false, nodes: nodes.map(([n, labels]) => node(n, { labels })), pending: pod('p', podB) },
    score,
  };
}

export const CASES: readonly UpstreamCase[] = [
  f('missing labels', { nodeSelector: { foo: 'bar' } }, undefined, NO),
  f('same labels', { nodeSelector: { foo: 'bar' } }, { foo: 'bar' }, 'ok'),
  f('node labels are superset', { nodeSelector: { foo: 'bar' } }, { foo: 'bar', baz: 'blah' }, 'ok'),
  f('node labels are subset', { nodeSelector: { foo: 'bar', baz: 'blah' } }, { foo: 'bar' }, NO),
  f('Pod with matchExpressions using In operator that matches the existing node', required({ matchExpressions: [{ key: 'foo', operator: 'In', values: ['bar', 'value2'] }] }), { foo: 'bar' }, 'ok'),
  f('Pod with matchExpressions using Gt operator that matches the existing node', required({ matchExpressions: [{ key: 'kernel-version', operator: 'Gt', values: ['0204'] }] }), { 'kernel-version': '0206' }, 'ok'),
  f('Pod with matchExpressions using NotIn operator that matches the existing node', required({ matchExpressions: [{ key: 'mem-type', operator: 'NotIn', values: ['DDR', 'DDR2'] }] }), { 'mem-type': 'DDR3' }, 'ok'),
  f('Pod with matchExpressions using Exists operator that matches the existing node', required({ matchExpressions: [{ key: 'GPU', operator: 'Exists' }] }), { GPU: 'NVIDIA-GRID-K1' }, 'ok'),
  f("Pod with affinity that don't match node's labels won't schedule onto the node", required({ matchExpressions: [{ key: 'foo', operator: 'In', values: ['value1', 'value2'] }] }), { foo: 'bar' }, NO),
  f('Pod with empty MatchExpressions is not a valid value will match no objects and won\'t schedule onto the node', required({ matchExpressions: [] }), { foo: 'bar' }, NO),
  // PreFilter skips: the Filter then lets every node through.
  f('Pod with no Affinity will schedule onto a node', {}, { foo: 'bar' }, 'ok'),
  f('Pod with Affinity but nil NodeSelector will schedule onto a node', { affinity: { nodeAffinity: {} } }, { foo: 'bar' }, 'ok'),
  f('Pod with multiple matchExpressions ANDed that matches the existing node', required({ matchExpressions: [{ key: 'GPU', operator: 'Exists' }, { key: 'GPU', operator: 'NotIn', values: ['AMD', 'INTER'] }] }), { GPU: 'NVIDIA-GRID-K1' }, 'ok'),
  f("Pod with multiple matchExpressions ANDed that doesn't match the existing node", required({ matchExpressions: [{ key: 'GPU', operator: 'Exists' }, { key: 'GPU', operator: 'In', values: ['AMD', 'INTER'] }] }), { GPU: 'NVIDIA-GRID-K1' }, NO),
  f(
    "Pod with multiple NodeSelectorTerms ORed in affinity, matches the node's labels and will schedule onto the node",
    required({ matchExpressions: [{ key: 'foo', operator: 'In', values: ['bar', 'value2'] }] }, { matchExpressions: [{ key: 'diffkey', operator: 'In', values: ['wrong', 'value2'] }] }),
    { foo: 'bar' },
    'ok',
  ),
  f('Pod with an Affinity and a PodSpec.NodeSelector(the old thing that we are deprecating) both are satisfied, will schedule onto the node', { nodeSelector: { foo: 'bar' }, ...required({ matchExpressions: [{ key: 'foo', operator: 'Exists' }] }) }, { foo: 'bar' }, 'ok'),
  f("Pod with an Affinity matches node's labels but the PodSpec.NodeSelector(the old thing that we are deprecating) is not satisfied, won't schedule onto the node", { nodeSelector: { foo: 'bar' }, ...required({ matchExpressions: [{ key: 'foo', operator: 'Exists' }] }) }, { foo: 'barrrrrr' }, NO),
  f("Pod with an invalid value in Affinity term won't be scheduled onto the node", required({ matchExpressions: [{ key: 'foo', operator: 'NotIn', values: ['invalid value: ___@#$%^'] }] }), { foo: 'bar' }, NO),
  f('Pod with matchFields using In operator that matches the existing node', required({ matchFields: [name('node1')] }), undefined, 'ok', { nodeName: 'node1' }),
  f('Pod with matchFields using In operator that does not match the existing node', required({ matchFields: [name('node1')] }), undefined, NO, { nodeName: 'node2' }),
  f('Pod with two terms: matchFields does not match, but matchExpressions matches', required({ matchFields: [name('node1'), name('node2')] }, { matchExpressions: [{ key: 'foo', operator: 'In', values: ['bar'] }] }), { foo: 'bar' }, 'ok', { nodeName: 'node2' }),
  f('Pod with one term: matchFields does not match, but matchExpressions matches', required({ matchFields: [name('node1')], matchExpressions: [{ key: 'foo', operator: 'In', values: ['bar'] }] }), { foo: 'bar' }, NO, { nodeName: 'node2' }),
  f('Pod with one term: both matchFields and matchExpressions match', required({ matchFields: [name('node1')], matchExpressions: [{ key: 'foo', operator: 'In', values: ['bar'] }] }), { foo: 'bar' }, 'ok', { nodeName: 'node1' }),
  f('Pod with two terms: both matchFields and matchExpressions do not match', required({ matchFields: [name('node1')] }, { matchExpressions: [{ key: 'foo', operator: 'In', values: ['not-match-to-bar'] }] }), { foo: 'bar' }, NO, { nodeName: 'node2' }),
  f('Pod with two terms of node.Name affinity', required({ matchFields: [name('node1')] }, { matchFields: [name('node2')] }), undefined, 'ok', { nodeName: 'node2' }),
  // Upstream's PreFilter already answers "pod affinity terms conflict"; Slipway's Filter gives the node's verdict (the same rejection).
  f('Pod with two conflicting mach field requirements', required({ matchFields: [name('node1'), name('node2')] }), { foo: 'bar' }, NO, { nodeName: 'node2' }),
  f("Matches added affinity and Pod's node affinity", required({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['foo'] }] }), { zone: 'foo' }, 'ok', {
    nodeName: 'node2',
    args: { addedAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [name('node2')] }] } } },
  }),
  f("Matches added affinity but not Pod's node affinity", required({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['bar'] }] }), { zone: 'foo' }, NO, {
    nodeName: 'node2',
    args: { addedAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [name('node2')] }] } } },
  }),
  f("Doesn't match added affinity", {}, { zone: 'foo' }, ['UnschedulableAndUnresolvable', ENFORCED], {
    nodeName: 'node2',
    args: { addedAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['bar'] }] }] } } },
  }),
  f('Matches node selector correctly even if PreFilter is not called', { nodeSelector: { foo: 'bar' } }, { foo: 'bar', baz: 'blah' }, 'ok'),
  f('Matches node affinity correctly even if PreFilter is not called', required({ matchExpressions: [{ key: 'GPU', operator: 'Exists' }, { key: 'GPU', operator: 'NotIn', values: ['AMD', 'INTER'] }] }), { GPU: 'NVIDIA-GRID-K1' }, 'ok'),

  s('all nodes are same priority as NodeAffinity is nil', {}, [['node1', label1], ['node2', label2], ['node3', label3]], { node1: 0, node2: 0, node3: 0 }),
  s("no node matches preferred scheduling requirements in NodeAffinity of pod so all nodes' priority is zero", { affinity: affinity1 }, [['node1', label4], ['node2', label2], ['node3', label3]], { node1: 0, node2: 0, node3: 0 }),
  s('only node1 matches the preferred scheduling requirements of pod', { affinity: affinity1 }, [['node1', label1], ['node2', label2], ['node3', label3]], { node1: MAX, node2: 0, node3: 0 }),
  // node1 2, node5 2+4+5 = 11, node2 4: ⌊100·2/11⌋ = 18, 100, ⌊100·4/11⌋ = 36
  s('all nodes matches the preferred scheduling requirements of pod but with different priorities ', { affinity: affinity2 }, [['node1', label1], ['node5', label5], ['node2', label2]], { node1: 18, node5: MAX, node2: 36 }),
  s('added affinity', {}, [['node1', label1], ['node2', label2]], { node1: MAX, node2: 0 }, { addedAffinity: affinity1.nodeAffinity }),
  s('added affinity and pod has default affinity', { affinity: affinity1 }, [['node1', label1], ['node2', label2], ['node3', label5]], { node1: 40, node2: 60, node3: MAX }, {
    addedAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 3, preference: { matchExpressions: [{ key: 'key', operator: 'In', values: ['value'] }] } }] },
  }),
  s('calculate the priorities correctly even if PreScore is not called', { affinity: affinity2 }, [['node1', label1], ['node5', label5], ['node2', label2]], { node1: 18, node5: MAX, node2: 36 }),
];
