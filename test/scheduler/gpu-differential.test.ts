/**
 * The framework path (profiles gpu-<policy>: NodeTable per-device state, GpuFit, the policy
 * plugin's Score and Reserve) against src/gpu's experiment engine: the same pods in the same order
 * on the same cluster must land on the same node AND the same devices, pod by pod, for every
 * deterministic policy (ties to the smallest node name on both sides). gpu-random draws from a
 * different stream by design; it is checked for valid choices and replay instead.
 */
import { describe, expect, it } from 'vitest';
import { resources } from '../../src/core/resources.js';
import type { Workload } from '../../src/core/types.js';
import { RandomStream, RandomStreams } from '../../src/engine/random.js';
import { prepareArrivals, runExperiment } from '../../src/gpu/experiment.js';
import { POLICY_NAMES } from '../../src/gpu/policies/index.js';
import type { GpuNodeSpec, GpuPodSpec } from '../../src/gpu/types.js';
import { NodeTable } from '../../src/scheduler/framework/node-table.js';
import { podOf, reserveGpus } from '../../src/scheduler/framework-scheduler.js';
import { PROFILES, createFramework, gpuProfileName } from '../../src/scheduler/profiles.js';

const MIB = 1024 * 1024;

/** 24 nodes of three models (2, 4 and 8 GPUs) and one CPU-only node, like the trace's. */
function cluster(): GpuNodeSpec[] {
  const nodes: GpuNodeSpec[] = [];
  const kinds: Array<[string, number, number]> = [['T4', 2, 32000], ['V100M16', 4, 64000], ['G2', 8, 96000]];
  for (let i = 0; i < 24; i++) {
    const [model, gpuCount, cpuMilli] = kinds[i % 3];
    nodes.push({ name: `node-${String(i).padStart(2, '0')}`, cpuMilli, memoryMiB: 262144, gpuCount, model });
  }
  nodes.push({ name: 'node-cpu', cpuMilli: 64000, memoryMiB: 262144, gpuCount: 0, model: '' });
  return nodes;
}

/** 300 trace-like pods: mostly shared GPUs of a few sizes, some whole GPUs, CPU-only ones, some gpu_spec. */
function pods(seed: number): GpuPodSpec[] {
  const r = new RandomStream('test.pods', seed);
  const out: GpuPodSpec[] = [];
  for (let k = 0; k < 300; k++) {
    const kind = r.int(0, 9);
    const [numGpu, gpuMilli] =
      kind < 5 ? [1, r.pick([100, 250, 300, 500, 700])] : kind < 7 ? [1, 1000] : kind === 7 ? [r.pick([2, 4, 8]), 1000] : [0, 0];
    const gpuSpec = numGpu > 0 && r.int(0, 5) === 0 ? r.pick([['G2'], ['V100M16', 'T4'], ['T4']]) : [];
    out.push({ name: `pod-${String(k).padStart(3, '0')}`, cpuMilli: r.pick([1000, 2000, 4000, 8000, 12000]), memoryMiB: r.pick([2048, 8192, 16384]), numGpu, gpuMilli, gpuSpec });
  }
  return out;
}

function workloadOf(p: GpuPodSpec): Workload {
  const req = resources({ cpu: p.cpuMilli, memory: p.memoryMiB * MIB });
  return {
    id: p.name,
    name: p.name,
    kind: 'service',
    replicas: 1,
    completions: 1,
    backoffLimit: 0,
    containers: [{ name: 'task', image: 'x', env: {}, ports: [], requests: req, limits: resources() }],
    labels: {},
    priority: 0,
    restartPolicy: 'Always',
    updateStrategy: { type: 'RollingUpdate', maxSurge: 1, maxUnavailable: 0 },
    generation: 1,
    ...(p.numGpu > 0 && p.gpuMilli > 0 ? { gpus: { count: p.numGpu, milli: p.gpuMilli, models: p.gpuSpec } } : {}),
  };
}

type Choice = { pod: string; node?: string; gpus: readonly number[] };

function viaFramework(policy: string, nodes: GpuNodeSpec[], original: GpuPodSpec[], arrivals: GpuPodSpec[], seed: number): Choice[] {
  const table = new NodeTable(
    [...nodes]
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map((n) => ({
        name: n.name,
        labels: {},
        taints: [],
        unschedulable: false,
        allocatable: resources({ cpu: n.cpuMilli, memory: n.memoryMiB * MIB }),
        maxPods: 10_000,
        ...(n.gpuCount > 0 ? { gpus: { model: n.model, count: n.gpuCount } } : {}),
      })),
  );
  const fw = createFramework(PROFILES[gpuProfileName(policy)], new RandomStreams(seed).stream('scheduler'), { workloads: original.map(workloadOf) });
  return arrivals.map((spec) => {
    const w = workloadOf(spec);
    const pod = podOf(w, resources({ cpu: spec.cpuMilli, memory: spec.memoryMiB * MIB }));
    const r = fw.scheduleOne(pod, table);
    if (r.kind !== 'assign') return { pod: spec.name, gpus: [] };
    table.addPod(r.node, pod);
    fw.reserve(pod, table, r.node);
    const gpus = reserveGpus(pod, table, r.node) ?? [];
    return { pod: spec.name, node: table.names[r.node], gpus };
  });
}

describe('GPU policies: framework plugins vs the experiment engine', () => {
  const nodes = cluster();
  for (const policy of POLICY_NAMES.filter((p) => p !== 'random')) {
    it(`${gpuProfileName(policy)}: same node and devices for every pod (2 seeds)`, () => {
      for (const seed of [3, 11]) {
        const original = pods(seed);
        const capacityMilli = nodes.reduce((a, n) => a + n.gpuCount * 1000, 0);
        const arrivals = prepareArrivals(original, { seed, capacityMilli });
        const engine: Choice[] = [];
        runExperiment({ nodes, pods: original, policy, seed, onPlacement: (p) => engine.push({ pod: p.pod, ...(p.node ? { node: p.node } : {}), gpus: p.gpus }) });
        const framework = viaFramework(policy, nodes, original, arrivals, seed);
        expect(framework.length).toBe(engine.length);
        // both placed some and left some out (the workload is inflated to 130% of the GPUs)
        expect(engine.filter((c) => c.node !== undefined).length).toBeGreaterThan(100);
        expect(engine.some((c) => c.node === undefined)).toBe(true);
        for (let k = 0; k < engine.length; k++) expect({ k, ...framework[k] }).toEqual({ k, ...engine[k] });
      }
    });
  }

  it('gpu-random: every choice fits (no device over 1000 milli, allowed model) and a seed replays', () => {
    const original = pods(5);
    const capacityMilli = nodes.reduce((a, n) => a + n.gpuCount * 1000, 0);
    const arrivals = prepareArrivals(original, { seed: 5, capacityMilli });
    const a = viaFramework('random', nodes, original, arrivals, 5);
    expect(viaFramework('random', nodes, original, arrivals, 5)).toEqual(a);
    expect(viaFramework('random', nodes, original, arrivals, 6)).not.toEqual(a);
    const used = new Map<string, number>();
    const byName = new Map(nodes.map((n) => [n.name, n]));
    for (let k = 0; k < arrivals.length; k++) {
      const c = a[k];
      const spec = arrivals[k];
      if (!c.node) continue;
      const n = byName.get(c.node)!;
      const wants = spec.numGpu > 0 && spec.gpuMilli > 0 ? spec.numGpu : 0;
      expect(c.gpus.length).toBe(wants);
      if (wants > 0 && spec.gpuSpec.length > 0) expect(spec.gpuSpec).toContain(n.model);
      for (const g of c.gpus) {
        const key = `${c.node}/${g}`;
        used.set(key, (used.get(key) ?? 0) + spec.gpuMilli);
        expect(g).toBeLessThan(n.gpuCount);
        expect(used.get(key)).toBeLessThanOrEqual(1000);
      }
    }
    expect(a.filter((c) => c.node !== undefined).length).toBeGreaterThan(100);
  });
});
