/**
 * The OCI backend's limits reach the kernel (the container's cgroups hold the CPU quota and memory
 * limit), and bundles can be made from a Docker image exported from an engine.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { OciRuntime } from '../../backends/oci/oci-runtime.js';
import { resources } from '../../src/core/resources.js';
import { WallClock } from '../../src/engine/wall-clock.js';
import { DOCKER_HOSTS, LIVE, LIVE_SKIP_REASON, OCI_RUNTIME, removeAllContainers, ROOTFS, TEST_IMAGE, waitFor } from '../support/backends.js';

describe.skipIf(!LIVE)(`oci backend: limits and images${LIVE ? '' : ` (skipped: ${LIVE_SKIP_REASON})`}`, () => {
  const base = `/tmp/slipway-oci-limits-${process.pid}`;
  const clock = new WallClock();
  const rt = new OciRuntime({ clock, nodes: [{ id: 'n', runtime: OCI_RUNTIME, root: `${base}/state`, rootfs: ROOTFS, bundles: `${base}/b` }] });
  afterAll(async () => {
    await removeAllContainers(rt, ['n']);
    await rt.close();
    clock.cancelAll();
    rmSync(base, { recursive: true, force: true });
  });

  it('250 millicores → CFS quota 25000 µs per 100000 µs; 48 MiB → the memory limit', async () => {
    await rt.initNode('n');
    const id = await rt.createContainer(
      { name: 'm', image: 'busybox', command: ['sleep', '30'], env: {}, ports: [], requests: resources(), limits: resources({ cpu: 250, memory: 48 * 2 ** 20 }) },
      { nodeId: 'n', workloadId: 'w', instanceId: 'lim-1', labels: {} },
    );
    const state = JSON.parse(execFileSync(OCI_RUNTIME, ['--root', `${base}/state`, 'state', id], { encoding: 'utf8' })) as { pid: number };
    const cgroups = readFileSync(`/proc/${state.pid}/cgroup`, 'utf8').trim().split('\n').map((l) => l.split(':'));
    if (existsSync('/sys/fs/cgroup/cgroup.controllers')) {
      const path = cgroups.find((c) => c[0] === '0')![2];
      expect(readFileSync(`/sys/fs/cgroup${path}/cpu.max`, 'utf8').trim()).toBe('25000 100000');
      expect(readFileSync(`/sys/fs/cgroup${path}/memory.max`, 'utf8').trim()).toBe(String(48 * 2 ** 20));
    } else {
      const mem = cgroups.find((c) => c[1].split(',').includes('memory'))![2];
      const cpu = cgroups.find((c) => c[1].split(',').includes('cpu'))![2];
      expect(readFileSync(`/sys/fs/cgroup/memory${mem}/memory.limit_in_bytes`, 'utf8').trim()).toBe(String(48 * 2 ** 20));
      expect(readFileSync(`/sys/fs/cgroup/cpu${cpu}/cpu.cfs_quota_us`, 'utf8').trim()).toBe('25000');
      expect(readFileSync(`/sys/fs/cgroup/cpu${cpu}/cpu.cfs_period_us`, 'utf8').trim()).toBe('100000');
    }
  });

  it('exportFrom: the image is exported from a Docker engine once, and its container runs with its exit code', async () => {
    const ex = new OciRuntime({
      clock,
      nodes: [{ id: 'x', runtime: OCI_RUNTIME, root: `${base}/xstate`, exportFrom: DOCKER_HOSTS[0], bundles: `${base}/xb` }],
      pollIntervalMs: 100,
    });
    try {
      await ex.initNode('x');
      const spec = { name: 'm', image: TEST_IMAGE, command: ['sh', '-c', 'test -x /bin/busybox && exit 7'], env: {}, ports: [], requests: resources(), limits: resources() };
      const [a, b] = await Promise.all([
        ex.createContainer(spec, { nodeId: 'x', workloadId: 'w', instanceId: 'exp-1', labels: {} }),
        ex.createContainer(spec, { nodeId: 'x', workloadId: 'w', instanceId: 'exp-2', labels: {} }),
      ]);
      expect(existsSync(`${base}/xstate/images/slipway_busybox_test/.slipway-complete`)).toBe(true);
      for (const id of [a, b]) {
        const st = await waitFor(clock, 'exit', async () => {
          const s = await ex.getContainerStatus(id);
          return s.state === 'exited' ? s : undefined;
        });
        expect(st.exitCode).toBe(7);
        await ex.removeContainer(id);
      }
      const missing = await ex
        .createContainer({ ...spec, image: 'slipway/absent:1' }, { nodeId: 'x', workloadId: 'w', instanceId: 'exp-3', labels: {} })
        .catch((e: unknown) => e);
      expect(missing).toMatchObject({ code: 'ImagePullFailed' });
    } finally {
      ex.close();
    }
  });
});
