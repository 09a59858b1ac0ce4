/**
 * One controller per cluster identity on shared engines.
 *
 * A live run takes a lock on every engine its nodes use before it adopts or removes anything:
 * on a Docker engine a labelled volume `slipway-lock-<identity>` (creating a volume that exists
 * returns the existing one, atomically in the engine, so the labels read back say who won); on an
 * OCI runtime a file `slipway-lock-<identity>.json` created exclusively in the node's state
 * directory. The lock names its owner (a random token, pid, host, start time, scenario file).
 *
 * A lock left by a run that died without releasing it (kill -9, a power cut) is stale: when its
 * owner ran on this host and its pid is gone, the next run breaks it and says so; a lock owned from
 * another host can only be broken with `--force` (Slipway cannot see that host's processes).
 */
import { randomBytes, createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../src/core/errors.js';
import type { DockerApi } from '../docker/docker-api.js';

/** Who holds a lock. */
export interface LockOwner {
  readonly token: string;
  readonly identity: string;
  readonly pid: number;
  readonly host: string;
  /** ISO time the owner took the lock. */
  readonly started: string;
  /** The scenario file the owner runs. */
  readonly scenario: string;
}

/** A lock on one engine for one identity. */
export interface EngineLock {
  /** The engine, for messages (`unix:///run/slipway/e1.sock`, `runc --root /run/slipway/oci-1`). */
  readonly where: string;
  /** Takes the lock for `owner`; returns the holder when someone else has it. */
  tryAcquire(owner: LockOwner): Promise<LockOwner | undefined>;
  /** Releases the lock if `owner` still holds it. */
  release(owner: LockOwner): Promise<void>;
  /** Removes the lock whoever holds it (stale locks, `--force`). */
  forceRemove(): Promise<void>;
}

/** The owner record of this process for `identity`. */
export function newOwner(identity: string, scenario: string): LockOwner {
  return { token: randomBytes(8).toString('hex'), identity, pid: process.pid, host: hostname(), started: new Date().toISOString(), scenario };
}

/**
 * The lock's name on an engine: the identity made safe for volume and file names, plus a hash of
 * the exact identity (two identities that read alike after cleaning never share a lock).
 */
export function lockName(identity: string): string {
  const safe = identity.replace(/[^a-zA-Z0-9_.-]/g, '_').slice(0, 60);
  const hash = createHash('sha256').update(identity).digest('hex').slice(0, 8);
  return `slipway-lock-${safe}-${hash}`;
}

const L = {
  lock: 'slipway.lock',
  cluster: 'slipway.cluster',
  token: 'slipway.lock.token',
  pid: 'slipway.lock.pid',
  host: 'slipway.lock.host',
  started: 'slipway.lock.started',
  scenario: 'slipway.lock.scenario',
} as const;

function toLabels(o: LockOwner): Record<string, string> {
  return { [L.lock]: '1', [L.cluster]: o.identity, [L.token]: o.token, [L.pid]: String(o.pid), [L.host]: o.host, [L.started]: o.started, [L.scenario]: o.scenario };
}

function fromLabels(l: Readonly<Record<string, string>> | null | undefined): LockOwner {
  const x = l ?? {};
  return { token: x[L.token] ?? '', identity: x[L.cluster] ?? '', pid: Number(x[L.pid] ?? 0), host: x[L.host] ?? '', started: x[L.started] ?? '', scenario: x[L.scenario] ?? '' };
}

/** The subset of dockerode's volume API the lock uses. */
export interface DockerVolumeApi {
  createVolume(options: { Name: string; Labels: Record<string, string> }): Promise<unknown>;
  getVolume(name: string): { inspect(): Promise<{ Labels: Record<string, string> | null }>; remove(): Promise<unknown> };
}

/** The lock on a Docker engine: a labelled volume. */
export function dockerLock(api: DockerApi & DockerVolumeApi, host: string, identity: string): EngineLock {
  const name = lockName(identity);
  return {
    where: host,
    async tryAcquire(owner) {
      await api.createVolume({ Name: name, Labels: toLabels(owner) });
      const holder = fromLabels((await api.getVolume(name).inspect()).Labels);
      return holder.token === owner.token ? undefined : holder;
    },
    async release(owner) {
      try {
        const holder = fromLabels((await api.getVolume(name).inspect()).Labels);
        if (holder.token === owner.token) await api.getVolume(name).remove();
      } catch {
        // gone already, or the engine is down: a later run finds the lock stale
      }
    },
    async forceRemove() {
      try {
        await api.getVolume(name).remove();
      } catch (e) {
        if ((e as { statusCode?: number }).statusCode !== 404) throw e;
      }
    },
  };
}

/** The lock on an OCI runtime's state directory: a file created exclusively. */
export function fileLock(dir: string, where: string, identity: string): EngineLock {
  const path = join(dir, `${lockName(identity)}.json`);
  const read = (): LockOwner | undefined => {
    try {
      return JSON.parse(readFileSync(path, 'utf8')) as LockOwner;
    } catch {
      return undefined;
    }
  };
  return {
    where,
    async tryAcquire(owner) {
      mkdirSync(dir, { recursive: true });
      try {
        writeFileSync(path, JSON.stringify(owner) + '\n', { flag: 'wx' });
        return undefined;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        // A half-written file (a writer killed mid-write) reads as a holder with no pid: stale.
        return read() ?? { token: '', identity, pid: 0, host: hostname(), started: '', scenario: '' };
      }
    },
    async release(owner) {
      if (read()?.token === owner.token) rmSync(path, { force: true });
    },
    async forceRemove() {
      rmSync(path, { force: true });
    },
  };
}

/** Whether a lock's owner is certainly gone: it ran on this host and its pid no longer exists. */
export function isStale(holder: LockOwner, here = hostname()): boolean {
  if (holder.host !== here) return false;
  if (!Number.isSafeInteger(holder.pid) || holder.pid <= 0) return true;
  if (holder.pid === process.pid) return false;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

export interface AcquireOptions {
  /** Break locks held by others (the user says their owner is gone). */
  readonly force?: boolean;
  /** Told about every lock broken (stale or forced). */
  readonly notice?: (line: string) => void;
  /** Who takes the locks, for the refusal (default `slipway run`). */
  readonly taker?: string;
  /** The ways out the refusal names (default: wait, another --identity, or --force). */
  readonly remedy?: string;
}

/** One line describing a holder, for messages. */
export function describeOwner(h: LockOwner): string {
  return `pid ${h.pid || '?'} on ${h.host || '?'}${h.started ? `, since ${h.started}` : ''}${h.scenario ? `, running ${h.scenario}` : ''}`;
}

/**
 * Takes every lock (in the given order) or none: on a conflict the locks taken so far are released
 * and an InputError (exit 2) names the engine, the holder and the ways out. Returns a release
 * function for all of them.
 */
export async function acquireAll(locks: readonly EngineLock[], owner: LockOwner, o: AcquireOptions = {}): Promise<() => Promise<void>> {
  const held: EngineLock[] = [];
  const releaseAll = async () => {
    for (const l of held.reverse()) await l.release(owner);
  };
  for (const lock of locks) {
    let holder = await lock.tryAcquire(owner);
    if (holder !== undefined && (o.force || isStale(holder))) {
      o.notice?.(
        `breaking the lock of cluster "${owner.identity}" on ${lock.where} held by ${describeOwner(holder)}: ${o.force ? '--force' : 'that process is gone'}`,
      );
      await lock.forceRemove();
      holder = await lock.tryAcquire(owner);
    }
    if (holder !== undefined) {
      await releaseAll();
      throw new InputError(
        `cluster "${owner.identity}" is already controlled on ${lock.where} by another ${o.taker ?? 'slipway run'} (${describeOwner(holder)}); ` +
          (o.remedy ?? 'wait for it to finish, give this run another --identity, or, if that run is gone, break its lock with --force'),
      );
    }
    held.push(lock);
  }
  return releaseAll;
}
