/**
 * The rough edges a new user meets in the first hour (issue #18.9): validate lists every problem,
 * validate and fuzz print JSON on request, export needs no --format, a missing file reads the same
 * in every command, and a run with no expectations does not claim "0 expectation(s) hold".
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_PROBLEMS } from '../../src/cli/validate.js';

const BIN = join(import.meta.dirname, '../../bin/slipway.js');
let dir: string;

function slipway(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A scenario with four problems the loader finds together (a typo'd scheduler, a node, a time, a workload). */
const FOUR_PROBLEMS = `name: bad
duration: 10m
scheduler: Default
nodes:
  - {name: n1, capacity: {cpu: 4, memory: 8Gi}}
workloads:
  - name: web
    replicas: 2
    containers: [{name: c, image: nginx, requests: {cpu: 1}}]
faults:
  - {at: 1m, nodeCrash: {node: n9}}
  - {at: 20m, nodeCrash: {node: n1}}
expectations:
  - converged: {workloads: [wbe], by: 5m}
`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'slipway-first-hour-'));
  writeFileSync(join(dir, 'four.yaml'), FOUR_PROBLEMS);
});

describe('validate', () => {
  it('prints every problem it finds, one line each, in file order; exit 2', () => {
    const file = join(dir, 'four.yaml');
    const r = slipway('validate', file);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([
      `${file}:3:12: scheduler: unknown scheduler "Default"; did you mean "default"? (known: balanced, best-fit, default, dot-product, first-fit, gpu-best-fit, gpu-clustering, gpu-dotprod, gpu-fgd, gpu-packing, gpu-random, random, round-robin, spread)`,
      `${file}:11:32: faults[0].nodeCrash.node: unknown node "n9"; did you mean "n1"? (known: n1)`,
      `${file}:12:10: faults[1].at: 20m is after the end of the run (duration 10m)`,
      `${file}:14:29: expectations[0].converged.workloads[0]: unknown workload "wbe"; did you mean "web"? (known: web)`,
    ]);
    // run still stops at the first problem, in one line
    const run = slipway('run', file, '--out', join(dir, 'out-four'));
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it(`stops after ${MAX_PROBLEMS} problems and says how many more there were`, () => {
    const file = join(dir, 'many.yaml');
    const faults = Array.from({ length: MAX_PROBLEMS + 10 }, (_, i) => `  - {at: ${i + 1}s, nodeCrash: {node: nope-${i}}}`).join('\n');
    writeFileSync(file, `name: many\nduration: 10m\nnodes:\n  - {name: n1, capacity: {cpu: 1, memory: 1Gi}}\nfaults:\n${faults}\n`);
    const lines = slipway('validate', file).stderr.trim().split('\n');
    expect(lines).toHaveLength(MAX_PROBLEMS + 1);
    expect(lines[0]).toContain(`${file}:6:`);
    expect(lines[MAX_PROBLEMS]).toBe(`${file}: ... and 10 more problem(s) (the first ${MAX_PROBLEMS} are shown)`);
  });

  it('--json: the problems with their line and column, or the summary of a valid file', () => {
    const file = join(dir, 'four.yaml');
    const bad = slipway('validate', file, '--json');
    expect(bad.code).toBe(2);
    const j = JSON.parse(bad.stdout);
    expect(j).toMatchObject({ file, valid: false, warnings: [] });
    expect(j.problems).toHaveLength(4);
    expect(j.problems[1]).toEqual({ file, line: 11, column: 32, message: 'faults[0].nodeCrash.node: unknown node "n9"; did you mean "n1"? (known: n1)' });

    const good = slipway('validate', 'scenarios/steady-service.yaml', '--json');
    expect(good.code).toBe(0);
    expect(JSON.parse(good.stdout)).toMatchObject({ file: 'scenarios/steady-service.yaml', valid: true, problems: [], summary: { name: 'steady-service' } });
  });
});

describe('the other commands', () => {
  it('a missing file reads "FILE: cannot read: no such file" in every command, never ENOENT', () => {
    const missing = join(dir, 'missing.yaml');
    for (const args of [
      ['run', missing],
      ['validate', missing],
      ['explain', missing],
      ['compare', missing, '--policies', 'default'],
      ['diff', missing, missing],
      ['replay', missing],
      ['export', missing],
      ['run', 'scenarios/steady-service.yaml', '--latency', missing],
    ]) {
      const r = slipway(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toBe(`${missing}: cannot read: no such file\n`);
    }
  });

  it('a run with no expectations says so instead of "ok: 0 expectation(s) hold"; export needs no --format', () => {
    const file = join(dir, 'no-expectations.yaml');
    writeFileSync(file, 'name: plain\nduration: 2m\nnodes:\n  - {name: n1, capacity: {cpu: 2, memory: 2Gi}}\nworkloads:\n  - {name: web, replicas: 1, containers: [{name: c, image: nginx, requests: {cpu: 100m}}]}\n');
    const out = join(dir, 'out-plain');
    const r = slipway('run', file, '--out', out);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('0 expectation(s)');
    expect(r.stdout).toContain('ok: no invariant violated (the scenario states no expectations)');

    const e = slipway('export', join(out, 'trace.jsonl'));
    expect(e.code).toBe(0);
    expect(JSON.parse(e.stdout).traceEvents.length).toBeGreaterThan(0);
  });

  it('fuzz --json prints summary.json as one JSON object and nothing else on stdout', () => {
    const out = join(dir, 'fuzz');
    const r = slipway('fuzz', '--runs', '2', '--workers', '0', '--out', out, '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ profile: 'small', seed: 1, out, runs: 2, failed: 0, failures: [] });
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
  });
});
