/**
 * PodTopologySpread (pkg/scheduler/framework/plugins/podtopologyspread).
 *
 * Filter (whenUnsatisfiable: DoNotSchedule). Over the nodes that pass the constraint's inclusion
 * policies (nodeAffinityPolicy Honor: the pod's nodeSelector/required node affinity; nodeTaintsPolicy
 * Honor: no untolerated NoSchedule/NoExecute taint) and carry every constraint's topologyKey, count
 * the pods matching labelSelector (same namespace, not terminating) per domain. For node n in domain d:
 *   skew = count(d) + (pod matches its own selector ? 1 : 0) - minCount
 * where minCount is the smallest count over the domains (0 when there are fewer than minDomains).
 * skew > maxSkew → `node(s) didn't match pod topology spread constraints`; a node without the
 * key → `... (missing required label)` (unresolvable).
 *
 * Score (ScheduleAnyway; or the system defaults hostname maxSkew 3 and zone maxSkew 5 selecting
 * the pod's siblings of the same workload, when the pod has no constraints). With w_c =
 * ln(#domains among feasible nodes + 2) (hostname: #feasible nodes):
 *   raw(n) = round(Σ_c count_c(domain of n) · w_c + (maxSkew_c - 1))
 *   score  = ⌊100 · (max + min - raw) / max⌋ (100 for all when max = 0; 0 for nodes lacking keys)
 */
import type { LabelSelector, TopologySpreadConstraint } from '../../../core/placement.js';
import { PluginArgsError, argsObject } from '../../framework/args.js';
import { scoresProvenInRange } from '../../framework/framework.js';
import { filterEachNode, matchesLabelSelector, toleratesAny } from '../../framework/helpers.js';
import type { LabelDomains, NodeTable } from '../../framework/node-table.js';
import type { PodInfo } from '../../framework/pod.js';
import { MAX_NODE_SCORE, StateKey, unresolvable, unschedulable, type CycleContext, type FilterStatus, type Plugin } from '../../framework/types.js';
import { nodeMatchesPodAffinity } from '../node-affinity/index.js';

export const POD_TOPOLOGY_SPREAD = 'PodTopologySpread';
export const ERR_REASON_CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints";
export const ERR_REASON_NODE_LABEL_NOT_MATCH = `${ERR_REASON_CONSTRAINTS_NOT_MATCH} (missing required label)`;
export const LABEL_HOSTNAME = 'kubernetes.io/hostname';
export const LABEL_ZONE = 'topology.kubernetes.io/zone';

const SKEW = unschedulable(ERR_REASON_CONSTRAINTS_NOT_MATCH);
const NO_CONSTRAINTS: readonly Constraint[] = [];
const MISSING_LABEL = unresolvable(ERR_REASON_NODE_LABEL_NOT_MATCH);

interface Constraint {
  readonly maxSkew: number;
  readonly topologyKey: string;
  /** What `matches` selects, as label selectors ANDed (for preFilterStateOf; absent: the owner's siblings). */
  readonly selectors?: readonly LabelSelector[];
  readonly minDomains: number;
  readonly matches: (p: PodInfo) => boolean;
  /** Default constraints select the pod's siblings: their per-node counts (the table's owner index). */
  readonly ownerCounts?: Int32Array;
  readonly owner?: string;
  readonly honorAffinity: boolean;
  readonly honorTaints: boolean;
}

/**
 * Which bound pods a constraint counts: those of the pod's namespace matching the selector; a nil
 * selector selects nothing, an empty one ({}) every pod. Terminating pods (a deletion timestamp)
 * never count (countPodsMatchSelector, kubernetes#87621).
 */
function selectorMatcher(sel: LabelSelector | undefined, namespace: string, keys?: Readonly<Record<string, string>>): (p: PodInfo) => boolean {
  if (!sel) return () => false;
  if (keys) return (p) => p.terminating !== true && p.namespace === namespace && matchesLabelSelector(sel, p.labels) && matchesLabelSelector({ matchLabels: keys }, p.labels);
  return (p) => p.terminating !== true && p.namespace === namespace && matchesLabelSelector(sel, p.labels);
}

/** matchLabelKeys: the incoming pod's values of those keys it carries, ANDed with the selector (`key In (value)`). */
function labelKeysOf(c: TopologySpreadConstraint, pod: PodInfo): Record<string, string> | undefined {
  if (!c.matchLabelKeys || c.matchLabelKeys.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const k of c.matchLabelKeys) if (Object.prototype.hasOwnProperty.call(pod.labels, k)) out[k] = pod.labels[k];
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * helper.DefaultSelector: what the default constraints select for a pod without constraints of its
 * own — the selectors of the Services in its namespace that select it, ANDed with its
 * controller's (ownerReference) selector; a pod of a Slipway workload (`owner`, a Deployment's
 * ReplicaSet whose pod-template-hash only its own pods carry) narrows that to its siblings.
 * Undefined when no Service selects it and it has no controller in the table (then `owner` alone
 * decides, or nothing).
 */
function defaultSelector(pod: PodInfo, t: NodeTable): { readonly matches: (p: PodInfo) => boolean; readonly selectors: readonly LabelSelector[] } | typeof NOTHING | undefined {
  const sels: LabelSelector[] = [];
  for (const svc of t.services) if (svc.namespace === pod.namespace && matchesLabelSelector({ matchLabels: svc.selector }, pod.labels)) sels.push({ matchLabels: svc.selector });
  const ctl = pod.controller ? t.controllers.get(`${pod.controller.kind}/${pod.namespace}/${pod.controller.name}`) : undefined;
  if (ctl) sels.push(ctl);
  // An empty selector (no Service, controller unknown or selecting everything) means no default constraints.
  const empty = (s: LabelSelector) => Object.keys(s.matchLabels ?? {}).length === 0 && (s.matchExpressions ?? []).length === 0;
  if (sels.every(empty)) return pod.controller !== undefined || sels.length > 0 ? NOTHING : undefined;
  const owner = pod.controller === undefined && pod.noController !== true ? pod.owner : undefined;
  return { matches: (p) => p.terminating !== true && p.namespace === pod.namespace && (owner === undefined || p.owner === owner) && sels.every((s) => matchesLabelSelector(s, p.labels)), selectors: sels };
}

const NOTHING = (): boolean => false;

function toConstraint(c: TopologySpreadConstraint, pod: PodInfo): Constraint {
  // Input validation (the scenario schema, the plugin args) guarantees it; the score range relies on it.
  if (!Number.isInteger(c.maxSkew) || c.maxSkew < 1) {
    throw new Error(`${POD_TOPOLOGY_SPREAD}: pod ${pod.name}: maxSkew must be an integer ≥ 1, got ${c.maxSkew}`);
  }
  const keys = labelKeysOf(c, pod);
  return {
    maxSkew: c.maxSkew,
    topologyKey: c.topologyKey,
    selectors: c.labelSelector ? [c.labelSelector, ...(keys ? [{ matchLabels: keys }] : [])] : [],
    minDomains: c.minDomains ?? 1,
    matches: selectorMatcher(c.labelSelector, pod.namespace, keys),
    honorAffinity: (c.nodeAffinityPolicy ?? 'Honor') === 'Honor',
    honorTaints: (c.nodeTaintsPolicy ?? 'Ignore') === 'Honor',
  };
}

function countMatching(t: NodeTable, i: number, c: Constraint): number {
  if (c.ownerCounts !== undefined) return c.ownerCounts[i];
  let n = 0;
  for (const p of t.pods[i]) if (c.matches(p)) n++;
  return n;
}

function includes(cx: CycleContext, c: Constraint, i: number): boolean {
  const t = cx.table;
  if (c.honorAffinity && !nodeMatchesPodAffinity(cx.pod.placement, t.labels[i], t.names[i])) return false;
  if (c.honorTaints) {
    const tol = cx.pod.placement.tolerations ?? [];
    for (const taint of t.taints[i]) if (taint.effect !== 'PreferNoSchedule' && !toleratesAny(tol, taint)) return false;
  }
  return true;
}

function hasRequiredNodeAffinity(pod: PodInfo): boolean {
  const p = pod.placement;
  return (p.nodeSelector !== undefined && Object.keys(p.nodeSelector).length > 0) || p.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution !== undefined;
}

function hasAllKeys(labels: Readonly<Record<string, string>>, cs: readonly Constraint[]): boolean {
  for (const c of cs) if (!Object.prototype.hasOwnProperty.call(labels, c.topologyKey)) return false;
  return true;
}

interface FilterState {
  readonly constraints: readonly Constraint[];
  /** Per constraint: domain value → matching pods. */
  readonly counts: ReadonlyArray<Map<string, number>>;
  readonly minCounts: readonly number[];
  readonly selfMatch: readonly number[];
}

interface ScoreState {
  readonly constraints: readonly Constraint[];
  readonly domains: readonly LabelDomains[];
  /** Per constraint: matching pods per domain id (zonal keys; hostname counts come from the nodes). */
  readonly counts: readonly Float64Array[];
  readonly weights: readonly number[];
  readonly ignored: ReadonlySet<number>;
  /** Per constraint: 1 for the domains the scored nodes (not ignored) have (zonal keys). */
  readonly present: readonly Uint8Array[];
}

/** PreFilter → Filter: the constraints and counts of this cycle. */
const FILTER_KEY = new StateKey<FilterState>(POD_TOPOLOGY_SPREAD);
/** PreScore → Score (also kept in the plugin for the batch scorer). */
const SCORE_KEY = new StateKey<ScoreState>(`${POD_TOPOLOGY_SPREAD}/score`);

/**
 * A label selector as Kubernetes prints one (labels.Selector's String): requirements sorted by key,
 * `k=v`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k`, joined by commas; a nil selector (which
 * selects nothing) `<none>`.
 */
export function selectorString(sels: readonly LabelSelector[] | undefined): string {
  // (a Slipway workload's siblings: no Kubernetes selector; a nil selector: labels.Nothing())
  if (sels === undefined) return '<owner>';
  if (sels.length === 0) return '<none>';
  const reqs: Array<[string, string]> = [];
  for (const s of sels) {
    for (const [k, v] of Object.entries(s.matchLabels ?? {})) reqs.push([k, `${k}=${v}`]);
    for (const e of s.matchExpressions ?? []) {
      const vs = [...(e.values ?? [])].sort().join(',');
      reqs.push([e.key, e.operator === 'In' ? `${e.key} in (${vs})` : e.operator === 'NotIn' ? `${e.key} notin (${vs})` : e.operator === 'Exists' ? e.key : `!${e.key}`]);
    }
  }
  return reqs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((r) => r[1]).join(',');
}

/**
 * PreFilter's state in upstream's terms (preFilterState: Constraints and TpValueToMatchNum), for
 * the ported TestPreFilterState rows; undefined when PreFilter has not run (or skipped).
 */
export function preFilterStateOf(state: CycleContext['state']): { constraints: unknown[]; tpValueToMatchNum: Array<Record<string, number>> } | undefined {
  const s = state.read(FILTER_KEY);
  if (!s) return undefined;
  return {
    constraints: describeConstraints(s.constraints),
    tpValueToMatchNum: s.counts.map((m) => Object.fromEntries([...m.entries()].sort())),
  };
}

/**
 * PreScore's state in upstream's terms (preScoreState: Constraints, IgnoredNodes,
 * TopologyValueToPodCounts — hostname keys have none, their counts come per node —, and
 * TopologyNormalizingWeight), for the ported TestPreScoreStateEmptyNodes rows.
 */
export function preScoreStateOf(state: CycleContext['state'], table: NodeTable): unknown {
  const s = state.read(SCORE_KEY);
  if (!s) return undefined;
  return {
    constraints: describeConstraints(s.constraints),
    ignoredNodes: [...s.ignored].map((i) => table.names[i]).sort(),
    topologyValueToPodCounts: s.constraints.map((c, ci) => {
      const out: Record<string, number> = {};
      if (c.topologyKey === LABEL_HOSTNAME) return out;
      s.domains[ci].values.forEach((v, d) => {
        if (s.present[ci][d] === 1) out[v] = s.counts[ci][d];
      });
      return Object.fromEntries(Object.entries(out).sort());
    }),
    topologyNormalizingWeight: s.weights,
  };
}

function describeConstraints(cs: readonly Constraint[]): unknown[] {
  return cs.map((c) => ({
    maxSkew: c.maxSkew,
    topologyKey: c.topologyKey,
    selector: selectorString(c.selectors),
    minDomains: c.minDomains,
    nodeAffinityPolicy: c.honorAffinity ? 'Honor' : 'Ignore',
    nodeTaintsPolicy: c.honorTaints ? 'Honor' : 'Ignore',
  }));
}

export interface PodTopologySpreadArgs {
  readonly defaultingType: 'System' | 'List';
  readonly defaultConstraints: readonly TopologySpreadConstraint[];
}

export function podTopologySpread(rawArgs?: unknown): Plugin {
  const a = argsObject(POD_TOPOLOGY_SPREAD, rawArgs, ['defaultingType', 'defaultConstraints']);
  const defaultingType = (a.defaultingType ?? 'System') as string;
  if (defaultingType !== 'System' && defaultingType !== 'List') {
    throw new PluginArgsError(POD_TOPOLOGY_SPREAD, 'args.defaultingType', `expected System or List, got ${JSON.stringify(a.defaultingType)}`);
  }
  if (defaultingType === 'System' && a.defaultConstraints !== undefined) {
    throw new PluginArgsError(POD_TOPOLOGY_SPREAD, 'args.defaultConstraints', 'must be empty when defaultingType is System');
  }
  const listDefaults = (a.defaultConstraints ?? []) as TopologySpreadConstraint[];
  if (!Array.isArray(listDefaults)) throw new PluginArgsError(POD_TOPOLOGY_SPREAD, 'args.defaultConstraints', 'expected a list');
  listDefaults.forEach((c, i) => {
    if (!Number.isInteger(c?.maxSkew) || c.maxSkew < 1) {
      throw new PluginArgsError(POD_TOPOLOGY_SPREAD, `args.defaultConstraints[${i}].maxSkew`, `must be an integer ≥ 1, got ${JSON.stringify(c?.maxSkew)}`);
    }
    if (c.whenUnsatisfiable !== 'ScheduleAnyway' && c.whenUnsatisfiable !== 'DoNotSchedule') {
      throw new PluginArgsError(POD_TOPOLOGY_SPREAD, `args.defaultConstraints[${i}].whenUnsatisfiable`, `expected DoNotSchedule or ScheduleAnyway, got ${JSON.stringify(c.whenUnsatisfiable)}`);
    }
  });
  const systemDefaulted = defaultingType === 'System';
  const defaults: readonly TopologySpreadConstraint[] = systemDefaulted
    ? [
        { maxSkew: 3, topologyKey: LABEL_HOSTNAME, whenUnsatisfiable: 'ScheduleAnyway' },
        { maxSkew: 5, topologyKey: LABEL_ZONE, whenUnsatisfiable: 'ScheduleAnyway' },
      ]
    : listDefaults;
  const defaultsCache = new WeakMap<NodeTable, Record<'DoNotSchedule' | 'ScheduleAnyway', Map<string, readonly Constraint[]>>>();

  /** Constraints of one kind: the pod's own, or (when it has none) the defaults. */
  const constraintsOf = (pod: PodInfo, kind: 'DoNotSchedule' | 'ScheduleAnyway', table: NodeTable): readonly Constraint[] => {
    const own = pod.placement.topologySpreadConstraints ?? [];
    if (own.length > 0) return own.filter((c) => c.whenUnsatisfiable === kind).map((c) => toConstraint(c, pod));
    if (table.services.length > 0 || pod.controller !== undefined || pod.noController === true) {
      const sel = defaultSelector(pod, table);
      if (sel !== undefined) {
        const cs = defaults.filter((c) => c.whenUnsatisfiable === kind);
        // Nothing selected (NOTHING, the only function defaultSelector returns): upstream builds no default constraints (PreScore skips).
        if (cs.length === 0 || typeof sel === 'function') return NO_CONSTRAINTS;
        return cs.map((c) => ({ ...toConstraint(c, pod), matches: sel.matches, selectors: sel.selectors }));
      }
    }
    if (pod.owner === undefined || pod.noController === true) return NO_CONSTRAINTS;
    const owner = pod.owner;
    // The default constraints depend only on the owner (and the table's per-owner counts, whose
    // array is created once per owner): built once per (table, kind, owner), not per cycle.
    let byKind = defaultsCache.get(table);
    if (!byKind) defaultsCache.set(table, (byKind = { DoNotSchedule: new Map(), ScheduleAnyway: new Map() }));
    const byOwner = byKind[kind];
    const cached = byOwner.get(owner);
    const ownerCounts = table.ownerArray(owner);
    if (cached !== undefined && (cached.length === 0 || cached[0].ownerCounts === ownerCounts)) return cached;

    // Owners are workload names, unique in the run (namespaces are not modelled by workloads).
    const sibling = (p: PodInfo) => p.owner === owner && p.terminating !== true;
    const built = defaults
      .filter((c) => c.whenUnsatisfiable === kind)
      .map((c) => ({ ...toConstraint(c, pod), matches: sibling, selectors: undefined, owner, ownerCounts }));
    byOwner.set(owner, built);
    return built;
  };

  /** This cycle's score state (also in CycleState); cycles of one framework never overlap. */
  let scoreState: ScoreState | undefined;
  /** raw(n) = round(Σ_c count_c · w_c + (maxSkew_c - 1)) over the constraints whose key the node has. */
  const scoreNodes = (cx: CycleContext, nodes: Int32Array, count: number, out: Float64Array) => {
    const s = scoreState!;
    const t = cx.table;
    const nc = s.constraints.length;
    if (nc === 2 && s.constraints[0].topologyKey === LABEL_HOSTNAME && s.constraints[0].ownerCounts !== undefined && s.constraints[1].topologyKey !== LABEL_HOSTNAME) {
      // The system defaults (hostname, then zone) in one pass; same additions in the same order.
      const c0 = s.constraints[0];
      const c1 = s.constraints[1];
      const own = c0.ownerCounts!;
      const has0 = s.domains[0].has;
      const { ids, has: has1 } = s.domains[1];
      const counts1 = s.counts[1];
      const w0 = s.weights[0];
      const w1 = s.weights[1];
      const base0 = c0.maxSkew - 1;
      const base1 = c1.maxSkew - 1;
      for (let k = 0; k < count; k++) {
        const i = nodes[k];
        let v = 0;
        if (has0[i] !== 0) v += own[i] * w0 + base0;
        if (has1[i] !== 0) v += counts1[ids[i]] * w1 + base1;
        out[k] = Math.round(v);
      }
      if (s.ignored.size > 0) for (let k = 0; k < count; k++) if (s.ignored.has(nodes[k])) out[k] = 0;
      return;
    }
    out.fill(0, 0, count);
    for (let ci = 0; ci < nc; ci++) {
      const c = s.constraints[ci];
      const base = c.maxSkew - 1;
      const w = s.weights[ci];
      const { ids, has } = s.domains[ci];
      const last = ci === nc - 1;
      // The last constraint's pass also rounds (ignored nodes are zeroed below).
      if (c.topologyKey === LABEL_HOSTNAME && c.ownerCounts !== undefined) {
        const own = c.ownerCounts;
        for (let k = 0; k < count; k++) {
          const i = nodes[k];
          const v = has[i] === 0 ? out[k] : out[k] + (own[i] * w + base);
          out[k] = last ? Math.round(v) : v;
        }
      } else if (c.topologyKey === LABEL_HOSTNAME) {
        for (let k = 0; k < count; k++) {
          const i = nodes[k];
          const v = has[i] === 0 ? out[k] : out[k] + (countMatching(t, i, c) * w + base);
          out[k] = last ? Math.round(v) : v;
        }
      } else {
        const domainCounts = s.counts[ci];
        for (let k = 0; k < count; k++) {
          const i = nodes[k];
          const v = has[i] === 0 ? out[k] : out[k] + (domainCounts[ids[i]] * w + base);
          out[k] = last ? Math.round(v) : v;
        }
      }
    }
    if (s.ignored.size > 0) for (let k = 0; k < count; k++) if (s.ignored.has(nodes[k])) out[k] = 0;
  };
  const filter = (cx: CycleContext, i: number): FilterStatus | undefined => {
    const s = cx.state.require(FILTER_KEY);
    const labels = cx.table.labels[i];
    for (let k = 0; k < s.constraints.length; k++) {
      const c = s.constraints[k];
      if (!Object.prototype.hasOwnProperty.call(labels, c.topologyKey)) return MISSING_LABEL;
      const skew = (s.counts[k].get(labels[c.topologyKey]) ?? 0) + s.selfMatch[k] - s.minCounts[k];
      if (skew > c.maxSkew) return SKEW;
    }
    return undefined;
  };
  // raw ≥ 0 (counts ≥ 0, w > 0, maxSkew ≥ 1), so ⌊100 · (max + min - raw) / max⌋ ∈ [0, 100].
  return scoresProvenInRange({
    name: POD_TOPOLOGY_SPREAD,
    preFilterDependsOnPods: true,
    preFilter: (cx) => {
      const constraints = constraintsOf(cx.pod, 'DoNotSchedule', cx.table);
      if (constraints.length === 0) return 'skip';
      const t = cx.table;
      const counts = constraints.map(() => new Map<string, number>());
      for (let i = 0; i < t.n; i++) {
        const labels = t.labels[i];
        if (!hasAllKeys(labels, constraints)) continue;
        constraints.forEach((c, k) => {
          if (!includes(cx, c, i)) return;
          const v = labels[c.topologyKey];
          counts[k].set(v, (counts[k].get(v) ?? 0) + countMatching(t, i, c));
        });
      }
      const minCounts = constraints.map((c, k) => {
        if (counts[k].size < c.minDomains) return 0;
        let min = Infinity;
        for (const v of counts[k].values()) if (v < min) min = v;
        return min === Infinity ? 0 : min;
      });
      const selfMatch = constraints.map((c) => (c.matches(cx.pod) ? 1 : 0));
      cx.state.write(FILTER_KEY, { constraints, counts, minCounts, selfMatch } satisfies FilterState);
      return undefined;
    },
    filter,
    filterAll: filterEachNode(filter),
    preScore: (cx, feasible, count) => {
      const constraints = constraintsOf(cx.pod, 'ScheduleAnyway', cx.table);
      if (constraints.length === 0) return 'skip';
      const t = cx.table;
      const requireAll = (cx.pod.placement.topologySpreadConstraints ?? []).length > 0 || !systemDefaulted;
      const domains = constraints.map((c) => t.labelDomains(c.topologyKey));
      // Hostname domains are the nodes themselves: counted per node in Score, no per-domain arrays.
      const perDomain = (c: Constraint, d: LabelDomains) => (c.topologyKey === LABEL_HOSTNAME ? 0 : d.values.length);
      const present = domains.map((d, ci) => new Uint8Array(perDomain(constraints[ci], d)));
      const counts = domains.map((d, ci) => new Float64Array(perDomain(constraints[ci], d)));
      const sizes = constraints.map(() => 0);
      const ignored = new Set<number>();
      const zonal = constraints.map((_c, ci) => ci).filter((ci) => constraints[ci].topologyKey !== LABEL_HOSTNAME);
      // Without requireAll no node is ignored, so the scan may stop once every domain is present.
      let missing = 0;
      for (const ci of zonal) missing += domains[ci].values.length;
      for (let k = 0; k < count && (requireAll || missing > 0); k++) {
        const i = feasible[k];
        if (requireAll && !hasAllKeys(t.labels[i], constraints)) {
          ignored.add(i);
          continue;
        }
        for (let z = 0; z < zonal.length; z++) {
          const ci = zonal[z];
          const d = domains[ci].ids[i];
          if (present[ci][d] === 0) {
            present[ci][d] = 1;
            sizes[ci]++;
            missing--;
          }
        }
      }
      const weights = constraints.map((c, ci) => Math.log((c.topologyKey === LABEL_HOSTNAME ? count - ignored.size : sizes[ci]) + 2));
      // Siblings counted over every node (no inclusion policy excludes one): the table keeps these sums.
      const everyNode = (c: Constraint) =>
        !requireAll && !c.honorTaints && (!c.honorAffinity || !hasRequiredNodeAffinity(cx.pod));
      for (const ci of zonal) {
        const c = constraints[ci];
        const dom = domains[ci];
        if (c.ownerCounts !== undefined && c.owner !== undefined && everyNode(c)) {
          for (const [v, cnt] of t.ownerDomainCounts(c.owner, c.topologyKey)) {
            const d = dom.index.get(v);
            if (d !== undefined && present[ci][d] === 1) counts[ci][d] += cnt;
          }
          continue;
        }
        // Only nodes holding matching pods change a count: skip the rest before any label lookup.
        const own = c.ownerCounts;
        const pods = t.pods;
        for (let i = 0; i < t.n; i++) {
          const cnt = own !== undefined ? own[i] : pods[i].length === 0 ? 0 : countMatching(t, i, c);
          if (cnt === 0) continue;
          if (requireAll && !hasAllKeys(t.labels[i], constraints)) continue;
          if (!includes(cx, c, i)) continue;
          const d = dom.ids[i];
          if (present[ci][d] === 1) counts[ci][d] += cnt;
        }
      }
      scoreState = { constraints, domains, counts, weights, ignored, present };
      cx.state.write(SCORE_KEY, scoreState);
      return undefined;
    },
    // The plain per-node form (the batch form above must agree with it; a differential test checks).
    score: (cx, i) => {
      const s = scoreState!;
      if (s.ignored.has(i)) return 0;
      const labels = cx.table.labels[i];
      let raw = 0;
      s.constraints.forEach((c, ci) => {
        if (!Object.prototype.hasOwnProperty.call(labels, c.topologyKey)) return;
        const cnt = c.topologyKey === LABEL_HOSTNAME ? countMatching(cx.table, i, c) : s.counts[ci][s.domains[ci].ids[i]];
        raw += cnt * s.weights[ci] + (c.maxSkew - 1);
      });
      return Math.round(raw);
    },
    scoreAll: (cx, nodes, count, out) => scoreNodes(cx, nodes, count, out),
    normalizeScore: (_cx, nodes, scores, count) => {
      const ignored = scoreState!.ignored;
      const any = ignored.size > 0;
      let min = Infinity;
      let max = 0;
      for (let k = 0; k < count; k++) {
        if (any && ignored.has(nodes[k])) continue;
        if (scores[k] < min) min = scores[k];
        if (scores[k] > max) max = scores[k];
      }
      for (let k = 0; k < count; k++) {
        if (any && ignored.has(nodes[k])) scores[k] = 0;
        else if (max === 0) scores[k] = MAX_NODE_SCORE;
        else scores[k] = Math.trunc((MAX_NODE_SCORE * (max + min - scores[k])) / max);
      }
    },
  });
}
