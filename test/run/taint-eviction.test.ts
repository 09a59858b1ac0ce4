/**
 * NoExecute taint eviction through the real Orchestrator in simulated runs: a `taint` operation
 * evicts what does not tolerate it at once and what tolerates it for a while when its
 * tolerationSeconds run out; a NotReady node evicts by each workload's own toleration of
 * `node.kubernetes.io/not-ready` (or `controlPlane.evictionGrace` without one).
 */
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/run/simulate.js';
import { parseScenario } from '../../src/run/parse-scenario.js';
import { traceParts } from '../support/trace-parts.js';

type Rec = { type: string; t: number; fields: Record<string, unknown> };

async function run(yaml: string) {
  const records: Rec[] = [];
  const summary = await simulate(parseScenario(yaml, 'taints.yaml'), {
    onEvent: traceParts((type, fields, t) => records.push({ type, t, fields: structuredClone(fields) })),
  });
  const of = (type: string) => records.filter((r) => r.type === type);
  /** The workload's evictions: [time, node it ran on, taint]. */
  const evictions = (workload: string) => {
    const nodeOf = new Map(of('instance.scheduled').map((r) => [r.fields.instance, r.fields.node]));
    return of('instance.stopping')
      .filter((r) => r.fields.workload === workload && r.fields.reason === 'evicted')
      .map((r) => [r.t, nodeOf.get(r.fields.instance), r.fields.taint]);
  };
  return { summary, records, of, evictions };
}

const svc = (name: string, tolerations = '[]', pin = 'a') => `
  - name: ${name}
    replicas: 1
    placement: {nodeSelector: {pool: ${pin}}, tolerations: ${tolerations}}
    containers: [{name: c, image: busybox, requests: {cpu: 100m, memory: 64Mi}}]`;

const TAINT_AT_1M = (workloads: string, scheduler = 'default') => `
name: noexecute
duration: 15m
scheduler: ${scheduler}
nodes:
  - {name: a1, capacity: {cpu: 4, memory: 8Gi}, labels: {pool: a}}
  - {name: a2, capacity: {cpu: 4, memory: 8Gi}, labels: {pool: a}}
workloads:${workloads}
operations:
  # NoSchedule too, as one drains a node: evicted instances cannot come back to a1.
  - {at: 1m, taint: {node: a1, key: maint, value: disk, effect: NoSchedule}}
  - {at: 1m, taint: {node: a1, key: maint, value: disk, effect: NoExecute}}
`;

describe('NoExecute taints added while the cluster runs', () => {
  it('evict at once what does not tolerate them, after tolerationSeconds what does, never what tolerates forever', async () => {
    // Every instance starts on a1 (first-fit takes a1 first; all pinned to pool a).
    const { of, evictions, summary } = await run(
      TAINT_AT_1M(
        svc('plain') +
          svc('brief', '[{key: maint, operator: Exists, effect: NoExecute, tolerationSeconds: 60}]') +
          svc('long', '[{key: maint, operator: Equal, value: disk, effect: NoExecute, tolerationSeconds: 600}]') +
          svc('forever', '[{key: maint, operator: Exists}]'),
        'first-fit',
      ),
    );
    expect(of('instance.scheduled').slice(0, 4).map((r) => r.fields.node)).toEqual(['a1', 'a1', 'a1', 'a1']);
    expect(of('op.taint').map((r) => r.fields)).toEqual([
      { node: 'a1', taint: 'maint=disk:NoSchedule', applied: true },
      { node: 'a1', taint: 'maint=disk:NoExecute', applied: true },
    ]);
    expect(of('node.taints').map((r) => [r.t, r.fields.taints])).toEqual([
      [60_000, ['maint=disk:NoSchedule']],
      [60_000, ['maint=disk:NoSchedule', 'maint=disk:NoExecute']],
    ]);
    expect(evictions('plain')).toEqual([[60_000, 'a1', 'maint=disk:NoExecute']]);
    expect(evictions('brief')).toEqual([[120_000, 'a1', 'maint=disk:NoExecute']]);
    expect(evictions('long')).toEqual([[660_000, 'a1', 'maint=disk:NoExecute']]);
    expect(evictions('forever')).toEqual([]);
    // Replacements avoid a1 (TaintToleration: maint=disk:NoSchedule).
    for (const w of ['plain', 'brief', 'long']) {
      expect(of('instance.scheduled').filter((r) => r.fields.workload === w).map((r) => r.fields.node)).toEqual(['a1', 'a2']);
    }
    expect(summary.workloads.map((w) => [w.name, w.running])).toEqual([['plain', 1], ['brief', 1], ['long', 1], ['forever', 1]]);
    expect(summary.violation).toBeUndefined();
  });

  it('untaint before tolerationSeconds run out: nothing is evicted', async () => {
    const yaml =
      TAINT_AT_1M(svc('brief', '[{key: maint, operator: Exists, effect: NoExecute, tolerationSeconds: 60}]'), 'first-fit') +
      '  - {at: 90s, untaint: {node: a1, key: maint}}\n  - {at: 2m, untaint: {node: a1, key: maint}}\n';
    const { of, evictions } = await run(yaml);
    expect(evictions('brief')).toEqual([]);
    expect(of('op.untaint').map((r) => r.fields.applied)).toEqual([true, false]);
    expect(of('node.taints').map((r) => r.fields.taints)).toEqual([['maint=disk:NoSchedule'], ['maint=disk:NoSchedule', 'maint=disk:NoExecute'], []]);
  });

  it('round-robin, which ignores placement, does not place where a NoExecute taint would evict at once', async () => {
    const { evictions, of, summary } = await run(TAINT_AT_1M(svc('plain') + svc('other'), 'round-robin'));
    // round-robin spread them a1, a2; the one on a1 is evicted once, then lands on a2.
    expect(evictions('plain').length + evictions('other').length).toBe(1);
    const after = of('instance.scheduled').filter((r) => r.t >= 60_000);
    expect(after.map((r) => r.fields.node)).toEqual(['a2']);
    expect(summary.workloads.every((w) => w.running === 1)).toBe(true);
  });
});

describe('NotReady nodes evict by each workload’s toleration of node.kubernetes.io/not-ready', () => {
  // a1 crashes at 1m; it stops heartbeating and is NotReady at 1m40s or so (notReadyAfter 40s).
  const yaml = `
name: not-ready
duration: 20m
scheduler: first-fit
nodes:
  - {name: a1, capacity: {cpu: 4, memory: 8Gi}, labels: {pool: a}}
  - {name: a2, capacity: {cpu: 4, memory: 8Gi}, labels: {pool: a}}
workloads:${svc('dflt')}${svc('s60', '[{key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: 60}]')}${svc('s600', '[{key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: 600}, {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 600}]')}${svc('nr-only', '[{key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: 600}]')}
faults:
  - {at: 1m, nodeCrash: {node: a1}}
`;
  it('60 s, 600 s and the default (evictionGrace, 30 s) after the node became NotReady', async () => {
    const { of, evictions, summary } = await run(yaml);
    const notReadyAt = of('node.status').find((r) => r.fields.node === 'a1' && r.fields.to === 'NotReady')!.t;
    const taint = 'node.kubernetes.io/not-ready:NoExecute';
    expect(evictions('dflt')).toEqual([[notReadyAt + 30_000, 'a1', taint]]);
    expect(evictions('s60')).toEqual([[notReadyAt + 60_000, 'a1', taint]]);
    // Tolerating unreachable too, it outlasts the node going Down (5m after its last heartbeat);
    // the unreachable taint that replaces not-ready then is dated from when the node stopped being
    // Ready, so it goes 600 s after NotReady, not after Down.
    expect(evictions('s600')).toEqual([[notReadyAt + 600_000, 'a1', 'node.kubernetes.io/unreachable:NoExecute']]);
    // Tolerating only not-ready: when the node goes Down its unreachable taint (dated from when
    // the node stopped being Ready) meets the default 30 s toleration, long over: evicted at once.
    const downAt = of('node.status').find((r) => r.fields.node === 'a1' && r.fields.to === 'Down')!.t;
    expect(downAt).toBeGreaterThan(notReadyAt + 30_000);
    expect(evictions('nr-only')).toEqual([[downAt, 'a1', 'node.kubernetes.io/unreachable:NoExecute']]);
    // Each is replaced on a2 (replace-lost) and runs there at the end.
    const lost = of('instance.created').filter((r) => r.fields.reason === 'replace-lost').map((r) => [r.t, r.fields.workload]);
    expect(lost).toEqual([
      [notReadyAt + 30_000, 'dflt'],
      [notReadyAt + 60_000, 's60'],
      [downAt, 'nr-only'],
      [notReadyAt + 600_000, 's600'],
    ]);
    expect(summary.workloads.map((w) => w.running)).toEqual([1, 1, 1, 1]);
    expect(summary.violation).toBeUndefined();
  });

  it('a longer evictionGrace delays only the workloads without their own toleration', async () => {
    const { of, evictions } = await run(`${yaml}controlPlane: {evictionGrace: 2m}\n`);
    const notReadyAt = of('node.status').find((r) => r.fields.to === 'NotReady')!.t;
    expect(evictions('dflt').map((e) => e[0])).toEqual([notReadyAt + 120_000]);
    expect(evictions('s60').map((e) => e[0])).toEqual([notReadyAt + 60_000]);
  });
});

describe('taint and untaint operations: bad input', () => {
  const base = (op: string) => `name: x
duration: 5m
nodes:
  - {name: a1, capacity: {cpu: 1, memory: 1Gi}}
operations:
  - ${op}
`;
  it.each([
    ['{at: 1m, taint: {node: a9, key: k, effect: NoExecute}}', /^x\.yaml:6:28: operations\[0\]\.taint\.node: unknown node "a9"/],
    ['{at: 1m, taint: {node: a1, key: k, effect: NoExecut}}', /^x\.yaml:6:48: operations\[0\]\.taint\.effect: .*NoExecut/],
    ['{at: 1m, taint: {node: a1, effect: NoExecute}}', /^x\.yaml:6:21: operations\[0\]\.taint: .*key/],
    ['{at: 1m, untaint: {node: a1, key: k, effect: Never}}', /^x\.yaml:6:50: operations\[0\]\.untaint\.effect: /],
  ])('%s', (op, message) => {
    expect(() => parseScenario(base(op), 'x.yaml')).toThrow(message);
  });
});
