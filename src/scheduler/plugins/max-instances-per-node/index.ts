/**
 * MaxInstancesPerNode: a hard cap on how many instances of one app a node may hold, the semantics
 * of the Alibaba DLRM trace's `max_instance_per_node` (docs/dlrm.md). Kubernetes has no exact
 * equivalent: PodTopologySpread's maxSkew bounds the difference between domains, not the count
 * on one node, and required pod anti-affinity caps at 1.
 *
 * A pod opts in with the label `slipway.dev/max-instances-per-node: "N"` (N ≥ 1). Filter: node i
 * is rejected when it already holds N or more pods (terminating ones included: they still occupy
 * the node) of the same app, i.e. in the pod's namespace with the same `app` label value (the
 * pod's workload when it has no `app` label) → `node(s) already hold the maximum instances of the
 * app per node`. Pods without the label skip the plugin. No score.
 */
import { argsObject } from '../../framework/args.js';
import { filterEachNode } from '../../framework/helpers.js';
import type { PodInfo } from '../../framework/pod.js';
import { StateKey, unschedulable, type CycleContext, type FilterStatus, type Plugin } from '../../framework/types.js';

export const MAX_INSTANCES_PER_NODE = 'MaxInstancesPerNode';
export const MAX_INSTANCES_LABEL = 'slipway.dev/max-instances-per-node';
export const APP_LABEL = 'app';
export const ERR_REASON_MAX_INSTANCES = 'node(s) already hold the maximum instances of the app per node';
const FULL = unschedulable(ERR_REASON_MAX_INSTANCES);

interface CapState {
  readonly cap: number;
  readonly sameApp: (p: PodInfo) => boolean;
}

/** The pod's cap from its label: a positive integer, or undefined when there is none. */
export function instanceCap(pod: PodInfo): number | undefined {
  const raw = pod.labels[MAX_INSTANCES_LABEL];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  return /^[0-9]+$/.test(raw) && Number.isSafeInteger(n) && n >= 1 ? n : undefined;
}

function sameAppMatcher(pod: PodInfo): (p: PodInfo) => boolean {
  const app = pod.labels[APP_LABEL];
  if (app !== undefined) return (p) => p.namespace === pod.namespace && p.labels[APP_LABEL] === app;
  const owner = pod.owner;
  return (p) => owner !== undefined && p.owner === owner;
}

/** PreFilter → Filter: the cap and who counts against it (absent: the pod has no cap). */
const KEY = new StateKey<CapState>(`${MAX_INSTANCES_PER_NODE}/state`);

export function maxInstancesPerNode(args?: unknown): Plugin {
  argsObject(MAX_INSTANCES_PER_NODE, args, []);
  const filter = (cx: CycleContext, i: number): FilterStatus | undefined => {
    const s = cx.state.read(KEY);
    if (s === undefined) return undefined;
    let n = 0;
    for (const p of cx.table.pods[i]) if (s.sameApp(p) && ++n >= s.cap) return FULL;
    return undefined;
  };
  return {
    name: MAX_INSTANCES_PER_NODE,
    preFilterDependsOnPods: false,
    preFilter: (cx) => {
      const cap = instanceCap(cx.pod);
      if (cap === undefined) return 'skip';
      const s: CapState = { cap, sameApp: sameAppMatcher(cx.pod) };
      cx.state.write(KEY, s);
      return undefined;
    },
    filter,
    filterAll: filterEachNode(filter),
  };
}
