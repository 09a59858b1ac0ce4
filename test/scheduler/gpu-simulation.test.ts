/**
 * GPU devices end to end: the scenario fields (`gpus` on nodes and workloads, bad values as one
 * FILE:LINE:COL line), `slipway run` placing per device with the gpu-* profiles, the devices in the
 * trace's placement event, and the simulator's device admission.
 */
import { describe, expect, it } from 'vitest';
import { SimCluster } from '../../backends/sim/sim-cluster.js';
import { InputError } from '../../src/core/errors.js';
import { Orchestrator } from '../../src/core/orchestrator.js';
import { resources } from '../../src/core/resources.js';
import { InMemoryStateStore } from '../../src/core/state-store.js';
import type { Workload } from '../../src/core/types.js';
import { SeededIds } from '../../src/engine/ids.js';
import { RandomStream } from '../../src/engine/random.js';
import { Simulation } from '../../src/engine/simulation.js';
import { createScheduler } from '../../src/scheduler/registry.js';
import { waitFor } from '../support/backends.js';
import { DEFAULT_CONTROL_PLANE, DEFAULT_LATENCY, node } from '../support/scenario-builder.js';
import { simulate } from '../../src/run/simulate.js';
import { parseScenario } from '../../src/run/parse-scenario.js';
import { traceParts } from '../support/trace-parts.js';

const BASE = `name: gpu
seed: 7
duration: 1m
nodes:
  - name: a
    capacity: {cpu: 32, memory: 64Gi}
    gpus: {model: V100M16, count: 2}
  - name: b
    capacity: {cpu: 32, memory: 64Gi}
    gpus: {model: T4, count: 4}
  - name: c
    capacity: {cpu: 32, memory: 64Gi}
`;

const wl = (name: string, replicas: number, gpus: string) =>
  `  - name: ${name}\n    replicas: ${replicas}\n    gpus: ${gpus}\n    containers: [{name: c, image: x, requests: {cpu: 1, memory: 1Gi}}]\n`;

async function run(text: string, scheduler?: string) {
  const s = parseScenario(text, 's.yaml');
  const records: Array<{ type: string; fields: Record<string, unknown> }> = [];
  const scenario = scheduler ? { ...s, scheduler: { name: scheduler } } : s;
  const summary = await simulate(scenario, { onEvent: traceParts((type, fields) => records.push({ type, fields: structuredClone(fields) })) });
  return { summary, of: (type: string) => records.filter((r) => r.type === type).map((r) => r.fields) };
}

describe('GPU fields in scenarios', () => {
  it('reads node devices and workload requests (models as a list or the trace\'s "|" string)', () => {
    const s = parseScenario(`${BASE}workloads:\n${wl('s', 1, '{milli: 250}')}${wl('w', 1, '{count: 2, models: "V100M16|T4"}')}`, 's.yaml');
    expect(s.nodes.map((n) => n.gpus)).toEqual([{ model: 'V100M16', count: 2 }, { model: 'T4', count: 4 }, undefined]);
    expect(s.workloads.map((w) => w.gpus)).toEqual([
      { count: 1, milli: 250, models: [] },
      { count: 2, milli: 1000, models: ['V100M16', 'T4'] },
    ]);
  });

  it.each<[string, string, string]>([
    ['a shared share on several devices', wl('x', 1, '{count: 2, milli: 500}'), 's.yaml:16:29: workloads[0].gpus.milli: 500 milli-GPU per device is a shared GPU: only with count 1 (count is 2)'],
    ['more than 1000 milli', wl('x', 1, '{milli: 1500}'), 's.yaml:16:19: workloads[0].gpus.milli: expected an integer from 1 to 1000, got 1500'],
    ['an empty model', wl('x', 1, '{models: [V100M16, ""]}'), 's.yaml:16:30: workloads[0].gpus.models[1]: expected a non-empty GPU model name, got ""'],
  ])('rejects %s with FILE:LINE:COL', (_what, workload, message) => {
    expect(() => parseScenario(`${BASE}workloads:\n${workload}`, 's.yaml')).toThrow(InputError);
    expect(() => parseScenario(`${BASE}workloads:\n${workload}`, 's.yaml')).toThrow(message);
  });

  it('reads the gpushare / FGD simulator form from Kubernetes manifests (gpu-count, gpu-milli, gpu-card-model)', () => {
    const text = `name: k
duration: 1m
manifests:
  - apiVersion: v1
    kind: Node
    metadata: {name: g1, labels: {alibabacloud.com/gpu-card-model: V100M16}}
    status:
      capacity: {cpu: "32", memory: 64Gi, alibabacloud.com/gpu-count: "8", alibabacloud.com/gpu-milli: "1000"}
  - apiVersion: v1
    kind: Pod
    metadata:
      name: share
      annotations: {alibabacloud.com/gpu-milli: "250", alibabacloud.com/gpu-count: "1", alibabacloud.com/gpu-card-model: "V100M16|T4"}
    spec: {containers: [{name: c, image: x, resources: {requests: {cpu: "1"}}}]}
  - apiVersion: apps/v1
    kind: Deployment
    metadata: {name: train}
    spec:
      replicas: 2
      template:
        metadata: {annotations: {alibabacloud.com/gpu-milli: "1000", alibabacloud.com/gpu-count: "2"}}
        spec: {containers: [{name: c, image: x}]}
  - apiVersion: v1
    kind: Pod
    metadata: {name: bad, annotations: {alibabacloud.com/gpu-milli: "lots"}}
    spec: {containers: [{name: c, image: x}]}
`;
    expect(() => parseScenario(text, 'k.yaml')).toThrow(/^k\.yaml:\d+:\d+: .*gpus\.milli: expected an integer from 1 to 1000, got "lots"/);
    const s = parseScenario(text.slice(0, text.indexOf('  - apiVersion: v1\n    kind: Pod\n    metadata: {name: bad')), 'k.yaml');
    expect(s.nodes[0].gpus).toEqual({ model: 'V100M16', count: 8 });
    expect(s.nodes[0].capacity.extended).toEqual({});
    expect(s.workloads.map((w) => [w.name, w.gpus])).toEqual([
      ['share', { count: 1, milli: 250, models: ['V100M16', 'T4'] }],
      ['train', { count: 2, milli: 1000, models: [] }],
    ]);
  });

  it('rejects a node with 9 GPUs', () => {
    expect(() => parseScenario(BASE.replace('count: 4', 'count: 9'), 's.yaml')).toThrow(/^s\.yaml:10:30: nodes\[1\]\.gpus\.count: expected an integer from 1 to 8, got 9$/);
  });
});

describe('GPU placement in simulated runs', () => {
  it('gpu-best-fit: shared pods pack onto one device, whole-GPU pods take free devices of an allowed model; devices in the trace', async () => {
    const { of, summary } = await run(`${BASE}workloads:\n${wl('w', 2, '{count: 2, models: [V100M16]}')}${wl('s', 3, '{milli: 300}')}`, 'gpu-best-fit');
    const placed = of('instance.scheduled');
    const s = placed.filter((p) => p.workload === 's');
    // best-fit packs: the three 300-milli pods share the fullest device that fits
    expect(new Set(s.map((p) => `${p.node}/${(p.gpus as number[]).join()}`)).size).toBe(1);
    const w = placed.filter((p) => p.workload === 'w');
    expect(w).toHaveLength(1); // only node a has V100M16 devices, and two of them
    expect(w[0]).toMatchObject({ node: 'a', gpus: [0, 1] });
    const unsched = of('instance.unschedulable').filter((u) => u.workload === 'w');
    expect(unsched[0].message).toBe('0/3 nodes are available: 2 Insufficient GPU, 1 GPU model not allowed.');
    expect(summary.workloads.find((x) => x.name === 'w')).toMatchObject({ running: 1, pending: 1 });
    expect(of('node.added')[0].gpus).toEqual({ model: 'V100M16', count: 2 });
  });

  it('every built-in profile is device-aware (GpuFit filters, best-fit devices by default); a replay gives the same trace', async () => {
    const text = `${BASE}workloads:\n${wl('s', 6, '{milli: 600}')}`;
    const a = await run(text, 'default');
    const placed = a.of('instance.scheduled');
    // 600 milli: one pod per device; 6 devices in all on a and b, none on c
    expect(placed).toHaveLength(6);
    const devices = placed.map((p) => `${p.node}/${(p.gpus as number[]).join()}`);
    expect(new Set(devices).size).toBe(6);
    expect(placed.every((p) => p.node !== 'c')).toBe(true);
    const b = await run(text, 'default');
    expect(b.summary.traceHash).toBe(a.summary.traceHash);
  });

  it('the simulator refuses a GPU container without devices (round-robin knows nothing of GPUs)', async () => {
    const { of } = await run(`${BASE}workloads:\n${wl('s', 1, '{milli: 600}')}`, 'round-robin');
    const failed = of('instance.failed').concat(of('container.create_failed'));
    expect(JSON.stringify(failed)).toContain('OutOfGpu');
  });
});

describe('a restarted control plane adopting GPU instances', () => {
  it('reads the devices back from the container labels, so a new GPU pod gets the other device', async () => {
    const sim = new Simulation(7);
    const cluster = new SimCluster({ sim, latency: DEFAULT_LATENCY, controlPlane: DEFAULT_CONTROL_PLANE, ids: new SeededIds(sim.random.stream('ids.container'), 10) });
    cluster.addNode({ ...node('g'), gpus: { model: 'T4', count: 2 } }, true);
    const workload = (name: string): Workload => ({
      id: name,
      name,
      kind: 'service',
      replicas: 1,
      completions: 0,
      backoffLimit: 0,
      containers: [{ name: 'c', image: 'x', env: {}, ports: [], requests: resources({ cpu: 100, memory: 2 ** 20 }), limits: resources() }],
      labels: {},
      priority: 0,
      restartPolicy: 'Always',
      updateStrategy: { type: 'RollingUpdate', maxSurge: 1, maxUnavailable: 0 },
      generation: 1,
      gpus: { count: 1, milli: 600, models: [] },
    });
    const make = (store: InMemoryStateStore, seed: number) =>
      new Orchestrator({
        clock: sim,
        runtime: cluster,
        cluster: cluster.manager,
        scheduler: createScheduler('gpu-best-fit', { random: new RandomStream('scheduler', seed) }),
        store,
        ids: new SeededIds(new RandomStream('ids', seed), 6),
        recorder: { record: () => {} },
        config: { ...DEFAULT_CONTROL_PLANE, reconcileIntervalMs: 1_000, resyncIntervalMs: 2_000 },
        onError: (e) => {
          throw e;
        },
      });
    let out: { first: unknown; adopted: unknown; second: unknown; refused: number } | undefined;
    sim.setTimer(0, () => {
      void (async () => {
        const firstStore = new InMemoryStateStore();
        const first = make(firstStore, 1);
        await first.start();
        first.apply(workload('one'));
        await waitFor(sim, 'one running', () => first.status('one')!.running === 1 || undefined);
        const firstGpus = firstStore.listInstances('one')[0].gpus;
        first.shutdown();
        const store = new InMemoryStateStore();
        store.putWorkload(workload('one'));
        const second = make(store, 2);
        await second.start({ adopt: true });
        const adopted = store.listInstances('one')[0]?.gpus;
        second.apply(workload('two'));
        await waitFor(sim, 'two running', () => second.status('two')!.running === 1 || undefined);
        out = { first: firstGpus, adopted, second: store.listInstances('two')[0].gpus, refused: cluster.admissionRejections };
        second.shutdown();
        sim.stop();
      })();
    });
    await sim.run({ until: 600_000 });
    expect(out).toEqual({ first: [0], adopted: [0], second: [1], refused: 0 });
  });
});
