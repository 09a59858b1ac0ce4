/**
 * Docker parity for networking (issue #16 item 2): a node with a pod CIDR puts its instances on a
 * bridge network Slipway creates on its engine (labelled, with that subnet) and removes when its
 * last container goes; instances get their address from it and reach each other across the two
 * engines; a hostPort is reachable on 127.0.0.1. Addresses are in 10.213.32.0/23 only.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { demuxLogs } from '../../backends/docker/docker-api.js';
import { DockerRuntime } from '../../backends/docker/docker-runtime.js';
import type { ContainerSpec } from '../../src/core/types.js';
import { resources } from '../../src/core/resources.js';
import { WallClock } from '../../src/engine/wall-clock.js';
import { DOCKER_HOSTS, LIVE, LIVE_SKIP_REASON, removeAllContainers, TEST_IMAGE, waitFor } from '../support/backends.js';
import { freeHostPort } from '../support/ports.js';

const spec = (name: string, command: string[], ports: ContainerSpec['ports'] = []): ContainerSpec => ({
  name,
  image: TEST_IMAGE,
  command,
  env: {},
  ports,
  requests: resources(),
  limits: resources(),
});
const HTTPD = (text: string) => ['sh', '-c', `mkdir -p /www && echo ${text} > /www/index.html && exec httpd -f -p 8080 -h /www`];
/** busybox-static's wget crashes in getaddrinfo: the request is written with nc. */
const GET = (ip: string) => [
  'sh',
  '-c',
  `for i in 1 2 3 4 5 6 7 8 9 10; do b=$(printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 2 ${ip} 8080 | tail -n 1) && [ -n "$b" ] && echo "$b" && exit 0; sleep 0.5; done; exit 1`,
];

describe.skipIf(!LIVE)(`docker backend: a bridge network per engine${LIVE ? '' : ` (skipped: ${LIVE_SKIP_REASON})`}`, () => {
  const clock = new WallClock();
  const identity = `docker-net-test-${process.pid}`;
  const rt = new DockerRuntime({
    clock,
    cluster: identity,
    stopGraceSeconds: 1,
    nodes: [
      { id: 'engine-1', host: DOCKER_HOSTS[0], bridge: { subnet: '10.213.32.0/24' } },
      { id: 'engine-2', host: DOCKER_HOSTS[1], bridge: { subnet: '10.213.33.0/24' } },
    ],
  });
  afterAll(async () => {
    for (const n of ['engine-1', 'engine-2']) {
      await removeAllContainers(rt, [n]);
      const name = rt.networkName(n)!;
      for (const net of await rt.api(n).listNetworks({ filters: JSON.stringify({ name: [name] }) }).catch(() => []))
        if (net.Name === name) await rt.api(n).getNetwork(net.Id).remove().catch(() => undefined);
    }
    rt.close();
    clock.cancelAll();
  });

  const networks = async (n: string) => (await rt.api(n).listNetworks({ filters: JSON.stringify({ name: [rt.networkName(n)!] }) })).filter((x) => x.Name === rt.networkName(n));

  it('instances get addresses from their node subnet, talk across engines, publish a hostPort; the network goes with the last container', async () => {
    for (const n of ['engine-1', 'engine-2']) await rt.initNode(n);
    const events: Array<{ id: string; state: string; ip?: string }> = [];
    rt.watch((e) => events.push({ id: e.containerId, state: e.state, ...(e.ip !== undefined ? { ip: e.ip } : {}) }));
    const port = await freeHostPort();
    const a = await rt.createContainer(spec('web', HTTPD('from-e1'), [{ containerPort: 8080, hostPort: port, protocol: 'tcp' }]), {
      nodeId: 'engine-1',
      workloadId: 'w',
      instanceId: `dn-a-${process.pid}`,
      labels: {},
    });
    const b = await rt.createContainer(spec('web', HTTPD('from-e2')), { nodeId: 'engine-2', workloadId: 'w', instanceId: `dn-b-${process.pid}`, labels: {} });
    const net1 = await networks('engine-1');
    expect(net1).toHaveLength(1);
    expect(net1[0].Labels).toMatchObject({ 'slipway.cluster': identity, 'slipway.node': 'engine-1' });
    expect(net1[0].IPAM.Config?.map((c) => c.Subnet)).toEqual(['10.213.32.0/24']);
    const ipA = await waitFor(clock, 'web a address', async () => (await rt.getContainerStatus(a)).ip);
    const ipB = await waitFor(clock, 'web b address', async () => (await rt.getContainerStatus(b)).ip);
    expect(ipA).toMatch(/^10\.213\.32\.\d+$/);
    expect(ipB).toMatch(/^10\.213\.33\.\d+$/);
    expect((await rt.listContainers('engine-1')).find((c) => c.id === a)?.ip).toBe(ipA);
    // the running event carries the address (the orchestrator copies it onto the instance)
    expect(await waitFor(clock, 'the running event of a', () => events.find((e) => e.id === a && e.state === 'running'))).toEqual({ id: a, state: 'running', ip: ipA });
    // from engine-1 to both: same bridge and across engines (routed by the host)
    const c = await rt.createContainer(spec('get', ['sh', '-c', `(${GET(ipA)[2]}) && (${GET(ipB)[2]})`]), {
      nodeId: 'engine-1',
      workloadId: 'c',
      instanceId: `dn-c-${process.pid}`,
      labels: {},
    });
    const done = await waitFor(clock, 'the client to exit', async () => {
      const s = await rt.getContainerStatus(c);
      return s.state === 'exited' ? s : undefined;
    }, 30_000);
    expect(demuxLogs(await rt.api('engine-1').getContainer(c).logs({ stdout: true, stderr: true, follow: false }))).toEqual(['from-e1', 'from-e2']);
    expect(done.exitCode).toBe(0);
    const body = await waitFor(clock, 'the published port', async () => {
      try {
        return (await (await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1_000) })).text()).trim();
      } catch {
        return undefined;
      }
    });
    expect(body).toBe('from-e1');
    for (const id of [c, a]) {
      await rt.stopContainer(id);
      await rt.removeContainer(id);
    }
    expect(await networks('engine-1')).toEqual([]);
    expect(await networks('engine-2')).toHaveLength(1); // b still there
    await rt.stopContainer(b);
    await rt.removeContainer(b);
    expect(await networks('engine-2')).toEqual([]);
  }, 120_000);
});
