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
