/**
 * The side files a run reads besides its scenario — `--cluster` (node endpoints) and `--latency`
 * (from `slipway calibrate`) — get the same nesting bound as scenarios: 20,000 nested `[` killed
 * the process with a V8 fatal error and a native stack before; now one FILE:LINE:COL line, exit 2.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { expectNoStack, slipway } from './cli.js';

const dir = mkdtempSync(join(tmpdir(), 'slipway-side-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const deep = join(dir, 'deep.yaml');
writeFileSync(deep, `nodes: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`);

it.each([
  ['--cluster', ['run', 'scenarios/default.yaml', '--backend', 'docker', '--cluster', deep]],
  ['--latency', ['run', 'scenarios/default.yaml', '--latency', deep, '--out', join(dir, 'out')]],
])('%s: a deeply nested file is one line naming FILE:LINE:COL, exit 2', (_flag, args) => {
  const r = slipway(args);
  expectNoStack(r);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(new RegExp(`${deep.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:1:\\d+: nested more than 100 levels deep`));
});
