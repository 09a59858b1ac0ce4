/**
 * `slipway serve` on a live backend takes the same engine locks as `slipway run` (one controller
 * per cluster identity, backends/live/engine-lock.ts): a lock held by a live process refuses the
 * start (exit 2, naming the holder); a lock whose owner is gone is broken with a notice; --force
 * breaks one held by another process. On the OCI backend the lock is a file in the runtime's
 * state directory, so the refusal needs no runtime; starting for real needs runc (SLIPWAY_LIVE).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lockName, type LockOwner } from '../../backends/live/engine-lock.js';
import { loadConfig } from '../../src/serve/config.js';
import { startDaemon } from '../../src/serve/daemon.js';
import { LIVE, LIVE_SKIP_REASON, OCI_RUNTIME, ROOTFS } from '../support/backends.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'slipway.js');
const dir = mkdtempSync(join(tmpdir(), 'slipway-serve-lock-'));
const root = join(dir, 'oci-root');
const file = join(dir, 'slipway.yaml');
writeFileSync(
  file,
  `backend: oci\nnodes:\n  - name: n1\n    oci: {runtime: ${OCI_RUNTIME}, root: ${root}, rootfs: ${LIVE ? ROOTFS : dir}}\n    capacity: {cpu: 1, memory: 1Gi}\n`,
);
const lockFile = join(root, `${lockName('slipway-serve')}.json`);
const hold = (pid: number) => {
  mkdirSync(root, { recursive: true });
  const owner: LockOwner = { token: 'someone-else', identity: 'slipway-serve', pid, host: hostname(), started: '2026-01-01T00:00:00.000Z', scenario: 'scenarios/other.yaml' };
  writeFileSync(lockFile, JSON.stringify(owner) + '\n');
};
const config = () => loadConfig({ file, env: {}, flags: { listen: '127.0.0.1:0', state: join(dir, 'state') } });

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('slipway serve: engine locks', () => {
  it('refuses to start while another live Slipway holds the engine, naming it (exit 2)', () => {
    hold(process.pid);
    const r = spawnSync(process.execPath, [BIN, 'serve', '--config', file, '--listen', '127.0.0.1:0', '--state', join(dir, 'state')], { encoding: 'utf8', env: { ...process.env, SLIPWAY_TOKEN: '' }, timeout: 60_000 });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`cluster "slipway-serve" is already controlled on ${OCI_RUNTIME} --root ${root} by another Slipway (pid ${process.pid} on ${hostname()}, since 2026-01-01T00:00:00.000Z, running scenarios/other.yaml)`);
    expect(r.stderr).toContain('slipway serve --force');
    // The refused daemon left the holder's lock alone.
    expect(existsSync(lockFile)).toBe(true);
  });

  it('--identity names another cluster: a bad one is one line, exit 2', () => {
    const r = spawnSync(process.execPath, [BIN, 'serve', '--config', file, '--identity', ' ', '--state', join(dir, 'state')], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('--identity');
    expect(r.stderr).toContain('expected a name of 1 to 200 characters');
  });

  describe.skipIf(!LIVE)(`with ${OCI_RUNTIME}${LIVE ? '' : ` (skipped: ${LIVE_SKIP_REASON})`}`, () => {
    it('breaks a lock whose owner is gone, and --force breaks a live one; the lock is released at stop', async () => {
      const gone = spawn(process.execPath, ['-e', '']);
      const pid = gone.pid!;
      await new Promise((r) => gone.once('exit', r));
      hold(pid);
      const notices: string[] = [];
      const d1 = await startDaemon(config(), { log: (l) => notices.push(l) });
      expect(notices.some((l) => l.includes(`held by pid ${pid}`) && l.includes('that process is gone'))).toBe(true);
      await d1.close();
      expect(readdirSync(root).filter((f) => f.startsWith('slipway-lock-'))).toEqual([]);

      hold(process.pid);
      await expect(startDaemon(config(), { log: () => {} })).rejects.toThrow(/already controlled/);
      const forced: string[] = [];
      const d2 = await startDaemon(config(), { log: (l) => forced.push(l), force: true });
      expect(forced.some((l) => l.includes('--force'))).toBe(true);
      await d2.close();
      expect(existsSync(lockFile)).toBe(false);
    });

    it('a daemon of another --identity starts beside a held lock and takes its own', async () => {
      hold(process.pid);
      const other = loadConfig({ file, env: {}, flags: { listen: '127.0.0.1:0', state: join(dir, 'state-b'), identity: 'team-b' } });
      const d = await startDaemon(other, { log: () => {} });
      try {
        expect(existsSync(join(root, `${lockName('team-b')}.json`))).toBe(true);
        expect(existsSync(lockFile)).toBe(true);
      } finally {
        await d.close();
      }
      expect(existsSync(join(root, `${lockName('team-b')}.json`))).toBe(false);
      // close() returns when no runtime command is in flight: a `runc list` left running by it
      // re-created the state directory after its caller removed it (seen in CI)
      rmSync(root, { recursive: true });
      await new Promise((r) => setTimeout(r, 300));
      expect(existsSync(root)).toBe(false);
    });
  });
});
