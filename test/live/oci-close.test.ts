/**
 * Closing the OCI backend while it polls. Contract test runs left empty
 * `/tmp/slipway-oci-test-PID/oci-2/state` folders behind: `close()` only cancelled the next poll
 * timer, so a poll in flight went on to the next node and ran `runc list` there after the test
 * had removed its folder — and runc creates its `--root` directory when it starts. Now `close()`
 * resolves once the poll in flight has stopped and every runtime command already started has
 * ended, and a poll does not go on to another node after close.
 *
 * The runtime is real runc behind a small script that marks the start of a `list` beside its
 * root and takes 300 ms before running it, so the test can close while a poll is in flight.
 */
import { chmodSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { OciRuntime } from '../../backends/oci/oci-runtime.js';
import { WallClock } from '../../src/engine/wall-clock.js';
import { LIVE, LIVE_SKIP_REASON, OCI_RUNTIME, ROOTFS, waitFor } from '../support/backends.js';

const base = `/tmp/slipway-oci-close-${process.pid}`;
const slow = `${base}-runtime`;
const rootOf = (n: string) => `${base}/${n}/state`;

/** runc, except that `list` first touches ROOT.listing and waits 300 ms. */
const SLOW_LIST = `#!/bin/sh
if [ "$3" = list ]; then touch "$2.listing"; sleep 0.3; fi
exec ${JSON.stringify(OCI_RUNTIME)} "$@"
`;

describe.skipIf(!LIVE)(`oci backend: close${LIVE ? '' : ` (skipped: ${LIVE_SKIP_REASON})`}`, () => {
  const clock = new WallClock();
  afterAll(() => {
    clock.cancelAll();
    rmSync(base, { recursive: true, force: true });
    rmSync(slow, { force: true });
  });

  it('close() waits for the poll in flight: no runtime command makes a state folder again after it', async () => {
    writeFileSync(slow, SLOW_LIST);
    chmodSync(slow, 0o755);
    const rt = new OciRuntime({
      clock,
      nodes: ['n1', 'n2'].map((id) => ({ id, runtime: slow, root: rootOf(id), rootfs: ROOTFS, bundles: `${base}/${id}/bundles` })),
      pollIntervalMs: 50,
    });
    await rt.initNode('n1');
    await rt.initNode('n2');
    rmSync(`${rootOf('n1')}.listing`);
    // A poll is listing n1 (and would list n2 next).
    await waitFor(clock, 'a poll listing n1', () => existsSync(`${rootOf('n1')}.listing`), 10_000);
    await rt.close();
    rmSync(base, { recursive: true, force: true });
    // Time for what a poll still in flight would run: n1's list (300 ms), then n2's.
    await clock.sleep(1_500);
    expect(existsSync(base)).toBe(false);
  }, 30_000);
});
