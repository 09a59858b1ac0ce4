/**
 * `slipway explain SCENARIO --at T --workload NAME`: the scenario simulated to T, the cluster as
 * the scheduler sees it then (bound instances count against their nodes, a crashed node carries
 * the not-ready taint, GPU devices hold their shares) and one more instance of NAME explained.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explainScenarioAt } from '../../src/run/explain-at.js';
import { simulate } from '../../src/run/simulate.js';
import { parseScenario } from '../../src/run/parse-scenario.js';
import { traceParts } from '../support/trace-parts.js';

const BIN = join(import.meta.dirname, '../../bin/slipway.js');
const dir = mkdtempSync(join(tmpdir(), 'slipway-explain-at-'));

// first-fit: the four web replicas fill node-1 (4 cpu); node-1 crashes at 1m and is NotReady
// 40s later; its instances are replaced on node-2 after the 30s eviction grace.
const SMALL = `name: explain-small
seed: 5
duration: 10m
scheduler: first-fit
nodes:
  - name: node-{i}
    count: 3
    capacity: {cpu: 4, memory: 8Gi}
workloads:
  - name: web
    replicas: 4
    containers: [{name: web, image: nginx, requests: {cpu: 1, memory: 1Gi}}]
  - name: batch
    at: 5m
    replicas: 1
    containers: [{name: b, image: busybox, requests: {cpu: 2, memory: 1Gi}}]
faults:
  - {at: 1m, nodeCrash: {node: node-1}}
`;

const GPU = `name: explain-gpu
seed: 7
duration: 5m
scheduler: gpu-best-fit
nodes:
  - name: a
    capacity: {cpu: 32, memory: 64Gi}
    gpus: {model: V100M16, count: 2}
  - name: b
    capacity: {cpu: 32, memory: 64Gi}
    gpus: {model: T4, count: 4}
  - name: c
    capacity: {cpu: 32, memory: 64Gi}
workloads:
  - name: share
    replicas: 3
    gpus: {milli: 300}
    containers: [{name: c, image: x, requests: {cpu: 1, memory: 1Gi}}]
  - name: whole
    replicas: 1
    gpus: {count: 2, models: [T4]}
    containers: [{name: c, image: x, requests: {cpu: 1, memory: 1Gi}}]
`;

// Each web pod: max(1 cpu + 200m sidecar, 1500m setup + 200m sidecar) + 50m overhead = 1750m.
const SIDECAR = `name: explain-sidecar
seed: 5
duration: 10m
nodes:
  - name: node-{i}
    count: 2
    capacity: {cpu: 4, memory: 8Gi}
workloads:
  - name: web
    replicas: 3
    containers: [{name: web, image: nginx, requests: {cpu: 1, memory: 1Gi}}]
    initContainers:
      - {name: proxy, image: envoy, restartPolicy: Always, requests: {cpu: 200m}}
      - {name: setup, image: busybox, requests: {cpu: 1500m, memory: 64Mi}}
    overhead: {cpu: 50m, memory: 10Mi}
`;

const at = (text: string, atMs: number, workload: string) => explainScenarioAt(parseScenario(text, 's.yaml'), { atMs, workload });
const node = (r: Awaited<ReturnType<typeof at>>, name: string) => r.nodes.find((n) => n.name === name)!;

let files = 0;
function cli(yaml: string, ...flags: string[]) {
  const file = join(dir, `s${files++}.yaml`);
  writeFileSync(file, yaml);
  const r = spawnSync(process.execPath, [BIN, 'explain', file, ...flags], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr, file };
}

describe('explain a scenario at a point of its run', () => {
  it('counts the instances bound by then against their nodes', async () => {
    const before = await at(SMALL, 0, 'batch');
    expect(before.boundInstances).toBe(0);
    expect(before.chosen).toBe('node-1');
    const r = await at(SMALL, 30_000, 'batch');
    expect(r.boundInstances).toBe(4);
    expect(node(r, 'node-1')).toMatchObject({ feasible: false, reasons: ['Insufficient cpu'] });
    expect(r.chosen).toBe('node-2');
    expect(r.pending).toBe('batch');
    expect(r.profile).toBe('first-fit');
  });

  it('shows a crashed node NotReady (its condition taint) and the replacements elsewhere', async () => {
    const r = await at(SMALL, 90_000, 'batch');
    expect(node(r, 'node-1').filters.TaintToleration).toBe('ok'); // 30s after the crash: not yet noticed
    const later = await at(SMALL, 180_000, 'batch');
    // its only taint is the condition taint (kube-scheduler's reason no longer names it)
    expect(node(later, 'node-1').filters.TaintToleration).toBe('node(s) had untolerated taint(s)');
    // the four replacements filled node-2; node-1's instances still count (terminating, unreachable)
    expect(later.boundInstances).toBe(8);
    expect(node(later, 'node-2')).toMatchObject({ feasible: false, reasons: ['Insufficient cpu'] });
    expect(later.chosen).toBe('node-3');
  });

  it('shows the GPU devices in use at that time and the devices the next instance gets', async () => {
    const r = await at(GPU, 60_000, 'share');
    // three 300-milli shares best-fit onto a's device 0; whole holds two T4 devices of b
    expect(r.nodes.map((n) => n.gpuFree ?? null)).toEqual([[100, 1000], [0, 0, 1000, 1000], null]);
    expect(r.chosen).toBe('a');
    expect(r.gpus).toEqual([1]);
    const w = await at(GPU, 60_000, 'whole');
    expect(node(w, 'a').reasons).toEqual(['GPU model not allowed']);
    expect([w.chosen, w.gpus]).toEqual(['b', [2, 3]]);
    const table = cli(GPU, '--at', '1m', '--workload', 'share');
    expect(table.code).toBe(0);
    expect(table.out).toMatch(/^a \*\s+100,1000\s/m);
    expect(table.out).toMatch(/^b\s+0,0,1000,1000\s/m);
    expect(table.out).toContain('chosen: a, GPU device(s) 1');
  });

  it('is deterministic: the same scenario, seed and time print the same bytes', () => {
    const a = cli(SMALL, '--at', '3m', '--workload', 'web', '--json');
    const b = cli(SMALL, '--at', '3m', '--workload', 'web', '--json');
    expect(a.code).toBe(0);
    expect(a.out).toBe(b.out);
    expect(JSON.parse(a.out)).toMatchObject({ at: '3m', atMs: 180_000, boundInstances: 8, pending: 'web', chosen: 'node-3' });
  });

  it('--scheduler explains under another profile, the run included', () => {
    const r = cli(SMALL, '--at', '30s', '--workload', 'batch', '--scheduler', 'spread', '--json');
    expect(r.code).toBe(0);
    // spread placed the four web replicas over the three nodes: none is full
    const out = JSON.parse(r.out);
    expect(out.nodes.every((n: { feasible: boolean }) => n.feasible)).toBe(true);
    expect(out.nodes[0].scores).toHaveProperty('NodeResourcesFit');
  });

  it.each<[string, string, string]>([
    ['first-fit, a NotReady node and terminating instances', SMALL, '3m'],
    ['GPU devices held', GPU, '1m'],
    ['init containers, a sidecar and pod overhead', SIDECAR, '1m'],
  ])('--snapshot-out writes a snapshot that explain reads back to the same table (%s)', (_what, yaml, time) => {
    const snap = join(dir, `snap${files}.yaml`);
    const r = cli(yaml, '--at', time, '--workload', yaml === GPU ? 'share' : 'web', '--snapshot-out', snap);
    expect(r.code).toBe(0);
    const back = spawnSync(process.execPath, [BIN, 'explain', snap], { encoding: 'utf8' });
    expect(back.stderr).toBe('');
    expect(back.status).toBe(0);
    expect(back.stdout).toBe(r.out.slice(r.out.indexOf('\n') + 1));
    if (yaml === SMALL) expect(readFileSync(snap, 'utf8')).toContain('node.kubernetes.io/not-ready');
    else if (yaml === SIDECAR) expect(readFileSync(snap, 'utf8')).toMatch(/restartPolicy: Always[\s\S]*overhead:/);
    else expect(back.stdout).toContain('100,1000');
  });

  it('a snapshot pod marked terminating holds its room but is no preemption victim', () => {
    const snapshot = (terminating: boolean) => `nodes:
  - {name: n1, capacity: {cpu: "2", memory: 4Gi}}
pods:
  - {name: low, node: n1, terminating: ${terminating}, containers: [{requests: {cpu: "2", memory: 1Gi}}]}
pending: {name: p, priority: 10, containers: [{requests: {cpu: "1", memory: 1Gi}}]}
`;
    const stopping = JSON.parse(cli(snapshot(true), '--json').out);
    expect(stopping).toEqual({ pending: 'p', chosen: null, nodes: [{ name: 'n1', feasible: false, reasons: ['Insufficient cpu'], scores: {}, total: null }] });
    expect(JSON.parse(cli(snapshot(false), '--json').out).preemption).toEqual({ node: 'n1', victims: ['low'] });
  });

  it.each<[string, string, string[], string]>([
    ['a scenario without --at/--workload', SMALL, [], 'this is a scenario, not a snapshot: explain it at a point of its run with --at DURATION --workload NAME'],
    ['--at without --workload', SMALL, ['--at', '1m'], 'explaining a scenario needs both --at DURATION and --workload NAME (given: --at)'],
    ['an unknown workload', SMALL, ['--at', '1m', '--workload', 'wbe'], '--workload: FILE has no workload "wbe"; did you mean "web"? (workloads: web, batch)'],
    ['--at beyond the duration', SMALL, ['--at', '11m', '--workload', 'web'], '--at: 11m is beyond the end of FILE (its duration is 10m)'],
    ['a bad duration', SMALL, ['--at', '3x', '--workload', 'web'], '--at: invalid duration "3x": unknown unit "x"; use ms, s, m, h or d'],
    ['an unknown --scheduler', SMALL, ['--at', '1m', '--workload', 'web', '--scheduler', 'nope'], '--scheduler: unknown scheduler "nope"'],
  ])('%s: one line, exit 2', (_what, yaml, flags, message) => {
    const r = cli(yaml, ...flags);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    expect(r.err).toContain(message.replace('FILE', r.file));
  });
});

// round-robin (no scheduler: key): web's two replicas go to a-1 and a-2; a-3 is too small for
// another; at 2m web scales to 3, and round-robin, resuming after a-2, skips a-3 and takes b-1.
const RR = `name: explain-rr
seed: 2
duration: 5m
nodes:
  - {name: a-1, capacity: {cpu: 4, memory: 8Gi}}
  - {name: a-2, capacity: {cpu: 4, memory: 8Gi}}
  - {name: a-3, capacity: {cpu: 500m, memory: 8Gi}}
  - {name: b-1, capacity: {cpu: 4, memory: 8Gi}}
workloads:
  - name: web
    replicas: 2
    containers: [{name: web, image: nginx, requests: {cpu: 1, memory: 1Gi}}]
operations:
  - {at: 2m, scale: {workload: web, replicas: 3}}
`;

describe('explain --at on round-robin (#18.11)', () => {
  it("predicts the run's next placement from round-robin's cursor at that time", async () => {
    const r = await at(RR, 60_000, 'web');
    expect(r.profile).toBe('round-robin');
    expect(r.note).toBe('cursor after a-2 (the node round-robin used last)');
    expect(node(r, 'a-3')).toMatchObject({ feasible: false, reasons: ['Insufficient cpu'] });
    // a fresh round-robin would take a-1; the run's resumes after a-2
    expect(r.chosen).toBe('b-1');
    const placed: string[] = [];
    await simulate(parseScenario(RR, 's.yaml'), { onEvent: traceParts((type, f, t) => void (type === 'instance.scheduled' && t >= 120_000 && placed.push(String(f.node)))) });
    expect(placed).toEqual([r.chosen]);
  });

  it('prints the table with the cursor line, and --snapshot-out keeps the cursor (the same table read back)', () => {
    const snap = join(dir, 'rr-snap.yaml');
    const r = cli(RR, '--at', '1m', '--workload', 'web', '--snapshot-out', snap);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('pending pod web, profile round-robin, 4 node(s); cursor after a-2 (the node round-robin used last)\n');
    expect(r.out).toContain('chosen: b-1\n');
    expect(readFileSync(snap, 'utf8')).toMatch(/^profile: round-robin\ncursor: a-2\n/m);
    const back = spawnSync(process.execPath, [BIN, 'explain', snap], { encoding: 'utf8' });
    expect(back.status).toBe(0);
    expect(back.stdout).toBe(r.out.slice(r.out.indexOf('\n') + 1));
  });

  it('before anything is placed the cursor is at the first node by name', async () => {
    const r = await at(RR, 0, 'web');
    expect([r.chosen, r.note]).toEqual(['a-1', 'cursor at the first node by name (nothing placed yet)']);
  });

  it('every registered scheduler explains at a time (none is refused)', async () => {
    const { schedulerNames } = await import('../../src/scheduler/registry.js');
    const { withPolicy } = await import('../../src/compare/run-one.js');
    for (const name of schedulerNames()) {
      const r = await explainScenarioAt(withPolicy(parseScenario(RR, 's.yaml'), name), { atMs: 60_000, workload: 'web' });
      expect(r.profile, name).toBe(name);
      expect(r.nodes, name).toHaveLength(4);
    }
  });
});
