/** What a ContainerSpec becomes on a real Docker engine, and what the engine tells the cluster manager. */
import { afterAll, describe, expect, it } from 'vitest';
import { DockerRuntime } from '../../backends/docker/docker-runtime.js';
import { LiveClusterManager } from '../../backends/live/live-cluster-manager.js';
import { resources } from '../../src/core/resources.js';
import { WallClock } from '../../src/engine/wall-clock.js';
import { DOCKER_HOSTS, LIVE, LIVE_SKIP_REASON, removeAllContainers, TEST_IMAGE, waitFor } from '../support/backends.js';

describe.skipIf(!LIVE)(`docker backend mapping${LIVE ? '' : ` (skipped: ${LIVE_SKIP_REASON})`}`, () => {
  const clock = new WallClock();
  const runtime = new DockerRuntime({ clock, nodes: [{ id: 'engine-1', host: DOCKER_HOSTS[0], network: 'none' }] });
  afterAll(async () => {
    await removeAllContainers(runtime, ['engine-1']);
    runtime.close();
    clock.cancelAll();
  });

  it('maps limits to NanoCpus/Memory, requests to CpuShares/MemoryReservation, command/args/env/ports, labels, restart policy "no"', async () => {
    const id = await runtime.createContainer(
      {
        name: 'app',
        image: TEST_IMAGE,
        command: ['sh', '-c'],
        args: ['echo "$GREETING"; sleep 30'],
        env: { GREETING: 'hello', B: '2' },
        ports: [{ containerPort: 8080, protocol: 'tcp' }],
        requests: resources({ cpu: 250, memory: 32 * 2 ** 20 }),
        limits: resources({ cpu: 500, memory: 64 * 2 ** 20 }),
      },
      {
        nodeId: 'engine-1',
        workloadId: 'map',
        instanceId: 'map-0001',
        labels: { 'slipway.workload': 'map', 'slipway.instance': 'map-0001', 'slipway.slot': '3', 'slipway.generation': '2' },
      },
    );
    const info = (await runtime.api('engine-1').getContainer(id).inspect()) as unknown as {
      Name: string;
      Config: { Entrypoint: string[]; Cmd: string[]; Env: string[]; Labels: Record<string, string>; ExposedPorts: Record<string, object> };
      HostConfig: { NanoCpus: number; Memory: number; CpuShares: number; MemoryReservation: number; RestartPolicy: { Name: string } };
    };
    expect(info.Name).toBe('/slipway-map-0001-app');
    expect(info.Config.Entrypoint).toEqual(['sh', '-c']);
    expect(info.Config.Cmd).toEqual(['echo "$GREETING"; sleep 30']);
    expect(info.Config.Env).toEqual(expect.arrayContaining(['B=2', 'GREETING=hello']));
    expect(info.Config.ExposedPorts).toHaveProperty('8080/tcp');
    expect(info.Config.Labels).toMatchObject({
      'slipway.workload': 'map',
      'slipway.instance': 'map-0001',
      'slipway.slot': '3',
      'slipway.generation': '2',
      'slipway.container': 'app',
      'slipway.node': 'engine-1',
      'slipway.cluster': 'default',
    });
    // 500 millicores × 10⁶ = 5×10⁸ NanoCpus; 250m × 1024 / 1000 = 256 shares.
    expect(info.HostConfig).toMatchObject({ NanoCpus: 500_000_000, Memory: 64 * 2 ** 20, CpuShares: 256, MemoryReservation: 32 * 2 ** 20, RestartPolicy: { Name: 'no' } });
    // A repeated create (a retried call, a restarted control plane) finds the same container.
    const again = await runtime.createContainer(
      { name: 'app', image: TEST_IMAGE, command: ['sleep', '30'], env: {}, ports: [], requests: resources(), limits: resources() },
      { nodeId: 'engine-1', workloadId: 'map', instanceId: 'map-0001', labels: {} },
    );
    expect(again).toBe(id);
  });

  it('an image the engine does not have and cannot pull is ImagePullFailed', async () => {
    const err = await runtime
      .createContainer(
        { name: 'x', image: 'slipway/does-not-exist:0', command: ['true'], env: {}, ports: [], requests: resources(), limits: resources() },
        { nodeId: 'engine-1', workloadId: 'x', instanceId: 'x-0001', labels: {} },
      )
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ImagePullFailed' });
    expect((err as Error).message).toContain('slipway/does-not-exist:0');
  });

  it('capacity comes from docker info unless given; an unreachable engine is NotReady from the start', async () => {
    const info = await runtime.api('engine-1').info();
    const cm = new LiveClusterManager(
      clock,
      [
        {
          id: 'engine-1',
          address: DOCKER_HOSTS[0],
          labels: {},
          taints: [],
          probe: async () => void (await runtime.api('engine-1').ping()),
          discoverCapacity: async () => resources({ cpu: info.NCPU * 1000, memory: info.MemTotal }),
        },
        {
          id: 'nowhere',
          address: 'unix:///nonexistent.sock',
          labels: {},
          taints: [],
          capacity: resources({ cpu: 1000, memory: 2 ** 30 }),
          probe: () => Promise.reject(new Error('ENOENT')),
          discoverCapacity: () => Promise.reject(new Error('unreachable')),
        },
      ],
      // NotReady 5 s after the last answer, so a ping slowed by a loaded machine does not take
      // engine-1 out (with 300 ms and a beat every 200 ms, one answer 100 ms late was enough). The
      // unreachable node starts as if it last answered notReadyAfter ago: Down about 500 ms later.
      { heartbeatIntervalMs: 200, nodeMonitorPeriodMs: 100, notReadyAfterMs: 5_000, downAfterMs: 5_500, rpcTimeoutMs: 2_000 },
    );
    await cm.initialize();
    expect(cm.getNode('engine-1')).toMatchObject({ status: 'Ready', capacity: { cpu: info.NCPU * 1000, memory: info.MemTotal } });
    expect(cm.getNode('nowhere')?.status).toBe('NotReady');
    const seen: string[] = [];
    cm.subscribe((e) => e.type === 'NodeUpdated' && seen.push(`${e.node.id}:${e.node.status}`));
    // Waited for, not slept for: a fixed 1 s sleep fails when the monitor runs 400 ms late.
    await waitFor(clock, 'the unreachable node Down', () => (seen.includes('nowhere:Down') ? true : undefined), 20_000);
    cm.close();
    expect(seen.filter((s) => s.startsWith('engine-1:'))).toEqual([]);
    expect(cm.getNode('engine-1')?.status).toBe('Ready');
  });
});
