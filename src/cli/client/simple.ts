/** `slipway scale`, `delete`, `cordon`, `uncordon`, `drain`, `logs`: one request each. */
import { InputError } from '../../core/errors.js';
import { clientCommand, connect, safe, type ClientFlags } from './api-client.js';

function revisionOf(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new InputError(`--revision: expected a non-negative integer, got ${JSON.stringify(v)}`);
  return Number(v);
}

export async function runScale(name: string, replicas: string, flags: ClientFlags & { revision?: string }): Promise<number> {
  if (!/^\d+$/.test(replicas)) throw new InputError(`replicas: expected a non-negative integer, got ${JSON.stringify(replicas)}`);
  const revision = revisionOf(flags.revision);
  const client = connect(flags);
  return clientCommand(async () => {
    const r = await client.request<{ name: string; status: { desired: number } }>('POST', `/v1/workloads/${encodeURIComponent(name)}/scale`, { replicas: Number(replicas), ...(revision !== undefined ? { revision } : {}) });
    process.stdout.write(`workload/${safe(r.name)} scaled to ${r.status.desired}\n`);
    return 0;
  });
}

export async function runDelete(name: string, flags: ClientFlags & { revision?: string }): Promise<number> {
  const revision = revisionOf(flags.revision);
  const client = connect(flags);
  return clientCommand(async () => {
    await client.request('DELETE', `/v1/workloads/${encodeURIComponent(name)}${revision !== undefined ? `?revision=${revision}` : ''}`);
    process.stdout.write(`workload/${safe(name)} deleted\n`);
    return 0;
  });
}

export async function runNodeAction(action: 'cordon' | 'uncordon' | 'drain', node: string, flags: ClientFlags): Promise<number> {
  const client = connect(flags);
  return clientCommand(async () => {
    const r = await client.request<{ evicted?: number }>('POST', `/v1/nodes/${encodeURIComponent(node)}/${action}`, {});
    const done = action === 'cordon' ? 'cordoned' : action === 'uncordon' ? 'uncordoned' : `drained (${r.evicted ?? 0} instances evicted)`;
    process.stdout.write(`node/${safe(node)} ${done}\n`);
    return 0;
  });
}

export async function runLogs(instance: string, flags: ClientFlags & { container?: string; tail?: string }): Promise<number> {
  if (flags.tail !== undefined && !/^\d+$/.test(flags.tail)) throw new InputError(`--tail: expected a non-negative integer, got ${JSON.stringify(flags.tail)}`);
  const client = connect(flags);
  return clientCommand(async () => {
    const q = new URLSearchParams();
    if (flags.container !== undefined) q.set('container', flags.container);
    if (flags.tail !== undefined) q.set('tail', flags.tail);
    const r = await client.request<{ lines: string[] }>('GET', `/v1/instances/${encodeURIComponent(instance)}/logs${q.size ? `?${q}` : ''}`);
    for (const l of r.lines) process.stdout.write(safe(l) + '\n');
    return 0;
  });
}
