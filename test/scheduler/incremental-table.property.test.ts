/**
 * The scheduler keeps its node table between calls and, when a node's bound instances change,
 * touches only the removed, changed and new pods (refreshNode). Whatever happens to a node —
 * instances added, removed, marked terminating, started, moved to a new generation, or reordered —
 * the table must be exactly the one a rebuild from scratch gives: the same pods in the same order
 * (the golden traces pin it) and the same sums and per-owner counts the plugins read.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import type { BoundInstance } from '../../src/core/interfaces.js';
import { resources } from '../../src/core/resources.js';
import type { Workload } from '../../src/core/types.js';
import { BoundSet } from '../../src/core/bound-set.js';
import { applyBoundChanges, nodeSpecOf, podOf, refreshEntries, refreshNode, type PodEntry } from '../../src/scheduler/framework-scheduler.js';
import { NodeTable } from '../../src/scheduler/framework/node-table.js';
import type { PodInfo } from '../../src/scheduler/framework/pod.js';
import { workload } from '../support/control-plane.js';

const NODE = nodeSpecOf({ id: 'n', name: 'n', labels: { zone: 'a' }, taints: [], unschedulable: false, status: 'Ready', statusSince: 0, capacity: resources({ cpu: 64_000, memory: 2 ** 40 }), allocatable: resources({ cpu: 64_000, memory: 2 ** 40, extended: { 'example.com/fpga': 8 } }) } as never);

type Op =
  | { kind: 'add'; owner: number; cpu: number; fpga: number }
  | { kind: 'remove'; at: number }
  | { kind: 'terminate'; at: number }
  | { kind: 'start'; at: number; t: number }
  | { kind: 'generation'; owner: number }
  | { kind: 'move-to-end'; at: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('add' as const), owner: fc.nat(2), cpu: fc.integer({ min: 0, max: 2000 }), fpga: fc.nat(1) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('remove' as const), at: fc.nat(40) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('terminate' as const), at: fc.nat(40) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('start' as const), at: fc.nat(40), t: fc.nat(10_000) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('generation' as const), owner: fc.nat(2) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('move-to-end' as const), at: fc.nat(40) }) },
);

/** What a plugin can read about node 0 of a table. */
function view(t: NodeTable) {
  return {
    pods: t.pods[0].map((p) => `${p.name}:${p.owner}:${p.terminating === true}:${p.startedAt}:${p.labels.gen}`),
    podCount: t.podCount[0],
    reqCpu: t.reqCpu[0],
    reqMem: t.reqMem[0],
    nzCpu: t.nzCpu[0],
    nzMem: t.nzMem[0],
    ext: t.reqExt[0]['example.com/fpga'] ?? 0,
    owners: [...t.ownerCounts].map(([o, c]) => [o, c[0]]).filter(([, c]) => c !== 0).sort(),
    affinityPods: t.affinityPods[0],
    spreadDomains: [...t.ownerDomainCounts('w0', 'zone')].filter(([, c]) => c !== 0),
  };
}

it('refreshNode leaves the table exactly as a rebuild from scratch would', () => {
  fc.assert(
    fc.property(fc.array(fc.array(op, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 25 }), (steps) => {
      const workloads: Workload[] = [0, 1, 2].map((o) =>
        workload(`w${o}`, { labels: { app: `w${o}`, gen: '1' }, ...(o === 2 ? { placement: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'zone', labelSelector: { matchLabels: { app: 'w2' } } }] } } } } : {}) }),
      );
      const t = new NodeTable([NODE]);
      t.ownerDomainCounts('w0', 'zone'); // a spread cache that must follow every change
      let bound: BoundInstance[] = [];
      let pods: PodInfo[] = [];
      let next = 0;
      for (const batch of steps) {
        const before = bound;
        for (const o of batch) {
          const k = bound.length === 0 ? 0 : ('at' in o ? o.at % bound.length : 0);
          switch (o.kind) {
            case 'add':
              bound = [...bound, { id: `i${next++}`, workload: workloads[o.owner], request: resources({ cpu: o.cpu, memory: o.cpu * 1_000_000, extended: o.fpga ? { 'example.com/fpga': o.fpga } : {} }) }];
              break;
            case 'remove':
              if (bound.length) bound = bound.filter((_, j) => j !== k);
              break;
            case 'terminate':
              if (bound.length) bound = bound.map((b, j) => (j === k ? { ...b, terminating: true } : b));
              break;
            case 'start':
              if (bound.length) bound = bound.map((b, j) => (j === k ? { ...b, startedAt: o.t } : b));
              break;
            case 'generation': {
              const w = workloads[o.owner];
              workloads[o.owner] = { ...w, generation: w.generation + 1, labels: { ...w.labels, gen: String(w.generation + 1) } };
              bound = bound.map((b) => (b.workload.name === w.name ? { ...b, workload: workloads[o.owner] } : b));
              break;
            }
            case 'move-to-end':
              if (bound.length) bound = [...bound.filter((_, j) => j !== k), bound[k]];
              break;
          }
        }
        pods = refreshNode(t, 0, pods, before, bound);
        const fresh = new NodeTable([NODE]);
        for (const b of bound) fresh.addPod(0, podOf(b.workload, b.request, { uid: b.id, ...(b.startedAt !== undefined ? { startedAt: b.startedAt } : {}), ...(b.terminating ? { terminating: true } : {}) }));
        fresh.ownerDomainCounts('w0', 'zone');
        expect(view(t)).toEqual(view(fresh));
        expect(pods).toEqual(t.pods[0]);
      }
    }),
    { numRuns: 300 },
  );
});

type ChangeOp =
  | { kind: 'add'; owner: number; cpu: number; fpga: number; readable: boolean }
  | { kind: 'readable'; at: number }
  | { kind: 'remove'; at: number }
  | { kind: 'terminate'; at: number }
  | { kind: 'start'; at: number; t: number }
  | { kind: 'generation'; owner: number }
  | { kind: 'move-to-end'; at: number }
  | { kind: 'read' }
  | { kind: 'full-read' }
  | { kind: 'other-reader' };

const changeOp: fc.Arbitrary<ChangeOp> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('add' as const), owner: fc.nat(2), cpu: fc.integer({ min: 0, max: 2000 }), fpga: fc.nat(1), readable: fc.nat(5).map((n) => n > 0) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('readable' as const), at: fc.nat(40) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('remove' as const), at: fc.nat(40) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('terminate' as const), at: fc.nat(40) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('start' as const), at: fc.nat(40), t: fc.nat(10_000) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('generation' as const), owner: fc.nat(2) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('move-to-end' as const), at: fc.nat(40) }) },
  { weight: 3, arbitrary: fc.constant({ kind: 'read' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'full-read' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'other-reader' as const }) },
);

it('a node\'s changes (BoundSet.changesFor) applied to the kept table leave it exactly as a rebuild from scratch would', () => {
  fc.assert(
    fc.property(fc.array(changeOp, { minLength: 1, maxLength: 120 }), (ops) => {
      const workloads: Workload[] = [0, 1, 2].map((o) =>
        workload(`w${o}`, { labels: { app: `w${o}`, gen: '1' }, ...(o === 2 ? { placement: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'zone', labelSelector: { matchLabels: { app: 'w2' } } }] } } } } : {}) }),
      );
      // What the Orchestrator would hand out for each id (absent: its record is not readable yet).
      const current = new Map<string, BoundInstance>();
      const unreadable = new Map<string, BoundInstance>();
      const set = new BoundSet();
      const reader = {};
      const t = new NodeTable([NODE]);
      t.ownerDomainCounts('w0', 'zone');
      let entries = new Map<string, PodEntry>();
      const ids = () => [...set];
      const full = () => ids().flatMap((id) => current.get(id) ?? []);
      const at = (k: number) => ids()[k % set.size];
      const replace = (id: string, f: (b: BoundInstance) => BoundInstance) => {
        const b = current.get(id);
        if (b) current.set(id, f(b));
        set.touch(id);
      };
      let next = 0;
      let reads = 0;
      for (const o of ops) {
        switch (o.kind) {
          case 'add': {
            const b: BoundInstance = { id: `i${next++}`, workload: workloads[o.owner], request: resources({ cpu: o.cpu, memory: o.cpu * 1_000_000, extended: o.fpga ? { 'example.com/fpga': o.fpga } : {} }) };
            (o.readable ? current : unreadable).set(b.id, b);
            set.add(b.id);
            break;
          }
          case 'readable':
            for (const [id, b] of unreadable) if (set.has(id) && id === at(o.at)) (current.set(id, b), unreadable.delete(id));
            break;
          case 'remove':
            if (set.size) set.delete(at(o.at));
            break;
          case 'terminate':
            if (set.size) replace(at(o.at), (b) => ({ ...b, terminating: true }));
            break;
          case 'start':
            if (set.size) replace(at(o.at), (b) => ({ ...b, startedAt: o.t }));
            break;
          case 'generation': {
            const w = workloads[o.owner];
            workloads[o.owner] = { ...w, generation: w.generation + 1, labels: { ...w.labels, gen: String(w.generation + 1) } };
            for (const id of ids()) if (current.get(id)?.workload.name === w.name) replace(id, (b) => ({ ...b, workload: workloads[o.owner] }));
            break;
          }
          case 'move-to-end':
            if (set.size) {
              const id = at(o.at);
              set.delete(id);
              set.add(id);
            }
            break;
          case 'full-read': // a full reader (explain): NodeView.bound
            set.settle(full());
            break;
          case 'other-reader':
            set.changesFor({}, (id) => current.get(id), full);
            break;
          case 'read': {
            reads++;
            const d = set.changesFor(reader, (id) => current.get(id), full);
            if (d.full !== undefined || !applyBoundChanges(t, 0, entries, d)) entries = refreshEntries(t, 0, entries, d.full ?? full());
            const fresh = new NodeTable([NODE]);
            for (const b of full()) fresh.addPod(0, podOf(b.workload, b.request, { uid: b.id, ...(b.startedAt !== undefined ? { startedAt: b.startedAt } : {}), ...(b.terminating ? { terminating: true } : {}) }));
            fresh.ownerDomainCounts('w0', 'zone');
            expect(view(t)).toEqual(view(fresh));
            expect([...entries.values()].map((e) => e.pod)).toEqual(t.pods[0]);
            expect([...entries.keys()]).toEqual(full().map((b) => b.id));
            break;
          }
        }
      }
      return reads >= 0; // every read checked above
    }),
    { numRuns: 400 },
  );
});
