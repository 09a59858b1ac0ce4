import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '../../bin/slipway.js');
const dir = mkdtempSync(join(tmpdir(), 'slipway-explain-'));

function explain(yaml: string, ...flags: string[]) {
  const file = join(dir, `s${Math.abs(hash(yaml))}.yaml`);
  writeFileSync(file, yaml);
  const r = spawnSync(process.execPath, [BIN, 'explain', file, ...flags], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr, file };
}

function hash(s: string): number {
  let h = 0;
  for (const c of s) h = (h * 31 + c.charCodeAt(0)) | 0;
  return h;
}

const SNAPSHOT = `nodes:
  - {name: node1, capacity: {cpu: "4000", memory: "10000"}}
  - {name: node2, capacity: {cpu: "6000", memory: "10000", example.com/foo: "4"}, labels: {zone: a}}
pods:
  - {name: e1, node: node1, containers: [{requests: {cpu: "3000", memory: "0"}}]}
pending:
  name: p
  containers: [{requests: {cpu: "1000", memory: "2000"}}, {requests: {cpu: "2000", memory: "3000"}}]
profile:
  plugins:
    - name: NodeResourcesFit
      weight: 1
      args: {scoringStrategy: {type: LeastAllocated, resources: [{name: cpu, weight: WEIGHT}, {name: memory, weight: 1}]}}
`;

describe('slipway explain', () => {
  it('prints JSON with each node verdict, scores and the chosen node', () => {
    const r = explain(SNAPSHOT.replace('WEIGHT', '1'), '--json');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    // node1: 3000m bound + 3000m pending > 4000m. node2: cpu 50, memory 50 → 50
    expect(JSON.parse(r.out)).toEqual({
      pending: 'p',
      chosen: 'node2',
      nodes: [
        { name: 'node1', feasible: false, reasons: ['Insufficient cpu'], scores: {}, total: null },
        { name: 'node2', feasible: true, reasons: [], scores: { NodeResourcesFit: 50 }, total: 50 },
      ],
    });
  });

  it('prints a table with the filter verdicts, weighted scores and the chosen node', () => {
    const r = explain(SNAPSHOT.replace('WEIGHT', '1'));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^node1\s+Insufficient cpu\s+-\s+infeasible$/m);
    expect(r.out).toMatch(/^node2 \*\s+ok\s+50\s+50$/m);
    expect(r.out).toContain('chosen: node2');
  });

  it.each(['0', '-1', '101'])('rejects resource weight %s: exit 2, one line naming the field', (w) => {
    const r = explain(SNAPSHOT.replace('WEIGHT', w), '--json');
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toBe(`${r.file}:13:86: profile.plugins[0].args.scoringStrategy.resources[0].weight: must be an integer in (0, 100], got ${w}\n`);
  });

  it('reports a malformed snapshot as FILE:LINE:COL', () => {
    const r = explain(SNAPSHOT.replace('WEIGHT', '1').replace('cpu: "6000"', 'cpu: "6 cores"'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(new RegExp(`^${r.file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:\\d+: nodes\\[1\\]\\.capacity\\.cpu: invalid quantity "6 cores"`));
    expect(r.err.trim().split('\n')).toHaveLength(1);
  });

  it('names an unknown key with the known ones', () => {
    const r = explain(SNAPSHOT.replace('WEIGHT', '1').replace('pending:\n  name: p', 'pending:\n  name: p\n  nodeSelecter: {zone: a}'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/:\d+:\d+: unknown key "nodeSelecter" in pending; did you mean "nodeSelector"\?/);
  });

  it('loads a user plugin with --plugin and scores with it', () => {
    const plugin = join(import.meta.dirname, '../../examples/plugins/prefer-even-nodes.ts');
    const snap = `nodes:
  - {name: node1, capacity: {cpu: "4", memory: 8Gi}}
  - {name: node2, capacity: {cpu: "4", memory: 8Gi}}
pending: {name: p, containers: [{requests: {cpu: 100m}}]}
profile: {plugins: [{name: PreferEvenNodes, weight: 2, args: {invert: true}}]}
`;
    const r = explain(snap, '--json', '--plugin', plugin);
    expect(r.err).toBe('');
    const out = JSON.parse(r.out);
    expect(out.chosen).toBe('node1');
    expect(out.nodes.map((n: { total: number }) => n.total)).toEqual([200, 0]);
    const missing = explain(snap, '--json');
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/profile\.plugins\[0\]\.name: unknown plugin "PreferEvenNodes"/);
  });
});
