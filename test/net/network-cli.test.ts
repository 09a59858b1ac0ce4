/**
 * A bad pod network in a scenario file, through the real CLI: one `FILE:LINE:COL: message` line on
 * stderr, exit 2, no stack trace (`slipway run` and `slipway validate`).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'slipway-net-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('slipway with a bad cluster.network', () => {
  it.each(['run', 'validate'])('%s exits 2 with the field and its place', (cmd) => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'name: t\nduration: 1m\ncluster:\n  network: {podCidr: 10.244.7.0/16}\nnodes:\n  - {name: a, capacity: {cpu: 1, memory: 1Gi}}\n');
    const r = spawnSync(process.execPath, ['bin/slipway.js', cmd, file, ...(cmd === 'run' ? ['--out', join(dir, 'out')] : [])], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      `${file}:4:22: cluster.network.podCidr: 10.244.7.0/16 has host bits set: for a /16 the network address is 10.244.0.0 (write 10.244.0.0/16)`,
    ]);
  });
});
