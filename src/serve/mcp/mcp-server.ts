/**
 * The MCP server for AI agents (the official TypeScript SDK): Slipway's HTTP API as MCP tools and
 * resources. Every tool is a call to the daemon's API through a {@link DaemonApi}, so the same
 * server runs over stdio (`slipway mcp --server URL`, an HTTP client of the daemon) and inside the
 * daemon at `/mcp` (the API called in-process, with the caller's token).
 *
 * Tools (annotations in brackets: R = readOnlyHint, D = destructiveHint, I = idempotentHint):
 *   list_workloads [R I], get_workload [R I], list_nodes [R I], list_instances [R I],
 *   explain_placement [R I], simulate_change [R I] (it changes nothing in the cluster; it writes a
 *   scenario file on the daemon's machine), apply_workload [D I], scale_workload [D I],
 *   delete_workload [D I], cordon_node [I], drain_node [D I].
 * `readOnly` registers only the R tools. Resources: `slipway://cluster/snapshot` (nodes,
 * workloads, instances as JSON) and `slipway://workloads/{name}` (a workload's spec, scenario YAML).
 */
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { stringify } from 'yaml';
import { z } from 'zod';
import { SLIPWAY_VERSION } from '../../version.js';
import { changeSchema, DEFAULT_HORIZON } from '../simulate-change.js';

/** The daemon's HTTP API, as the MCP tools call it: resolves with the JSON body of a 2xx answer. */
export interface DaemonApi {
  request<T>(method: string, path: string, body?: unknown): Promise<T>;
}

export interface McpServerOptions {
  /** Register only the tools that change nothing. */
  readonly readOnly?: boolean;
}

const READ: ToolAnnotations = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };
const WRITE: ToolAnnotations = { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false };
const GENTLE: ToolAnnotations = { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false };

const name = z.string().min(1).max(253);
const revision = z.number().int().min(0).optional().describe('check-and-set: the revision last read (0 = must not exist); absent = unconditional');
const workloadSpec = z
  .record(z.string(), z.unknown())
  .describe('a workload in the scenario format: {name, replicas, containers: [{name, image, requests: {cpu: "500m", memory: "256Mi"}}], placement, ...}');

const enc = encodeURIComponent;

/** A tool answer: the JSON result as text (agents read it), or the API's error as a tool error. */
async function answer(call: () => Promise<unknown>, render: (v: unknown) => string = (v) => JSON.stringify(v, null, 2)): Promise<CallToolResult> {
  try {
    return { content: [{ type: 'text', text: render(await call()) }] };
  } catch (e) {
    const p = e as { status?: number; problem?: { detail?: string; field?: string }; message?: string };
    const status = p.status !== undefined ? `HTTP ${p.status}: ` : '';
    const field = p.problem?.field !== undefined ? ` (field ${p.problem.field})` : '';
    return { isError: true, content: [{ type: 'text', text: `${status}${p.problem?.detail ?? p.message ?? String(e)}${field}` }] };
  }
}

/** The outcome of simulate_change in a few lines, then the whole result as JSON. */
function renderSimulation(v: unknown): string {
  const r = v as {
    converged: boolean;
    convergedAfterMs?: number;
    pending: Array<{ workload: string; pending: number; reason: string }>;
    traceHash: string;
    replay: string;
    stopped: string[];
    started: string[];
  };
  const lines = [
    r.converged ? `converges ${(r.convergedAfterMs! / 1000).toFixed(1)}s after the change` : 'does NOT converge within the horizon',
    ...r.pending.map((p) => `pending: ${p.workload}: ${p.pending} instance(s): ${p.reason}`),
    `instances stopped: ${r.stopped.length}, started: ${r.started.length}`,
    `trace sha256 ${r.traceHash}; replay: ${r.replay}`,
    '',
    JSON.stringify(v, null, 2),
  ];
  return lines.join('\n');
}

export function createMcpServer(api: DaemonApi, options: McpServerOptions = {}): McpServer {
  const server = new McpServer(
    { name: 'slipway', version: SLIPWAY_VERSION },
    {
      instructions:
        'Slipway orchestrator. Inspect with list_workloads, list_nodes, list_instances, explain_placement. ' +
        'Before a change, call simulate_change: it runs the change in the deterministic simulator on a snapshot of the cluster and says whether it converges, what stays pending and why.',
    },
  );
  const readOnly = options.readOnly ?? false;

  server.registerTool(
    'list_workloads',
    { title: 'List workloads', description: 'Workloads with desired/running/pending counts; optionally filtered by a label selector (app=web,tier!=db).', inputSchema: { selector: z.string().max(1024).optional() }, annotations: READ },
    ({ selector }) => answer(() => api.request('GET', `/v1/workloads${selector ? `?selector=${enc(selector)}` : ''}`)),
  );
  server.registerTool(
    'get_workload',
    { title: 'Get a workload', description: 'One workload: its spec (scenario format), revision and status.', inputSchema: { name }, annotations: READ },
    ({ name }) => answer(() => api.request('GET', `/v1/workloads/${enc(name)}`)),
  );
  server.registerTool(
    'list_nodes',
    { title: 'List nodes', description: 'Nodes with status, cordon, taints, capacity, allocatable and what is allocated.', inputSchema: { selector: z.string().max(1024).optional() }, annotations: READ },
    ({ selector }) => answer(() => api.request('GET', `/v1/nodes${selector ? `?selector=${enc(selector)}` : ''}`)),
  );
  server.registerTool(
    'list_instances',
    {
      title: 'List instances',
      description: 'Instances with status, node, containers, restarts and last exit; optionally of one workload, node or status.',
      inputSchema: { workload: name.optional(), node: name.optional(), status: z.enum(['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown', 'Terminating']).optional() },
      annotations: READ,
    },
    (args) => {
      const q = new URLSearchParams();
      for (const k of ['workload', 'node', 'status'] as const) if (args[k] !== undefined) q.set(k, args[k]);
      const qs = q.toString();
      return answer(() => api.request('GET', `/v1/instances${qs ? `?${qs}` : ''}`));
    },
  );
  server.registerTool(
    'explain_placement',
    {
      title: 'Explain a placement',
      description: "Why is an instance of this workload pending, or where would this spec go: every node's filter verdicts and scores.",
      inputSchema: { workload: name.optional().describe('an applied workload'), spec: workloadSpec.optional().describe('a workload not applied (scenario format)') },
      annotations: READ,
    },
    (args) => answer(() => api.request('POST', '/v1/explain', { ...(args.workload !== undefined ? { workload: args.workload } : {}), ...(args.spec !== undefined ? { spec: args.spec } : {}) })),
  );
  server.registerTool(
    'simulate_change',
    {
      title: 'Simulate a change',
      description:
        'What if? Snapshots the cluster (nodes, bound instances, workloads), applies the proposed changes in the deterministic simulator ' +
        `for a horizon (default ${DEFAULT_HORIZON}), optionally with faults, and returns whether it converges and when, what stays pending and why, ` +
        'the placements, the trace hash and the command replaying it from the scenario file written. Changes nothing in the cluster.',
      inputSchema: {
        changes: z.array(changeSchema).min(1).max(100).describe('apply {kind: apply, workload: spec}, {kind: scale, workload, replicas}, {kind: delete, workload}, {kind: drain, node}, {kind: nodeLoss, node}, {kind: zoneLoss, zone}'),
        horizon: z.string().max(32).optional().describe('simulated time after the change, e.g. 10m'),
        faults: z.array(z.record(z.string(), z.unknown())).max(100).optional().describe('faults in the scenario format, e.g. {at: 2m, nodeCrash: {node: n1}}'),
        seed: z.number().int().min(0).optional(),
      },
      annotations: READ,
    },
    (args) => answer(() => api.request('POST', '/v1/simulate', args), renderSimulation),
  );

  if (!readOnly) {
    server.registerTool(
      'apply_workload',
      { title: 'Apply a workload', description: 'Creates the workload, or updates it (a spec change rolls it out; replicas scale it). Same spec twice changes nothing.', inputSchema: { spec: workloadSpec, revision }, annotations: WRITE },
      ({ spec, revision }) => answer(() => api.request('POST', '/v1/workloads', { spec, ...(revision !== undefined ? { revision } : {}) })),
    );
    server.registerTool(
      'scale_workload',
      { title: 'Scale a workload', description: 'Sets the number of replicas (scaling down stops instances).', inputSchema: { name, replicas: z.number().int().min(0).max(100_000), revision }, annotations: WRITE },
      ({ name, replicas, revision }) => answer(() => api.request('POST', `/v1/workloads/${enc(name)}/scale`, { replicas, ...(revision !== undefined ? { revision } : {}) })),
    );
    server.registerTool(
      'delete_workload',
      { title: 'Delete a workload', description: 'Stops every instance of the workload and forgets it.', inputSchema: { name, revision }, annotations: WRITE },
      ({ name, revision }) => answer(() => api.request('DELETE', `/v1/workloads/${enc(name)}${revision !== undefined ? `?revision=${revision}` : ''}`)),
    );
    server.registerTool(
      'cordon_node',
      { title: 'Cordon or uncordon a node', description: 'A cordoned node takes no new instances; what runs there keeps running.', inputSchema: { name, uncordon: z.boolean().optional().describe('true: uncordon instead') }, annotations: GENTLE },
      ({ name, uncordon }) => answer(() => api.request('POST', `/v1/nodes/${enc(name)}/${uncordon ? 'uncordon' : 'cordon'}`, {})),
    );
    server.registerTool(
      'drain_node',
      { title: 'Drain a node', description: 'Cordons the node and evicts its instances (they are replaced elsewhere).', inputSchema: { name }, annotations: WRITE },
      ({ name }) => answer(() => api.request('POST', `/v1/nodes/${enc(name)}/drain`, {})),
    );
  }

  server.registerResource(
    'cluster-snapshot',
    'slipway://cluster/snapshot',
    { title: 'Cluster snapshot', description: 'Nodes, workloads and instances, as JSON', mimeType: 'application/json' },
    async (uri) => {
      const [nodes, workloads, instances] = await Promise.all([
        api.request<{ items: unknown[] }>('GET', '/v1/nodes'),
        api.request<{ items: unknown[] }>('GET', '/v1/workloads'),
        api.request<{ items: unknown[] }>('GET', '/v1/instances'),
      ]);
      const text = JSON.stringify({ nodes: nodes.items, workloads: workloads.items, instances: instances.items }, null, 2);
      return { contents: [{ uri: uri.href, mimeType: 'application/json', text }] };
    },
  );
  server.registerResource(
    'workload-spec',
    new ResourceTemplate('slipway://workloads/{name}', {
      list: async () => {
        const list = await api.request<{ items: Array<{ name: string }> }>('GET', '/v1/workloads');
        return { resources: list.items.map((w) => ({ uri: `slipway://workloads/${enc(w.name)}`, name: w.name, mimeType: 'application/yaml' })) };
      },
    }),
    { title: 'Workload spec', description: "A workload's spec in the scenario format (what apply_workload takes)", mimeType: 'application/yaml' },
    async (uri, vars) => {
      const wname = decodeURIComponent(String(vars.name));
      const w = await api.request<{ spec: unknown }>('GET', `/v1/workloads/${enc(wname)}`);
      return { contents: [{ uri: uri.href, mimeType: 'application/yaml', text: stringify(w.spec) }] };
    },
  );
  return server;
}
