/**
 * `slipway serve` with a pod network (`cluster.network` in its config, docs/networking.md): nodes
 * carry their pod CIDR, instances their address, `/v1/endpoints` lists IP:PORT of the running
 * instances, and the CLI's tables show them (`get instances` IP column, `get endpoints`).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpointsTable, instanceTable } from '../../src/cli/client/get.js';
import { startTestDaemon, until, OpenApiChecker, type TestDaemon } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'slipway-net-api-'));
const CONFIG = join(dir, 'serve.yaml');
writeFileSync(
  CONFIG,
  'cluster:\n  network: {podCidr: 10.244.0.0/16, nodeCidrMaskSize: 24}\nnodes:\n  - {name: "node-{i}", count: 2, capacity: {cpu: 8, memory: 32Gi}}\n',
);

describe('slipway serve with a pod network', { timeout: 120_000 }, () => {
  let d: TestDaemon;
  let api: OpenApiChecker;
  const call = async (template: string, path: string) => {
    const r = await d.call('GET', path);
    api.check('GET', template, r);
    return r;
  };

  beforeAll(async () => {
    d = await startTestDaemon({ file: CONFIG });
    api = new OpenApiChecker((await d.call('GET', '/openapi.json')).body);
  });
  afterAll(async () => {
    await d?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives nodes pod CIDRs, instances addresses, and workloads endpoints', async () => {
    const nodes = (await call('/v1/nodes', '/v1/nodes')).body.items as Array<{ name: string; podCidr?: string }>;
    expect(nodes.map((n) => [n.name, n.podCidr])).toEqual([
      ['node-1', '10.244.0.0/24'],
      ['node-2', '10.244.1.0/24'],
    ]);
    const spec = { name: 'web', replicas: 3, containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80 }], requests: { cpu: '100m', memory: '64Mi' } }] };
    expect((await d.call('POST', '/v1/workloads', { spec })).status).toBe(201);
    const eps = await until(async () => {
      const r = await call('/v1/endpoints/{name}', '/v1/endpoints/web');
      return r.body.endpoints.length === 3 ? (r.body.endpoints as string[]) : undefined;
    }, 30_000, 'three endpoints');
    const instances = (await call('/v1/instances', '/v1/instances?workload=web')).body.items as Array<{ node: string; ip?: string; status: string }>;
    // Each address is in its node's block, past the gateway (.1), and the endpoints are those addresses on port 80.
    for (const i of instances) {
      const block = nodes.find((n) => n.name === i.node)!.podCidr!.replace(/0\/24$/, '');
      expect(i.ip?.startsWith(block), `${i.ip} in ${i.node}'s block`).toBe(true);
      expect(Number(i.ip!.split('.')[3])).toBeGreaterThanOrEqual(2);
    }
    expect(eps).toEqual(instances.map((i) => `${i.ip}:80`).sort((a, b) => a.localeCompare(b, 'en', { numeric: true })));
    expect((await call('/v1/endpoints', '/v1/endpoints')).body.items).toEqual([{ workload: 'web', endpoints: eps }]);

    // What `slipway get instances` and `slipway get endpoints` print.
    const table = instanceTable(instances as never, false).split('\n');
    expect(table[0]).toMatch(/^ID\s+WORKLOAD\s+NODE\s+IP\s+STATUS/);
    for (const i of instances) expect(table.some((l) => l.includes(i.ip!))).toBe(true);
    expect(endpointsTable([{ workload: 'web', endpoints: eps }], false)).toMatch(new RegExp(`^web +${eps.join(',').replaceAll('.', '\\.')}$`, 'm'));
    expect(endpointsTable([{ workload: 'big', endpoints: ['10.0.0.2:80', '10.0.0.3:80', '10.0.0.4:80', '10.0.0.5:80'] }], false)).toContain('10.0.0.2:80,10.0.0.3:80,10.0.0.4:80 + 1 more...');

    // Scaled down: the stopped instance leaves the endpoints.
    await d.call('POST', '/v1/workloads/web/scale', { replicas: 1 });
    await until(async () => (await call('/v1/endpoints/{name}', '/v1/endpoints/web')).body.endpoints.length === 1, 30_000, 'one endpoint');
  });
});
