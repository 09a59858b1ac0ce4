/**
 * A trace line the typed reader refuses (an event type the build does not know, a field its event
 * needs left out) stops `slipway replay`, `diff` and `export` with ONE line, `FILE:LINE: ...`,
 * and exit 2 (bad input), never a stack trace. Real processes on a real trace with one line edited.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/run/parse-scenario.js';
import { simulate } from '../../src/run/simulate.js';

const BIN = join(import.meta.dirname, '../../bin/slipway.js');
const dir = mkdtempSync(join(tmpdir(), 'slipway-bad-trace-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SCENARIO = `name: bad-trace
duration: 2m
nodes: [{name: "node-{i}", count: 2, capacity: {cpu: 2, memory: 4Gi}}]
workloads: [{name: web, replicas: 2, containers: [{name: app, image: nginx, requests: {cpu: 100m, memory: 64Mi}}]}]
`;

const good = join(dir, 'good.jsonl');
/** 1-based number of the line edited: the first instance.scheduled record. */
let line = 0;

/** The good trace with line `line` passed through `edit` (the parsed record in, a record out). */
function edited(name: string, edit: (r: Record<string, unknown>) => Record<string, unknown>): string {
  const lines = readFileSync(good, 'utf8').split('\n');
  lines[line - 1] = JSON.stringify(edit(JSON.parse(lines[line - 1]) as Record<string, unknown>));
  const f = join(dir, name);
  writeFileSync(f, lines.join('\n'));
  return f;
}

beforeAll(async () => {
  writeFileSync(join(dir, 'bad-trace.yaml'), SCENARIO);
  await simulate(parseScenario(SCENARIO, join(dir, 'bad-trace.yaml')), { tracePath: good });
  line = readFileSync(good, 'utf8').split('\n').findIndex((l) => l.includes('"type":"instance.scheduled"')) + 1;
  expect(line).toBeGreaterThan(1);
});

const slipway = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: dir });

describe('replay, diff and export on a trace line the reader refuses', () => {
  const cases = [
    ['an unknown event type', 'unknown-type.jsonl', (r: Record<string, unknown>) => ({ ...r, type: 'instance.sheduled' }), /: unknown trace event type "instance\.sheduled"; did you mean "instance\.scheduled"\?$/],
    ['a missing field', 'missing-field.jsonl', ({ attempt: _attempt, ...r }: Record<string, unknown>) => r, /: instance\.scheduled: attempt: missing$/],
  ] as const;

  for (const [what, name, edit, message] of cases) {
    const commands: ReadonlyArray<readonly [string, (f: string) => string[]]> = [
      ['replay', (f) => ['replay', f]],
      ['diff (first)', (f) => ['diff', f, good]],
      ['diff (second)', (f) => ['diff', good, f]],
      ['export', (f) => ['export', f, '--out', join(dir, `${name}.perfetto.json`)]],
    ];
    for (const [command, args] of commands) {
      it(`${command}: ${what} → FILE:LINE, one line, exit 2`, () => {
        const f = edited(name, edit);
        const r = slipway(...args(f));
        expect(r.status, r.stderr).toBe(2);
        const lines = r.stderr.trimEnd().split('\n');
        expect(lines).toHaveLength(1);
        expect(lines[0].startsWith(`${f}:${line}: `), lines[0]).toBe(true);
        expect(lines[0]).toMatch(message);
        expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      });
    }
  }

  it('export --out writes nothing when the trace is refused', () => {
    const f = edited('unknown-type-out.jsonl', (r) => ({ ...r, type: 'instance.sheduled' }));
    const out = join(dir, 'refused.perfetto.json');
    expect(slipway('export', f, '--out', out).status).toBe(2);
    expect(existsSync(out)).toBe(false);
  });

  it('the unedited trace is accepted by all three (the failures above are the edit)', () => {
    expect(slipway('diff', good, good).status).toBe(0);
    expect(slipway('export', good, '--out', join(dir, 'good.perfetto.json')).status).toBe(0);
    const replay = slipway('replay', good);
    expect(replay.status, replay.stderr).toBe(0);
  });
});
