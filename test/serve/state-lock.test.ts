/**
 * One daemon per state directory. Two daemons on one directory each read it at start and then
 * interleave their commits into one journal and snapshot, losing each other's acknowledged
 * applies. The second is refused (exit 2, naming the holder); a lock whose owner is gone (kill -9)
 * is broken with a notice; --force breaks one held by a live process.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lockName, type LockOwner } from '../../backends/live/engine-lock.js';
import { InputError } from '../../src/core/errors.js';
import { loadConfig } from '../../src/serve/config.js';
import { startDaemon } from '../../src/serve/daemon.js';
import { BIN, startServeProcess } from '../support/processes.js';
import { startTestDaemon } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'slipway-state-lock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const config = (state: string) => loadConfig({ env: {}, flags: { listen: '127.0.0.1:0', state, speed: '50' } });
const lockFiles = (state: string) => readdirSync(state).filter((f) => f.startsWith('slipway-lock-'));
/** A lock file as another process would leave it. */
const hold = (state: string, pid: number) => {
  mkdirSync(state, { recursive: true });
  const owner: LockOwner = { token: 'someone-else', identity: 'slipway-serve', pid, host: hostname(), started: '2026-01-01T00:00:00.000Z', scenario: 'slipway serve (state elsewhere)' };
  writeFileSync(join(state, `${lockName('serve-state')}.json`), JSON.stringify(owner) + '\n');
};
/** The pid of a process that has exited. */
const deadPid = () => spawnSync(process.execPath, ['-e', ''], { encoding: 'utf8' }).pid!;

describe('slipway serve: one daemon per state directory', () => {
  it('refuses a second daemon on the same directory while the first runs, and starts once it stopped', async () => {
    const state = join(dir, 'twice');
    const first = await startTestDaemon({ stateDir: state });
    try {
      const refused = await startDaemon(config(state), { log: () => {} }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(refused).toBeInstanceOf(InputError);
      expect((refused as Error).message).toMatch(new RegExp(`state directory ${state} by another slipway serve \\(pid ${process.pid} on `));
      expect((refused as Error).message).toContain('another --state');
      // The first daemon is untouched: it still applies and reads.
      const created = await first.call('POST', '/v1/workloads', { spec: { name: 'web', replicas: 1, containers: [{ name: 'c', image: 'nginx:1', requests: { cpu: '100m', memory: '64Mi' } }] } });
      expect(created.status, created.text).toBe(201);
    } finally {
      await first.stop();
    }
    expect(lockFiles(state)).toEqual([]);
    const second = await startTestDaemon({ stateDir: state });
    try {
      expect((await second.call('GET', '/v1/workloads/web')).status).toBe(200);
    } finally {
      await second.stop();
    }
  });

  it('breaks a lock whose owner is gone (kill -9), saying so', async () => {
    const state = join(dir, 'stale');
    const pid = deadPid();
    hold(state, pid);
    const lines: string[] = [];
    const daemon = await startDaemon(config(state), { log: (l) => lines.push(l) });
    await daemon.close();
    expect(lines.join('\n')).toMatch(new RegExp(`breaking the lock .* on state directory ${state} held by pid ${pid} .*that process is gone`));
    expect(lockFiles(state)).toEqual([]);
  });

  it('CLI: the second `slipway serve` exits 2 with one line; --force takes the directory over', async () => {
    const state = join(dir, 'cli');
    hold(state, process.pid); // held by a live process (this one)
    const serveOnce = (...extra: string[]) => spawnSync(process.execPath, [BIN, 'serve', '--listen', '127.0.0.1:0', '--state', state, ...extra], { encoding: 'utf8', env: { ...process.env, SLIPWAY_TOKEN: '' }, timeout: 60_000 });
    const r = serveOnce();
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`by another slipway serve (pid ${process.pid} on ${hostname()}, since 2026-01-01T00:00:00.000Z`);
    expect(existsSync(join(state, 'state.json'))).toBe(false);

    const serve = await startServeProcess(['--listen', '127.0.0.1:0', '--state', state, '--force']);
    expect(await serve.stop(), serve.log()).toEqual({ code: 0, signal: null });
    const err = serve.log();
    expect(err).toMatch(/breaking the lock .* held by pid \d+ .*: --force/);
    expect(lockFiles(state)).toEqual([]);
  });
});
