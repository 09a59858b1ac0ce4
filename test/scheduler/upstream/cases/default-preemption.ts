/**
 * kube-scheduler's TestPickOneNodeForPreemption (pkg/scheduler/core/generic_scheduler_test.go as of
 * v1.19, before preemption moved into the DefaultPreemption plugin's default_preemption_test.go
 * with the same table): NodeResourcesFit is the only filter; every node has 500m cpu and 1000Mi
 * (5 × the 100m/200Mi defaults); small/medium/large/veryLarge containers request 1/2/3/5 × that.
 * Upstream asserts the chosen node (any of `expected`). Start times are days of January 2019.
 */
import { node, pod, type UpstreamCase } from '../harness.js';

const T = 'TestPickOneNodeForPreemption';
const P = 'DefaultPreemption';
const MI = 200 * 1024 * 1024;
const size = (k: number) => [{ cpu: `${100 * k}m`, memory: `${MI * k}` }];
const small = size(1);
const medium = size(2);
const large = size(3);
const veryLarge = size(5);
const NEG = -100;
const LOW = 0;
const MID = 100;
const HIGH = 1000;
const VERY_HIGH = 10000;
const machine = (name: string) => node(name, { capacity: { cpu: '500m', memory: `${5 * MI}` } });
type B = [string, string, ReadonlyArray<Record<string, string>>, number, number?];
/** [name, node, containers, priority, start day (default 1)] */
const bound = (bs: B[]) => bs.map(([name, on, containers, priority, day]) => ({ ...pod(name, { containers, priority }, on), startedAt: (day ?? 1) * 86400 }));
function c(name: string, nodes: string[], pending: { containers: ReadonlyArray<Record<string, string>>; priority: number }, pods: B[], expected: string[]): UpstreamCase {
  return {
    upstream: T,
    name,
    plugin: P,
    snapshot: { nodes: nodes.map(machine), pods: bound(pods), pending: pod('p', { containers: pending.containers, priority: pending.priority }) },
    preempt: { nodes: expected },
  };
}
const m123 = ['machine1', 'machine2', 'machine3'];

export const CASES: readonly UpstreamCase[] = [
  c('No node needs preemption', ['machine1'], { containers: large, priority: HIGH }, [['m1.1', 'machine1', small, MID]], ['machine1']),
  c('a pod that fits on both machines when lower priority pods are preempted', ['machine1', 'machine2'], { containers: large, priority: HIGH }, [['m1.1', 'machine1', large, MID], ['m2.1', 'machine2', large, MID]], ['machine1', 'machine2']),
  c('a pod that fits on a machine with no preemption', m123, { containers: large, priority: HIGH }, [['m1.1', 'machine1', large, MID], ['m2.1', 'machine2', large, MID]], ['machine3']),
  c(
    'machine with min highest priority pod is picked',
    m123,
    { containers: veryLarge, priority: HIGH },
    [['m1.1', 'machine1', medium, MID], ['m1.2', 'machine1', large, MID], ['m2.1', 'machine2', medium, MID], ['m2.2', 'machine2', medium, LOW], ['m3.1', 'machine3', medium, LOW], ['m3.2', 'machine3', medium, LOW]],
    ['machine3'],
  ),
  c(
    'when highest priorities are the same, minimum sum of priorities is picked',
    m123,
    { containers: veryLarge, priority: HIGH },
    [['m1.1', 'machine1', medium, MID], ['m1.2', 'machine1', large, MID], ['m2.1', 'machine2', large, MID], ['m2.2', 'machine2', medium, LOW], ['m3.1', 'machine3', medium, MID], ['m3.2', 'machine3', medium, MID]],
    ['machine2'],
  ),
  c(
    'when highest priority and sum are the same, minimum number of pods is picked',
    m123,
    { containers: veryLarge, priority: HIGH },
    [
      ['m1.1', 'machine1', small, MID],
      ['m1.2', 'machine1', small, NEG],
      ['m1.3', 'machine1', small, MID],
      ['m1.4', 'machine1', small, NEG],
      ['m2.1', 'machine2', large, MID],
      ['m2.2', 'machine2', medium, NEG],
      ['m3.1', 'machine3', medium, MID],
      ['m3.2', 'machine3', small, NEG],
      ['m3.3', 'machine3', small, LOW],
    ],
    ['machine2'],
  ),
  c(
    'sum of adjusted priorities is considered',
    m123,
    { containers: veryLarge, priority: HIGH },
    [
      ['m1.1', 'machine1', small, MID],
      ['m1.2', 'machine1', small, NEG],
      ['m1.3', 'machine1', small, NEG],
      ['m2.1', 'machine2', large, MID],
      ['m2.2', 'machine2', medium, NEG],
      ['m3.1', 'machine3', medium, MID],
      ['m3.2', 'machine3', small, NEG],
      ['m3.3', 'machine3', small, LOW],
    ],
    ['machine2'],
  ),
  c(
    'non-overlapping lowest high priority, sum priorities, and number of pods',
    ['machine1', 'machine2', 'machine3', 'machine4'],
    { containers: veryLarge, priority: VERY_HIGH },
    [
      ['m1.1', 'machine1', small, MID],
      ['m1.2', 'machine1', small, LOW],
      ['m1.3', 'machine1', small, LOW],
      ['m2.1', 'machine2', large, HIGH],
      ['m3.1', 'machine3', medium, MID],
      ['m3.2', 'machine3', small, LOW],
      ['m3.3', 'machine3', small, LOW],
      ['m3.4', 'machine3', medium, LOW],
      ['m4.1', 'machine4', medium, MID],
      ['m4.2', 'machine4', small, MID],
      ['m4.3', 'machine4', small, MID],
      ['m4.4', 'machine4', small, NEG],
    ],
    ['machine1'],
  ),
  c(
    "same priority, same number of victims, different start time for each machine's pod",
    m123,
    { containers: veryLarge, priority: HIGH },
    [['m1.1', 'machine1', medium, MID, 3], ['m1.2', 'machine1', medium, MID, 3], ['m2.1', 'machine2', medium, MID, 4], ['m2.2', 'machine2', medium, MID, 4], ['m3.1', 'machine3', medium, MID, 2], ['m3.2', 'machine3', medium, MID, 2]],
    ['machine2'],
  ),
  c(
    'same priority, same number of victims, different start time for all pods',
    m123,
    { containers: veryLarge, priority: HIGH },
    [['m1.1', 'machine1', medium, MID, 5], ['m1.2', 'machine1', medium, MID, 3], ['m2.1', 'machine2', medium, MID, 6], ['m2.2', 'machine2', medium, MID, 2], ['m3.1', 'machine3', medium, MID, 4], ['m3.2', 'machine3', medium, MID, 7]],
    ['machine3'],
  ),
  c(
    'different priority, same number of victims, different start time for all pods',
    m123,
    { containers: veryLarge, priority: HIGH },
    [['m1.1', 'machine1', medium, LOW, 5], ['m1.2', 'machine1', medium, MID, 3], ['m2.1', 'machine2', medium, MID, 7], ['m2.2', 'machine2', medium, LOW, 2], ['m3.1', 'machine3', medium, LOW, 4], ['m3.2', 'machine3', medium, MID, 6]],
    ['machine2'],
  ),
];

// ── PodDisruptionBudget rows of the current default_preemption_test.go ─────────────────────────

/** TestDryRunPreemption's nodes: capacity veryLargeRes (500m cpu, 500 bytes of memory). */
const dryRunNode = (name: string) => node(name, { capacity: { cpu: '500m', memory: '500' } });
const mediumRes = [{ cpu: '200m', memory: '200' }];
const veryLargeRes = [{ cpu: '500m', memory: '500' }];
const foo = (name: string) => pod(name, { containers: mediumRes, priority: MID, labels: { app: 'foo' } }, 'node1');
/** A budget selecting app=foo with the given status (upstream builds it with no namespace, as its pods). */
const fooBudget = (disruptedPods?: string[]) => ({ name: 'pdb', selector: { matchLabels: { app: 'foo' } }, disruptionsAllowed: 1, ...(disruptedPods ? { disruptedPods } : {}) });
function dryRun(name: string, pods: string[], disruptedPods: string[] | undefined, pdbViolations: number): UpstreamCase {
  return {
    upstream: 'TestDryRunPreemption',
    name,
    plugin: P,
    snapshot: {
      nodes: [dryRunNode('node1')],
      pods: pods.map(foo),
      pending: pod('p', { containers: veryLargeRes, priority: HIGH }),
      podDisruptionBudgets: [fooBudget(disruptedPods)],
    },
    preempt: { nodes: ['node1'], victims: pods, pdbViolations },
  };
}
const LABEL_PDB = 'test.kubernetes.io/is-violating-pdb';
const onePod = (name: string) => node(name, { capacity: { pods: '1' } });

export const PDB_CASES: readonly UpstreamCase[] = [
  dryRun('preemption with violation of same pdb', ['p1.1', 'p1.2'], undefined, 1),
  dryRun("preemption with violation of the pdb with pod whose eviction was processed, the victim doesn't belong to DisruptedPods", ['p1.1', 'p1.2'], ['p2'], 1),
  dryRun('preemption with violation of the pdb with pod whose eviction was processed, the victim belongs to DisruptedPods', ['p1.1', 'p1.2'], ['p1.2'], 0),
  dryRun("preemption with violation of the pdb with pod whose eviction was processed, the victim which belongs to DisruptedPods is treated as 'nonViolating'", ['p1.1', 'p1.2', 'p1.3'], ['p1.3'], 1),
  {
    upstream: 'TestDryRunPreemption',
    name: 'preemption looks past numCandidates until a non-PDB violating node is found',
    plugin: P,
    notExpressible:
      'the row asserts the candidate set that dry-run sampling (minCandidateNodesPercentage/Absolute from a seeded random offset) produces; Slipway examines every node, so there is no sampled candidate set to compare',
  },
  {
    // node1: p1 (high, covered by a budget allowing MaxInt32) and p2 (low, covered by one allowing 0): both victims, 1 violation.
    // node2: p3 (mid, allowing 0): 1 victim, 1 violation. Violations tie; node2's highest victim priority (100) < node1's (1000).
    upstream: 'TestPostFilter',
    name: 'pod can be made schedulable on minHighestPriority node',
    plugin: P,
    snapshot: {
      nodes: [onePod('node1'), onePod('node2')],
      pods: [
        pod('p1', { priority: HIGH, labels: { [LABEL_PDB]: 'non-violating' } }, 'node1'),
        pod('p2', { priority: LOW, labels: { [LABEL_PDB]: 'violating' } }, 'node1'),
        pod('p3', { priority: MID, labels: { [LABEL_PDB]: 'violating' } }, 'node2'),
      ],
      pending: pod('p', { priority: VERY_HIGH }),
      podDisruptionBudgets: [
        { name: 'violating-pdb', selector: { matchLabels: { [LABEL_PDB]: 'violating' } }, minAvailable: '100%', disruptionsAllowed: 0 },
        { name: 'non-violating-pdb', selector: { matchLabels: { [LABEL_PDB]: 'non-violating' } }, minAvailable: 0, disruptionsAllowed: 2 ** 31 - 1 },
      ],
    },
    preempt: { nodes: ['node2'], victims: ['p3'], pdbViolations: 1 },
  },
];
