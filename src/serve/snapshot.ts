/**
 * A snapshot of a running control plane's cluster, for simulate_change: its nodes (status,
 * cordon, taints, capacity), its workloads (the desired state) and its instances (where they run),
 * copied so that later changes to the live objects do not reach it.
 */
import type { ClusterManager, StateStore } from '../core/interfaces.js';
import type { Orchestrator } from '../core/orchestrator.js';
import type { Workload } from '../core/types.js';
import type { ClusterSnapshot } from './simulate-change.js';

export interface SnapshotSource {
  readonly orchestrator: Orchestrator;
  readonly store: StateStore;
  readonly cluster: ClusterManager;
  /** The scheduler (policy) name the control plane runs. */
  readonly scheduler: string;
}

/** The cluster now: nodes by name, workloads not deleted (submission order), instances in creation order. */
export function snapshotOf(src: SnapshotSource): ClusterSnapshot {
  const workloads: Workload[] = [];
  for (const s of src.orchestrator.statuses()) {
    if (s.deleted) continue;
    const w = src.orchestrator.getWorkload(s.name);
    if (w) workloads.push(structuredClone(w));
  }
  return {
    nodes: src.cluster.listNodes().map((n) => structuredClone(n)),
    workloads,
    instances: src.store.listInstances().map((i) => structuredClone(i)),
    scheduler: src.scheduler,
  };
}
