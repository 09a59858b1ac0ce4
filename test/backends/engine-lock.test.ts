/**
 * Engine locks (one controller per cluster identity), on the OCI backend's lock file: a second
 * owner is refused naming the holder, a stale holder (gone from this host) is broken, a holder on
 * another host only with force, and a refused acquisition releases what it took.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireAll, fileLock, isStale, lockName, newOwner, type LockOwner } from '../../backends/live/engine-lock.js';
import { InputError } from '../../src/core/errors.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'slipway-lock-'));

async function deadPid(): Promise<number> {
  const p = spawn(process.execPath, ['-e', '0']);
  await new Promise((r) => p.on('close', r));
  return p.pid!;
}

describe('engine locks', () => {
  it('a second owner of the same identity is refused, naming the holder; another identity is not', async () => {
    const dir = tmp();
    const a = newOwner('web', 'a.yaml');
    const release = await acquireAll([fileLock(dir, 'runc --root d', 'web')], a);
    const b = newOwner('web', 'b.yaml');
    await expect(acquireAll([fileLock(dir, 'runc --root d', 'web')], b)).rejects.toThrow(
      new InputError(
        `cluster "web" is already controlled on runc --root d by another slipway run (pid ${process.pid} on ${hostname()}, since ${a.started}, running a.yaml); wait for it to finish, give this run another --identity, or, if that run is gone, break its lock with --force`,
      ),
    );
    const other = await acquireAll([fileLock(dir, 'runc --root d', 'api')], newOwner('api', 'c.yaml'));
    await release();
    await other();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a refused acquisition releases the locks it had already taken', async () => {
    const [d1, d2] = [tmp(), tmp()];
    const holder = await acquireAll([fileLock(d2, 'e2', 'web')], newOwner('web', 'x.yaml'));
    await expect(acquireAll([fileLock(d1, 'e1', 'web'), fileLock(d2, 'e2', 'web')], newOwner('web', 'y.yaml'))).rejects.toThrow(/on e2 by another/);
    expect(existsSync(join(d1, `${lockName('web')}.json`))).toBe(false);
    await holder();
  });

  it('breaks a stale lock (its pid gone on this host) with a notice; a lock from another host only with force', async () => {
    const dir = tmp();
    const gone: LockOwner = { ...newOwner('web', 'old.yaml'), pid: await deadPid() };
    expect(isStale(gone)).toBe(true);
    await fileLock(dir, 'e', 'web').tryAcquire(gone);
    const notices: string[] = [];
    const release = await acquireAll([fileLock(dir, 'e', 'web')], newOwner('web', 'new.yaml'), { notice: (l) => notices.push(l) });
    expect(notices).toEqual([`breaking the lock of cluster "web" on e held by pid ${gone.pid} on ${hostname()}, since ${gone.started}, running old.yaml: that process is gone`]);
    await release();

    const remote: LockOwner = { ...newOwner('web', 'far.yaml'), host: 'elsewhere', pid: 1 };
    expect(isStale(remote)).toBe(false);
    await fileLock(dir, 'e', 'web').tryAcquire(remote);
    await expect(acquireAll([fileLock(dir, 'e', 'web')], newOwner('web', 'new.yaml'))).rejects.toThrow(/pid 1 on elsewhere/);
    const forced = await acquireAll([fileLock(dir, 'e', 'web')], newOwner('web', 'new.yaml'), { force: true, notice: (l) => notices.push(l) });
    expect(notices[1]).toMatch(/held by pid 1 on elsewhere.*: --force$/);
    await forced();
  });

  it('lock names keep distinct identities apart even when they clean to the same text', () => {
    expect(lockName('a b')).not.toBe(lockName('a_b'));
    expect(lockName('a b')).toMatch(/^slipway-lock-a_b-[0-9a-f]{8}$/);
  });
});
