/**
 * simulate_change: a snapshot of a running cluster plus a proposed change, run in the simulator.
 * The snapshot here is taken from a simulated cluster 2 minutes into its run (the same objects a
 * daemon's control plane holds); the what-if must keep the snapshot's instances where they are,
 * apply the change, and be replayable from the scenario file it writes.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { InputError } from '../../src/core/errors.js';
import { simulate, type SimWorld } from '../../src/run/simulate.js';
import { parseScenario } from '../../src/run/parse-scenario.js';
import { simulateChange, whatIfScenario, type ClusterSnapshot, type SimulateRequest } from '../../src/serve/simulate-change.js';
import { simulateChangeInWorker } from '../../src/serve/simulate-change-thread.js';
import { snapshotOf } from '../../src/serve/snapshot.js';

const BIN = join(import.meta.dirname, '../../bin/slipway.js');
const dir = mkdtempSync(join(tmpdir(), 'slipway-what-if-'));

// Six nodes in three zones (4 cpu each); web spreads 6 replicas of 1 cpu over the zones, api runs 2.
const CLUSTER = `name: live
seed: 11
duration: 2m
scheduler: default
nodes:
  - {name: a-1, capacity: {cpu: 4, memory: 8Gi}, labels: {topology.kubernetes.io/zone: a}}
  - {name: a-2, capacity: {cpu: 4, memory: 8Gi}, labels: {topology.kubernetes.io/zone: a}}
  - {name: b-1, capacity: {cpu: 4, memory: 8Gi}, labels: {topology.kubernetes.io/zone: b}}
  - {name: b-2, capacity: {cpu: 4, memory: 8Gi}, labels: {topology.kubernetes.io/zone: b}}
  - {name: c-1, capacity: {cpu: 4, memory: 8Gi}, labels: {topology.kubernetes.io/zone: c}}
  - {name: c-2, capacity: {cpu: 4, memory: 8Gi}, labels: {topology.kubernetes.io/zone: c}}
workloads:
  - name: web
    replicas: 6
    labels: {app: web}
    containers: [{name: web, image: nginx:1.25, requests: {cpu: 1, memory: 1Gi}}]
    placement:
      topologySpreadConstraints:
        - {maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: web}}}
  - name: api
    replicas: 2
    containers: [{name: api, image: busybox, requests: {cpu: 500m, memory: 512Mi}}]
`;

let snapshot: ClusterSnapshot;

beforeAll(async () => {
  let world: SimWorld | undefined;
  const scenario = parseScenario(CLUSTER, 'live.yaml');
  await simulate(scenario, { observe: (w) => (world = w) });
  snapshot = snapshotOf({ orchestrator: world!.orchestrator, store: world!.store, cluster: world!.cluster.manager, scheduler: 'default' });
});

const nodeOf = (id: string) => snapshot.instances.find((i) => i.id === id)?.node;

describe('simulate_change', () => {
  it('drain: the drained node ends empty, its instances move, the rest stay where they were', async () => {
    const victim = snapshot.instances.find((i) => i.workloadName === 'web')!.node!;
    const r = await simulateChange(snapshot, { changes: [{ kind: 'drain', node: victim }] }, { dir });
    expect(r.converged).toBe(true);
    expect(r.convergedAfterMs).toBeGreaterThan(0);
    expect(r.convergedAfterMs).toBeLessThan(60_000);
    expect(r.placements.filter((p) => p.node === victim)).toEqual([]);
    const onVictim = snapshot.instances.filter((i) => i.node === victim && i.status === 'Running').map((i) => i.id).sort();
    expect(onVictim.length).toBeGreaterThan(0);
    expect(r.stopped).toEqual(onVictim);
    expect(r.started).toHaveLength(onVictim.length);
    // Every instance that was not on the drained node is still where the snapshot had it.
    for (const p of r.placements) if (!r.started.includes(p.instance)) expect(p.node).toBe(nodeOf(p.instance));
    expect(r.pending).toEqual([]);
    expect(r.horizonMs).toBe(600_000);
  });

  it('scale down: converges when the last stopped instance is gone, not at the horizon', async () => {
    const r = await simulateChange(snapshot, { changes: [{ kind: 'scale', workload: 'web', replicas: 3 }] }, { dir });
    expect(r.stopped).toHaveLength(3);
    expect(r.converged).toBe(true);
    // The stops take the sim's container stop latency (well under a minute). Evaluated at the
    // record of the last `instance.removed` (that instance still terminating), it said 600,000.
    expect(r.convergedAfterMs).toBeGreaterThan(0);
    expect(r.convergedAfterMs).toBeLessThan(60_000);
    expect(r.workloads.find((w) => w.name === 'web')).toMatchObject({ desired: 3, running: 3, pending: 0 });
  });

  it('scale beyond the cluster: does not converge, and says what stays pending and why', async () => {
    const r = await simulateChange(snapshot, { changes: [{ kind: 'scale', workload: 'web', replicas: 40 }], horizon: '2m' }, { dir });
    expect(r.converged).toBe(false);
    expect(r.convergedAfterMs).toBeUndefined();
    const web = r.pending.find((p) => p.workload === 'web')!;
    expect(web.pending).toBeGreaterThan(0);
    expect(web.reason).toMatch(/^0\/6 nodes are available: .*Insufficient cpu/);
    expect(r.liveness.capacity.join('\n')).toMatch(/web: cannot converge: .*cpu short/);
    expect(r.liveness.failures).toEqual([]);
    expect(r.horizonMs).toBe(120_000);
  });

  it('apply: a new workload is placed; a new image on an existing one rolls it out', async () => {
    const r = await simulateChange(
      snapshot,
      {
        changes: [
          { kind: 'apply', workload: { name: 'cache', replicas: 3, containers: [{ name: 'redis', image: 'redis:7', requests: { cpu: '250m', memory: '256Mi' } }] } },
          { kind: 'apply', workload: { name: 'api', replicas: 3, containers: [{ name: 'api', image: 'busybox:1.37', requests: { cpu: '500m', memory: '512Mi' } }] } },
        ],
      },
      { dir },
    );
    expect(r.converged).toBe(true);
    expect(r.placements.filter((p) => p.workload === 'cache' && p.status === 'Running')).toHaveLength(3);
    expect(r.placements.filter((p) => p.workload === 'api' && p.status === 'Running')).toHaveLength(3);
    // The old api instances were replaced by the rollout.
    for (const i of snapshot.instances.filter((x) => x.workloadName === 'api')) expect(r.stopped).toContain(i.id);
    const doc = parse(readFileSync(r.scenarioFile, 'utf8')) as { operations: unknown[] };
    expect(doc.operations).toEqual([
      { at: '1000ms', update: { workload: 'api', container: 'api', image: 'busybox:1.37' } },
      { at: '1000ms', scale: { workload: 'api', replicas: 3 } },
    ]);
  });

  it('zone loss: every instance of the zone moves to the other zones', async () => {
    const r = await simulateChange(snapshot, { changes: [{ kind: 'zoneLoss', zone: 'b' }] }, { dir });
    const inB = new Set(['b-1', 'b-2']);
    for (const p of r.placements.filter((x) => x.status === 'Running')) expect(inB.has(p.node!)).toBe(false);
    // web's spread constraint (maxSkew 1 over zones a, b, c) cannot hold with b empty: the report says so.
    expect(r.placements.filter((p) => p.workload === 'api' && p.status === 'Running')).toHaveLength(2);
  });

  it('is deterministic, and its replay command reproduces the trace hash from the file it wrote', async () => {
    const req: SimulateRequest = { changes: [{ kind: 'nodeLoss', node: 'c-1' }], horizon: '3m', seed: 4 };
    const a = await simulateChange(snapshot, req, { dir });
    const b = await simulateChange(snapshot, req, { dir });
    expect(b.traceHash).toBe(a.traceHash);
    expect(b.scenarioFile).toBe(a.scenarioFile);
    expect(a.replay).toBe(`npx slipway run ${a.scenarioFile} --seed 4`);
    const [, , , file, ...flags] = a.replay.split(' ');
    const out = join(dir, 'replay');
    const p = spawnSync(process.execPath, [BIN, 'run', file, ...flags, '--json', '--out', out], { encoding: 'utf8' });
    expect(p.stderr).toBe('');
    expect((JSON.parse(p.stdout) as { traceHash: string }).traceHash).toBe(a.traceHash);
  });

  it('runs in a worker thread with the same outcome', async () => {
    const req: SimulateRequest = { changes: [{ kind: 'scale', workload: 'api', replicas: 4 }], horizon: '1m' };
    const here = await simulateChange(snapshot, req, { dir, fileName: 'here.yaml' });
    const there = await simulateChangeInWorker(snapshot, req, { dir, fileName: 'there.yaml' });
    expect(there.converged).toBe(true);
    expect(there.placements).toEqual(here.placements);
    await expect(simulateChangeInWorker(snapshot, { changes: [{ kind: 'drain', node: 'z-9' }] }, { dir })).rejects.toThrow(InputError);
  });

  it('bad requests name the field and the value', async () => {
    const bad = (req: SimulateRequest, msg: RegExp) => expect(() => whatIfScenario(snapshot, req)).toThrow(msg);
    bad({ changes: [{ kind: 'drain', node: 'a-3' }] }, /^changes\[0\]\.node: unknown node "a-3".*did you mean "a-1"/);
    bad({ changes: [{ kind: 'scale', workload: 'wbe', replicas: 1 }] }, /^changes\[0\]\.workload: unknown workload "wbe".*did you mean "web"/);
    bad({ changes: [{ kind: 'zoneLoss', zone: 'd' }] }, /^changes\[0\]\.zone: no node has topology.kubernetes.io\/zone=d \(zones: a, b, c\)/);
    bad({ changes: [{ kind: 'delete', workload: 'api' }], horizon: 'soon' }, /^horizon: invalid duration "soon"/);
    bad({ changes: [{ kind: 'apply', workload: { name: 'x', containers: [{ name: 'x', image: 'x', requests: { cpu: 'lots' } }] } }] }, /^changes\[0\]\.workload\.containers\[0\]\.requests\.cpu: /);
    bad(
      { changes: [{ kind: 'apply', workload: { name: 'api', replicas: 2, labels: { tier: 'x' }, containers: [{ name: 'api', image: 'busybox', requests: { cpu: '500m', memory: '512Mi' } }] } }] },
      /^changes\[0\]: changing labels of the existing workload "api" cannot be simulated/,
    );
    await expect(simulateChange(snapshot, { changes: [{ kind: 'delete', workload: 'api' }], faults: [{ at: '1m', nodeCrash: { node: 'q' } }] }, { dir })).rejects.toThrow(
      /^faults\[0\]\.nodeCrash\.node: unknown node "q"/,
    );
  });
});
