import { describe, expect, it } from 'vitest';
import { diffTraces } from '../../src/report/trace-diff.js';
import { formatDiff } from '../../src/cli/diff.js';
import type { FieldsOf, TraceEvent, TraceEventType } from '../../src/core/trace-events.js';
import { simulate } from '../../src/run/simulate.js';
import { node, scenario, service } from '../support/scenario-builder.js';
import { anyEvent } from '../support/trace-parts.js';

let seq = 0;
const r = <K extends TraceEventType>(t: number, type: K, f: FieldsOf<K>): TraceEvent => anyEvent(t, type, f, seq++);
const req = { cpu: 100, memory: 1, disk: 0, extended: {} };

/** A service of 2 replicas placed on `nodes`, running `runAt` ms after submission. */
function run(backend: string, nodes: [string, string], runAt: [number, number], prefix: string): TraceEvent[] {
  return [
    r(0, 'run.start', { slipway: '0', scenario: 's', file: 's.yaml', seed: 1, durationMs: 5000, untilMs: 5000, scheduler: 'spread', backend, document: {} }),
    r(0, 'workload.submitted', { workload: 'web', kind: 'service', replicas: 2, generation: 1 }),
    r(1, 'instance.created', { instance: `${prefix}1`, workload: 'web', slot: 0, generation: 1, reason: 'scale-up' }),
    r(1, 'instance.created', { instance: `${prefix}2`, workload: 'web', slot: 1, generation: 1, reason: 'scale-up' }),
    r(1, 'instance.scheduled', { instance: `${prefix}1`, workload: 'web', node: nodes[0], attempt: 1, request: req }),
    r(1, 'instance.scheduled', { instance: `${prefix}2`, workload: 'web', node: nodes[1], attempt: 1, request: req }),
    r(runAt[0], 'instance.status', { instance: `${prefix}1`, workload: 'web', from: 'Pending', to: 'Running' }),
    r(runAt[1], 'instance.status', { instance: `${prefix}2`, workload: 'web', from: 'Pending', to: 'Running' }),
    r(5000, 'expectation', { name: 'up', ok: true, detail: 'running' }),
  ].sort((x, y) => x.t - y.t || x.seq - y.seq);
}

describe('diffTraces', () => {
  it('an instance.scheduled without a node (the field is optional) leaves the instance unplaced, not "undefined"', () => {
    const a = run('sim', ['n1', 'n2'], [300, 400], 'a');
    const b = run('sim', ['n1', 'n2'], [300, 400], 'b').map((e) =>
      e.type === 'instance.scheduled' && e.instance === 'b2' ? ({ ...e, node: undefined } as unknown as TraceEvent) : e,
    );
    const d = diffTraces(a, b);
    expect(d.placements.find((p) => p.key === 'web/slot 1/gen 1#1')?.b).toBeUndefined();
    expect(formatDiff(d, 'a', 'b')).not.toContain('undefined');
  });
  it('matches instances by workload, slot and generation (ids differ), and times convergence from the trigger', () => {
    const a = run('sim', ['n1', 'n2'], [300, 400], 'a');
    const b = run('docker', ['n1', 'n3'], [800, 700], 'b');
    const d = diffTraces(a, b);
    expect(d.a.backend).toBe('sim');
    expect(d.b.backend).toBe('docker');
    expect(d.placements).toEqual([
      { key: 'web/slot 0/gen 1#1', a: 'n1', b: 'n1' },
      { key: 'web/slot 1/gen 1#1', a: 'n2', b: 'n3' },
    ]);
    expect(d.placementsAgree).toBe(1);
    // Converged when the last replica runs: 400 ms in A, 800 ms in B.
    expect(d.convergence).toEqual([{ workload: 'web', after: 'submitted', aMs: 400, bMs: 800 }]);
    // B's two Running transitions come in the other order: two substitutions.
    expect(d.orderDistance).toBe(2);
    expect(d.firstDivergence).toMatchObject({ a: 'web[0] Pending→Running', b: 'web[1] Pending→Running' });
    expect(d.expectations).toEqual([{ name: 'up', a: 'pass', b: 'pass' }]);
  });

  it('a trace compared with itself agrees everywhere (a real simulated trace)', async () => {
    const recs: TraceEvent[] = [];
    await simulate(scenario({ nodes: [node('n1'), node('n2')], workloads: [service('web', 3)] }), {
      onEvent: (e) => recs.push(e),
    });
    const d = diffTraces(recs, recs);
    expect(d.placementsAgree).toBe(d.placements.length);
    expect(d.placements.length).toBe(3);
    expect(d.orderDistance).toBe(0);
    expect(d.firstDivergence).toBeUndefined();
    expect(d.convergence[0].aMs).toBe(d.convergence[0].bMs);
    expect(d.convergence[0].aMs).toBeGreaterThan(0);
  });

  it('names the taint behind an eviction, and node taint changes, in the milestones', () => {
    const evicted = (taint: string) => [
      ...run('sim', ['n1', 'n2'], [300, 400], 'a'),
      r(6000, 'node.taints', { node: 'n1', taints: ['maint:NoExecute'] }),
      r(6000, 'instance.stopping', { instance: 'a1', workload: 'web', from: 'Running', reason: 'evicted', taint }),
    ];
    const d = diffTraces(evicted('maint:NoExecute'), evicted('node.kubernetes.io/not-ready:NoExecute'));
    expect(d.firstDivergence).toMatchObject({
      a: 'stop web[0] (evicted by maint:NoExecute)',
      b: 'stop web[0] (evicted by node.kubernetes.io/not-ready:NoExecute)',
    });
    expect(d.orderDistance).toBe(1);
  });
});

describe('diffTraces with a pod network (docs/networking.md)', () => {
  /** `run` with each instance's Running carrying an address. */
  const withIps = (prefix: string, ips: [string, string]) =>
    run('sim', ['n1', 'n2'], [300, 400], prefix).map((e) =>
      e.type === 'instance.status' ? { ...e, ip: e.instance.endsWith('1') ? ips[0] : ips[1] } : e,
    );

  it('two traces that differ only in an address are reported as different', () => {
    const a = withIps('a', ['10.244.0.2', '10.244.1.2']);
    const b = withIps('b', ['10.244.0.2', '10.244.1.3']);
    const d = diffTraces(a, b);
    // Everything else agrees...
    expect(d.placementsAgree).toBe(2);
    expect(d.orderDistance).toBe(0);
    // ...but one address does not.
    expect(d.addresses).toEqual([
      { key: 'web/slot 0/gen 1#1', a: '10.244.0.2', b: '10.244.0.2' },
      { key: 'web/slot 1/gen 1#1', a: '10.244.1.2', b: '10.244.1.3' },
    ]);
    expect(d.addressesAgree).toBe(1);
    const text = formatDiff(d, 'a.jsonl', 'b.jsonl');
    expect(text).toContain('addresses: 1 of 2 agree — 1 instance(s) got a different address');
    expect(text).toMatch(/^ {2}\* +web\/slot 1\/gen 1#1 +10\.244\.1\.2 +10\.244\.1\.3$/m);
    expect(formatDiff(diffTraces(a, a), 'a.jsonl', 'a.jsonl')).toContain('addresses: 2 of 2 agree (pod network');
  });

  it('says nothing of addresses without a pod network', () => {
    const d = diffTraces(run('sim', ['n1', 'n2'], [300, 400], 'a'), run('sim', ['n1', 'n2'], [300, 400], 'b'));
    expect(d.addresses).toEqual([]);
    expect(formatDiff(d, 'a', 'b')).not.toContain('addresses');
  });
});
