/** Runs the real `slipway` command as a user does (a child process), for the hostile-input suite. */
import { spawnSync } from 'node:child_process';

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function slipway(args: readonly string[], o: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): CliResult {
  const r = spawnSync(process.execPath, [new URL('../../bin/slipway.js', import.meta.url).pathname, ...args], {
    encoding: 'utf8',
    cwd: o.cwd,
    env: { ...process.env, SLIPWAY_DEBUG: '', ...(o.env ?? {}) },
    timeout: o.timeoutMs ?? 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** No stack trace, no raw V8 or Node error dump: what a user must never see. */
export function expectNoStack(r: CliResult): void {
  const all = r.stdout + r.stderr;
  if (/\n\s+at .+:\d+:\d+\)?\n|FATAL ERROR|TypeError:|SyntaxError:|ReferenceError:|RangeError:/.test(all)) {
    throw new Error(`output holds a stack trace or raw error:\n${all.slice(0, 2000)}`);
  }
}
