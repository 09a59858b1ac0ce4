/**
 * The worker pool (src/pool): results in task order, a failed or crashed task named, the cap on
 * workers, and SIGTERM stopping every thread with no output written.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PoolInterrupted, PoolTaskError, runPool } from '../../src/pool/pool.js';
import type { Task } from './fixtures/task-worker.js';

const entry = new URL('./fixtures/task-worker.ts', import.meta.url);
const pool = (tasks: Task[], workers: number) =>
  runPool<Task, number>({ entry, data: { offset: 1000 }, tasks, workers, describe: (t, i) => `task ${i} (${t.kind})` });

async function failure(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe('runPool', () => {
  it('returns results in task order whatever order the workers finish in', async () => {
    const finished: number[] = [];
    // why: the tasks sleep different times, so they finish out of order; the pool's data (offset) reaches every worker.
    const tasks: Task[] = [300, 10, 100, 0, 50].map((delayMs, value) => ({ kind: 'double', value, delayMs }));
    const results = await runPool<Task, number>({
      entry,
      data: { offset: 1000 },
      tasks,
      workers: 3,
      describe: (_t, i) => `task ${i}`,
      onResult: (_r, index) => finished.push(index),
    });
    expect(results).toEqual([1000, 1002, 1004, 1006, 1008]);
    expect(finished.sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it('a task that throws fails the pool with the task named and its error', async () => {
    const e = await failure(pool([{ kind: 'double', value: 1, delayMs: 0 }, { kind: 'throw' }], 2));
    expect(e).toBeInstanceOf(PoolTaskError);
    expect((e as PoolTaskError).message).toBe('task 1 (throw): RangeError: no such value');
  });

  it('a worker that exits while running a task names that task', async () => {
    const e = await failure(pool([{ kind: 'double', value: 1, delayMs: 0 }, { kind: 'exit' }, { kind: 'double', value: 2, delayMs: 0 }], 1));
    expect((e as PoolTaskError).message).toBe('task 1 (exit): the worker exited (code 7) while running it');
  });

  it('a worker that crashes on an uncaught error names the task it was running', async () => {
    const e = await failure(pool([{ kind: 'uncaught' }], 2));
    expect((e as PoolTaskError).message).toBe('task 0 (uncaught): the worker crashed: Error: kaboom');
  });

  it('runs in this thread with workers 0, through the same ordering and error naming', async () => {
    const inline = (t: Task) => {
      if (t.kind === 'throw') throw new RangeError('inline');
      return t.kind === 'double' ? t.value * 2 : -1;
    };
    const tasks: Task[] = [{ kind: 'double', value: 4, delayMs: 0 }, { kind: 'double', value: 5, delayMs: 0 }];
    expect(await runPool({ entry, tasks, workers: 0, inline, describe: (_t, i) => `task ${i}` })).toEqual([8, 10]);
    const e = await failure(runPool({ entry, tasks: [...tasks, { kind: 'throw' }], workers: 0, inline, describe: (_t, i) => `task ${i}` }));
    expect((e as PoolTaskError).message).toBe('task 2: RangeError: inline');
  });

  it("an aborted signal (the CLI watch's, reason SIGTERM) stops the pool with PoolInterrupted; the pool adds no process listeners", async () => {
    const before = { term: process.listenerCount('SIGTERM'), int: process.listenerCount('SIGINT') };
    const controller = new AbortController();
    const p = failure(runPool<Task, number>({ entry, data: { offset: 1000 }, tasks: [{ kind: 'hang' }, { kind: 'hang' }], workers: 2, describe: (_t, i) => `task ${i}`, signal: controller.signal }));
    expect({ term: process.listenerCount('SIGTERM'), int: process.listenerCount('SIGINT') }).toEqual(before);
    controller.abort('SIGTERM');
    const e = await p;
    expect(e).toBeInstanceOf(PoolInterrupted);
    expect((e as PoolInterrupted).exitCode).toBe(143);
  });

  it('an already aborted signal starts nothing; in this thread (workers 0) the pool stops between tasks', async () => {
    const e = await failure(runPool({ entry, tasks: [{ kind: 'hang' }], workers: 1, describe: () => 't', signal: AbortSignal.abort('SIGINT') }));
    expect(e).toBeInstanceOf(PoolInterrupted);
    expect((e as PoolInterrupted).exitCode).toBe(130);
    const controller = new AbortController();
    const ran: number[] = [];
    const inline = (t: number) => {
      ran.push(t);
      if (t === 2) controller.abort('SIGTERM');
      return t;
    };
    const stopped = await failure(runPool({ entry, tasks: [1, 2, 3, 4], workers: 0, inline, describe: (_t, i) => `task ${i}`, signal: controller.signal }));
    expect(stopped).toBeInstanceOf(PoolInterrupted);
    expect(ran).toEqual([1, 2]);
  });
});

describe('a command on the pool, interrupted', () => {
  // The command installs the CLI's one signal watch (src/cli/signals.ts) and hands the pool its
  // AbortSignal; signal-exit (write-file-atomic) registers after it, as during a write. The pool
  // used to take SIGTERM with process.once: its listener was gone by the time signal-exit looked,
  // signal-exit found itself alone and re-raised SIGTERM, and the process died by the signal.
  it('SIGTERM: exit 143, no output written, and the process ends by itself (no thread left running)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-pool-'));
    const out = join(dir, 'results.json');
    const child = spawn(process.execPath, ['--import', 'tsx', new URL('./fixtures/interrupted-command.ts', import.meta.url).pathname, out], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    // After the first result the other workers hang forever: only the signal can end the run.
    await new Promise<void>((resolve) => child.stdout.on('data', (d) => String(d).includes('progress') && resolve()));
    child.kill('SIGTERM');
    const ended = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    expect(stderr).toBe('SIGTERM: stopping the tasks (send it again to exit at once)\ninterrupted (SIGTERM): every worker stopped; no output written\n');
    expect(ended).toEqual({ code: 143, signal: null });
    expect(existsSync(out)).toBe(false);
  }, 120_000);
});
