/**
 * `--shard I/N` + `slipway merge` end to end: for compare, fuzz and both experiments, four shards
 * merged give byte for byte the files of the unsharded run (each run in its own folder with the
 * same relative --out, since the reports print the command with its --out); bundles that are not
 * one sweep are refused with one line and exit 2.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'slipway.js');
const SCENARIO = join(ROOT, 'scenarios', 'default.yaml');
const base = mkdtempSync(join(tmpdir(), 'slipway-shards-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

function slipway(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, SLIPWAY_DEBUG: '', ...env } });
}

function ok(r: ReturnType<typeof slipway>) {
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r;
}

/** Runs `args` whole in one folder and as `n` shards + merge in another; returns both folders. */
function wholeAndMerged(name: string, args: readonly string[], n = 4) {
  const whole = join(base, name, 'whole');
  const sharded = join(base, name, 'sharded');
  mkdirSync(whole, { recursive: true });
  mkdirSync(sharded, { recursive: true });
  ok(slipway(whole, [...args, '--out', 'out']));
  for (let i = 1; i <= n; i++) {
    const r = ok(slipway(sharded, [...args, '--shard', `${i}/${n}`, '--out', 'bundles']));
    expect(r.stdout).toContain(`shard ${i}/${n}: `);
  }
  const merged = ok(slipway(sharded, ['merge', 'bundles', '--out', 'out']));
  return { whole: join(whole, 'out'), sharded, merged: join(sharded, 'out'), stdout: merged.stdout };
}

function expectSameFiles(a: string, b: string, files: readonly string[]) {
  for (const f of files) expect(readFileSync(join(b, f), 'utf8'), f).toBe(readFileSync(join(a, f), 'utf8'));
}

const COMPARE = ['compare', SCENARIO, '--policies', 'round-robin,best-fit', '--seeds', '1..4', '--workers', '1'];

describe('slipway compare --shard + slipway merge', () => {
  let r: ReturnType<typeof wholeAndMerged>;
  beforeAll(() => {
    r = wholeAndMerged('compare', COMPARE);
  });

  it('merges 4 shards into results.csv, results.json and report.html byte-identical to the unsharded run', () => {
    expectSameFiles(r.whole, r.merged, ['results.csv', 'results.json', 'report.html']);
    expect(JSON.parse(readFileSync(join(r.merged, 'results.json'), 'utf8')).runs).toHaveLength(8);
    expect(r.stdout).toContain('8 runs merged from 1 argument');
  });

  it('writes a bundle holding its rows, the inputs hash, the Slipway version and the run keys it covers', () => {
    const b = JSON.parse(readFileSync(join(r.sharded, 'bundles', 'bundle-2-of-4.json'), 'utf8'));
    expect(b.format).toBe('slipway-sweep-bundle/1');
    expect(b.kind).toBe('compare');
    expect(b.slipway).toMatch(/^\d+\.\d+\.\d+/);
    expect(b.inputsHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(b.shard).toEqual({ index: 2, count: 4 });
    expect(b.runs).toBe(8);
    // shard 2 of 4 takes runs 1 and 5 (i mod 4 = 1): policies in order, then seeds
    expect(b.keys).toEqual(['round-robin seed 2', 'best-fit seed 2']);
    expect(b.rows.map((x: { index: number }) => x.index)).toEqual([1, 5]);
  });

  it('tolerates a shard that ran twice with the same rows, and counts its runs once', () => {
    const dup = join(r.sharded, 'dup');
    mkdirSync(dup, { recursive: true });
    copyFileSync(join(r.sharded, 'bundles', 'bundle-3-of-4.json'), join(dup, 'bundle-3-of-4.json'));
    const again = join(r.sharded, 'again');
    mkdirSync(again, { recursive: true });
    const m = ok(slipway(again, ['merge', join(r.sharded, 'bundles'), dup, '--out', 'out']));
    expect(m.stdout).toContain('2 duplicate rows were identical and counted once');
    expectSameFiles(r.whole, join(again, 'out'), ['results.csv', 'results.json', 'report.html']);
  });

  const bundle = (i: number) => join('bundles', `bundle-${i}-of-4.json`);
  function refused(args: readonly string[], message: RegExp) {
    const m = slipway(r.sharded, ['merge', ...args, '--out', 'bad']);
    expect(m.stderr.trimEnd()).toMatch(message);
    expect(m.stderr.trim().split('\n')).toHaveLength(1);
    expect(m.status).toBe(2);
  }

  it('refuses a missing shard (a gap), naming the shard and its runs', () => {
    refused([bundle(1), bundle(2), bundle(3)], /^gap: 2 of 8 runs are in no bundle \(missing shard 4\/4\): run 3 \(round-robin seed 4\), 7 \(best-fit seed 4\)$/m);
  });

  it('refuses bundles of two splits that overlap', () => {
    ok(slipway(r.sharded, [...COMPARE, '--shard', '1/2', '--out', 'halves']));
    refused(['bundles', join('halves', 'bundle-1-of-2.json')], /^overlap: run 0 \(round-robin seed 1\) is in bundles\/bundle-1-of-4\.json \(shard 1\/4\) and halves\/bundle-1-of-2\.json \(shard 1\/2\)/);
  });

  it('refuses a bundle of different inputs (other seeds)', () => {
    ok(slipway(r.sharded, [...COMPARE.slice(0, -4), '--seeds', '1..5', '--workers', '1', '--shard', '4/4', '--out', 'other']));
    refused([bundle(1), bundle(2), bundle(3), join('other', 'bundle-4-of-4.json')], /^other\/bundle-4-of-4\.json: different inputs than bundles\/bundle-1-of-4\.json \(sha256:/);
  });

  it('refuses two copies of one shard whose rows differ', () => {
    const b = JSON.parse(readFileSync(join(r.sharded, bundle(3)), 'utf8'));
    b.rows[0].row.traceHash = '0'.repeat(16);
    mkdirSync(join(r.sharded, 'changed'), { recursive: true });
    writeFileSync(join(r.sharded, 'changed', 'bundle-3-of-4.json'), JSON.stringify(b));
    refused(['bundles', 'changed'], /^duplicate shard 3\/4 differs: run 2 \(round-robin seed 3\) in bundles\/bundle-3-of-4\.json and changed\/bundle-3-of-4\.json has different results$/);
  });

  it('refuses a bundle of another Slipway version, a folder without bundles and a file that is not one', () => {
    const b = JSON.parse(readFileSync(join(r.sharded, bundle(1)), 'utf8'));
    mkdirSync(join(r.sharded, 'old'), { recursive: true });
    writeFileSync(join(r.sharded, 'old', 'bundle-1-of-4.json'), JSON.stringify({ ...b, slipway: '0.0.1' }));
    refused([join('old', 'bundle-1-of-4.json'), bundle(2), bundle(3), bundle(4)], /^old\/bundle-1-of-4\.json: made by Slipway 0\.0\.1, this is \S+: merge with the version that ran the shards$/);
    refused(['out'], /^out: no sweep bundle in this folder/);
    refused([join('out', 'results.json')], /^out\/results\.json: not a sweep bundle: format: /);
  });

  it('refuses a bad --shard with one line (exit 2), and reads a 0-based index from JOB_COMPLETION_INDEX', () => {
    for (const [v, msg] of [
      ['5/4', /--shard 5\/4: shard 5 of 4 does not exist/],
      ['0/4', /--shard: expected I\/N/],
      ['JOB_COMPLETION_INDEX/4', /the environment variable JOB_COMPLETION_INDEX is not set/],
    ] as const) {
      const s = slipway(r.sharded, [...COMPARE, '--shard', v, '--out', 'x'], { JOB_COMPLETION_INDEX: undefined });
      expect(s.stderr).toMatch(msg);
      expect(s.status).toBe(2);
    }
    const s = ok(slipway(r.sharded, [...COMPARE, '--shard', 'JOB_COMPLETION_INDEX/4', '--out', 'k8s'], { JOB_COMPLETION_INDEX: '3' }));
    expect(s.stdout).toContain('shard 4/4: 2 of 8 runs');
    expect(readFileSync(join(r.sharded, 'k8s', 'bundle-4-of-4.json'), 'utf8')).toBe(readFileSync(join(r.sharded, bundle(4)), 'utf8'));
  });
});

describe('slipway fuzz --shard + slipway merge', () => {
  it('merges 4 shards into runs.jsonl and summary.json byte-identical to the unsharded campaign', () => {
    const r = wholeAndMerged('fuzz', ['fuzz', '--runs', '8', '--profile', 'tiny', '--workers', '1']);
    expectSameFiles(r.whole, r.merged, ['runs.jsonl', 'summary.json']);
    expect(readFileSync(join(r.merged, 'runs.jsonl'), 'utf8').trim().split('\n')).toHaveLength(8);
  });
});

describe('slipway experiment --shard + slipway merge', () => {
  it('fgd: merges 4 shards into results.csv and report.html byte-identical to the unsharded study', () => {
    const traces = join(base, 'traces');
    mkdirSync(traces, { recursive: true });
    const nodes = ['sn,cpu_milli,memory_mib,gpu,model'];
    for (let i = 0; i < 6; i++) nodes.push(`node-${i},32000,131072,${i % 2 ? 8 : 2},${i % 2 ? 'G2' : 'T4'}`);
    writeFileSync(join(traces, 'openb_node_list_gpu_node.csv'), nodes.join('\n') + '\n');
    const pods = ['name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec'];
    for (let k = 0; k < 30; k++) {
      const [num, milli] = [[1, 1000], [1, 500], [1, 250], [0, 0], [2, 1000]][k % 5];
      pods.push(`pod-${k},${2000 + (k % 3) * 1000},4096,${num},${milli},${k % 7 === 0 ? 'G2' : ''}`);
    }
    writeFileSync(join(traces, 'openb_pod_list_default.csv'), pods.join('\n') + '\n');
    const r = wholeAndMerged('fgd', ['experiment', 'fgd', '--workload', 'default', '--traces', traces, '--policies', 'fgd,best-fit', '--seeds', '42..45', '--workers', '1']);
    expectSameFiles(r.whole, r.merged, ['results.csv', 'report.html']);
  });

  it('membership: merges 4 shards into results.csv and report.html byte-identical to the unsharded study', () => {
    const r = wholeAndMerged('membership', ['experiment', 'membership', '--study', 'swim', '--members', '10', '--seeds', '1..4', '--duration', '1m']);
    expectSameFiles(r.whole, r.merged, ['results.csv', 'report.html']);
  });
});
