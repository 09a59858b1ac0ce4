/**
 * Gang scheduling (Coscheduling) through the real Orchestrator: members reserved across
 * scheduling passes, gangs spanning several workloads, the timeout on the virtual clock, the
 * gang's back-off, and the all-or-nothing property.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BoundInstance, NodeView } from '../../src/core/interfaces.js';
import type { Orchestrator } from '../../src/core/orchestrator.js';
import { resources } from '../../src/core/resources.js';
import type { Node, Workload } from '../../src/core/types.js';
import { RandomStream } from '../../src/engine/random.js';
import { Framework } from '../../src/scheduler/framework/framework.js';
import type { Plugin } from '../../src/scheduler/framework/types.js';
import { FrameworkScheduler, PERMIT_WAIT_WITHOUT_GANG } from '../../src/scheduler/framework-scheduler.js';
import { PROFILES, createFramework } from '../../src/scheduler/profiles.js';
import type { Gang } from '../../src/core/placement.js';
import { simulate } from '../../src/run/simulate.js';
import type { Fault, Scenario, WorkloadDef } from '../../src/scenario/types.js';
import { container, node, scenario, service } from '../support/scenario-builder.js';
import { fieldsOf, type TraceEvent, type TraceEventType } from '../../src/core/trace-events.js';
import { isEvent } from '../../src/engine/trace-reader.js';

async function run(s: Scenario, untilMs?: number) {
  const records: TraceEvent[] = [];
  let orchestrator: Orchestrator | undefined;
  const summary = await simulate(s, {
    ...(untilMs !== undefined ? { untilMs } : {}),
    onEvent: (e) => records.push(structuredClone(e)),
    observe: (w) => (orchestrator = w.orchestrator),
  });
  const of = <K extends TraceEventType>(type: K, workload?: string) =>
    records.filter(isEvent(type)).filter((r) => workload === undefined || fieldsOf(r).workload === workload);
  return { summary, records, of, orchestrator: orchestrator! };
}

const train = (minMember: number, timeoutMs = 60_000): Gang => ({ name: 'train', minMember, timeoutMs });

function member(name: string, replicas: number, gang: Gang, cpu: number, at = 0): WorkloadDef {
  return service(name, replicas, { at, containers: [container('w', cpu, 128)], placement: { gang } });
}

/** Two workloads of one gang (4 + 2 members, minMember 6) on two 3-core nodes. */
function splitGang(secondAt: number, extra: WorkloadDef[] = []): Scenario {
  return scenario({
    nodes: [node('a', 3000), node('b', 3000)],
    workloads: [member('part-a', 4, train(6), 1000), member('part-b', 2, train(6), 1000, secondAt), ...extra],
    scheduler: { name: 'default' },
    durationMs: 5 * 60_000,
  });
}

describe('gangs across workloads and scheduling passes', () => {
  it('a gang split over two workloads submitted 30 s apart binds together when the second arrives', async () => {
    // A 2-core pod submitted at 10 s would fit on either node were part-a's reservations not held.
    const filler = service('filler', 1, { at: 10_000, containers: [container('f', 2000, 128)] });
    const { of, summary } = await run(splitGang(30_000, [filler]));
    const waiting = of('instance.waiting', 'part-a');
    expect(waiting).toHaveLength(4);
    expect(waiting.every((r) => r.t < 1000 && r.gang === 'train' && r.minMember === 6)).toBe(true);
    expect(waiting.map((r) => r.members)).toEqual([1, 2, 3, 4]);
    expect(waiting[0].timeoutAt).toBe(waiting[0].t + 60_000);
    // The reservations hold capacity across passes: the filler finds no room.
    const fillerTried = of('instance.unschedulable', 'filler');
    expect(fillerTried.length).toBeGreaterThan(0);
    expect(fillerTried[0].message).toContain('Insufficient cpu');
    expect(of('instance.scheduled', 'filler')).toHaveLength(0);
    // All six bind at the same instant, when part-b arrives; none timed out.
    const bound = of('instance.scheduled');
    expect(bound).toHaveLength(6);
    expect(new Set(bound.map((r) => r.t)).size).toBe(1);
    expect(bound[0].t).toBeGreaterThanOrEqual(30_000);
    expect(bound[0].t).toBeLessThan(31_000);
    const fromWait = bound.filter((r) => r.workload === 'part-a');
    expect(fromWait.map((r) => r.gang)).toEqual(['train', 'train', 'train', 'train']);
    expect(fromWait.every((r) => (r.waitedMs ?? 0) >= 29_000)).toBe(true);
    expect(of('gang.timeout')).toHaveLength(0);
    expect(summary.workloads.map((w) => [w.name, w.running])).toEqual([['part-a', 4], ['filler', 0], ['part-b', 2]]);
    expect(summary.violation).toBeUndefined();
  });

  it('submitted after the timeout: the first part times out, waits as pending with the reason, and assembles when the second part arrives', async () => {
    const s = splitGang(2 * 60_000);
    // At 75 s: part-a timed out at ~60 s and is backing off.
    const early = await run(s, 75_000);
    const timeout = early.of('gang.timeout');
    expect(timeout).toHaveLength(1);
    expect(timeout[0].t).toBe(early.of('instance.waiting')[0].t + 60_000);
    expect(timeout[0]).toMatchObject({ gang: 'train', members: 4, minMember: 6 });
    expect(timeout[0].instances).toHaveLength(4);
    const unreserved = early.of('instance.unreserved');
    expect(unreserved.map((r) => r.reason)).toEqual(Array(4).fill('gang train timed out: 4/6 members'));
    const status = early.orchestrator.status('part-a')!;
    expect([status.pending, status.running]).toEqual([4, 0]);
    expect(status.pendingReason).toBe('gang train timed out: 4/6 members');
    expect(early.of('instance.scheduled')).toHaveLength(0);

    const full = await run(s);
    // part-a tries again after its back-off (unschedulableRetry, 30 s), waits, and binds with part-b at 2 m.
    const retried = full.of('instance.waiting', 'part-a').filter((r) => r.t > timeout[0].t);
    expect(retried).toHaveLength(4);
    expect(retried[0].t).toBe(timeout[0].t + 30_000);
    const bound = full.of('instance.scheduled');
    expect(bound).toHaveLength(6);
    expect(new Set(bound.map((r) => r.t)).size).toBe(1);
    expect(bound[0].t).toBeGreaterThanOrEqual(2 * 60_000);
    expect(bound[0].t).toBeLessThan(2 * 60_000 + 1000);
    expect(full.summary.workloads.map((w) => w.running)).toEqual([4, 2]);
    expect(full.summary.violation).toBeUndefined();
  });

  it('a gang that can never assemble holds nothing after its timeout: other pods take the room', async () => {
    // Two members of a gang of three, 1500m each on two 2-core nodes; nobody else joins the gang.
    const s = scenario({
      nodes: [node('a', 2000), node('b', 2000)],
      workloads: [member('lonely', 2, train(3), 1500), service('web', 2, { at: 20_000, containers: [container('web', 1000, 128)] })],
      scheduler: { name: 'default' },
      durationMs: 4 * 60_000,
    });
    const { of, summary, orchestrator } = await run(s);
    const timeout = of('gang.timeout');
    expect(timeout).toHaveLength(1);
    expect(timeout[0]).toMatchObject({ members: 2, minMember: 3 });
    // Before the timeout the reservations keep web out; right after it, web runs.
    expect(of('instance.unschedulable', 'web')[0].t).toBeLessThan(timeout[0].t);
    const webBound = of('instance.scheduled', 'web');
    expect(webBound).toHaveLength(2);
    expect(webBound[0].t).toBeGreaterThanOrEqual(timeout[0].t);
    expect(webBound[0].t).toBeLessThan(timeout[0].t + 1000);
    // The gang's members never bound, and nothing of theirs is reserved any more.
    expect(of('instance.scheduled', 'lonely')).toHaveLength(0);
    expect(summary.workloads.map((w) => [w.name, w.running, w.pending])).toEqual([['lonely', 0, 2], ['web', 2, 0]]);
    expect(orchestrator.nodeViews().map((v) => v.allocated.cpu)).toEqual([1000, 1000]);
  });

  it('a member that fits nowhere rejects the waiting members of its gang at once (PostFilter); they retry after unschedulableRetry', async () => {
    // part-a (2 × 1500m) waits on both nodes; part-b's member cannot fit anywhere.
    const s = scenario({
      nodes: [node('a', 2000), node('b', 2000)],
      workloads: [member('part-a', 2, train(3), 1500), member('part-b', 1, train(3), 1500, 20_000)],
      scheduler: { name: 'default' },
      durationMs: 2 * 60_000,
    });
    const { of } = await run(s);
    const rejected = of('gang.rejected');
    expect(rejected.length).toBeGreaterThan(0);
    expect(rejected[0].t).toBeGreaterThanOrEqual(20_000);
    expect(rejected[0].t).toBeLessThan(21_000);
    expect(rejected[0].instances).toHaveLength(2);
    expect(of('instance.unreserved')[0].reason).toMatch(/^gang train rejected: part-b-\w+ fits on no node: 2\/3 members$/);
    // Back-off: the room they freed does not make them retry at once; unschedulableRetry (30 s) does.
    const after = of('instance.waiting').filter((r) => r.t > rejected[0].t);
    expect(after[0].t).toBeGreaterThanOrEqual(rejected[0].t + 30_000);
    expect(of('gang.timeout')).toHaveLength(0);
    expect(of('instance.scheduled')).toHaveLength(0);
  });

  it('a member that starts waiting retries its pending siblings at once: a gang with a short timeout assembles on arrival', async () => {
    // part-a (timeout 10 s) times out at 10 s and 50 s; part-b arrives at 55 s while part-a is
    // pending, waits, and part-a is retried in the next pass: all three bind together.
    const gang = train(3, 10_000);
    const s = scenario({
      nodes: [node('a', 2000), node('b', 2000)],
      workloads: [member('part-a', 2, gang, 1000), member('part-b', 1, gang, 1000, 55_000)],
      scheduler: { name: 'default' },
      durationMs: 2 * 60_000,
    });
    const { of, summary } = await run(s);
    expect(of('gang.timeout').map((r) => r.t)).toEqual([10_100, 50_100]);
    expect(of('instance.waiting', 'part-b').map((r) => r.t)).toEqual([55_000]);
    const bound = of('instance.scheduled');
    expect(bound).toHaveLength(3);
    expect(new Set(bound.map((r) => r.t))).toEqual(new Set([55_100]));
    expect(summary.workloads.map((w) => w.running)).toEqual([2, 1]);
  });

  it('a waiting member whose node stops being Ready gives its reservation up and waits elsewhere', async () => {
    const s = scenario({
      nodes: [node('n0', 4000), node('n1', 4000)],
      workloads: [member('part-a', 2, train(3, 120_000), 1000), member('part-b', 1, train(3, 120_000), 1000, 70_000)],
      faults: [{ kind: 'nodeCrash', at: 10_000, node: 'n0' }],
      scheduler: { name: 'default' },
      durationMs: 3 * 60_000,
    });
    const { of, summary } = await run(s);
    const waitedOn = of('instance.waiting').map((r) => r.node);
    expect(waitedOn.slice(0, 2).sort()).toEqual(['n0', 'n1']);
    const left = of('instance.unreserved');
    expect(left).toHaveLength(1);
    expect(left[0]).toMatchObject({ node: 'n0', reason: 'node n0 is NotReady' });
    // It waits again on n1, and the gang binds there when part-b arrives.
    const again = of('instance.waiting').slice(2);
    expect(again.map((r) => [r.t, r.instance, r.node])).toEqual([[left[0].t, left[0].instance, 'n1']]);
    const bound = of('instance.scheduled');
    expect(bound.map((r) => r.node)).toEqual(['n1', 'n1', 'n1']);
    expect(new Set(bound.map((r) => r.t)).size).toBe(1);
    expect(summary.workloads.map((w) => w.running)).toEqual([2, 1]);
    expect(summary.violation).toBeUndefined();
  });

  it('is deterministic: the same scenario and seed give the same trace hash', async () => {
    const a = await simulate(splitGang(90_000));
    const b = await simulate(splitGang(90_000));
    expect(a.traceHash).toBe(b.traceHash);
  });
});

/**
 * Replays a trace and checks the all-or-nothing property, precisely:
 * for every gang G and every instant t (all records with time t), after the instant
 *   (a) if a member of G bound at t: no member of G is still reserved (waiting), and
 *       bound(G) + ended(G, t) ≥ minMember, where ended(G, t) counts bound members that
 *       ended (asked to stop, failed, succeeded, removed, forgotten) during t;
 *   (b) bound(G) is 0, or ≥ minMember, or some bound member of G ended since the last instant
 *       at which bound(G) was 0 or ≥ minMember (a gang drops below its quorum only by members
 *       ending, never by binding).
 * Returns the first violation, or undefined.
 */
function gangPropertyViolation(records: readonly TraceEvent[], gangOf: ReadonlyMap<string, Gang>): string | undefined {
  interface G {
    bound: Set<string>;
    reserved: Set<string>;
    boundAt: boolean;
    endedNow: number;
    endedSinceQuorum: boolean;
  }
  const gangs = new Map<string, G>();
  const state = (name: string): G => {
    let g = gangs.get(name);
    if (!g) gangs.set(name, (g = { bound: new Set(), reserved: new Set(), boundAt: false, endedNow: 0, endedSinceQuorum: false }));
    return g;
  };
  const endInstant = (t: number): string | undefined => {
    for (const [name, g] of gangs) {
      const min = [...gangOf.values()].find((x) => x.name === name)!.minMember;
      if (g.boundAt && g.reserved.size > 0) return `t=${t}: gang ${name} bound members but left ${[...g.reserved].join(', ')} reserved`;
      if (g.boundAt && g.bound.size + g.endedNow < min) return `t=${t}: gang ${name} bound with ${g.bound.size} (+${g.endedNow} ended) of ${min}`;
      const quorate = g.bound.size === 0 || g.bound.size >= min;
      if (!quorate && !g.endedSinceQuorum) return `t=${t}: gang ${name} has ${g.bound.size} bound of ${min} and none ended`;
      if (quorate) g.endedSinceQuorum = false;
      g.boundAt = false;
      g.endedNow = 0;
    }
    return undefined;
  };
  let t = -1;
  for (const r of records) {
    if (r.t !== t) {
      const v = endInstant(t);
      if (v) return v;
      t = r.t;
    }
    if (!isGangStep(r)) continue;
    const gang = gangOf.get(r.workload);
    if (!gang) continue;
    const g = state(gang.name);
    const id = r.instance;
    const end = () => {
      g.reserved.delete(id);
      if (g.bound.delete(id)) {
        g.endedNow++;
        g.endedSinceQuorum = true;
      }
    };
    switch (r.type) {
      case 'instance.waiting':
        g.reserved.add(id);
        break;
      case 'instance.unreserved':
        g.reserved.delete(id);
        break;
      case 'instance.scheduled':
        g.reserved.delete(id);
        g.bound.add(id);
        g.boundAt = true;
        break;
      case 'instance.status':
        if (r.to === 'Failed' || r.to === 'Succeeded') end();
        break;
      case 'instance.stopping':
      case 'instance.removed':
      case 'instance.forgotten':
        end();
        break;
    }
  }
  return endInstant(t);
}

const GANG_STEPS = ['instance.waiting', 'instance.unreserved', 'instance.scheduled', 'instance.status', 'instance.stopping', 'instance.removed', 'instance.forgotten'] as const;
type GangStep = Extract<TraceEvent, { type: (typeof GANG_STEPS)[number] }>;
const isGangStep = (e: TraceEvent): e is GangStep => (GANG_STEPS as readonly string[]).includes(e.type);

describe('property: gangs are all-or-nothing at every point of a run', () => {
  it('holds for random gangs split over workloads, arrivals, timeouts, crashes and node failures', async () => {
    const workloadArb = fc.record({
      gang: fc.integer({ min: 0, max: 1 }),
      replicas: fc.integer({ min: 1, max: 3 }),
      cpu: fc.constantFrom(500, 1000, 1500),
      at: fc.integer({ min: 0, max: 180 }).map((s) => s * 1000),
    });
    /** How many runs showed each situation: the property must not hold only vacuously. */
    const seen = { waitedThenBound: 0, timeout: 0, rejected: 0, splitBound: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(1000, 2000, 3000, 4000), { minLength: 1, maxLength: 4 }),
        fc.array(workloadArb, { minLength: 1, maxLength: 5 }),
        fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 2, maxLength: 2 }),
        fc.array(fc.constantFrom(10_000, 30_000, 60_000), { minLength: 2, maxLength: 2 }),
        fc.option(fc.record({ at: fc.integer({ min: 10, max: 200 }), kind: fc.constantFrom('node', 'container') })),
        fc.integer({ min: 1, max: 1000 }),
        async (cpus, defs, minMembers, timeouts, fault, seed) => {
          const gangs: Gang[] = [0, 1].map((k) => ({ name: `g${k}`, minMember: minMembers[k], timeoutMs: timeouts[k] }));
          const workloads = defs.map((d, k) => member(`w${k}`, d.replicas, gangs[d.gang], d.cpu, d.at));
          const faults: Fault[] = [];
          if (fault?.kind === 'node') faults.push({ kind: 'nodeCrash', at: fault.at * 1000, node: 'n0', recoverAfter: 60_000 } as Fault);
          if (fault?.kind === 'container') faults.push({ kind: 'containerCrash', at: fault.at * 1000, workload: 'w0', slot: 0, exitCode: 1 } as Fault);
          const s = scenario({
            seed,
            nodes: cpus.map((c, i) => node(`n${i}`, c)),
            workloads,
            faults,
            scheduler: { name: 'default' },
            durationMs: 6 * 60_000,
          });
          const { records, summary } = await run(s);
          // The run's own invariant checker (src/check) saw no violation ...
          expect(summary.violation?.message).toBeUndefined();
          // ... and the trace alone shows the property.
          const gangOf = new Map(workloads.map((w) => [w.name, w.placement!.gang!]));
          expect(gangPropertyViolation(records, gangOf), `seed ${seed}`).toBeUndefined();
          const has = (type: string) => records.some((r) => r.type === type);
          if (records.filter(isEvent('instance.scheduled')).some((r) => r.waitedMs !== undefined)) seen.waitedThenBound++;
          if (has('gang.timeout')) seen.timeout++;
          if (has('gang.rejected')) seen.rejected++;
          for (const g of gangs) {
            const parts = new Set(records.filter(isEvent('instance.scheduled')).filter((r) => gangOf.get(r.workload) === g).map((r) => r.workload));
            if (parts.size > 1) seen.splitBound++;
          }
        },
      ),
      { numRuns: 60, seed: 20261127 },
    );
    expect(Object.values(seen).every((n) => n >= 3), JSON.stringify(seen)).toBe(true);
  });

  it('the trace check is not vacuous: a trace where a gang binds below its quorum fails it', () => {
    const gangOf = new Map([['w', train(2)]]);
    const on = (t: number, instance: string) => ({ t, seq: 0, workload: 'w', instance });
    const scheduled = (t: number, instance: string): TraceEvent => ({ ...on(t, instance), type: 'instance.scheduled', node: 'n', attempt: 1 });
    const waiting = (t: number, instance: string): TraceEvent => ({
      ...on(t, instance),
      type: 'instance.waiting',
      node: 'n',
      attempt: 1,
      request: { cpu: 1000, memory: 0, disk: 0, extended: {} },
      gang: 'train',
      members: 1,
      minMember: 2,
      timeoutAt: t + 60_000,
    });
    const failed = (t: number, instance: string): TraceEvent => ({ ...on(t, instance), type: 'instance.status', from: 'Running', to: 'Failed' });
    const stopping = (t: number, instance: string): TraceEvent => ({ ...on(t, instance), type: 'instance.stopping', from: 'Running', reason: 'scale-down' });
    expect(gangPropertyViolation([scheduled(1, 'x')], gangOf)).toMatch(/bound with 1 \(\+0 ended\) of 2/);
    expect(gangPropertyViolation([waiting(1, 'x'), waiting(2, 'y'), scheduled(2, 'y')], gangOf)).toMatch(/left x reserved/);
    // Bound together, then one crashes: allowed (it ended); a lone re-bind later is not.
    const ok = [scheduled(1, 'x'), scheduled(1, 'y'), failed(5, 'x')];
    expect(gangPropertyViolation(ok, gangOf)).toBeUndefined();
    expect(gangPropertyViolation([...ok, stopping(6, 'y'), scheduled(7, 'z')], gangOf)).toMatch(/t=7/);
  });
});

describe('FrameworkScheduler decisions for gangs', () => {
  const r = resources({ cpu: 1000, memory: 2 ** 30 });
  const nodeOf = (name: string): Node => ({ id: name, name, address: '', status: 'Ready', statusSince: 0, unschedulable: false, labels: {}, taints: [], capacity: resources({ cpu: 4000, memory: 8 * 2 ** 30 }), allocatable: resources({ cpu: 4000, memory: 8 * 2 ** 30 }) });
  const workload = (name: string, replicas: number, placement: Workload['placement']): Workload => ({
    id: name, name, kind: 'service', replicas, completions: 1, backoffLimit: 0, labels: {}, priority: 0, restartPolicy: 'Always',
    updateStrategy: { type: 'RollingUpdate', maxSurge: 1, maxUnavailable: 0 }, generation: 1,
    containers: [{ name: 'c', image: 'i', env: {}, ports: [], requests: r, limits: resources() }],
    ...(placement ? { placement } : {}),
  });
  const views = (bound: BoundInstance[] = []): NodeView[] => [{ node: nodeOf('n1'), allocated: resources(), instanceCount: bound.length, bound }];

  it('a member short of its quorum waits; a later member of another workload allows the gang', () => {
    const s = new FrameworkScheduler('default', createFramework(PROFILES.default, new RandomStream('scheduler', 1)));
    const a = workload('a', 2, { gang: train(3) });
    const first = s.schedule({ workload: a, request: r, count: 2 }, views());
    expect(first.map((d) => d.kind)).toEqual(['wait', 'wait']);
    expect(first.map((d) => (d.kind === 'wait' ? d.members : 0))).toEqual([1, 2]);
    // The Orchestrator keeps both reserved: the next call sees them bound on n1.
    const held = [0, 1].map((k): BoundInstance => ({ id: `a-${k}`, workload: a, request: r }));
    const b = workload('b', 1, { gang: train(3) });
    const second = s.schedule({ workload: b, request: r, count: 1 }, views(held));
    expect(second).toMatchObject([{ kind: 'assign', nodeName: 'n1', allowsGang: 'train' }]);
  });

  it('a pod in no gang that a plugin makes wait is rejected: nothing would ever allow it', () => {
    const waiter: Plugin = { name: 'AlwaysWait', permit: () => 'wait' };
    const fw = new Framework({ plugins: [{ plugin: waiter, weight: 0 }], percentageOfNodesToScore: 100, random: new RandomStream('scheduler', 1) });
    const d = new FrameworkScheduler('custom', fw).schedule({ workload: workload('solo', 1, undefined), request: r, count: 1 }, views());
    expect(d).toMatchObject([{ kind: 'unschedulable', reasons: { [PERMIT_WAIT_WITHOUT_GANG]: 1 } }]);
  });
});

describe('gangs in scenario files', () => {
  it.each([
    ['minMember', '{name: train, minMember: 4}', 's.yaml:10:48: workloads[1].placement.gang.minMember: gang "train" has minMember 3 in workloads[0] (a); every workload of a gang must give the same minMember, got 4'],
    ['timeout', '{name: train, minMember: 3, timeout: 2m}', 's.yaml:10:60: workloads[1].placement.gang.timeout: gang "train" has timeout 1m in workloads[0] (a); every workload of a gang must give the same timeout (default 1m), got 2m'],
  ])('workloads of one gang that disagree on %s are bad input', async (_what, second, message) => {
    const { parseScenario } = await import('../../src/run/parse-scenario.js');
    const text = `name: t
duration: 5m
scheduler: default
nodes: [{name: n, capacity: {cpu: 2, memory: 1Gi}}]
workloads:
  - name: a
    placement: {gang: {name: train, minMember: 3}}
    containers: [{name: c, image: i}]
  - name: b
    placement: {gang: ${second}}
    containers: [{name: c, image: i}]
`;
    expect(() => parseScenario(text, 's.yaml')).toThrow(message);
  });

  it('warns about a gang whose workloads never ask for minMember instances together (counting scale operations)', async () => {
    const { parseScenario } = await import('../../src/run/parse-scenario.js');
    const text = (scaleTo: number) => `name: t
duration: 5m
scheduler: default
nodes: [{name: n, capacity: {cpu: 2, memory: 1Gi}}]
workloads:
  - {name: a, replicas: 2, placement: {gang: {name: train, minMember: 5}}, containers: [{name: c, image: i}]}
  - {name: b, replicas: 1, placement: {gang: {name: train, minMember: 5}}, containers: [{name: c, image: i}]}
operations:
  - {at: 1m, scale: {workload: b, replicas: ${scaleTo}}}
`;
    expect(parseScenario(text(2), 's.yaml').warnings).toEqual([
      'gang "train" needs minMember 5 but its workloads (a, b) never ask for more than 4 instances together: it can never bind',
    ]);
    expect(parseScenario(text(3), 's.yaml').warnings).toBeUndefined();
  });
});

describe('gangs of GPU pods', () => {
  it('a waiting member holds its GPU devices: another GPU pod cannot take them, and the gang binds on the devices it reserved', async () => {
    const gpuNode = (name: string) => ({ ...node(name, 8000), gpus: { model: 'T4', count: 2 } });
    const whole = { count: 1, milli: 1000, models: [] as string[] };
    const gang = train(4);
    const s = scenario({
      nodes: [gpuNode('a'), gpuNode('b')],
      workloads: [
        service('part-a', 2, { containers: [container('w', 100, 128)], placement: { gang }, gpus: whole }),
        // Wants two whole devices on one node: only free if the waiting members' devices were not held.
        service('filler', 1, { at: 10_000, containers: [container('f', 100, 128)], gpus: { count: 2, milli: 1000, models: [] } }),
        service('part-b', 2, { at: 30_000, containers: [container('w', 100, 128)], placement: { gang }, gpus: whole }),
      ],
      scheduler: { name: 'default' },
      durationMs: 2 * 60_000,
    });
    const { of } = await run(s);
    const waiting = of('instance.waiting', 'part-a');
    expect(waiting).toHaveLength(2);
    // Spread by LeastAllocated: one member per node, one device each.
    expect(new Set(waiting.map((r) => r.node)).size).toBe(2);
    expect(waiting.every((r) => r.gpus?.length === 1)).toBe(true);
    expect(of('instance.scheduled', 'filler')).toHaveLength(0);
    expect(of('instance.unschedulable', 'filler').length).toBeGreaterThan(0);
    const bound = of('instance.scheduled').filter((r) => r.workload !== 'filler');
    expect(bound).toHaveLength(4);
    expect(new Set(bound.map((r) => r.t)).size).toBe(1);
    // part-a binds on the devices it reserved while waiting; no device is given twice.
    for (const w of waiting) {
      const b = bound.find((r) => r.instance === w.instance)!;
      expect(b.gpus).toEqual(w.gpus);
    }
    const slots = bound.map((r) => `${String(r.node)}/${(r.gpus ?? []).join(',')}`);
    expect(new Set(slots).size).toBe(4);
  });
});

describe('a waiting member that leaves (Coscheduling Unreserve)', () => {
  it('scaling a waiting part down rejects the gang: every other waiting member gives its reservation up at once', async () => {
    const { parseScenario } = await import('../../src/run/parse-scenario.js');
    const s = parseScenario(
      `name: t
duration: 3m
scheduler: default
nodes: [{name: n1, capacity: {cpu: 4, memory: 4Gi}}, {name: n2, capacity: {cpu: 4, memory: 4Gi}}]
workloads:
  - {name: part-a, replicas: 4, placement: {gang: {name: train, minMember: 6, timeout: 2m}}, containers: [{name: c, image: i, requests: {cpu: 1, memory: 64Mi}}]}
  - {name: part-b, at: 40s, replicas: 3, placement: {gang: {name: train, minMember: 6, timeout: 2m}}, containers: [{name: c, image: i, requests: {cpu: 1, memory: 64Mi}}]}
operations:
  - {at: 20s, scale: {workload: part-a, replicas: 3}}
`,
      's.yaml',
    );
    const { of } = await run(s);
    expect(of('instance.waiting', 'part-a').filter((r) => r.t < 20_000)).toHaveLength(4);
    const rejected = of('gang.rejected');
    expect(rejected).toHaveLength(1);
    // Released at the scale-down (20 s), not at the 2-minute timeout.
    expect(rejected[0].t).toBeGreaterThanOrEqual(20_000);
    expect(rejected[0].t).toBeLessThan(21_000);
    expect(rejected[0].instances.length).toBe(3);
    const unreserved = of('instance.unreserved', 'part-a');
    expect(unreserved).toHaveLength(3);
    expect(unreserved.every((r) => String(r.reason).includes('left the wait (scale-down)'))).toBe(true);
    expect(of('gang.timeout')).toHaveLength(0);
    // Released members go back to the queue and wait again (the stopped member's room appeared).
    expect(of('instance.waiting', 'part-a').filter((r) => r.t >= 20_000)).toHaveLength(3);
    // The 3 remaining members of part-a and part-b's 3 bind together once part-b arrives.
    const bound = of('instance.scheduled');
    expect(bound).toHaveLength(6);
    expect(new Set(bound.map((r) => r.t)).size).toBe(1);
    expect(bound[0].t).toBeGreaterThanOrEqual(40_000);
  });
});
