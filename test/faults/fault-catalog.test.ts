/**
 * The fault catalog, kind by kind, through scenario YAML and the real control plane: each test
 * asserts what a user would see in the trace or the cluster's ground truth.
 */
import { describe, expect, it } from 'vitest';
import { simulate, type SimWorld } from '../../src/run/simulate.js';
import { parseScenario } from '../../src/run/parse-scenario.js';
import { forgetsStaleCopies } from '../support/planted-bugs.js';
import { traceParts } from '../support/trace-parts.js';

type Rec = { t: number; type: string } & Record<string, unknown>;

const BASE = `
name: faults
seed: 5
duration: 20m
nodes:
  - {name: "node-{i}", count: 4, capacity: {cpu: 4, memory: 8Gi}, labels: {zone: a}}
  - {name: "east-{i}", count: 2, capacity: {cpu: 4, memory: 8Gi}, labels: {zone: b}}
workloads:
  - name: web
    replicas: 6
    containers:
      - {name: web, image: "nginx:1.25", requests: {cpu: 500m, memory: 512Mi}, limits: {memory: 1Gi}}
`;

async function run(faults: string, opts: { extra?: string; base?: string; reconcile?: typeof forgetsStaleCopies } = {}) {
  const text = `${opts.base ?? BASE}${opts.extra ?? ''}\nfaults:\n${faults}\n`;
  const scenario = parseScenario(text, 'faults.yaml');
  const records: Rec[] = [];
  let world: SimWorld | undefined;
  const summary = await simulate(scenario, {
    onEvent: traceParts((type, fields, t) => records.push({ t, type, ...fields })),
    observe: (w) => (world = w),
    liveness: true,
    ...(opts.reconcile ? { reconcile: opts.reconcile } : {}),
  });
  const of = (type: string) => records.filter((r) => r.type === type);
  return { summary, records, of, world: world! };
}

/** Ground truth: running containers per node. */
function runningOn(world: SimWorld): Record<string, number> {
  const out: Record<string, number> = {};
  for (const n of world.cluster.sortedNodes()) out[n.name] = [...n.containers.values()].filter((c) => c.state === 'running').length;
  return out;
}

describe('partition (the gray failure)', () => {
  it('replaces instances of a cut-off node whose containers keep running, and stops the stale copies on heal', async () => {
    let during: Record<string, number> = {};
    const text = `${BASE}\nfaults:\n  - {at: 2m, partition: {node: node-1, duration: 5m}}\n`;
    const scenario = parseScenario(text, 'p.yaml');
    const records: Rec[] = [];
    const summary = await simulate(scenario, {
      onEvent: traceParts((type, fields, t) => records.push({ t, type, ...fields })),
      observe: (w) => w.sim.at(6 * 60_000, () => (during = runningOn(w))),
      liveness: true,
    });
    // During the partition: node-1's containers still run, and the replacements run elsewhere.
    expect(during['node-1']).toBeGreaterThan(0);
    const total = Object.values(during).reduce((a, b) => a + b, 0);
    expect(total).toBe(6 + during['node-1']);
    const evicted = records.filter((r) => r.type === 'instance.stopping' && r.reason === 'evicted').map((r) => r.instance);
    expect(evicted.length).toBe(during['node-1']);
    // After the heal at 7m: the stale copies are stopped and removed.
    const removed = records.filter((r) => r.type === 'instance.removed' && evicted.includes(r.instance) && r.t >= 7 * 60_000);
    expect(removed.length).toBe(evicted.length);
    expect(summary.violation).toBeUndefined();
    expect(summary.liveness?.ok).toBe(true);
    expect(summary.workloads[0].running).toBe(6);
  });

  it('a control plane that forgets stale copies is caught by the invariants', async () => {
    const { summary } = await run('  - {at: 2m, partition: {node: node-1, duration: 5m}}', { reconcile: forgetsStaleCopies });
    expect(summary.ok).toBe(false);
    expect(summary.violation?.invariant).toBe('surge');
    expect(summary.violation?.event).toBeGreaterThan(0);
  });

  it('one-way: losing only what the node sends makes it NotReady; losing only what it receives keeps it Ready', async () => {
    const toCp = await run('  - {at: 1m, partition: {node: node-2, duration: 3m, direction: toControlPlane}}');
    expect(toCp.of('node.status').some((r) => r.node === 'node-2' && r.to === 'NotReady')).toBe(true);
    const fromCp = await run('  - {at: 1m, partition: {node: node-2, duration: 3m, direction: fromControlPlane}}');
    expect(fromCp.of('node.status').some((r) => r.node === 'node-2')).toBe(false);
    expect(fromCp.world.cluster.network.stats.partitioned).toBeGreaterThan(0);
    expect(fromCp.summary.liveness?.ok).toBe(true);
  });
});

describe('node faults', () => {
  it('freeze: the node goes NotReady, its work resumes afterwards and the cluster converges', async () => {
    const { of, summary } = await run('  - {at: 2m, nodeFreeze: {node: node-1, duration: 3m}}');
    expect(of('node.status').some((r) => r.node === 'node-1' && r.to === 'NotReady')).toBe(true);
    expect(of('node.status').some((r) => r.node === 'node-1' && r.to === 'Ready' && r.t >= 5 * 60_000)).toBe(true);
    expect(of('fault.node_resume')).toHaveLength(1);
    expect(summary.liveness?.ok).toBe(true);
    expect(summary.violation).toBeUndefined();
  });

  it('zone outage: every node with the label crashes at once and boots after the duration', async () => {
    const { of, summary } = await run('  - {at: 2m, zoneOutage: {selector: {zone: b}, duration: 4m}}');
    expect(of('fault.node_crash').map((r) => r.node)).toEqual(['east-1', 'east-2']);
    expect(of('fault.node_boot').map((r) => [r.node, r.t])).toEqual([
      ['east-1', 6 * 60_000],
      ['east-2', 6 * 60_000],
    ]);
    expect(summary.liveness?.ok).toBe(true);
  });

  it('drain: cordons the node, evicts its instances elsewhere, and uncordons it', async () => {
    let during: Record<string, number> = {};
    const scenario = parseScenario(`${BASE}\nfaults:\n  - {at: 2m, drain: {node: node-1, duration: 5m}}\n`, 'd.yaml');
    const records: Rec[] = [];
    const summary = await simulate(scenario, {
      onEvent: traceParts((type, fields, t) => records.push({ t, type, ...fields })),
      observe: (w) => w.sim.at(4 * 60_000, () => (during = runningOn(w))),
    });
    const drain = records.find((r) => r.type === 'fault.drain')!;
    expect(drain.evicted).toBeGreaterThan(0);
    expect(during['node-1']).toBe(0);
    expect(records.filter((r) => r.type === 'instance.stopping' && r.reason === 'drained')).toHaveLength(drain.evicted as number);
    expect(records.find((r) => r.type === 'fault.uncordon')?.applied).toBe(true);
    expect(summary.workloads[0].running).toBe(6);
    expect(summary.violation).toBeUndefined();
  });

  it('clock skew does not change any control-plane decision', async () => {
    const plain = await run('  - {at: 5m, containerCrash: {workload: web, slot: 2}}');
    const skewed = await run('  - {at: 1m, clockSkew: {node: node-1, offset: 10m, duration: 10m}}\n  - {at: 5m, containerCrash: {workload: web, slot: 2}}');
    // Everything but the fault records and the event count (the skew's own timers are events).
    const decisions = (rs: Rec[]) =>
      rs.filter((r) => !r.type.startsWith('fault.') && r.type !== 'run.start' && r.type !== 'run.end').map((r) => JSON.stringify(r));
    expect(skewed.of('fault.clock_skew')).toHaveLength(1);
    expect(decisions(skewed.records)).toEqual(decisions(plain.records));
  });

  it('a node crash with recovery still works with the selector form', async () => {
    const { of } = await run('  - {at: 2m, nodeCrash: {selector: {zone: b}, recoverAfter: 1m}}');
    expect(of('fault.node_crash').map((r) => r.node)).toEqual(['east-1', 'east-2']);
  });
});

describe('message faults', () => {
  it('dropped heartbeats make the node NotReady although it runs', async () => {
    const { of, summary } = await run('  - {at: 1m, messages: {node: node-3, kinds: [heartbeat], drop: 1, duration: 3m}}');
    expect(of('node.status').some((r) => r.node === 'node-3' && r.to === 'NotReady')).toBe(true);
    expect(summary.network.dropped).toBeGreaterThan(0);
    expect(summary.liveness?.ok).toBe(true);
  });

  it('duplicated requests create extra containers, which are removed as orphans', async () => {
    const { of, summary } = await run('  - {at: 0s, messages: {kinds: [rpc], duplicate: 1, duration: 5m}}');
    expect(summary.network.duplicated).toBeGreaterThan(0);
    expect(of('container.orphan').length).toBeGreaterThan(0);
    expect(of('container.orphan_removed').length).toBeGreaterThan(0);
    expect(summary.violation).toBeUndefined();
    expect(summary.liveness?.ok).toBe(true);
  });

  it('delayed status reports still converge', async () => {
    const { summary } = await run('  - {at: 0s, messages: {kinds: [status, rpc], delay: {exponential: 3s}, duration: 10m}}');
    expect(summary.network.delayed).toBeGreaterThan(0);
    expect(summary.liveness?.ok).toBe(true);
  });
});

describe('container faults', () => {
  it('crash loop: containers keep exiting, the slot backs off, and it recovers afterwards', async () => {
    const { of, summary } = await run('  - {at: 1m, crashLoop: {workload: web, duration: 5m, exitAfter: 3s}}');
    expect(of('container.state').filter((r) => r.reason === 'CrashLoop').length).toBeGreaterThan(6);
    expect(of('slot.backoff').length).toBeGreaterThan(0);
    expect(summary.workloads[0].restarts).toBeGreaterThan(6);
    expect(summary.violation).toBeUndefined();
    expect(summary.liveness?.ok).toBe(true);
  });

  it('image pull failure: creates fail with ImagePullFailed, and succeed after it ends', async () => {
    const { of, summary } = await run('  - {at: 0s, imagePullFailure: {nodes: [node-1, node-2], image: "nginx:1.25", duration: 3m}}');
    const failed = of('container.create_failed');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((r) => r.code === 'ImagePullFailed')).toBe(true);
    expect(summary.liveness?.ok).toBe(true);
  });

  it('slow pulls delay the first start', async () => {
    const firstRunning = (rs: Rec[]) => rs.find((r) => r.type === 'container.state' && r.state === 'running')!.t;
    const fast = await run('  - {at: 0s, slowImagePull: {factor: 1, duration: 1m}}');
    const slow = await run('  - {at: 0s, slowImagePull: {factor: 30, duration: 10m}}');
    expect(firstRunning(slow.records)).toBeGreaterThan(firstRunning(fast.records) + 20_000);
  });

  it('memory leak: a container passing its limit is OOM-killed', async () => {
    const { of, summary } = await run('  - {at: 1m, memoryLeak: {workload: web, perMinute: 256Mi, duration: 10m}}');
    // limit 1Gi, no base usage: 1Gi / 256Mi per minute = 4 minutes after the leak starts.
    const oom = of('container.state').filter((r) => r.reason === 'OOMKilled');
    expect(oom.length).toBeGreaterThanOrEqual(6);
    expect(oom[0].t).toBeGreaterThanOrEqual(5 * 60_000);
    expect(oom[0].t).toBeLessThan(5 * 60_000 + 1000);
    expect(oom[0].exitCode).toBe(137);
    expect(summary.network.oomKills).toBe(oom.length);
  });

  it('a container using more than its limit from the start is OOM-killed at once', async () => {
    const base = BASE.replace('limits: {memory: 1Gi}}', 'limits: {memory: 1Gi}, sim: {memory: 2Gi}}');
    const { of } = await run('  - {at: 19m, containerCrash: {workload: web}}', { base });
    expect(of('container.state').filter((r) => r.reason === 'OOMKilled').length).toBeGreaterThan(0);
  });
});

describe('rate faults', () => {
  it('fire at Poisson arrivals between from and until, each on one matching node, reproducibly', async () => {
    const fault = '  - {rate: 30/h, from: 1m, until: 15m, nodeCrash: {selector: {zone: a}, recoverAfter: 30s}}';
    const a = await run(fault);
    const b = await run(fault);
    const crashes = a.of('fault.node_crash');
    // 30/h over 14 minutes: 7 expected; a wide band.
    expect(crashes.length).toBeGreaterThanOrEqual(2);
    expect(crashes.length).toBeLessThanOrEqual(16);
    for (const c of crashes) {
      expect(c.t).toBeGreaterThan(60_000);
      expect(c.t).toBeLessThan(15 * 60_000);
      expect(String(c.node)).toMatch(/^node-/);
    }
    expect(b.summary.traceHash).toBe(a.summary.traceHash);
  });
});

describe('nodeFlap (added as one file plus one registry line: src/faults/node-flap.ts)', () => {
  it('crashes and boots the node `times` times; each long outage is seen NotReady and its instances move; the workload ends whole', async () => {
    const { summary, of, world } = await run('  - {at: 2m, nodeFlap: {node: node-1, times: 2, down: 3m, up: 1m}}');
    // 2m crash, 5m boot; 6m crash, 9m boot (down 3m, up 1m between).
    expect(of('fault.node_crash').map((r) => [r.t, r.node, r.applied, r.recoverAfter])).toEqual([
      [120_000, 'node-1', true, 180_000],
      [360_000, 'node-1', true, 180_000],
    ]);
    expect(of('fault.node_boot').map((r) => [r.t, r.node, r.applied])).toEqual([
      [300_000, 'node-1', true],
      [540_000, 'node-1', true],
    ]);
    // Each outage outlasts notReadyAfter: the control plane sees node-1 NotReady twice, Ready again after each boot.
    const statuses = of('node.status').filter((r) => r.node === 'node-1').map((r) => r.to);
    expect(statuses.filter((s) => s === 'NotReady')).toHaveLength(2);
    expect(statuses.at(-1)).toBe('Ready');
    // Replacements for node-1's instances were placed on other nodes during the outages.
    expect(of('instance.scheduled').filter((r) => r.t > 120_000 && r.node !== 'node-1').length).toBeGreaterThan(0);
    expect(summary.workloads[0]).toMatchObject({ name: 'web', desired: 6, running: 6 });
    expect(Object.values(runningOn(world)).reduce((a, b) => a + b, 0)).toBe(6);
    expect(summary.liveness?.ok).toBe(true);
  });
});
