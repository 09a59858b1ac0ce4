/**
 * `slipway apply -f FILE --dry-run=sim` (a child process) against a real daemon: the file's
 * workloads are simulated on a snapshot of the cluster, the answer says whether it converges, what
 * stays pending and why, and the cluster is left unchanged. Exit 0 when it converges, 1 when not.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from './support.js';

const BIN = join(import.meta.dirname, '../../bin/slipway.js');
const dir = mkdtempSync(join(tmpdir(), 'slipway-dry-run-sim-'));
let d: TestDaemon;

beforeAll(async () => {
  d = await startTestDaemon();
}, 60_000);
afterAll(async () => {
  await d?.stop();
});

/** Runs the CLI without blocking this process (the daemon answers from it). */
function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args, '--server', d.url, '--token', d.token], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (b: Buffer) => (stdout += b));
    p.stderr.on('data', (b: Buffer) => (stderr += b));
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('slipway apply --dry-run=sim', () => {
  it('simulates the apply and changes nothing; exit 1 and the reason when it cannot converge', async () => {
    const fits = join(dir, 'fits.yaml');
    writeFileSync(fits, 'name: dry-web\nreplicas: 3\ncontainers:\n  - {name: web, image: nginx, requests: {cpu: 500m, memory: 256Mi}}\n');
    const ok = await cli(['apply', '-f', fits, '--dry-run=sim', '--horizon', '2m']);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^simulated \(nothing applied\): converges \d+\.\ds after the apply\n/);
    expect(ok.stdout).toMatch(/instances stopped: 0, started: 3/);
    expect(ok.stdout).toMatch(/replay \(on the daemon's machine\): npx slipway run \S+what-if\S+\.yaml --seed 1/);
    expect((await d.call('GET', '/v1/workloads/dry-web')).status).toBe(404);

    const big = join(dir, 'big.yaml');
    writeFileSync(big, 'workloads:\n  - name: dry-big\n    replicas: 2\n    containers:\n      - {name: b, image: busybox, requests: {cpu: "500", memory: 1Gi}}\n');
    const no = await cli(['apply', '-f', big, '--dry-run=sim', '--horizon', '1m', '--json']);
    expect(no.code).toBe(1);
    const r = JSON.parse(no.stdout) as { converged: boolean; pending: Array<{ workload: string; pending: number; reason: string }> };
    expect(r.converged).toBe(false);
    expect(r.pending).toEqual([{ workload: 'dry-big', pending: 2, reason: expect.stringMatching(/^0\/\d+ nodes are available: .*Insufficient cpu/) }]);

    const bad = await cli(['apply', '-f', fits, '--dry-run=simulate']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--dry-run: unknown mode "simulate" \(client, sim\)/);
  }, 240_000);
});
