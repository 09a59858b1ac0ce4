/**
 * `slipway serve` stops cleanly on SIGTERM even when the signal lands during a state write.
 * CI caught the daemon dying by SIGTERM instead of exiting 0: serve removed its listener inside
 * the handler, leaving write-file-atomic's signal-exit alone, which then re-raised the signal.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { startServeProcess } from '../support/processes.js';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'serve-signal.ts');

it('SIGTERM during a write closes the daemon and exits 0 (not killed by the signal)', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', FIXTURE], { encoding: 'utf8', timeout: 60_000 });
  expect({ status: r.status, signal: r.signal }, r.stderr).toEqual({ status: 0, signal: null });
  expect(r.stdout).toBe('closed\n');
  expect(r.stderr).toContain('slipway serve: SIGTERM: stopping (workload containers keep running)');
  expect(r.stderr).toContain('slipway serve: stopped');
});

it('SIGTERM the moment the listening line appears stops the daemon cleanly (exit 0), every time', async () => {
  // The daemon runs on a thread; the main thread printed the line a moment before it installed
  // its handlers, and a supervisor that signalled at once killed the process by SIGTERM (3 of 8
  // tries). The handlers now go in before the thread starts.
  const state = mkdtempSync(join(tmpdir(), 'slipway-serve-sigterm-'));
  try {
    for (let i = 0; i < 5; i++) {
      const serve = await startServeProcess(['--listen', '127.0.0.1:0', '--state', state]);
      const end = await serve.stop();
      const err = serve.log();
      expect(end, `try ${i + 1}: ${err}`).toEqual({ code: 0, signal: null });
      expect(err).toContain('slipway serve: stopped');
    }
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
});
