/**
 * `--until` cuts a run short: expectations whose time was not reached (or that are about the whole
 * scenario) are NOT CHECKED — never a PASS — and fail the run unless `--allow-unchecked` (#18.1).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function slipway(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/slipway.js', ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const tmp = () => mkdtempSync(join(tmpdir(), 'slipway-until-'));

describe('slipway run --until', () => {
  it('reports expectations after the stop as NOT CHECKED in the table, summary.json and --json, and exits 1', () => {
    const out = tmp();
    const r = slipway('run', 'scenarios/steady-service.yaml', '--until', '2m', '--out', out);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('  PASS  converged by 1m');
    expect(r.stdout).toMatch(/ {2}NOT CHECKED {2}web running 3 at 9m — not checked: its time 9m is after the end of the run \(2m, --until 2m\)/);
    expect(r.stdout).toMatch(/ {2}NOT CHECKED {2}web restarts at most 0 — not checked: web: 0 restart\(s\) so far/);
    expect(r.stdout).not.toMatch(/PASS {2}web running 3 at 9m/);
    expect(r.stdout).toContain('NOT CHECKED: 2 of 3 expectation(s) could not be checked');
    expect(r.stdout).not.toMatch(/^ok:/m);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.ok).toBe(false);
    expect(summary.expectations.map((e: { status: string }) => e.status)).toEqual(['pass', 'not-checked', 'not-checked']);
    const json = JSON.parse(slipway('run', 'scenarios/steady-service.yaml', '--until', '2m', '--json', '--out', tmp()).stdout);
    expect(json.expectations.map((e: { status: string; ok: boolean }) => [e.status, e.ok])).toEqual([['pass', true], ['not-checked', false], ['not-checked', false]]);
    const trace = readFileSync(join(out, 'trace.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(trace[0]).toMatchObject({ durationMs: 600_000, untilMs: 120_000 });
    expect(trace.filter((t) => t.type === 'expectation').map((t) => t.checked)).toEqual([undefined, false, false]);
    expect(trace.at(-1)).toMatchObject({ type: 'run.end', expectationsFailed: 0, expectationsNotChecked: 2 });
    const report = readFileSync(join(out, 'report.html'), 'utf8');
    expect(report).toContain('NOT CHECKED');
  });

  it('--allow-unchecked exits 0 and says what was not checked', () => {
    const r = slipway('run', 'scenarios/steady-service.yaml', '--until', '2m', '--allow-unchecked', '--out', tmp());
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ok: 1 of 3 expectation(s) hold, 2 NOT CHECKED (allowed by --allow-unchecked), no invariant violated');
  });

  it('a restart count is decided early when more restarts cannot change it', () => {
    // flaky crash-loops: by 10m it has restarted ≥ 1 times (min only: already decided), and steady never did.
    const dir = tmp();
    const file = join(dir, 'restarts.yaml');
    const scenario = readFileSync('scenarios/crash-loop-backoff.yaml', 'utf8').replace(
      /expectations:[\s\S]*$/,
      `expectations:
  - {name: flaky restarted, restarts: {workload: flaky, min: 1}}
  - {name: flaky restarts few, restarts: {workload: flaky, max: 1}}
  - {name: flaky bounded, restarts: {workload: flaky, min: 1, max: 100}}
`,
    );
    writeFileSync(file, scenario);
    const s = JSON.parse(slipway('run', file, '--until', '10m', '--json', '--out', join(dir, 'out')).stdout);
    expect(s.expectations.map((e: { name: string; status: string }) => [e.name, e.status])).toEqual([
      ['flaky restarted', 'pass'],
      ['flaky restarts few', 'fail'],
      ['flaky bounded', 'not-checked'],
    ]);
  });

  it('an --until past every expectation checks them all; replay of an --until trace is identical', () => {
    const out = tmp();
    const r = slipway('run', 'scenarios/steady-service.yaml', '--until', '10m', '--out', out);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ok: 3 expectation(s) hold');
    const cut = tmp();
    slipway('run', 'scenarios/steady-service.yaml', '--until', '2m', '--out', cut);
    const replay = slipway('replay', join(cut, 'trace.jsonl'));
    expect(replay.stdout).toContain('identical');
    expect(replay.code).toBe(0);
  });
});
