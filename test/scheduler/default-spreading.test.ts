/**
 * PodTopologySpread's default constraints select pods as kube-scheduler's helper.DefaultSelector
 * does (Services selecting the pod, its controller's selector), and matchLabelKeys narrows a
 * constraint by the incoming pod's own label values (issue 12).
 */
import { describe, expect, it } from 'vitest';
import { explainSnapshot } from '../../src/scheduler/explain/explain.js';
import { parseSnapshot } from '../../src/scheduler/explain/snapshot.js';
import { parseScenario } from '../../src/run/parse-scenario.js';

const explain = (doc: unknown) => explainSnapshot(parseSnapshot(JSON.stringify(doc), 'case.yaml'));
const H = 'kubernetes.io/hostname';
const node = (name: string) => ({ name, capacity: { cpu: '4', memory: '8Gi' } });
const pts = { plugins: [{ name: 'PodTopologySpread' }] };
const scores = (doc: unknown) => Object.fromEntries(explain(doc).nodes.map((n) => [n.name, n.scores.PodTopologySpread]));
/** PreScore skipped the plugin: no node has a PodTopologySpread score. */
const skipped = (doc: unknown) => explain(doc).nodes.every((n) => !('PodTopologySpread' in n.scores));
// a: 2 pods app=web, b: 1 pod app=web, c: 2 pods app=db. Default constraints (hostname maxSkew 3, zone 5).
const pods = [
  { name: 'w1', node: 'a', labels: { app: 'web' }, containers: [] },
  { name: 'w2', node: 'a', labels: { app: 'web' }, containers: [] },
  { name: 'w3', node: 'b', labels: { app: 'web' }, containers: [] },
  { name: 'd1', node: 'c', labels: { app: 'db' }, containers: [] },
  { name: 'd2', node: 'c', labels: { app: 'db' }, containers: [] },
];
const base = { profile: pts, nodes: [node('a'), node('b'), node('c')], pods };

describe('default spreading selects what a Service or the controller selects', () => {
  it('a Service selecting app=web: the pod spreads away from web pods, not db pods', () => {
    // hostname counts 2/1/0, w = ln(5): raw = round(2·1.609 + 2) = 5, round(1.609 + 2) = 4, 2 → ⌊100·(5+2-raw)/5⌋
    const s = scores({ ...base, services: [{ name: 'web', selector: { app: 'web' } }], pending: { name: 'p', labels: { app: 'web' }, containers: [] } });
    expect(s).toEqual({ a: 40, b: 60, c: 100 });
  });
  it('a Service in another namespace, or one that does not select the pod, is not used (no default constraints)', () => {
    const pending = { name: 'p', labels: { app: 'web' }, containers: [] };
    expect(skipped({ ...base, services: [{ name: 'web', namespace: 'other', selector: { app: 'web' } }], pending })).toBe(true);
    expect(skipped({ ...base, services: [{ name: 'db', selector: { app: 'db' } }], pending })).toBe(true);
    expect(skipped({ ...base, services: [{ name: 'web', selector: { app: 'web' } }], pending })).toBe(false);
  });
  it("the pod's ReplicaSet (ownerReference) selects by its selector", () => {
    const s = scores({
      ...base,
      replicaSets: [{ name: 'db-rs', selector: { matchLabels: { app: 'db' } } }],
      pending: { name: 'p', labels: { app: 'db' }, containers: [], ownerReference: { kind: 'ReplicaSet', name: 'db-rs' } },
    });
    // counts 0/0/2: raw 2, 2, round(2·ln5 + 2) = 5 → 100, 100, 40
    expect(s).toEqual({ a: 100, b: 100, c: 40 });
  });
  it('an ownerReference to a controller the snapshot does not list gives no default constraints', () => {
    expect(skipped({ ...base, pending: { name: 'p', labels: { app: 'db' }, containers: [], ownerReference: { kind: 'StatefulSet', name: 'missing' } } })).toBe(true);
  });
  it('a workload pod (owner) with a Service still counts only its own workload (its ReplicaSet carries a pod-template-hash)', () => {
    const owned = pods.map((p) => ({ ...p, owner: p.name === 'w3' ? 'web-v2' : p.labels.app }));
    const s = scores({ ...base, pods: owned, services: [{ name: 'web', selector: { app: 'web' } }], pending: { name: 'p', owner: 'web', labels: { app: 'web' }, containers: [] } });
    // siblings of workload web: 2/0/0 → raw round(2·ln5 + 2) = 5, 2, 2 → 40, 100, 100
    expect(s).toEqual({ a: 40, b: 100, c: 100 });
  });
});

describe('matchLabelKeys on topology spread constraints', () => {
  const doc = (matchLabelKeys?: string[]) => ({
    profile: pts,
    hostnameLabels: true,
    nodes: [node('a'), node('b')],
    pods: [
      { name: 'v1a', node: 'a', labels: { app: 'web', rev: '1' }, containers: [] },
      { name: 'v1b', node: 'a', labels: { app: 'web', rev: '1' }, containers: [] },
      { name: 'v2a', node: 'b', labels: { app: 'web', rev: '2' }, containers: [] },
    ],
    pending: {
      name: 'p',
      labels: { app: 'web', rev: '2' },
      containers: [],
      topologySpreadConstraints: [{ maxSkew: 1, topologyKey: H, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } }, ...(matchLabelKeys ? { matchLabelKeys } : {}) }],
    },
  });
  const feasible = (d: unknown) => Object.fromEntries(explain(d).nodes.map((n) => [n.name, n.feasible]));
  it('without it every app=web pod counts (2/1: only b fits)', () => {
    expect(feasible(doc())).toEqual({ a: false, b: true });
  });
  it('matchLabelKeys [rev] counts only pods of the same revision (0/1: only a fits)', () => {
    expect(feasible(doc(['rev']))).toEqual({ a: true, b: false });
  });
  it('scenarios accept it', () => {
    const s = parseScenario(
      `name: k
duration: 1m
nodes: [{name: a, capacity: {cpu: 4, memory: 8Gi}}]
workloads:
  - name: w
    replicas: 1
    labels: {app: web}
    containers: [{name: c, image: busybox}]
    placement:
      topologySpreadConstraints:
        - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: web}}, matchLabelKeys: [app]}
`,
      's.yaml',
    );
    expect(s.workloads[0].placement?.topologySpreadConstraints?.[0].matchLabelKeys).toEqual(['app']);
  });
});
