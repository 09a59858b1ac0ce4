/**
 * InterPodAffinity (pkg/scheduler/framework/plugins/interpodaffinity).
 *
 * A term matches a pod when the pod is in the term's namespaces (default: the term owner's) and
 * its labels match the term's labelSelector (a missing selector matches nothing). Domains are
 * (topologyKey, node label value) pairs.
 *
 * Filter, in kube-scheduler's order:
 * 1. an existing pod's required anti-affinity term matches the incoming pod and the node shares
 *    its domain → `node(s) didn't satisfy existing pods anti-affinity rules`;
 * 2. the incoming pod's required anti-affinity term matches an existing pod in the node's domain
 *    → `node(s) didn't match pod anti-affinity rules`;
 * 3. the incoming pod's required affinity terms: each needs a matching pod (one matching every
 *    term) in the node's domain, and the node must carry every term's key; exception: when no pod in
 *    the cluster matches and the pod matches its own terms (the first of a group)
 *    → `node(s) didn't match pod affinity rules` (unresolvable).
 *
 * Score: per domain, Σ ±weight over (incoming preferred terms × matching existing pods) and
 * (existing pods' preferred terms × incoming pod), + hardPodAffinityWeight per existing pod's
 * required affinity term matching the incoming pod; a node scores the sum over its domains.
 * Normalized: ⌊100 · (s - min) / (max - min)⌋, all 0 when max = min.
 *
 * Args: hardPodAffinityWeight (default 1); ignorePreferredTermsOfExistingPods: when the incoming
 * pod has no preferred (anti-)affinity terms, Score is skipped (existing pods' terms, preferred and
 * required, are not looked at); when it has some, everything counts as without the flag.
 */
import type { PodAffinityTerm } from '../../../core/placement.js';
import { PluginArgsError, argsObject } from '../../framework/args.js';
import { filterEachNode, matchesLabelSelector, validLabelSelector } from '../../framework/helpers.js';
import type { NodeTable } from '../../framework/node-table.js';
import type { PodInfo } from '../../framework/pod.js';
import { MAX_NODE_SCORE, StateKey, unresolvable, unschedulable, type CycleContext, type FilterStatus, type Plugin } from '../../framework/types.js';

export const INTER_POD_AFFINITY = 'InterPodAffinity';
export const ERR_REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";
export const ERR_REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
export const ERR_REASON_AFFINITY = "node(s) didn't match pod affinity rules";

const EXISTING_ANTI = unschedulable(ERR_REASON_EXISTING_ANTI_AFFINITY);
const ANTI = unschedulable(ERR_REASON_ANTI_AFFINITY);
const AFFINITY = unresolvable(ERR_REASON_AFFINITY);

const key = (k: string, v: string) => `${k}\u0000${v}`;

/** Labels of a namespace (the table's, for namespaceSelector). */
export type NamespaceLabels = (ns: string) => Readonly<Record<string, string>>;

/**
 * Whether `term`, a term of pod `owner`, matches `pod` (framework.AffinityTerm.Matches): the pod's
 * namespace is one of the term's `namespaces` (with neither namespaces nor namespaceSelector: the
 * owner's) or its labels match namespaceSelector; and its labels match labelSelector (absent:
 * nothing) narrowed by matchLabelKeys (`key In (owner's value)`) and mismatchLabelKeys
 * (`key NotIn (owner's value)`), keys the owner lacks left out.
 */
export function termMatches(term: PodAffinityTerm, owner: PodInfo, pod: PodInfo, nsLabels: NamespaceLabels): boolean {
  if (!term.labelSelector) return false;
  const nss = term.namespaces ?? [];
  const inNs =
    nss.length === 0 && term.namespaceSelector === undefined
      ? pod.namespace === owner.namespace
      : nss.includes(pod.namespace) || (term.namespaceSelector !== undefined && matchesLabelSelector(term.namespaceSelector, nsLabels(pod.namespace)));
  if (!inNs || !matchesLabelSelector(term.labelSelector, pod.labels)) return false;
  const own = owner.labels;
  for (const k of term.matchLabelKeys ?? []) if (Object.prototype.hasOwnProperty.call(own, k) && pod.labels[k] !== own[k]) return false;
  for (const k of term.mismatchLabelKeys ?? []) if (Object.prototype.hasOwnProperty.call(own, k) && pod.labels[k] === own[k]) return false;
  return true;
}

/** The first of the pod's (anti-)affinity terms whose selectors do not parse, as `field: why`. */
function invalidTerm(p: PodInfo): string | undefined {
  const a = p.placement.affinity;
  if (!a || (!a.podAffinity && !a.podAntiAffinity)) return undefined;
  const lists: Array<[string, readonly PodAffinityTerm[]]> = [
    ['podAffinity.requiredDuringSchedulingIgnoredDuringExecution', a?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []],
    ['podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution', a?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []],
    ['podAffinity.preferredDuringSchedulingIgnoredDuringExecution', (a?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => w.podAffinityTerm)],
    ['podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution', (a?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => w.podAffinityTerm)],
  ];
  for (const [field, terms] of lists) {
    for (let k = 0; k < terms.length; k++) {
      const t = terms[k];
      if (t.labelSelector && !validLabelSelector(t.labelSelector)) return `${field}[${k}].labelSelector`;
      if (t.namespaceSelector && !validLabelSelector(t.namespaceSelector)) return `${field}[${k}].namespaceSelector`;
    }
  }
  return undefined;
}

const requiredAffinity = (p: PodInfo) => p.placement.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
const requiredAnti = (p: PodInfo) => p.placement.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
const preferredAffinity = (p: PodInfo) => p.placement.affinity?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
const preferredAnti = (p: PodInfo) => p.placement.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];

interface FilterState {
  readonly existingAnti: Map<string, number>;
  readonly anti: Map<string, number>;
  readonly affinity: Map<string, number>;
  readonly affinityTerms: readonly PodAffinityTerm[];
  readonly antiTerms: readonly PodAffinityTerm[];
  readonly selfMatch: boolean;
}

function bump(m: Map<string, number>, t: NodeTable, i: number, topologyKey: string, by: number): void {
  const labels = t.labels[i];
  if (!Object.prototype.hasOwnProperty.call(labels, topologyKey)) return;
  const k = key(topologyKey, labels[topologyKey]);
  m.set(k, (m.get(k) ?? 0) + by);
}

/** PreFilter → Filter: the counts of this cycle (absent: the plugin has nothing to check). */
const FILTER_KEY = new StateKey<FilterState>(INTER_POD_AFFINITY);
/** PreScore → Score: topology key → value → summed weight. */
const SCORE_KEY = new StateKey<Map<string, Map<string, number>>>(`${INTER_POD_AFFINITY}/score`);

export function interPodAffinity(rawArgs?: unknown): Plugin {
  const a = argsObject(INTER_POD_AFFINITY, rawArgs, ['hardPodAffinityWeight', 'ignorePreferredTermsOfExistingPods']);
  const hard = a.hardPodAffinityWeight ?? 1;
  if (typeof hard !== 'number' || !Number.isInteger(hard) || hard < 0 || hard > 100) {
    throw new PluginArgsError(INTER_POD_AFFINITY, 'args.hardPodAffinityWeight', `must be an integer in [0, 100], got ${JSON.stringify(a.hardPodAffinityWeight)}`);
  }
  const ignoreExistingPreferred = a.ignorePreferredTermsOfExistingPods === true;
  const filter = (cx: CycleContext, i: number): FilterStatus | undefined => {
    const s = cx.state.read(FILTER_KEY);
    if (!s) return undefined;
    const labels = cx.table.labels[i];
    // Upstream's order: the pod's affinity, its anti-affinity, then existing pods' anti-affinity.
    if (s.affinityTerms.length > 0) {
      let podsExist = true;
      for (const term of s.affinityTerms) {
        if (!Object.prototype.hasOwnProperty.call(labels, term.topologyKey)) return AFFINITY;
        if ((s.affinity.get(key(term.topologyKey, labels[term.topologyKey])) ?? 0) <= 0) podsExist = false;
      }
      if (!podsExist && !(s.affinity.size === 0 && s.selfMatch)) return AFFINITY;
    }
    for (const term of s.antiTerms) {
      if (Object.prototype.hasOwnProperty.call(labels, term.topologyKey) && (s.anti.get(key(term.topologyKey, labels[term.topologyKey])) ?? 0) > 0) return ANTI;
    }
    if (s.existingAnti.size > 0) {
      for (const k in labels) if ((s.existingAnti.get(key(k, labels[k])) ?? 0) > 0) return EXISTING_ANTI;
    }
    return undefined;
  };

  return {
    name: INTER_POD_AFFINITY,
    preFilterDependsOnPods: true,
    preFilter: (cx) => {
      const pod = cx.pod;
      const t = cx.table;
      const bad = invalidTerm(pod);
      if (bad !== undefined) {
        cx.state.delete(FILTER_KEY);
        return unresolvable(`parsing pod: ${bad} does not parse as a label selector`);
      }
      const affinityTerms = requiredAffinity(pod);
      const antiTerms = requiredAnti(pod);
      const ns: NamespaceLabels = (n) => t.labelsOfNamespace(n);
      if (affinityTerms.length === 0 && antiTerms.length === 0 && t.affinityPodsTotal === 0) {
        cx.state.delete(FILTER_KEY); // a re-run during preemption must not see stale counts
        return 'skip';
      }
      const existingAnti = new Map<string, number>();
      const anti = new Map<string, number>();
      const affinity = new Map<string, number>();
      for (let i = 0; i < t.n; i++) {
        const pods = t.pods[i];
        if (pods.length === 0) continue;
        if (affinityTerms.length === 0 && antiTerms.length === 0 && t.affinityPods[i] === 0) continue;
        for (const ep of pods) {
          if (t.affinityPods[i] > 0) {
            for (const term of requiredAnti(ep)) if (termMatches(term, ep, pod, ns)) bump(existingAnti, t, i, term.topologyKey, 1);
          }
          if (affinityTerms.length > 0 && affinityTerms.every((term) => termMatches(term, pod, ep, ns))) {
            for (const term of affinityTerms) bump(affinity, t, i, term.topologyKey, 1);
          }
          for (const term of antiTerms) if (termMatches(term, pod, ep, ns)) bump(anti, t, i, term.topologyKey, 1);
        }
      }
      const selfMatch = affinityTerms.every((term) => termMatches(term, pod, pod, ns));
      cx.state.write(FILTER_KEY, { existingAnti, anti, affinity, affinityTerms, antiTerms, selfMatch } satisfies FilterState);
      return undefined;
    },
    filter,
    filterAll: filterEachNode(filter),
    preScore: (cx) => {
      const pod = cx.pod;
      const t = cx.table;
      const prefA = preferredAffinity(pod);
      const prefAnti = preferredAnti(pod);
      const hasConstraints = prefA.length > 0 || prefAnti.length > 0;
      const ns: NamespaceLabels = (n) => t.labelsOfNamespace(n);
      if (!hasConstraints && (ignoreExistingPreferred || t.affinityPodsTotal === 0)) return 'skip';
      const scores = new Map<string, Map<string, number>>();
      const add = (topologyKey: string, i: number, by: number) => {
        const labels = t.labels[i];
        if (!Object.prototype.hasOwnProperty.call(labels, topologyKey)) return;
        let m = scores.get(topologyKey);
        if (!m) scores.set(topologyKey, (m = new Map()));
        const v = labels[topologyKey];
        m.set(v, (m.get(v) ?? 0) + by);
      };
      for (let i = 0; i < t.n; i++) {
        if (!hasConstraints && t.affinityPods[i] === 0) continue;
        if (Object.keys(t.labels[i]).length === 0) continue;
        for (const ep of t.pods[i]) {
          for (const w of prefA) if (termMatches(w.podAffinityTerm, pod, ep, ns)) add(w.podAffinityTerm.topologyKey, i, w.weight);
          for (const w of prefAnti) if (termMatches(w.podAffinityTerm, pod, ep, ns)) add(w.podAffinityTerm.topologyKey, i, -w.weight);
          if (hard > 0) for (const term of requiredAffinity(ep)) if (termMatches(term, ep, pod, ns)) add(term.topologyKey, i, hard);
          // (ignorePreferredTermsOfExistingPods skipped the whole plugin above when the pod has no
          // preferred terms; with terms of its own, upstream counts the existing pods' terms too.)
          for (const w of preferredAffinity(ep)) if (termMatches(w.podAffinityTerm, ep, pod, ns)) add(w.podAffinityTerm.topologyKey, i, w.weight);
          for (const w of preferredAnti(ep)) if (termMatches(w.podAffinityTerm, ep, pod, ns)) add(w.podAffinityTerm.topologyKey, i, -w.weight);
        }
      }
      if (scores.size === 0) return 'skip';
      cx.state.write(SCORE_KEY, scores);
      return undefined;
    },
    score: (cx, i) => {
      const scores = cx.state.require(SCORE_KEY);
      const labels = cx.table.labels[i];
      let s = 0;
      for (const [k, values] of scores) if (Object.prototype.hasOwnProperty.call(labels, k)) s += values.get(labels[k]) ?? 0;
      return s;
    },
    normalizeScore: (_cx, _nodes, scores, count) => {
      let min = Infinity;
      let max = -Infinity;
      for (let k = 0; k < count; k++) {
        if (scores[k] > max) max = scores[k];
        if (scores[k] < min) min = scores[k];
      }
      const diff = max - min;
      for (let k = 0; k < count; k++) scores[k] = diff > 0 ? Math.trunc(MAX_NODE_SCORE * ((scores[k] - min) / diff)) : 0;
    },
  };
}
