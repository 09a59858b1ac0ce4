/**
 * `slipway explain` with GPUs: snapshot nodes with devices (and per-device use by unlisted pods),
 * bound pods holding devices, a pending GPU pod; the table shows each node's free milli per device,
 * GpuFit's verdicts, the policy's scores and the devices the pod gets. Bad GPU fields: one line
 * FILE:LINE:COL (or FILE) naming the field, exit 2.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '../../bin/slipway.js');
const dir = mkdtempSync(join(tmpdir(), 'slipway-gpu-explain-'));
let n = 0;

function explain(yaml: string, ...flags: string[]) {
  const file = join(dir, `s${n++}.yaml`);
  writeFileSync(file, yaml);
  const r = spawnSync(process.execPath, [BIN, 'explain', file, ...flags], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr, file };
}

// The hand-computed case of gpu-plugins.test.ts: a = [500, 0, 1000, 1000] free, b idle, c no GPUs.
const SNAPSHOT = `profile: PROFILE
nodes:
  - name: a
    capacity: {cpu: "64", memory: 256Gi}
    gpus: {model: V100M16, count: 4, used: [0, 1000, 0, 0]}
  - name: b
    capacity: {cpu: "32", memory: 256Gi}
    gpus: {model: T4, count: 2}
  - name: c
    capacity: {cpu: "64", memory: 256Gi}
pods:
  - name: s
    node: a
    containers: [{requests: {cpu: "4", memory: 1Gi}}]
    gpus: {milli: 500, devices: [0]}
pending:
  name: p
  containers: [{requests: {cpu: "8", memory: 1Gi}}]
  gpus: PENDING
`;

const snap = (profile: string, pending = '{milli: 300}') => SNAPSHOT.replace('PROFILE', profile).replace('PENDING', pending);

describe('slipway explain with GPUs', () => {
  it('gpu-fgd: free milli per device, GpuFit verdicts, FGD scores, the chosen devices', () => {
    const r = explain(snap('gpu-fgd'));
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[1]).toMatch(/^NODE\s+GPU FREE\s+.*GpuFit\s+GpuFgd\(×1\)\s+TOTAL$/);
    expect(lines[2]).toMatch(/^a \*\s+500,0,1000,1000\s+.*ok\s+50\s+50$/);
    expect(lines[3]).toMatch(/^b\s+1000,1000\s+.*ok\s+50\s+50$/);
    expect(lines[4]).toMatch(/^c\s+-\s+.*Insufficient GPU\s+-\s+infeasible$/);
    // FGD keeps device 0's 500 free milli whole for the 500-milli shape: device 2
    expect(r.out).toContain('chosen: a, GPU device(s) 2\n');
  });

  it('gpu-best-fit in JSON: scores, free devices, and the fullest device that fits', () => {
    // a: ½·(60000 − 8000)/128000 + ½·(2500 − 300)/8000 = 0.340625 → 65 (device 1's user is unlisted: no cpu)
    // b: ½·24000/128000 + ½·1700/8000 = 0.2 → 80
    const r = explain(snap('gpu-best-fit'), '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.chosen).toBe('b');
    expect(j.gpus).toEqual([0]);
    expect(j.nodes.map((x: { name: string; scores: Record<string, number>; gpuFree?: number[] }) => [x.name, x.scores.GpuBestFit, x.gpuFree])).toEqual([
      ['a', 65, [500, 0, 1000, 1000]],
      ['b', 80, [1000, 1000]],
      ['c', undefined, undefined],
    ]);
  });

  it('a model the pod does not allow, and 3 whole GPUs nowhere: the reasons', () => {
    const r = explain(snap('gpu-packing', '{count: 3, models: "V100M16|A100"}'));
    expect(r.code).toBe(0);
    expect(r.out).toContain('chosen: none — 0/3 nodes are available: 2 Insufficient GPU, 1 GPU model not allowed.');
  });

  it.each<[string, string, RegExp]>([
    ['a device held twice over', snap('gpu-fgd').replace('used: [0, 1000, 0, 0]', 'used: [600, 1000, 0, 0]'), /: GPU device 0 of node a holds 1100 milli-GPU \(used \+ pods' shares\), more than 1000$/],
    ['a device the node lacks', snap('gpu-fgd').replace('devices: [0]', 'devices: [7]'), /s\d+\.yaml:\d+:\d+: pods\[0\]\.gpus\.devices: \[7\] must be 1 distinct device\(s\) of node a \(it has 4\)$/],
    ['used of the wrong length', snap('gpu-fgd').replace('used: [0, 1000, 0, 0]', 'used: [0, 1000]'), /s\d+\.yaml:5:\d+: nodes\[0\]\.gpus\.used: 2 entries for 4 devices$/],
    ['a shared share on two devices', snap('gpu-fgd', '{count: 2, milli: 300}'), /s\d+\.yaml:\d+:\d+: pending\.gpus\.milli: 300 milli-GPU per device is a shared GPU: only with count 1 \(count is 2\)$/],
  ])('rejects %s (exit 2, one line)', (_what, yaml, message) => {
    const r = explain(yaml);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err.trim()).toMatch(message);
  });
});
