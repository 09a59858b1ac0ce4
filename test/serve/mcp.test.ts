/**
 * The MCP server with the SDK's own client, against a real daemon (sim backend): over stdio
 * (`slipway mcp --server URL --token T`, a child process) and over Streamable HTTP at /mcp on the
 * daemon. Every tool is called on both; the annotations, the resources, --read-only, and the
 * HTTP transport's security (token → 401, foreign Origin → 403) are checked.
 */
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startTestDaemon, until, type TestDaemon } from './support.js';

const BIN = join(import.meta.dirname, '../../bin/slipway.js');
let d: TestDaemon;

const READ_TOOLS = ['explain_placement', 'get_workload', 'list_instances', 'list_nodes', 'list_workloads', 'simulate_change'];
const WRITE_TOOLS = ['apply_workload', 'cordon_node', 'delete_workload', 'drain_node', 'scale_workload'];

beforeAll(async () => {
  d = await startTestDaemon();
}, 60_000);
afterAll(async () => {
  await d?.stop();
});

function stdio(readOnly = false): Transport {
  return new StdioClientTransport({
    command: process.execPath,
    args: [BIN, 'mcp', '--server', d.url, '--token', d.token, ...(readOnly ? ['--read-only'] : [])],
    stderr: 'pipe',
  });
}

function http(headers: Record<string, string> = { authorization: `Bearer ${d.token}` }): Transport {
  return new StreamableHTTPClientTransport(new URL(`${d.url}/mcp`), { requestInit: { headers } });
}

async function connected(t: Transport): Promise<Client> {
  const c = new Client({ name: 'slipway-test', version: '1.0.0' });
  await c.connect(t);
  return c;
}

/** A tool's text answer, parsed as JSON (simulate_change: the JSON after its summary lines). */
async function call(c: Client, name: string, args: Record<string, unknown>): Promise<any> {
  const r = await c.callTool({ name, arguments: args });
  const text = (r.content as Array<{ type: string; text: string }>)[0].text;
  if (r.isError) throw new Error(`${name}: ${text}`);
  return JSON.parse(name === 'simulate_change' ? text.slice(text.indexOf('\n{') + 1) : text);
}

/** Every tool, in an order a user would: look, apply, scale, explain, simulate, cordon, drain, delete. */
async function everyTool(c: Client, wl: string): Promise<void> {
  const tools = await c.listTools();
  expect(tools.tools.map((t) => t.name).sort()).toEqual([...READ_TOOLS, ...WRITE_TOOLS].sort());
  const byName = new Map(tools.tools.map((t) => [t.name, t]));
  for (const n of READ_TOOLS) expect(byName.get(n)!.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false, idempotentHint: true });
  for (const n of ['apply_workload', 'scale_workload', 'delete_workload', 'drain_node']) expect(byName.get(n)!.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true });
  expect(byName.get('cordon_node')!.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false, idempotentHint: true });
  expect(byName.get('scale_workload')!.inputSchema.required).toEqual(['name', 'replicas']);

  const nodes = await call(c, 'list_nodes', {});
  expect(nodes.items.length).toBeGreaterThan(0);
  const node = nodes.items[0].name as string;

  const applied = await call(c, 'apply_workload', { spec: { name: wl, replicas: 2, labels: { app: wl }, containers: [{ name: 'app', image: 'nginx:1.25', requests: { cpu: '100m', memory: '64Mi' } }] } });
  expect(applied.name ?? applied.workload?.name).toBe(wl);
  await until(async () => (await call(c, 'get_workload', { name: wl })).status.running === 2, 20_000, `${wl} running`);
  const listed = await call(c, 'list_workloads', { selector: `app=${wl}` });
  expect(listed.items.map((w: { name: string }) => w.name)).toEqual([wl]);

  const scaled = await call(c, 'scale_workload', { name: wl, replicas: 3 });
  expect(scaled.status.desired).toBe(3);
  await until(async () => (await call(c, 'list_instances', { workload: wl, status: 'Running' })).items.length === 3, 20_000, `${wl} at 3`);

  const explained = await call(c, 'explain_placement', { workload: wl });
  expect(explained.nodes.length).toBe(nodes.items.length);
  const where = await call(c, 'explain_placement', { spec: { name: 'huge', containers: [{ name: 'x', image: 'x', requests: { cpu: '1000' } }] } });
  expect(where.chosen).toBeNull();

  const sim = await call(c, 'simulate_change', { changes: [{ kind: 'scale', workload: wl, replicas: 5 }], horizon: '2m' });
  expect(sim.converged).toBe(true);
  expect(sim.placements.filter((p: { workload: string }) => p.workload === wl)).toHaveLength(5);
  expect(sim.replay).toMatch(/^npx slipway run \S+\.yaml --seed 1$/);
  // The what-if changed nothing in the cluster.
  expect((await call(c, 'get_workload', { name: wl })).status.desired).toBe(3);

  expect((await call(c, 'cordon_node', { name: node })).unschedulable).toBe(true);
  expect((await call(c, 'cordon_node', { name: node, uncordon: true })).unschedulable).toBe(false);
  const drained = await call(c, 'drain_node', { name: node });
  expect(drained.node.unschedulable).toBe(true);
  await call(c, 'cordon_node', { name: node, uncordon: true });

  await call(c, 'delete_workload', { name: wl });
  await until(async () => {
    const r = await c.callTool({ name: 'get_workload', arguments: { name: wl } });
    return r.isError === true;
  }, 20_000, `${wl} gone`);
  const missing = await c.callTool({ name: 'get_workload', arguments: { name: wl } });
  expect((missing.content as Array<{ text: string }>)[0].text).toMatch(/^HTTP 404: workload "[a-z-]+" not found/);
}

describe('MCP over stdio (slipway mcp)', () => {
  it('serves every tool against the daemon', async () => {
    const c = await connected(stdio());
    try {
      await everyTool(c, 'mcp-stdio');
    } finally {
      await c.close();
    }
  }, 180_000);

  it('serves the cluster snapshot and workload specs as resources', async () => {
    const c = await connected(stdio());
    try {
      await call(c, 'apply_workload', { spec: { name: 'res-web', replicas: 1, containers: [{ name: 'w', image: 'busybox', requests: { cpu: '50m' } }] } });
      const list = await c.listResources();
      const uris = list.resources.map((r) => r.uri);
      expect(uris).toContain('slipway://cluster/snapshot');
      expect(uris).toContain('slipway://workloads/res-web');
      const snap = JSON.parse(((await c.readResource({ uri: 'slipway://cluster/snapshot' })).contents[0] as { text: string }).text);
      expect(Object.keys(snap)).toEqual(['nodes', 'workloads', 'instances']);
      expect(snap.workloads.map((w: { name: string }) => w.name)).toContain('res-web');
      const spec = parse(((await c.readResource({ uri: 'slipway://workloads/res-web' })).contents[0] as { text: string }).text);
      expect(spec).toMatchObject({ name: 'res-web', replicas: 1, containers: [{ name: 'w', image: 'busybox' }] });
      await call(c, 'delete_workload', { name: 'res-web' });
    } finally {
      await c.close();
    }
  }, 120_000);

  it('--read-only hides every mutating tool', async () => {
    const c = await connected(stdio(true));
    try {
      expect((await c.listTools()).tools.map((t) => t.name).sort()).toEqual(READ_TOOLS);
      const r = await c.callTool({ name: 'delete_workload', arguments: { name: 'x' } });
      expect(r.isError).toBe(true);
    } finally {
      await c.close();
    }
  }, 60_000);
});

describe('MCP over Streamable HTTP (/mcp)', () => {
  it('serves every tool with the daemon token', async () => {
    const c = await connected(http());
    try {
      await everyTool(c, 'mcp-http');
    } finally {
      await c.close();
    }
  }, 180_000);

  it('refuses a request without the token (401) and from a foreign Origin (403)', async () => {
    const init = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } };
    const post = (headers: Record<string, string>) =>
      fetch(`${d.url}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers }, body: JSON.stringify(init) });
    expect((await post({})).status).toBe(401);
    expect((await post({ authorization: 'Bearer wrong' })).status).toBe(401);
    const evil = await post({ authorization: `Bearer ${d.token}`, origin: 'http://evil.example:7420' });
    expect(evil.status).toBe(403);
    expect(((await evil.json()) as { detail: string }).detail).toMatch(/origin "http:\/\/evil.example:7420" may not call \/mcp/);
    // DNS rebinding: the attacker's name resolving to 127.0.0.1 sends its own Host and Origin.
    const port = new URL(d.url).port;
    expect((await post({ authorization: `Bearer ${d.token}`, origin: `http://rebind.example:${port}`, host: `rebind.example:${port}` })).status).toBe(403);
    for (const origin of [new URL(d.url).origin, `http://localhost:${port}`]) {
      const ok = await post({ authorization: `Bearer ${d.token}`, origin });
      expect(ok.status).toBe(200);
    }
    await expect(connected(http({}))).rejects.toThrow();
  }, 60_000);
});
