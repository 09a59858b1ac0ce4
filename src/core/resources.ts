/**
 * Resource vectors. cpu is in millicores, memory and disk in bytes, extended resources
 * (e.g. `nvidia.com/gpu`, `example.com/foo`) in whole units, as Kubernetes counts them.
 * All values are non-negative integers; arithmetic here is exact.
 */
export interface Resources {
  readonly cpu: number;
  readonly memory: number;
  readonly disk: number;
  readonly extended: Readonly<Record<string, number>>;
}

export const ZERO: Resources = Object.freeze({ cpu: 0, memory: 0, disk: 0, extended: Object.freeze({}) });

export function resources(partial: Partial<Resources> = {}): Resources {
  return {
    cpu: partial.cpu ?? 0,
    memory: partial.memory ?? 0,
    disk: partial.disk ?? 0,
    extended: { ...(partial.extended ?? {}) },
  };
}

/**
 * Which of cpu and memory a request map gives explicitly as 0 (ContainerSpec.zeroRequests), or
 * undefined when neither is: kube-scheduler scores an absent request with its non-zero default,
 * an explicit 0 as 0.
 */
export function zeroRequestsOf(given: { readonly cpu?: number; readonly memory?: number } | undefined): Array<'cpu' | 'memory'> | undefined {
  if (!given) return undefined;
  const out: Array<'cpu' | 'memory'> = [];
  if (given.cpu === 0) out.push('cpu');
  if (given.memory === 0) out.push('memory');
  return out.length ? out : undefined;
}

/** Mutable accumulator used for per-node accounting (avoids allocating on hot paths). */
export interface ResourceTally {
  cpu: number;
  memory: number;
  disk: number;
  extended: Record<string, number>;
}

export function tally(): ResourceTally {
  return { cpu: 0, memory: 0, disk: 0, extended: {} };
}

export function addInto(acc: ResourceTally, r: Resources, sign: 1 | -1 = 1): void {
  acc.cpu += sign * r.cpu;
  acc.memory += sign * r.memory;
  acc.disk += sign * r.disk;
  for (const k of Object.keys(r.extended)) {
    const v = (acc.extended[k] ?? 0) + sign * r.extended[k];
    if (v === 0) delete acc.extended[k];
    else acc.extended[k] = v;
  }
}

export function add(a: Resources, b: Resources): Resources {
  const t = tally();
  addInto(t, a);
  addInto(t, b);
  return t;
}

export function sum(list: readonly Resources[]): Resources {
  const t = tally();
  for (const r of list) addInto(t, r);
  return t;
}

/**
 * The first resource for which `used + request > allocatable`, or undefined when the request fits.
 * Resource names are reported the way Kubernetes does: `cpu`, `memory`, `ephemeral-storage`, or
 * the extended resource's own name.
 */
export function firstShortfall(
  request: Resources,
  used: Resources | ResourceTally,
  allocatable: Resources,
): string | undefined {
  if (request.cpu > 0 && used.cpu + request.cpu > allocatable.cpu) return 'cpu';
  if (request.memory > 0 && used.memory + request.memory > allocatable.memory) return 'memory';
  if (request.disk > 0 && used.disk + request.disk > allocatable.disk) return 'ephemeral-storage';
  for (const k of Object.keys(request.extended)) {
    const want = request.extended[k];
    if (want > 0 && (used.extended[k] ?? 0) + want > (allocatable.extended[k] ?? 0)) return k;
  }
  return undefined;
}

export function fits(request: Resources, used: Resources | ResourceTally, allocatable: Resources): boolean {
  return firstShortfall(request, used, allocatable) === undefined;
}

/** Human-readable rendering: `cpu=1500m memory=2Gi`. */
export function formatResources(r: Resources): string {
  const parts = [`cpu=${r.cpu}m`, `memory=${formatBytes(r.memory)}`];
  if (r.disk) parts.push(`disk=${formatBytes(r.disk)}`);
  for (const k of Object.keys(r.extended).sort()) parts.push(`${k}=${r.extended[k]}`);
  return parts.join(' ');
}

export function formatBytes(n: number): string {
  const units: Array<[string, number]> = [
    ['Ti', 2 ** 40],
    ['Gi', 2 ** 30],
    ['Mi', 2 ** 20],
    ['Ki', 2 ** 10],
  ];
  for (const [u, f] of units) if (n >= f && n % f === 0) return `${n / f}${u}`;
  return String(n);
}
