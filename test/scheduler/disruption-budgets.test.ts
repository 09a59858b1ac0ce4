/**
 * PodDisruptionBudgets in DefaultPreemption (upstream's SelectVictimsOnNode and
 * pickOneNodeForPreemption): victims whose eviction keeps every budget are preferred, both when a
 * node's victims are chosen (violating pods are reprieved first) and when a node is chosen (fewest
 * violations first). The budgets' status as the disruption controller computes it.
 */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { disruptionsAllowed, type PodDisruptionBudget } from '../../src/core/disruption-budget.js';
import { explainSnapshot, formatExplainTable } from '../../src/scheduler/explain/explain.js';
import { parseSnapshot } from '../../src/scheduler/explain/snapshot.js';
import { parseScenario } from '../../src/run/parse-scenario.js';
import { simulate } from '../../src/run/simulate.js';
import { traceParts } from '../support/trace-parts.js';
import { explainScenarioAt } from '../../src/run/explain-at.js';

const explain = (doc: unknown) => explainSnapshot(parseSnapshot(JSON.stringify(doc), 'case.yaml'));
const profile = { plugins: [{ name: 'NodeResourcesFit' }, { name: 'DefaultPreemption' }] };
const onePod = (name: string) => ({ name, capacity: { pods: 1 } });
const bound = (name: string, node: string, priority: number, labels: Record<string, string> = {}) => ({ name, node, priority, labels, containers: [] });
const dbBudget = { name: 'db-pdb', selector: { matchLabels: { app: 'db' } }, minAvailable: 1 };

/** The pending pod the snapshot cases place: priority 100, no requests. */
const pending = { name: 'p', priority: 100, containers: [] };

/** Two 1-CPU nodes: db (priority 0) and web (priority 50) take one each; critical (100) arrives at 30s. */
const scenario = (budgets: string) => `name: pdb
duration: 2m
scheduler: default
nodes: [{name: "n{i}", count: 2, capacity: {cpu: 1, memory: 1Gi}}]
workloads:
  - {name: db, priority: 0, labels: {app: db}, containers: [{name: c, image: db, requests: {cpu: 800m}}]}
  - {name: web, priority: 50, labels: {app: web}, containers: [{name: c, image: web, requests: {cpu: 800m}}]}
  - {name: critical, at: 30s, priority: 100, containers: [{name: c, image: x, requests: {cpu: 800m}}]}
${budgets}
`;

describe('DefaultPreemption with PodDisruptionBudgets', () => {
  it('prefers the node whose eviction violates no budget over one with a lower-priority victim', () => {
    const doc = {
      profile,
      nodes: [onePod('a'), onePod('b')],
      // db-0 is the only db pod: minAvailable 1 leaves no disruption to spend.
      pods: [bound('db-0', 'a', 0, { app: 'db' }), bound('web-0', 'b', 50)],
      pending,
    };
    // Without a budget the lowest highest-victim priority wins: node a.
    expect(explain(doc).preemption).toEqual({ node: 'a', victims: ['db-0'] });
    const r = explain({ ...doc, podDisruptionBudgets: [dbBudget] });
    expect(r.preemption).toEqual({ node: 'b', victims: ['web-0'] });
  });

  it('still preempts against a budget when every candidate violates one, and says which', () => {
    const doc = {
      profile,
      nodes: [onePod('a')],
      pods: [bound('db-0', 'a', 0, { app: 'db' })],
      pending,
      podDisruptionBudgets: [dbBudget],
    };
    const r = explain(doc);
    expect(r.preemption).toEqual({ node: 'a', victims: ['db-0'], pdbViolations: 1, violatedBudgets: { 'db-0': 'db-pdb' } });
    expect(formatExplainTable(r)).toContain('preemption: evict db-0 from a (violating PodDisruptionBudget db-pdb by db-0)');
  });

  it('reprieves the budget-covered pod first on a node, evicting the more important uncovered one', () => {
    // Either pod's 500m makes room. By importance alone web-0 (priority 10) is reprieved first and
    // db-0 (priority 5) evicted; db-0's budget allows no disruption, so it is reprieved first instead.
    const doc = {
      profile,
      nodes: [{ name: 'a', capacity: { cpu: '1' } }],
      pods: [
        { ...bound('db-0', 'a', 5, { app: 'db' }), containers: [{ requests: { cpu: '500m' } }] },
        { ...bound('web-0', 'a', 10), containers: [{ requests: { cpu: '500m' } }] },
      ],
      pending: { name: 'p', priority: 100, containers: [{ requests: { cpu: '500m' } }] },
    };
    expect(explain(doc).preemption?.victims).toEqual(['db-0']);
    expect(explain({ ...doc, podDisruptionBudgets: [dbBudget] }).preemption).toEqual({ node: 'a', victims: ['web-0'] });
  });

  it('computes a budget from the pods listed when its status is not given', () => {
    const pods = [bound('db-0', 'a', 0, { app: 'db' }), bound('db-1', 'b', 0, { app: 'db' })];
    const doc = { profile, nodes: [onePod('a'), onePod('b')], pods, pending };
    // 2 healthy, minAvailable 1: one disruption allowed, so neither eviction violates.
    expect(explain({ ...doc, podDisruptionBudgets: [dbBudget] }).preemption?.pdbViolations).toBeUndefined();
    // maxUnavailable 0: none allowed.
    expect(explain({ ...doc, podDisruptionBudgets: [{ name: 'strict', selector: { matchLabels: { app: 'db' } }, maxUnavailable: 0 }] }).preemption?.pdbViolations).toBe(1);
    // A terminating pod is not healthy: 1 healthy, minAvailable 1 → none allowed.
    const terminating = { ...doc, pods: [pods[0], { ...pods[1], terminating: true }] };
    expect(explain({ ...terminating, podDisruptionBudgets: [dbBudget] }).preemption).toMatchObject({ node: 'a', pdbViolations: 1 });
  });

  it('an empty selector, another namespace or a pod without labels is covered by no budget', () => {
    const doc = {
      profile,
      nodes: [onePod('a')],
      pods: [bound('x', 'a', 0)],
      pending,
    };
    for (const b of [
      { name: 'all', selector: {}, disruptionsAllowed: 0 },
      { name: 'none', disruptionsAllowed: 0 },
      { name: 'exp', selector: { matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, disruptionsAllowed: 0 },
    ]) {
      expect(explain({ ...doc, podDisruptionBudgets: [b] }).preemption?.pdbViolations, b.name).toBeUndefined();
    }
    const labelled = { ...doc, pods: [bound('x', 'a', 0, { app: 'db' })] };
    expect(explain({ ...labelled, podDisruptionBudgets: [{ ...dbBudget, namespace: 'other' }] }).preemption?.pdbViolations).toBeUndefined();
  });

  it('rejects a budget with both or neither of minAvailable and maxUnavailable', () => {
    const doc = { nodes: [onePod('a')], pending: { name: 'p', containers: [] } };
    expect(() => parseSnapshot(JSON.stringify({ ...doc, podDisruptionBudgets: [{ name: 'b', minAvailable: 1, maxUnavailable: 1 }] }), 's.yaml')).toThrow(/podDisruptionBudgets\[0\]\.maxUnavailable: give minAvailable or maxUnavailable, not both/);
    expect(() => parseSnapshot(JSON.stringify({ ...doc, podDisruptionBudgets: [{ name: 'b' }] }), 's.yaml')).toThrow(InputError);
    expect(() => parseSnapshot(JSON.stringify({ ...doc, podDisruptionBudgets: [{ name: 'b', minAvailable: '1.5%' }] }), 's.yaml')).toThrow(/percentage/);
  });
});

describe('disruptionsAllowed (the disruption controller)', () => {
  const b = (o: Partial<PodDisruptionBudget>): PodDisruptionBudget => ({ name: 'b', namespace: 'default', ...o });
  it('minAvailable N expects the selected pods; P% and maxUnavailable expect the controllers\' replicas, rounding up', () => {
    expect(disruptionsAllowed(b({ minAvailable: { value: 2, percent: false } }), { pods: 3, healthy: 3, controllerReplicas: 5 })).toBe(1);
    // ⌈50% × 5⌉ = 3 desired, 4 healthy → 1.
    expect(disruptionsAllowed(b({ minAvailable: { value: 50, percent: true } }), { pods: 4, healthy: 4, controllerReplicas: 5 })).toBe(1);
    // maxUnavailable 30% of 5 rounds up to 2: desired 3, healthy 5 → 2.
    expect(disruptionsAllowed(b({ maxUnavailable: { value: 30, percent: true } }), { pods: 5, healthy: 5, controllerReplicas: 5 })).toBe(2);
    expect(disruptionsAllowed(b({ maxUnavailable: { value: 1, percent: false } }), { pods: 3, healthy: 2, controllerReplicas: 3 })).toBe(0);
    // Nothing expected: nothing allowed.
    expect(disruptionsAllowed(b({ maxUnavailable: { value: 1, percent: false } }), { pods: 0, healthy: 0, controllerReplicas: 0 })).toBe(0);
  });
});

describe('PodDisruptionBudgets in scenarios and manifests', () => {
  /** critical's preemption: its instance.preempting and the victims' instance.stopping that follow it. */
  async function preemption(text: string) {
    const stopped: Array<{ workload: unknown; pdb: unknown }> = [];
    const preempting: Array<Record<string, unknown>> = [];
    await simulate(parseScenario(text, 's.yaml'), {
      onEvent: traceParts((type, f) => {
        if (type === 'instance.preempting') preempting.push(f);
        // (a preempted web's replacement may preempt in turn: only critical's victims count)
        if (type === 'instance.stopping' && f.reason === 'preempted' && preempting.length === 1) stopped.push({ workload: f.workload, pdb: f.pdb });
      }),
    });
    expect(preempting[0].workload).toBe('critical');
    return { stopped, preempting };
  }

  it('a budget on db makes preemption evict the more important web instead', async () => {
    expect((await preemption(scenario(''))).stopped).toEqual([{ workload: 'db', pdb: undefined }]);
    const r = await preemption(scenario('podDisruptionBudgets: [{name: db-pdb, selector: {matchLabels: {app: db}}, minAvailable: 1}]'));
    expect(r.stopped).toEqual([{ workload: 'web', pdb: undefined }]);
    expect(r.preempting[0].pdbViolations).toBeUndefined();
  });

  it('records the budget a preemption violates when every choice violates one', async () => {
    const r = await preemption(scenario('podDisruptionBudgets: [{name: all, selector: {matchExpressions: [{key: app, operator: In, values: [db, web]}]}, maxUnavailable: 0}]'));
    expect(r.stopped).toEqual([{ workload: 'db', pdb: 'all' }]);
    expect(r.preempting[0].pdbViolations).toBe(1);
  });

  it('reads policy/v1 PodDisruptionBudget manifests', async () => {
    const text = `${scenario('')}manifests:
  - apiVersion: policy/v1
    kind: PodDisruptionBudget
    metadata: {name: db-pdb}
    spec: {minAvailable: 1, selector: {matchLabels: {app: db}}}
`;
    expect(parseScenario(text, 's.yaml').podDisruptionBudgets).toEqual([{ name: 'db-pdb', namespace: 'default', selector: { matchLabels: { app: 'db' } }, minAvailable: { value: 1, percent: false } }]);
    expect((await preemption(text)).stopped).toEqual([{ workload: 'web', pdb: undefined }]);
  });

  it('rejects a budget with both or neither of minAvailable and maxUnavailable, and duplicate names', () => {
    expect(() => parseScenario(scenario('podDisruptionBudgets: [{name: b, minAvailable: 1, maxUnavailable: 1}]'), 's.yaml')).toThrow(/s\.yaml:\d+:\d+: podDisruptionBudgets\[0\]\.maxUnavailable: give exactly one of minAvailable and maxUnavailable/);
    expect(() => parseScenario(scenario('podDisruptionBudgets: [{name: b}]'), 's.yaml')).toThrow(/give exactly one/);
    expect(() => parseScenario(scenario('podDisruptionBudgets: [{name: b, minAvailable: 1}, {name: b, minAvailable: 2}]'), 's.yaml')).toThrow(/duplicate PodDisruptionBudget "b"/);
  });
});

describe('explain --at with PodDisruptionBudgets', () => {
  it('explains preemption with the budgets as they stand then, and the snapshot keeps their status', async () => {
    const text = scenario('podDisruptionBudgets: [{name: db-pdb, selector: {matchLabels: {app: db}}, minAvailable: 1}]');
    const r = await explainScenarioAt(parseScenario(text, 's.yaml'), { workload: 'critical', atMs: 20_000 });
    expect(r.preemption?.victims).toEqual([expect.stringMatching(/^web-/)]);
    expect(r.snapshot.podDisruptionBudgets).toEqual([{ name: 'db-pdb', selector: { matchLabels: { app: 'db' } }, disruptionsAllowed: 0 }]);
    expect(explainSnapshot(parseSnapshot(JSON.stringify(r.snapshot), 'snap.json')).preemption).toEqual(r.preemption);
  });
});
