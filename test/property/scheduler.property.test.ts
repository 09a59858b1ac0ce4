/**
 * Properties of the scheduling framework over random clusters, bound pods and pending pods with
 * the default profile (every plugin). A failing case prints its fast-check seed and path.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { NodeView } from '../../src/core/interfaces.js';
import type { Placement } from '../../src/core/placement.js';
import { resources } from '../../src/core/resources.js';
import type { Node, Taint, Workload } from '../../src/core/types.js';
import { RandomStream } from '../../src/engine/random.js';
import { FrameworkScheduler } from '../../src/scheduler/framework-scheduler.js';
import { NodeTable } from '../../src/scheduler/framework/node-table.js';
import type { PodInfo } from '../../src/scheduler/framework/pod.js';
import { PROFILES, createFramework } from '../../src/scheduler/profiles.js';
import { mkNode, mkPod } from '../scheduler/support.js';

const zones = ['a', 'b', 'c'];
const apps = ['web', 'db', 'cache'];

const taintArb: fc.Arbitrary<Taint> = fc.record({
  key: fc.constantFrom('k1', 'k2'),
  effect: fc.constantFrom('NoSchedule', 'PreferNoSchedule', 'NoExecute'),
});

const nodeArb = fc.record({
  cpu: fc.integer({ min: 1, max: 8 }).map((c) => c * 1000),
  memory: fc.integer({ min: 1, max: 16 }).map((m) => m * 1000),
  pods: fc.integer({ min: 1, max: 10 }),
  zone: fc.option(fc.constantFrom(...zones), { nil: undefined }),
  taints: fc.array(taintArb, { maxLength: 2 }),
  unschedulable: fc.boolean(),
});

const selectorArb = fc.constantFrom(...apps).map((app) => ({ matchLabels: { app } }));

const placementArb: fc.Arbitrary<Placement> = fc.record(
  {
    nodeSelector: fc.constantFrom(...zones).map((z) => ({ zone: z })),
    tolerations: fc.array(fc.record({ key: fc.constantFrom('k1', 'k2'), operator: fc.constant('Exists' as const) }), { maxLength: 2 }),
    affinity: fc.record({
      podAntiAffinity: fc.record({ requiredDuringSchedulingIgnoredDuringExecution: fc.array(fc.record({ labelSelector: selectorArb, topologyKey: fc.constantFrom('zone', 'kubernetes.io/hostname') }), { minLength: 1, maxLength: 1 }) }),
    }),
    topologySpreadConstraints: fc.array(
      fc.record({
        maxSkew: fc.integer({ min: 1, max: 2 }),
        topologyKey: fc.constant('zone'),
        whenUnsatisfiable: fc.constantFrom('DoNotSchedule' as const, 'ScheduleAnyway' as const),
        labelSelector: selectorArb,
      }),
      { maxLength: 1 },
    ),
  },
  { requiredKeys: [] },
);

const podArb = (withPlacement: boolean) =>
  fc.record({
    cpu: fc.integer({ min: 0, max: 4 }).map((c) => c * 500),
    memory: fc.integer({ min: 0, max: 8 }).map((m) => m * 500),
    app: fc.constantFrom(...apps),
    priority: fc.integer({ min: 0, max: 3 }),
    placement: withPlacement ? placementArb : fc.constant({}),
  });

const clusterArb = (withPlacement: boolean) =>
  fc.record({
    nodes: fc.array(nodeArb, { minLength: 1, maxLength: 12 }),
    bound: fc.array(fc.tuple(fc.nat(), podArb(false)), { maxLength: 20 }),
    pending: podArb(withPlacement),
    seed: fc.integer({ min: 0, max: 1000 }),
  });

type Cluster = typeof clusterArb extends (b: boolean) => fc.Arbitrary<infer T> ? T : never;

function build(c: Cluster): { table: NodeTable; pending: PodInfo } {
  const table = new NodeTable(
    c.nodes.map((n, i) =>
      mkNode(`n${i}`, {
        cpu: n.cpu,
        memory: n.memory,
        pods: n.pods,
        taints: n.taints,
        unschedulable: n.unschedulable,
        labels: { 'kubernetes.io/hostname': `n${i}`, ...(n.zone ? { zone: n.zone } : {}) },
      }),
    ),
  );
  c.bound.forEach(([at, p], k) => {
    table.addPod(at % c.nodes.length, mkPod(`b${k}`, { containers: [{ cpu: p.cpu, memory: p.memory }], labels: { app: p.app }, priority: p.priority, startedAt: k }));
  });
  const p = c.pending;
  return { table, pending: mkPod('pending', { containers: [{ cpu: p.cpu, memory: p.memory }], labels: { app: p.app }, priority: p.priority, placement: p.placement }) };
}

const framework = (seed: number) => createFramework(PROFILES.default, new RandomStream('scheduler', seed));

describe('scheduler properties (default profile)', () => {
  it('soundness and completeness: places on a feasible node, and places whenever some node is feasible', () => {
    fc.assert(
      fc.property(clusterArb(true), (c) => {
        const { table, pending } = build(c);
        const truth = framework(c.seed).explain(pending, table);
        const feasible = new Set(truth.nodes.filter((n) => n.feasible).map((n) => n.node));
        const r = framework(c.seed).scheduleOne(pending, table);
        if (r.kind === 'assign') expect(feasible.has(r.node)).toBe(true);
        else expect(feasible.size).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('every final score is an integer in [0, 100] and totals are weighted sums', () => {
    fc.assert(
      fc.property(clusterArb(true), (c) => {
        const { table, pending } = build(c);
        const fw = framework(c.seed);
        const weights = new Map(fw.plugins.map((wp) => [wp.plugin.name, wp.weight]));
        for (const n of fw.explain(pending, table).nodes) {
          if (!n.feasible) continue;
          let total = 0;
          for (const [name, s] of Object.entries(n.scores)) {
            expect(Number.isInteger(s) && s >= 0 && s <= 100).toBe(true);
            total += s * weights.get(name)!;
          }
          expect(n.total).toBe(total);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('is deterministic: same inputs and seed, same decision', () => {
    fc.assert(
      fc.property(clusterArb(true), (c) => {
        const a = build(c);
        const b = build(c);
        expect(framework(c.seed).scheduleOne(a.pending, a.table)).toEqual(framework(c.seed).scheduleOne(b.pending, b.table));
      }),
      { numRuns: 150 },
    );
  });

  it('preemption evicts only lower-priority pods, makes the pod fit, and no victim could stay', () => {
    const plugins = [{ name: 'NodeResourcesFit' }, { name: 'DefaultPreemption' }];
    fc.assert(
      fc.property(clusterArb(false), (c) => {
        const { table, pending } = build(c);
        const fw = createFramework({ name: 'p', plugins, percentageOfNodesToScore: 100 }, new RandomStream('s', c.seed));
        const e = fw.explain(pending, table);
        if (!e.preemption) return;
        const { node, victims } = e.preemption;
        for (const v of victims) expect(v.priority).toBeLessThan(pending.priority);
        for (const v of victims) table.removePod(node, v);
        const fits = () => fw.explain(pending, table).nodes[node].feasible;
        expect(fits()).toBe(true);
        for (const v of victims) {
          table.addPod(node, v); // keeping any one victim leaves no room
          expect(fits()).toBe(false);
          table.removePod(node, v);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('gangs are all-or-nothing', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 3 }),
        (cpus, count, cpuEach) => {
          const views: NodeView[] = cpus.map((cpu, i) => {
            const r = resources({ cpu: cpu * 1000, memory: 64 * 2 ** 30 });
            const node: Node = { id: `n${i}`, name: `n${i}`, address: '', status: 'Ready', statusSince: 0, unschedulable: false, labels: {}, taints: [], capacity: r, allocatable: r };
            return { node, allocated: resources(), instanceCount: 0, bound: [] };
          });
          const w: Workload = {
            id: 'g', name: 'g', kind: 'service', replicas: count, completions: 1, backoffLimit: 0, labels: {}, priority: 0, restartPolicy: 'Always',
            updateStrategy: { type: 'RollingUpdate', maxSurge: 1, maxUnavailable: 0 }, generation: 1,
            containers: [{ name: 'c', image: 'i', env: {}, ports: [], requests: resources({ cpu: cpuEach * 1000 }), limits: resources() }],
            placement: { gang: { name: 'g', minMember: count, timeoutMs: 1000 } },
          };
          const s = new FrameworkScheduler('default', framework(1));
          const d = s.schedule({ workload: w, request: resources({ cpu: cpuEach * 1000 }), count }, views);
          const kinds = new Set(d.map((x) => x.kind));
          expect(kinds.size).toBe(1);
          const room = cpus.reduce((n, c) => n + Math.floor(c / cpuEach), 0);
          expect(d[0].kind).toBe(room >= count ? 'assign' : 'unschedulable');
        },
      ),
      { numRuns: 200 },
    );
  });
});
