/** `slipway describe workload NAME`: status, rollout, instances, recent events and, when pending, why. */
import { InputError } from '../../core/errors.js';
import { didYouMean } from '../../core/suggest.js';
import type { InstanceResource, RolloutStatus, WorkloadResource } from '../../serve/control.js';
import type { ServeEvent } from '../../serve/events.js';
import { clientCommand, connect, safe, type ClientFlags } from './api-client.js';
import { instanceTable } from './get.js';

interface ExplainAnswer {
  chosen: string | null;
  pendingReason?: string;
  nodes: Array<{ name: string; feasible: boolean; reasons: string[] }>;
}

/** Events shown. */
const RECENT = 15;

export async function runDescribe(kind: string, name: string, flags: ClientFlags): Promise<number> {
  if (kind !== 'workload' && kind !== 'workloads' && kind !== 'wl') throw new InputError(`kind: describe supports workload, got ${JSON.stringify(kind)}${didYouMean(kind, ['workload'])}`);
  const client = connect(flags);
  return clientCommand(async () => {
    const p = encodeURIComponent(name);
    const w = await client.request<WorkloadResource>('GET', `/v1/workloads/${p}`);
    const [rollout, inst, ev] = await Promise.all([
      client.request<RolloutStatus>('GET', `/v1/workloads/${p}/rollout`),
      client.request<{ items: InstanceResource[] }>('GET', `/v1/instances?workload=${p}`),
      client.request<{ events: ServeEvent[] }>('GET', `/v1/events?workload=${p}`),
    ]);
    const out: string[] = [];
    const kv = (k: string, v: unknown) => out.push(`${(k + ':').padEnd(14)}${safe(v)}`);
    kv('Name', w.name);
    kv('Kind', w.kind);
    kv('Labels', Object.entries(w.labels).map(([k, v]) => `${k}=${v}`).join(', ') || '<none>');
    kv('Revision', w.revision);
    kv('Generation', w.generation);
    kv('Replicas', `${w.status.desired} desired, ${w.status.running} running, ${w.status.notReady ? `${w.status.notReady} not ready (paused), ` : ''}${w.status.updated} updated, ${w.status.pending} pending, ${w.status.terminating} terminating`);
    kv('Restarts', w.status.restarts);
    if (w.kind === 'job') kv('Job', `${w.status.succeeded} succeeded, ${w.status.failed} failed${w.status.completed ? ', completed' : w.status.jobFailed ? ', FAILED' : ''}`);
    kv('Rollout', rollout.message);
    const images = Array.isArray(w.spec.containers) ? (w.spec.containers as Array<{ name?: unknown; image?: unknown }>).map((c) => `${String(c.name)}=${String(c.image)}`).join(', ') : '';
    kv('Containers', images);
    out.push('', 'Instances:');
    out.push(inst.items.length ? instanceTable(inst.items, false).trimEnd().split('\n').map((l) => '  ' + l).join('\n') : '  <none>');
    if (w.status.pending > 0) {
      const ex = await client.request<ExplainAnswer>('POST', '/v1/explain', { workload: name });
      out.push('', 'Why pending:');
      if (w.status.pendingReason) out.push(`  ${safe(w.status.pendingReason)}`);
      const infeasible = ex.nodes.filter((n) => !n.feasible);
      for (const n of infeasible.slice(0, 10)) out.push(`  ${safe(n.name)}: ${safe(n.reasons.join('; '))}`);
      if (infeasible.length > 10) out.push(`  ... and ${infeasible.length - 10} more nodes`);
      out.push(ex.chosen ? `  one more instance would go to ${safe(ex.chosen)} now` : '  no node fits one more instance now');
    }
    out.push('', 'Events:');
    const recent = ev.events.slice(-RECENT);
    if (recent.length === 0) out.push('  <none>');
    for (const e of recent) {
      const fields = Object.entries(e.data)
        .filter(([k, v]) => k !== 'workload' && (typeof v !== 'object' || v === null))
        .map(([k, v]) => `${k}=${v}`)
        .join(' ');
      out.push(`  ${String(e.revision).padStart(6)}  ${e.wallTime.slice(11, 19)}  ${safe(e.type)}  ${safe(fields)}`);
    }
    process.stdout.write(out.join('\n') + '\n');
    return 0;
  });
}
