/**
 * Real processes and real time for the tests that run `slipway` as a user does (test/live, the
 * serve tests): start `bin/slipway.js`, collect what it prints, wait for it to exit, and poll a
 * condition until it holds. (Waits on a backend's Clock are `waitFor` in ./backends.ts.)
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { join } from 'node:path';

/** This checkout's CLI. */
export const BIN = join(import.meta.dirname, '..', '..', 'bin', 'slipway.js');

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** How a child process ended and everything it printed. */
export interface Exited {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly out: string;
  readonly err: string;
}

/** `node bin/slipway.js ARGS`, stdin closed, stdout and stderr piped (read them with {@link exited}). */
export function spawnSlipway(args: readonly string[], options: Omit<SpawnOptions, 'stdio'> = {}): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Collects `p`'s stdout and stderr from now on; resolves when it exits. Call it right after the spawn. */
export function exited(p: ChildProcess): Promise<Exited> {
  let out = '';
  let err = '';
  p.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  p.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve) => p.on('exit', (code, signal) => resolve({ code, signal, out, err })));
}

/**
 * Polls `f` every `everyMs` of real time until it returns a truthy value, and returns it; after `ms`
 * fails naming `what`. A poll that throws fails the wait (catch inside `f` to retry instead).
 */
export async function until<T>(f: () => Promise<T | undefined | false> | T | undefined | false, ms = 10_000, what = 'condition', everyMs = 25): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Resolves or rejects as `p` does; fails naming `what` once `ms` of real time have passed first. */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
