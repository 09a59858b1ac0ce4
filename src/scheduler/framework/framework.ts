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

/** Batch filtering takes at least this many nodes per chunk (fewer calls when few nodes pass). */
const MIN_FILTER_CHUNK = 64;

/** Plugins whose final scores are proven integers in [0, 100] (see `scoresProvenInRange`). */
const PROVEN_IN_RANGE = new WeakSet<Plugin>();

/**
 * Marks a built-in plugin whose final (normalized) scores are integers in [0, 100] by
 * construction, so the framework skips its per-score range check. Every other plugin, user
 * plugins included, keeps the check. Returns the plugin.
 */
export function scoresProvenInRange<P extends Plugin>(plugin: P): P {
  PROVEN_IN_RANGE.add(plugin);
  return plugin;
}

/** totals[k] += Σ_j weights[j] · bufs[j][k] for k < count, up to three buffers per pass. */
function addWeighted(totals: Float64Array, count: number, bufs: readonly Float64Array[], weights: readonly number[]): void {
  let j = 0;
  for (; j + 3 <= bufs.length; j += 3) {
    const b0 = bufs[j];
    const b1 = bufs[j + 1];
    const b2 = bufs[j + 2];
    const w0 = weights[j];
    const w1 = weights[j + 1];
    const w2 = weights[j + 2];
    for (let k = 0; k < count; k++) totals[k] += w0 * b0[k] + w1 * b1[k] + w2 * b2[k];
  }
  if (bufs.length - j === 2) {
    const b0 = bufs[j];
    const b1 = bufs[j + 1];
    const w0 = weights[j];
    const w1 = weights[j + 1];
    for (let k = 0; k < count; k++) totals[k] += w0 * b0[k] + w1 * b1[k];
  } else if (bufs.length - j === 1) {
    const b0 = bufs[j];
    const w0 = weights[j];
    for (let k = 0; k < count; k++) totals[k] += w0 * b0[k];
  }
}

export class Framework {
  readonly plugins: readonly WeightedPlugin[];
  private readonly opts: FrameworkOptions;
  private nextStartNodeIndex = 0;
  private feasibleBuf = new Int32Array(0);
  private totalBuf = new Float64Array(0);
  private scoreBufs: Float64Array[] = [];
  /** Each filter plugin's `filter`, bound once (the hot loop calls functions, not methods). */
  private readonly boundFilters = new Map<Plugin, (cx: CycleContext, i: number) => FilterStatus | undefined>();
  /** Reused per cycle: the active filters' bound functions. */
  private readonly filterFnBuf: Array<(cx: CycleContext, i: number) => FilterStatus | undefined> = [];
  /** Reused per cycle: why each evaluated node failed (only read when no node passed). */
  private statusBuf: Array<FilterStatus | undefined> = [];
  /** Reused per cycle: score buffers and weights of the plugins proven in range. */
  private readonly provenBufs: Float64Array[] = [];
  private readonly provenWeights: number[] = [];
  /** Reused per cycle: the best candidates (indices into the feasible list), best first. */
  private readonly rankBuf: number[] = [];
  /** Reused per cycle: one chunk of nodes for batch filtering. */
  private chunkBuf = new Int32Array(0);
  private readonly boundFilterAlls = new Map<Plugin, NonNullable<Plugin['filterAll']>>();
  private readonly filterAllBuf: Array<NonNullable<Plugin['filterAll']>> = [];

  constructor(opts: FrameworkOptions) {
    this.opts = opts;
    this.plugins = opts.plugins;
    for (const wp of opts.plugins) {
      if (!Number.isInteger(wp.weight) || wp.weight < 0) {
        throw new Error(`plugin ${wp.plugin.name}: weight must be a non-negative integer, got ${wp.weight}`);
      }
      const p = wp.plugin;
      if (p.filter) this.boundFilters.set(p, p.filter.bind(p));
      if (p.filter && p.filterAll) this.boundFilterAlls.set(p, p.filterAll.bind(p));
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
    const want = numFeasibleNodesToFind(this.opts.percentageOfNodesToScore, n);
    if (this.feasibleBuf.length < want) this.feasibleBuf = new Int32Array(want);
    const feasible = this.feasibleBuf;
    // Entries of nodes not evaluated this cycle are stale; they are read only when no node
    // passed, and then every node was evaluated (and its entry written) this cycle.
    const statuses = this.statusBuf;
    const start = n === 0 ? 0 : this.nextStartNodeIndex % n;
    const { count, processed } = this.batchFilterable(filters)
      ? this.filterInChunks(cx, start, want, feasible, statuses)
      : this.filterByNode(cx, filters, start, want, feasible, statuses);
    if (n > 0) this.nextStartNodeIndex = (start + processed) % n;

    if (count === 0) {
      // Every node failed (so every entry below n was written this cycle); a fresh copy for PostFilter.
      const failedStatuses = statuses.slice(0, n);
      const reasons: Record<string, number> = {};
      for (const st of failedStatuses) if (st) for (const r of st.reasons) reasons[r] = (reasons[r] ?? 0) + 1;
      const preemption = this.postFilter(cx, failedStatuses, filters);
      return preemption ? { kind: 'unschedulable', reasons, preemption } : { kind: 'unschedulable', reasons };
    }

    const { totals, perPlugin, active } = this.scoreNodes(cx, feasible, count);
    const { chosenK, candidates } = this.selectAndRank(feasible, count, totals, perPlugin, active);
    return { kind: 'assign', node: feasible[chosenK], candidates, evaluated: processed, feasible: count };
  }

  /** True when every active filter has a batch form (then filterAllBuf holds them, bound). */
  private batchFilterable(filters: readonly Plugin[]): boolean {
    const fns = this.filterAllBuf;
    fns.length = 0;
    for (const p of filters) {
      const fa = this.boundFilterAlls.get(p);
      if (fa === undefined) return false;
      fns.push(fa);
    }
    return true;
  }

  /**
   * kube-scheduler's filter loop: nodes in round-robin order from `start`, every filter on each
   * node until one fails, stopping once `want` nodes passed.
   */
  private filterByNode(
    cx: CycleContext,
    filters: readonly Plugin[],
    start: number,
    want: number,
    feasible: Int32Array,
    statuses: Array<FilterStatus | undefined>,
  ): { count: number; processed: number } {
    const n = cx.table.n;
    const filterFns = this.filterFnBuf;
    filterFns.length = 0;
    for (const p of filters) filterFns.push(this.boundFilters.get(p)!);
    const nf = filterFns.length;
    let count = 0;
    let processed = 0;
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
    return { count, processed };
  }

  /**
   * The same loop with batch filters (`filterAll`): each chunk of nodes, in visit order, goes
   * through the first filter, its survivors through the second, and so on. A chunk holds at
   * least as many nodes as are still wanted, so the loop over-evaluates only the tail of the
   * chunk that completes the sample; `processed` counts up to the last node taken, exactly as
   * the per-node loop would, and the tail's verdicts are ignored.
   */
  private filterInChunks(
    cx: CycleContext,
    start: number,
    want: number,
    feasible: Int32Array,
    statuses: Array<FilterStatus | undefined>,
  ): { count: number; processed: number } {
    const n = cx.table.n;
    if (this.chunkBuf.length < n) this.chunkBuf = new Int32Array(n);
    const chunk = this.chunkBuf;
    const fns = this.filterAllBuf;
    const nf = fns.length;
    let count = 0;
    let processed = 0;
    while (processed < n && count < want) {
      const size = Math.min(n - processed, Math.max(want - count, MIN_FILTER_CHUNK));
      let base = start + processed;
      if (base >= n) base -= n;
      for (let j = 0, i = base; j < size; j++) {
        chunk[j] = i;
        if (++i === n) i = 0;
      }
      let m = size;
      for (let f = 0; f < nf && m > 0; f++) m = fns[f](cx, chunk, m, statuses);
      if (count + m < want) {
        for (let j = 0; j < m; j++) feasible[count++] = chunk[j];
        processed += size;
      } else {
        // the sample completes inside this chunk: the per-node loop stops right after the node
        // that completes it (which need not be the chunk's last, even when every survivor is taken)
        const take = want - count;
        for (let j = 0; j < take; j++) feasible[count++] = chunk[j];
        let last = chunk[take - 1] - base;
        if (last < 0) last += n;
        processed += last + 1;
      }
    }
    return { count, processed };
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
    // Plugins proven in range are summed after the loop, several per pass over the nodes (the
    // totals are integers, so the order of the additions does not matter).
    const provenBufs = this.provenBufs;
    const provenWeights = this.provenWeights;
    provenBufs.length = 0;
    provenWeights.length = 0;
    for (let a = 0; a < active.length; a++) {
      const wp = active[a];
      let buf = this.scoreBufs[a];
      if (!buf || buf.length < count) buf = this.scoreBufs[a] = new Float64Array(Math.max(count, 64));
      const p = wp.plugin;
      if (p.scoreAll) p.scoreAll(cx, feasible, count, buf);
      else for (let k = 0; k < count; k++) buf[k] = p.score!(cx, feasible[k]);
      if (p.normalizeScore) p.normalizeScore(cx, feasible, buf, count);
      const w = wp.weight;
      if (PROVEN_IN_RANGE.has(p)) {
        provenBufs.push(buf);
        provenWeights.push(w);
        perPlugin.push(buf);
        continue;
      }
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
    addWeighted(totals, count, provenBufs, provenWeights);
    return { totals, perPlugin, active };
  }

  /**
   * Selects the host, by reservoir sampling among the highest totals in visit order (each tied
   * node replaces the pick with probability 1/k, one draw per tie), and in the same pass ranks
   * the best others. Returns the candidates: the chosen node first, then the best others (total
   * descending, then node order: name order in simulations).
   */
  private selectAndRank(
    feasible: Int32Array,
    count: number,
    totals: Float64Array,
    perPlugin: Float64Array[],
    active: WeightedPlugin[],
  ): { chosenK: number; candidates: CandidateScore[] } {
    const limit = Math.min(this.opts.topCandidates ?? 3, count);
    // The best `limit` of all feasible nodes (chosen included), best first: the chosen node and
    // the best limit - 1 others are among them.
    const top = this.rankBuf;
    top.length = 0;
    const random = this.opts.random;
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
        } else {
          ties++;
          if (random.int(0, ties - 1) === 0) chosen = k;
        }
      }
      if (limit <= 1) continue;
      // visit order is not node order (round-robin start), so ties compare node indices
      let j = top.length;
      if (j === limit) {
        const w = top[j - 1];
        if (!(t > totals[w] || (t === totals[w] && feasible[k] < feasible[w]))) continue;
        j--;
      } else top.push(k);
      for (; j > 0; j--) {
        const o = top[j - 1];
        if (!(t > totals[o] || (t === totals[o] && feasible[k] < feasible[o]))) break;
        top[j] = o;
      }
      top[j] = k;
    }
    const picked = [chosen];
    for (let r = 0; r < top.length && picked.length < limit; r++) if (top[r] !== chosen) picked.push(top[r]);
    const candidates = picked.map((k) => {
      const scores: Record<string, number> = {};
      for (let a = 0; a < active.length; a++) scores[active[a].plugin.name] = perPlugin[a][k];
      return { node: feasible[k], total: totals[k], scores };
    });
    return { chosenK: chosen, candidates };
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
    const { chosenK } = this.selectAndRank(feasible, count, totals, perPlugin, active);
    return { nodes, chosen: feasible[chosenK] };
  }
}
