/**
 * A window of the Alibaba DLRM trace as a Slipway scenario (issue 7, item 7): real arrivals and
 * departures over time, run by the reconciler. Pure: returns the YAML text and figures.
 *
 * - One service per *shape* of an app: the instances of an app with the same role, requests,
 *   limits and max_instance_per_node are interchangeable replicas, so they form one workload whose
 *   `replicas` follow the trace: the count alive when the window opens, then a `scale` operation
 *   at every second in which instances of that shape are created or deleted (495 shapes for the
 *   23,871 instances of the whole trace; one workload per instance would be 48 times as many
 *   workloads plus a delete operation each). Which replica a scale-down removes is the
 *   reconciler's choice, not the trace's: counts per shape over time are exact, identities not.
 * - Requests: cpu (vCPU), memory and disk (GiB, rounded up to MiB), gpu as
 *   `alibabacloud.com/gpu-milli` (1000 per GPU, as `slipway import alibaba-gpu`), rdma as
 *   `rdma/bandwidth` (percent of one RNIC). Limits: cpu, memory and disk.
 * - max_instance_per_node N ≥ 1 becomes the label `slipway.dev/max-instances-per-node: "N"`,
 *   enforced exactly by the MaxInstancesPerNode filter (at most N pods with the app's `app` label
 *   per node). -1 is no label.
 * - The trace has no node list: two homogeneous pools, CN (CPU nodes) and HN (GPU nodes), labelled
 *   `slipway.dev/dlrm-role`; each workload selects its role's pool with a nodeSelector.
 */
import { stringify } from 'yaml';
import { InputError } from '../core/errors.js';
import { GPU_MILLI_RESOURCE } from '../gpu/trace-scenario.js';
import { MAX_INSTANCES_LABEL } from '../scheduler/plugins/max-instances-per-node/index.js';
import { DLRM_ROLES, type DlrmInstance, type DlrmResources, type DlrmRole } from './trace-csv.js';
import { TRACE_CONTROL_PLANE } from '../gpu/csv-records.js';

export const RDMA_RESOURCE = 'rdma/bandwidth';
export const ROLE_LABEL = 'slipway.dev/dlrm-role';
/** Pools are sized so the window's peak demand uses this fraction of their dominant resource. */
export const TARGET_UTILIZATION = 0.8;

/** The synthesized node of each pool (docs/dlrm.md, "The synthesized cluster"). */
export const NODE_SHAPES: Readonly<Record<DlrmRole, DlrmResources>> = {
  // a dual-socket CPU server with two RNICs: the largest CN instance (192 vCPU, 1000 GiB) fits one
  CN: { cpuMilli: 192_000, memoryMiB: 1536 * 1024, diskMiB: 4096 * 1024, gpu: 0, rdma: 200 },
  // an 8-GPU server with two RNICs: eight of the common HN instance (8 vCPU, 40 GiB, 1 GPU, 25% RDMA)
  HN: { cpuMilli: 128_000, memoryMiB: 1024 * 1024, diskMiB: 6144 * 1024, gpu: 8, rdma: 200 },
};

const RESOURCE_KEYS = ['cpuMilli', 'memoryMiB', 'diskMiB', 'gpu', 'rdma'] as const;

export interface DlrmScenarioOptions {
  readonly name: string;
  /** Start of the window, in trace seconds. */
  readonly fromS: number;
  /** Length of the window (and of the run), in seconds; > 0. */
  readonly windowS: number;
  /** Total nodes (split between the pools by their peak demand); default: sized for TARGET_UTILIZATION. */
  readonly nodes?: number;
  /**
   * Keep only the K apps with the most creations and deletions in the window (ties: more
   * instances, then name): a smaller, still faithful scenario of the busiest apps.
   */
  readonly apps?: number;
  readonly seed?: number;
  readonly source: string;
}

export interface PoolFigures {
  readonly nodes: number;
  /** Instances of the role alive at the window's busiest second. */
  readonly peakInstances: number;
  /** Per resource: the peak demand over the window / the pool's capacity. */
  readonly peakUtilization: Readonly<Record<(typeof RESOURCE_KEYS)[number], number>>;
}

export interface DlrmScenario {
  readonly yaml: string;
  readonly workloads: number;
  readonly apps: number;
  readonly instances: number;
  /** Instances alive when the window opens. */
  readonly alive: number;
  readonly created: number;
  readonly deleted: number;
  readonly scaleOperations: number;
  readonly pools: Readonly<Partial<Record<DlrmRole, PoolFigures>>>;
}

function seconds(s: number): string {
  return `${Math.max(0, Math.round(s))}s`;
}

function dnsLabel(s: string): string {
  const l = s
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return l === '' ? 'x' : l;
}

function shapeKey(i: DlrmInstance): string {
  const r = (x: DlrmResources) => RESOURCE_KEYS.map((k) => x[k]).join(',');
  return `${i.role}|${r(i.request)}|${r(i.limit)}|${i.maxPerNode ?? -1}`;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

interface Group {
  readonly name: string;
  readonly app: string;
  readonly sample: DlrmInstance;
  readonly initial: number;
  /** Offset second → net change of replicas. */
  readonly deltas: Map<number, number>;
}

export function dlrmScenario(instances: readonly DlrmInstance[], o: DlrmScenarioOptions): DlrmScenario {
  const end = o.fromS + o.windowS;
  const windowSec = Math.round(o.windowS);
  let inWindow = instances.filter((i) => (i.creationTime ?? -Infinity) < end && (i.deletionTime === undefined || i.deletionTime > o.fromS));
  if (o.apps !== undefined) {
    const churn = new Map<string, { events: number; instances: number }>();
    for (const i of inWindow) {
      const c = churn.get(i.app) ?? { events: 0, instances: 0 };
      churn.set(i.app, c);
      c.instances++;
      if (i.creationTime !== undefined && i.creationTime > o.fromS) c.events++;
      if (i.deletionTime !== undefined && i.deletionTime < end) c.events++;
    }
    const kept = new Set(
      [...churn.entries()]
        .sort(([a, x], [b, y]) => y.events - x.events || y.instances - x.instances || cmp(a, b))
        .slice(0, o.apps)
        .map(([app]) => app),
    );
    inWindow = inWindow.filter((i) => kept.has(i.app));
  }

  // app → shape key → instances; workload names follow sorted app names and shape keys
  const byApp = new Map<string, Map<string, DlrmInstance[]>>();
  for (const i of inWindow) {
    const shapes = byApp.get(i.app) ?? new Map<string, DlrmInstance[]>();
    byApp.set(i.app, shapes);
    const list = shapes.get(shapeKey(i)) ?? [];
    shapes.set(shapeKey(i), list);
    list.push(i);
  }
  const groups: Group[] = [];
  const names = new Set<string>();
  let alive = 0;
  let created = 0;
  let deleted = 0;
  for (const app of [...byApp.keys()].sort(cmp)) {
    const shapes = byApp.get(app)!;
    const perRole = new Map<DlrmRole, number>();
    for (const key of [...shapes.keys()].sort(cmp)) {
      const list = shapes.get(key)!;
      const sample = list[0];
      const k = (perRole.get(sample.role) ?? 0) + 1;
      perRole.set(sample.role, k);
      const name = `${dnsLabel(app).slice(0, 50)}-${sample.role.toLowerCase()}-${k}`;
      if (names.has(name)) throw new InputError(`apps ${JSON.stringify(app)} and another map to the same workload name ${name}`);
      names.add(name);
      let initial = 0;
      const deltas = new Map<number, number>();
      const add = (t: number, d: number) => {
        const at = Math.round(t - o.fromS);
        if (at <= 0) initial += d;
        else if (at < windowSec) deltas.set(at, (deltas.get(at) ?? 0) + d);
      };
      for (const i of list) {
        if (i.creationTime === undefined || i.creationTime <= o.fromS) {
          alive++;
          initial++;
        } else {
          created++;
          add(i.creationTime, 1);
        }
        if (i.deletionTime !== undefined && i.deletionTime < end) {
          deleted++;
          add(i.deletionTime, -1);
        }
      }
      groups.push({ name, app: dnsLabel(app), sample, initial, deltas });
    }
  }

  // replicas over time per workload → scale operations; demand per pool over time → pool sizes
  const ops: { at: number; workload: string; replicas: number }[] = [];
  const demandDeltas = new Map<DlrmRole, Map<number, number[]>>();
  const vec = (i: DlrmInstance, n: number) => RESOURCE_KEYS.map((k) => i.request[k] * n);
  const poolInitial = new Map<DlrmRole, number[]>();
  const countDeltas = new Map<DlrmRole, Map<number, number>>();
  const poolInitialCount = new Map<DlrmRole, number>();
  for (const g of groups) {
    const role = g.sample.role;
    const init = poolInitial.get(role) ?? RESOURCE_KEYS.map(() => 0);
    vec(g.sample, g.initial).forEach((v, k) => (init[k] += v));
    poolInitial.set(role, init);
    poolInitialCount.set(role, (poolInitialCount.get(role) ?? 0) + g.initial);
    const dd = demandDeltas.get(role) ?? new Map<number, number[]>();
    demandDeltas.set(role, dd);
    const cd = countDeltas.get(role) ?? new Map<number, number>();
    countDeltas.set(role, cd);
    let replicas = g.initial;
    for (const at of [...g.deltas.keys()].sort((a, b) => a - b)) {
      const d = g.deltas.get(at)!;
      if (d === 0) continue;
      replicas += d;
      ops.push({ at, workload: g.name, replicas });
      const v = dd.get(at) ?? RESOURCE_KEYS.map(() => 0);
      vec(g.sample, d).forEach((x, k) => (v[k] += x));
      dd.set(at, v);
      cd.set(at, (cd.get(at) ?? 0) + d);
    }
  }
  ops.sort((a, b) => a.at - b.at || cmp(a.workload, b.workload));

  const peaks = new Map<DlrmRole, { demand: number[]; count: number }>();
  for (const role of DLRM_ROLES) {
    if (!poolInitial.has(role)) continue;
    const cur = [...poolInitial.get(role)!];
    const peak = [...cur];
    let count = poolInitialCount.get(role)!;
    let peakCount = count;
    const dd = demandDeltas.get(role)!;
    const cd = countDeltas.get(role)!;
    for (const at of [...dd.keys()].sort((a, b) => a - b)) {
      dd.get(at)!.forEach((x, k) => {
        cur[k] += x;
        peak[k] = Math.max(peak[k], cur[k]);
      });
      count += cd.get(at) ?? 0;
      peakCount = Math.max(peakCount, count);
    }
    peaks.set(role, { demand: peak, count: peakCount });
  }
  // the cap binds too: a shape capped at N needs ⌈peak instances of its app in the pool / N⌉ nodes
  const capNodes = new Map<DlrmRole, number>();
  const byAppRole = new Map<string, Group[]>();
  for (const g of groups) {
    const key = `${g.app}|${g.sample.role}`;
    byAppRole.set(key, [...(byAppRole.get(key) ?? []), g]);
  }
  for (const gs of byAppRole.values()) {
    const caps = gs.map((g) => g.sample.maxPerNode).filter((c): c is number => c !== undefined);
    if (caps.length === 0) continue;
    let count = gs.reduce((s, g) => s + g.initial, 0);
    let peak = count;
    const deltas = new Map<number, number>();
    for (const g of gs) for (const [at, d] of g.deltas) deltas.set(at, (deltas.get(at) ?? 0) + d);
    for (const at of [...deltas.keys()].sort((a, b) => a - b)) peak = Math.max(peak, (count += deltas.get(at)!));
    const role = gs[0].sample.role;
    capNodes.set(role, Math.max(capNodes.get(role) ?? 1, Math.ceil(peak / Math.min(...caps))));
  }
  const roles = [...peaks.keys()];
  const needed = new Map<DlrmRole, number>();
  for (const role of roles) {
    const shape = NODE_SHAPES[role];
    let n = capNodes.get(role) ?? 1;
    RESOURCE_KEYS.forEach((k, j) => {
      if (shape[k] > 0) n = Math.max(n, Math.ceil(peaks.get(role)!.demand[j] / (TARGET_UTILIZATION * shape[k])));
    });
    needed.set(role, n);
  }
  const nodeCount = new Map<DlrmRole, number>(needed);
  if (o.nodes !== undefined && roles.length > 0) {
    if (o.nodes < roles.length) throw new InputError(`--nodes: the window needs ${roles.join(' and ')} nodes, so at least ${roles.length}, got ${o.nodes}`);
    const total = roles.reduce((s, r) => s + needed.get(r)!, 0);
    let left = o.nodes;
    roles.forEach((r, idx) => {
      const n = idx === roles.length - 1 ? left : Math.max(1, Math.min(left - (roles.length - idx - 1), Math.round((o.nodes! * needed.get(r)!) / total)));
      nodeCount.set(r, n);
      left -= n;
    });
  }

  const pools: Partial<Record<DlrmRole, PoolFigures>> = {};
  for (const role of roles) {
    const shape = NODE_SHAPES[role];
    const n = nodeCount.get(role)!;
    const u = {} as Record<(typeof RESOURCE_KEYS)[number], number>;
    RESOURCE_KEYS.forEach((k, j) => (u[k] = shape[k] > 0 ? peaks.get(role)!.demand[j] / (n * shape[k]) : 0));
    pools[role] = { nodes: n, peakInstances: peaks.get(role)!.count, peakUtilization: u };
  }

  const resources = (r: DlrmResources, withExtended: boolean): Record<string, string | number> => {
    const out: Record<string, string | number> = { cpu: `${r.cpuMilli}m`, memory: `${r.memoryMiB}Mi`, disk: `${r.diskMiB}Mi` };
    if (withExtended && r.gpu > 0) out[GPU_MILLI_RESOURCE] = r.gpu * 1000;
    if (withExtended && r.rdma > 0) out[RDMA_RESOURCE] = r.rdma;
    return out;
  };

  const doc = {
    name: o.name,
    description: `Alibaba DLRM trace v2025, trace seconds ${o.fromS}..${end}: ${o.source}`,
    seed: o.seed ?? 1,
    duration: seconds(o.windowS),
    nodes: roles.map((role) => ({
      name: `${role.toLowerCase()}-{i:3}`,
      count: nodeCount.get(role)!,
      capacity: resources(NODE_SHAPES[role], true),
      labels: { [ROLE_LABEL]: role },
    })),
    workloads: groups.map((g) => ({
      name: g.name,
      replicas: g.initial,
      labels: {
        app: g.app,
        [ROLE_LABEL]: g.sample.role,
        ...(g.sample.maxPerNode !== undefined ? { [MAX_INSTANCES_LABEL]: String(g.sample.maxPerNode) } : {}),
      },
      containers: [
        {
          name: 'task',
          image: `alibaba-dlrm-trace/${g.sample.role.toLowerCase()}:v2025`,
          requests: resources(g.sample.request, true),
          limits: resources(g.sample.limit, false),
        },
      ],
      placement: { nodeSelector: { [ROLE_LABEL]: g.sample.role } },
    })),
    operations: ops.map((op) => ({ at: seconds(op.at), scale: { workload: op.workload, replicas: op.replicas } })),
    controlPlane: { ...TRACE_CONTROL_PLANE },
  };
  return {
    yaml: stringify(doc, { lineWidth: 0 }),
    workloads: groups.length,
    apps: byApp.size,
    instances: inWindow.length,
    alive,
    created,
    deleted,
    scaleOperations: ops.length,
    pools,
  };
}
