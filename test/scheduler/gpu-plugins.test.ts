/**
 * The GPU plugins on a hand-built two-node table, every number computed by hand in the comments:
 * GpuFit's verdicts, each policy's score of each node, the chosen node and the devices Reserve picks.
 *
 *   node a: 4 × V100M16, 64 cores; holds a 500-milli shared pod on device 0 and a whole GPU on device 1
 *           → free milli [500, 0, 1000, 1000] (Σ 2500), free cpu 64000 − 8000 = 56000
 *   node b: 2 × T4, 32 cores, empty → [1000, 1000] (Σ 2000), free cpu 32000
 *   node c: no GPUs, 64 cores
 *   pending pod P: 8 cores, one shared GPU of 300 milli
 */
import { describe, expect, it } from 'vitest';
import { resources } from '../../src/core/resources.js';
import type { GpuRequest, Workload } from '../../src/core/types.js';
import { RandomStreams } from '../../src/engine/random.js';
import { NodeTable } from '../../src/scheduler/framework/node-table.js';
import { podOf, reserveGpus } from '../../src/scheduler/framework-scheduler.js';
import { PROFILES, createFramework } from '../../src/scheduler/profiles.js';

const GI = 1024 ** 3;

function workload(name: string, cpuMilli: number, gpus?: GpuRequest): Workload {
  return {
    id: name,
    name,
    kind: 'service',
    replicas: 1,
    completions: 1,
    backoffLimit: 0,
    containers: [{ name: 'c', image: 'x', env: {}, ports: [], requests: resources({ cpu: cpuMilli, memory: GI }), limits: resources() }],
    labels: {},
    priority: 0,
    restartPolicy: 'Always',
    updateStrategy: { type: 'RollingUpdate', maxSurge: 1, maxUnavailable: 0 },
    generation: 1,
    ...(gpus ? { gpus } : {}),
  };
}

const shared = (milli: number, models: string[] = []): GpuRequest => ({ count: 1, milli, models });
const whole = (count: number, models: string[] = []): GpuRequest => ({ count, milli: 1000, models });
const P = workload('p', 8000, shared(300));

function table(): NodeTable {
  const node = (name: string, cpu: number, gpus?: { model: string; count: number }) => ({
    name,
    labels: {},
    taints: [],
    unschedulable: false,
    allocatable: resources({ cpu, memory: 256 * GI }),
    ...(gpus ? { gpus } : {}),
  });
  const t = new NodeTable([node('a', 64000, { model: 'V100M16', count: 4 }), node('b', 32000, { model: 'T4', count: 2 }), node('c', 64000)]);
  const bound = (w: Workload, devices: number[]) => {
    const w0 = podOf(w, resources({ cpu: 4000, memory: GI }), { uid: `${w.name}-0`, gpus: devices });
    t.addPod(0, w0);
  };
  bound(workload('s', 4000, shared(500)), [0]);
  bound(workload('w', 4000, whole(1)), [1]);
  return t;
}

function explain(profile: string, w: Workload, workloads: Workload[] = [w]) {
  const t = table();
  const fw = createFramework(PROFILES[profile], new RandomStreams(1).stream('scheduler'), { workloads });
  const pod = podOf(w, resources({ cpu: w.containers[0].requests.cpu, memory: GI }));
  const ex = fw.explain(pod, t);
  const plugin = fw.plugins.find((p) => p.weight > 0)!.plugin.name;
  const scores = Object.fromEntries(ex.nodes.filter((n) => n.feasible).map((n) => [t.names[n.node], n.scores[plugin]]));
  let devices: readonly number[] | undefined;
  if (ex.chosen !== undefined) {
    t.addPod(ex.chosen, pod);
    fw.reserve(pod, t, ex.chosen);
    devices = reserveGpus(pod, t, ex.chosen);
  }
  const verdicts = Object.fromEntries(
    ex.nodes.map((n) => [t.names[n.node], n.filters.find((f) => f.plugin === 'GpuFit')?.status?.reasons.join(',') ?? (n.feasible ? 'fits' : 'other')]),
  );
  return { scores, chosen: ex.chosen === undefined ? undefined : t.names[ex.chosen], devices, verdicts, table: t };
}

describe('GpuFit', () => {
  it('per device: shared pods need one device with room, k-GPU pods k free devices, models honoured', () => {
    // 700 milli: a has devices 2, 3 free; b both; c has no GPUs
    expect(explain('gpu-best-fit', workload('x', 1000, shared(700))).verdicts).toEqual({ a: 'fits', b: 'fits', c: 'Insufficient GPU' });
    // 3 whole GPUs: a has only 2 fully free (device 0 is half used), b has 2 devices
    expect(explain('gpu-best-fit', workload('x', 1000, whole(3))).verdicts).toEqual({ a: 'Insufficient GPU', b: 'Insufficient GPU', c: 'Insufficient GPU' });
    // 2 whole T4s: a's model is not allowed
    expect(explain('gpu-best-fit', workload('x', 1000, whole(2, ['T4']))).verdicts).toEqual({ a: 'GPU model not allowed', b: 'fits', c: 'Insufficient GPU' });
    // a pod without GPUs: GpuFit stays out (every node fits)
    expect(explain('gpu-best-fit', workload('x', 1000)).verdicts).toEqual({ a: 'fits', b: 'fits', c: 'fits' });
  });
});

describe('the six policies on pod P (8 cores, 300 milli shared)', () => {
  it('gpu-best-fit: waste = ½(cpu left − 8000)/128000 + ½(GPU left − 300)/8000', () => {
    // a: ½·48000/128000 + ½·2200/8000 = 0.1875 + 0.1375 = 0.325 → ⌊67.5⌋ = 67
    // b: ½·24000/128000 + ½·1700/8000 = 0.09375 + 0.10625 = 0.2 → 80; fullest fitting device of b: 0
    const r = explain('gpu-best-fit', P);
    expect(r.scores).toEqual({ a: 67, b: 80 });
    expect(r.chosen).toBe('b');
    expect(r.devices).toEqual([0]);
  });

  it('gpu-dotprod: ⌊100(1 − d/2)⌋, d = Σ free/128000·8000/128000 + free/8000·300/8000; ties to the smallest name; best-fit device', () => {
    // a: 0.4375·0.0625 + 0.3125·0.0375 = 0.0390625 → ⌊98.05⌋ = 98
    // b: 0.25·0.0625 + 0.25·0.0375 = 0.025 → ⌊98.75⌋ = 98 → tie, a wins; a's fullest fitting device: 0 (500 free)
    const r = explain('gpu-dotprod', P);
    expect(r.scores).toEqual({ a: 98, b: 98 });
    expect(r.chosen).toBe('a');
    expect(r.devices).toEqual([0]);
  });

  it('gpu-clustering: ⌊25(8000 − free)/8000⌋ + 50 where the shared tag is among others, + 25 on a node without GPU pods', () => {
    // a: ⌊25·5500/8000⌋ = 17, holds shared and 1-GPU pods → 67; b: ⌊25·6000/8000⌋ = 18, no GPU pods → 43
    const r = explain('gpu-clustering', P);
    expect(r.scores).toEqual({ a: 67, b: 43 });
    expect(r.chosen).toBe('a');
    expect(r.devices).toEqual([0]);
  });

  it('gpu-packing: fits on a partly used device (tier 1) beats an idle node (tier 3)', () => {
    // a: devices by free milli 0, 500, 1000, 1000; P takes device 0's 500 → 100 − ⌊50/10⌋ = 95
    // b: idle with 2 free devices → max(⌊100/3⌋ − 2, 2) = 31
    const r = explain('gpu-packing', P);
    expect(r.scores).toEqual({ a: 95, b: 31 });
    expect(r.chosen).toBe('a');
    expect(r.devices).toEqual([0]);
  });

  it('gpu-fgd: the device that adds no fragment, not the fullest one', () => {
    // typical pods: only P's shape (8 cores, 1 × 300). F = Σ free milli of devices with < 300 free.
    // a before: [500, 0, 1000, 1000] → 0. On device 0 → [200, ...] → F = 200, ΔF = 200;
    //   on device 2 → [500, 0, 700, 1000] → 0, ΔF = 0 → score ⌊100 σ(0)⌋ = 50, device 2.
    // b: [1000, 1000] → [700, 1000]: ΔF = 0 → 50. Tie → a, device 2 (best-fit would take device 0).
    const r = explain('gpu-fgd', P);
    expect(r.scores).toEqual({ a: 50, b: 50 });
    expect(r.chosen).toBe('a');
    expect(r.devices).toEqual([2]);
  });

  it('gpu-fgd: the typical pods decide — with 600-milli pods typical, device 0 (500 free) is already a fragment', () => {
    // typical: P (300) once and Q (1 core, 600 milli) three times → p = ¼, ¾ (weights 1 and 3).
    // a before: for P: fragments = device 1 (0) → 0; for Q: devices < 600 = 500 + 0 → 500. W = 3·500 = 1500.
    //   P on device 0 → [200, 0, 1000, 1000]: P: 200; Q: 200 → W = 200 + 600 = 800: ΔW = −700 → ΔF = −175
    //   P on device 2 → [500, 0, 700, 1000]: P: 0; Q: 500 → W = 1500: ΔF = 0
    //   score = ⌊100 σ(175/1000)⌋ = ⌊54.36⌋ = 54 on device 0.
    // b before 0; P on device 0 → [700, 1000]: both fit, no fragment → ΔF = 0 → 50.
    const Q = workload('q', 1000, shared(600));
    const r = explain('gpu-fgd', P, [P, { ...Q, replicas: 3 }]);
    expect(r.scores).toEqual({ a: 54, b: 50 });
    expect(r.chosen).toBe('a');
    expect(r.devices).toEqual([0]);
  });

  it('gpu-random: every node scores 0, the seeded draw picks the node and a fitting device', () => {
    const picks = new Set<string>();
    for (let seed = 0; seed < 20; seed++) {
      const t = table();
      const fw = createFramework(PROFILES['gpu-random'], new RandomStreams(seed).stream('scheduler'), { workloads: [P] });
      const pod = podOf(P, resources({ cpu: 8000, memory: GI }));
      const r = fw.scheduleOne(pod, t);
      expect(r.kind).toBe('assign');
      if (r.kind !== 'assign') continue;
      expect(r.candidates[0].scores).toEqual({ GpuRandom: 0 });
      t.addPod(r.node, pod);
      fw.reserve(pod, t, r.node);
      const d = reserveGpus(pod, t, r.node)!;
      expect(d).toHaveLength(1);
      // device 1 of a is full: never drawn
      if (t.names[r.node] === 'a') expect([0, 2, 3]).toContain(d[0]);
      picks.add(`${t.names[r.node]}/${d[0]}`);
    }
    expect(picks.size).toBeGreaterThan(2);
  });

  it('the bound pods\' devices are the state: removing the whole-GPU pod frees device 1', () => {
    const t = table();
    expect(t.gpu!.left(0, 1)).toBe(0);
    const w = t.pods[0].find((p) => p.name === 'w-0')!;
    t.removePod(0, w);
    expect(t.gpu!.left(0, 1)).toBe(1000);
    expect(t.gpu!.left(0, 0)).toBe(500);
    expect(t.gpu!.cpuLeft[0]).toBe(60000);
  });
});
