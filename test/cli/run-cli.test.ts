/**
 * The `slipway` command as a user runs it: a real child process per call (argument arrays, no
 * shell), checking exit codes, outputs on disk and what is printed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readScenario } from '../../src/cli/read-scenario.js';
import { simulate } from '../../src/run/simulate.js';

function slipway(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/slipway.js', ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const tmp = () => mkdtempSync(join(tmpdir(), 'slipway-cli-'));

describe('slipway run', () => {
  it('runs a scenario, writes trace.jsonl, summary.json and report.html, exits 0', () => {
    const out = tmp();
    const r = slipway('run', 'scenarios/crash-loop-backoff.yaml', '--out', out);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ok: 3 expectation(s) hold');
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(Object.keys(summary)).toEqual(
      expect.arrayContaining(['seed', 'traceHash', 'events', 'simulatedTimeMs', 'workloads', 'expectations']),
    );
    expect(summary.seed).toBe(5);
    expect(summary.simulatedTimeMs).toBe(20 * 60_000);
    expect(summary.workloads.map((w: { name: string }) => w.name)).toEqual(['flaky', 'steady']);
    expect(Object.keys(summary.workloads[0])).toEqual(expect.arrayContaining(['name', 'desired', 'running', 'pending', 'failed']));
    expect(summary.expectations.every((e: { ok: boolean }) => e.ok)).toBe(true);
    const lines = readFileSync(join(out, 'trace.jsonl'), 'utf8').trim().split('\n');
    expect(lines.length).toBe(summary.traceLines);
    expect(JSON.parse(lines[0])).toMatchObject({ t: 0, seq: 0, type: 'run.start', seed: 5 });
    expect(existsSync(join(out, 'report.html'))).toBe(true);
  });

  it('two separate processes write byte-identical traces (and the hash matches an in-process run)', async () => {
    const [d1, d2] = [tmp(), tmp()];
    const a = JSON.parse(slipway('run', 'scenarios/node-crash-reschedule.yaml', '--json', '--out', d1).stdout);
    const b = JSON.parse(slipway('run', 'scenarios/node-crash-reschedule.yaml', '--json', '--out', d2).stdout);
    expect(b.traceHash).toBe(a.traceHash);
    expect(readFileSync(join(d2, 'trace.jsonl'))).toEqual(readFileSync(join(d1, 'trace.jsonl')));
    const inProcess = await simulate(readScenario('scenarios/node-crash-reschedule.yaml'));
    expect(inProcess.traceHash).toBe(a.traceHash);
  });

  it('--json prints the summary; --seed changes the run', () => {
    const a = JSON.parse(slipway('run', 'scenarios/steady-service.yaml', '--json', '--out', tmp()).stdout);
    const c = JSON.parse(slipway('run', 'scenarios/steady-service.yaml', '--json', '--seed', '8', '--out', tmp()).stdout);
    expect(a.seed).toBe(7);
    expect(c.seed).toBe(8);
    expect(c.traceHash).not.toBe(a.traceHash);
  });

  it('--until stops early', () => {
    const s = JSON.parse(slipway('run', 'scenarios/steady-service.yaml', '--json', '--until', '2m', '--out', tmp()).stdout);
    expect(s.simulatedTimeMs).toBe(120_000);
  });

  it('a failed expectation exits 1 and prints the seed and the command that replays it', () => {
    const dir = tmp();
    const file = join(dir, 'too-big.yaml');
    writeFileSync(
      file,
      `name: too-big
duration: 5m
nodes:
  - {name: n1, capacity: {cpu: 2, memory: 4Gi}}
workloads:
  - name: big
    replicas: 3
    containers: [{name: app, image: x, requests: {cpu: 1, memory: 1Gi}}]
expectations:
  - converged: {by: 4m}
`,
    );
    const r = slipway('run', file, '--out', join(dir, 'out'));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('FAIL  converged by 4m');
    expect(r.stdout).toContain('1 pending (0/1 nodes are available: 1 Insufficient cpu.)');
    expect(r.stdout).toContain(`replay: npx slipway run ${file} --seed 1`);
  });

  it.each([
    [['run', 'scenarios/nope.yaml'], /^scenarios\/nope\.yaml: cannot read: no such file\n$/],
    [['run', 'scenarios/steady-service.yaml', '--seed', '-3'], /^--seed: expected a non-negative integer, got "-3"\n$/],
    [['run', 'scenarios/steady-service.yaml', '--until', '10 minutes'], /^--until: invalid duration "10 minutes"/],
  ])('bad input %j exits 2 with one line', (args, message) => {
    const r = slipway(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('slipway validate', () => {
  it('accepts every scenario shipped in scenarios/', () => {
    for (const f of ['default', 'steady-service', 'scale-up-down', 'node-crash-reschedule', 'crash-loop-backoff', 'rolling-update', 'batch-job', 'large-1000-nodes']) {
      const r = slipway('validate', `scenarios/${f}.yaml`);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/: ok — /);
    }
  });

  it('reports a typo as FILE:LINE:COL with a suggestion, exit 2, no stack trace', () => {
    const file = join(tmp(), 'typo.yaml');
    writeFileSync(file, 'name: t\nduration: 1m\nnodes:\n  - name: n1\n    capacity: {cpu: 1, memory: 1Gi}\nworkloads:\n  - name: web\n    replica: 3\n    containers: [{name: a, image: b}]\n');
    const r = slipway('validate', file);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`${file}:8:5: unknown key "replica" in workloads[0]; did you mean "replicas"?\n`);
  });
});
