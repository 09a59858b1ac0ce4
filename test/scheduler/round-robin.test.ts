/** The seed's round-robin scheduler, made correct: readiness, cordons, allocatable, reasons. */
import { describe, expect, it } from 'vitest';
import type { NodeView, ScheduleRequest } from '../../src/core/interfaces.js';
import { resources } from '../../src/core/resources.js';
import type { Node, NodeStatus, Workload } from '../../src/core/types.js';
import { RoundRobinScheduler } from '../../src/scheduler/round-robin.js';

function view(name: string, cpu: number, usedCpu = 0, status: NodeStatus = 'Ready', unschedulable = false): NodeView {
  const node: Node = {
    id: name,
    name,
    address: '',
    status,
    statusSince: 0,
    unschedulable,
    labels: {},
    taints: [],
    capacity: resources({ cpu, memory: 8e9 }),
    allocatable: resources({ cpu, memory: 8e9 }),
  };
  return { node, allocated: resources({ cpu: usedCpu }), instanceCount: 0 };
}

const request = (cpu: number, count: number): ScheduleRequest => ({
  workload: { name: 'web' } as Workload,
  request: resources({ cpu, memory: 1e6 }),
  count,
});

const names = (ds: ReturnType<RoundRobinScheduler['schedule']>) =>
  ds.map((d) => (d.kind === 'unschedulable' ? d.message : d.nodeName));

describe('RoundRobinScheduler', () => {
  it('cycles through nodes in name order and resumes after the last one it used', () => {
    const s = new RoundRobinScheduler();
    const nodes = [view('a', 4000), view('b', 4000), view('c', 4000)];
    expect(names(s.schedule(request(100, 4), nodes))).toEqual(['a', 'b', 'c', 'a']);
    expect(names(s.schedule(request(100, 2), nodes))).toEqual(['b', 'c']);
  });

  it('counts placements made earlier in the same call against allocatable', () => {
    // b has 1000m free: the first 600m fits, the second (600 + 600 > 1000) does not.
    const s = new RoundRobinScheduler();
    const nodes = [view('b', 1000)];
    expect(names(s.schedule(request(600, 2), nodes))).toEqual(['b', '0/1 nodes are available: 1 Insufficient cpu.']);
  });

  it('skips nodes that are not Ready, cordoned or full, and says why when none fits', () => {
    const s = new RoundRobinScheduler();
    const nodes = [
      view('a', 4000, 3900), // 100m free < 500m
      view('b', 4000, 0, 'NotReady'),
      view('c', 4000, 0, 'Down'),
      view('d', 4000, 0, 'Ready', true),
    ];
    const [d] = s.schedule(request(500, 1), nodes);
    expect(d).toEqual({
      kind: 'unschedulable',
      message: '0/4 nodes are available: 2 node(s) were not ready, 1 Insufficient cpu, 1 node(s) were unschedulable.',
      reasons: { 'Insufficient cpu': 1, 'node(s) were not ready': 2, 'node(s) were unschedulable': 1 },
    });
  });

  it('places on the one node with room', () => {
    const s = new RoundRobinScheduler();
    const nodes = [view('a', 4000, 4000), view('b', 4000, 3500), view('c', 4000, 1000)];
    expect(names(s.schedule(request(1000, 1), nodes))).toEqual(['c']);
  });

  it('with no nodes, says so', () => {
    expect(names(new RoundRobinScheduler().schedule(request(1, 1), []))).toEqual(['0/0 nodes are available: no nodes in the cluster.']);
  });
});
