/**
 * Issue #19 item 1: on a nearly full filesystem `slipway run` exited 0 with report.html cut off, or
 * left a partial trace.jsonl under its final name. Now: one line naming the device and the file,
 * exit 1, no replay line, and no file under a final name. Needs root to mount a small tmpfs.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoStack, slipway } from './cli.js';

const root = process.getuid?.() === 0;
let mnt = '';
let mounted = false;

beforeAll(() => {
  if (!root) return;
  mnt = mkdtempSync(join(tmpdir(), 'slipway-full-'));
  mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=200k', 'tmpfs', mnt]).status === 0;
});
afterAll(() => {
  if (mounted) spawnSync('umount', [mnt]);
  if (mnt) rmSync(mnt, { recursive: true, force: true });
});

describe.skipIf(!root)('a full disk (a 200 KiB tmpfs; skipped unless root: mounting needs it)', () => {
  it('run: "no space left on DEVICE writing FILE", exit 1, nothing under a final name', () => {
    if (!mounted) return expect.fail('could not mount a tmpfs as root');
    const out = join(mnt, 'out');
    const r = slipway(['run', 'scenarios/steady-service.yaml', '--out', out]);
    expect(r.stderr).toMatch(new RegExp(`^no space left on ${mnt} writing ${out}/(trace\\.jsonl|summary\\.json|report\\.html)\\n$`));
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain('replay');
    expectNoStack(r);
    expect(readdirSync(out)).toEqual([]);
  });
});
