/** The fuzz, replay and --check-determinism commands, end to end through the CLI (argument arrays, no shell). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const slipway = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['bin/slipway.js', ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const tmp = () => mkdtempSync(join(tmpdir(), 'slipway-cli-'));

describe('slipway fuzz', () => {
  it('runs in worker threads, writes every run and ends with "N runs, M failures"', () => {
    const out = tmp();
    const r = slipway('fuzz', '--runs', '6', '--workers', '2', '--profile', 'tiny', '--seed', '4', '--out', out);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[lines.length - 1]).toBe('6 runs, 0 failures');
    expect(r.out).toMatch(/runs per minute/);
    expect(r.out).toMatch(/coverage \(fault hits per control-plane phase\)/);
    const runs = readFileSync(join(out, 'runs.jsonl'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(runs.map((x) => x.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(runs.every((x) => typeof x.seed === 'number' && x.ok === true)).toBe(true);
  }, 120_000);

  it('--case regenerates one run as a scenario file that slipway run replays', () => {
    const out = tmp();
    const r = slipway('fuzz', '--case', '970522245', '--profile', 'tiny', '--out', out);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`scenario: ${join(out, 'case-970522245.yaml')}`);
    const run = slipway('run', join(out, 'case-970522245.yaml'), '--out', join(out, 'run'));
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/no invariant violated/);
  }, 120_000);

  it('rejects a bad flag with one line and exit 2', () => {
    const r = slipway('fuzz', '--profile', 'huge');
    expect(r.code).toBe(2);
    expect(r.err).toBe('--profile: unknown profile "huge" (known: small, tiny, partitions, crashes, ha)\n');
    expect(slipway('fuzz', '--profile', 'crash').err).toBe('--profile: unknown profile "crash"; did you mean "crashes"? (known: small, tiny, partitions, crashes, ha)\n');
    const w = slipway('fuzz', '--runs', '0');
    expect(w.code).toBe(2);
    expect(w.err).toBe('--runs: expected an integer ≥ 1, got "0"\n');
  });
});

describe('slipway replay and run --check-determinism', () => {
  it('a recorded trace replays identically; a tampered one shows the changed decision', () => {
    const out = tmp();
    const run = slipway('run', 'scenarios/gray-failure-partition.yaml', '--out', out, '--check-determinism');
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/^determinism: identical in a fresh worker \(sha256 [0-9a-f]{64}\)$/m);
    const trace = join(out, 'trace.jsonl');
    const same = slipway('replay', trace);
    expect(same.code).toBe(0);
    expect(same.out).toMatch(/: identical \(\d+ records; scenario gray-failure-partition, seed 7\)/);

    const lines = readFileSync(trace, 'utf8').split('\n');
    const i = lines.findIndex((l) => l.includes('"type":"instance.scheduled"'));
    const rec = JSON.parse(lines[i]);
    lines[i] = JSON.stringify({ ...rec, node: rec.node === 'node-4' ? 'node-3' : 'node-4' });
    const tampered = join(out, 'tampered.jsonl');
    writeFileSync(tampered, lines.join('\n'));
    const diff = slipway('replay', tampered);
    expect(diff.code).toBe(1);
    expect(diff.out).toContain(`first divergence at record ${i}: instance.scheduled of ${rec.instance} changed: node:`);
  }, 120_000);

  it('a file that is not a trace is bad input', () => {
    const out = tmp();
    const f = join(out, 'x.jsonl');
    writeFileSync(f, '{"t":0,"seq":0,"type":"run.end","reason":"until","expectationsFailed":0}\n');
    const r = slipway('replay', f);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`${f}:1: not a Slipway trace: the first record must be run.start with the scenario document and seed\n`);
  });
});
