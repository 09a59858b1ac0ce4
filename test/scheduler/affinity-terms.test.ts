/**
 * Pod affinity term fields kube-scheduler honours that Slipway could not express before issue 12:
 * namespaceSelector (with snapshot namespaces and their labels), matchLabelKeys and
 * mismatchLabelKeys (merged into the labelSelector with the term's own pod's label values, as
 * kube-apiserver does at pod creation), and selectors that do not parse.
 */
import { describe, expect, it } from 'vitest';
import { explainSnapshot } from '../../src/scheduler/explain/explain.js';
import { parseSnapshot } from '../../src/scheduler/explain/snapshot.js';
import { parseScenario } from '../../src/run/parse-scenario.js';
import { InputError } from '../../src/core/errors.js';

const explain = (doc: unknown) => explainSnapshot(parseSnapshot(JSON.stringify(doc), 'case.yaml'));
const node = (name: string, zone: string) => ({ name, capacity: { cpu: '4', memory: '8Gi' }, labels: { zone } });
const ipa = { plugins: [{ name: 'InterPodAffinity' }] };
const feasible = (doc: unknown) => Object.fromEntries(explain(doc).nodes.map((n) => [n.name, n.feasible]));
const anti = (term: Record<string, unknown>) => ({ podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'zone', labelSelector: { matchLabels: { app: 'web' } }, ...term }] } });

describe('matchLabelKeys / mismatchLabelKeys on pod affinity terms', () => {
  // Two versions of app=web run in zones a and b; the new pod is version 2.
  const pods = [
    { name: 'web-v1', node: 'a', labels: { app: 'web', version: '1' }, containers: [] },
    { name: 'web-v2', node: 'b', labels: { app: 'web', version: '2' }, containers: [] },
  ];
  const doc = (term: Record<string, unknown>) => ({
    profile: ipa,
    nodes: [node('a', 'a'), node('b', 'b'), node('c', 'c')],
    pods,
    pending: { name: 'p', labels: { app: 'web', version: '2' }, containers: [], affinity: anti(term) },
  });

  it('without them the anti-affinity term avoids every app=web pod', () => {
    expect(feasible(doc({}))).toEqual({ a: false, b: false, c: true });
  });
  it('matchLabelKeys [version] narrows it to pods of the same version (version In (2))', () => {
    expect(feasible(doc({ matchLabelKeys: ['version'] }))).toEqual({ a: true, b: false, c: true });
  });
  it('mismatchLabelKeys [version] narrows it to pods of other versions (version NotIn (2))', () => {
    expect(feasible(doc({ mismatchLabelKeys: ['version'] }))).toEqual({ a: false, b: true, c: true });
  });
  it('a key the pod does not carry is left out', () => {
    expect(feasible(doc({ matchLabelKeys: ['track'] }))).toEqual({ a: false, b: false, c: true });
  });
  it('an existing pod’s term uses that pod’s own label values (symmetry)', () => {
    const d = {
      profile: ipa,
      nodes: [node('a', 'a'), node('b', 'b')],
      pods: [{ name: 'web-v1', node: 'a', labels: { app: 'web', version: '1' }, containers: [], affinity: anti({ matchLabelKeys: ['version'] }) }],
      pending: { name: 'p', labels: { app: 'web', version: '2' }, containers: [] },
    };
    expect(feasible(d)).toEqual({ a: true, b: true });
    d.pending.labels.version = '1';
    expect(feasible(d)).toEqual({ a: false, b: true });
  });
  it('a key in both lists is bad input naming the field', () => {
    expect(() => explain(doc({ matchLabelKeys: ['version'], mismatchLabelKeys: ['version'] }))).toThrow(/mismatchLabelKeys.*also in matchLabelKeys/);
  });
  it('scenarios accept them in placement', () => {
    const s = parseScenario(
      `name: keys
duration: 1m
nodes: [{name: a, capacity: {cpu: 4, memory: 8Gi}}]
workloads:
  - name: w
    replicas: 1
    labels: {app: web}
    containers: [{name: c, image: busybox}]
    placement:
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            - {topologyKey: kubernetes.io/hostname, labelSelector: {matchLabels: {app: web}}, matchLabelKeys: [app]}
`,
      's.yaml',
    );
    expect(s.workloads[0].placement?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.[0].matchLabelKeys).toEqual(['app']);
  });
});

describe('namespaceSelector on pod affinity terms', () => {
  const doc = (nsSel: Record<string, unknown>, namespaces?: unknown) => ({
    profile: ipa,
    ...(namespaces ? { namespaces } : {}),
    nodes: [node('a', 'a'), node('b', 'b')],
    pods: [{ name: 'db', namespace: 'team-x', node: 'a', labels: { app: 'db' }, containers: [] }],
    pending: {
      name: 'p',
      containers: [],
      affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'zone', labelSelector: { matchLabels: { app: 'db' } }, namespaceSelector: nsSel }] } },
    },
  });
  it('matches pods in namespaces whose labels match', () => {
    expect(feasible(doc({ matchLabels: { team: 'x' } }, [{ name: 'team-x', labels: { team: 'x' } }]))).toEqual({ a: true, b: false });
  });
  it('a namespace without those labels does not match (the pod is then unschedulable)', () => {
    expect(feasible(doc({ matchLabels: { team: 'x' } }, [{ name: 'team-x', labels: { team: 'y' } }]))).toEqual({ a: false, b: false });
  });
  it('{} matches every namespace; every namespace carries kubernetes.io/metadata.name', () => {
    expect(feasible(doc({}))).toEqual({ a: true, b: false });
    expect(feasible(doc({ matchLabels: { 'kubernetes.io/metadata.name': 'team-x' } }))).toEqual({ a: true, b: false });
  });
  it('without namespaces or namespaceSelector a term looks only in its pod’s namespace', () => {
    const d = doc({});
    delete (d.pending.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0] as Record<string, unknown>).namespaceSelector;
    expect(feasible(d)).toEqual({ a: false, b: false });
  });
});

describe('a term whose selector does not parse', () => {
  it('fails the pod on every node (upstream PreFilter: parsing pod)', () => {
    const r = explain({
      profile: ipa,
      nodes: [node('a', 'a')],
      pending: { name: 'p', containers: [], affinity: anti({ labelSelector: { matchLabels: { app: 'not a label value!' } } }) },
    });
    expect(r.nodes[0].feasible).toBe(false);
    expect(JSON.stringify(r)).toMatch(/parsing pod: podAntiAffinity\.requiredDuringSchedulingIgnoredDuringExecution\[0\]\.labelSelector/);
  });
  it('namespaces: bad input is one line naming the field', () => {
    expect(() => parseSnapshot(JSON.stringify({ nodes: [node('a', 'a')], pending: { name: 'p', containers: [] }, namespaces: [{ labels: {} }] }), 's.yaml')).toThrow(InputError);
  });
});
