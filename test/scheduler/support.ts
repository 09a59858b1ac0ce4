/** Builders for scheduler tests: nodes, pods and one-profile frameworks. */
import type { Placement } from '../../src/core/placement.js';
import { resources } from '../../src/core/resources.js';
import type { Taint } from '../../src/core/types.js';
import { RandomStream } from '../../src/engine/random.js';
import type { Explanation } from '../../src/scheduler/framework/framework.js';
import { NodeTable, type NodeSpec } from '../../src/scheduler/framework/node-table.js';
import { nonZeroRequests, type PodInfo } from '../../src/scheduler/framework/pod.js';
import { createFramework, type PluginConfig } from '../../src/scheduler/profiles.js';

export interface NodeOpts {
  cpu: number;
  memory: number;
  disk?: number;
  pods?: number;
  ext?: Record<string, number>;
  labels?: Record<string, string>;
  taints?: Taint[];
  unschedulable?: boolean;
  images?: Record<string, number>;
}

export function mkNode(name: string, o: NodeOpts): NodeSpec {
  return {
    name,
    labels: o.labels ?? {},
    taints: o.taints ?? [],
    unschedulable: o.unschedulable ?? false,
    allocatable: resources({ cpu: o.cpu, memory: o.memory, disk: o.disk ?? 0, extended: o.ext ?? {} }),
    ...(o.pods !== undefined ? { maxPods: o.pods } : {}),
    ...(o.images ? { images: new Map(Object.entries(o.images)) } : {}),
  };
}

export interface PodOpts {
  containers?: Array<{ cpu?: number; memory?: number; ext?: Record<string, number> }>;
  labels?: Record<string, string>;
  priority?: number;
  placement?: Placement;
  owner?: string;
  images?: string[];
  startedAt?: number;
  namespace?: string;
}

export function mkPod(name: string, o: PodOpts = {}): PodInfo {
  const containers = (o.containers ?? [{}]).map((c) => ({
    requests: resources({ cpu: c.cpu ?? 0, memory: c.memory ?? 0, extended: c.ext ?? {} }),
  }));
  const req = resources();
  const total = containers.reduce(
    (acc, c) => {
      acc.cpu += c.requests.cpu;
      acc.memory += c.requests.memory;
      for (const [k, v] of Object.entries(c.requests.extended)) acc.extended[k] = (acc.extended[k] ?? 0) + v;
      return acc;
    },
    { ...req, extended: {} as Record<string, number> },
  );
  const nz = nonZeroRequests({ containers });
  return {
    name,
    namespace: o.namespace ?? 'default',
    labels: o.labels ?? {},
    priority: o.priority ?? 0,
    requests: total,
    nonZeroCpu: nz.cpu,
    nonZeroMemory: nz.memory,
    images: o.images ?? [],
    placement: o.placement ?? {},
    uid: name,
    ...(o.owner !== undefined ? { owner: o.owner } : {}),
    ...(o.startedAt !== undefined ? { startedAt: o.startedAt } : {}),
  };
}

/** A table with `bound` pods: [nodeIndex, pod] pairs. */
export function mkTable(nodes: NodeSpec[], bound: Array<[number, PodInfo]> = []): NodeTable {
  const t = new NodeTable(nodes);
  for (const [i, p] of bound) t.addPod(i, p);
  return t;
}

export function explainWith(plugins: PluginConfig[], pod: PodInfo, table: NodeTable, seed = 1): Explanation {
  const fw = createFramework({ name: 'test', plugins, percentageOfNodesToScore: 100 }, new RandomStream('scheduler', seed));
  return fw.explain(pod, table);
}

/** Final (normalized) score of `plugin` per node name; feasible nodes only. */
export function scoresOf(e: Explanation, table: NodeTable, plugin: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const n of e.nodes) if (n.feasible && plugin in n.scores) out[table.names[n.node]] = n.scores[plugin];
  return out;
}

/** Filter reasons per node name (empty list = feasible). */
export function reasonsOf(e: Explanation, table: NodeTable): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const n of e.nodes) out[table.names[n.node]] = n.filters.flatMap((f) => (f.status ? [...f.status.reasons] : []));
  return out;
}
