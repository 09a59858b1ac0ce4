/**
 * The scheduling framework: runs one scheduling cycle per pod through a profile's plugins.
 *
 * kube-scheduler's behaviour, kept exactly:
 * - Filter visits nodes round-robin starting where the previous cycle stopped
 *   (`nextStartNodeIndex`) and stops after `numFeasibleNodesToFind` feasible nodes;
 * - a plugin's score, after NormalizeScore, must be an integer in [0, 100] (the framework checks,
 *   and a plugin that breaks the rule fails the cycle with an Error naming it);
 * - total = Σ weight · score; the host is the highest total, ties broken by reservoir sampling
 *   over the feasible nodes in visit order (each tied node replaces the pick with probability
 *   1/k), using the injected seeded stream.
 */
import type { NodeTable } from './node-table.js';
import type { PodInfo } from './pod.js';
import { numFeasibleNodesToFind } from './sampling.js';
import {
  CycleState,
  MAX_NODE_SCORE,
  MIN_NODE_SCORE,
  SKIP,
  type CycleContext,
  type FilterStatus,
  type Plugin,
  type PostFilterResult,
  type WeightedPlugin,
} from './types.js';

/** The subset of a seeded random stream the framework uses. */
export interface TieBreaker {
  /** Uniform integer in [lo, hi]. */
  int(lo: number, hi: number): number;
}

export interface FrameworkOptions {
  readonly plugins: readonly WeightedPlugin[];
  /** 0 = kube-scheduler's adaptive default; otherwise 1..100. */
  readonly percentageOfNodesToScore: number;
  readonly random: TieBreaker;
  /** How many of the best nodes a placement reports (default 3). */
  readonly topCandidates?: number;
  /**
   * Among equal totals: `random` (default) is kube-scheduler's seeded reservoir sampling;
   * `smallest-name` takes the node with the smallest table index (the smallest name: tables are
   * in name order), the FGD paper's simulator's rule, and draws nothing from `random`.
   */
  readonly tieBreak?: TieBreak;
}

export const TIE_BREAKS = ['random', 'smallest-name'] as const;
export type TieBreak = (typeof TIE_BREAKS)[number];

export interface CandidateScore {
  readonly node: number;
  readonly total: number;
  /** Each score plugin's final (normalized, unweighted) score. */
  readonly scores: Readonly<Record<string, number>>;
}

export type CycleResult =
  | {
      readonly kind: 'assign';
      readonly node: number;
      /** Best first: total descending, then node name. */
      readonly candidates: readonly CandidateScore[];
      readonly evaluated: number;
      readonly feasible: number;
    }
  | {
      readonly kind: 'unschedulable';
      /** Nodes rejected per reason (a node may count under several reasons). */
      readonly reasons: Readonly<Record<string, number>>;
      readonly preemption?: PostFilterResult;
    };

/** Every filter's verdict and every score, for `slipway explain`. */
export interface NodeExplanation {
  readonly node: number;
  /** Per filter plugin: undefined = passed. */
  readonly filters: ReadonlyArray<{ readonly plugin: string; readonly status: FilterStatus | undefined }>;
  readonly feasible: boolean;
  readonly scores: Readonly<Record<string, number>>;
  readonly total: number | undefined;
}

export interface Explanation {
  readonly nodes: readonly NodeExplanation[];
  readonly chosen: number | undefined;
  /** A PreFilter rejected the pod everywhere. */
  readonly preFilter?: { readonly plugin: string; readonly status: FilterStatus };
  readonly preemption?: PostFilterResult;
}

export class Framework {
  readonly plugins: readonly WeightedPlugin[];
  private readonly opts: FrameworkOptions;
  private nextStartNodeIndex = 0;
  private feasibleBuf = new Int32Array(0);
  private totalBuf = new Float64Array(0);
  private scoreBufs: Float64Array[] = [];

  constructor(opts: FrameworkOptions) {
    this.opts = opts;
    this.plugins = opts.plugins;
    for (const wp of opts.plugins) {
      if (!Number.isInteger(wp.weight) || wp.weight < 0) {
        throw new Error(`plugin ${wp.plugin.name}: weight must be a non-negative integer, got ${wp.weight}`);
      }
    }
  }

  /** Runs PreFilter; returns the active filter plugins, or the rejecting plugin and status. */
  private preFilter(cx: CycleContext): { filters: Plugin[] } | { plugin: string; status: FilterStatus } {
    const filters: Plugin[] = [];
    for (const { plugin } of this.plugins) {
      let r: FilterStatus | typeof SKIP | undefined;
      if (plugin.preFilter) {
        r = plugin.preFilter(cx);
        if (r === SKIP) continue;
        if (r !== undefined) return { plugin: plugin.name, status: r };
      }
      if (plugin.filter) filters.push(plugin);
    }
    return { filters };
  }

  private refreshPreFilter(cx: CycleContext): void {
    for (const { plugin } of this.plugins) if (plugin.preFilterDependsOnPods && plugin.preFilter) plugin.preFilter(cx);
  }

  /** One scheduling cycle. Does not bind: the caller adds the pod to the table on 'assign'. */
  scheduleOne(pod: PodInfo, table: NodeTable): CycleResult {
    const n = table.n;
    const cx: CycleContext = { pod, table, state: new CycleState() };
    const pre = this.preFilter(cx);
    if ('status' in pre) {
      const reasons: Record<string, number> = {};
      for (const r of pre.status.reasons) reasons[r] = n;
      return { kind: 'unschedulable', reasons };
    }
    const filters = pre.filters;
    // Bound once per cycle: the loop calls functions, not a method looked up on each plugin object.
    const filterFns = filters.map((p) => p.filter!.bind(p));
    const want = numFeasibleNodesToFind(this.opts.percentageOfNodesToScore, n);
    if (this.feasibleBuf.length < want) this.feasibleBuf = new Int32Array(want);
    const feasible = this.feasibleBuf;
    let count = 0;
    let processed = 0;
    const statuses: Array<FilterStatus | undefined> = [];
    const start = n === 0 ? 0 : this.nextStartNodeIndex % n;
    const nf = filters.length;
    for (; processed < n && count < want; processed++) {
      let i = start + processed;
      if (i >= n) i -= n;
      let failed: FilterStatus | undefined;
      for (let f = 0; f < nf; f++) {
        failed = filterFns[f](cx, i);
        if (failed !== undefined) break;
      }
      if (failed === undefined) feasible[count++] = i;
      else statuses[i] = failed;
    }
    if (n > 0) this.nextStartNodeIndex = (start + processed) % n;

    if (count === 0) {
      const reasons: Record<string, number> = {};
      for (const st of statuses) if (st) for (const r of st.reasons) reasons[r] = (reasons[r] ?? 0) + 1;
      const preemption = this.postFilter(cx, statuses, filters);
      return preemption ? { kind: 'unschedulable', reasons, preemption } : { kind: 'unschedulable', reasons };
    }

    const { totals, perPlugin, active } = this.scoreNodes(cx, feasible, count);
    const chosenK = this.selectHost(totals, count, feasible);
    const candidates = this.topCandidates(cx, feasible, count, totals, perPlugin, active, chosenK);
    return { kind: 'assign', node: feasible[chosenK], candidates, evaluated: processed, feasible: count };
  }

  private postFilter(
    cx: CycleContext,
    statuses: Array<FilterStatus | undefined>,
    filters: readonly Plugin[],
  ): PostFilterResult | undefined {
    for (const { plugin } of this.plugins) {
      if (!plugin.postFilter) continue;
      const r = plugin.postFilter(cx, {
        statuses,
        filterNode: (i) => {
          for (const f of filters) {
            const st = f.filter!(cx, i);
            if (st) return st;
          }
          return undefined;
        },
        refreshPreFilter: () => this.refreshPreFilter(cx),
      });
      if (r) return r;
    }
    return undefined;
  }

  /**
   * PreScore, Score, NormalizeScore and weights over `feasible[0..count)`.
   * totals[k] = Σ_p weight_p · score_p(feasible[k]).
   */
  private scoreNodes(
    cx: CycleContext,
    feasible: Int32Array,
    count: number,
  ): { totals: Float64Array; perPlugin: Float64Array[]; active: WeightedPlugin[] } {
    if (this.totalBuf.length < count) this.totalBuf = new Float64Array(Math.max(count, this.totalBuf.length * 2));
    const totals = this.totalBuf;
    totals.fill(0, 0, count);
    const active: WeightedPlugin[] = [];
    for (const wp of this.plugins) {
      const p = wp.plugin;
      if (!p.score || wp.weight === 0) continue;
      if (p.preScore && p.preScore(cx, feasible, count) === SKIP) continue;
      active.push(wp);
    }
    const perPlugin: Float64Array[] = [];
    for (let a = 0; a < active.length; a++) {
      const wp = active[a];
      let buf = this.scoreBufs[a];
      if (!buf || buf.length < count) buf = this.scoreBufs[a] = new Float64Array(Math.max(count, 64));
      const p = wp.plugin;
      if (p.scoreAll) p.scoreAll(cx, feasible, count, buf);
      else for (let k = 0; k < count; k++) buf[k] = p.score!(cx, feasible[k]);
      if (p.normalizeScore) p.normalizeScore(cx, feasible, buf, count);
      const w = wp.weight;
      for (let k = 0; k < count; k++) {
        const s = buf[k];
        if (!(s >= MIN_NODE_SCORE && s <= MAX_NODE_SCORE) || Math.floor(s) !== s) {
          throw new Error(
            `plugin ${p.name} returned score ${s} for node ${cx.table.names[feasible[k]]}; ` +
              `scores must be integers in [${MIN_NODE_SCORE}, ${MAX_NODE_SCORE}]`,
          );
        }
        totals[k] += w * s;
      }
      perPlugin.push(buf);
    }
    return { totals, perPlugin, active };
  }

  /** Reservoir sampling among the highest totals, in visit order (or the smallest index, see tieBreak). Returns the index k. */
  private selectHost(totals: Float64Array, count: number, feasible: Int32Array): number {
    let best = -Infinity;
    let chosen = 0;
    let ties = 0;
    const smallest = this.opts.tieBreak === 'smallest-name';
    for (let k = 0; k < count; k++) {
      const t = totals[k];
      if (t > best) {
        best = t;
        chosen = k;
        ties = 1;
      } else if (t === best) {
        if (smallest) {
          if (feasible[k] < feasible[chosen]) chosen = k;
          continue;
        }
        ties++;
        if (this.opts.random.int(0, ties - 1) === 0) chosen = k;
      }
    }
    return chosen;
  }

  /** The chosen node first, then the best others (total descending, then node order: name order in simulations). */
  private topCandidates(
    _cx: CycleContext,
    feasible: Int32Array,
    count: number,
    totals: Float64Array,
    perPlugin: Float64Array[],
    active: WeightedPlugin[],
    chosenK: number,
  ): CandidateScore[] {
    const limit = Math.min(this.opts.topCandidates ?? 3, count);
    const top: number[] = [chosenK];
    const better = (a: number, b: number) =>
      totals[a] !== totals[b] ? totals[a] > totals[b] : feasible[a] < feasible[b];
    for (let k = 0; k < count && limit > 1; k++) {
      if (k === chosenK) continue;
      if (top.length < limit) {
        top.push(k);
      } else if (better(k, top[top.length - 1])) {
        top[top.length - 1] = k;
      } else continue;
      // keep top[1..] sorted best first
      for (let j = top.length - 1; j > 1 && better(top[j], top[j - 1]); j--) [top[j], top[j - 1]] = [top[j - 1], top[j]];
    }
    return top.map((k) => {
      const scores: Record<string, number> = {};
      active.forEach((wp, a) => (scores[wp.plugin.name] = perPlugin[a][k]));
      return { node: feasible[k], total: totals[k], scores };
    });
  }

  /** Reserve: every plugin's `reserve`, in profile order. */
  reserve(pod: PodInfo, table: NodeTable, node: number): void {
    const cx: CycleContext = { pod, table, state: new CycleState() };
    for (const { plugin } of this.plugins) plugin.reserve?.(cx, node);
  }

  /** Unreserve: every plugin's `unreserve`, in reverse profile order. */
  unreserve(pod: PodInfo, table: NodeTable, node: number): void {
    const cx: CycleContext = { pod, table, state: new CycleState() };
    for (let k = this.plugins.length - 1; k >= 0; k--) this.plugins[k].plugin.unreserve?.(cx, node);
  }

  /** Permit: the first rejection wins, else 'wait' if any plugin waits, else 'allow'. */
  permit(pod: PodInfo, table: NodeTable, node: number): 'allow' | 'wait' | FilterStatus {
    const cx: CycleContext = { pod, table, state: new CycleState() };
    let verdict: 'allow' | 'wait' = 'allow';
    for (const { plugin } of this.plugins) {
      const r = plugin.permit?.(cx, node);
      if (r === undefined || r === 'allow') continue;
      if (r === 'wait') verdict = 'wait';
      else return r;
    }
    return verdict;
  }

  /**
   * Every filter on every node (not stopping at the first failure) and every score on every
   * feasible node: no sampling. The chosen node is the one `scheduleOne` would choose when it
   * evaluates all nodes.
   */
  explain(pod: PodInfo, table: NodeTable): Explanation {
    const cx: CycleContext = { pod, table, state: new CycleState() };
    const pre = this.preFilter(cx);
    const nodes: NodeExplanation[] = [];
    if ('status' in pre) {
      for (let i = 0; i < table.n; i++) {
        nodes.push({ node: i, filters: [{ plugin: pre.plugin, status: pre.status }], feasible: false, scores: {}, total: undefined });
      }
      return { nodes, chosen: undefined, preFilter: pre };
    }
    const feasible = new Int32Array(table.n);
    let count = 0;
    const statuses: Array<FilterStatus | undefined> = [];
    for (let i = 0; i < table.n; i++) {
      const filters = pre.filters.map((p) => ({ plugin: p.name, status: p.filter!(cx, i) }));
      const failed = filters.find((f) => f.status !== undefined);
      statuses[i] = failed?.status;
      if (!failed) feasible[count++] = i;
      nodes.push({ node: i, filters, feasible: !failed, scores: {}, total: undefined });
    }
    if (count === 0) {
      const preemption = this.postFilter(cx, statuses, pre.filters);
      return preemption ? { nodes, chosen: undefined, preemption } : { nodes, chosen: undefined };
    }
    const { totals, perPlugin, active } = this.scoreNodes(cx, feasible, count);
    for (let k = 0; k < count; k++) {
      const scores: Record<string, number> = {};
      active.forEach((wp, a) => (scores[wp.plugin.name] = perPlugin[a][k]));
      nodes[feasible[k]] = { ...nodes[feasible[k]], scores, total: totals[k] };
    }
    const chosenK = this.selectHost(totals, count, feasible);
    return { nodes, chosen: feasible[chosenK] };
  }
}
