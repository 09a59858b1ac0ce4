/**
 * `slipway explain` with `profile: round-robin` (the seed's scheduler, not a framework profile):
 * round-robin's own feasibility rule per node, and its choice from a fresh cursor (the first
 * fitting node by name, whatever the snapshot's order).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { NodeView } from '../../src/core/interfaces.js';
import { addInto, tally } from '../../src/core/resources.js';
import type { Workload } from '../../src/core/types.js';
import { explainSnapshot } from '../../src/scheduler/explain/explain.js';
import { parseSnapshot } from '../../src/scheduler/explain/snapshot.js';
import { RoundRobinScheduler } from '../../src/scheduler/round-robin.js';

const BIN = join(import.meta.dirname, '../../bin/slipway.js');
const dir = mkdtempSync(join(tmpdir(), 'slipway-explain-rr-'));
let files = 0;

function explain(yaml: string, ...flags: string[]) {
  const file = join(dir, `s${files++}.yaml`);
  writeFileSync(file, yaml);
  const r = spawnSync(process.execPath, [BIN, 'explain', file, ...flags], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

// Listed out of name order. node1: 500m bound + 600m pending > 1 CPU. node2: a NoExecute taint the
// pod does not tolerate (round-robin's one placement check). node4: cordoned. node5: a NoSchedule
// taint, which round-robin ignores. node3 and node5 fit; node3 comes first by name.
const SNAPSHOT = `nodes:
  - {name: node5, capacity: {cpu: "4", memory: 8Gi}, taints: [{key: dedicated, value: gpu, effect: NoSchedule}]}
  - {name: node3, capacity: {cpu: "4", memory: 8Gi}}
  - {name: node1, capacity: {cpu: "1", memory: 8Gi}}
  - {name: node2, capacity: {cpu: "4", memory: 8Gi}, taints: [{key: k, value: v, effect: NoExecute}]}
  - {name: node4, capacity: {cpu: "4", memory: 8Gi}, unschedulable: true}
pods:
  - {name: e1, node: node1, containers: [{requests: {cpu: 500m}}]}
pending: {name: p, containers: [{requests: {cpu: 600m}}]TOLERATIONS}
profile: round-robin
`;

describe('slipway explain, profile round-robin', () => {
  it('JSON: each node fits by round-robin\'s rule or says why; the first fitting node by name is chosen; no scores', () => {
    const r = explain(SNAPSHOT.replace('TOLERATIONS', ''), '--json');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({
      pending: 'p',
      chosen: 'node3',
      nodes: [
        { name: 'node5', feasible: true, reasons: [], scores: {}, total: null },
        { name: 'node3', feasible: true, reasons: [], scores: {}, total: null },
        { name: 'node1', feasible: false, reasons: ['Insufficient cpu'], scores: {}, total: null },
        { name: 'node2', feasible: false, reasons: ['node(s) had untolerated taint(s)'], scores: {}, total: null },
        { name: 'node4', feasible: false, reasons: ['node(s) were unschedulable'], scores: {}, total: null },
      ],
    });
  });

  it('a tolerated NoExecute taint makes the node fit, and it comes first by name', () => {
    const r = explain(SNAPSHOT.replace('TOLERATIONS', ', tolerations: [{key: k, operator: Exists}]'), '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).chosen).toBe('node2');
  });

  it('table: one round-robin verdict column, no score columns, the cursor assumption stated', () => {
    const r = explain(SNAPSHOT.replace('TOLERATIONS', ''));
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toBe('pending pod p, profile round-robin, 5 node(s); cursor at the first node by name (a snapshot has no history)');
    expect(lines[1]).toMatch(/^NODE\s+round-robin\s+TOTAL$/);
    expect(r.out).toMatch(/^node3 \*\s+ok\s+-$/m);
    expect(r.out).toMatch(/^node5\s+ok\s+-$/m);
    expect(r.out).toMatch(/^node1\s+Insufficient cpu\s+infeasible$/m);
    expect(r.out).toContain('chosen: node3\n');
  });

  it('no node fits: kube-style summary and chosen null', () => {
    const r = explain(SNAPSHOT.replace('TOLERATIONS', '').replaceAll('cpu: "4"', 'cpu: "100m"'));
    expect(r.code).toBe(0);
    expect(r.out).toContain(
      'chosen: none — 0/5 nodes are available: 3 Insufficient cpu, 1 node(s) had untolerated taint(s), 1 node(s) were unschedulable.',
    );
    expect(JSON.parse(explain(SNAPSHOT.replace('TOLERATIONS', '').replaceAll('cpu: "4"', 'cpu: "100m"'), '--json').out).chosen).toBeNull();
  });

  it('a misspelt profile name lists round-robin among the known ones: exit 2, one line', () => {
    const r = explain(SNAPSHOT.replace('TOLERATIONS', '').replace('profile: round-robin', 'profile: roundrobin'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/:10:\d+: profile: unknown profile "roundrobin"; did you mean "round-robin"\? \(known: .*, random, round-robin, spread\)\n$/);
    expect(r.err.trim().split('\n')).toHaveLength(1);
  });

  it.each([
    ['as given', (y: string) => y.replace('TOLERATIONS', '')],
    ['tolerating k', (y: string) => y.replace('TOLERATIONS', ', tolerations: [{key: k, operator: Exists}]')],
    ['node3 full', (y: string) => y.replace('TOLERATIONS', '').replace('{name: node3, capacity: {cpu: "4"', '{name: node3, capacity: {cpu: "500m"')],
    ['nothing fits', (y: string) => y.replace('TOLERATIONS', '').replaceAll('cpu: "4"', 'cpu: "100m"')],
  ])('agrees with a fresh RoundRobinScheduler on the same cluster (%s)', (_, edit) => {
    const snap = parseSnapshot(edit(SNAPSHOT), 'snap.yaml');
    const report = explainSnapshot(snap);
    // The same cluster as the simulator hands it to round-robin: Node views sorted by name.
    const views: NodeView[] = snap.nodes
      .map((n, i) => {
        const allocated = tally();
        for (const b of snap.bound) if (b.node === i) addInto(allocated, b.pod.requests);
        return { node: { ...n, id: n.name, address: '', status: 'Ready' as const, statusSince: 0, capacity: n.allocatable }, allocated, instanceCount: 0 };
      })
      .sort((a, b) => (a.node.name < b.node.name ? -1 : 1));
    const workload = { name: 'p', placement: snap.pending.placement } as Workload;
    const [d] = new RoundRobinScheduler().schedule({ workload, request: snap.pending.requests, count: 1 }, views);
    expect(d.kind).not.toBe('wait');
    if (d.kind !== 'unschedulable') expect(report.chosen).toBe(d.nodeName);
    else {
      expect(report.chosen).toBeNull();
      const counts: Record<string, number> = {};
      for (const n of report.nodes) for (const why of n.reasons) counts[why] = (counts[why] ?? 0) + 1;
      expect(counts).toEqual(d.reasons);
    }
  });

  it.each([
    ['node3', 'node5', 'cursor after node3 (the node round-robin used last)'],
    // after node5 it wraps: node1 is full, node2 tainted, node3 fits
    ['node5', 'node3', 'cursor after node5 (the node round-robin used last)'],
    // a cursor between names (a node since removed) resumes at the next name
    ['node3x', 'node5', 'cursor after node3x (the node round-robin used last)'],
  ])('cursor: %s: the search resumes after it in name order, as the scheduler does', (cursor, chosen, note) => {
    const r = explain(SNAPSHOT.replace('TOLERATIONS', '') + `cursor: ${cursor}\n`, '--json');
    expect(r.err).toBe('');
    expect(JSON.parse(r.out).chosen).toBe(chosen);
    const snap = parseSnapshot(SNAPSHOT.replace('TOLERATIONS', '') + `cursor: ${cursor}\n`, 'snap.yaml');
    expect(explainSnapshot(snap).note).toBe(note);
  });

  it('cursor: with a framework profile is refused, one line, exit 2', () => {
    const r = explain(SNAPSHOT.replace('TOLERATIONS', '').replace('profile: round-robin', 'profile: default') + 'cursor: node3\n');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/:11:1: cursor: only profile: round-robin has a cursor\n$/);
  });
});
