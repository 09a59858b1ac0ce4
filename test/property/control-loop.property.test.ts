/**
 * Properties of the whole control loop (scheduler + reconciler + orchestrator on the simulated
 * backends), over random clusters, workloads, operations and faults. Each failing case prints its
 * seed; fast-check shrinks it to a minimal one and prints the `fc` seed/path to replay it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resources } from '../../src/core/resources.js';
import { simulate, type SimWorld } from '../../src/run/simulate.js';
import type { Fault, NodeDef, Operation, Scenario, WorkloadDef } from '../../src/scenario/types.js';
import { container, scenario, service } from '../support/scenario-builder.js';

const GiB = 2 ** 30;
const MINUTE = 60_000;

/**
 * A random case whose capacity always allows convergence: nodes are 4 cpu / 8 GiB; every instance
 * asks for at most 1/4 of a node; the busiest moment asks for at most half the cluster. Then some
 * node with room always exists, whatever the packing.
 */
const caseArb = fc
  .record({
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    nodes: fc.integer({ min: 1, max: 6 }),
    workloads: fc.array(
      fc.record({
        replicas: fc.integer({ min: 0, max: 6 }),
        cpu: fc.integer({ min: 50, max: 1000 }),
        scaleTo: fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }),
        scaleAt: fc.integer({ min: 1, max: 8 }),
        update: fc.boolean(),
        surge: fc.integer({ min: 0, max: 2 }),
      }),
      { minLength: 1, maxLength: 4 },
    ),
    crashes: fc.array(
      fc.record({ node: fc.nat(), at: fc.integer({ min: 1, max: 8 }), recover: fc.integer({ min: 1, max: 6 }) }),
      { maxLength: 2 },
    ),
    containerCrashes: fc.array(fc.record({ w: fc.nat(), slot: fc.integer({ min: 0, max: 5 }), at: fc.integer({ min: 1, max: 9 }) }), {
      maxLength: 3,
    }),
  })
  .filter((c) => {
    const peak = c.workloads.reduce((n, w) => n + w.cpu * (Math.max(w.replicas, w.scaleTo ?? 0) + w.surge), 0);
    return peak * 2 <= c.nodes * 4000;
  });

type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

function build(c: Case): Scenario {
  const nodes: NodeDef[] = Array.from({ length: c.nodes }, (_, i) => {
    const r = resources({ cpu: 4000, memory: 8 * GiB });
    return { name: `n${i + 1}`, capacity: r, allocatable: r, labels: {}, taints: [] };
  });
  const workloads: WorkloadDef[] = c.workloads.map((w, i) =>
    service(`w${i}`, w.replicas, {
      containers: [container('app', w.cpu, 64)],
      updateStrategy: { type: 'RollingUpdate', maxSurge: w.surge, maxUnavailable: w.surge === 0 ? 1 : 0 },
    }),
  );
  const operations: Operation[] = [];
  c.workloads.forEach((w, i) => {
    if (w.scaleTo !== undefined) operations.push({ kind: 'scale', at: w.scaleAt * MINUTE, workload: `w${i}`, replicas: w.scaleTo });
    if (w.update) operations.push({ kind: 'update', at: (w.scaleAt + 1) * MINUTE, workload: `w${i}`, patch: { image: 'nginx:1.26' } });
  });
  const faults: Fault[] = [
    ...c.crashes.map((f) => ({ kind: 'nodeCrash' as const, at: f.at * MINUTE, node: `n${(f.node % c.nodes) + 1}`, recoverAfter: f.recover * MINUTE })),
    ...c.containerCrashes.map((f) => ({
      kind: 'containerCrash' as const,
      at: f.at * MINUTE,
      workload: `w${f.w % c.workloads.length}`,
      slot: f.slot,
      exitCode: 1,
    })),
  ];
  // Faults end by 15 min; 10 more minutes to settle (back-off after a single crash is 10 s).
  return scenario({ seed: c.seed, durationMs: 25 * MINUTE, nodes, workloads, operations, faults });
}

/** Checks after every trace record: the control plane never books a Ready node past its allocatable. */
function watchAllocations(world: SimWorld, violations: string[]): void {
  world.trace.listenEvents(({ type, t }) => {
    if (type !== 'instance.scheduled') return;
    for (const v of world.orchestrator.nodeViews()) {
      const a = v.allocated;
      const cap = v.node.allocatable;
      if (a.cpu > cap.cpu || a.memory > cap.memory) violations.push(`t=${t} ${v.node.name} allocated cpu ${a.cpu}/${cap.cpu}`);
    }
  });
}

/** Ground truth at the end: running containers per (workload, slot). */
function runningPerSlot(world: SimWorld): Map<string, Set<string>> {
  const m = new Map<string, Set<string>>();
  for (const node of world.cluster.sortedNodes()) {
    if (!node.up) continue;
    for (const c of node.containers.values()) {
      if (c.state !== 'running') continue;
      const key = `${c.labels['slipway.workload']}/${c.labels['slipway.slot']}`;
      let s = m.get(key);
      if (!s) m.set(key, (s = new Set()));
      s.add(c.instanceId);
    }
  }
  return m;
}

describe('control loop properties', () => {
  it('the same seed gives the same trace hash', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const s = build(c);
        const a = await simulate(s);
        const b = await simulate(s);
        expect(b.traceHash, `seed ${c.seed}`).toBe(a.traceHash);
      }),
      { numRuns: 15 },
    );
  });

  it('converges when capacity allows, never over-books a node, never runs a slot twice', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const s = build(c);
        const violations: string[] = [];
        let world!: SimWorld;
        const r = await simulate(s, {
          observe: (w) => {
            world = w;
            watchAllocations(w, violations);
          },
        });
        const ctx = `seed ${c.seed}, case ${JSON.stringify(c)}`;
        expect(violations, ctx).toEqual([]);
        expect(r.admissionRejections, ctx).toBe(0);
        // Converged per the control plane...
        for (const st of world.orchestrator.statuses()) {
          expect({ name: st.name, running: st.running, updated: st.updated, pending: st.pending }, ctx).toEqual({
            name: st.name,
            running: st.desired,
            updated: st.desired,
            pending: 0,
          });
        }
        // ...and per ground truth: one running instance per slot, `replicas` slots per workload.
        const perSlot = runningPerSlot(world);
        for (const [key, insts] of perSlot) expect(insts.size, `${key}: ${[...insts]} (${ctx})`).toBe(1);
        for (const st of world.orchestrator.statuses()) {
          const slots = [...perSlot.keys()].filter((k) => k.startsWith(`${st.name}/`)).length;
          expect(slots, `${st.name} (${ctx})`).toBe(st.desired);
        }
      }),
      { numRuns: 40 },
    );
  });
});
