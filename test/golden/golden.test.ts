/**
 * A golden trace: the node-crash-reschedule scenario's trace is committed byte for byte. Any change to
 * what the control plane decides, when, or how it is recorded shows up here as a diff.
 * After an intended change: `UPDATE_GOLDEN=1 npx vitest run test/golden` and review the diff.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readScenario } from '../../src/cli/read-scenario.js';
import { simulate } from '../../src/run/simulate.js';

const GOLDEN = 'test/golden/node-crash-reschedule.trace.jsonl';

describe('golden trace', () => {
  it('scenarios/node-crash-reschedule.yaml replays byte for byte', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-golden-'));
    const tracePath = join(dir, 'trace.jsonl');
    const summary = await simulate(readScenario('scenarios/node-crash-reschedule.yaml'), { tracePath });
    const actual = readFileSync(tracePath, 'utf8');
    if (process.env.UPDATE_GOLDEN) writeFileSync(GOLDEN, actual);
    const golden = readFileSync(GOLDEN, 'utf8');
    const a = actual.split('\n');
    const g = golden.split('\n');
    const first = a.findIndex((line, i) => line !== g[i]);
    expect(first === -1 ? null : { line: first + 1, actual: a[first], golden: g[first] }).toBeNull();
    expect(a.length).toBe(g.length);
    expect(summary.ok).toBe(true);
  });
});
