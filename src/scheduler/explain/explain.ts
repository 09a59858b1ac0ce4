/**
 * Why a pod lands where it does: every filter's verdict and every score on every node, without
 * sampling, for a snapshot. Pure: the same snapshot (and seed) gives the same report.
 */
import { RandomStream } from '../../engine/random.js';
import { NodeTable } from '../framework/node-table.js';
import { createFramework, type ProfileConfig } from '../profiles.js';
import type { PluginRegistry } from '../plugins/registry.js';
import type { PodInfo } from '../framework/pod.js';
import type { PostFilterResult } from '../framework/types.js';
import type { Workload } from '../../core/types.js';
import { DEFAULT_NAMESPACE } from '../../core/namespace.js';
import { reserveGpus } from '../framework-scheduler.js';
import { ROUND_ROBIN } from '../round-robin.js';
import { explainRoundRobin } from './round-robin.js';
import { snapshotTable, type Snapshot } from './snapshot.js';

export interface ExplainedNode {
  readonly name: string;
  readonly feasible: boolean;
  /** Every failing filter's reasons (empty when feasible). */
  readonly reasons: readonly string[];
  /** Per filter plugin: "ok" or its reasons joined with "; ". */
  readonly filters: Readonly<Record<string, string>>;
  /**
   * Per filter plugin, its status code as kube-scheduler names it: `Success`, `Unschedulable`
   * (preemption might help) or `UnschedulableAndUnresolvable` (it would not).
   */
  readonly codes: Readonly<Record<string, FilterCode>>;
  /** The node's code: Success, or the failing filters' (UnschedulableAndUnresolvable when any is). */
  readonly code: FilterCode;
  /** Each score plugin's final (normalized, unweighted) score; feasible nodes only. */
  readonly scores: Readonly<Record<string, number>>;
  /** Σ weight · score; null for infeasible nodes. */
  readonly total: number | null;
  /** GPU nodes: free milli-GPU per device before the pending pod. */
  readonly gpuFree?: readonly number[];
}

/** kube-scheduler's framework status codes for a Filter verdict. */
export type FilterCode = 'Success' | 'Unschedulable' | 'UnschedulableAndUnresolvable';

export interface ExplainReport {
  readonly pending: string;
  /** The pending pod's namespace when it is not `default`. */
  readonly namespace?: string;
  readonly profile: string;
  readonly chosen: string | null;
  readonly weights: Readonly<Record<string, number>>;
  readonly nodes: readonly ExplainedNode[];
  /** When no node fits: what preemption would evict, and where. */
  readonly preemption?: {
    readonly node: string;
    readonly victims: readonly string[];
    /** Victims whose eviction violates a PodDisruptionBudget (absent: none), and which budget each one violates. */
    readonly pdbViolations?: number;
    readonly violatedBudgets?: Readonly<Record<string, string>>;
  };
  /** A pending pod with a GPU request placed: the chosen node's devices it gets (Reserve's choice). */
  readonly gpus?: readonly number[];
  /** An assumption the result rests on (round-robin: where its cursor starts); a table line. */
  readonly note?: string;
}

/** `plugins`: the registry the snapshot's profile names plugins from (default the built-in ones). */
export function explainSnapshot(s: Snapshot, options: { readonly plugins?: PluginRegistry } = {}): ExplainReport {
  if (s.scheduler === ROUND_ROBIN) return explainRoundRobin(s);
  const table = snapshotTable(s);
  return explainOn(table, s.pending, s.profile, { seed: s.seed, ...options });
}

/** Options of `explainOn`. */
export interface ExplainOnOptions {
  /** Ties are broken by the `scheduler` stream of this seed. */
  readonly seed: number;
  /** The run's workloads (the FGD plugin's typical pods come from them). */
  readonly workloads?: readonly Workload[];
  /** The registry the profile names plugins from (default the built-in ones). */
  readonly plugins?: PluginRegistry;
}

/**
 * The report for placing `pending` on `table` (the cluster with its bound pods) under `profile`,
 * ties broken by the `scheduler` stream of `options.seed`. Mutates `table` when the pod is placed (its GPU Reserve).
 */
export function explainOn(table: NodeTable, pending: PodInfo, profile: ProfileConfig, options: ExplainOnOptions): ExplainReport {
  const { seed, workloads, plugins } = options;
  const s = { pending, profile };
  const fw = createFramework(profile, new RandomStream('scheduler', seed), { ...(workloads ? { workloads } : {}), ...(plugins ? { plugins } : {}) });
  const gpuFree = (i: number): number[] | undefined => {
    const g = table.gpu;
    if (!g || g.gpuCount[i] === 0) return undefined;
    return Array.from({ length: g.gpuCount[i] }, (_, d) => g.left(i, d));
  };
  const free = table.names.map((_, i) => gpuFree(i));
  const e = fw.explain(s.pending, table);
  let gpus: readonly number[] | undefined;
  if (e.chosen !== undefined && s.pending.gpu !== undefined) {
    table.addPod(e.chosen, s.pending);
    fw.reserve(s.pending, table, e.chosen);
    gpus = reserveGpus(s.pending, table, e.chosen);
  }
  const weights: Record<string, number> = {};
  for (const wp of fw.plugins) if (wp.plugin.score && wp.weight > 0) weights[wp.plugin.name] = wp.weight;
  return {
    pending: s.pending.name,
    ...(s.pending.namespace !== DEFAULT_NAMESPACE ? { namespace: s.pending.namespace } : {}),
    profile: s.profile.name,
    chosen: e.chosen === undefined ? null : table.names[e.chosen],
    weights,
    nodes: e.nodes.map((n) => {
      const filters: Record<string, string> = {};
      const codes: Record<string, FilterCode> = {};
      const reasons: string[] = [];
      let code: FilterCode = 'Success';
      for (const f of n.filters) {
        filters[f.plugin] = f.status ? f.status.reasons.join('; ') : 'ok';
        codes[f.plugin] = !f.status ? 'Success' : f.status.unresolvable ? 'UnschedulableAndUnresolvable' : 'Unschedulable';
        if (f.status) reasons.push(...f.status.reasons);
        if (codes[f.plugin] === 'UnschedulableAndUnresolvable' || (codes[f.plugin] === 'Unschedulable' && code === 'Success')) code = codes[f.plugin];
      }
      const f = free[n.node];
      return { name: table.names[n.node], feasible: n.feasible, code, reasons, filters, codes, scores: n.scores, total: n.total ?? null, ...(f ? { gpuFree: f } : {}) };
    }),
    ...(gpus !== undefined ? { gpus } : {}),
    ...(e.preemption ? { preemption: preemptionOf(table, e.preemption) } : {}),
  };
}

function preemptionOf(table: NodeTable, p: PostFilterResult): NonNullable<ExplainReport['preemption']> {
  const violated = p.budgets ? Object.fromEntries([...p.budgets].map(([v, b]) => [v.name, b])) : undefined;
  return {
    node: table.names[p.node],
    victims: p.victims.map((v) => v.name),
    ...(p.violations ? { pdbViolations: p.violations, violatedBudgets: violated } : {}),
  };
}

/** A plain-text table: NODE, GPU FREE (free milli per device, with GPU nodes), one column per filter plugin, one per score plugin (score×weight), TOTAL. */
export function formatExplainTable(r: ExplainReport): string {
  const filterNames = [...new Set(r.nodes.flatMap((n) => Object.keys(n.filters)))];
  const scoreNames = Object.keys(r.weights);
  const withGpus = r.nodes.some((n) => n.gpuFree);
  const header = ['NODE', ...(withGpus ? ['GPU FREE'] : []), ...filterNames, ...scoreNames.map((p) => `${p}(×${r.weights[p]})`), 'TOTAL'];
  const rows = r.nodes.map((n) => [
    n.name === r.chosen ? `${n.name} *` : n.name,
    ...(withGpus ? [n.gpuFree ? n.gpuFree.join(',') : '-'] : []),
    ...filterNames.map((f) => n.filters[f] ?? '-'),
    ...scoreNames.map((p) => (p in n.scores ? String(n.scores[p]) : '-')),
    !n.feasible ? 'infeasible' : n.total === null ? '-' : String(n.total),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c].length)));
  const line = (cells: string[]) => cells.map((x, c) => x.padEnd(widths[c])).join('  ').trimEnd();
  const out = [`pending pod ${r.pending}${r.namespace !== undefined ? ` (namespace ${r.namespace})` : ''}, profile ${r.profile}, ${r.nodes.length} node(s)${r.note ? `; ${r.note}` : ''}`, line(header), ...rows.map(line)];
  if (r.chosen !== null) out.push(`chosen: ${r.chosen}${r.gpus ? `, GPU device(s) ${r.gpus.join(', ')}` : ''}`);
  else {
    const counts: Record<string, number> = {};
    for (const n of r.nodes) for (const why of new Set(n.reasons)) counts[why] = (counts[why] ?? 0) + 1;
    const parts = Object.entries(counts)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .map(([why, k]) => `${k} ${why}`);
    out.push(`chosen: none — 0/${r.nodes.length} nodes are available: ${parts.join(', ')}.`);
    if (r.preemption) {
      const v = r.preemption.violatedBudgets;
      const pdb = v ? ` (violating ${Object.entries(v).map(([pod, b]) => `PodDisruptionBudget ${b} by ${pod}`).join(', ')})` : '';
      out.push(`preemption: evict ${r.preemption.victims.join(', ')} from ${r.preemption.node}${pdb}`);
    }
  }
  return out.join('\n') + '\n';
}
