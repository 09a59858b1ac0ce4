/**
 * `slipway experiment fgd` end to end on a tiny trace folder written by the test: outputs, worker
 * threads giving the same bytes as one thread, and bad input as one line with exit 2.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { RESULTS_HEADER } from '../../src/gpu/study.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'slipway.js');
let dir: string;

function slipway(...args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, SLIPWAY_DEBUG: '' } });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'slipway-fgd-'));
  const nodes = ['sn,cpu_milli,memory_mib,gpu,model'];
  for (let i = 0; i < 6; i++) nodes.push(`node-${i},32000,131072,${i % 2 ? 8 : 2},${i % 2 ? 'G2' : 'T4'}`);
  writeFileSync(join(dir, 'openb_node_list_gpu_node.csv'), nodes.join('\n') + '\n');
  const pods = ['name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec'];
  for (let k = 0; k < 30; k++) {
    const [num, milli] = [[1, 1000], [1, 500], [1, 250], [0, 0], [2, 1000]][k % 5];
    pods.push(`pod-${k},${2000 + (k % 3) * 1000},4096,${num},${milli},${k % 7 === 0 ? 'G2' : ''}`);
  }
  writeFileSync(join(dir, 'openb_pod_list_default.csv'), pods.join('\n') + '\n');
});

describe('slipway experiment fgd', () => {
  it('writes results.csv and report.html, the same with 2 workers as with 1', () => {
    const outs = [1, 2].map((workers) => {
      const out = join(dir, `out-${workers}`);
      const r = slipway('experiment', 'fgd', '--workload', 'default', '--traces', dir, '--seeds', '42..44', '--workers', String(workers), '--out', out);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('workload default: unallocated GPU % at 100% arrived (mean over 3 seeds)');
      expect(r.stdout).toMatch(/fgd\s+\d+\.\d\d%/);
      return { csv: readFileSync(join(out, 'results.csv'), 'utf8'), html: readFileSync(join(out, 'report.html'), 'utf8') };
    });
    const lines = outs[0].csv.trim().split('\n');
    expect(lines[0]).toBe(RESULTS_HEADER);
    // 6 policies × 3 seeds, each with its arrived bins, in the order workload, policy, seed
    const keys = [...new Set(lines.slice(1).map((l) => l.split(',').slice(0, 3).join(',')))];
    expect(keys).toHaveLength(18);
    expect(keys[0]).toBe('default,random,42');
    expect(keys[17]).toBe('default,fgd,44');
    for (const l of lines.slice(1)) expect(l).toMatch(/^default,[a-z-]+,4[234],\d+,\d+\.\d\d,\d+\.\d\d,\d+\.\d\d$/);
    expect(outs[1].csv).toBe(outs[0].csv);
    expect(outs[1].html.replaceAll('out-2', 'out-1')).toBe(outs[0].html); // only the --out in the command differs
    expect(outs[0].html).toContain('<script>// https://d3js.org v7'); // d3 inlined
    expect(outs[0].html).not.toMatch(/<script[^>]+src=/); // self-contained
  });

  it('records every pod\'s node and devices, or why it fit nowhere, with --placements', () => {
    const out = join(dir, 'out-placements');
    const r = slipway('experiment', 'fgd', '--workload', 'default', '--traces', dir, '--seeds', '42', '--policies', 'fgd', '--workers', '1', '--placements', '--out', out);
    expect(r.status).toBe(0);
    const lines = readFileSync(join(out, 'placements', 'default', 'fgd-seed42.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const csvBins = readFileSync(join(out, 'results.csv'), 'utf8').trim().split('\n').length - 1;
    expect(csvBins).toBeGreaterThan(0);
    expect(lines.map((l) => l.seq)).toEqual(lines.map((_, k) => k));
    const binds = lines.filter((l) => l.type === 'gpu.bind');
    const fails = lines.filter((l) => l.type === 'gpu.unschedulable');
    expect(binds.length).toBeGreaterThan(0);
    expect(fails.length).toBeGreaterThan(0); // inflated to 130% of the GPUs: some pods fit nowhere
    for (const b of binds) {
      expect(b.node).toMatch(/^node-\d$/);
      expect(b.gpus.every((g: number) => Number.isInteger(g) && g >= 0 && g < 8)).toBe(true);
    }
    for (const f of fails) {
      expect(f.message).toMatch(/^0\/6 nodes are available: \d+ [A-Za-z ]+/);
      expect(Object.values(f.reasons as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(6);
    }
  });

  it('rejects bad input with one line naming the flag and value, exit 2', () => {
    const cases: [string[], string][] = [
      [['--workload', 'nope'], '--workload: unknown workload "nope"'],
      [['--workload', 'default', '--policies', 'fgd,worst'], '--policies: unknown policy "worst"'],
      [['--workload', 'default', '--seeds', '9..3'], '--seeds: empty range "9..3"'],
      [['--workload', 'default', '--workers', '0'], '--workers: expected an integer from 1 to 256, got "0"'],
    ];
    for (const [args, message] of cases) {
      const r = slipway('experiment', 'fgd', '--traces', dir, ...args, '--out', join(dir, 'bad'));
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(message);
    }
    const r = slipway('experiment', 'fgd', '--workload', 'default', '--traces', join(dir, 'missing'));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('does not hold openb_node_list_gpu_node.csv');
  });

  it('names the file and line of a bad trace row', () => {
    const bad = mkdtempSync(join(tmpdir(), 'slipway-fgd-bad-'));
    writeFileSync(join(bad, 'openb_node_list_gpu_node.csv'), 'sn,cpu_milli,memory_mib,gpu,model\nn0,1000,1000,9,G2\n');
    const r = slipway('experiment', 'fgd', '--workload', 'default', '--traces', bad, '--workers', '2');
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(`${join(bad, 'openb_node_list_gpu_node.csv')}:2: gpu must be an integer in [0, 8], got "9"`);
  });
});

describe('slipway import alibaba-gpu', () => {
  it('writes a scenario that slipway validate accepts', () => {
    const out = join(dir, 'scenario.yaml');
    const r = slipway('import', 'alibaba-gpu', '--workload', 'default', '--traces', dir, '--window', '1h', '--out', out);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`wrote ${out}: 6 nodes, 30 pods (30 alive when the window opens), 0 deletions`);
    const v = slipway('validate', out);
    expect(v.stderr).toBe('');
    expect(v.status).toBe(0);
  });

  it('rejects a bad window with one line, exit 2', () => {
    const r = slipway('import', 'alibaba-gpu', '--workload', 'default', '--traces', dir, '--window', '0s');
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('--window: must be greater than 0, got "0s"');
  });
});
