/**
 * Namespaces as a real field of workloads, scenarios and manifests (issue 12): pod affinity terms'
 * `namespaces` and `namespaceSelector` as upstream's InterPodAffinity reads them (neither = the
 * term owner's namespace, `{}` = all, the union of both), topology spreading counting only the
 * pod's namespace, and default spreading selecting by Services and controllers as
 * helper.DefaultSelector does.
 */
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/run/parse-scenario.js';
import { simulate } from '../../src/run/simulate.js';
import { explainScenarioAt } from '../../src/run/explain-at.js';
import { explainSnapshot, formatExplainTable } from '../../src/scheduler/explain/explain.js';
import { parseSnapshot } from '../../src/scheduler/explain/snapshot.js';

/** Where each workload's instances went (`-` for an unschedulable attempt). */
async function placements(text: string): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  await simulate(parseScenario(text, 's.yaml'), {
    onEvent: (e) => {
      if (e.type === 'instance.scheduled') (out[e.workload] ??= []).push(e.node ?? '(gone)');
      if (e.type === 'instance.unschedulable' && e.attempt === 1) (out[e.workload] ??= []).push('-');
    },
  });
  return out;
}

/** The head of the default-spreading scenarios: one minute, NodeName and PodTopologySpread only, nodes n1 and n2. */
const SPREAD_ONLY_HEAD = (name: string) => `name: ${name}
duration: 1m
scheduler:
  name: spread-only
  plugins: [{name: NodeName}, {name: PodTopologySpread}]
nodes: [{name: "n{i}", count: 2, capacity: {cpu: 4, memory: 8Gi}}]
`;

describe('pod affinity terms across namespaces (scenarios)', () => {
  /** One node; web runs in team-a; guard (team-b) arrives at 10s with a required anti-affinity to app=web. */
  const scenario = (term: string, extra = '') => `name: ns-affinity
duration: 1m
scheduler: default
nodes: [{name: n1, capacity: {cpu: 4, memory: 8Gi}}]
workloads:
  - {name: web, namespace: team-a, labels: {app: web}, containers: [{name: c, image: web}]}
  - name: guard
    namespace: team-b
    at: 10s
    containers: [{name: c, image: guard}]
    placement:
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            - {labelSelector: {matchLabels: {app: web}}, topologyKey: kubernetes.io/hostname${term}}
${extra}`;

  it('a term without namespaces or namespaceSelector matches only pods of its own namespace', async () => {
    expect((await placements(scenario('')))['guard']).toEqual(['n1']);
  });

  it('namespaces: [team-a] reaches into team-a', async () => {
    expect((await placements(scenario(', namespaces: [team-a]')))['guard']).toEqual(['-']);
  });

  it('namespaceSelector matches the declared namespaces\' labels; {} selects every namespace', async () => {
    const prod = ', namespaceSelector: {matchLabels: {env: prod}}';
    expect((await placements(scenario(prod, 'namespaces: [{name: team-a, labels: {env: prod}}]')))['guard']).toEqual(['-']);
    expect((await placements(scenario(prod, 'namespaces: [{name: team-a, labels: {env: dev}}]')))['guard']).toEqual(['n1']);
    expect((await placements(scenario(', namespaceSelector: {}')))['guard']).toEqual(['-']);
    // every namespace carries kubernetes.io/metadata.name
    expect((await placements(scenario(', namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: team-a}}')))['guard']).toEqual(['-']);
  });

  it('the union of namespaces and namespaceSelector', async () => {
    const text = scenario(', namespaces: [team-c], namespaceSelector: {matchLabels: {env: prod}}', 'namespaces: [{name: team-a, labels: {env: prod}}]');
    expect((await placements(text))['guard']).toEqual(['-']);
  });

  it('explain --at shows the namespace and writes it into the snapshot, which reads back the same', async () => {
    const s = parseScenario(scenario(', namespaceSelector: {matchLabels: {env: prod}}', 'namespaces: [{name: team-a, labels: {env: prod}}]'), 's.yaml');
    const r = await explainScenarioAt(s, { workload: 'guard', atMs: 5_000 });
    expect(r.namespace).toBe('team-b');
    expect(r.chosen).toBeNull();
    expect(formatExplainTable(r).split('\n')[0]).toMatch(/^pending pod guard \(namespace team-b\), /);
    expect(r.snapshot.namespaces).toEqual([{ name: 'team-a', labels: { env: 'prod' } }]);
    expect((r.snapshot.pods as Array<Record<string, unknown>>)[0]).toMatchObject({ namespace: 'team-a', labels: { app: 'web' } });
    const again = explainSnapshot(parseSnapshot(JSON.stringify(r.snapshot), 'snap.json'));
    expect(again.nodes).toEqual(r.nodes);
    expect(again.namespace).toBe('team-b');
  });

  it('rejects a bad namespace name and duplicate namespaces', () => {
    expect(() => parseScenario(scenario('').replace('namespace: team-b', 'namespace: Team_B'), 's.yaml')).toThrow(/^s\.yaml:8:16: workloads\[1\]\.namespace: invalid namespace name "Team_B"/);
    expect(() => parseScenario(scenario('', 'namespaces: [{name: a}, {name: a}]'), 's.yaml')).toThrow(/^s\.yaml:\d+:\d+: namespaces\[1\]\.name: duplicate namespace "a"$/);
  });
});

describe('topology spreading counts only the pod\'s namespace', () => {
  it('pods of the same labels in another namespace do not count against maxSkew', async () => {
    // two web pods of team-a pinned to n1; web-b (team-b) must keep skew ≤ 1 among app=web pods of its namespace.
    const text = (ns: string) => `name: ns-spread
duration: 1m
scheduler: default
nodes: [{name: "n{i}", count: 2, capacity: {cpu: 4, memory: 8Gi}}]
workloads:
  - {name: web-a, namespace: team-a, replicas: 2, labels: {app: web}, placement: {nodeName: n1}, containers: [{name: c, image: web}]}
  - name: web-b
    namespace: ${ns}
    at: 10s
    labels: {app: web}
    containers: [{name: c, image: web}]
    placement:
      topologySpreadConstraints:
        - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: web}}}
`;
    const same = await explainScenarioAt(parseScenario(text('team-a'), 's.yaml'), { workload: 'web-b', atMs: 5_000 });
    expect(same.nodes.map((n) => [n.name, n.feasible])).toEqual([['n1', false], ['n2', true]]);
    const other = await explainScenarioAt(parseScenario(text('team-b'), 's.yaml'), { workload: 'web-b', atMs: 5_000 });
    expect(other.nodes.map((n) => [n.name, n.feasible])).toEqual([['n1', true], ['n2', true]]);
  });
});

describe('default spreading selects by Services and controllers (helper.DefaultSelector)', () => {
  /** db's two pods on n1; cache (app=shop too) is explained at 5s under the default spreading only. */
  const scenario = (cache: string, extra = '') => `${SPREAD_ONLY_HEAD('default-selector')}workloads:
  - {name: db, replicas: 2, labels: {app: shop, role: db}, placement: {nodeName: n1}, containers: [{name: c, image: db}]}
  - {name: cache, at: 10s, labels: {app: shop, role: cache}, containers: [{name: c, image: cache}]${cache}}
${extra}`;
  const scores = async (text: string) => {
    const r = await explainScenarioAt(parseScenario(text, 's.yaml'), { workload: 'cache', atMs: 5_000 });
    return Object.fromEntries(r.nodes.map((n) => [n.name, n.scores.PodTopologySpread]));
  };
  const SHOP = 'services: [{name: shop, selector: {app: shop}}]';

  it('a bare Pod selected by a Service spreads among the Service\'s pods; without one it has no default constraints', async () => {
    // selector app=shop counts db's 2 pods on n1: n1 raw 2·w+2, n2 raw 0+2 → n2 scores 100.
    const withService = await scores(scenario(', controller: {kind: Pod}', SHOP));
    expect(withService.n2).toBe(100);
    expect(withService.n1).toBeLessThan(100);
    // no Service: no default constraints (PreScore skips): no node gets a score.
    expect(await scores(scenario(', controller: {kind: Pod}'))).toEqual({ n1: undefined, n2: undefined });
    // a Service in another namespace does not select it
    expect(await scores(scenario(', controller: {kind: Pod}', 'services: [{name: shop, namespace: other, selector: {app: shop}}]'))).toEqual({ n1: undefined, n2: undefined });
  });

  it('a Deployment\'s instances count only their own ReplicaSet\'s pods, with or without the Service', async () => {
    // cache has no pod yet: every node scores the same.
    expect(await scores(scenario('', SHOP))).toEqual({ n1: 100, n2: 100 });
    expect(await scores(scenario(''))).toEqual({ n1: 100, n2: 100 });
  });

  it('a StatefulSet counts every pod its selector matches in the namespace', async () => {
    const r = await scores(scenario(', controller: {kind: StatefulSet, selector: {matchLabels: {app: shop}}}'));
    expect(r.n2).toBe(100);
    expect(r.n1).toBeLessThan(100);
  });

  it('a Job\'s pods are selected by Services only', async () => {
    expect(await scores(scenario(', controller: {kind: Job}'))).toEqual({ n1: undefined, n2: undefined });
    expect((await scores(scenario(', controller: {kind: Job}', SHOP))).n2).toBe(100);
  });

  it('explain --at writes Services and controllers into the snapshot, which reads back to the same scores', async () => {
    for (const [cache, extra] of [[', controller: {kind: Pod}', SHOP], [', controller: {kind: StatefulSet, selector: {matchLabels: {app: shop}}}', ''], [', controller: {kind: Job}', SHOP]]) {
      const r = await explainScenarioAt(parseScenario(scenario(cache, extra), 's.yaml'), { workload: 'cache', atMs: 5_000 });
      expect(explainSnapshot(parseSnapshot(JSON.stringify(r.snapshot), 'snap.json')).nodes).toEqual(r.nodes);
    }
  });

  it('rejects a controller selector that does not select the workload, a missing one, and one on a Pod', () => {
    expect(() => parseScenario(scenario(', controller: {kind: StatefulSet, selector: {matchLabels: {app: other}}}'), 's.yaml')).toThrow(
      /^s\.yaml:\d+:\d+: workloads\[1\]\.controller\.selector: selector does not match the workload's labels/,
    );
    expect(() => parseScenario(scenario(', controller: {kind: ReplicaSet}'), 's.yaml')).toThrow(/workloads\[1\]\.controller: a ReplicaSet needs a non-empty selector/);
    expect(() => parseScenario(scenario(', controller: {kind: Pod, selector: {matchLabels: {app: shop}}}'), 's.yaml')).toThrow(/workloads\[1\]\.controller\.selector: a Pod has no selector of its own/);
  });
});

describe('namespaces, Services and controllers from Kubernetes manifests', () => {
  const text = `${SPREAD_ONLY_HEAD('k8s-ns')}workloads:
  - {name: db, namespace: shop, replicas: 4, labels: {app: shop}, placement: {nodeName: n1}, containers: [{name: c, image: db}]}
manifests:
  - apiVersion: v1
    kind: Namespace
    metadata: {name: shop, labels: {env: prod}}
  - apiVersion: v1
    kind: Service
    metadata: {name: shop, namespace: shop}
    spec: {selector: {app: shop}, ports: [{port: 80}]}
  - apiVersion: v1
    kind: Pod
    metadata: {name: cache, namespace: shop, labels: {app: shop}}
    spec: {containers: [{name: c, image: cache}]}
  - apiVersion: apps/v1
    kind: StatefulSet
    metadata: {name: store, namespace: shop}
    spec:
      selector: {matchLabels: {app: shop}}
      template:
        metadata: {labels: {app: shop}}
        spec: {containers: [{name: c, image: store}]}
  - apiVersion: policy/v1
    kind: PodDisruptionBudget
    metadata: {name: shop-pdb, namespace: shop}
    spec: {minAvailable: 1, selector: {matchLabels: {app: shop}}}
`;

  it('reads metadata.namespace, Namespace labels, Service selectors and controllers', () => {
    const s = parseScenario(text, 's.yaml');
    expect(s.namespaces).toEqual([{ name: 'shop', labels: { env: 'prod' } }]);
    expect(s.services).toEqual([{ name: 'shop', namespace: 'shop', selector: { app: 'shop' } }]);
    expect(s.workloads.map((w) => [w.name, w.namespace, w.controller])).toEqual([
      ['db', 'shop', undefined],
      ['cache', 'shop', { kind: 'Pod' }],
      ['store', 'shop', { kind: 'StatefulSet', selector: { matchLabels: { app: 'shop' } } }],
    ]);
    expect(s.podDisruptionBudgets?.[0].namespace).toBe('shop');
    expect(s.warnings).toContain('Service/shop: spec.ports is not modelled; ignored');
  });

  it('the bare Pod spreads away from the Service\'s pods', async () => {
    // at 5s: db's 4 pods on n1, cache and store placed (at most 2 app=shop pods on n2)
    const r = await explainScenarioAt(parseScenario(text, 's.yaml'), { workload: 'cache', atMs: 5_000 });
    expect(r.namespace).toBe('shop');
    expect(r.nodes.find((n) => n.name === 'n2')!.scores.PodTopologySpread).toBe(100);
    expect(r.nodes.find((n) => n.name === 'n1')!.scores.PodTopologySpread).toBeLessThan(100);
  });
});
