/**
 * `slipway serve --backend docker` end to end on the two CI Docker engines, driven by the CLI:
 * apply → containers run; one removed behind the daemon's back → replaced; SIGTERM and restart,
 * then kill -9 and restart → the daemon adopts its containers (none lost, none doubled); logs;
 * delete → nothing left. The daemon's node names are unique to this run, and the runtime lists
 * only containers labelled with its own nodes, so it never touches other tests' containers.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connectDocker } from '../../backends/docker/docker-api.js';
import { DOCKER_HOSTS, engineContainers, LIVE, LIVE_SKIP_REASON, removeEngineContainers, TEST_IMAGE } from '../support/backends.js';
import { BIN, sleep, until as poll } from '../support/processes.js';

const RUN = `sv${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;
const NODES = [`${RUN}-a`, `${RUN}-b`];

interface Seen {
  readonly id: string;
  readonly slot: string;
  readonly instance: string;
  readonly running: boolean;
}

/** This run's containers on both engines. */
const OURS = (engine: number) => [`slipway.node=${NODES[engine]}`];
async function containers(): Promise<Seen[]> {
  const out = (await engineContainers(OURS)).map((c) => ({ id: c.id, slot: c.labels['slipway.slot'], instance: c.labels['slipway.instance'], running: c.running }));
  return out.sort((a, b) => (a.slot < b.slot ? -1 : a.slot > b.slot ? 1 : 0));
}
const running = async () => (await containers()).filter((c) => c.running);

const until = <T>(f: () => Promise<T | undefined | false>, ms: number, what: string): Promise<T> => poll(f, ms, what, 200);

describe.skipIf(!LIVE)(`slipway serve on docker${LIVE ? '' : ` (skipped: ${LIVE_SKIP_REASON})`}`, { timeout: 600_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-serve-live-'));
  const config = join(dir, 'slipway.yaml');
  const token = `live-${RUN}-0123456789abcdef`;
  let daemon: ChildProcess | undefined;
  let url = '';

  const start = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, 'serve', '--config', config], { stdio: ['ignore', 'ignore', 'pipe'] });
      daemon = child;
      let err = '';
      child.stderr!.on('data', (b: Buffer) => {
        err += b.toString();
        const m = /listening on (http:\/\/\S+)/.exec(err);
        if (m) {
          url = m[1];
          resolve();
        }
      });
      child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${err}`)));
    });
  const stop = (signal: NodeJS.Signals): Promise<{ code: number | null; signal: string | null }> =>
    new Promise((resolve) => {
      daemon!.once('exit', (code, sig) => resolve({ code, signal: sig }));
      daemon!.kill(signal);
    });
  const cli = (...args: string[]) => {
    const r = spawnSync(process.execPath, [BIN, ...args, '--server', url, '--token', token], { encoding: 'utf8', timeout: 120_000 });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  afterAll(async () => {
    if (daemon && daemon.exitCode === null && daemon.signalCode === null) daemon.kill('SIGKILL');
    await removeEngineContainers(OURS);
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs, heals, survives SIGTERM and kill -9 restarts by adoption, and cleans up on delete', async () => {
    writeFileSync(
      config,
      [
        'listen: 127.0.0.1:0',
        `state: ${join(dir, 'state')}`,
        'backend: docker',
        `token: ${token}`,
        'nodes:',
        `  - {name: ${NODES[0]}, capacity: {cpu: 4, memory: 4Gi}, docker: {host: "${DOCKER_HOSTS[0]}", network: none}}`,
        `  - {name: ${NODES[1]}, capacity: {cpu: 4, memory: 4Gi}, docker: {host: "${DOCKER_HOSTS[1]}", network: none}}`,
        'controlPlane: {heartbeatInterval: 1s, nodeMonitorPeriod: 1s, notReadyAfter: 5s, downAfter: 15s, resyncInterval: 2s, reconcileInterval: 2s, rpcTimeout: 5s}',
        '',
      ].join('\n'),
    );
    const workload = join(dir, 'web.yaml');
    writeFileSync(
      workload,
      `name: ${RUN}-web\nreplicas: 4\ncontainers:\n  - name: main\n    image: ${TEST_IMAGE}\n    command: [sh, -c, "echo hello-from-${RUN}; trap 'exit 0' TERM; sleep 3600 & wait"]\n    requests: {cpu: 100m, memory: 16Mi}\n`,
    );
    await start();
    const applied = cli('apply', '-f', workload);
    expect(applied.err).toBe('');
    expect(applied.out).toBe(`workload/${RUN}-web created\n`);
    const first = await until(async () => {
      const r = await running();
      return r.length === 4 ? r : undefined;
    }, 120_000, '4 containers running');
    expect(first.map((c) => c.slot)).toEqual(['0', '1', '2', '3']);
    expect(new Set(first.map((c) => c.id.slice(0, 12))).size).toBe(4);

    const inst = JSON.parse(cli('get', 'instances', '-o', 'json').out).items as Array<{ id: string; status: string; node: string }>;
    expect(inst.filter((i) => i.status === 'Running')).toHaveLength(4);
    const logs = cli('logs', inst[0].id);
    expect(logs.code, logs.err).toBe(0);
    expect(logs.out).toContain(`hello-from-${RUN}`);

    // One container removed behind the daemon's back: replaced in its slot.
    const victim = first[1];
    for (const h of DOCKER_HOSTS.slice(0, 2)) await connectDocker(h, 10_000).getContainer(victim.id).remove({ force: true }).catch(() => undefined);
    const healed = await until(async () => {
      const r = await running();
      return r.length === 4 && !r.some((c) => c.id === victim.id) ? r : undefined;
    }, 120_000, 'the removed container replaced');
    expect(healed.map((c) => c.slot)).toEqual(['0', '1', '2', '3']);

    // SIGTERM: exit 0, containers keep running; restart adopts them.
    expect(await stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect((await running()).map((c) => c.id)).toEqual(healed.map((c) => c.id));
    await start();
    await until(async () => cli('get', 'workloads', '-o', 'json').out.includes('"running": 4'), 60_000, 'adopted after SIGTERM');
    await sleep(5_000); // two resyncs and reconcile passes: nothing may be replaced or added
    expect((await containers()).map((c) => c.id)).toEqual(healed.map((c) => c.id));

    // kill -9: the same.
    expect((await stop('SIGKILL')).signal).toBe('SIGKILL');
    expect((await running()).map((c) => c.id)).toEqual(healed.map((c) => c.id));
    await start();
    await until(async () => cli('get', 'workloads', '-o', 'json').out.includes('"running": 4'), 60_000, 'adopted after kill -9');
    await sleep(5_000);
    expect((await containers()).map((c) => c.id)).toEqual(healed.map((c) => c.id));

    // Delete: every container goes.
    expect(cli('delete', `${RUN}-web`).out).toBe(`workload/${RUN}-web deleted\n`);
    await until(async () => (await containers()).length === 0, 120_000, 'nothing left');
    expect(await stop('SIGTERM')).toEqual({ code: 0, signal: null });
  });
});
