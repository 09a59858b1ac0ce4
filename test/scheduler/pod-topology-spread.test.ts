/**
 * PodTopologySpread, one row per situation; each row's `why` shows the arithmetic upstream does.
 * Filter (DoNotSchedule): skew = matching pods in the node's domain + self (1 when the pod
 * matches its own selector) - the minimum over domains; a node fails when skew > maxSkew, and a
 * node without the topology label fails as unresolvable. Score (ScheduleAnyway): raw =
 * round(count·ln(domains + 2) + maxSkew - 1); normalized ⌊100·(max + min - raw)/max⌋, 100 for all
 * when max is 0, and 0 for nodes without the label.
 */
import { describe, expect, it } from 'vitest';
import type { PodInfo } from '../../src/scheduler/framework/pod.js';
import { explainWith, mkNode, mkPod, mkTable, reasonsOf, scoresOf } from './support.js';

const MiB = 1024 * 1024;
const node = (name: string, labels: Record<string, string> = {}) => mkNode(name, { cpu: 4000, memory: 8000 * MiB, labels });
/** a1, a2 in zone a; b1 in zone b; x has no zone label. */
const NODES = [node('a1', { zone: 'a' }), node('a2', { zone: 'a' }), node('b1', { zone: 'b' }), node('x')];
const web = (n: string) => mkPod(n, { labels: { app: 'web' } });
const db = (n: string) => mkPod(n, { labels: { app: 'db' } });
const A1 = 0;
const A2 = 1;
const B1 = 2;

/** The pending pod: one zone constraint selecting app=web; it carries `labels` (default app=web, so self = 1). */
function spreading(when: 'DoNotSchedule' | 'ScheduleAnyway', o: { maxSkew?: number; minDomains?: number; labels?: Record<string, string> } = {}): PodInfo {
  return mkPod('p', {
    labels: o.labels ?? { app: 'web' },
    placement: {
      topologySpreadConstraints: [
        { maxSkew: o.maxSkew ?? 1, topologyKey: 'zone', whenUnsatisfiable: when, labelSelector: { matchLabels: { app: 'web' } }, ...(o.minDomains !== undefined ? { minDomains: o.minDomains } : {}) },
      ],
    },
  });
}

const SKEW = "node(s) didn't match pod topology spread constraints";
const MISSING = `${SKEW} (missing required label)`;

interface FilterRow {
  readonly why: string;
  readonly bound: Array<[number, PodInfo]>;
  readonly pod: PodInfo;
  /** Reasons per node; [] = feasible. */
  readonly want: Record<string, string[]>;
}

const FILTER: FilterRow[] = [
  {
    why: 'zone a 2, zone b 0 → min 0. a: 2 + 1 - 0 = 3 > 1 fails; b: 0 + 1 - 0 = 1 passes; x has no zone label',
    bound: [[A1, web('w1')], [A2, web('w2')]],
    pod: spreading('DoNotSchedule'),
    want: { a1: [SKEW], a2: [SKEW], b1: [], x: [MISSING] },
  },
  {
    why: 'zone a 1, zone b 1 → min 1. every zoned node: 1 + 1 - 1 = 1 ≤ 1',
    bound: [[A1, web('w1')], [B1, web('w2')]],
    pod: spreading('DoNotSchedule'),
    want: { a1: [], a2: [], b1: [], x: [MISSING] },
  },
  {
    why: 'minDomains 3 but only 2 domains → the global minimum is 0. a: 1 + 1 - 0 = 2 > 1, b: 1 + 1 - 0 = 2 > 1',
    bound: [[A1, web('w1')], [B1, web('w2')]],
    pod: spreading('DoNotSchedule', { minDomains: 3 }),
    want: { a1: [SKEW], a2: [SKEW], b1: [SKEW], x: [MISSING] },
  },
  {
    why: 'maxSkew 3: zone a 2, b 0 → a: 2 + 1 - 0 = 3 ≤ 3 passes too',
    bound: [[A1, web('w1')], [A2, web('w2')]],
    pod: spreading('DoNotSchedule', { maxSkew: 3 }),
    want: { a1: [], a2: [], b1: [], x: [MISSING] },
  },
  {
    why: 'pods the selector does not match do not count: two db pods in zone a → counts a 0, b 0 → 0 + 1 - 0 = 1 everywhere',
    bound: [[A1, db('d1')], [A2, db('d2')]],
    pod: spreading('DoNotSchedule'),
    want: { a1: [], a2: [], b1: [], x: [MISSING] },
  },
  {
    why: 'a pod its own selector does not match adds no self: zone a 2, b 0 → a: 2 + 0 - 0 = 2 > 1 fails, b: 0 + 0 - 0 = 0 passes',
    bound: [[A1, web('w1')], [A2, web('w2')]],
    pod: spreading('DoNotSchedule', { labels: { app: 'other' } }),
    want: { a1: [SKEW], a2: [SKEW], b1: [], x: [MISSING] },
  },
];

interface ScoreRow {
  readonly why: string;
  readonly bound: Array<[number, PodInfo]>;
  readonly want: Record<string, number>;
}

const SCORE: ScoreRow[] = [
  {
    why: 'domains among feasible nodes: a, b → w = ln(2 + 2) = 1.386. counts a 2, b 0: raw a = round(2·1.386 + 0) = 3, b = 0; min 0, max 3 → a ⌊100·(3 + 0 - 3)/3⌋ = 0, b ⌊100·(3 + 0 - 0)/3⌋ = 100; x (no label) 0',
    bound: [[A1, web('w1')], [A2, web('w2')]],
    want: { a1: 0, a2: 0, b1: 100, x: 0 },
  },
  {
    why: 'counts a 0, b 1: raw a = 0, b = round(1·1.386) = 1; min 0, max 1 → a ⌊100·1/1⌋ = 100, b ⌊100·(1 + 0 - 1)/1⌋ = 0',
    bound: [[B1, web('w1')]],
    want: { a1: 100, a2: 100, b1: 0, x: 0 },
  },
  {
    why: 'no matching pod anywhere: every raw 0, max 0 → 100 for every labelled node, x 0',
    bound: [[A1, db('d1')]],
    want: { a1: 100, a2: 100, b1: 100, x: 0 },
  },
];

describe('PodTopologySpread Filter', () => {
  it.each(FILTER.map((r) => [r.why, r] as const))('%s', (_why, r) => {
    const t = mkTable(NODES, r.bound);
    expect(reasonsOf(explainWith([{ name: 'PodTopologySpread' }], r.pod, t), t)).toEqual(r.want);
  });
});

describe('PodTopologySpread Score', () => {
  it.each(SCORE.map((r) => [r.why, r] as const))('%s', (_why, r) => {
    const t = mkTable(NODES, r.bound);
    expect(scoresOf(explainWith([{ name: 'PodTopologySpread' }], spreading('ScheduleAnyway'), t), t, 'PodTopologySpread')).toEqual(r.want);
  });
});
