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

/** A `slipway serve` child that has printed its listening line. */
export interface ServeProcess {
  readonly child: ChildProcess;
  /** The daemon's URL from the listening line. */
  readonly url: string;
  /** Everything it printed on stderr so far. */
  log(): string;
  /** Sends `signal` (default SIGTERM) and resolves with how the process ended. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * `node [nodeArgs] bin/slipway.js serve ARGS` (SLIPWAY_TOKEN empty: the token comes from the state
 * directory); resolves once it prints `listening on URL`, rejects if it exits first.
 */
export function startServeProcess(args: readonly string[], nodeArgs: readonly string[] = []): Promise<ServeProcess> {
  const child = spawn(process.execPath, [...nodeArgs, BIN, 'serve', ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, SLIPWAY_TOKEN: '' } });
  let err = '';
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (b: Buffer) => {
      err += b.toString();
      const m = /listening on (https?:\/\/\S+)/.exec(err);
      if (m) {
        child.stderr!.removeAllListeners('data');
        child.stderr!.on('data', (more: Buffer) => (err += more.toString()));
        resolve({
          child,
          url: m[1],
          log: () => err,
          stop: (signal = 'SIGTERM') => {
            child.kill(signal);
            return ended;
          },
        });
      }
    });
    void ended.then(({ code, signal }) => reject(new Error(`serve exited ${code ?? signal}: ${err}`)));
  });
}
