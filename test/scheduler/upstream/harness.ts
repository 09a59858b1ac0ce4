/**
 * kube-scheduler's plugin unit tests, translated (issue 12). Each case names the upstream test
 * function and case, builds its cluster as an `explain` snapshot document (so every case is
 * something a user can write), and runs ONE plugin the way the upstream test does: PreFilter then
 * Filter per node, or PreScore over the given nodes, Score per node, NormalizeScore. Expectations
 * are upstream's: per-node status code and reason, or final scores.
 *
 * A case that Slipway cannot express yet carries `notExpressible` (why) and no expectations; the
 * Conformance page (docs/conformance.md, `npm run conformance-table`) counts them as open gaps.
 */
import { parseSnapshot, snapshotTable } from '../../../src/scheduler/explain/snapshot.js';
import { explainSnapshot } from '../../../src/scheduler/explain/explain.js';
import { CycleState, SKIP, type CycleContext, type FilterStatus } from '../../../src/scheduler/framework/types.js';
import { BUILT_IN_PLUGINS } from '../../../src/scheduler/plugins/registry.js';
import { preFilterStateOf, preScoreStateOf } from '../../../src/scheduler/plugins/pod-topology-spread/index.js';

export type Code = 'Unschedulable' | 'UnschedulableAndUnresolvable';
/** 'ok' (Success), a code, or a code with the reason upstream asserts. */
export type FilterWant = 'ok' | Code | readonly [Code, string];

export interface UpstreamCase {
  /** The upstream Go test function, e.g. `TestNodeName`. */
  readonly upstream: string;
  /** Upstream's case name (`name:` in its table). */
  readonly name: string;
  /** The Slipway plugin under test (as a profile names it). */
  readonly plugin: string;
  readonly args?: unknown;
  /** nodes, pods (bound), pending, hostnameLabels: an explain snapshot document. */
  readonly snapshot?: Record<string, unknown>;
  /** Score cases: the nodes handed to PreScore/Score (upstream's filtered nodes); default all. */
  readonly scoreNodes?: readonly string[];
  /** Filter expectations per node name. */
  readonly filter?: Readonly<Record<string, FilterWant>>;
  /** Final (normalized) scores per node name. */
  readonly score?: Readonly<Record<string, number>>;
  /** A helper-level upstream test: the value `unit()` returns must equal `want`. */
  readonly unit?: () => unknown;
  readonly want?: unknown;
  /** PreScore returns Skip (upstream's wantPreScoreStatusCode: Skip). */
  readonly preScoreSkip?: boolean;
  /**
   * PodTopologySpread's PreFilter state as upstream's TestPreFilterState asserts it (Constraints
   * with their selector as labels.Selector prints it, TpValueToMatchNum), or 'skip' (PreFilter
   * returns Skip).
   */
  readonly preFilterState?: 'skip' | NonNullable<ReturnType<typeof preFilterStateOf>>;
  /**
   * PodTopologySpread's PreScore state over `scoreNodes` (default all) as upstream's
   * TestPreScoreStateEmptyNodes asserts it: constraints, ignoredNodes, topologyValueToPodCounts,
   * topologyNormalizingWeight (log(size + 2)).
   */
  readonly preScoreState?: unknown;
  /**
   * A whole cycle under `plugins` (default NodeResourcesFit, DefaultPreemption): the node the pod
   * goes to (where it fits, else the node preemption picks) is one of `nodes`; `victims` if given.
   */
  readonly preempt?: {
    readonly plugins?: readonly string[];
    readonly nodes: readonly string[];
    readonly victims?: readonly string[];
    /** The chosen candidate's NumPDBViolations (0 when absent from the result). */
    readonly pdbViolations?: number;
  };
  /** The plugin's args are invalid: building it fails naming this field (upstream's wantErrs). */
  readonly argsError?: string;
  /** Why this case cannot be expressed in Slipway (an open gap); such rows have no expectations. */
  readonly notExpressible?: string;
}

export interface FilterResult {
  readonly code: 'Success' | Code;
  readonly reasons: readonly string[];
}

function codeOf(st: FilterStatus | undefined): FilterResult {
  if (!st) return { code: 'Success', reasons: [] };
  return { code: st.unresolvable ? 'UnschedulableAndUnresolvable' : 'Unschedulable', reasons: st.reasons };
}

function setup(c: UpstreamCase): { cx: CycleContext; names: readonly string[]; plugin: ReturnType<NonNullable<ReturnType<typeof BUILT_IN_PLUGINS.factory>>> } {
  const snap = parseSnapshot(JSON.stringify({ profile: { plugins: [{ name: c.plugin, ...(c.args !== undefined ? { args: c.args } : {}) }] }, ...c.snapshot }), `${c.upstream}.yaml`);
  const table = snapshotTable(snap);
  const factory = BUILT_IN_PLUGINS.factory(c.plugin);
  if (!factory) throw new Error(`unknown plugin ${c.plugin}`);
  const plugin = factory(c.args);
  return { cx: { pod: snap.pending, table, state: new CycleState() }, names: table.names, plugin };
}

/** PreFilter, then Filter on every node (a PreFilter rejection applies to all). */
export function runFilter(c: UpstreamCase): Record<string, FilterResult> {
  const { cx, names, plugin } = setup(c);
  const pre = plugin.preFilter?.(cx);
  const out: Record<string, FilterResult> = {};
  names.forEach((n, i) => {
    if (pre === SKIP) out[n] = codeOf(undefined);
    else if (pre !== undefined) out[n] = codeOf(pre);
    else out[n] = codeOf(plugin.filter?.(cx, i));
  });
  return out;
}

/** PreScore over `scoreNodes`, Score each, NormalizeScore. A skipped PreScore scores 0 everywhere. */
export function runScore(c: UpstreamCase): Record<string, number> {
  const { cx, names, plugin } = setup(c);
  const pick = c.scoreNodes ?? names;
  const nodes = Int32Array.from(pick.map((n) => names.indexOf(n)));
  if (nodes.some((i) => i < 0)) throw new Error(`${c.name}: scoreNodes names an unknown node`);
  // Some plugins' PreScore reads their PreFilter state (as upstream's framework runs it first).
  plugin.preFilter?.(cx);
  const scores = new Float64Array(nodes.length);
  if (plugin.preScore?.(cx, nodes, nodes.length) !== SKIP) {
    if (plugin.scoreAll) plugin.scoreAll(cx, nodes, nodes.length, scores);
    else nodes.forEach((i, k) => (scores[k] = plugin.score!(cx, i)));
    plugin.normalizeScore?.(cx, nodes, scores, nodes.length);
  }
  const out: Record<string, number> = {};
  pick.forEach((n, k) => (out[n] = scores[k]));
  return out;
}

/** PreFilter's state (PodTopologySpread), or 'skip'. */
export function runPreFilterState(c: UpstreamCase): unknown {
  const { cx, plugin } = setup(c);
  if (plugin.preFilter?.(cx) === SKIP) return 'skip';
  return preFilterStateOf(cx.state);
}

/** PreScore's state (PodTopologySpread) over the case's score nodes, or 'skip'. */
export function runPreScoreState(c: UpstreamCase): unknown {
  const { cx, names, plugin } = setup(c);
  const nodes = Int32Array.from((c.scoreNodes ?? names).map((n) => names.indexOf(n)));
  if (plugin.preScore?.(cx, nodes, nodes.length) === SKIP) return 'skip';
  return preScoreStateOf(cx.state, cx.table);
}

/** Whether PreScore (after PreFilter) skips the plugin for this case's pod. */
export function preScoreSkips(c: UpstreamCase): boolean {
  const { cx, names, plugin } = setup(c);
  const nodes = Int32Array.from((c.scoreNodes ?? names).map((n) => names.indexOf(n)));
  plugin.preFilter?.(cx);
  return plugin.preScore?.(cx, nodes, nodes.length) === SKIP;
}

/** Builds the plugin from the case's args; returns the error message (undefined when it builds). */
export function argsErrorOf(c: UpstreamCase): string | undefined {
  try {
    BUILT_IN_PLUGINS.factory(c.plugin)!(c.args);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** A filter expectation in the form runFilter reports it. */
export function wantFilter(w: FilterWant): { code: string; reason?: string } {
  if (w === 'ok') return { code: 'Success' };
  if (typeof w === 'string') return { code: w };
  return { code: w[0], reason: w[1] };
}

// ── builders: upstream's st.MakeNode()/st.MakePod() in snapshot form ──────────────────────────

type Labels = Record<string, string>;

export interface NodeB {
  readonly labels?: Labels;
  /** Kubernetes quantities, as upstream's Capacity(...) map gives them (`"4000"` cpu = 4000 cores). */
  readonly capacity?: Record<string, string | number>;
  readonly taints?: ReadonlyArray<{ key: string; value?: string; effect: string }>;
  readonly unschedulable?: boolean;
  readonly images?: ReadonlyArray<{ names: string[]; sizeBytes: number }>;
}

/** A node; without capacity it has none (upstream's bare MakeNode()). */
export function node(name: string, b: NodeB = {}): Record<string, unknown> {
  return { name, capacity: b.capacity ?? {}, ...(b.labels ? { labels: b.labels } : {}), ...(b.taints ? { taints: b.taints } : {}), ...(b.unschedulable ? { unschedulable: true } : {}), ...(b.images ? { images: b.images } : {}) };
}

export interface PodB {
  readonly labels?: Labels;
  readonly namespace?: string;
  /** One entry per container: its requests (upstream's Req(...) adds a container each). */
  readonly containers?: ReadonlyArray<Record<string, string | number>>;
  readonly images?: readonly string[];
  readonly terminating?: boolean;
  readonly priority?: number;
  readonly [placement: string]: unknown;
}

/** A pod (pending when `on` is absent); no containers unless given, as upstream's MakePod(). */
export function pod(name: string, b: PodB = {}, on?: string): Record<string, unknown> {
  const { labels, namespace, containers, images, terminating, priority, ...placement } = b;
  const cs = images ? images.map((image, k) => ({ image, ...(containers?.[k] ? { requests: containers[k] } : {}) })) : (containers ?? []).map((r) => ({ requests: r }));
  return {
    name,
    ...(on !== undefined ? { node: on } : {}),
    ...(labels ? { labels } : {}),
    ...(namespace ? { namespace } : {}),
    ...(priority !== undefined ? { priority } : {}),
    ...(terminating ? { terminating: true } : {}),
    containers: cs,
    ...placement,
  };
}

export const MAX = 100;

/**
 * Runs one case and compares with upstream's expectations: undefined when it passes, else what
 * differs (JSON). Rows marked notExpressible are not run.
 */
export function checkCase(c: UpstreamCase): string | undefined {
  const diffs: string[] = [];
  const same = (what: string, got: unknown, want: unknown) => {
    if (JSON.stringify(got) !== JSON.stringify(want)) diffs.push(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  };
  try {
    if (c.filter) {
      const got = runFilter(c);
      for (const [n, w] of Object.entries(c.filter)) {
        const want = wantFilter(w);
        const g = got[n];
        if (!g) {
          diffs.push(`filter: no node ${n}`);
          continue;
        }
        same(`filter ${n} code`, g.code, want.code);
        if (want.reason !== undefined && !g.reasons.includes(want.reason)) diffs.push(`filter ${n} reasons: got ${JSON.stringify(g.reasons)}, want ${JSON.stringify(want.reason)}`);
      }
    }
    if (c.score) same('score', runScore(c), c.score);
    if (c.preempt) {
      const plugins = (c.preempt.plugins ?? ['NodeResourcesFit', 'DefaultPreemption']).map((name) => ({ name }));
      const r = explainSnapshot(parseSnapshot(JSON.stringify({ ...c.snapshot, profile: { plugins } }), `${c.upstream}.yaml`));
      const got = r.chosen ?? r.preemption?.node ?? null;
      if (got === null || !c.preempt.nodes.includes(got)) diffs.push(`node: got ${JSON.stringify(got)}, want one of ${JSON.stringify(c.preempt.nodes)}`);
      if (c.preempt.victims) same('victims', [...(r.preemption?.victims ?? [])].sort(), [...c.preempt.victims].sort());
      if (c.preempt.pdbViolations !== undefined) same('NumPDBViolations', r.preemption?.pdbViolations ?? 0, c.preempt.pdbViolations);
    }
    if (c.argsError !== undefined) {
      const e = argsErrorOf(c);
      if (e === undefined || !e.includes(c.argsError)) diffs.push(`args error: got ${JSON.stringify(e)}, want one naming ${c.argsError}`);
    }
    if (c.preScoreSkip !== undefined) same('PreScore skips', preScoreSkips(c), c.preScoreSkip);
    if (c.preFilterState !== undefined) same('PreFilter state', runPreFilterState(c), c.preFilterState);
    if (c.preScoreState !== undefined) same('PreScore state', runPreScoreState(c), c.preScoreState);
    if (c.unit) same('value', c.unit(), c.want);
  } catch (e) {
    diffs.push(`threw: ${(e as Error).message}`);
  }
  if (!c.filter && !c.score && !c.preempt && c.argsError === undefined && c.preScoreSkip === undefined && c.preFilterState === undefined && c.preScoreState === undefined && !c.unit) diffs.push('the row asserts nothing');
  return diffs.length ? diffs.join('\n') : undefined;
}
