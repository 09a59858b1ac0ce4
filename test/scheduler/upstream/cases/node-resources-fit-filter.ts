/**
 * pkg/scheduler/framework/plugins/noderesources/fit_test.go, TestEnoughRequests: the node has
 * allocatable cpu 10m, memory 20, pods 32, example.com/aaa 5, ephemeral-storage 20, hugepages-2Mi 5
 * and holds one pod using `used`; the pod under test asks for `want` (one container per entry).
 * Status codes as the current fit_test.go asserts them: a request above the node's allocatable
 * (not just above what is left) is UnschedulableAndUnresolvable.
 */
import { node, pod, type FilterWant, type UpstreamCase } from '../harness.js';

const A = 'example.com/aaa';
const B = 'example.com/bbb';
type R = { cpu?: number; mem?: number; [k: string]: number | undefined };
const toReq = (r: R): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(r)) {
    if (v === undefined) continue;
    if (k === 'cpu') out.cpu = `${v}m`;
    else if (k === 'mem') out.memory = String(v);
    else out[k] = String(v);
  }
  return out;
};
const T = 'TestEnoughRequests';
const fits = (name: string, want: R[], used: R, result: FilterWant, o: { upstream?: string; args?: unknown; pods?: number; init?: R[]; overhead?: R } = {}): UpstreamCase => ({
  upstream: o.upstream ?? T,
  name,
  plugin: 'NodeResourcesFit',
  ...(o.args ? { args: o.args } : {}),
  snapshot: {
    nodes: [node('node', { capacity: o.pods === 1 ? { cpu: '10m', memory: 20, pods: 1 } : { cpu: '10m', memory: 20, pods: 32, [A]: 5, 'ephemeral-storage': 20, 'hugepages-2Mi': 5 } })],
    pods: [pod('existing', { containers: [toReq(used)] }, 'node')],
    pending: pod('p', {
      containers: want.map(toReq),
      ...(o.init ? { initContainers: o.init.map((r) => ({ requests: toReq(r) })) } : {}),
      ...(o.overhead ? { overhead: toReq(o.overhead) } : {}),
    }),
  },
  filter: { node: result },
});
/** upstream's newResourceInitPod(newResourcePod(want...), init...): `init` are init containers. */
const init = (name: string, want: R[], initReqs: R[], used: R, result: FilterWant, o: { upstream?: string; pods?: number } = {}): UpstreamCase =>
  fits(name, want, used, result, { ...o, init: initReqs });
const K8S_A = 'kubernetes.io/something';
const K8S_B = 'subdomain.kubernetes.io/something';
const HP = 'hugepages-2Mi';
const TOO_MANY: FilterWant = ['Unschedulable', 'Too many pods'];
const no = (r: string): FilterWant => ['Unschedulable', `Insufficient ${r}`];
/** The request exceeds the node's allocatable outright: upstream's fitsRequest marks it Unresolvable (no eviction helps). */
const beyond = (r: string): FilterWant => ['UnschedulableAndUnresolvable', `Insufficient ${r}`];

export const CASES: readonly UpstreamCase[] = [
  fits('no resources requested always fits', [], { cpu: 10, mem: 20 }, 'ok'),
  fits('too many resources fails', [{ cpu: 1, mem: 1 }], { cpu: 10, mem: 20 }, no('cpu')),
  init('too many resources fails due to init container cpu', [{ cpu: 1, mem: 1 }], [{ cpu: 3, mem: 1 }], { cpu: 8, mem: 19 }, no('cpu')),
  init('too many resources fails due to highest init container cpu', [{ cpu: 1, mem: 1 }], [{ cpu: 3, mem: 1 }, { cpu: 2, mem: 1 }], { cpu: 8, mem: 19 }, no('cpu')),
  init('too many resources fails due to init container memory', [{ cpu: 1, mem: 1 }], [{ cpu: 1, mem: 3 }], { cpu: 9, mem: 19 }, no('memory')),
  init('too many resources fails due to highest init container memory', [{ cpu: 1, mem: 1 }], [{ cpu: 1, mem: 3 }, { cpu: 1, mem: 2 }], { cpu: 9, mem: 19 }, no('memory')),
  init("init container fits because it's the max, not sum, of containers and init containers", [{ cpu: 1, mem: 1 }], [{ cpu: 1, mem: 1 }], { cpu: 9, mem: 19 }, 'ok'),
  init("multiple init containers fit because it's the max, not sum, of containers and init containers", [{ cpu: 1, mem: 1 }], [{ cpu: 1, mem: 1 }, { cpu: 1, mem: 1 }], { cpu: 9, mem: 19 }, 'ok'),
  fits('both resources fit', [{ cpu: 1, mem: 1 }], { cpu: 5, mem: 5 }, 'ok'),
  fits('one resource memory fits', [{ cpu: 2, mem: 1 }], { cpu: 9, mem: 5 }, no('cpu')),
  fits('one resource cpu fits', [{ cpu: 1, mem: 2 }], { cpu: 5, mem: 19 }, no('memory')),
  fits('equal edge case', [{ cpu: 5, mem: 1 }], { cpu: 5, mem: 19 }, 'ok'),
  init('equal edge case for init container', [{ cpu: 4, mem: 1 }], [{ cpu: 5, mem: 1 }], { cpu: 5, mem: 19 }, 'ok'),
  fits('extended resource fits', [{ [A]: 1 }], {}, 'ok'),
  init('extended resource fits for init container', [{}], [{ [A]: 1 }], {}, 'ok'),
  fits('extended resource capacity enforced', [{ cpu: 1, mem: 1, [A]: 10 }], { cpu: 0, mem: 0, [A]: 0 }, beyond(A)),
  init('extended resource capacity enforced for init container', [{}], [{ cpu: 1, mem: 1, [A]: 10 }], { cpu: 0, mem: 0, [A]: 0 }, beyond(A)),
  fits('extended resource allocatable enforced', [{ cpu: 1, mem: 1, [A]: 1 }], { cpu: 0, mem: 0, [A]: 5 }, no(A)),
  init('extended resource allocatable enforced for init container', [{}], [{ cpu: 1, mem: 1, [A]: 1 }], { cpu: 0, mem: 0, [A]: 5 }, no(A)),
  fits('extended resource allocatable enforced for multiple containers', [{ cpu: 1, mem: 1, [A]: 3 }, { cpu: 1, mem: 1, [A]: 3 }], { cpu: 0, mem: 0, [A]: 2 }, beyond(A)),
  init('extended resource allocatable admits multiple init containers', [{}], [{ cpu: 1, mem: 1, [A]: 3 }, { cpu: 1, mem: 1, [A]: 3 }], { cpu: 0, mem: 0, [A]: 2 }, 'ok'),
  init('extended resource allocatable enforced for multiple init containers', [{}], [{ cpu: 1, mem: 1, [A]: 6 }, { cpu: 1, mem: 1, [A]: 3 }], { cpu: 0, mem: 0, [A]: 2 }, beyond(A)),
  fits('extended resource allocatable enforced for unknown resource', [{ cpu: 1, mem: 1, [B]: 1 }], { cpu: 0, mem: 0 }, beyond(B)),
  init('extended resource allocatable enforced for unknown resource for init container', [{}], [{ cpu: 1, mem: 1, [B]: 1 }], { cpu: 0, mem: 0 }, beyond(B)),
  fits('kubernetes.io resource capacity enforced', [{ cpu: 1, mem: 1, [K8S_A]: 10 }], { cpu: 0, mem: 0 }, beyond(K8S_A)),
  init('kubernetes.io resource capacity enforced for init container', [{}], [{ cpu: 1, mem: 1, [K8S_B]: 10 }], { cpu: 0, mem: 0 }, beyond(K8S_B)),
  fits('hugepages resource capacity enforced', [{ cpu: 1, mem: 1, [HP]: 10 }], { cpu: 0, mem: 0, [HP]: 0 }, beyond(HP)),
  init('hugepages resource capacity enforced for init container', [{}], [{ cpu: 1, mem: 1, [HP]: 10 }], { cpu: 0, mem: 0, [HP]: 0 }, beyond(HP)),
  fits('hugepages resource allocatable enforced for multiple containers', [{ cpu: 1, mem: 1, [HP]: 3 }, { cpu: 1, mem: 1, [HP]: 3 }], { cpu: 0, mem: 0, [HP]: 2 }, beyond(HP)),
  fits('skip checking ignored extended resource', [{ cpu: 1, mem: 1, [B]: 1 }], { cpu: 0, mem: 0 }, 'ok', { args: { ignoredResources: [B] } }),
  fits('skip checking ignored extended resource via resource groups', [{ cpu: 1, mem: 1, [B]: 1, [K8S_A]: 1 }], { cpu: 0, mem: 0 }, beyond(K8S_A), { args: { ignoredResourceGroups: ['example.com'] } }),
  fits('resources + pod overhead fits', [{ cpu: 1, mem: 1 }], { cpu: 5, mem: 5 }, 'ok', { overhead: { cpu: 3, mem: 13 } }),
  fits('requests + overhead does not fit for memory', [{ cpu: 1, mem: 1 }], { cpu: 5, mem: 5 }, no('memory'), { overhead: { cpu: 1, mem: 15 } }),
  // TestNotEnoughRequests: the node takes 1 pod and already holds one.
  fits("even without specified resources predicate fails when there's no space for additional pod", [], { cpu: 10, mem: 20 }, TOO_MANY, { upstream: 'TestNotEnoughRequests', pods: 1 }),
  fits("even if both resources fit predicate fails when there's no space for additional pod", [{ cpu: 1, mem: 1 }], { cpu: 5, mem: 5 }, TOO_MANY, { upstream: 'TestNotEnoughRequests', pods: 1 }),
  fits("even for equal edge case predicate fails when there's no space for additional pod", [{ cpu: 5, mem: 1 }], { cpu: 5, mem: 19 }, TOO_MANY, { upstream: 'TestNotEnoughRequests', pods: 1 }),
  init("even for equal edge case predicate fails when there's no space for additional pod due to init container", [{ cpu: 5, mem: 1 }], [{ cpu: 5, mem: 1 }], { cpu: 5, mem: 19 }, TOO_MANY, { upstream: 'TestNotEnoughRequests', pods: 1 }),
  fits('due to container scratch disk', [{ cpu: 1, mem: 1 }], { cpu: 10, mem: 10 }, no('cpu'), { upstream: 'TestStorageRequests' }),
  fits('pod fit', [{ cpu: 1, mem: 1 }], { cpu: 2, mem: 10 }, 'ok', { upstream: 'TestStorageRequests' }),
  fits('storage ephemeral local storage request exceeds allocatable', [{ 'ephemeral-storage': 25 }], { cpu: 2, mem: 2 }, beyond('ephemeral-storage'), { upstream: 'TestStorageRequests' }),
  fits('pod fits', [{ 'ephemeral-storage': 10 }], { cpu: 2, mem: 2 }, 'ok', { upstream: 'TestStorageRequests' }),
];
