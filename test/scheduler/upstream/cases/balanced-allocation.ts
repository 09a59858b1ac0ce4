/** pkg/scheduler/framework/plugins/noderesources/balanced_allocation_test.go (makeNode: cpu in millicores, memory in bytes). */
import { MAX, node, pod, type UpstreamCase } from '../harness.js';

const GPU = 'nvidia.com/gpu';
const mk = (name: string, milliCpu: number, memory: number, gpus?: number) => node(name, { capacity: { cpu: `${milliCpu}m`, memory, ...(gpus ? { [GPU]: gpus } : {}) } });
const cpuAndMemory = { containers: [{ cpu: '1000m', memory: '2000' }, { cpu: '2000m', memory: '3000' }] };
const cpuOnly = { containers: [{ cpu: '1000m', memory: '0' }, { cpu: '2000m', memory: '0' }] };
const cpuAndMemoryAndGPU = { containers: <Array<Record<string, string>>>[{ cpu: '1000m', memory: '2000' }, { cpu: '2000m', memory: '3000', [GPU]: '3' }] };
const DEFAULT = { resources: [{ name: 'cpu', weight: 1 }, { name: 'memory', weight: 1 }] };
const WITH_GPU = { resources: [...DEFAULT.resources, { name: GPU, weight: 1 }] };
const T = 'TestNodeResourcesBalancedAllocation';
const P = 'NodeResourcesBalancedAllocation';
const usual = [pod('cpu-only', cpuOnly, 'node1'), pod('cpu-and-memory', cpuAndMemory, 'node2')];

export const CASES: readonly UpstreamCase[] = [
  { upstream: T, name: 'nothing scheduled, nothing requested, skip in PreScore', plugin: P, args: DEFAULT, snapshot: { nodes: [mk('node1', 4000, 10000), mk('node2', 4000, 10000)], pending: pod('p') }, preScoreSkip: true },
  // node1 cpu 3000/4000 = .75, memory 5000/10000 = .5 → std .125 → 87; node2 .5, .5 → 100
  { upstream: T, name: 'nothing scheduled, resources requested, differently sized nodes', plugin: P, args: DEFAULT, snapshot: { nodes: [mk('node1', 4000, 10000), mk('node2', 6000, 10000)], pending: pod('p', cpuAndMemory) }, score: { node1: 87, node2: MAX } },
  { upstream: T, name: 'resources requested, pods scheduled with resources', plugin: P, args: DEFAULT, snapshot: { nodes: [mk('node1', 10000, 20000), mk('node2', 10000, 20000)], pods: usual, pending: pod('p', cpuAndMemory) }, score: { node1: 82, node2: 95 } },
  { upstream: T, name: 'resources requested, pods scheduled with resources, differently sized nodes', plugin: P, args: DEFAULT, snapshot: { nodes: [mk('node1', 10000, 20000), mk('node2', 10000, 50000)], pods: usual, pending: pod('p', cpuAndMemory) }, score: { node1: 82, node2: 80 } },
  { upstream: T, name: 'requested resources at node capacity', plugin: P, args: DEFAULT, snapshot: { nodes: [mk('node1', 6000, 10000), mk('node2', 6000, 10000)], pods: usual, pending: pod('p', cpuOnly) }, score: { node1: 50, node2: 75 } },
  {
    upstream: T,
    name: 'include scalar resource on a node for balanced resource allocation',
    plugin: P,
    args: WITH_GPU,
    snapshot: { nodes: [mk('node1', 3500, 40000, 8), mk('node2', 3500, 40000, 8)], pods: [pod('cm', cpuAndMemory, 'node2'), pod('cmg', cpuAndMemoryAndGPU, 'node1')], pending: pod('p', { containers: [{ memory: '0', [GPU]: '1' }] }) },
    score: { node1: 70, node2: 65 },
  },
  { upstream: T, name: 'node without the scalar resource should skip the scalar resource', plugin: P, args: WITH_GPU, snapshot: { nodes: [mk('node1', 3500, 40000, 8), mk('node2', 3500, 40000)], pending: pod('p', cpuAndMemory) }, score: { node1: 63, node2: 63 } },
  // Slipway always runs PreScore before Score; the scores are upstream's either way.
  { upstream: T, name: 'resources requested, pods scheduled with resources if PreScore not called', plugin: P, args: DEFAULT, snapshot: { nodes: [mk('node1', 10000, 20000), mk('node2', 10000, 20000)], pods: usual, pending: pod('p', cpuAndMemory) }, score: { node1: 82, node2: 95 } },
  { upstream: T, name: 'include DRA resource on a node for balanced resource allocation', plugin: P, notExpressible: 'Dynamic Resource Allocation (DeviceClass extended resources backed by ResourceSlices) is not modelled' },
  { upstream: T, name: 'include DRA resource on a node for balanced resource allocation if PreScore not called', plugin: P, notExpressible: 'Dynamic Resource Allocation (DeviceClass extended resources backed by ResourceSlices) is not modelled' },
];
