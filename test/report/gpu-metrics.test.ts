/**
 * The GPU metrics of `compare` and the run report (issue 7), on hand-computed cases: two nodes with
 * two GPUs each, a few pods on known devices, exact allocated and fragmented shares (FGD's measure
 * against the scenario's typical pods), and none of it for a CPU-only run.
 */
import { describe, expect, it } from 'vitest';
import { aggregate } from '../../src/report/aggregate.js';
import { resultsCsv } from '../../src/compare/results-files.js';
import { runOne } from '../../src/compare/run-one.js';
import { gpuMetricsOptions, MetricsCollector, typicalPod } from '../../src/report/metrics.js';
import { toWorkload } from '../../src/run/simulate.js';
import { parseScenario } from '../../src/run/parse-scenario.js';
import type { FieldsOf } from '../../src/core/trace-events.js';
import { eventFeeder } from '../support/trace-parts.js';

const GiB = 2 ** 30;

const yaml = (scheduler: string, workloads: string) => `name: two-by-two
seed: 1
duration: 4s
scheduler: ${scheduler}
nodes:
  - {name: a, capacity: {cpu: 32, memory: 64Gi}, gpus: {model: V100M16, count: 2}}
  - {name: b, capacity: {cpu: 32, memory: 64Gi}, gpus: {model: V100M16, count: 2}}
workloads:
${workloads}`;

// Typical pods: a half GPU (2 pods) and a whole GPU (2 pods), 1 CPU each: p = 1/2 each.
const SHAPES = `  - {name: share, replicas: 2, gpus: {milli: 500}, containers: [{name: c, image: x, requests: {cpu: 1, memory: 1Gi}}]}
  - {name: whole, replicas: 2, gpus: {count: 1}, containers: [{name: c, image: x, requests: {cpu: 1, memory: 1Gi}}]}
`;

/**
 * A collector for the 2 × 2 scenario, sampling every second of a 4 s run (t = 0, 1, 2, 3, 4 s).
 * Typical pods (FGD counts CPU-only pods too): share ½ GPU p = 2/5, whole GPU p = 2/5, CPU-only
 * p = 1/5 (it can never use a GPU: all idle GPU of a node is a fragment to it).
 */
function collector(): MetricsCollector {
  const s = parseScenario(yaml('gpu-fgd', SHAPES + '  - {name: cpu, replicas: 1, containers: [{name: c, image: x, requests: {cpu: 1, memory: 1Gi}}]}\n'), 's.yaml');
  return new MetricsCollector({ durationMs: 4000, samples: 4, typicalPod: typicalPod(s.workloads), gpu: gpuMetricsOptions(s.workloads.map(toWorkload)) });
}

const res = (cpu: number, memory: number) => ({ cpu, memory, disk: 0, extended: {} });
const node = (name: string): FieldsOf<'node.added'> => ({
  node: name,
  status: 'Ready',
  capacity: res(32000, 64 * GiB),
  allocatable: res(32000, 64 * GiB),
  unschedulable: false,
  gpus: { model: 'V100M16', count: 2 },
});
const req = res(1000, GiB);
const created = (instance: string, workload: string): FieldsOf<'instance.created'> => ({ instance, workload, slot: 0, generation: 1, reason: 'scale-up' });
const scheduled = (instance: string, workload: string, node: string, gpus: number[]): FieldsOf<'instance.scheduled'> => ({ instance, workload, node, attempt: 1, request: req, gpus });
const running = (instance: string, workload: string): FieldsOf<'instance.status'> => ({ instance, workload, from: 'Pending', to: 'Running' });
const unschedulable = (instance: string, workload: string, reasons: Record<string, number>): FieldsOf<'instance.unschedulable'> => ({ instance, workload, attempt: 1, message: '', reasons });

describe('GPU metrics of a run', () => {
  it('allocated and fragmented GPU, time-weighted and at the end, on known placements', () => {
    const c = collector();
    const feed = eventFeeder(c.onEvent);
    feed(0, 'node.added', node('a'));
    feed(0, 'node.added', node('b'));
    feed(100, 'instance.created', created('s0', 'share'));
    feed(100, 'instance.created', created('s1', 'share'));
    feed(500, 'instance.scheduled', scheduled('s0', 'share', 'a', [0]));
    feed(500, 'instance.scheduled', scheduled('s1', 'share', 'b', [0]));
    feed(600, 'instance.status', running('s0', 'share'));
    feed(600, 'instance.status', running('s1', 'share'));
    feed(800, 'instance.created', created('w0', 'whole'));
    feed(900, 'instance.created', created('c0', 'cpu'));
    feed(1000, 'instance.unschedulable', unschedulable('w0', 'whole', { 'Insufficient GPU': 2 }));
    feed(1000, 'instance.unschedulable', unschedulable('c0', 'cpu', { 'Insufficient cpu': 2 }));
    feed(1500, 'instance.scheduled', scheduled('w0', 'whole', 'a', [1]));
    feed(1600, 'instance.status', running('w0', 'whole'));
    feed(3500, 'instance.removed', { instance: 'w0', workload: 'whole', node: 'a' });
    const m = c.finish(4000);
    // GPU capacity 4000 milli. t=0: all free. t=1s: a [500,1000], b [500,1000] → 1000 used (25%).
    // t=2s, 3s: a [500,0], b [500,1000] → 2000 used (50%). t=4s: w0 gone → 25% again.
    expect(m.series.gpuAlloc).toEqual([0, 0.25, 0.5, 0.5, 0.25]);
    // Fragmentation F_n = 2/5 F_n(share) + 2/5 F_n(whole) + 1/5 F_n(cpu), in milli-GPU:
    // t=0: every device free; share and whole fit with no device too small → 0; cpu: all 2000 idle.
    //      F = 2 × 400 = 800 of 4000 = 20%.
    // t=1s: a [500,1000]: share 0; whole fits on dev 1, dev 0 (500) too small → 500; cpu 1500.
    //       F_a = 2/5·500 + 1/5·1500 = 500; b alike → 1000 = 25%.
    // t=2s: a [500,0]: share fits, dev 1 (0) adds 0 → 0; whole fits nowhere → 500; cpu 500.
    //       F_a = 200 + 100 = 300; b = 500 as before → 800 = 20%. t=4s: as at 1s.
    expect(m.series.gpuFrag).toEqual([0.2, 0.25, 0.2, 0.2, 0.25]);
    expect(m.scalars.gpuAllocMean).toBeCloseTo(0.3, 12);
    expect(m.scalars.gpuAllocEnd).toBe(0.25);
    expect(m.scalars.gpuFragMean).toBeCloseTo(0.22, 12);
    expect(m.scalars.gpuFragEnd).toBe(0.25);
    // w0 pending at t=1s only; c0 (no GPU) pends from 1s on but is not a GPU instance.
    expect(m.scalars.gpuPendingMean).toBeCloseTo(1 / 5, 12);
    expect(m.scalars.pendingMean).toBeCloseTo(5 / 5, 12);
    expect(m.scalars.gpuUnschedulableAttempts).toBe(1);
    expect(m.scalars.unschedulableAttempts).toBe(2);
  });

  it('a waiting gang member holds its devices until it is unreserved', () => {
    const c = collector();
    const feed = eventFeeder(c.onEvent);
    feed(0, 'node.added', node('a'));
    feed(0, 'node.added', node('b'));
    feed(100, 'instance.created', created('w0', 'whole'));
    feed(200, 'instance.waiting', { instance: 'w0', workload: 'whole', node: 'b', attempt: 1, request: req, gpus: [1], gang: 'g', members: 1, minMember: 2, timeoutAt: 2500 });
    feed(2500, 'instance.unreserved', { instance: 'w0', workload: 'whole', node: 'b', reason: 'gang timeout' });
    const m = c.finish(4000);
    expect(m.series.gpuAlloc).toEqual([0, 0.25, 0.25, 0, 0]);
    // t=1s, 2s: a (all free): cpu's 1/5·2000 = 400; b [1000,0]: share and whole fit, the full
    // device adds 0 → cpu's 1/5·1000 = 200. 600 of 4000 = 15%. Before and after: 800 = 20%.
    expect(m.series.gpuFrag).toEqual([0.2, 0.15, 0.15, 0.2, 0.2]);
  });

  it('a node whose free CPU is below the typical pods fragments all its idle GPU', () => {
    const c = collector();
    const feed = eventFeeder(c.onEvent);
    feed(0, 'node.added', { ...node('a'), allocatable: res(500, 64 * GiB) });
    feed(0, 'node.added', node('b'));
    const m = c.finish(4000);
    // a: 500m CPU < 1 CPU of every typical pod → its 2000 idle milli-GPU are fragments;
    // b: only the CPU-only pod's 1/5 · 2000 = 400. 2400 of 4000.
    expect(m.scalars.gpuFragEnd).toBe(0.6);
    expect(m.scalars.gpuAllocEnd).toBe(0);
  });

  it('a GPU node added during the run: one value per sample, no capacity before it', () => {
    const c = collector();
    const feed = eventFeeder(c.onEvent);
    feed(0, 'node.added', { ...node('a'), gpus: undefined });
    feed(2500, 'node.added', node('b'));
    const m = c.finish(4000);
    expect(m.series.gpuAlloc).toHaveLength(m.series.t.length);
    // before b: no GPU capacity (0); after: b all free, only the CPU-only pod's 1/5 fragments.
    expect(m.series.gpuFrag).toEqual([0, 0, 0, 0.2, 0.2]);
  });

  it('compare of a 2 × 2 GPU scenario: exact shares from the trace, GPU columns in results.csv', async () => {
    // Two whole GPUs and one half: 2500 of 4000 milli allocated once everything runs.
    const s = parseScenario(yaml('gpu-packing', SHAPES.replace('replicas: 2, gpus: {milli', 'replicas: 1, gpus: {milli')), 's.yaml');
    const run = await runOne(s, { policy: 'gpu-packing', seed: 1 }, { samples: 4 });
    expect(run.metrics.scalars.gpuAllocEnd).toBe(0.625);
    // GPU packing puts the whole GPUs on the node of the half GPU first: one node [500, 0], the
    // other [1000, 0] or [0, 1000] (typical pods: whole ⅔, share ⅓ by count):
    // the [500,0] node: share fits (small 0), whole does not (500) → ⅔·500; the other: share fits,
    // whole fits → 0. F = 333.3 of 4000.
    expect(run.metrics.scalars.gpuFragEnd).toBeCloseTo(1000 / 3 / 4000, 12);
    const csv = resultsCsv([run]).split('\n')[0];
    expect(csv).toContain('gpuAllocMean,gpuAllocEnd,gpuFragMean,gpuFragEnd,gpuPendingMean,gpuUnschedulableAttempts');
    expect(aggregate([run], ['gpu-packing'], [1]).map((c) => c.key)).toContain('gpuFragEnd');
  });

  it('a CPU-only run has no GPU metrics: results.csv, the comparison and the series are as before', async () => {
    const s = parseScenario(
      `name: cpu\nseed: 1\nduration: 10s\nnodes:\n  - {name: a, capacity: {cpu: 4, memory: 8Gi}}\nworkloads:\n  - {name: w, replicas: 2, containers: [{name: c, image: x, requests: {cpu: 1, memory: 1Gi}}]}\n`,
      's.yaml',
    );
    const run = await runOne(s, { policy: 'round-robin', seed: 1 });
    expect(Object.keys(run.metrics.scalars).filter((k) => k.startsWith('gpu'))).toEqual([]);
    expect(run.metrics.series.gpuAlloc).toBeUndefined();
    expect(resultsCsv([run]).split('\n')[0]).not.toContain('gpu');
    expect(aggregate([run], ['round-robin'], [1]).map((c) => c.key).filter((k) => k.startsWith('gpu'))).toEqual([]);
  });
});
