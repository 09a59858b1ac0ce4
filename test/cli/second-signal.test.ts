/**
 * Issue #19 item 2: "a second signal forces exit". The first SIGINT/SIGTERM asks the command to
 * stop cleanly (its work sees the abort); when that stop does not end, a second signal exits at
 * once, with the first signal's code (130/143), removing the temporaries first.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { within } from '../support/processes.js';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'second-signal.ts');

describe('a second signal', () => {
  it.each([
    ['SIGTERM', 'SIGINT', 143],
    ['SIGINT', 'SIGTERM', 130],
  ] as const)('%s, then %s while the clean stop hangs: exit %i at once, the temporary removed', async (first, second, code) => {
    const tmp = join(mkdtempSync(join(tmpdir(), 'slipway-signal-')), 'trace.jsonl.run-1-1');
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, tmp], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (c, s) => resolve({ code: c, signal: s })));
    const saw = (text: string) => new Promise<void>((resolve) => child.stdout.on('data', (d: Buffer) => (stdout += d.toString()).includes(text) && resolve()));
    await within(saw('working'), 60_000, 'the fixture to start');
    expect(existsSync(tmp)).toBe(true);
    child.kill(first);
    await within(saw('aborted'), 30_000, 'the first signal to reach the work');
    // The first signal alone does not end it: the work is still stuck.
    expect(child.exitCode).toBeNull();
    child.kill(second);
    expect(await within(exited, 30_000, 'the exit after the second signal')).toEqual({ code, signal: null });
    expect(stderr).toBe(`${first}: stopping the stuck work (send it again to exit at once)\n${second} again: exiting now\n`);
    expect(existsSync(tmp)).toBe(false);
  }, 90_000);
});
