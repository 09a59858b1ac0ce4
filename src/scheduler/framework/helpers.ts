/**
 * Kubernetes' matching rules (k8s.io/apimachinery labels, component-helpers) and kube-scheduler's
 * DefaultNormalizeScore, shared by plugins.
 */
import type {
  LabelSelector,
  NodeSelectorRequirement,
  NodeSelectorTerm,
} from '../../core/placement.js';
import { MAX_NODE_SCORE, type CycleContext, type FilterStatus, type Plugin } from './types.js';
import { assertNever } from '../../core/assert-never.js';

export { matchesLabelSelector } from '../../core/label-selector.js';

/** k8s.io/apimachinery IsValidLabelValue: at most 63 characters, alphanumeric at both ends, `-_.` inside; empty is valid. */
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const INT64_MAX = 2n ** 63n - 1n;

export function isValidLabelValue(v: string): boolean {
  return v.length <= 63 && LABEL_VALUE.test(v);
}

/** IsQualifiedName: `[prefix/]name`, prefix a DNS subdomain (≤ 253), name ≤ 63 characters. */
export function isQualifiedName(k: string): boolean {
  const slash = k.indexOf('/');
  const name = slash < 0 ? k : k.slice(slash + 1);
  if (slash >= 0) {
    const prefix = k.slice(0, slash);
    if (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix)) return false;
  }
  return name.length > 0 && name.length <= 63 && LABEL_NAME.test(name);
}

/** strconv.ParseInt(s, 10, 64) succeeds. */
function parsesAsInt64(s: string): boolean {
  if (!/^[+-]?\d+$/.test(s)) return false;
  const v = BigInt(s);
  return v <= INT64_MAX && v >= -INT64_MAX - 1n;
}

/**
 * Whether labels.NewRequirement accepts the requirement (what nodeSelectorRequirementsAsSelector
 * builds): a qualified key; In/NotIn with values, Exists/DoesNotExist without, Gt/Lt with exactly
 * one integer; every value a valid label value. A term with one it rejects matches no node.
 */
function validLabelRequirement(r: NodeSelectorRequirement): boolean {
  const values = r.values ?? [];
  if (!isQualifiedName(r.key)) return false;
  switch (r.operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) return false;
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length !== 0) return false;
      break;
    case 'Gt':
    case 'Lt':
      if (values.length !== 1 || !parsesAsInt64(values[0])) return false;
      break;
    default:
      return false;
  }
  return values.every(isValidLabelValue);
}

/**
 * Whether metav1.LabelSelectorAsSelector accepts the selector: qualified keys, valid label values,
 * In/NotIn with values, Exists/DoesNotExist without.
 */
export function validLabelSelector(sel: LabelSelector): boolean {
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (!isQualifiedName(k) || !isValidLabelValue(v)) return false;
  for (const e of sel.matchExpressions ?? []) {
    const values = e.values ?? [];
    if (!isQualifiedName(e.key)) return false;
    if ((e.operator === 'In' || e.operator === 'NotIn') && values.length === 0) return false;
    if ((e.operator === 'Exists' || e.operator === 'DoesNotExist') && values.length > 0) return false;
    if (!values.every(isValidLabelValue)) return false;
  }
  return true;
}

/** nodeSelectorRequirementsAsFieldSelector: only In/NotIn with exactly one value. */
function validFieldRequirement(r: NodeSelectorRequirement): boolean {
  return (r.operator === 'In' || r.operator === 'NotIn') && (r.values ?? []).length === 1;
}

const termValidity = new WeakMap<NodeSelectorTerm, boolean>();

/** Whether component-helpers' nodeaffinity parses the term without error (cached per term object). */
export function validNodeSelectorTerm(term: NodeSelectorTerm): boolean {
  let ok = termValidity.get(term);
  if (ok === undefined) {
    ok = (term.matchExpressions ?? []).every(validLabelRequirement) && (term.matchFields ?? []).every(validFieldRequirement);
    termValidity.set(term, ok);
  }
  return ok;
}

/** Gt/Lt compare the label and the single value as integers; a non-integer label never matches. */
function matchesRequirement(r: NodeSelectorRequirement, value: string | undefined): boolean {
  const has = value !== undefined;
  switch (r.operator) {
    case 'In':
      return has && (r.values ?? []).includes(value);
    case 'NotIn':
      return !has || !(r.values ?? []).includes(value);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
    case 'Lt': {
      if (!has || !parsesAsInt64(value)) return false;
      const a = BigInt(value);
      const b = BigInt(r.values![0]);
      return r.operator === 'Gt' ? a > b : a < b;
    }
    default:
      return assertNever(r.operator, 'node selector operator');
  }
}

/**
 * A node selector term: every requirement holds. A term with no requirements matches nothing, and
 * so does a term that does not parse (an invalid key or label value, Gt/Lt without one integer:
 * component-helpers' nodeaffinity rule). `matchFields` knows only `metadata.name`.
 */
export function matchesNodeSelectorTerm(
  term: NodeSelectorTerm,
  labels: Readonly<Record<string, string>>,
  nodeName: string,
): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  if (!validNodeSelectorTerm(term)) return false;
  for (const r of exprs) if (!matchesRequirement(r, Object.prototype.hasOwnProperty.call(labels, r.key) ? labels[r.key] : undefined)) return false;
  for (const r of fields) if (!matchesRequirement(r, r.key === 'metadata.name' ? nodeName : undefined)) return false;
  return true;
}

/** core/v1 Toleration.ToleratesTaint, shared with the control plane's NoExecute eviction (src/core/taints.ts). */
export { toleratesAny, toleratesTaint } from '../../core/taints.js';

/**
 * kube-scheduler's DefaultNormalizeScore: score = ⌊100 · score / max⌋, reversed as 100 - that;
 * when every score is 0, all become 0 (or 100 when reversed).
 */
export function defaultNormalizeScore(scores: Float64Array, count: number, reverse: boolean): void {
  let max = 0;
  for (let k = 0; k < count; k++) if (scores[k] > max) max = scores[k];
  if (max === 0) {
    if (reverse) for (let k = 0; k < count; k++) scores[k] = MAX_NODE_SCORE;
    return;
  }
  for (let k = 0; k < count; k++) {
    const s = Math.trunc((MAX_NODE_SCORE * scores[k]) / max);
    scores[k] = reverse ? MAX_NODE_SCORE - s : s;
  }
}

/** kube-scheduler's normalizedImageName, shared with the simulated nodes' image cache. */
export { normalizedImageName } from '../../core/images.js';

/**
 * The batch form (`Plugin.filterAll`) of a side-effect-free per-node filter: keeps the passing
 * nodes in order at the front of `nodes`, records each failing node's status, returns how many passed.
 */
export function filterEachNode(
  filter: (cx: CycleContext, i: number) => FilterStatus | undefined,
): NonNullable<Plugin['filterAll']> {
  return (cx, nodes, count, statuses) => {
    let m = 0;
    for (let k = 0; k < count; k++) {
      const i = nodes[k];
      const st = filter(cx, i);
      if (st === undefined) nodes[m++] = i;
      else statuses[i] = st;
    }
    return m;
  };
}
