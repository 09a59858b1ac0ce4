/**
 * Issue #19 item 4: `fuzz --workers 1000` was accepted (~400 threads, 5 GB, no result); every command
 * that starts worker threads now caps them at one limit, named in the message.
 * Item 10: `replay` trusted its input: a truncated trace gave a raw SyntaxError (exit 1), a header
 * with `untilMs: 1e300` or a negative seed ran until killed. Both are bad input (exit 2, FILE:LINE).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_WORKERS } from '../../src/cli/workers.js';
import { expectNoStack, slipway } from './cli.js';

describe('--workers is capped', () => {
  it('fuzz --workers 1000 is exit 2 with the cap in the message, before any thread starts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-workers-'));
    const r = slipway(['fuzz', '--workers', '1000', '--runs', '1', '--out', dir]);
    expect(r.stderr).toBe(`--workers: expected an integer from 0 to ${MAX_WORKERS}, got "1000"\n`);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
  });
});

describe('replay validates the trace it reads', () => {
  let dir: string;
  let lines: string[];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-replay-'));
    const r = slipway(['run', 'scenarios/steady-service.yaml', '--out', dir]);
    expect(r.code).toBe(0);
    lines = readFileSync(join(dir, 'trace.jsonl'), 'utf8').split('\n');
  });

  it('a trace cut mid-line is exit 2 naming FILE:LINE', () => {
    const f = join(dir, 'cut.jsonl');
    const n = 10;
    writeFileSync(f, lines.slice(0, n - 1).join('\n') + '\n' + lines[n - 1].slice(0, 20));
    const r = slipway(['replay', f]);
    expect(r.stderr).toMatch(new RegExp(`^${f.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:${n}: not a JSON trace record \\(the trace is cut short or corrupt\\)`));
    expect(r.code).toBe(2);
    expectNoStack(r);
  });

  it.each([
    ['untilMs', 1e300, 'run.start untilMs: expected a positive number of milliseconds of at most 366 days, got 1e+300'],
    ['seed', -1, 'run.start seed: expected a non-negative integer, got "-1"'],
    ['durationMs', 'soon', 'run.start: durationMs: expected number, received string, got "soon"'],
  ])('a header with %s = %s is checked as the flags are', (key, value, message) => {
    const f = join(dir, `bad-${key}.jsonl`);
    const head = { ...JSON.parse(lines[0]), [key]: value };
    writeFileSync(f, [JSON.stringify(head), ...lines.slice(1)].join('\n'));
    const r = slipway(['replay', f], { timeoutMs: 60_000 });
    expect(r.stderr).toBe(`${f}:1: ${message}\n`);
    expect(r.code).toBe(2);
  });
});
