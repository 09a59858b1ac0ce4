/**
 * simulate_change writes its what-if scenario file whole or not at all (issue #19 item 1: "the
 * atomic file writes must loop until done or fail"). It used write-file-atomic, whose one
 * `writeSync` wrote what fitted: on a full disk the what-if reported success and left a scenario
 * file cut at 4 KiB under its final name, which no longer replayed. Needs root to mount a tmpfs.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutputError } from '../../src/core/errors.js';
import { parseScenario } from '../../src/run/parse-scenario.js';
import { simulate, type SimWorld } from '../../src/run/simulate.js';
import { simulateChange } from '../../src/serve/simulate-change.js';
import { snapshotOf } from '../../src/serve/snapshot.js';

const root = process.getuid?.() === 0;
let mnt = '';
let mounted = false;

beforeAll(() => {
  if (!root) return;
  mnt = mkdtempSync(join(tmpdir(), 'slipway-full-what-if-'));
  // One 4 KiB page: the what-if file below is about 5 KiB.
  mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=4k', 'tmpfs', mnt]).status === 0;
});
afterAll(() => {
  if (mounted) spawnSync('umount', [mnt]);
  if (mnt) rmSync(mnt, { recursive: true, force: true });
});

describe.skipIf(!root)('simulate_change on a full disk (a 4 KiB tmpfs; skipped unless root: mounting needs it)', () => {
  it('fails with "no space left on DEVICE writing FILE" and leaves no file, rather than a cut one', async () => {
    if (!mounted) return expect.fail('could not mount a tmpfs as root');
    const nodes = Array.from({ length: 30 }, (_, i) => `  - {name: n-${i}, capacity: {cpu: 4, memory: 8Gi}}`).join('\n');
    const yaml = `name: live\nseed: 1\nduration: 1m\nnodes:\n${nodes}\nworkloads:\n  - name: web\n    replicas: 20\n    containers: [{name: web, image: nginx, requests: {cpu: 100m, memory: 64Mi}}]\n`;
    let world: SimWorld | undefined;
    await simulate(parseScenario(yaml, 'live.yaml'), { observe: (w) => (world = w) });
    const snapshot = snapshotOf({ orchestrator: world!.orchestrator, store: world!.store, cluster: world!.cluster.manager, scheduler: 'default' });
    const dir = join(mnt, 'what-if');
    const outcome = await simulateChange(snapshot, { changes: [{ kind: 'drain', node: 'n-0' }] }, { dir }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(outcome).toBeInstanceOf(OutputError);
    expect((outcome as Error).message).toMatch(new RegExp(`^no space left on ${mnt} writing ${dir}/what-if-[0-9a-f]{12}\\.yaml$`));
    expect(readdirSync(dir)).toEqual([]);
  });
});
