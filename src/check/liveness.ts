/**
 * Liveness expectations, checked after the faults have stopped (the end of a fuzz run's liveness
 * phase): every workload has converged, and every pending instance carries a reason.
 *
 * A workload that cannot converge because the cluster lacks room is not a bug: it is reported as
 * `cannot converge: 40 cpu short` (the sum of the requests of every desired instance minus the
 * allocatable of the Ready, schedulable nodes, in the first short resource), or as fragmented
 * capacity when the totals fit but no single node has room for a pending instance.
 */
import { podRequests } from '../core/pod-requests.js';
import { formatCpu } from '../core/quantity.js';
import { formatBytes, sum, type Resources } from '../core/resources.js';
import type { Orchestrator } from '../core/orchestrator.js';
import type { StateStore } from '../core/interfaces.js';
import type { Node } from '../core/types.js';
import { describeStatus, isConverged } from './expectations.js';

export interface LivenessResult {
  /** False when a workload failed to converge for a reason other than capacity, or a pending instance has no reason. */
  readonly ok: boolean;
  /** What failed (one line each). */
  readonly failures: readonly string[];
  /** Workloads that could not converge for lack of capacity (not failures). */
  readonly capacity: readonly string[];
}

export interface LivenessInput {
  readonly orchestrator: Orchestrator;
  readonly store: StateStore;
  readonly nodes: readonly Node[];
}

function shortfall(demand: Resources, supply: Resources): string | undefined {
  if (demand.cpu > supply.cpu) return `${formatCpu(demand.cpu - supply.cpu)} cpu short`;
  if (demand.memory > supply.memory) return `${formatBytes(demand.memory - supply.memory)} memory short`;
  for (const [k, v] of Object.entries(demand.extended)) {
    const have = supply.extended[k] ?? 0;
    if (v > have) return `${v - have} ${k} short`;
  }
  return undefined;
}

export function checkLiveness(input: LivenessInput): LivenessResult {
  const { orchestrator, store, nodes } = input;
  const failures: string[] = [];
  const capacity: string[] = [];
  for (const inst of store.listInstances()) {
    if (inst.status === 'Pending' && inst.stopRequestedAt === undefined && inst.node === undefined && !inst.reason) {
      failures.push(`pending instance ${inst.id} of ${inst.workloadName} carries no reason`);
    }
  }
  // Total demand of every desired instance vs what Ready, schedulable nodes offer.
  const demands: Resources[] = [];
  for (const s of orchestrator.statuses()) {
    const w = orchestrator.getWorkload(s.name);
    if (!w || s.deleted || (s.kind === 'job' && (s.completed || s.jobFailed))) continue;
    const one = podRequests(w);
    for (let i = 0; i < w.replicas; i++) demands.push(one);
  }
  const supply = sum(nodes.filter((n) => n.status === 'Ready' && !n.unschedulable).map((n) => n.allocatable));
  const short = shortfall(sum(demands), supply);
  for (const s of orchestrator.statuses()) {
    if (isConverged(s) && s.terminating === 0) continue;
    if (s.kind === 'job' && s.jobFailed) continue; // finished: its back-off limit was exceeded
    const capacityBound = s.pending > 0 && (s.pendingReason ?? '').includes('Insufficient');
    if (capacityBound) {
      capacity.push(`${s.name}: cannot converge: ${short ?? 'capacity is fragmented: no Ready node has room for a pending instance'} (${describeStatus(s)})`);
    } else {
      failures.push(`${s.name} did not converge: ${describeStatus(s)}`);
    }
  }
  return { ok: failures.length === 0, failures, capacity };
}
