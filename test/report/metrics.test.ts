import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runOne } from '../../src/compare/run-one.js';
import { readScenario } from '../../src/cli/read-scenario.js';
import { MetricsCollector, typicalPod } from '../../src/report/metrics.js';
import { resources } from '../../src/core/resources.js';
import { container, node, scenario, service } from '../support/scenario-builder.js';
import { streamTrace } from '../../src/engine/trace-reader.js';
import { eventFeeder } from '../support/trace-parts.js';

const MiB = 2 ** 20;
const GiB = 2 ** 30;

describe('metrics of a run', () => {
  it('measures utilization, fragmentation, pending and unschedulable reasons', async () => {
    // Two 4-CPU nodes, three 3-CPU instances: two fit (one per node), the third never does.
    const s = scenario({
      nodes: [node('n1', 4000, 8), node('n2', 4000, 8)],
      workloads: [service('big', 3, { containers: [container('app', 3000, 1024)] })],
      durationMs: 5 * 60_000,
    });
    const r = await runOne(s, { policy: 'round-robin', seed: 3 });
    const m = r.metrics;
    const last = m.series.t.length - 1;
    expect(m.series.t[last]).toBe(5 * 60_000);
    // 6000m of 8000m requested; 2 GiB of 16 GiB.
    expect(m.series.cpu[last]).toBeCloseTo(0.75, 6);
    expect(m.series.memory[last]).toBeCloseTo(2 / 16, 6);
    // The typical pod (3 CPU) fits in neither node's 1 free CPU: all free CPU is fragmented.
    expect(m.typicalPod).toEqual({ cpu: 3000, memory: 1024 * MiB });
    expect(m.series.fragCpu[last]).toBe(1);
    expect(m.series.pending[last]).toBe(1);
    // All three wait at the first sample (t = 0, submitted at 0).
    expect(m.scalars.pendingMax).toBe(3);
    expect(m.scalars.unschedulableAttempts).toBeGreaterThanOrEqual(1);
    expect(Object.keys(m.unschedulable.reasons)).toEqual(['Insufficient cpu']);
    // Both nodes equally loaded (75% CPU dominates 12.5% memory): no imbalance at the end.
    expect(m.series.balance[last]).toBe(0);
    expect(m.startupCount).toBe(2);
    expect(m.scalars.startupP50Ms).toBeGreaterThan(0);
    // Scheduling latency (created → bound) excludes the image pull and start: it is the shorter.
    expect(m.schedulingCount).toBe(2);
    expect(m.scalars.schedulingP50Ms!).toBeLessThan(m.scalars.startupP50Ms!);
    expect(m.heatmap.rows).toEqual(['n1', 'n2']);
    expect(m.heatmap.values[0][last]).toBe(0.75);
    expect(m.scalars.convergeMeanMs).toBeNull();
  });

  it('times the recovery from a node crash and counts evictions and reschedules', async () => {
    const s = scenario({
      nodes: [node('n1'), node('n2'), node('n3')],
      workloads: [service('web', 3)],
      faults: [{ kind: 'nodeCrash', at: 120_000, node: 'n1' }],
      durationMs: 8 * 60_000,
    });
    const m = (await runOne(s, { policy: 'round-robin', seed: 1 })).metrics;
    expect(m.faults).toHaveLength(1);
    const f = m.faults[0];
    expect(f).toMatchObject({ t: 120_000, type: 'fault.node_crash', target: 'n1' });
    // The control plane notices after notReadyAfter (40 s), evicts after the grace (30 s), then
    // the replacement starts: at least 70 s, and well before the end.
    expect(f.convergeMs).toBeGreaterThanOrEqual(70_000);
    expect(f.convergeMs).toBeLessThan(180_000);
    expect(m.scalars.evictions).toBe(1);
    expect(m.scalars.reschedules).toBe(1);
    // While n1 is down the heatmap has no value for it.
    const k = m.series.t.findIndex((t) => t >= 4 * 60_000);
    expect(m.heatmap.values[0][k]).toBeNull();
    expect(m.timeline.map((e) => e.type)).toEqual(['fault.node_crash']);
  });

  it('does not mistake a job making progress for recovery from a crash', async () => {
    // scenarios/default.yaml: a job runs while zone-a-1 crashes at 3m. Its new instances come and
    // go; the services' lost instances are only replaced after detection (~40 s) and grace (30 s).
    const s = readScenario('scenarios/default.yaml');
    for (const seed of [2, 3]) {
      const f = (await runOne(s, { policy: 'round-robin', seed })).metrics.faults[0];
      expect(f.type).toBe('fault.node_crash');
      expect(f.convergeMs, `seed ${seed}`).toBeGreaterThanOrEqual(60_000);
    }
  });

  it('needs nothing but the trace: the JSONL file gives the same metrics as the live records', async () => {
    const s = readScenario('scenarios/default.yaml');
    const dir = mkdtempSync(join(tmpdir(), 'slipway-metrics-'));
    try {
      const tracePath = join(dir, 'trace.jsonl');
      const live = (await runOne(s, { policy: 'round-robin', seed: 5 }, { tracePath })).metrics;
      const c = new MetricsCollector({ durationMs: s.durationMs, typicalPod: typicalPod(s.workloads) });
      for await (const e of streamTrace(tracePath)) c.onEvent(e);
      expect(c.finish(s.durationMs)).toEqual(live);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('counts a fault the cluster never recovers from until the end', () => {
    const c = new MetricsCollector({ durationMs: 100_000, samples: 10, typicalPod: { cpu: 100, memory: MiB } });
    const feed = eventFeeder(c.onEvent);
    feed(0, 'workload.submitted', { workload: 'w', kind: 'service', replicas: 1, generation: 1 });
    feed(0, 'instance.created', { instance: 'i1', workload: 'w', slot: 0, generation: 1, reason: 'scale-up' });
    feed(1000, 'instance.status', { instance: 'i1', workload: 'w', from: 'Pending', to: 'Running' });
    feed(10_000, 'fault.container_crash', { workload: 'w', slot: 0, exitCode: 1, applied: true });
    feed(10_000, 'instance.status', { instance: 'i1', workload: 'w', from: 'Running', to: 'Failed' });
    const m = c.finish(100_000);
    expect(m.faults[0].convergeMs).toBeNull();
    expect(m.scalars.faultsNotConverged).toBe(1);
    expect(m.scalars.convergeMaxMs).toBe(90_000);
    expect(m.scalars.startupP50Ms).toBe(1000);
  });

  it('names two latencies apart: created → bound (scheduling) and created → Running (start-up) (#18.3)', () => {
    const c = new MetricsCollector({ durationMs: 100_000, samples: 10, typicalPod: { cpu: 100, memory: MiB } });
    const feed = eventFeeder(c.onEvent);
    const r = (cpu: number, memory: number) => ({ cpu, memory, disk: 0, extended: {} });
    feed(0, 'node.added', { node: 'n1', status: 'Ready', capacity: r(1000, GiB), allocatable: r(1000, GiB), unschedulable: false });
    feed(0, 'instance.created', { instance: 'i1', workload: 'w', slot: 0, generation: 1, reason: 'scale-up' });
    feed(200, 'instance.scheduled', { instance: 'i1', workload: 'w', node: 'n1', attempt: 1, request: r(100, MiB) });
    // the image pull and the start take 4.8 s more
    feed(5000, 'instance.status', { instance: 'i1', workload: 'w', from: 'Pending', to: 'Running' });
    const m = c.finish(100_000);
    expect(m.scalars.schedulingP50Ms).toBe(200);
    expect(m.scalars.startupP50Ms).toBe(5000);
  });

  it('takes the replica-weighted median request as the typical pod', () => {
    const w = (replicas: number, cpu: number, memory: number) => ({ replicas, containers: [{ requests: resources({ cpu, memory }) }] });
    expect(typicalPod([w(1, 4000, 8 * GiB), w(10, 250, GiB), w(2, 100, 128 * MiB)])).toEqual({ cpu: 250, memory: GiB });
  });

  it("counts init containers, sidecars and overhead in the typical pod, as the scheduler fits an instance", () => {
    // 10 replicas of 100m whose init container needs 1 CPU: each instance is fitted as 1 CPU.
    const init = { replicas: 10, containers: [{ requests: resources({ cpu: 100, memory: MiB }) }], initContainers: [{ requests: resources({ cpu: 1000, memory: MiB }) }] };
    expect(typicalPod([init, { replicas: 1, containers: [{ requests: resources({ cpu: 200, memory: MiB }) }] }])).toEqual({ cpu: 1000, memory: MiB });
    // A sidecar adds to the containers; overhead adds to the pod.
    const sidecar = { replicas: 1, containers: [{ requests: resources({ cpu: 100 }) }], initContainers: [{ requests: resources({ cpu: 50 }), restartPolicy: 'Always' as const }], overhead: resources({ cpu: 10, memory: 7 }) };
    expect(typicalPod([sidecar])).toEqual({ cpu: 160, memory: 7 });
  });
});
