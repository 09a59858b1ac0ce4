/**
 * Differential test of the framework's hot path (batch filters, batch scores, fused totals, the
 * one-pass host selection and ranking, plugin caches) against a straightforward reference: the
 * scheduling cycle written out plainly, calling each plugin's per-node `filter` and `score` one
 * node at a time, checking every final score's range, and sorting for the candidates.
 *
 * Both sides get identical tables, separately built plugin instances and identically seeded
 * tie-breaking streams, schedule the same sequence of pods (binding each placement, so sampling's
 * round-robin start, the per-owner counts and the caches carry over between cycles), and must
 * agree on every result: chosen node, candidates with every plugin's score, evaluated and
 * feasible counts, failure reasons and preemption victims. A failing case prints its seed and path.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Placement, PodAffinityTerm, TopologySpreadConstraint } from '../../src/core/placement.js';
import type { Taint } from '../../src/core/types.js';
import { RandomStream } from '../../src/engine/random.js';
import { Framework, type CandidateScore, type CycleResult, type TieBreaker } from '../../src/scheduler/framework/framework.js';
import { NodeTable } from '../../src/scheduler/framework/node-table.js';
import type { PodInfo } from '../../src/scheduler/framework/pod.js';
import { numFeasibleNodesToFind } from '../../src/scheduler/framework/sampling.js';
import {
  CycleState,
  MAX_NODE_SCORE,
  MIN_NODE_SCORE,
  SKIP,
  type CycleContext,
  type FilterStatus,
  type Plugin,
  type WeightedPlugin,
} from '../../src/scheduler/framework/types.js';
import { PROFILES, buildPlugins, type ProfileConfig } from '../../src/scheduler/profiles.js';
import { mkNode, mkPod } from './support.js';

/** kube-scheduler's cycle, written plainly (what the framework did before its hot-path work). */
class ReferenceFramework {
  private nextStart = 0;
  constructor(
    private readonly plugins: readonly WeightedPlugin[],
    private readonly percentage: number,
    private readonly random: TieBreaker,
  ) {}

  scheduleOne(pod: PodInfo, table: NodeTable): CycleResult {
    const n = table.n;
    const cx: CycleContext = { pod, table, state: new CycleState() };
    const filters: Plugin[] = [];
    for (const { plugin } of this.plugins) {
      if (plugin.preFilter) {
        const r = plugin.preFilter(cx);
        if (r === SKIP) continue;
        if (r !== undefined) {
          const reasons: Record<string, number> = {};
          for (const reason of r.reasons) reasons[reason] = n;
          return { kind: 'unschedulable', reasons };
        }
      }
      if (plugin.filter) filters.push(plugin);
    }
    const want = numFeasibleNodesToFind(this.percentage, n);
    const feasible: number[] = [];
    const statuses: Array<FilterStatus | undefined> = [];
    const start = n === 0 ? 0 : this.nextStart % n;
    let processed = 0;
    for (; processed < n && feasible.length < want; processed++) {
      const i = (start + processed) % n;
      let failed: FilterStatus | undefined;
      for (const f of filters) {
        failed = f.filter!(cx, i);
        if (failed) break;
      }
      if (failed) statuses[i] = failed;
      else feasible.push(i);
    }
    if (n > 0) this.nextStart = (start + processed) % n;
    if (feasible.length === 0) {
      const reasons: Record<string, number> = {};
      for (const st of statuses) if (st) for (const r of st.reasons) reasons[r] = (reasons[r] ?? 0) + 1;
      for (const { plugin } of this.plugins) {
        if (!plugin.postFilter) continue;
        const preemption = plugin.postFilter(cx, {
          statuses,
          filterNode: (i) => {
            for (const f of filters) {
              const st = f.filter!(cx, i);
              if (st) return st;
            }
            return undefined;
          },
          refreshPreFilter: () => {
            for (const { plugin: p } of this.plugins) if (p.preFilterDependsOnPods && p.preFilter) p.preFilter(cx);
          },
        });
        if (preemption) return { kind: 'unschedulable', reasons, preemption };
      }
      return { kind: 'unschedulable', reasons };
    }

    const nodes = Int32Array.from(feasible);
    const count = nodes.length;
    const totals = new Array<number>(count).fill(0);
    const scores: Array<Record<string, number>> = feasible.map(() => ({}));
    for (const { plugin, weight } of this.plugins) {
      if (!plugin.score || weight === 0) continue;
      if (plugin.preScore && plugin.preScore(cx, nodes, count) === SKIP) continue;
      const buf = new Float64Array(count);
      for (let k = 0; k < count; k++) buf[k] = plugin.score(cx, nodes[k]);
      plugin.normalizeScore?.(cx, nodes, buf, count);
      for (let k = 0; k < count; k++) {
        const s = buf[k];
        if (!Number.isInteger(s) || s < MIN_NODE_SCORE || s > MAX_NODE_SCORE) throw new Error(`plugin ${plugin.name} returned score ${s}`);
        totals[k] += weight * s;
        scores[k][plugin.name] = s;
      }
    }
    // reservoir sampling among the highest totals, in visit order
    let best = -Infinity;
    let chosen = 0;
    let ties = 0;
    for (let k = 0; k < count; k++) {
      if (totals[k] > best) {
        best = totals[k];
        chosen = k;
        ties = 1;
      } else if (totals[k] === best) {
        ties++;
        if (this.random.int(0, ties - 1) === 0) chosen = k;
      }
    }
    const others = feasible
      .map((_, k) => k)
      .filter((k) => k !== chosen)
      .sort((a, b) => totals[b] - totals[a] || nodes[a] - nodes[b]);
    const top = [chosen, ...others].slice(0, Math.min(3, count));
    const candidates: CandidateScore[] = top.map((k) => ({ node: nodes[k], total: totals[k], scores: scores[k] }));
    return { kind: 'assign', node: nodes[chosen], candidates, evaluated: processed, feasible: count };
  }
}

/** A plugin as a user would write it (`--plugin FILE`): per-node filter and score only. */
function userPlugin(): Plugin {
  return {
    name: 'UserEvenCpu',
    filter: (cx, i) => (cx.table.reqCpu[i] % 3000 === 2500 ? { reasons: ['user: odd one out'], unresolvable: false } : undefined),
    score: (cx, i) => (cx.table.podCount[i] * 7 + i) % 101,
  };
}

const zones = ['a', 'b', 'c', 'd'];
const ZONE = 'topology.kubernetes.io/zone';
const apps = ['web', 'db', 'cache'];
const MiB = 2 ** 20;

const taintArb: fc.Arbitrary<Taint> = fc.record({
  key: fc.constantFrom('k1', 'k2'),
  value: fc.constantFrom('x', 'y'),
  effect: fc.constantFrom('NoSchedule', 'PreferNoSchedule', 'NoExecute'),
});

const nodeArb = fc.record({
  cpu: fc.integer({ min: 1, max: 16 }).map((c) => c * 1000),
  memory: fc.integer({ min: 1, max: 32 }).map((m) => m * 1000),
  pods: fc.integer({ min: 1, max: 20 }),
  gpu: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
  zone: fc.option(fc.constantFrom(...zones), { nil: undefined }),
  hostname: fc.boolean(),
  taints: fc.oneof(fc.constant<Taint[]>([]), fc.array(taintArb, { maxLength: 2 })),
  unschedulable: fc.oneof(fc.constant(false), fc.boolean()),
  images: fc.subarray(['app:1', 'db:2', 'cache:latest']),
});

const selectorArb = fc.constantFrom(...apps).map((app) => ({ matchLabels: { app } }));
const keyArb = fc.constantFrom(ZONE, 'kubernetes.io/hostname');
const termArb: fc.Arbitrary<PodAffinityTerm> = fc.record({ labelSelector: selectorArb, topologyKey: keyArb });

const spreadArb: fc.Arbitrary<TopologySpreadConstraint> = fc.record(
  {
    maxSkew: fc.integer({ min: 1, max: 3 }),
    topologyKey: keyArb,
    whenUnsatisfiable: fc.constantFrom('DoNotSchedule' as const, 'ScheduleAnyway' as const),
    labelSelector: selectorArb,
    minDomains: fc.integer({ min: 1, max: 3 }),
    nodeAffinityPolicy: fc.constantFrom('Honor' as const, 'Ignore' as const),
    nodeTaintsPolicy: fc.constantFrom('Honor' as const, 'Ignore' as const),
  },
  { requiredKeys: ['maxSkew', 'topologyKey', 'whenUnsatisfiable', 'labelSelector'] },
);

const placementArb: fc.Arbitrary<Placement> = fc.record(
  {
    nodeSelector: fc.constantFrom(...zones).map((z) => ({ [ZONE]: z })),
    tolerations: fc.array(
      fc.record(
        { key: fc.constantFrom('k1', 'k2'), operator: fc.constantFrom('Exists' as const, 'Equal' as const), value: fc.constantFrom('x', 'y'), effect: fc.constantFrom('NoSchedule' as const, 'PreferNoSchedule' as const) },
        { requiredKeys: ['key', 'operator'] },
      ),
      { maxLength: 2 },
    ),
    affinity: fc.record(
      {
        nodeAffinity: fc.record(
          {
            requiredDuringSchedulingIgnoredDuringExecution: fc
              .subarray(zones, { minLength: 1 })
              .map((values) => ({ nodeSelectorTerms: [{ matchExpressions: [{ key: ZONE, operator: 'In' as const, values }] }] })),
            preferredDuringSchedulingIgnoredDuringExecution: fc.array(
              fc.record({
                weight: fc.integer({ min: 1, max: 100 }),
                preference: fc.constantFrom(...zones).map((z) => ({ matchExpressions: [{ key: ZONE, operator: 'In' as const, values: [z] }] })),
              }),
              { minLength: 1, maxLength: 2 },
            ),
          },
          { requiredKeys: [] },
        ),
        podAffinity: fc.record(
          {
            requiredDuringSchedulingIgnoredDuringExecution: fc.array(termArb, { minLength: 1, maxLength: 1 }),
            preferredDuringSchedulingIgnoredDuringExecution: fc.array(fc.record({ weight: fc.integer({ min: 1, max: 100 }), podAffinityTerm: termArb }), { minLength: 1, maxLength: 2 }),
          },
          { requiredKeys: [] },
        ),
        podAntiAffinity: fc.record(
          {
            requiredDuringSchedulingIgnoredDuringExecution: fc.array(termArb, { minLength: 1, maxLength: 1 }),
            preferredDuringSchedulingIgnoredDuringExecution: fc.array(fc.record({ weight: fc.integer({ min: 1, max: 100 }), podAffinityTerm: termArb }), { minLength: 1, maxLength: 2 }),
          },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: [] },
    ),
    topologySpreadConstraints: fc.array(spreadArb, { minLength: 1, maxLength: 2 }),
  },
  { requiredKeys: [] },
);

const podArb = fc.record({
  containers: fc.array(
    fc.record({
      cpu: fc.integer({ min: 0, max: 6 }).map((c) => c * 500),
      memory: fc.integer({ min: 0, max: 8 }).map((m) => m * 500),
      gpu: fc.option(fc.integer({ min: 1, max: 2 }), { nil: undefined }),
    }),
    { minLength: 1, maxLength: 2 },
  ),
  app: fc.constantFrom(...apps),
  owner: fc.option(fc.constantFrom('w1', 'w2', 'w3'), { nil: undefined }),
  priority: fc.integer({ min: 0, max: 3 }),
  images: fc.subarray(['app:1', 'db:2', 'cache', 'other:9']),
  placement: fc.oneof({ arbitrary: fc.constant({} as Placement), weight: 2 }, { arbitrary: placementArb, weight: 1 }),
});
type PodSpec = typeof podArb extends fc.Arbitrary<infer T> ? T : never;

// the default profile (every kube-scheduler plugin scoring) half the time
const profileArb = fc.oneof(fc.constant('default'), fc.constantFrom(...Object.keys(PROFILES)));

const caseArb = fc.record({
  // Over 100 nodes sampling evaluates only part of the cluster, and with several hundred the
  // batch filter loop needs several chunks, the last one cut where the sample completes. Large
  // clusters repeat a few random node kinds (so a failure shrinks quickly).
  nodes: fc.oneof(
    fc.array(nodeArb, { minLength: 1, maxLength: 12 }),
    fc
      .tuple(fc.array(nodeArb, { minLength: 1, maxLength: 12 }), fc.integer({ min: 100, max: 400 }))
      .map(([kinds, size]) => Array.from({ length: size }, (_, i) => kinds[i % kinds.length])),
  ),
  bound: fc.array(fc.tuple(fc.nat(), podArb), { maxLength: 30 }),
  pending: fc.array(podArb, { minLength: 1, maxLength: 8 }),
  profile: profileArb,
  percentage: fc.constantFrom(undefined, 0, 1, 30, 100),
  withUserPlugin: fc.boolean(),
  seed: fc.integer({ min: 0, max: 1000 }),
});

function podOf(name: string, p: PodSpec, startedAt?: number): PodInfo {
  return mkPod(name, {
    containers: p.containers.map((c) => ({ cpu: c.cpu, memory: c.memory, ...(c.gpu ? { ext: { 'nvidia.com/gpu': c.gpu } } : {}) })),
    labels: { app: p.app },
    priority: p.priority,
    placement: p.placement,
    images: p.images,
    ...(p.owner !== undefined ? { owner: p.owner } : {}),
    ...(startedAt !== undefined ? { startedAt } : {}),
  });
}

function tableOf(c: { nodes: Array<typeof nodeArb extends fc.Arbitrary<infer T> ? T : never>; bound: Array<[number, PodSpec]> }): NodeTable {
  const t = new NodeTable(
    c.nodes.map((n, i) =>
      mkNode(`n${String(i).padStart(3, '0')}`, {
        cpu: n.cpu,
        memory: n.memory,
        pods: n.pods,
        taints: n.taints,
        unschedulable: n.unschedulable,
        ...(n.gpu ? { ext: { 'nvidia.com/gpu': n.gpu } } : {}),
        labels: { ...(n.hostname ? { 'kubernetes.io/hostname': `n${i}` } : {}), ...(n.zone ? { [ZONE]: n.zone } : {}) },
        images: Object.fromEntries(n.images.map((img, k) => [img.includes(':') ? img : `${img}:latest`, (k + 1) * 300 * MiB])),
      }),
    ),
  );
  c.bound.forEach(([at, p], k) => t.addPod(at % c.nodes.length, podOf(`b${k}`, p, k)));
  return t;
}

/** The result with pods named (preemption victims are PodInfo objects of each side's table). */
function comparable(r: CycleResult): unknown {
  if (r.kind === 'assign') return r;
  return { ...r, preemption: r.preemption && { node: r.preemption.node, victims: r.preemption.victims.map((v) => v.name) } };
}

describe('framework hot path = plain per-node reference', () => {
  it('same choices, candidates, scores, tie-breaking draws, reasons and preemptions on random clusters and pods', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const base = PROFILES[c.profile];
        const profile: ProfileConfig = c.percentage === undefined ? base : { ...base, percentageOfNodesToScore: c.percentage };
        const plugins = () => [...buildPlugins(profile), ...(c.withUserPlugin ? [{ plugin: userPlugin(), weight: 2 }] : [])];
        const fastRandom = new RandomStream('scheduler', c.seed);
        const fast = new Framework({ plugins: plugins(), percentageOfNodesToScore: profile.percentageOfNodesToScore, random: fastRandom });
        const refRandom = new RandomStream('scheduler', c.seed);
        const ref = new ReferenceFramework(plugins(), profile.percentageOfNodesToScore, refRandom);
        const fastTable = tableOf(c);
        const refTable = tableOf(c);
        c.pending.forEach((spec, k) => {
          const pod = podOf(`p${k}`, spec, 1000 + k);
          const want = ref.scheduleOne(pod, refTable);
          const got = fast.scheduleOne(pod, fastTable);
          expect(comparable(got)).toEqual(comparable(want));
          if (want.kind === 'assign') {
            refTable.addPod(want.node, pod);
            fastTable.addPod(want.node, pod);
          }
        });
        // both streams advanced by the same number of draws
        expect(fastRandom.float()).toBe(refRandom.float());
      }),
      { numRuns: 500 },
    );
  });
});
