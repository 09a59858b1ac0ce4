/** `slipway get workloads|nodes|instances|endpoints [NAME] [-o table|wide|json|yaml] [-l SELECTOR]`. */
import { stringify } from 'yaml';
import { InputError } from '../../core/errors.js';
import { didYouMean } from '../../core/suggest.js';
import { formatBytes } from '../../core/resources.js';
import type { EndpointsResource, InstanceResource, NodeResource, WorkloadResource } from '../../serve/control.js';
import { clientCommand, connect, table, type ClientFlags } from './api-client.js';

export interface GetFlags extends ClientFlags {
  readonly output?: string;
  readonly selector?: string;
  readonly workload?: string;
  readonly node?: string;
}

type Kind = 'workloads' | 'nodes' | 'instances' | 'endpoints';
const KINDS: Readonly<Record<string, Kind>> = {
  workloads: 'workloads', workload: 'workloads', wl: 'workloads',
  nodes: 'nodes', node: 'nodes', no: 'nodes',
  instances: 'instances', instance: 'instances', inst: 'instances',
  endpoints: 'endpoints', ep: 'endpoints',
};
const FORMATS = ['table', 'wide', 'json', 'yaml'] as const;

export function kindOf(kind: string): Kind {
  const k = KINDS[kind];
  if (!k) throw new InputError(`kind: expected workloads, nodes, instances or endpoints, got ${JSON.stringify(kind)}${didYouMean(kind, Object.keys(KINDS))}`);
  return k;
}

const cpu = (m: number | undefined) => (m === undefined ? '-' : m % 1000 === 0 ? String(m / 1000) : `${m}m`);
const labels = (l: Readonly<Record<string, string>>) => Object.entries(l).map(([k, v]) => `${k}=${v}`).join(',') || '<none>';

/** Clock ms as a short duration (`3m12s`). */
export function age(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60 ? `${s % 60}s` : ''}`;
  return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
}

export function workloadTable(items: readonly WorkloadResource[], wide: boolean): string {
  const header = ['NAME', 'KIND', 'DESIRED', 'RUNNING', 'NOT-READY', 'UPDATED', 'PENDING', 'RESTARTS', 'GEN', 'REVISION', ...(wide ? ['LABELS', 'PENDING-REASON'] : [])];
  return table(header, items.map((w) => [w.name, w.kind, String(w.status.desired), String(w.status.running), String(w.status.notReady), String(w.status.updated), String(w.status.pending), String(w.status.restarts), String(w.generation), String(w.revision), ...(wide ? [labels(w.labels), w.status.pendingReason ?? ''] : [])]));
}

export function nodeTable(items: readonly NodeResource[], wide: boolean): string {
  const header = ['NAME', 'STATUS', 'CPU', 'MEMORY', 'INSTANCES', ...(wide ? ['ADDRESS', 'POD-CIDR', 'LABELS', 'TAINTS'] : [])];
  return table(header, items.map((n) => [
    n.name,
    n.status + (n.unschedulable ? ',SchedulingDisabled' : ''),
    `${cpu(n.allocated.cpu)}/${cpu(n.allocatable.cpu)}`,
    `${formatBytes(n.allocated.memory ?? 0)}/${formatBytes(n.allocatable.memory ?? 0)}`,
    String(n.instances),
    ...(wide ? [n.address, n.podCidr ?? '<none>', labels(n.labels), n.taints.map((t) => `${t.key}${t.value !== undefined ? `=${t.value}` : ''}:${t.effect}`).join(',') || '<none>'] : []),
  ]));
}

export function instanceTable(items: readonly InstanceResource[], wide: boolean): string {
  const header = ['ID', 'WORKLOAD', 'NODE', 'IP', 'STATUS', 'RESTARTS', 'LAST-EXIT', ...(wide ? ['GEN', 'CONTAINERS', 'REASON'] : [])];
  return table(header, items.map((i) => [
    i.id,
    i.workload,
    i.node ?? '<none>',
    i.ip ?? '<none>',
    i.status + (i.notReady !== undefined ? ',NotReady' : ''),
    String(i.restarts),
    i.lastExit ? `${i.lastExit.exitCode ?? '?'}${i.lastExit.reason ? ` (${i.lastExit.reason})` : ''}` : '-',
    ...(wide ? [String(i.generation), i.containers.map((c) => `${c.name}:${c.state}${c.exitCode !== undefined ? `(${c.exitCode})` : ''}`).join(','), i.notReady ?? i.reason ?? ''] : []),
  ]));
}

/** kubectl's `get endpoints`: the first three, then `+ N more...` (all of them with `-o wide`). */
export function endpointsTable(items: readonly EndpointsResource[], wide: boolean): string {
  const shown = (eps: readonly string[]) => (eps.length === 0 ? '<none>' : wide || eps.length <= 3 ? eps.join(',') : `${eps.slice(0, 3).join(',')} + ${eps.length - 3} more...`);
  return table(['NAME', 'ENDPOINTS'], items.map((e) => [e.workload, shown(e.endpoints)]));
}

export async function runGet(kindArg: string, name: string | undefined, flags: GetFlags): Promise<number> {
  const kind = kindOf(kindArg);
  const output = flags.output ?? 'table';
  if (!(FORMATS as readonly string[]).includes(output)) throw new InputError(`-o: expected one of ${FORMATS.join(', ')}, got ${JSON.stringify(output)}${didYouMean(output, FORMATS)}`);
  const client = connect(flags);
  return clientCommand(async () => {
    let items: unknown[];
    let single: unknown;
    if (name !== undefined) {
      single = await client.request('GET', `/v1/${kind}/${encodeURIComponent(name)}`);
      items = [single];
    } else {
      const q = new URLSearchParams();
      if (flags.selector !== undefined) q.set('selector', flags.selector);
      if (flags.workload !== undefined) q.set('workload', flags.workload);
      if (flags.node !== undefined) q.set('node', flags.node);
      const r = await client.request<{ items: unknown[] }>('GET', `/v1/${kind}${q.size ? `?${q}` : ''}`);
      items = r.items;
    }
    if (output === 'json') process.stdout.write(JSON.stringify(single ?? { items }, null, 2) + '\n');
    else if (output === 'yaml') process.stdout.write(stringify(single ?? { items }));
    else {
      const wide = output === 'wide';
      if (items.length === 0) {
        process.stderr.write(`No ${kind} found.\n`);
        return 0;
      }
      process.stdout.write(
        kind === 'workloads'
          ? workloadTable(items as WorkloadResource[], wide)
          : kind === 'nodes'
            ? nodeTable(items as NodeResource[], wide)
            : kind === 'endpoints'
              ? endpointsTable(items as EndpointsResource[], wide)
              : instanceTable(items as InstanceResource[], wide),
      );
    }
    return 0;
  });
}
