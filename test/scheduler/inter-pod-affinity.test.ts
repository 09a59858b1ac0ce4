/**
 * InterPodAffinity, one row per situation; each row's `why` says which term decides and how.
 * Filter order as upstream: the pod's required affinity, its required anti-affinity, then the
 * existing pods' required anti-affinity against it. Score: per topology domain, + the weight of
 * each preferred affinity term and - the weight of each preferred anti-affinity term a pod there
 * matches; normalized ⌊100·(raw - min)/(max - min)⌋.
 */
import { describe, expect, it } from 'vitest';
import type { PodInfo } from '../../src/scheduler/framework/pod.js';
import { explainWith, mkNode, mkPod, mkTable, reasonsOf, scoresOf } from './support.js';

const MiB = 1024 * 1024;
const HOST = 'kubernetes.io/hostname';
const host = (n: string, zone: string) => mkNode(n, { cpu: 4000, memory: 8000 * MiB, labels: { [HOST]: n, zone } });
/** n1, n2 in zone a; n3 in zone b. */
const NODES = [host('n1', 'a'), host('n2', 'a'), host('n3', 'b')];
const N1 = 0;
const N2 = 1;
const N3 = 2;
const term = (app: string, topologyKey: string) => ({ labelSelector: { matchLabels: { app } }, topologyKey });
const labelled = (name: string, app: string) => mkPod(name, { labels: { app } });
const requiredAnti = (app: string, key: string, labels: Record<string, string> = {}) =>
  mkPod('p', { labels, placement: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term(app, key)] } } } });
const requiredAffinity = (app: string, key: string, labels: Record<string, string> = {}) =>
  mkPod('p', { labels, placement: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term(app, key)] } } } });

const ANTI = "node(s) didn't match pod anti-affinity rules";
const EXISTING_ANTI = "node(s) didn't satisfy existing pods anti-affinity rules";
const AFFINITY = "node(s) didn't match pod affinity rules";

interface FilterRow {
  readonly why: string;
  readonly bound: Array<[number, PodInfo]>;
  readonly pod: PodInfo;
  /** Reasons per node; [] = feasible. */
  readonly want: Record<string, string[]>;
}

const FILTER: FilterRow[] = [
  {
    why: 'required anti-affinity to db by zone, a db pod on n1 → all of zone a (n1, n2) is out; n3 (zone b) is in',
    bound: [[N1, labelled('db', 'db')]],
    pod: requiredAnti('db', 'zone'),
    want: { n1: [ANTI], n2: [ANTI], n3: [] },
  },
  {
    why: 'the same by hostname → only n1, the node holding the db pod, is out',
    bound: [[N1, labelled('db', 'db')]],
    pod: requiredAnti('db', HOST),
    want: { n1: [ANTI], n2: [], n3: [] },
  },
  {
    why: "an existing pod's anti-affinity to web by hostname keeps a web pod off its node (n2) only",
    bound: [[N2, mkPod('g', { placement: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('web', HOST)] } } } })]],
    pod: labelled('w', 'web'),
    want: { n1: [], n2: [EXISTING_ANTI], n3: [] },
  },
  {
    why: 'required affinity to cache by zone, a cache pod on n3 → only zone b (n3) has one',
    bound: [[N3, labelled('c1', 'cache')]],
    pod: requiredAffinity('cache', 'zone', { app: 'cache' }),
    want: { n1: [AFFINITY], n2: [AFFINITY], n3: [] },
  },
  {
    why: 'no cache pod anywhere, and the pod matches its own term: the first of a group may go anywhere',
    bound: [],
    pod: requiredAffinity('cache', 'zone', { app: 'cache' }),
    want: { n1: [], n2: [], n3: [] },
  },
  {
    why: 'no cache pod anywhere, and the pod does not match its own term: no node satisfies it',
    bound: [],
    pod: requiredAffinity('cache', 'zone'),
    want: { n1: [AFFINITY], n2: [AFFINITY], n3: [AFFINITY] },
  },
];

interface ScoreRow {
  readonly why: string;
  readonly bound: Array<[number, PodInfo]>;
  readonly affinity?: { readonly weight: number; readonly app: string; readonly key: string };
  readonly anti?: { readonly weight: number; readonly app: string; readonly key: string };
  readonly want: Record<string, number>;
}

const SCORE: ScoreRow[] = [
  {
    why: 'affinity web (10, zone), anti-affinity db (4, hostname); web on n1 → zone a +10; db on n2 → n2 -4. raw n1 10, n2 6, n3 0 → n1 100, n2 ⌊100·6/10⌋ = 60, n3 0',
    bound: [[N1, labelled('w', 'web')], [N2, labelled('d', 'db')]],
    affinity: { weight: 10, app: 'web', key: 'zone' },
    anti: { weight: 4, app: 'db', key: HOST },
    want: { n1: 100, n2: 60, n3: 0 },
  },
  {
    why: 'anti-affinity db (4, hostname) alone, db on n2: raw n1 0, n2 -4, n3 0 → min -4, max 0: n1 100, n2 0, n3 100',
    bound: [[N2, labelled('d', 'db')]],
    anti: { weight: 4, app: 'db', key: HOST },
    want: { n1: 100, n2: 0, n3: 100 },
  },
  {
    why: 'affinity web (5, zone), web on n3: raw zone b 5, zone a 0 → n3 100, n1 and n2 0',
    bound: [[N3, labelled('w', 'web')]],
    affinity: { weight: 5, app: 'web', key: 'zone' },
    want: { n1: 0, n2: 0, n3: 100 },
  },
];

function preferring(r: ScoreRow): PodInfo {
  const pref = (t: { weight: number; app: string; key: string }) => ({ preferredDuringSchedulingIgnoredDuringExecution: [{ weight: t.weight, podAffinityTerm: term(t.app, t.key) }] });
  return mkPod('p', { placement: { affinity: { ...(r.affinity ? { podAffinity: pref(r.affinity) } : {}), ...(r.anti ? { podAntiAffinity: pref(r.anti) } : {}) } } });
}

describe('InterPodAffinity Filter', () => {
  it.each(FILTER.map((r) => [r.why, r] as const))('%s', (_why, r) => {
    const t = mkTable(NODES, r.bound);
    expect(reasonsOf(explainWith([{ name: 'InterPodAffinity' }], r.pod, t), t)).toEqual(r.want);
  });
});

describe('InterPodAffinity Score', () => {
  it.each(SCORE.map((r) => [r.why, r] as const))('%s', (_why, r) => {
    const t = mkTable(NODES, r.bound);
    expect(scoresOf(explainWith([{ name: 'InterPodAffinity' }], preferring(r), t), t, 'InterPodAffinity')).toEqual(r.want);
  });
});
