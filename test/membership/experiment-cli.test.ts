/** `slipway experiment membership` in a child process: results.csv, the report, and bad input. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function slipway(...args: string[]) {
  return spawnSync(process.execPath, ['bin/slipway.js', ...args], { encoding: 'utf8' });
}

describe('slipway experiment membership', () => {
  it('writes one results row per run with the issue\'s columns, a self-contained report, and the command that reproduces it', () => {
    const out = mkdtempSync(join(tmpdir(), 'membership-'));
    const r = slipway('experiment', 'membership', '--study', 'all', '--members', '10', '--detectors', 'swim,lifeguard', '--seeds', '1', '--duration', '3m', '--out', out);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("SWIM's analysis");
    expect(r.stdout).toContain('reproduce: npx slipway experiment membership --study all --seeds 1 --members 10 --detectors swim,lifeguard --duration 3m');
    const csv = readFileSync(join(out, 'results.csv'), 'utf8').trim().split('\n');
    const head = csv[0]!.split(',');
    for (const col of ['detector', 'members', 'seed', 'false_positives', 'detection_mean_ms', 'detection_p99_ms', 'messages_per_member_per_s'])
      expect(head).toContain(col);
    expect(csv).toHaveLength(1 + 1 + 2); // swim study: N=10 × 1 seed; lifeguard study: 2 detectors × 1 seed
    expect(csv[1]).toMatch(/^swim,swim,10,1,/);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('Content-Security-Policy');
    expect(/<script src=|<link /.test(html), 'no external script or stylesheet').toBe(false);
    expect(html).toContain('<td>lifeguard</td>');
  });

  it('runs on the worker pool: --workers 2 and --workers 0 (this thread) write byte-identical files', () => {
    const dirs = ['2', '0'].map((w) => {
      const out = mkdtempSync(join(tmpdir(), 'membership-workers-'));
      const r = slipway('experiment', 'membership', '--study', 'lifeguard', '--detectors', 'swim,buddy,lifeguard', '--seeds', '1..2', '--duration', '2m', '--workers', w, '--out', out);
      expect(r.status, r.stderr).toBe(0);
      return out;
    });
    // The report names its own --out in the command that reproduces it; everything else is the same.
    const read = (d: string, f: string) => readFileSync(join(d, f), 'utf8').replaceAll(d, 'OUT');
    for (const f of ['results.csv', 'report.html']) expect(read(dirs[0]!, f)).toBe(read(dirs[1]!, f));
    expect(readFileSync(join(dirs[0]!, 'results.csv'), 'utf8').trim().split('\n')).toHaveLength(1 + 3 * 2);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('bad input is one line and exit 2', () => {
    for (const [args, msg] of [
      [['--study', 'raft'], '--study: unknown study "raft"'],
      [['--members', '2'], '--members: expected sizes from 3 to 5000'],
      [['--detectors', 'phi'], '--detectors: unknown detector "phi"'],
      [['--seeds', '5..1'], '--seeds: the range 5..1 ends before it starts'],
      [['--duration', 'soon'], '--duration: expected a duration'],
      [['--workers', '9999'], '--workers: expected an integer from 0 to 256'],
    ] as const) {
      const r = slipway('experiment', 'membership', ...args, '--out', mkdtempSync(join(tmpdir(), 'membership-bad-')));
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(msg);
    }
  });
});
