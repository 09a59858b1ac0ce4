/** pkg/scheduler/framework/plugins/nodename/node_name_test.go, nodeunschedulable/node_unschedulable_test.go */
import { node, pod, type UpstreamCase } from '../harness.js';

const NAME = "node(s) didn't match the requested node name";
const CORDONED = 'node(s) were unschedulable';

export const CASES: readonly UpstreamCase[] = [
  { upstream: 'TestNodeName', name: 'no host specified', plugin: 'NodeName', snapshot: { nodes: [node('foo')], pending: pod('p') }, filter: { foo: 'ok' } },
  { upstream: 'TestNodeName', name: 'host matches', plugin: 'NodeName', snapshot: { nodes: [node('foo')], pending: pod('p', { nodeName: 'foo' }) }, filter: { foo: 'ok' } },
  { upstream: 'TestNodeName', name: "host doesn't match", plugin: 'NodeName', snapshot: { nodes: [node('foo')], pending: pod('p', { nodeName: 'bar' }) }, filter: { foo: ['UnschedulableAndUnresolvable', NAME] } },

  { upstream: 'TestNodeUnschedulable', name: 'Does not schedule pod to unschedulable node (node.Spec.Unschedulable==true)', plugin: 'NodeUnschedulable', snapshot: { nodes: [node('n', { unschedulable: true })], pending: pod('p') }, filter: { n: ['UnschedulableAndUnresolvable', CORDONED] } },
  { upstream: 'TestNodeUnschedulable', name: 'Schedule pod to normal node', plugin: 'NodeUnschedulable', snapshot: { nodes: [node('n')], pending: pod('p') }, filter: { n: 'ok' } },
  {
    upstream: 'TestNodeUnschedulable',
    name: 'Schedule pod with toleration to unschedulable node (node.Spec.Unschedulable==true)',
    plugin: 'NodeUnschedulable',
    snapshot: { nodes: [node('n', { unschedulable: true })], pending: pod('p', { tolerations: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] }) },
    filter: { n: 'ok' },
  },
];
