/**
 * NodeResourcesFit.
 * Filter: the node has room for the pod's requests: pods + 1 ≤ allocatable pods
 * (`Too many pods`), and for cpu, memory, ephemeral-storage and each extended resource the pod
 * requests (> 0): request ≤ allocatable - requested (`Insufficient cpu`, ...). Every shortfall is
 * reported. Resources in `ignoredResources`, and extended resources whose domain is in
 * `ignoredResourceGroups`, are not checked. The status is Unschedulable, or
 * UnschedulableAndUnresolvable when a request exceeds the node's allocatable outright (no eviction
 * can make room, so preemption skips the node), as upstream's fitsRequest marks `Unresolvable`;
 * `Too many pods` alone stays Unschedulable.
 * Score: the configured strategy over the configured resources (see scorers.ts, allocation.ts).
 */
import { scoresProvenInRange } from '../../framework/framework.js';
import { unresolvable, unschedulable, type CycleContext, type FilterStatus, type Plugin } from '../../framework/types.js';
import { parseFitArgs, type NodeResourcesFitArgs } from './args.js';
import { AllocationScorer } from './allocation.js';
import { leastAllocated, mostAllocated, requestedToCapacityRatio } from './scorers.js';

export const NODE_RESOURCES_FIT = 'NodeResourcesFit';
export const ERR_REASON_TOO_MANY_PODS = 'Too many pods';

const statusCache = new Map<string, FilterStatus>();
function insufficient(reasons: string[], outright: boolean): FilterStatus {
  const key = `${outright ? 'U' : 'u'}${reasons.join('\n')}`;
  let s = statusCache.get(key);
  if (!s) statusCache.set(key, (s = outright ? unresolvable(...reasons) : unschedulable(...reasons)));
  return s;
}

const NO_KEYS: readonly string[] = [];
let lastExt: object | undefined;
let lastKeys: readonly string[] = NO_KEYS;
/** Object.keys of a pod's extended requests, cached for the pod being filtered (called per node). */
function extKeys(ext: Readonly<Record<string, number>>): readonly string[] {
  if (ext !== lastExt) {
    lastExt = ext;
    lastKeys = Object.keys(ext);
  }
  return lastKeys;
}

export function nodeResourcesFit(rawArgs?: unknown): Plugin {
  const args: NodeResourcesFitArgs = parseFitArgs(NODE_RESOURCES_FIT, rawArgs);
  const ignored = new Set(args.ignoredResources);
  const groups = new Set(args.ignoredResourceGroups);
  /** ignoredResources, or an extended resource (DOMAIN/NAME outside kubernetes.io) whose DOMAIN is in ignoredResourceGroups. */
  const skip = (k: string): boolean => ignored.has(k) || (groups.size > 0 && k.includes('/') && !k.includes('kubernetes.io/') && groups.has(k.slice(0, k.indexOf('/'))));
  const ss = args.scoringStrategy;
  const strategy =
    ss.type === 'LeastAllocated' ? leastAllocated : ss.type === 'MostAllocated' ? mostAllocated : requestedToCapacityRatio(ss.shape);
  const scorer = new AllocationScorer(ss.resources, false, strategy);
  const filter = (cx: CycleContext, i: number): FilterStatus | undefined => {
    const t = cx.table;
    const r = cx.pod.requests;
    let reasons: string[] | undefined;
    /** A request larger than the node's allocatable: evicting pods cannot help. */
    let outright = false;
    if (t.podCount[i] + 1 > t.allocPods[i]) (reasons ??= []).push(ERR_REASON_TOO_MANY_PODS);
    if (r.cpu > 0 && r.cpu > t.allocCpu[i] - t.reqCpu[i]) {
      (reasons ??= []).push('Insufficient cpu');
      outright ||= r.cpu > t.allocCpu[i];
    }
    if (r.memory > 0 && r.memory > t.allocMem[i] - t.reqMem[i]) {
      (reasons ??= []).push('Insufficient memory');
      outright ||= r.memory > t.allocMem[i];
    }
    if (r.disk > 0 && r.disk > t.allocDisk[i] - t.reqDisk[i]) {
      (reasons ??= []).push('Insufficient ephemeral-storage');
      outright ||= r.disk > t.allocDisk[i];
    }
    const ext = extKeys(r.extended);
    for (let e = 0; e < ext.length; e++) {
      const k = ext[e];
      const want = r.extended[k];
      if (want === 0 || skip(k)) continue;
      if (want > (t.allocExt[i][k] ?? 0) - (t.reqExt[i][k] ?? 0)) {
        (reasons ??= []).push(`Insufficient ${k}`);
        outright ||= want > (t.allocExt[i][k] ?? 0);
      }
    }
    return reasons ? insufficient(reasons, outright) : undefined;
  };
  const plugin: Plugin = {
    name: NODE_RESOURCES_FIT,
    filter,
    // The common checks inline; a node failing one (or any pod with extended requests) gets the
    // per-node filter, which lists every shortfall.
    filterAll: (cx, nodes, count, statuses) => {
      const t = cx.table;
      const r = cx.pod.requests;
      const cpu = r.cpu;
      const mem = r.memory;
      const disk = r.disk;
      const ext = extKeys(r.extended).length > 0;
      const { podCount, allocPods, allocCpu, reqCpu, allocMem, reqMem, allocDisk, reqDisk } = t;
      let m = 0;
      for (let k = 0; k < count; k++) {
        const i = nodes[k];
        if (
          ext ||
          podCount[i] + 1 > allocPods[i] ||
          (cpu > 0 && cpu > allocCpu[i] - reqCpu[i]) ||
          (mem > 0 && mem > allocMem[i] - reqMem[i]) ||
          (disk > 0 && disk > allocDisk[i] - reqDisk[i])
        ) {
          const st = filter(cx, i);
          if (st !== undefined) {
            statuses[i] = st;
            continue;
          }
        }
        nodes[m++] = i;
      }
      return m;
    },
    preScore: (cx) => {
      scorer.prepare(cx);
      return undefined;
    },
    score: (cx, i) => scorer.score(cx, i),
    scoreAll: (cx, nodes, count, out) => scorer.scoreAll(cx, nodes, count, out),
  };
  // Least/MostAllocated: ⌊Σ s_r · w_r / Σ w_r⌋ with integer s_r ∈ [0, 100] is in range.
  // RequestedToCapacityRatio keeps the framework's check (its shape scores need not be integers).
  return ss.type === 'RequestedToCapacityRatio' ? plugin : scoresProvenInRange(plugin);
}
