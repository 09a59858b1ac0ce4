/**
 * The framework inside full simulated runs: profiles, placement constraints, the trace facts
 * (candidates, per-reason counts) and preemption through the Orchestrator.
 */
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/run/simulate.js';
import type { NodeDef, Scenario } from '../../src/scenario/types.js';
import { container, node, scenario, service } from '../support/scenario-builder.js';
import { traceParts } from '../support/trace-parts.js';

function zoned(name: string, zone: string, cpu = 4000): NodeDef {
  return { ...node(name, cpu, 8), labels: { 'topology.kubernetes.io/zone': zone } };
}

async function run(s: Scenario) {
  const records: Array<{ type: string; fields: Record<string, unknown> }> = [];
  const summary = await simulate(s, { onEvent: traceParts((type, fields) => records.push({ type, fields: structuredClone(fields) })) });
  return { summary, records, of: (type: string) => records.filter((r) => r.type === type).map((r) => r.fields) };
}

describe('profiles in simulation', () => {
  it('records the top candidates and their scores for every placement', async () => {
    const s = scenario({
      nodes: [node('a', 4000), node('b', 8000), node('c', 2000)],
      workloads: [service('web', 2)],
      scheduler: { name: 'spread' },
    });
    const { of, summary } = await run(s);
    const placed = of('instance.scheduled');
    expect(placed).toHaveLength(2);
    // spread = LeastAllocated: the 8-core node has the most room first
    expect(placed[0]).toMatchObject({ node: 'b' });
    const cands = placed[0].candidates as Array<{ node: string; total: number; scores: Record<string, number> }>;
    expect(cands.map((c) => c.node)).toEqual(['b', 'a', 'c']);
    expect(cands[0].total).toBeGreaterThan(cands[1].total);
    expect(Object.keys(cands[0].scores)).toEqual(['NodeResourcesFit']);
    expect(summary.scheduler).toBe('spread');
  });

  it('best-fit packs, spread spreads', async () => {
    const nodes = [node('a', 4000), node('b', 4000), node('c', 4000)];
    const placements = async (name: string) =>
      (await run(scenario({ nodes, workloads: [service('web', 3)], scheduler: { name } }))).of('instance.scheduled').map((f) => f.node);
    const packed = await placements('best-fit');
    expect(new Set(packed).size).toBe(1);
    const spread = await placements('spread');
    expect(new Set(spread).size).toBe(3);
  });

  it('honours placement: nodeSelector and tolerations; failures count nodes per reason', async () => {
    const tainted: NodeDef = { ...zoned('t1', 'b'), taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] };
    const s = scenario({
      nodes: [zoned('a1', 'a'), zoned('a2', 'a'), zoned('b1', 'b'), tainted],
      workloads: [
        service('zonal', 2, { placement: { nodeSelector: { 'topology.kubernetes.io/zone': 'b' } } }),
        service('db', 1, {
          placement: {
            nodeSelector: { 'topology.kubernetes.io/zone': 'b' },
            tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }],
          },
          containers: [container('db', 4000, 256)],
        }),
      ],
      scheduler: { name: 'default' },
    });
    const { of } = await run(s);
    const where = (w: string) => of('instance.scheduled').filter((f) => f.workload === w).map((f) => f.node);
    expect(where('zonal')).toEqual(['b1', 'b1']);
    // db needs a whole node in zone b: b1 is taken by the two zonal pods; t1 is tolerated
    expect(where('db')).toEqual(['t1']);
  });

  it('reports why a pod does not fit, kube-scheduler style', async () => {
    const s = scenario({
      nodes: [zoned('a1', 'a', 1000), { ...zoned('b1', 'b'), taints: [{ key: 'gpu', effect: 'NoSchedule' }] }],
      workloads: [service('big', 1, { containers: [container('app', 2000, 256)] })],
      scheduler: { name: 'default' },
      durationMs: 60_000,
    });
    const { of } = await run(s);
    const failed = of('instance.unschedulable')[0];
    expect(failed.message).toBe('0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint(s).');
    expect(failed.reasons).toEqual({ 'Insufficient cpu': 1, 'node(s) had untolerated taint(s)': 1 });
  });

  it('preempts lower-priority instances for a higher-priority workload', async () => {
    const s = scenario({
      nodes: [node('a', 2000), node('b', 2000)],
      workloads: [
        service('batch', 4, { containers: [container('app', 1000, 256)], priority: 0 }),
        service('critical', 1, { containers: [container('app', 1500, 256)], priority: 1000, at: 60_000 }),
      ],
      scheduler: { name: 'default' },
      durationMs: 5 * 60_000,
    });
    const { of, summary } = await run(s);
    const preempting = of('instance.preempting');
    expect(preempting.length).toBeGreaterThanOrEqual(1);
    const victims = preempting[0].victims as string[];
    expect(victims.length).toBe(2); // 1500m needs both 1000m instances of one node gone
    const stopped = of('instance.stopping').filter((f) => f.reason === 'preempted').map((f) => f.instance);
    expect(stopped.sort()).toEqual([...victims].sort());
    const critical = summary.workloads.find((w) => w.name === 'critical')!;
    expect(critical.running).toBe(1);
    // the evicted batch instances wait: nothing lower-priority was placed over the critical one
    expect(summary.workloads.find((w) => w.name === 'batch')!.running).toBe(2);
  });

  it('is deterministic: same scenario and seed, same trace hash; another seed may break ties differently', async () => {
    const mk = (seed: number) =>
      scenario({ seed, nodes: [node('a'), node('b'), node('c'), node('d')], workloads: [service('web', 3)], scheduler: { name: 'random' } });
    const a = await simulate(mk(7));
    const b = await simulate(mk(7));
    expect(a.traceHash).toBe(b.traceHash);
    const hashes = new Set<string>();
    for (let seed = 1; seed <= 6; seed++) hashes.add((await simulate(mk(seed))).traceHash);
    expect(hashes.size).toBeGreaterThan(1);
  });

  it('places a gang all together or not at all', async () => {
    const gang = { name: 'train', minMember: 3, timeoutMs: 60_000 };
    const s = (cpu: number) =>
      scenario({
        nodes: [node('a', 2000), node('b', 2000)],
        workloads: [service('workers', 3, { containers: [container('w', cpu, 256)], placement: { gang } })],
        scheduler: { name: 'default' },
        durationMs: 2 * 60_000,
      });
    // 3 × 1000m fits on 2 × 2000m; 3 × 1500m does not (only 2 fit): none is placed
    expect((await run(s(1000))).of('instance.scheduled')).toHaveLength(3);
    const tooBig = await run(s(1500));
    expect(tooBig.of('instance.scheduled')).toHaveLength(0);
    expect(tooBig.of('instance.unschedulable')[0].message).toContain('gang train: only 2 of minMember 3 pods can be placed');
  });
});

describe('incremental snapshots', () => {
  it('decides exactly as a scheduler rebuilding its snapshot on every call (same trace hash)', async () => {
    const { createScheduler } = await import('../../src/scheduler/registry.js');
    const { Simulation } = await import('../../src/engine/simulation.js');
    const s = scenario({
      seed: 5,
      nodes: [zoned('a1', 'a'), zoned('a2', 'a'), zoned('b1', 'b'), zoned('b2', 'b')],
      // Workloads arriving one after another, scaling and a crash: many calls, each after the
      // bound instances of some nodes changed.
      workloads: [
        ...Array.from({ length: 6 }, (_, k) => service(`svc-${k}`, 3, { containers: [container('app', 300 + 100 * k, 256)], at: k * 20_000 })),
        service('web', 4, { containers: [container('app', 900, 256)], priority: 100, at: 150_000, labels: { app: 'web' } }),
      ],
      operations: [
        { kind: 'scale', at: 90_000, workload: 'svc-0', replicas: 1 },
        { kind: 'scale', at: 100_000, workload: 'svc-2', replicas: 6 },
      ],
      faults: [{ kind: 'nodeCrash', at: 120_000, node: 'a1', recoverAfter: 60_000 }],
      scheduler: { name: 'default' },
      durationMs: 6 * 60_000,
    });
    // The run's own stream: the scheduler built here must draw exactly what simulate's would.
    const stream = () => new Simulation(s.seed).random.stream('scheduler');
    const incremental = await simulate(s, { scheduler: createScheduler('default', { random: stream() }) });
    const inner = createScheduler('default', { random: stream() });
    const rebuilding = { name: inner.name, schedule: (r: Parameters<typeof inner.schedule>[0], v: Parameters<typeof inner.schedule>[1]) => inner.schedule(r, [...v]) };
    const full = await simulate(s, { scheduler: rebuilding });
    expect(incremental.traceHash).toBe(full.traceHash);
    expect(incremental.workloads.find((w) => w.name === 'web')?.running).toBe(4);
  });
});

describe('scenario files with profiles and placement', () => {
  it('loads a scenario-defined profile, priorityClasses and placement blocks', async () => {
    const { parseScenario } = await import('../../src/run/parse-scenario.js');
    const s = parseScenario(
      `name: t
duration: 1m
priorityClasses: {low: 5}
scheduler:
  name: mine
  plugins:
    - {name: NodeResourcesFit, args: {scoringStrategy: {type: MostAllocated}}}
nodes:
  - {name: a, capacity: {cpu: 2, memory: 1Gi}, labels: {zone: x}}
workloads:
  - name: w
    placement:
      priorityClassName: low
      nodeSelector: {zone: x}
      tolerations: [{key: k, operator: Exists}]
      gang: {name: g, minMember: 1, timeout: 30s}
    containers: [{name: c, image: i}]
`,
      's.yaml',
    );
    expect(s.scheduler.name).toBe('mine');
    expect(s.scheduler.profile?.plugins).toEqual([{ name: 'NodeResourcesFit', args: { scoringStrategy: { type: 'MostAllocated' } } }]);
    expect(s.workloads[0].priority).toBe(5);
    expect(s.workloads[0].placement).toEqual({
      priorityClassName: 'low',
      nodeSelector: { zone: 'x' },
      tolerations: [{ key: 'k', operator: 'Exists' }],
      gang: { name: 'g', minMember: 1, timeoutMs: 30_000 },
    });
  });

  it.each([
    [
      'an invalid plugin arg',
      'scheduler:\n  plugins:\n    - {name: NodeResourcesFit, args: {scoringStrategy: {resources: [{name: cpu, weight: 0}]}}}\n',
      's.yaml:6:89: scheduler.plugins[0].args.scoringStrategy.resources[0].weight: must be an integer in (0, 100], got 0',
    ],
    ['an unknown plugin', 'scheduler:\n  plugins: [{name: Magic}]\n', 's.yaml:5:20: scheduler.plugins[0].name: unknown plugin "Magic"'],
    ['an unknown PriorityClass', 'workloads:\n  - name: w\n    placement: {priorityClassName: gold}\n    containers: [{name: c, image: i}]\n', 's.yaml:6:36: workloads[0].placement.priorityClassName: unknown PriorityClass "gold"'],
    ['a misspelt placement key', 'workloads:\n  - name: w\n    placement: {nodeSelecter: {a: b}}\n    containers: [{name: c, image: i}]\n', 's.yaml:6:17: unknown key "nodeSelecter" in workloads[0].placement; did you mean "nodeSelector"?'],
  ])('reports %s with FILE:LINE:COL', async (_what, extra, message) => {
    const { parseScenario } = await import('../../src/run/parse-scenario.js');
    const text = `name: t\nduration: 1m\nnodes: [{name: a, capacity: {cpu: 1, memory: 1Gi}}]\n${extra}`;
    expect(() => parseScenario(text, 's.yaml')).toThrow(message);
  });
});
