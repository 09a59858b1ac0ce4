import { describe, expect, it } from 'vitest';
import { explainSnapshot } from '../../src/scheduler/explain/explain.js';
import { parseSnapshot } from '../../src/scheduler/explain/snapshot.js';

describe('explain --json: filter status codes as kube-scheduler names them', () => {
  it('Unschedulable (preemption may help), UnschedulableAndUnresolvable (it cannot), Success', () => {
    const doc = {
      nodes: [
        { name: 'full', capacity: { cpu: '4', memory: '1Gi' } },
        { name: 'small', capacity: { cpu: '1', memory: '1Gi' } },
        { name: 'tainted', capacity: { cpu: '4', memory: '8Gi' }, taints: [{ key: 'gpu', effect: 'NoSchedule' }] },
        { name: 'free', capacity: { cpu: '4', memory: '8Gi' } },
      ],
      pods: [{ name: 'b', node: 'full', containers: [{ requests: { cpu: '3' } }] }],
      pending: { name: 'p', containers: [{ requests: { cpu: '2' } }] },
      profile: { plugins: [{ name: 'TaintToleration' }, { name: 'NodeResourcesFit' }] },
    };
    const r = explainSnapshot(parseSnapshot(JSON.stringify(doc), 'x.yaml'));
    const by = Object.fromEntries(r.nodes.map((n) => [n.name, { code: n.code, codes: n.codes }]));
    expect(by).toEqual({
      // 2 CPUs > the 1 left: evicting b would make room.
      full: { code: 'Unschedulable', codes: { TaintToleration: 'Success', NodeResourcesFit: 'Unschedulable' } },
      // 2 CPUs > the node's 1 allocatable: nothing evicted helps (upstream's fitsRequest Unresolvable).
      small: { code: 'UnschedulableAndUnresolvable', codes: { TaintToleration: 'Success', NodeResourcesFit: 'UnschedulableAndUnresolvable' } },
      tainted: { code: 'UnschedulableAndUnresolvable', codes: { TaintToleration: 'UnschedulableAndUnresolvable', NodeResourcesFit: 'Success' } },
      free: { code: 'Success', codes: { TaintToleration: 'Success', NodeResourcesFit: 'Success' } },
    });
  });
});
