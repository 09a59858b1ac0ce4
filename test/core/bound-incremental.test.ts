/**
 * NodeView.bound is computed from the node's last list and the changes since (BoundSet), not from
 * every instance. At every scheduling call of these runs — rolling updates, scaling, crashes and
 * restarts, preemption, gangs, jobs, NoExecute evictions, GPU devices — each node's list must equal
 * the one computed from scratch, and reading it must not change what the run does (same trace).
 */
import { describe, expect, it } from 'vitest';
import type { Orchestrator } from '../../src/core/orchestrator.js';
import type { Scheduler } from '../../src/core/interfaces.js';
import { readScenario } from '../../src/cli/read-scenario.js';
import { Simulation } from '../../src/engine/simulation.js';
import { parseScenario } from '../../src/run/parse-scenario.js';
import { simulate } from '../../src/run/simulate.js';
import { createScheduler } from '../../src/scheduler/registry.js';
import type { Scenario } from '../../src/scenario/types.js';

const GPU = `name: gpu-churn
seed: 7
duration: 6m
scheduler: gpu-packing
nodes:
  - {name: a, capacity: {cpu: 32, memory: 64Gi}, gpus: {model: V100M16, count: 2}}
  - {name: b, capacity: {cpu: 32, memory: 64Gi}, gpus: {model: T4, count: 4}}
workloads:
  - {name: share, replicas: 5, gpus: {milli: 300}, containers: [{name: c, image: x, requests: {cpu: 1, memory: 1Gi}}]}
  - {name: whole, replicas: 2, gpus: {count: 1}, containers: [{name: c, image: x, requests: {cpu: 1, memory: 1Gi}}]}
operations:
  - {at: 1m, scale: {workload: share, replicas: 2}}
  - {at: 2m, update: {workload: whole, env: {V: "2"}}}
faults:
  - {at: 3m, nodeCrash: {node: a, recoverAfter: 1m}}
`;

/** A node read after A's instances run, then A scaled: its instances must show the new workload. */
const SCALED = `name: scaled-after-read
seed: 3
duration: 3m
scheduler: default
nodes:
  - {name: "n-{i}", count: 2, capacity: {cpu: 8, memory: 16Gi}}
workloads:
  - {name: a, replicas: 2, containers: [{name: c, image: x, requests: {cpu: 1, memory: 1Gi}}]}
  - {name: b, at: 30s, replicas: 1, containers: [{name: c, image: x, requests: {cpu: 1, memory: 1Gi}}]}
operations:
  - {at: 1m, scale: {workload: a, replicas: 3}}
`;

async function check(s: Scenario): Promise<{ calls: number; views: number }> {
  const stream = () => new Simulation(s.seed).random.stream('scheduler');
  const make = () => createScheduler(s.scheduler.name, { random: stream(), workloads: [], ...(s.scheduler.profile ? { profile: s.scheduler.profile } : {}) });
  const plain = await simulate(s, { scheduler: make() });
  let orchestrator: Orchestrator | undefined;
  const inner = make();
  let calls = 0;
  let views = 0;
  const checking: Scheduler = {
    name: inner.name,
    schedule: (r, v) => {
      calls++;
      for (const view of v) {
        const want = orchestrator!.recomputeBound(view.node.id)!;
        const got = view.bound!;
        views++;
        expect(got, `node ${view.node.name} at call ${calls}`).toEqual(want);
        got.forEach((b, k) => expect(b.workload).toBe(want[k].workload));
      }
      return inner.schedule(r, v);
    },
  };
  const checked = await simulate(s, { scheduler: checking, observe: (w) => (orchestrator = w.orchestrator) });
  expect(checked.traceHash).toBe(plain.traceHash);
  return { calls, views };
}

describe('NodeView.bound, incrementally', () => {
  it.each(['rolling-update', 'scale-up-down', 'node-crash-reschedule', 'crash-loop-backoff', 'preemption-priority', 'gang-split-workloads', 'batch-job', 'noexecute-taint-maintenance'])(
    'equals the list computed from scratch at every scheduling call: scenarios/%s.yaml',
    async (name) => {
      const { calls, views } = await check(readScenario(`scenarios/${name}.yaml`));
      expect(calls).toBeGreaterThan(0);
      expect(views).toBeGreaterThan(calls);
    },
    60_000,
  );

  it('after a scale, the instances already read show the new workload object', async () => {
    const { calls } = await check(parseScenario(SCALED, 'scaled.yaml'));
    expect(calls).toBe(3);
  });

  it('with GPU devices, scaling, an update and a crash', async () => {
    const { calls } = await check(parseScenario(GPU, 'gpu.yaml'));
    expect(calls).toBeGreaterThan(3);
  });
});
