/**
 * Follower-local reads (SLIPWAY_LIVE=1): two replicas (sim backend) on a 1-member etcd of their own
 * (scripts/start-etcd.sh on its own port). The follower answers the read endpoints it can serve
 * from its watch-fed copy of the keyspace itself — workloads, one workload, instances (filtered by
 * workload, node, status), one instance, and what the leader publishes: nodes, endpoints, events —
 * with 200, the same answer as the leader's; logs, explain and every write go to the leader (307).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/serve/config.js';
import { startReplica, type Replica } from '../../src/serve/replica.js';
import { LIVE, LIVE_SKIP_REASON } from '../support/backends.js';

const here = dirname(fileURLToPath(import.meta.url));
const START_ETCD = join(here, '..', '..', 'scripts', 'start-etcd.sh');
// Clear of the 3-member test cluster (32379..32384), the TLS test's (23811) and the Debian service.
const PORT = 23_831;
const TOKEN = 'follower-reads-token-0123456789';
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe.skipIf(!LIVE)(`follower-local reads${LIVE ? '' : ` (skipped: ${LIVE_SKIP_REASON})`}`, { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-follower-reads-'));
  const etcdArgs = ['--members', '1', '--port', String(PORT), '--data', join(dir, 'etcd')];
  const replicas: Replica[] = [];

  beforeAll(() => {
    const r = spawnSync(START_ETCD, etcdArgs, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`start-etcd.sh: ${r.stderr}`);
  }, 60_000);
  afterAll(async () => {
    for (const r of replicas) await r.close().catch(() => {});
    spawnSync(START_ETCD, [...etcdArgs, '--stop', '--wipe']);
    rmSync(dir, { recursive: true, force: true });
  });

  const get = async (url: string, path: string) => {
    const res = await fetch(url + path, { headers: { authorization: `Bearer ${TOKEN}` }, redirect: 'manual' });
    return { status: res.status, body: (await res.json()) as Record<string, unknown>, location: res.headers.get('location') };
  };

  it('the follower answers workloads and instances itself, and sends the rest to the leader', async () => {
    const config = loadConfig({ env: {}, flags: { listen: '127.0.0.1:0', state: `etcd://127.0.0.1:${PORT}`, token: TOKEN, leaseTtl: '2' } });
    for (let i = 0; i < 2; i++) replicas.push(await startReplica(config, { log: () => {} }));
    let leader: Replica | undefined;
    for (let i = 0; i < 100 && !leader; i++) {
      await sleep(100);
      leader = replicas.find((r) => r.role().role === 'leader' && r.leading() !== undefined);
    }
    expect(leader, 'a replica leads').toBeDefined();
    const follower = replicas.find((r) => r !== leader)!;

    const name = `fr-${process.pid}`;
    const created = await fetch(`${leader!.url}/v1/workloads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ spec: { name, replicas: 2, containers: [{ name: 'c', image: 'busybox', requests: { cpu: '10m', memory: '8Mi' } }] } }),
    });
    expect(created.status).toBe(201);

    // The follower's copy catches up through its watch once the leader commits the instance records.
    let items: Array<{ id: string; node?: string; status: string }> = [];
    for (let i = 0; i < 150; i++) {
      const r = await get(follower.url, `/v1/instances?workload=${name}`);
      expect(r.status).toBe(200);
      items = r.body.items as typeof items;
      if (items.length === 2 && items.every((x) => x.status === 'Running' && x.node !== undefined)) break;
      await sleep(100);
    }
    expect(items).toHaveLength(2);
    expect(items.every((x) => x.status === 'Running')).toBe(true);

    const one = await get(follower.url, `/v1/instances/${items[0].id}`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ id: items[0].id, workload: name, status: 'Running', node: items[0].node });
    expect((await get(follower.url, '/v1/instances/no-such-instance')).status).toBe(404);
    const onNode = await get(follower.url, `/v1/instances?node=${items[0].node}&status=Running`);
    expect((onNode.body.items as typeof items).map((x) => x.id)).toContain(items[0].id);
    expect((await get(follower.url, `/v1/instances?status=Pending&workload=${name}`)).body.items).toEqual([]);
    expect((await get(follower.url, `/v1/workloads/${name}`)).status).toBe(200);

    // Nodes, endpoints and events: what the leader publishes in etcd (node status at most ~1 s behind).
    const leaderGet = (path: string) => get(leader!.url, path);
    let nodes: Array<{ name: string; instances: number }> = [];
    for (let i = 0; i < 100; i++) {
      const [l, f] = [await leaderGet('/v1/nodes'), await get(follower.url, '/v1/nodes')];
      expect(f.status).toBe(200);
      nodes = f.body.items as typeof nodes;
      if (JSON.stringify(nodes) === JSON.stringify(l.body.items)) break;
      await sleep(100);
    }
    expect(nodes).toEqual((await leaderGet('/v1/nodes')).body.items);
    expect(nodes.reduce((n, x) => n + x.instances, 0)).toBeGreaterThanOrEqual(2);
    expect((await get(follower.url, `/v1/nodes/${nodes[0].name}`)).body).toEqual((await leaderGet(`/v1/nodes/${nodes[0].name}`)).body);
    expect((await get(follower.url, `/v1/endpoints/${name}`)).body).toEqual((await leaderGet(`/v1/endpoints/${name}`)).body);
    const createdEvent = ((await leaderGet('/v1/events')).body.events as Array<{ revision: number; type: string; data: { workload?: string } }>).find((e) => e.type === 'api.workload.created' && e.data.workload === name)!;
    let seen: Array<{ revision: number }> = [];
    for (let i = 0; i < 100 && !seen.some((e) => e.revision === createdEvent.revision); i++) {
      seen = ((await get(follower.url, `/v1/events?since=${createdEvent.revision - 1}&workload=${name}`)).body.events ?? []) as typeof seen;
      if (!seen.some((e) => e.revision === createdEvent.revision)) await sleep(100);
    }
    expect(seen[0]).toEqual(createdEvent);

    // Logs come from the container runtime and explain from the leader's scheduler state: the leader's to answer.
    for (const [method, path] of [['GET', `/v1/instances/${items[0].id}/logs`], ['POST', '/v1/explain']] as const) {
      const res = await fetch(follower.url + path, { method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, redirect: 'manual', ...(method === 'POST' ? { body: JSON.stringify({ workload: name }) } : {}) });
      expect(res.status, path).toBe(307);
      expect(res.headers.get('location')).toBe(leader!.url + path);
    }
  });
});
