/**
 * Issue #19: a `docker pause`d container used to count as running. `slipway serve --backend
 * docker` on a CI engine: one of two replicas paused behind the daemon's back → `slipway get
 * workloads` shows 1 running, 1 not ready; `get instances` shows it `Running,NotReady`; unpaused
 * → 2 running again. (Every backend's status and trace: test/contract/runtime.contract.test.ts.)
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connectDocker } from '../../backends/docker/docker-api.js';
import { loadConfig } from '../../src/serve/config.js';
import { startDaemon, type Daemon } from '../../src/serve/daemon.js';
import { DOCKER_HOSTS, LIVE, LIVE_SKIP_REASON, TEST_IMAGE } from '../support/backends.js';
import { until } from '../serve/support.js';
import { BIN } from '../support/processes.js';

const NODE = `paused-${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;
const dir = mkdtempSync(join(tmpdir(), 'slipway-paused-'));
let daemon: Daemon | undefined;

afterAll(async () => {
  await daemon?.close();
  const api = connectDocker(DOCKER_HOSTS[0], 10_000);
  for (const c of await api.listContainers({ all: true, filters: JSON.stringify({ label: [`slipway.node=${NODE}`] }) }).catch(() => [])) {
    await api.getContainer(c.Id).unpause().catch(() => undefined);
    await api.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
  }
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!LIVE)(`docker pause: not ready in slipway get${LIVE ? '' : ` (skipped: ${LIVE_SKIP_REASON})`}`, { timeout: 300_000 }, () => {
  it('paused: 1 running, 1 not ready, the instance Running,NotReady; unpaused: 2 running', async () => {
    const file = join(dir, 'slipway.yaml');
    writeFileSync(
      file,
      [
        'backend: docker',
        'nodes:',
        `  - {name: ${NODE}, capacity: {cpu: 2, memory: 2Gi}, docker: {host: "${DOCKER_HOSTS[0]}", network: none}}`,
        'controlPlane: {heartbeatInterval: 1s, nodeMonitorPeriod: 1s, notReadyAfter: 5s, downAfter: 15s, resyncInterval: 2s, reconcileInterval: 2s, rpcTimeout: 5s}',
        '',
      ].join('\n'),
    );
    daemon = await startDaemon(loadConfig({ file, env: {}, flags: { listen: '127.0.0.1:0', state: join(dir, 'state') } }), { log: () => {} });
    const d = daemon;
    // Asynchronously: the daemon answers from this process's event loop (spawnSync would block it).
    const get = (...args: string[]) =>
      new Promise<string>((resolve, reject) =>
        execFile(process.execPath, [BIN, 'get', ...args, '--server', d.url, '--token', d.token.token], { encoding: 'utf8', timeout: 120_000 }, (err, stdout, stderr) =>
          err ? reject(new Error(`slipway get ${args.join(' ')}: ${err.message} ${stderr}`)) : resolve(stdout),
        ),
      );
    const status = () => d.control.getWorkload('web').status;
    d.control.applyWorkload({ name: 'web', replicas: 2, containers: [{ name: 'main', image: TEST_IMAGE, command: ['sh', '-c', "trap 'exit 0' TERM; sleep 3600 & wait"], requests: { cpu: '100m', memory: '16Mi' } }] });
    await until(async () => status().running === 2, 120_000, 'two running');

    const [victim] = d.control.listInstances({ workload: 'web' });
    const container = victim.containers[0].id!;
    await connectDocker(DOCKER_HOSTS[0], 10_000).getContainer(container).pause();
    await until(async () => status().notReady === 1, 60_000, 'the paused instance not ready');
    const rows = (await get('workloads')).trim().split('\n').map((l) => l.trim().split(/\s+/));
    expect(rows[0].slice(0, 6)).toEqual(['NAME', 'KIND', 'DESIRED', 'RUNNING', 'NOT-READY', 'UPDATED']);
    expect(rows[1].slice(0, 6)).toEqual(['web', 'service', '2', '1', '1', '1']);
    const inst = await get('instances', '-o', 'wide');
    expect(inst).toMatch(new RegExp(`${victim.id}\\s+web\\s+${NODE}\\s+\\S+\\s+Running,NotReady\\s.*main:paused.*container main is paused`));
    expect(JSON.parse(await get('instances', victim.id, '-o', 'json'))).toMatchObject({ status: 'Running', notReady: 'container main is paused' });

    await connectDocker(DOCKER_HOSTS[0], 10_000).getContainer(container).unpause();
    await until(async () => status().running === 2 && status().notReady === 0, 60_000, 'ready again');
    expect((await get('workloads')).split('\n')[1].trim().split(/\s+/).slice(0, 6)).toEqual(['web', 'service', '2', '2', '0', '2']);
    expect(await get('instances')).not.toContain('NotReady');
    d.control.deleteWorkload('web');
    await until(async () => d.control.listInstances({ workload: 'web' }).length === 0, 120_000, 'deleted');
  });
});
