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

  it('experiment membership: results.csv fits, report.html does not: neither is left (they are committed together)', () => {
    if (!mounted) return expect.fail('could not mount a tmpfs as root');
    // results.csv is a few hundred bytes, report.html (d3 inlined) about 290 KB: more than the 200 KiB.
    // Before, results.csv was written first and stayed under its final name beside no report.
    const out = join(mnt, 'exp');
    const r = slipway(['experiment', 'membership', '--study', 'swim', '--members', '10', '--seeds', '1', '--duration', '1m', '--workers', '0', '--out', out]);
    expect(r.stderr).toMatch(new RegExp(`^no space left on ${mnt} writing ${out}/(results\\.csv|report\\.html)\\n$`));
    expect(r.code).toBe(1);
    expectNoStack(r);
    expect(readdirSync(out)).toEqual([]);
  });
});
