/**
 * Issue #19 item 3: upper bounds. `replicas: 1e9` used to pass `validate` and kill `run` with a V8
 * fatal error; a `scale` to 1e9 exhausted the heap; 1e6 replicas silently wrote a 4 GB trace; a
 * 50 MB scenario took ~150× its size in memory to validate. Each limit is checked before the work,
 * exit 2, one line naming the field, the limit and the flag that raises it.
 */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { parseScenario } from '../../src/run/parse-scenario.js';
import { DEFAULT_LIMITS, parseSize } from '../../src/scenario/limits.js';
import { expectNoStack, slipway } from './cli.js';

const base = (extra: string, replicas = '1') => `name: big
duration: 1h
nodes:
  - {name: "n-{i}", count: 2, capacity: {cpu: 4, memory: 8Gi}}
workloads:
  - name: web
    replicas: ${replicas}
    containers: [{name: c, image: nginx, requests: {cpu: 1m, memory: 1Mi}}]
${extra}`;

function problem(text: string, limits = {}): string {
  try {
    parseScenario(text, 'big.yaml', { limits });
  } catch (e) {
    if (e instanceof InputError) return e.message;
    throw e;
  }
  return 'ok';
}

describe('scenario limits (checked by the loader, so validate reports them)', () => {
  it('replicas: 1e9 names the field, the limit and --max-instances', () => {
    expect(problem(base('', '1000000000'))).toBe(
      'big.yaml:7:15: workloads[0].replicas: 1,000,000,000 instances is over the limit of 200,000 instances per scenario (raise it with --max-instances N)',
    );
  });

  it('a scale operation to 1e9 is refused where it is written', () => {
    expect(problem(base('operations:\n  - {at: 1m, scale: {workload: web, replicas: 1000000000}}'))).toMatch(
      /^big\.yaml:10:47: operations\[0\]\.scale\.replicas: 1,000,000,000 instances is over the limit .* --max-instances/,
    );
  });

  it('the sum over workloads counts, and the flag raises the limit', () => {
    const two = base('  - {name: b, replicas: 150000, containers: [{name: c, image: nginx}]}', '150000');
    expect(problem(two)).toMatch(/workloads\[1\]\.replicas: the workloads ask for 300,000 instances: over the limit of 200,000/);
    expect(problem(two, { maxInstances: 300_000 })).toBe('ok');
  });

  it('nodes summed over entries; faults counted with the expected firings of a rate', () => {
    const nodes = base('').replace('count: 2', 'count: 100000') + 'operations:\n  - {at: 1m, addNode: {name: extra, capacity: {cpu: 1, memory: 1Gi}}}\n';
    expect(problem(nodes)).toMatch(/operations\[0\]\.addNode: 100,001 nodes so far: over the limit of 100,000 nodes per scenario \(raise it with --max-nodes N\)/);
    const storm = base('faults:\n  - {rate: 1000/s, nodeCrash: {node: n-0, recoverAfter: 1s}}');
    expect(problem(storm)).toMatch(/^big\.yaml:10:12: faults\[0\]\.rate: about 3,600,000 firings over its window .* --max-faults N\)$/);
  });

  it('one nodes entry over the limit names --max-nodes, and the flag raises it', () => {
    // Before, the schema's own bound on count (100,000) answered first, without the flag, and
    // --max-nodes 200000 could not raise it for a single entry.
    const one = base('').replace('count: 2', 'count: 150000');
    expect(problem(one)).toMatch(/nodes\[0\]\.count: 150,000 nodes so far: over the limit of 100,000 nodes per scenario \(raise it with --max-nodes N\)$/);
    expect(problem(one, { maxNodes: 200_000 })).toBe('ok');
  });

  it('a run longer than 366 days is refused', () => {
    expect(problem(base('').replace('duration: 1h', 'duration: 1000d'))).toMatch(/^big\.yaml:2:11: duration: .* over the limit of 366d per run$/);
  });

  it('the shipped limits are documented values', () => {
    expect(DEFAULT_LIMITS).toEqual({ maxInstances: 200_000, maxNodes: 100_000, maxFaults: 100_000, maxFileBytes: 16 * 1024 ** 2, maxTraceBytes: 4 * 1024 ** 3 });
    expect(parseSize('64M')).toBe(64 * 1024 ** 2);
    expect(parseSize('1.5GiB')).toBe(1.5 * 1024 ** 3);
    expect(parseSize('lots')).toBeUndefined();
  });
});

describe('limits at the command line', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-limits-'));
  });

  it('validate: replicas 1e9 is exit 2 with the limit; --max-instances raises it', () => {
    const f = join(dir, 'huge.yaml');
    writeFileSync(f, base('', '1000000000'));
    const r = slipway(['validate', f]);
    expect(r.stderr).toBe(`${f}:7:15: workloads[0].replicas: 1,000,000,000 instances is over the limit of 200,000 instances per scenario (raise it with --max-instances N)\n`);
    expect(r.code).toBe(2);
    const ok = slipway(['validate', f, '--max-instances', '2000000000']);
    expect(ok.code).toBe(0);
    expect(slipway(['validate', f, '--max-instances', 'many']).stderr).toBe('--max-instances: expected a positive integer, got "many"\n');
  });

  it('a scenario file over the size limit is refused before it is read (bounded memory)', () => {
    const f = join(dir, 'fat.yaml');
    // 20 MiB of comments: parsing it whole would take gigabytes.
    writeFileSync(f, base('') + ('# ' + 'x'.repeat(1022) + '\n').repeat(20 * 1024));
    const r = slipway(['validate', f]);
    expect(r.stderr).toBe(`${f}: 20 MiB is over the limit of 16 MiB per scenario file (raise it with --max-file-size SIZE)\n`);
    expect(r.code).toBe(2);
    expectNoStack(r);
  });

  it('run: a trace past --max-trace-size stops the run, exit 2, and leaves no trace behind', () => {
    const out = join(dir, 'out');
    const r = slipway(['run', 'scenarios/steady-service.yaml', '--out', out, '--max-trace-size', '2K']);
    expect(r.stderr).toMatch(/^the trace is over its limit of 2 KiB at t=\d+ms \(raise it with --max-trace-size SIZE, or shorten the run with --until\)\n$/);
    expect(r.code).toBe(2);
    expect(readdirSync(out)).toEqual([]);
  });
});
