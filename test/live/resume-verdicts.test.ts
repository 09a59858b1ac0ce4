/**
 * Issue #19 item 6 and the signal path of item 2, on the CI Docker engines: expectations decided
 * before a crash keep their verdicts. A live run with `--state` is killed with `kill -9` after its
 * first expectation passed (`2 running at 4s`); the scale to 3 at 7s makes a second evaluation
 * FAIL, so the resumed run must report the verdict as it was decided, and exit 0. Then SIGTERM on
 * a live run with `--state`: exit 143, the trace so far written (`run.interrupted`), the workload
 * left running with a resumable state; the resume completes with exit 0.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DOCKER_HOSTS, engineContainers, LIVE, LIVE_SKIP_REASON, removeEngineContainers, TEST_IMAGE } from '../support/backends.js';
import { exited, sleep, spawnSlipway } from '../support/processes.js';

const WL = `rv${process.pid.toString(36)}`;
const SCENARIO = (name: string) => `
name: ${name}
seed: 5
duration: 20s
nodes:
  - {name: ${name}-1, capacity: {cpu: 4, memory: 4Gi}, docker: {host: "${DOCKER_HOSTS[0]}", network: none}}
  - {name: ${name}-2, capacity: {cpu: 4, memory: 4Gi}, docker: {host: "${DOCKER_HOSTS[1]}", network: none}}
workloads:
  - name: ${WL}
    replicas: 2
    containers:
      - name: main
        image: ${TEST_IMAGE}
        command: [sh, -c, "trap 'exit 0' TERM; sleep 3600 & wait"]
        requests: {cpu: 100m, memory: 16Mi}
operations:
  - {at: 7s, scale: {workload: ${WL}, replicas: 3}}
controlPlane: {heartbeatInterval: 1s, nodeMonitorPeriod: 1s, notReadyAfter: 4s, downAfter: 10s, resyncInterval: 3s, reconcileInterval: 2s, rpcTimeout: 3s}
expectations:
  - name: two at first
    running: {workload: ${WL}, count: 2, at: 4s}
  - name: three at the end
    running: {workload: ${WL}, count: 3, at: 18s}
`;

/** Waits until the state file holds the verdict of expectation 0 (it is written atomically). */
async function firstVerdict(state: string, child: ChildProcess): Promise<{ name: string; ok: boolean; status: string; detail: string }> {
  for (let k = 0; k < 6000; k++) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error('the run ended before its first expectation was decided');
    if (existsSync(state)) {
      const meta = (JSON.parse(readFileSync(state, 'utf8')) as { meta: { expectations?: Record<string, { name: string; ok: boolean; status: string; detail: string }> } }).meta;
      if (meta.expectations?.['0']) return meta.expectations['0'];
    }
    await sleep(25);
  }
  throw new Error('no verdict in the state file');
}

const ours = () => engineContainers([`slipway.workload=${WL}`]);

const lines = (file: string) => readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

describe.skipIf(!LIVE)(`verdicts across kill -9 and SIGTERM with --state (docker)${LIVE ? '' : ` (skipped: ${LIVE_SKIP_REASON})`}`, { timeout: 600_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-resume-verdicts-'));
  afterAll(async () => {
    await removeEngineContainers([`slipway.workload=${WL}`]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('kill -9 after a PASS, rerun with the same --state: the PASS stands (not re-evaluated after the scale), exit 0', async () => {
    const file = join(dir, 'kill9.yaml');
    const state = join(dir, 'kill9-state.json');
    writeFileSync(file, SCENARIO(`${WL}k`));
    const first = spawnSlipway(['run', file, '--backend', 'docker', '--state', state, '--out', join(dir, 'k1')]);
    const firstDone = exited(first);
    const verdict = await firstVerdict(state, first);
    expect(verdict).toMatchObject({ name: 'two at first', ok: true, status: 'pass' });
    first.kill('SIGKILL');
    expect((await firstDone).signal).toBe('SIGKILL');

    const second = spawnSlipway(['run', file, '--backend', 'docker', '--state', state, '--out', join(dir, 'k2'), '--json']);
    const r = await exited(second);
    expect(r.code, r.out + r.err).toBe(0);
    const summary = JSON.parse(r.out) as { resumed: boolean; ok: boolean; expectations: Array<{ name: string; ok: boolean; detail: string }> };
    expect(summary.resumed).toBe(true);
    // The verdict as decided before the kill: 2 running at 4s (now there are 3).
    expect(summary.expectations[0]).toMatchObject({ name: 'two at first', ok: true, detail: verdict.detail });
    expect(summary.expectations[1]).toMatchObject({ name: 'three at the end', ok: true });
    const recorded = lines(join(dir, 'k2', 'trace.jsonl')).filter((l) => l.type === 'expectation');
    expect(recorded.map((l) => [l.name, l.ok])).toEqual([
      ['two at first', true],
      ['three at the end', true],
    ]);
    expect((await ours()).length).toBe(0); // the finished run tore its workload down
  });

  it('SIGTERM with --state: exit 143, the trace so far, the workload left running; the resume completes', async () => {
    const file = join(dir, 'term.yaml');
    const state = join(dir, 'term-state.json');
    writeFileSync(file, SCENARIO(`${WL}t`));
    const first = spawnSlipway(['run', file, '--backend', 'docker', '--state', state, '--out', join(dir, 't1')]);
    const firstDone = exited(first);
    await firstVerdict(state, first);
    first.kill('SIGTERM');
    const r1 = await firstDone;
    expect(r1.code, r1.err).toBe(143);
    expect(r1.err).not.toMatch(/\n\s+at /);
    const trace1 = lines(join(dir, 't1', 'trace.jsonl'));
    expect(trace1.find((l) => l.type === 'run.interrupted')).toMatchObject({ signal: 'SIGTERM' });
    expect(trace1.find((l) => l.type === 'expectation')).toMatchObject({ name: 'two at first', ok: true });
    // Kept running for the resume, and the state says so (not finished).
    expect((await ours()).filter((c) => c.running).length).toBeGreaterThanOrEqual(2);
    expect((JSON.parse(readFileSync(state, 'utf8')) as { meta: { finished?: boolean } }).meta.finished).toBeUndefined();

    const second = spawnSlipway(['run', file, '--backend', 'docker', '--state', state, '--out', join(dir, 't2'), '--json']);
    const r2 = await exited(second);
    expect(r2.code, r2.out + r2.err).toBe(0);
    const summary = JSON.parse(r2.out) as { resumed: boolean; expectations: Array<{ name: string; ok: boolean }> };
    expect(summary.resumed).toBe(true);
    expect(summary.expectations.map((e) => [e.name, e.ok])).toEqual([
      ['two at first', true],
      ['three at the end', true],
    ]);
    expect((await ours()).length).toBe(0);
  });
});
