/**
 * The control plane's own records, shared by the Orchestrator and the modules beside it that
 * handle one concern each (gang coordination, NoExecute taint eviction timers, adoption and
 * resync). The Orchestrator owns them; the modules read and update them through
 * {@link ControlPlaneRecords} and ask the Orchestrator for everything else through a narrow
 * host interface of their own.
 */
import type { SlotHistory } from './reconciler.js';
import type { ResourceTally, Resources } from './resources.js';
import type { InstanceStatus, Millis, Node, NodeId, Taint, Workload, WorkloadId } from './types.js';

/** Statuses of an instance that still holds (or may hold) a container: not ended, not stopped. */
export const LIVE: ReadonlySet<InstanceStatus> = new Set(['Pending', 'Running', 'Unknown']);

/** A slot's history as the Orchestrator keeps it (the reconciler reads it as {@link SlotHistory}). */
export interface MutableSlot extends SlotHistory {
  failures: number;
  lastFailureAt: Millis;
  done: boolean;
  /** The back-off end last recorded in the trace (to record each back-off once). */
  tracedBackoffUntil?: Millis;
}

export interface WorkloadState {
  workload: Workload;
  deleted: boolean;
  slots: Map<number, MutableSlot>;
  jobFailures: number;
  finished: boolean;
  /** Deleted and every instance gone: kept only for status reports. */
  removed: boolean;
  completed: boolean;
  jobFailed: boolean;
  failed: number;
  succeeded: number;
  restarts: number;
  wake?: { at: Millis; cancel: () => void };
  /** Summed requests of one instance, per generation. */
  requests: Map<number, Resources>;
}

export interface NodeState {
  node: Node;
  allocated: ResourceTally;
  instanceCount: number;
  instances: Set<string>;
  /** NodeView.version: bumped when the bound instances change. */
  version: number;
  /** When the node last stopped being Ready: its condition taints' `timeAdded`. */
  unreadySince: Millis;
  /** The node's own taints as last seen (a NodeUpdated with other ones changed them). */
  taints: readonly Taint[];
}

/** The maps the Orchestrator keeps; the helper modules share them (same objects, no copies). */
export interface ControlPlaneRecords {
  readonly workloads: Map<WorkloadId, WorkloadState>;
  readonly nodes: Map<NodeId, NodeState>;
  /** Container id → the instance that owns it. */
  readonly containerOwner: Map<string, string>;
  /** Instance id → its summed request (what it holds on its node). */
  readonly instanceRequest: Map<string, Resources>;
  /**
   * Container id → instance id of containers an instance no longer uses (a sidecar's exited
   * container, replaced by a new one): their late events are ignored and a resync removes them.
   */
  readonly retired: Map<string, string>;
}

export function newWorkloadState(workload: Workload): WorkloadState {
  return {
    workload,
    deleted: false,
    slots: new Map(),
    jobFailures: 0,
    finished: false,
    removed: false,
    completed: false,
    jobFailed: false,
    failed: 0,
    succeeded: 0,
    restarts: 0,
    requests: new Map(),
  };
}

/** Whether the node is known and Ready. */
export function nodeReady(records: ControlPlaneRecords, id: NodeId | undefined): boolean {
  if (id === undefined) return false;
  return records.nodes.get(id)?.node.status === 'Ready';
}

/** The node's name for the trace (its id when it is no longer known; undefined for none). */
export function nodeName(records: ControlPlaneRecords, id: NodeId | undefined): string | undefined {
  if (id === undefined) return undefined;
  return records.nodes.get(id)?.node.name ?? id;
}
