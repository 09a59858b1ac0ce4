/** The experiment protocol: shuffle and inflation, one pass with ties to the smallest name, binning. */
import { describe, expect, it } from 'vitest';
import { binRecords, prepareArrivals, runExperiment, type PodRecord } from '../../src/gpu/experiment.js';
import { typicalTasks } from '../../src/gpu/fragmentation.js';
import { podGpuMilliTotal, type GpuNodeSpec } from '../../src/gpu/types.js';
import { installGuard } from '../../src/engine/guard.js';
import { pod } from './helpers.js';

const pods = Array.from({ length: 40 }, (_, k) =>
  pod({ name: `p-${String(k).padStart(2, '0')}`, numGpu: k % 4 === 0 ? 0 : 1, gpuMilli: k % 4 === 0 ? 0 : [250, 500, 1000][k % 3] }),
);

describe('prepareArrivals', () => {
  it('shuffles all pods with the seed, then inflates until the next draw would pass 130% of capacity', () => {
    const cap = 20_000; // 20 GPUs; the 40 pods ask for ≈ 17 GPUs
    const a = prepareArrivals([...pods].reverse(), { seed: 42, capacityMilli: cap });
    const names = a.slice(0, pods.length).map((p) => p.name);
    expect([...names].sort()).toEqual(pods.map((p) => p.name)); // every original pod, once
    expect(names).not.toEqual(pods.map((p) => p.name)); // shuffled
    const total = a.reduce((s, p) => s + podGpuMilliTotal(p), 0);
    expect(total).toBeLessThanOrEqual(1.3 * cap);
    expect(total).toBeGreaterThan(1.3 * cap - 1000); // stopped by a draw that would overshoot
    expect(a.slice(pods.length).every((p) => /-inflate-\d+$/.test(p.name))).toBe(true);
    // the input order does not matter (sorted by name first); the seed does
    expect(prepareArrivals(pods, { seed: 42, capacityMilli: cap })).toEqual(a);
    expect(prepareArrivals(pods, { seed: 43, capacityMilli: cap }).map((p) => p.name)).not.toEqual(a.map((p) => p.name));
  });

  it('leaves a workload without GPU requests as it is (nothing to inflate with)', () => {
    const cpuOnly = pods.filter((p) => p.numGpu === 0);
    expect(prepareArrivals(cpuOnly, { seed: 1, capacityMilli: 20_000 })).toHaveLength(cpuOnly.length);
  });

  it('drops random pods when the workload is already above the target', () => {
    const a = prepareArrivals(pods, { seed: 1, capacityMilli: 10_000 }); // target 13 GPUs < 17 requested
    expect(a.reduce((s, p) => s + podGpuMilliTotal(p), 0)).toBeLessThanOrEqual(13_000);
    expect(a.length).toBeLessThan(pods.length);
  });
});

describe('runExperiment', () => {
  const nodes: GpuNodeSpec[] = ['n-b', 'n-a', 'n-c'].map((name) => ({ name, cpuMilli: 64_000, memoryMiB: 262_144, gpuCount: 2, model: 'T4' }));

  it('breaks ties by the smallest node name and records every pod, placed or not', () => {
    const placements: { pod: string; node?: string; gpus: readonly number[] }[] = [];
    const wholeGpu = Array.from({ length: 8 }, (_, k) => pod({ name: `w${k}`, numGpu: 1, gpuMilli: 1000 }));
    const r = runExperiment({ nodes, pods: wholeGpu, policy: 'best-fit', seed: 5, ratio: 1.3, onPlacement: (p) => placements.push(p) });
    // 6 GPUs: the target 1.3 × 6000 admits 7 whole-GPU pods (8 originals > target → one dropped)
    expect(r.arrived).toBe(7);
    expect(r.placed).toBe(6);
    // best-fit on three identical idle nodes: the first pod goes to n-a, the smallest name; then
    // n-a is tighter, so it fills first
    expect(placements.slice(0, 2).map((p) => p.node)).toEqual(['n-a', 'n-a']);
    expect(placements[0].gpus).toEqual([0]);
    expect(placements[1].gpus).toEqual([1]);
    expect(placements[6].node).toBeUndefined();
    const last = r.records[r.records.length - 1];
    expect(last.arrivedPct).toBeCloseTo((100 * 7000) / 6000, 10); // the failed pod still arrived
    expect(last.allocPct).toBe(100);
  });

  it('reports fragmentation with FGD\'s measure: % of capacity and % of idle GPU', () => {
    // one node, 2 GPUs; typical tasks of the workload: 1×1000 (the only shape)
    const one: GpuNodeSpec[] = [{ name: 'n', cpuMilli: 64_000, memoryMiB: 262_144, gpuCount: 2, model: 'T4' }];
    const shared = [pod({ name: 'a', numGpu: 1, gpuMilli: 1000 }), pod({ name: 'b', numGpu: 1, gpuMilli: 1000 })];
    const r = runExperiment({ nodes: one, pods: [shared[0]], policy: 'fgd', seed: 1, ratio: 0.5 });
    // after one 1×1000 pod: [0, 1000] → the free device fits the typical task → no fragment
    expect(r.records[0]).toEqual({ arrivedPct: 50, allocPct: 50, fragPct: 0, fragRatioPct: 0 });
    expect(typicalTasks(shared)).toHaveLength(1);
  });

  it('rejects a cluster without GPUs', () => {
    const cpuNodes = [{ name: 'c', cpuMilli: 1000, memoryMiB: 1000, gpuCount: 0, model: '' }];
    expect(() => runExperiment({ nodes: cpuNodes, pods, policy: 'fgd', seed: 1 })).toThrow('the cluster has no GPUs (1 nodes)');
  });

  it('is deterministic for a seed', () => {
    const run = () => runExperiment({ nodes, pods, policy: 'random', seed: 9 }).records;
    expect(run()).toEqual(run());
  });

  it('reads no clock and no ambient randomness (runs under the engine\'s determinism guard)', () => {
    const free = runExperiment({ nodes, pods, policy: 'random', seed: 9 }).records;
    for (const policy of ['random', 'dotprod', 'gpu-clustering', 'gpu-packing', 'best-fit', 'fgd', 'fgd-exact']) {
      const release = installGuard(() => ` (experiment ${policy})`);
      try {
        const guarded = runExperiment({ nodes, pods, policy, seed: 9 }).records;
        if (policy === 'random') expect(guarded).toEqual(free);
      } finally {
        release();
      }
    }
  });
});

describe('binRecords', () => {
  const rec = (arrivedPct: number, allocPct: number): PodRecord => ({ arrivedPct, allocPct, fragPct: allocPct / 10, fragRatioPct: 1 });

  it('averages the records of each rounded arrived %, widening to k±1 when a bin is empty', () => {
    const rows = binRecords([rec(0.2, 1), rec(0.4, 2), rec(1.6, 6), rec(3.4, 9), rec(3.5, 20)], 6);
    expect(rows).toEqual([
      { arrivedPct: 0, allocPct: 1.5, fragPct: 0.15, fragRatioPct: 1 }, // (1 + 2) / 2
      { arrivedPct: 1, allocPct: 3, fragPct: 0.3, fragRatioPct: 1 }, // empty → bins 0..2: (1 + 2 + 6) / 3
      { arrivedPct: 2, allocPct: 6, fragPct: 0.6, fragRatioPct: 1 }, // 1.6 rounds to 2
      { arrivedPct: 3, allocPct: 9, fragPct: 0.9, fragRatioPct: 1 }, // 3.4 → 3 (3.5 rounds up to 4)
      { arrivedPct: 4, allocPct: 20, fragPct: 2, fragRatioPct: 1 },
      { arrivedPct: 5, allocPct: 20, fragPct: 2, fragRatioPct: 1 }, // empty → bins 4..6
      // 6: empty, and 5..7 are empty too → left out
    ]);
  });

  it('rounds the means to two decimals', () => {
    expect(binRecords([rec(10, 1), rec(10, 1), rec(10, 2)], 10)[0].allocPct).toBe(1.33);
  });
});
