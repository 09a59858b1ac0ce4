/**
 * A workload's endpoints: what a Kubernetes EndpointSlice holds for a Service, the addresses of
 * its running, ready instances with the ports their containers declare (docs/networking.md).
 *
 * One instance contributes `IP:PORT` per declared container port (`IP:PORT/udp`, `IP:PORT/sctp`
 * for those protocols), or its bare `IP` when no container declares a port. An instance is an
 * endpoint while it is Running, ready (no container paused), not asked to stop, and has an address.
 */
import type { ContainerSpec, Instance } from './types.js';

/** The endpoints one instance contributes with these containers (empty when it is not ready). */
export function instanceEndpoints(inst: Instance, containers: readonly ContainerSpec[]): string[] {
  if (inst.ip === undefined || inst.status !== 'Running' || inst.notReady !== undefined || inst.stopRequestedAt !== undefined) return [];
  const out: string[] = [];
  for (const c of containers) {
    for (const p of c.ports) out.push(`${inst.ip}:${p.containerPort}${p.protocol === 'tcp' ? '' : `/${p.protocol}`}`);
  }
  return out.length > 0 ? [...new Set(out)] : [inst.ip];
}

/** Orders endpoints by address (numerically), then port, then protocol. */
export function compareEndpoints(a: string, b: string): number {
  const ka = endpointKey(a);
  const kb = endpointKey(b);
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
  return 0;
}

/** Parsed sort keys (a pure function's results: sorting a large workload's endpoints parses each many times). */
const keys = new Map<string, readonly [number, number, string]>();

function endpointKey(e: string): readonly [number, number, string] {
  let k = keys.get(e);
  if (k !== undefined) return k;
  const [hostPort, proto = ''] = e.split('/');
  const [ip, port = '0'] = hostPort.split(':');
  let v = 0;
  for (const o of ip.split('.')) v = v * 256 + Number(o);
  k = [v, Number(port), proto];
  if (keys.size >= 100_000) keys.clear();
  keys.set(e, k);
  return k;
}

/** `SLIPWAY_ENDPOINTS_<NAME>`: the workload name upper-cased, every other character than A–Z and 0–9 as `_`. */
export function endpointEnvName(workload: string): string {
  return `SLIPWAY_ENDPOINTS_${workload.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/**
 * The endpoint variables for a container created now: one per workload that has endpoints,
 * comma-separated `IP:PORT` in endpoint order; undefined when none has any (no pod network).
 * Two names that map to one variable: the first in name order wins.
 */
export function endpointEnv(workloads: ReadonlyArray<{ readonly name: string; readonly endpoints: readonly string[] }>): Record<string, string> | undefined {
  return endpointEnvJoined(workloads.filter((w) => w.endpoints.length > 0).map((w) => ({ name: w.name, joined: w.endpoints.join(',') })));
}

/** `endpointEnv` from each workload's endpoints already joined with commas (only workloads that have some). */
export function endpointEnvJoined(workloads: ReadonlyArray<{ readonly name: string; readonly joined: string }>): Record<string, string> | undefined {
  if (workloads.length === 0) return undefined;
  const sorted = [...workloads].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const env: Record<string, string> = {};
  for (const w of sorted) {
    const name = endpointEnvName(w.name);
    if (!(name in env)) env[name] = w.joined;
  }
  return env;
}
