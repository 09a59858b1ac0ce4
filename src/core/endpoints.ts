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

function endpointKey(e: string): [number, number, string] {
  const [hostPort, proto = ''] = e.split('/');
  const [ip, port = '0'] = hostPort.split(':');
  let v = 0;
  for (const o of ip.split('.')) v = v * 256 + Number(o);
  return [v, Number(port), proto];
}
