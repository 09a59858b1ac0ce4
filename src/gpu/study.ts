/**
 * A study = every (workload, policy, seed) experiment of the paper's protocol, binned. This module
 * holds the pure parts: the job list, the results.csv format and the summary at 100% arrived.
 * Running the jobs (in worker threads) and reading the trace is the CLI's business.
 */
import { InputError } from '../core/errors.js';
import { unknownName } from '../core/suggest.js';
import { unschedulableMessage } from '../core/unschedulable.js';
import { binRecords, runExperiment, type BinnedRow, type Placement } from './experiment.js';
import { EXTRA_POLICY_NAMES, POLICY_NAMES, isPolicyName, type PolicyName } from './policies/index.js';
import { WORKLOADS, type WorkloadName } from './trace-csv.js';
import type { GpuNodeSpec, GpuPodSpec } from './types.js';

export interface StudyJob {
  readonly workload: string;
  readonly policy: PolicyName;
  readonly seed: number;
}

export interface JobResult extends StudyJob {
  readonly rows: readonly BinnedRow[];
  readonly arrived: number;
  readonly placed: number;
}

export const RESULTS_HEADER = 'workload,policy,seed,arrived_pct,alloc_pct,frag_pct,frag_ratio_pct';

/**
 * Runs one job: the whole protocol for one workload, policy and seed, binned. With `placements`,
 * also returns where every pod went, as JSONL (see placementLine).
 */
export interface JobInput {
  readonly nodes: readonly GpuNodeSpec[];
  /** The workload's pods as listed in the trace. */
  readonly pods: readonly GpuPodSpec[];
  /** Also return the per-pod decisions as JSONL. */
  readonly placements?: boolean;
}

export function runJob(job: StudyJob, { nodes, pods, placements }: JobInput): JobResult & { placements?: string } {
  const lines: string[] = [];
  const r = runExperiment({
    nodes,
    pods,
    policy: job.policy,
    seed: job.seed,
    onPlacement: placements ? (p) => lines.push(placementLine(p, { seq: lines.length, nodes: nodes.length })) : undefined,
  });
  const result = { ...job, rows: binRecords(r.records), arrived: r.arrived, placed: r.placed };
  return placements ? { ...result, placements: lines.join('\n') + '\n' } : result;
}

/**
 * One pod's decision as a JSON line, in arrival order:
 *   {"seq":0,"type":"gpu.bind","pod":"openb-pod-0001","node":"openb-node-0042","gpus":[3]}
 *   {"seq":1,"type":"gpu.unschedulable","pod":"...","message":"0/1213 nodes are available: 1200 Insufficient GPU, 13 Insufficient cpu.","reasons":{...}}
 */
export function placementLine(p: Placement, { seq, nodes }: { seq: number; nodes: number }): string {
  if (p.node !== undefined) return JSON.stringify({ seq, type: 'gpu.bind', pod: p.pod, node: p.node, gpus: p.gpus });
  const reasons = Object.fromEntries(Object.entries(p.reasons ?? {}).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)));
  return JSON.stringify({ seq, type: 'gpu.unschedulable', pod: p.pod, message: unschedulableMessage(nodes, reasons), reasons });
}

/** `--workload`: one of the 17 names, or `all`. */
export function parseWorkloads(value: string): WorkloadName[] {
  if (value === 'all') return [...WORKLOADS];
  const list = value.split(',').map((s) => s.trim());
  for (const w of list) {
    if (!(WORKLOADS as readonly string[]).includes(w)) {
      throw new InputError(unknownName('--workload', 'workload', w, [...WORKLOADS, 'all']));
    }
  }
  return list as WorkloadName[];
}

/** `--policies`: a comma-separated subset of the six, or fgd-exact (default: the six, in the paper's order). */
export function parsePolicies(value: string | undefined): PolicyName[] {
  if (value === undefined || value === 'all') return [...POLICY_NAMES];
  const list = value.split(',').map((s) => s.trim());
  for (const p of list) {
    if (!isPolicyName(p)) {
      throw new InputError(unknownName('--policies', 'policy', p, [...POLICY_NAMES, ...EXTRA_POLICY_NAMES]));
    }
  }
  return [...new Set(list)] as PolicyName[];
}

/** `--seeds`: `42..51` (inclusive), `42,43,50` or `42`. */
export function parseSeeds(value: string): number[] {
  const range = /^(-?\d+)\.\.(-?\d+)$/.exec(value.trim());
  let seeds: number[];
  if (range) {
    const lo = Number(range[1]);
    const hi = Number(range[2]);
    if (hi < lo) throw new InputError(`--seeds: empty range ${JSON.stringify(value)} (the end is before the start)`);
    seeds = Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
  } else {
    seeds = value.split(',').map((s) => Number(s.trim()));
  }
  for (const s of seeds) {
    if (!Number.isSafeInteger(s)) throw new InputError(`--seeds: expected an integer, a list a,b,c or a range a..b, got ${JSON.stringify(value)}`);
  }
  return [...new Set(seeds)];
}

/** Jobs in a fixed order: workload, then policy, then seed. */
export function studyJobs(workloads: readonly string[], policies: readonly PolicyName[], seeds: readonly number[]): StudyJob[] {
  const jobs: StudyJob[] = [];
  for (const workload of workloads) for (const policy of policies) for (const seed of seeds) jobs.push({ workload, policy, seed });
  return jobs;
}

/** results.csv: one row per workload, policy, seed and arrived bin; rows in job order. */
export function resultsCsv(results: readonly JobResult[]): string {
  const lines = [RESULTS_HEADER];
  for (const r of results) {
    for (const b of r.rows) {
      lines.push(
        `${r.workload},${r.policy},${r.seed},${b.arrivedPct},${b.allocPct.toFixed(2)},${b.fragPct.toFixed(2)},${b.fragRatioPct.toFixed(2)}`,
      );
    }
  }
  return lines.join('\n') + '\n';
}

/** Mean, min and max over seeds of one metric at one arrived bin. */
export interface SeedStats {
  readonly mean: number;
  readonly min: number;
  readonly max: number;
  readonly n: number;
}

function stats(values: readonly number[]): SeedStats | undefined {
  if (values.length === 0) return undefined;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return { mean, min: Math.min(...values), max: Math.max(...values), n: values.length };
}

/** Unallocated GPU % (100 − alloc_pct) at arrived bin `bin`, over seeds, per workload and policy. */
export function unallocatedAt(results: readonly JobResult[], bin: number): Map<string, Map<PolicyName, SeedStats>> {
  const values = new Map<string, Map<PolicyName, number[]>>();
  for (const r of results) {
    const row = r.rows.find((b) => b.arrivedPct === bin);
    if (!row) continue;
    let byPolicy = values.get(r.workload);
    if (!byPolicy) values.set(r.workload, (byPolicy = new Map()));
    const list = byPolicy.get(r.policy) ?? [];
    list.push(100 - row.allocPct);
    byPolicy.set(r.policy, list);
  }
  const out = new Map<string, Map<PolicyName, SeedStats>>();
  for (const [w, byPolicy] of values) {
    const m = new Map<PolicyName, SeedStats>();
    for (const [p, list] of byPolicy) m.set(p, stats(list)!);
    out.set(w, m);
  }
  return out;
}

/**
 * FGD's reduction of unallocated GPU against a baseline, in % of the baseline's:
 *   reduction = (U_baseline − U_fgd) / U_baseline × 100.
 */
export function reductionPct(baseline: number, fgd: number): number {
  return baseline === 0 ? 0 : ((baseline - fgd) / baseline) * 100;
}

/** A plain-text table of unallocated GPU % at 100% arrived (mean over seeds) and FGD's reduction. */
export function summaryTable(results: readonly JobResult[], capacityGpus?: number): string {
  const at = unallocatedAt(results, 100);
  const seeds = new Set(results.map((r) => r.seed)).size;
  const lines: string[] = [];
  for (const [workload, byPolicy] of at) {
    lines.push(`workload ${workload}: unallocated GPU % at 100% arrived (mean over ${seeds} seeds)`);
    const fgd = byPolicy.get('fgd');
    for (const [policy, s] of byPolicy) {
      let line = `  ${policy.padEnd(15)} ${s.mean.toFixed(2).padStart(6)}%  [${s.min.toFixed(2)}, ${s.max.toFixed(2)}]`;
      // a seed whose arrivals jump over bins 99..101 (tiny clusters) has no value there
      if (s.n < seeds) line += ` (${s.n} of ${seeds} seeds)`;
      if (capacityGpus !== undefined) line += `  ${((s.mean / 100) * capacityGpus).toFixed(0).padStart(5)} GPUs`;
      if (fgd && policy !== 'fgd') line += `  FGD reduces it by ${reductionPct(s.mean, fgd.mean).toFixed(1)}%`;
      lines.push(line);
    }
  }
  return lines.join('\n');
}
