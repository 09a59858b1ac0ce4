/**
 * `slipway serve` stops cleanly on SIGTERM even when the signal lands during a state write.
 * CI caught the daemon dying by SIGTERM instead of exiting 0: serve removed its listener inside
 * the handler, leaving write-file-atomic's signal-exit alone, which then re-raised the signal.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'serve-signal.ts');

it('SIGTERM during a write closes the daemon and exits 0 (not killed by the signal)', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', FIXTURE], { encoding: 'utf8', timeout: 60_000 });
  expect({ status: r.status, signal: r.signal }, r.stderr).toEqual({ status: 0, signal: null });
  expect(r.stdout).toBe('closed\n');
  expect(r.stderr).toContain('slipway serve: SIGTERM: stopping (workload containers keep running)');
  expect(r.stderr).toContain('slipway serve: stopped');
});
