/**
 * Each policy's score and device choice on small hand-computed cases. The comments show the
 * arithmetic; see the formulas in src/gpu/policies/*.ts.
 */
import { describe, expect, it } from 'vitest';
import { BestFitPolicy } from '../../src/gpu/policies/best-fit.js';
import { DotProdPolicy } from '../../src/gpu/policies/dotprod.js';
import { FgdPolicy } from '../../src/gpu/policies/fgd.js';
import { GpuClusteringPolicy } from '../../src/gpu/policies/gpu-clustering.js';
import { GpuPackingPolicy } from '../../src/gpu/policies/gpu-packing.js';
import { RandomPolicy } from '../../src/gpu/policies/random.js';
import { FIT } from '../../src/gpu/cluster.js';
import { clusterWith, context, idx, pod } from './helpers.js';

describe('fgd', () => {
  // Typical tasks: one pod 1×500 and one pod 1×1000 (count 1 each, p = ½ each, scale 2).
  const workload = [pod({ name: 't1', numGpu: 1, gpuMilli: 500 }), pod({ name: 't2', numGpu: 1, gpuMilli: 1000 })];
  const states = [
    { name: 'x', gpus: [1000, 1000] },
    { name: 'y', gpus: [500, 1000] },
  ];
  // x before: t1 fits, no device < 500 → 0; t2 fits, no device < 1000 → 0.  W = 0.
  // x after [500,1000]: t1 → 0; t2 fits on device 1, device 0 (500) is a fragment → 500.  W = 500.
  //   ΔF = (500 − 0) / 2 = +250 milli-GPU
  // y before [500,1000]: t1 → 0; t2 → 500.  W = 500.
  // y after on device 0 → [0,1000]: W = 0, ΔF = −250;  on device 1 → [500,500]: t2 cannot fit → W = 1000.

  it('fgd scores ⌊100 σ(−ΔF/1000)⌋ and prefers the node whose fragmentation drops', () => {
    const c = clusterWith(states);
    const fgd = new FgdPolicy(context(c, workload));
    const p = c.compile(pod({ numGpu: 1, gpuMilli: 500 }));
    expect(fgd.score(idx(c, 'x'), p)).toBe(43); // 100 σ(−0.25) = 43.78
    expect(fgd.score(idx(c, 'y'), p)).toBe(56); // 100 σ(0.25) = 56.22
    expect(fgd.selectGpus(idx(c, 'y'), p)).toEqual([0]);
  });

  it('fgd-exact scores −ΔF × scale', () => {
    const c = clusterWith(states);
    const exact = new FgdPolicy(context(c, workload), { exact: true });
    const p = c.compile(pod({ numGpu: 1, gpuMilli: 500 }));
    expect(exact.name).toBe('fgd-exact');
    expect(exact.score(idx(c, 'x'), p)).toBe(0 - 500);
    expect(exact.score(idx(c, 'y'), p)).toBe(500 - 0);
  });

  it('chooses the device that keeps room for typical tasks, not the tightest one', () => {
    // Only typical task: 1×500 (scale 1). Node [550, 800], pod 1×300.
    // device 0 → [250, 800]: t fits on device 1, device 0 (250 < 500) is a fragment → ΔF = +250 → 43.
    // device 1 → [550, 500]: t fits on both, nothing < 500 → ΔF = 0 → 50.  FGD takes device 1
    // (best-fit would take 0, the tightest).
    const c = clusterWith([{ name: 'n', gpus: [550, 800] }]);
    const ctx = context(c, [pod({ numGpu: 1, gpuMilli: 500 })]);
    const p = c.compile(pod({ numGpu: 1, gpuMilli: 300 }));
    expect(new FgdPolicy(ctx).selectGpus(0, p)).toEqual([1]);
    expect(new FgdPolicy(ctx).score(0, p)).toBe(50);
    expect(new FgdPolicy(ctx, { exact: true }).selectGpus(0, p)).toEqual([1]);
    expect(new BestFitPolicy(context(c)).selectGpus(0, p)).toEqual([0]);
  });

  it('takes the first device among equal quantized scores, as the simulator does', () => {
    // Only typical task: 1×500. Node [1000, 990], pod 1×10.
    // device 0 → [990, 990]: nothing < 500 → ΔF = 0 → 50;  device 1 → [1000, 980]: ΔF = 0 → 50.  Tie → device 0.
    const c = clusterWith([{ name: 'n', gpus: [1000, 990] }]);
    const p = c.compile(pod({ numGpu: 1, gpuMilli: 10 }));
    expect(new FgdPolicy(context(c, [pod({ numGpu: 1, gpuMilli: 500 })])).selectGpus(0, p)).toEqual([0]);
  });

  it('counts a node whose cpu is too small for a task as all fragment', () => {
    // Typical task 1×1000 with 8 cores. Node with 10 cores and 2 free GPUs; pod asks 4 cores, no GPU.
    // before: cpu 10000 ≥ 8000, t fits → 0.  after: cpu 6000 < 8000 → the 2000 free milli are fragments.
    const c = clusterWith([{ name: 'n', gpus: [1000, 1000], cpu: 10_000 }]);
    const ctx = context(c, [pod({ cpuMilli: 8000, numGpu: 1, gpuMilli: 1000 })]);
    const p = c.compile(pod({ cpuMilli: 4000, numGpu: 0, gpuMilli: 0 }));
    expect(new FgdPolicy(ctx, { exact: true }).score(0, p)).toBe(-2000);
    expect(new FgdPolicy(ctx).score(0, p)).toBe(11); // 100 σ(−2) = 11.92
  });

  it('re-evaluates a node after it changes (the score cache follows the node version)', () => {
    const c = clusterWith([{ name: 'n', gpus: [1000, 1000] }]);
    const fgd = new FgdPolicy(context(c, workload), { exact: true });
    const p = c.compile(pod({ numGpu: 1, gpuMilli: 500 }));
    expect(fgd.score(0, p)).toBe(-500);
    c.place(0, p, [0]); // now [500, 1000]: placing another 500 on device 0 clears the fragment
    expect(fgd.score(0, p)).toBe(500);
  });
});

describe('best-fit', () => {
  it('scores ⌊100 (1 − ½(C−cpu)/128000 − ½(L−gpu)/8000)⌋ and takes the tightest device', () => {
    const c = clusterWith([
      { name: 'a', gpus: [1000, 1000], cpu: 32_000 },
      { name: 'b', gpus: Array(8).fill(1000), cpu: 96_000 },
    ]);
    const bf = new BestFitPolicy(context(c));
    const p = c.compile(pod({ cpuMilli: 8000, numGpu: 1, gpuMilli: 1000 }));
    // a: ½·24000/128000 + ½·1000/8000 = 0.09375 + 0.0625 = 0.15625 → ⌊84.375⌋ = 84
    expect(bf.score(idx(c, 'a'), p)).toBe(84);
    // b: ½·88000/128000 + ½·7000/8000 = 0.34375 + 0.4375 = 0.78125 → ⌊21.875⌋ = 21
    expect(bf.score(idx(c, 'b'), p)).toBe(21);
    const c2 = clusterWith([{ name: 'n', gpus: [550, 800, 300] }]);
    expect(new BestFitPolicy(context(c2)).selectGpus(0, c2.compile(pod({ numGpu: 1, gpuMilli: 300 })))).toEqual([2]);
  });

  it('takes the first fully free devices by index for a multi-GPU pod', () => {
    const c = clusterWith([{ name: 'n', gpus: [1000, 400, 1000, 1000] }]);
    expect(new BestFitPolicy(context(c)).selectGpus(0, c.compile(pod({ numGpu: 2, gpuMilli: 1000 })))).toEqual([0, 2]);
  });
});

describe('dotprod', () => {
  it('scores ⌊100 (1 − d/2)⌋ with d = (C/128000)(cpu/128000) + (L/8000)(gpu/8000)', () => {
    const c = clusterWith([
      { name: 'a', gpus: [1000, 1000], cpu: 32_000 },
      { name: 'b', gpus: Array(8).fill(1000), cpu: 96_000 },
    ]);
    const dp = new DotProdPolicy(context(c));
    const p = c.compile(pod({ cpuMilli: 8000, numGpu: 1, gpuMilli: 1000 }));
    // a: 0.25·0.0625 + 0.25·0.125 = 0.046875 → 100 (1 − 0.0234375) = ⌊97.66⌋ = 97
    expect(dp.score(idx(c, 'a'), p)).toBe(97);
    // b: 0.75·0.0625 + 1·0.125 = 0.171875 → 100 (1 − 0.0859375) = ⌊91.41⌋ = 91
    expect(dp.score(idx(c, 'b'), p)).toBe(91);
  });
});

describe('gpu-packing', () => {
  const pk = (states: Parameters<typeof clusterWith>[0], numGpu: number, gpuMilli: number) => {
    const c = clusterWith(states);
    return new GpuPackingPolicy(context(c)).score(0, c.compile(pod({ numGpu, gpuMilli })));
  };

  it('ranks shared devices (tier 1) over free devices of a used node (tier 2) over idle nodes (tier 3)', () => {
    // tier 1: device with 500 free → ⌊500·100/1000⌋ = 50 → 100 − ⌊50/10⌋ = 95
    expect(pk([{ name: 'n', gpus: [500, 1000] }], 1, 300)).toBe(95);
    // tier 1 with 700 free → 70 → 100 − 7 = 93 (the tighter device wins)
    expect(pk([{ name: 'n', gpus: [700, 1000] }], 1, 300)).toBe(93);
    // tier 2: whole GPU on a used node takes 1 free device → max(50 − 1, 33) = 49
    expect(pk([{ name: 'n', gpus: [500, 1000] }], 1, 1000)).toBe(49);
    // tier 3: idle 8-GPU node → max(33 − 8, 8) = 25; idle 2-GPU node → max(33 − 2, 2) = 31
    expect(pk([{ name: 'n', gpus: Array(8).fill(1000) }], 1, 1000)).toBe(25);
    expect(pk([{ name: 'n', gpus: [1000, 1000] }], 1, 500)).toBe(31);
    // CPU-only pods score 0
    expect(pk([{ name: 'n', gpus: [500, 1000] }], 0, 0)).toBe(0);
  });
});

describe('gpu-clustering', () => {
  it('scores ⌊25(8000 − L)/8000⌋ plus 75 / 50 / 25 / 0 by the node\'s affinity tags', () => {
    const c = clusterWith([
      { name: 'only-shared', gpus: [500, ...Array(7).fill(1000)] }, // L = 7500, tags {shared}
      { name: 'idle8', gpus: Array(8).fill(1000) }, // L = 8000, no tags
      { name: 'idle2', gpus: [1000, 1000] }, // L = 2000, no tags
      { name: 'mixed', gpus: [500, 0, ...Array(6).fill(1000)] }, // L = 6500, tags {shared, 1-gpu}
    ]);
    // make 'mixed' device 1 a whole-GPU pod (clusterWith placed a 1×1000 there → tag 1-gpu)
    const gc = new GpuClusteringPolicy(context(c));
    const shared = c.compile(pod({ numGpu: 1, gpuMilli: 300 }));
    const two = c.compile(pod({ numGpu: 2, gpuMilli: 1000 }));
    expect(gc.score(idx(c, 'only-shared'), shared)).toBe(1 + 75); // ⌊25·500/8000⌋ = ⌊1.5625⌋ = 1
    expect(gc.score(idx(c, 'idle8'), shared)).toBe(0 + 25);
    expect(gc.score(idx(c, 'idle2'), shared)).toBe(18 + 25); // ⌊25·6000/8000⌋ = ⌊18.75⌋ = 18
    expect(gc.score(idx(c, 'mixed'), shared)).toBe(4 + 50); // ⌊25·1500/8000⌋ = ⌊4.6875⌋ = 4
    expect(gc.score(idx(c, 'mixed'), two)).toBe(4 + 0); // no 2-GPU pod there, other tags present
    expect(gc.score(idx(c, 'idle8'), c.compile(pod({ numGpu: 0, gpuMilli: 0 })))).toBe(0);
  });
});

describe('random', () => {
  it('draws nodes uniformly among the feasible ones and devices among those that fit, from the seed', () => {
    const c = clusterWith([
      { name: 'a', gpus: [1000] },
      { name: 'b', gpus: [200, 600, 900] },
      { name: 'c', gpus: [1000] },
    ]);
    const draws = (seed: number) => {
      const r = new RandomPolicy(context(c, [], seed));
      const counts = [0, 0, 0];
      const gpus = new Set<number>();
      for (let k = 0; k < 3000; k++) {
        counts[r.pickNode([0, 1, 2])]++;
        gpus.add(r.selectGpus(idx(c, 'b'), c.compile(pod({ numGpu: 1, gpuMilli: 500 })))[0]);
      }
      return { counts, gpus: [...gpus].sort() };
    };
    const d = draws(7);
    for (const n of d.counts) expect(n).toBeGreaterThan(900); // each ≈ 1000 of 3000
    expect(d.gpus).toEqual([1, 2]); // device 0 (200 free) never fits a 500 request
    expect(draws(7)).toEqual(d);
    expect(draws(8).counts).not.toEqual(d.counts);
  });
});

describe('filter', () => {
  it('checks GPU model, cpu, memory, then GPU capacity', () => {
    const c = clusterWith([{ name: 'n', model: 'V100M16', gpus: [400, 1000], cpu: 8000, memoryMiB: 4096 }]);
    const f = (p: Parameters<typeof pod>[0]) => c.filter(0, c.compile(pod(p)));
    expect(f({ numGpu: 1, gpuMilli: 400 })).toBe(FIT);
    expect(f({ numGpu: 1, gpuMilli: 400, gpuSpec: ['T4', 'P100'] })).toBe(1);
    expect(f({ numGpu: 1, gpuMilli: 400, gpuSpec: ['P100', 'V100M16'] })).toBe(FIT);
    expect(f({ numGpu: 1, gpuMilli: 400, cpuMilli: 8001 })).toBe(2);
    expect(f({ numGpu: 1, gpuMilli: 400, memoryMiB: 5000 })).toBe(3);
    expect(f({ numGpu: 2, gpuMilli: 1000 })).toBe(4); // only one fully free device
    expect(f({ numGpu: 1, gpuMilli: 1000 })).toBe(FIT);
    expect(f({ numGpu: 0, gpuMilli: 0, gpuSpec: ['T4'] })).toBe(FIT); // CPU-only pods ignore the model
  });
});
