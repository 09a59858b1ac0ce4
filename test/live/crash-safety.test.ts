/**
 * Crash safety on real Docker engines: `kill -9` of a real orchestrator process in the middle of
 * a rolling update, then a restart with the same state file. The restarted control plane adopts
 * the running containers, finishes the rollout, loses no workload and runs no replica twice.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DOCKER_HOSTS, engineContainers, LIVE, LIVE_SKIP_REASON, removeEngineContainers, TEST_IMAGE } from '../support/backends.js';
import { exited, sleep, spawnSlipway } from '../support/processes.js';

const SCENARIO = (hosts: readonly string[]) => `
name: crash-safety
seed: 3
duration: 22s
nodes:
  - {name: engine-1, capacity: {cpu: 4, memory: 4Gi}, docker: {host: "${hosts[0]}", network: none}}
  - {name: engine-2, capacity: {cpu: 4, memory: 4Gi}, docker: {host: "${hosts[1]}", network: none}}
workloads:
  - name: web
    replicas: 6
    updateStrategy: {type: RollingUpdate, maxSurge: 1, maxUnavailable: 0}
    containers:
      - name: main
        image: ${TEST_IMAGE}
        command: [sh, -c, "trap 'exit 0' TERM; sleep 3600 & wait"]
        env: {VERSION: "1"}
        requests: {cpu: 100m, memory: 16Mi}
operations:
  - {at: 3s, update: {workload: web, env: {VERSION: "2"}}}
controlPlane: {heartbeatInterval: 1s, nodeMonitorPeriod: 1s, notReadyAfter: 4s, downAfter: 10s, resyncInterval: 3s, reconcileInterval: 2s, rpcTimeout: 3s}
expectations:
  - name: rolled out after the crash
    converged: {by: 20s}
`;

interface Seen {
  readonly id: string;
  readonly slot: string;
  readonly generation: string;
  readonly running: boolean;
}

/** This scenario's workload (its name is the cluster identity): other runs' `web` workloads are not ours. */
const WEB = ['slipway.workload=web', 'slipway.cluster=crash-safety'];

async function webContainers(): Promise<Seen[]> {
  return (await engineContainers(WEB)).map((c) => ({ id: c.id, slot: c.labels['slipway.slot'], generation: c.labels['slipway.generation'], running: c.running }));
}

describe.skipIf(!LIVE)(`crash safety on docker${LIVE ? '' : ` (skipped: ${LIVE_SKIP_REASON})`}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-crash-'));
  afterAll(async () => {
    await removeEngineContainers(WEB);
    rmSync(dir, { recursive: true, force: true });
  });

  it('kill -9 mid-rollout, restart: adopts, finishes the rollout, no replica lost or doubled', async () => {
    const file = join(dir, 'crash-safety.yaml');
    const state = join(dir, 'state.json');
    writeFileSync(file, SCENARIO(DOCKER_HOSTS));
    expect(await webContainers()).toEqual([]);

    const first = spawnSlipway(['run', file, '--backend', 'docker', '--state', state, '--out', join(dir, 'run1')]);
    const firstDone = exited(first);
    // Wait for the rollout to be under way: new-generation containers next to old ones (the start
    // can take many seconds on a loaded machine, so the bound is generous).
    let atKill: Seen[] = [];
    for (let k = 0; k < 4000; k++) {
      atKill = (await webContainers()).filter((c) => c.running);
      const gen2 = atKill.filter((c) => c.generation === '2').length;
      const gen1 = atKill.filter((c) => c.generation === '1').length;
      if (gen2 >= 1 && gen1 >= 2) break;
      await sleep(25);
    }
    first.kill('SIGKILL');
    const r1 = await firstDone;
    expect(r1.signal).toBe('SIGKILL');
    const gen2AtKill = atKill.filter((c) => c.generation === '2');
    expect(gen2AtKill.length, `the kill happened mid-rollout: ${r1.out}${r1.err}`).toBeGreaterThanOrEqual(1);
    expect(atKill.filter((c) => c.generation === '1').length, 'the kill happened mid-rollout').toBeGreaterThanOrEqual(2);

    // Restart with the same state file; keep the containers at the end to inspect them.
    const second = spawnSlipway(['run', file, '--backend', 'docker', '--state', state, '--out', join(dir, 'run2'), '--keep', '--json']);
    const r2 = await exited(second);
    expect(r2.code, r2.out + r2.err).toBe(0);
    // The killed run's engine lock is stale (its pid is gone on this host): broken, with a warning.
    expect(r2.err).toMatch(/^warning: breaking the lock of cluster "crash-safety" on \S+ held by pid \d+ .*: that process is gone$/m);
    const summary = JSON.parse(r2.out) as { resumed: boolean; ok: boolean; workloads: Array<{ name: string; running: number }> };
    expect(summary.resumed).toBe(true);
    expect(summary.workloads).toMatchObject([{ name: 'web', running: 6 }]);

    const trace = readFileSync(join(dir, 'run2', 'trace.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const adopted = trace.filter((r) => r.type === 'instance.adopted');
    expect(adopted.length).toBeGreaterThanOrEqual(gen2AtKill.length);
    // The desired state came from the file: no new submission, the update not applied twice.
    expect(trace.filter((r) => r.type === 'workload.submitted')).toEqual([]);
    expect(trace.filter((r) => r.type === 'op.update')).toEqual([]);

    const final = (await webContainers()).filter((c) => c.running);
    // Every slot runs exactly once, all on the new generation: nothing lost, nothing doubled.
    expect(final.map((c) => c.slot).sort()).toEqual(['0', '1', '2', '3', '4', '5']);
    expect(final.every((c) => c.generation === '2')).toBe(true);
    // The new-generation containers running at the kill were adopted, not replaced.
    const finalIds = new Set(final.map((c) => c.id));
    for (const c of gen2AtKill) expect(finalIds.has(c.id), `container ${c.id.slice(0, 12)} (slot ${c.slot}) kept`).toBe(true);
  });
});
