/**
 * A scenario's `running:` instances (a snapshot of a live cluster): their containers run on their
 * nodes from time 0 and the control plane adopts them, so they stay where they are instead of
 * being scheduled; only the slots nobody runs are placed by the scheduler.
 */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { simulate } from '../../src/run/simulate.js';
import { parseScenario } from '../../src/run/parse-scenario.js';
import { traceParts } from '../support/trace-parts.js';

// first-fit would put every replica on node-1 (4 cpu, 1 cpu each); the snapshot has them spread
// over node-3, node-2 and node-3, and slot 3 not running anywhere.
const SNAPSHOT = `name: running-snapshot
seed: 3
duration: 5m
scheduler: first-fit
nodes:
  - name: node-{i}
    count: 3
    capacity: {cpu: 4, memory: 8Gi}
workloads:
  - name: web
    replicas: 4
    containers: [{name: web, image: nginx, requests: {cpu: 1, memory: 1Gi}}]
  - name: late
    at: 1m
    replicas: 1
    containers: [{name: l, image: busybox, requests: {cpu: 1, memory: 1Gi}}]
running:
  - {workload: web, node: node-3, slot: 0, id: web-abc01}
  - {workload: web, node: node-2, slot: 1}
  - {workload: web, node: node-3, slot: 2}
`;

interface Rec {
  type: string;
  t: number;
  fields: Record<string, unknown>;
}

async function run(text: string): Promise<{ recs: Rec[]; hash: string; ok: boolean }> {
  const recs: Rec[] = [];
  const s = await simulate(parseScenario(text, 'snap.yaml'), {
    liveness: true,
    onEvent: traceParts((type, fields, t) => recs.push({ type, t, fields: { ...fields } })),
  });
  return { recs, hash: s.traceHash, ok: s.ok };
}

describe('running: instances from the start', () => {
  it('adopts them where they run and schedules only the empty slot', async () => {
    const { recs, ok } = await run(SNAPSHOT);
    expect(ok).toBe(true);
    const adopted = recs.filter((r) => r.type === 'instance.adopted').map((r) => [r.fields.instance, r.fields.node, r.fields.slot]);
    expect(adopted).toEqual([
      ['web-s1', 'node-2', 1],
      ['web-abc01', 'node-3', 0],
      ['web-s2', 'node-3', 2],
    ]);
    expect(recs.filter((r) => r.type === 'workload.restored').map((r) => r.fields.workload)).toEqual(['web']);
    expect(recs.filter((r) => r.type === 'workload.submitted').map((r) => r.fields.workload)).toEqual(['late']);
    // The only web placement is slot 3's, by first-fit onto node-1; nothing adopted is stopped.
    const scheduled = recs.filter((r) => r.type === 'instance.scheduled');
    expect(scheduled.filter((r) => r.fields.workload === 'web').map((r) => r.fields.node)).toEqual(['node-1']);
    expect(recs.filter((r) => r.type === 'instance.stopping')).toEqual([]);
    // Adopted containers were never created by the control plane.
    const created = recs.filter((r) => r.type === 'container.created').map((r) => r.fields.instance);
    expect(created).not.toContain('web-abc01');
  });

  it('is deterministic: the same scenario gives the same trace hash', async () => {
    const a = await run(SNAPSHOT);
    const b = await run(SNAPSHOT);
    expect(a.hash).toBe(b.hash);
  });

  it('rejects what cannot be running: unknown node, a slot beyond replicas, a full node, a late workload', () => {
    const bad = (running: string, msg: RegExp) => {
      const text = SNAPSHOT.replace(/running:[\s\S]*$/, `running:\n${running}\n`);
      expect(() => parseScenario(text, 'snap.yaml')).toThrow(InputError);
      expect(() => parseScenario(text, 'snap.yaml')).toThrow(msg);
    };
    bad('  - {workload: web, node: node-9, slot: 0}', /snap\.yaml:\d+:\d+: running\[0\]\.node: unknown node "node-9"/);
    bad('  - {workload: web, node: node-1, slot: 4}', /running\[0\]\.slot: workload "web" has 4 replicas, so slots 0\.\.3; got 4/);
    bad('  - {workload: web, node: node-1, slot: 0}\n  - {workload: web, node: node-2, slot: 0}', /running\[1\]\.slot: slot 0 of workload "web" is already running/);
    bad('  - {workload: late, node: node-1, slot: 0}', /running\[0\]\.workload: workload "late" is submitted at 1m/);
    bad('  - {workload: wbe, node: node-1, slot: 0}', /unknown workload "wbe".*did you mean "web"/);
    const big = SNAPSHOT.replace('cpu: 1, memory: 1Gi}}]\n  - name: late', 'cpu: 3, memory: 1Gi}}]\n  - name: late');
    const text = big.replace(/running:[\s\S]*$/, 'running:\n  - {workload: web, node: node-1, slot: 0}\n  - {workload: web, node: node-1, slot: 1}\n');
    expect(() => parseScenario(text, 'snap.yaml')).toThrow(/running\[1\]: node "node-1" cannot run it: .* more cpu than its allocatable/);
  });
});
