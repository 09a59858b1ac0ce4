/**
 * CNI on the OCI backend (issue #16 items 1 and 5), with Debian's plugins and runc: instances get
 * addresses from the node's subnet and talk to each other over the node's bridge; a hostPort is
 * reachable on 127.0.0.1 through portmap; a plugin failure is the instance's failure with the
 * plugin's message; removal leaves no namespace, veth or reservation, over 200 cycles too.
 *
 * Every address is in 10.213.0.0/16 on bridges this file makes (and deletes).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { deleteLink, listLinks, listNetns } from '../../backends/oci/netns.js';
import { OciNetwork } from '../../backends/oci/oci-network.js';
import { OciRuntime } from '../../backends/oci/oci-runtime.js';
import type { ContainerSpec } from '../../src/core/types.js';
import { resources } from '../../src/core/resources.js';
import { WallClock } from '../../src/engine/wall-clock.js';
import { LIVE, LIVE_SKIP_REASON, OCI_RUNTIME, removeAllContainers, ROOTFS, waitFor } from '../support/backends.js';
import { freeHostPort } from '../support/ports.js';

const spec = (name: string, command: string[], ports: ContainerSpec['ports'] = []): ContainerSpec => ({
  name,
  image: 'busybox',
  command,
  env: {},
  ports,
  requests: resources(),
  limits: resources(),
});
/** Prints the body of http://<ip>:8080/ (retried for up to ~5 s while the server starts); exits 1 if it never answers. */
const GET = (ip: string) =>
  `for i in 1 2 3 4 5 6 7 8 9 10; do b=$(printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 2 ${ip} 8080 | tail -n 1) && [ -n "$b" ] && echo "$b" && exit 0; sleep 0.5; done; exit 1`;
const HTTPD = (text: string) => ['sh', '-c', `mkdir -p /www && echo ${text} > /www/index.html && exec httpd -f -p 8080 -h /www`];

/** veths on the host whose master is `bridge`. */
function vethsOn(bridge: string): string[] {
  if (!existsSync(`/sys/class/net/${bridge}/brif`)) return [];
  return readdirSync(`/sys/class/net/${bridge}/brif`).sort();
}

function reservations(dataDir: string, network: string): string[] {
  const dir = `${dataDir}/${network}`;
  return existsSync(dir) ? readdirSync(dir).filter((f) => /^\d+\.\d+\.\d+\.\d+$/.test(f)).sort() : [];
}

describe.skipIf(!LIVE)(`oci backend: CNI networking${LIVE ? '' : ` (skipped: ${LIVE_SKIP_REASON})`}`, () => {
  const base = `/tmp/slipway-oci-net-${process.pid}`;
  const clock = new WallClock();
  const identity = `net-test-${process.pid}`;
  const rt = new OciRuntime({
    clock,
    cluster: identity,
    pollIntervalMs: 100,
    nodes: [
      { id: 'n1', runtime: OCI_RUNTIME, root: `${base}/n1`, rootfs: ROOTFS, network: { subnet: '10.213.1.0/24' } },
      { id: 'n2', runtime: OCI_RUNTIME, root: `${base}/n2`, rootfs: ROOTFS, network: { subnet: '10.213.2.0/24' } },
      // a /30 holds one address for instances (.1 is the gateway): the second attach fails
      { id: 'tiny', runtime: OCI_RUNTIME, root: `${base}/tiny`, rootfs: ROOTFS, network: { subnet: '10.213.3.0/30' } },
    ],
  });
  const net = (n: string) => rt.network(n)!;
  afterAll(async () => {
    for (const n of ['n1', 'n2', 'tiny']) {
      await removeAllContainers(rt, [n]);
      await deleteLink(net(n).bridge).catch(() => undefined);
    }
    await rt.close();
    // what a failed crash or gc test left: its containers, namespaces, attachments and bridge
    for (const [suffix, subnet] of [['crash', '10.213.4.0/24'], ['gc', '10.213.5.0/24']]) {
      const root = `${base}/${suffix}`;
      const other = new OciRuntime({ clock, cluster: `${identity}-${suffix}`, nodes: [{ id: 'n', runtime: OCI_RUNTIME, root, rootfs: ROOTFS, network: { subnet } }] });
      await removeAllContainers(other, ['n']);
      await other.network('n')!.gc(new Set()).catch(() => undefined);
      await deleteLink(other.network('n')!.bridge).catch(() => undefined);
      await other.close();
    }
    clock.cancelAll();
    rmSync(base, { recursive: true, force: true });
  });

  async function runToEnd(id: string): Promise<{ code?: number; log: string[] }> {
    const st = await waitFor(clock, `${id} to exit`, async () => {
      const s = await rt.getContainerStatus(id);
      return s.state === 'exited' ? s : undefined;
    });
    return { ...(st.exitCode !== undefined ? { code: st.exitCode } : {}), log: rt.logs(id) };
  }

  it('two httpd instances on two nodes get addresses from their subnets; a client fetches from both', async () => {
    for (const n of ['n1', 'n2', 'tiny']) await rt.initNode(n);
    const a = await rt.createContainer(spec('web', HTTPD('from-a')), { nodeId: 'n1', workloadId: 'w', instanceId: 'web-a', labels: {} });
    const b = await rt.createContainer(spec('web', HTTPD('from-b')), { nodeId: 'n2', workloadId: 'w', instanceId: 'web-b', labels: {} });
    const ipA = (await waitFor(clock, 'web-a running', async () => ((await rt.getContainerStatus(a)).state === 'running' ? rt.getContainerStatus(a) : undefined))).ip;
    const ipB = (await rt.getContainerStatus(b)).ip;
    // host-local: the first address after the gateway (.1)
    expect(ipA).toBe('10.213.1.2');
    expect(ipB).toBe('10.213.2.2');
    // same node (over the bridge) and across nodes (routed by the host between the two bridges)
    // busybox-static's wget crashes in getaddrinfo (Debian's static glibc): nc speaks HTTP/1.0
    const fetch = (to: string) => ['sh', '-c', GET(to)];
    const c1 = await rt.createContainer(spec('get', fetch(ipA!)), { nodeId: 'n1', workloadId: 'c', instanceId: 'client-1', labels: {} });
    const c2 = await rt.createContainer(spec('get', fetch(ipB!)), { nodeId: 'n1', workloadId: 'c', instanceId: 'client-2', labels: {} });
    const r1 = await runToEnd(c1);
    const r2 = await runToEnd(c2);
    expect(r1).toEqual({ code: 0, log: ['from-a'] });
    expect(r2).toEqual({ code: 0, log: ['from-b'] });
    expect((await rt.getContainerStatus(c1)).ip).toBeUndefined(); // exited: no address shown
    for (const id of [a, b, c1, c2]) {
      await rt.stopContainer(id);
      await rt.removeContainer(id);
    }
    for (const n of ['n1', 'n2']) {
      expect(listNetns(net(n).prefix)).toEqual([]);
      expect(vethsOn(net(n).bridge)).toEqual([]);
      expect(reservations(net(n).dataDir, net(n).network)).toEqual([]);
    }
  });

  it('a hostPort is published through portmap and reachable on 127.0.0.1', async () => {
    const port = await freeHostPort();
    const id = await rt.createContainer(spec('web', HTTPD('published'), [{ containerPort: 8080, hostPort: port, protocol: 'tcp' }]), {
      nodeId: 'n1',
      workloadId: 'w',
      instanceId: 'pub-1',
      labels: {},
    });
    const body = await waitFor(clock, 'the published port to answer', async () => {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1_000) });
        return (await res.text()).trim();
      } catch {
        return undefined;
      }
    });
    expect(body).toBe('published');
    await rt.stopContainer(id);
    await rt.removeContainer(id);
    // portmap's DEL removed its DNAT rule for the container: nothing answers any more
    const rules = execFileSync('iptables', ['-t', 'nat', '-S'], { encoding: 'utf8' });
    expect(rules).not.toContain(`--dport ${port}`);
  });

  it('a plugin failure fails the create with the plugin message, and leaves nothing behind', async () => {
    const first = await rt.createContainer(spec('s', ['sleep', '60']), { nodeId: 'tiny', workloadId: 'w', instanceId: 'tiny-1', labels: {} });
    expect((await rt.getContainerStatus(first)).ip).toBe('10.213.3.2');
    await expect(rt.createContainer(spec('s', ['sleep', '60']), { nodeId: 'tiny', workloadId: 'w', instanceId: 'tiny-2', labels: {} })).rejects.toThrow(
      /CNI bridge ADD: .*no IP addresses available in range set: 10\.213\.3\.1-10\.213\.3\.2/,
    );
    expect(listNetns(net('tiny').prefix)).toEqual([`${net('tiny').prefix}tiny-1`]);
    expect(reservations(net('tiny').dataDir, net('tiny').network)).toEqual(['10.213.3.2']);
    await rt.stopContainer(first);
    await rt.removeContainer(first);
    // removing twice is fine (DEL is idempotent)
    await rt.network('tiny')!.detach('tiny-1');
    expect(listNetns(net('tiny').prefix)).toEqual([]);
    expect(reservations(net('tiny').dataDir, net('tiny').network)).toEqual([]);
  });

  it('CNI CHECK in the resync: an instance whose interface is deleted behind Slipway\'s back is killed with NetworkLost and the plugin\'s message; its removal still cleans up', async () => {
    const root = `${base}/check`;
    const checker = new OciRuntime({
      clock,
      cluster: `${identity}-check`,
      pollIntervalMs: 100,
      networkCheckIntervalMs: 500,
      nodes: [{ id: 'n', runtime: OCI_RUNTIME, root, rootfs: ROOTFS, network: { subnet: '10.213.6.0/24' } }],
    });
    const n = checker.network('n')!;
    try {
      await checker.initNode('n'); // what the orchestrator does first: it starts the runtime's poll, where CHECK runs
      const id = await checker.createContainer(spec('c', ['sleep', '300']), { nodeId: 'n', workloadId: 'w', instanceId: 'checked-1', labels: {} });
      await waitFor(clock, 'running', async () => ((await checker.getContainerStatus(id)).state === 'running' ? true : undefined));
      // A few checks pass while the network is whole.
      await clock.sleep(1_500);
      expect((await checker.getContainerStatus(id)).state).toBe('running');
      // Deleting the instance's eth0 deletes the veth pair: the bridge plugin's CHECK fails.
      execFileSync('ip', ['netns', 'exec', n.netnsName('checked-1'), 'ip', 'link', 'delete', 'eth0']);
      const st = await waitFor(clock, 'the failed CHECK to kill it', async () => {
        const s = await checker.getContainerStatus(id);
        return s.state === 'exited' ? s : undefined;
      }, 30_000);
      expect(st.reason).toMatch(/^NetworkLost: .*CNI bridge CHECK/);
      await checker.removeContainer(id);
      expect(listNetns(n.prefix)).toEqual([]);
      expect(n.reservedBy()).toEqual([]);
    } finally {
      await removeAllContainers(checker, ['n']).catch(() => undefined);
      await n.gc(new Set()).catch(() => undefined);
      await deleteLink(n.bridge).catch(() => undefined);
      checker.close();
    }
  });

  it('200 create/delete cycles leak no namespace, veth or reservation', async () => {
    // Host veths are machine-wide (Docker's engines have theirs): compare names, so one that
    // another process removes meanwhile cannot hide a leak or fail the count.
    const linksBefore = new Set(listLinks('veth'));
    // sequential: on a loaded 2-core machine 4 concurrent lanes were twice as slow (runc, host-local's lock)
    for (let k = 0; k < 200; k++) {
      const id = await rt.createContainer(spec('c', ['sleep', '30']), { nodeId: 'n2', workloadId: 'w', instanceId: `cyc-${k}`, labels: {} });
      expect((await rt.getContainerStatus(id)).ip).toMatch(/^10\.213\.2\.\d+$/);
      await rt.stopContainer(id);
      await rt.removeContainer(id);
    }
    expect(listNetns(net('n2').prefix)).toEqual([]);
    expect(vethsOn(net('n2').bridge)).toEqual([]);
    expect(listLinks('veth').filter((l) => !linksBefore.has(l))).toEqual([]);
    expect(reservations(net('n2').dataDir, net('n2').network)).toEqual([]);
    expect(existsSync(`${net('n2').dataDir}/results`) ? readdirSync(`${net('n2').dataDir}/results`) : []).toEqual([]);
  }, 600_000);

  it('after kill -9 mid-create, the next start removes the namespaces, veths and reservations nobody owns', async () => {
    const root = `${base}/crash`;
    const o = { identity: `${identity}-crash`, root, rootfs: ROOTFS, runtime: OCI_RUNTIME, subnet: '10.213.4.0/24' };
    const probe = new OciRuntime({ clock, cluster: o.identity, nodes: [{ id: 'n', runtime: OCI_RUNTIME, root, rootfs: ROOTFS, network: { subnet: o.subnet } }] });
    const n = probe.network('n')!;
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/oci-net-child.ts', JSON.stringify(o)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    // a few instances made, then killed while the next one is between its namespace and its bundle
    await waitFor(clock, 'three instances created', () => (out.includes('created crash-2') ? true : undefined), 60_000);
    await waitFor(clock, 'the next namespace', () => (listNetns(n.prefix).length >= 4 ? true : undefined), 30_000);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(listNetns(n.prefix).length).toBeGreaterThanOrEqual(4);
    expect(n.reservedBy().length).toBeGreaterThanOrEqual(3);
    // the restart: garbage collection at initNode, then the removal of the leftover containers
    // (what a restarted orchestrator does with orphans)
    const again = new OciRuntime({ clock, cluster: o.identity, nodes: [{ id: 'n', runtime: OCI_RUNTIME, root, rootfs: ROOTFS, network: { subnet: o.subnet } }] });
    try {
      await again.initNode('n');
      const left = await again.listContainers('n');
      const owned = new Set(left.map((c) => c.instanceId));
      // everything not owned by a bundle is gone already
      for (const name of listNetns(n.prefix)) expect(owned.has(name.slice(n.prefix.length))).toBe(true);
      for (const c of left) {
        await again.stopContainer(c.id);
        await again.removeContainer(c.id);
      }
    } finally {
      again.close();
    }
    expect(listNetns(n.prefix)).toEqual([]);
    expect(vethsOn(n.bridge)).toEqual([]);
    expect(n.reservedBy()).toEqual([]);
    expect(reservations(n.dataDir, n.network)).toEqual([]);
    expect(readdirSync(`${n.dataDir}/results`)).toEqual([]);
    await deleteLink(n.bridge);
  }, 120_000);

  it('garbage collection: an attachment without a bundle (killed between CNI ADD and runc create) is removed at the next start', async () => {
    const root = `${base}/gc`;
    const mk = () => new OciRuntime({ clock, cluster: `${identity}-gc`, nodes: [{ id: 'n', runtime: OCI_RUNTIME, root, rootfs: ROOTFS, network: { subnet: '10.213.5.0/24' } }] });
    const first = mk();
    const n = first.network('n')!;
    const { ip } = await n.attach('half-made', []);
    expect(ip).toBe('10.213.5.2');
    expect(listNetns(n.prefix)).toEqual([`${n.prefix}half-made`]);
    expect(vethsOn(n.bridge)).toHaveLength(1);
    first.close();
    // a kill -9 inside the result cache's write leaves a half-written `.tmp` (seen once in CI)
    writeFileSync(`${n.dataDir}/results/${n.network}-killed-mid-write-eth0.tmp`, '{"kind":"cniCa');
    const second = mk();
    try {
      await second.initNode('n');
      expect(second.lastGc('n')).toEqual({ namespaces: [`${n.prefix}half-made`], attachments: ['half-made', 'killed-mid-write'] });
    } finally {
      second.close();
    }
    expect(listNetns(n.prefix)).toEqual([]);
    expect(vethsOn(n.bridge)).toEqual([]);
    expect(n.reservedBy()).toEqual([]);
    expect(readdirSync(`${n.dataDir}/results`)).toEqual([]);
    await deleteLink(n.bridge);
  });
});

describe.skipIf(!LIVE)(`slipway run scenarios/live-oci-network.yaml --backend oci${LIVE ? '' : ` (skipped: ${LIVE_SKIP_REASON})`}`, () => {
  it('exits 0: both web instances answered the fetch job over the bridges, at the addresses the simulator gives (slipway diff compares them); nothing is left', () => {
    const out = `/tmp/slipway-oci-net-run-${process.pid}`;
    try {
      const r = spawnSync(process.execPath, ['bin/slipway.js', 'run', 'scenarios/live-oci-network.yaml', '--backend', 'oci', '--out', out], { encoding: 'utf8', timeout: 120_000 });
      expect(r.stdout).toContain('PASS  fetched');
      expect(r.status).toBe(0);
      const running = readFileSync(`${out}/trace.jsonl`, 'utf8')
        .split('\n')
        .filter((l) => l.includes('"type":"instance.status"') && l.includes('"workload":"web"') && l.includes('"to":"Running"'))
        .map((l) => (JSON.parse(l) as { ip?: string }).ip)
        .sort();
      expect(running).toEqual(['10.213.16.2', '10.213.17.2']);
      // The same scenario in the simulator gives the same addresses, and `slipway diff` says so
      // (issue #16 item 4): the diff matches instances across the two traces and compares them.
      const sim = spawnSync(process.execPath, ['bin/slipway.js', 'run', 'scenarios/live-oci-network.yaml', '--out', `${out}-sim`], { encoding: 'utf8', timeout: 60_000 });
      expect(sim.status, sim.stderr).toBe(0);
      const d = spawnSync(process.execPath, ['bin/slipway.js', 'diff', `${out}-sim/trace.jsonl`, `${out}/trace.jsonl`, '--json'], { encoding: 'utf8', timeout: 60_000 });
      expect(d.status, d.stderr).toBe(0);
      const diff = JSON.parse(d.stdout) as { a: { backend: string }; b: { backend: string }; addresses: { key: string; a?: string; b?: string }[] };
      expect([diff.a.backend, diff.b.backend]).toEqual(['sim', 'oci']);
      const web = diff.addresses.filter((p) => p.key.startsWith('web/'));
      expect(web.map((p) => [p.a, p.b])).toEqual([
        ['10.213.16.2', '10.213.16.2'],
        ['10.213.17.2', '10.213.17.2'],
      ]);
      const text = spawnSync(process.execPath, ['bin/slipway.js', 'diff', `${out}-sim/trace.jsonl`, `${out}/trace.jsonl`], { encoding: 'utf8', timeout: 60_000 });
      expect(text.stdout).toMatch(/addresses: \d of \d agree/);
      for (const node of ['oci-1', 'oci-2']) {
        const n = new OciNetwork({ nodeId: node, identity: 'live-oci-network', root: `/run/slipway/oci-net-${node.slice(-1)}`, config: { subnet: '10.213.16.0/24' } });
        expect(listNetns(n.prefix)).toEqual([]);
        expect(vethsOn(n.bridge)).toEqual([]);
        expect(n.reservedBy()).toEqual([]);
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
      rmSync(`${out}-sim`, { recursive: true, force: true });
    }
  }, 210_000);
});
