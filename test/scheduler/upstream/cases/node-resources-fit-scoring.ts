/**
 * pkg/scheduler/framework/plugins/noderesources/least_allocated_test.go, most_allocated_test.go:
 * NodeResourcesFit's Score with the LeastAllocated / MostAllocated strategies. Quantities as
 * upstream writes them ("4000" cpu is 4000 cores, "10000" memory 10000 bytes); pods without
 * containers request nothing, Req(...) adds a container.
 */
import { MAX, node, pod, type UpstreamCase } from '../harness.js';

const EXT = 'example.com/extended-res';
type Res = Array<{ name: string; weight: number }>;
const DEFAULT: Res = [{ name: 'cpu', weight: 1 }, { name: 'memory', weight: 1 }];
const EXTENDED: Res = [...DEFAULT, { name: EXT, weight: 1 }];
const n = (name: string, cpu: string, memory: string, ext?: string) => node(name, { capacity: { cpu, memory, ...(ext ? { [EXT]: ext } : {}) } });
const req = (...cs: Array<Record<string, string>>) => ({ containers: cs });
const two = req({ cpu: '1000', memory: '2000' }, { cpu: '2000', memory: '3000' });

function strategy(upstream: string, type: string) {
  return (name: string, o: { nodes: unknown[]; pending?: unknown; pods?: unknown[]; resources?: Res | null; score?: Record<string, number>; argsError?: string }): UpstreamCase => ({
    upstream,
    name,
    plugin: 'NodeResourcesFit',
    args: { scoringStrategy: { type, resources: o.resources === undefined ? DEFAULT : o.resources === null ? [] : o.resources } },
    snapshot: { nodes: o.nodes, pending: o.pending ?? pod('p'), ...(o.pods ? { pods: o.pods } : {}) },
    ...(o.score ? { score: o.score } : {}),
    ...(o.argsError ? { argsError: o.argsError } : {}),
  });
}
const least = strategy('TestLeastAllocatedScoringStrategy', 'LeastAllocated');
const most = strategy('TestMostAllocatedScoringStrategy', 'MostAllocated');
const bound = (name: string, on: string, r: Record<string, string>) => pod(name, req(r), on);

export const CASES: readonly UpstreamCase[] = [
  least('nothing scheduled, nothing requested', { nodes: [n('node1', '4000', '10000'), n('node2', '4000', '10000')], score: { node1: MAX, node2: MAX } }),
  // cpu (4000-3000)·100/4000 = 25, memory (10000-5000)·100/10000 = 50 → 37; node2: 50, 50 → 50
  least('nothing scheduled, resources requested, differently sized nodes', { nodes: [n('node1', '4000', '10000'), n('node2', '6000', '10000')], pending: pod('p', two), score: { node1: 37, node2: 50 } }),
  {
    upstream: 'TestLeastAllocatedScoringStrategy',
    name: 'Resources not set, pods scheduled with error',
    plugin: 'NodeResourcesFit',
    notExpressible: 'an empty scoringStrategy.resources list is rejected as bad input when the profile loads (upstream accepts it and fails every Score with an Error status)',
  },
  least('no resources requested, pods scheduled', { nodes: [n('node1', '4000', '10000'), n('node2', '4000', '10000')], pods: [pod('e1', {}, 'node1'), pod('e2', {}, 'node1'), pod('e3', {}, 'node2'), pod('e4', {}, 'node2')], score: { node1: MAX, node2: MAX } }),
  // node1 cpu (10000-6000)/10000 = 40, memory 100 → 70; node2 40, 75 → 57
  least('no resources requested, pods scheduled with resources', {
    nodes: [n('node1', '10000', '20000'), n('node2', '10000', '20000')],
    pods: [bound('e1', 'node1', { cpu: '3000', memory: '0' }), bound('e2', 'node1', { cpu: '3000', memory: '0' }), bound('e3', 'node2', { cpu: '3000', memory: '0' }), bound('e4', 'node2', { cpu: '3000', memory: '5000' })],
    score: { node1: 70, node2: 57 },
  }),
  least('resources requested, pods scheduled with resources', {
    nodes: [n('node1', '10000', '20000'), n('node2', '10000', '20000')],
    pending: pod('p', two),
    pods: [bound('e1', 'node1', { cpu: '3000', memory: '0' }), bound('e2', 'node2', { cpu: '3000', memory: '5000' })],
    score: { node1: 57, node2: 45 },
  }),
  least('resources requested, pods scheduled with resources, differently sized nodes', {
    nodes: [n('node1', '10000', '20000'), n('node2', '10000', '50000')],
    pending: pod('p', two),
    pods: [bound('e1', 'node1', { cpu: '3000', memory: '0' }), bound('e2', 'node2', { cpu: '3000', memory: '5000' })],
    score: { node1: 57, node2: 60 },
  }),
  least('requested resources exceed node capacity', {
    nodes: [n('node1', '4000', '10000'), n('node2', '4000', '10000')],
    pending: pod('p', req({ cpu: '3000', memory: '0' })),
    pods: [bound('e1', 'node1', { cpu: '3000', memory: '0' }), bound('e2', 'node2', { cpu: '3000', memory: '5000' })],
    score: { node1: 50, node2: 25 },
  }),
  least('zero node resources, pods scheduled with resources', {
    nodes: [node('node1'), node('node2')],
    pods: [bound('e1', 'node1', { cpu: '3000', memory: '0' }), bound('e2', 'node2', { cpu: '3000', memory: '5000' })],
    score: { node1: 0, node2: 0 },
  }),
  // (25·1 + 50·2)/3 = 41; (50 + 100)/3 = 50
  least('nothing scheduled, resources requested with different weight on CPU and memory, differently sized nodes', { nodes: [n('node1', '4000', '10000'), n('node2', '6000', '10000')], pending: pod('p', two), resources: [{ name: 'memory', weight: 2 }, { name: 'cpu', weight: 1 }], score: { node1: 41, node2: 50 } }),
  least('resource with negative weight', { nodes: [n('node1', '4000', '10000')], resources: [{ name: 'memory', weight: -1 }, { name: 'cpu', weight: 1 }], argsError: 'scoringStrategy.resources[0].weight' }),
  least('resource with zero weight', { nodes: [n('node1', '4000', '10000')], resources: [{ name: 'memory', weight: 1 }, { name: 'cpu', weight: 0 }], argsError: 'scoringStrategy.resources[1].weight' }),
  least('resource weight larger than MaxNodeScore', { nodes: [n('node1', '4000', '10000')], resources: [{ name: 'memory', weight: 1 }, { name: 'cpu', weight: 101 }], argsError: 'scoringStrategy.resources[1].weight' }),
  least('bypass extended resource if the pod does not request', { nodes: [n('node1', '6000', '10000'), n('node2', '6000', '10000', '4')], pending: pod('p', two), resources: EXTENDED, score: { node1: 50, node2: 50 } }),
  // extended: node1 (4-2)/4 = 50, node2 (10-2)/10 = 80 → (50+50+50)/3 = 50, (50+50+80)/3 = 60
  least('honor extended resource if the pod requests', { nodes: [n('node1', '6000', '10000', '4'), n('node2', '6000', '10000', '10')], pending: pod('p', req({ cpu: '3000', memory: '5000', [EXT]: '2' })), resources: EXTENDED, score: { node1: 50, node2: 60 } }),
  least("if the node doesn't have a resource", { nodes: [n('node1', '6000', '10000'), n('node2', '6000', '10000', '4')], pending: pod('p', req({ cpu: '3000', memory: '4000' })), resources: [{ name: EXT, weight: 2 }, ...DEFAULT], score: { node1: 55, node2: 55 } }),

  most('nothing scheduled, nothing requested', { nodes: [n('node1', '4000', '10000'), n('node2', '4000', '10000')], score: { node1: 0, node2: 0 } }),
  most('nothing scheduled, resources requested, differently sized nodes', { nodes: [n('node1', '4000', '10000'), n('node2', '6000', '10000')], pending: pod('p', two), score: { node1: 62, node2: 50 } }),
  {
    upstream: 'TestMostAllocatedScoringStrategy',
    name: 'Resources not set, pods scheduled with error',
    plugin: 'NodeResourcesFit',
    notExpressible: 'an empty scoringStrategy.resources list is rejected as bad input when the profile loads (upstream accepts it and fails every Score with an Error status)',
  },
  most('no resources requested, pods scheduled with resources', {
    nodes: [n('node1', '10000', '20000'), n('node2', '10000', '20000')],
    pods: [bound('e1', 'node1', { cpu: '3000', memory: '0' }), bound('e2', 'node1', { cpu: '3000', memory: '0' }), bound('e3', 'node2', { cpu: '3000', memory: '0' }), bound('e4', 'node2', { cpu: '3000', memory: '5000' })],
    score: { node1: 30, node2: 42 },
  }),
  most('resources requested, pods scheduled with resources', {
    nodes: [n('node1', '10000', '20000'), n('node2', '10000', '20000')],
    pending: pod('p', two),
    pods: [bound('e1', 'node1', { cpu: '3000', memory: '0' }), bound('e2', 'node2', { cpu: '3000', memory: '5000' })],
    score: { node1: 42, node2: 55 },
  }),
  most('resources requested equal node capacity', { nodes: [n('node1', '5000', '10000'), n('node2', '10000', '9000')], pending: pod('p', req({ cpu: '2000', memory: '4000' }, { cpu: '3000', memory: '5000' })), score: { node1: 95, node2: 75 } }),
  { ...most('nothing scheduled, resources requested, differently sized nodes', { nodes: [n('node1', '4000', '10000'), n('node2', '6000', '10000')], pending: pod('p', two), resources: [{ name: 'memory', weight: 2 }, { name: 'cpu', weight: 1 }], score: { node1: 58, node2: 50 } }), name: 'nothing scheduled, resources requested, differently sized nodes (memory weight 2, cpu weight 1)' },
  // Containers without requests count 100m and 200Mi each: node1 cpu 300m/250m → 100%, memory 600Mi/1000Mi → 60% → 80; node2 40%, 20% → 30
  most('no resources requested, pods scheduled, nonzero request for resource', {
    nodes: [n('node1', '250m', '1000Mi'), n('node2', '250m', '1000Mi')],
    pending: pod('p', req({})),
    pods: [pod('e1', req({}), 'node1'), pod('e2', req({}), 'node1')],
    score: { node1: 80, node2: 30 },
  }),
  most('resource with negative weight', { nodes: [n('node2', '4000', '10000')], resources: [{ name: 'memory', weight: -1 }, { name: 'cpu', weight: 1 }], argsError: 'scoringStrategy.resources[0].weight' }),
  most('resource with zero weight', { nodes: [n('node2', '4000', '10000')], resources: [{ name: 'memory', weight: 1 }, { name: 'cpu', weight: 0 }], argsError: 'scoringStrategy.resources[1].weight' }),
  most('resource weight larger than MaxNodeScore', { nodes: [n('node2', '4000', '10000')], resources: [{ name: 'memory', weight: 101 }], argsError: 'scoringStrategy.resources[0].weight' }),
  most('bypass extended resource if the pod does not request', { nodes: [n('node1', '6000', '10000'), n('node2', '6000', '10000', '4')], pending: pod('p', two), resources: EXTENDED, score: { node1: 50, node2: 50 } }),
  most('honor extended resource if the pod request', { nodes: [n('node1', '6000', '10000', '4'), n('node2', '6000', '10000', '10')], pending: pod('p', req({ cpu: '3000', memory: '5000', [EXT]: '2' })), resources: EXTENDED, score: { node1: 50, node2: 40 } }),
  most("if the node doesn't have a resource", { nodes: [n('node1', '6000', '10000'), n('node2', '6000', '10000', '4')], pending: pod('p', req({ cpu: '3000', memory: '4000' })), resources: [{ name: EXT, weight: 2 }, ...DEFAULT], score: { node1: 45, node2: 45 } }),
];
