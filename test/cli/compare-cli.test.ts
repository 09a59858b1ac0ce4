import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { schedulerNames } from '../../src/scheduler/registry.js';

const dir = mkdtempSync(join(tmpdir(), 'slipway-compare-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function slipway(...args: string[]) {
  return spawnSync(process.execPath, ['bin/slipway.js', ...args], { encoding: 'utf8' });
}

describe('slipway compare', () => {
  it('writes report.html, results.json and results.csv and prints a table with its wall time', () => {
    const out = join(dir, 'cmp');
    const r = slipway('compare', 'scenarios/default.yaml', '--policies', 'round-robin', '--seeds', '1..3', '--workers', '2', '--out', out);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    // one unit per row, named after the metric; the interval as [low, high]
    expect(r.stdout).toMatch(/scheduling latency p50 \(s\) +\d+\.\d\d s \[\d+\.\d\d s\*?, \d+\.\d\d s\]/);
    expect(r.stdout).toMatch(/start-up latency p50 \(s\) +\d+\.\d\d s \[/);
    expect(r.stdout).not.toMatch(/\d ms/);
    expect(r.stdout).toMatch(/3 runs in \d+\.\d s wall \(2 workers\)/);
    const csv = readFileSync(join(out, 'results.csv'), 'utf8').trim().split('\n');
    expect(csv).toHaveLength(4);
    expect(csv.slice(1).map((l) => l.split(',').slice(0, 3).join(','))).toEqual(['round-robin,1,true', 'round-robin,2,true', 'round-robin,3,true']);
    const json = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(json.runs).toHaveLength(3);
    const p50 = json.metrics.find((m: { key: string }) => m.key === 'startupP50Ms');
    expect(p50.policies['round-robin'].summary.n).toBe(3);
    expect(json.commands.compare).toContain('--policies round-robin --seeds 1..3');
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('Slipway compare: default');
    expect(html).toContain('npx slipway run scenarios/default.yaml --seed 1 --scheduler round-robin');
  });

  it('prints replay commands that reproduce a compare run exactly (same trace hash)', () => {
    const policy = schedulerNames().find((n) => n !== 'round-robin') ?? 'round-robin';
    const cmp = slipway('compare', 'scenarios/default.yaml', '--policies', `round-robin,${policy}`, '--seeds', '3', '--workers', '0', '--json', '--out', join(dir, 'c2'));
    expect(cmp.status).toBe(0);
    const run = JSON.parse(cmp.stdout).runs.find((r: { policy: string }) => r.policy === policy);
    const replay = slipway('run', 'scenarios/default.yaml', '--seed', '3', '--scheduler', policy, '--json', '--out', join(dir, 'r2'));
    expect(replay.status).toBe(0);
    const summary = JSON.parse(replay.stdout);
    expect(summary.scheduler).toBe(policy);
    expect(summary.traceHash).toBe(run.traceHash);
    expect(summary.command).toBe(`npx slipway run scenarios/default.yaml --seed 3 --scheduler ${policy}`);
  });

  it('rejects an unknown policy with one line listing the known ones (exit 2)', () => {
    const r = slipway('compare', 'scenarios/default.yaml', '--policies', 'round-robin,best-fitt', '--out', join(dir, 'x'));
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`--policies: unknown policy "best-fitt"; did you mean "best-fit"? (known: ${schedulerNames().join(', ')})\n`);
  });

  it('rejects bad seeds and workers with exit 2', () => {
    expect(slipway('compare', 'scenarios/default.yaml', '--policies', 'round-robin', '--seeds', '9..2').stderr).toBe(
      '--seeds: expected a range like 1..20 or a list like 1,2,5, got "9..2"\n',
    );
    const w = slipway('compare', 'scenarios/default.yaml', '--policies', 'round-robin', '--workers', 'many');
    expect(w.status).toBe(2);
    expect(w.stderr).toBe('--workers: expected an integer from 0 to 256, got "many"\n');
  });

  it('run --scheduler checks the name', () => {
    const r = slipway('run', 'scenarios/default.yaml', '--scheduler', 'nope', '--out', join(dir, 'y'));
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`--scheduler: unknown scheduler "nope" (known: ${schedulerNames().join(', ')})\n`);
    // a name in the wrong case is a typo of the known one
    const d = slipway('run', 'scenarios/default.yaml', '--scheduler', 'Default', '--out', join(dir, 'y'));
    expect(d.status).toBe(2);
    expect(d.stderr).toBe(`--scheduler: unknown scheduler "Default"; did you mean "default"? (known: ${schedulerNames().join(', ')})\n`);
  });
});
