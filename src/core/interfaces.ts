/**
 * The seams between the control plane and the world. The simulated backends (backends/sim) and the
 * live ones (backends/docker, backends/oci) implement these; the Orchestrator only talks to them.
 */
import type { Resources } from './resources.js';
import type { DisruptionBudgetStatus } from './disruption-budget.js';
import type {
  ContainerId,
  ContainerRole,
  ContainerSpec,
  ContainerState,
  Instance,
  InstanceId,
  Millis,
  Node,
  NodeId,
  NodeStatus,
  Workload,
  WorkloadId,
} from './types.js';
import type { FieldsOf, TraceEventType } from './trace-events.js';

export type Unsubscribe = () => void;

/** The only source of time for control-plane code. */
export interface Clock {
  /** Milliseconds since the run started (virtual in simulation, wall on live backends). */
  now(): Millis;
  /**
   * Calls `fn` after `delayMs` (0 = later at the same instant, after the current event).
   * Returns a function that cancels the timer if it has not fired.
   */
  setTimer(delayMs: Millis, fn: () => void): () => void;
  /** Resolves after `delayMs`. */
  sleep(delayMs: Millis): Promise<void>;
}

/** Identifiers for instances and containers: seeded in simulation, so runs are reproducible. */
export interface IdSource {
  /** A new identifier `${prefix}-${suffix}`, unique within the run. */
  next(prefix: string): string;
}

/**
 * Where the control plane records its decisions (the trace). Field order is kept as given. Only
 * the events of src/core/trace-events.ts can be recorded, each with its own fields.
 */
export interface Recorder {
  record<K extends TraceEventType>(type: K, fields: FieldsOf<K>): void;
}

// ---------------------------------------------------------------------------------------------
// Container runtime
// ---------------------------------------------------------------------------------------------

export interface CreateContainerOptions {
  readonly nodeId: NodeId;
  readonly workloadId: WorkloadId;
  readonly instanceId: InstanceId;
  /** Labels stored on the container, so a restarted control plane can adopt it. */
  readonly labels: Readonly<Record<string, string>>;
  /**
   * The instance's GPU share, given with its first container (which holds it while it runs):
   * `count` devices wanted, the node's `devices` chosen (empty when the scheduler chose none),
   * `milli` on each. The simulator refuses the container unless every device has room.
   */
  readonly gpus?: { readonly count: number; readonly devices: readonly number[]; readonly milli: number };
  /**
   * An init container (`init`: runs to completion; the simulator gives one without `sim.runFor`
   * DEFAULT_INIT_RUN_MS) or a sidecar; absent for a regular container. Also in `labels` as `slipway.role`.
   */
  readonly role?: ContainerRole;
}

export interface ContainerStatus {
  readonly id: ContainerId;
  readonly nodeId: NodeId;
  readonly name: string;
  readonly instanceId: InstanceId;
  readonly workloadId: WorkloadId;
  readonly state: ContainerState;
  readonly exitCode?: number;
  readonly startedAt?: Millis;
  readonly finishedAt?: Millis;
  /** Why the container is in its state: `Completed`, `Error`, `Killed`, `ImagePullBackOff`... */
  readonly reason?: string;
  /** The labels it was created with (`slipway.slot`, `slipway.generation`, ...), when the runtime keeps them. */
  readonly labels?: Readonly<Record<string, string>>;
  /** Its instance's address (pod IP), when the runtime gave it one (docs/networking.md). */
  readonly ip?: string;
}

/** A container changed state. Delivered by `watch`; may be lost (resync covers that). */
export interface ContainerEvent {
  readonly containerId: ContainerId;
  /** The container's name within its instance (from the ContainerSpec). */
  readonly name: string;
  readonly nodeId: NodeId;
  readonly instanceId: InstanceId;
  readonly workloadId: WorkloadId;
  readonly state: ContainerState;
  readonly exitCode?: number;
  readonly reason?: string;
  readonly at: Millis;
  /** Its instance's address (pod IP), when the runtime gave it one; runtimes report it at least with `running`. */
  readonly ip?: string;
}

/**
 * Talks to the container runtime of every node (the seed's `ContainerRuntime` trait).
 * Every method may reject with an `OrchestrationError` (`NodeUnreachable`, `ContainerNotFound`,
 * `InsufficientResources`, `ImagePullFailed`, `Runtime`).
 */
export interface ContainerRuntime {
  /** Prepares the runtime on a node (state directories, image cache). Idempotent. */
  initNode(nodeId: NodeId): Promise<void>;
  /**
   * Creates and starts a container. Resolves with its id once it is created; the transition to
   * `running` (or a failure to start) arrives later through `watch`.
   */
  createContainer(spec: ContainerSpec, options: CreateContainerOptions): Promise<ContainerId>;
  /** Stops a container (SIGTERM, then SIGKILL after the grace period). Stopping a stopped one is a no-op. */
  stopContainer(id: ContainerId): Promise<void>;
  /** Removes a stopped container. */
  removeContainer(id: ContainerId): Promise<void>;
  /** Rejects with `ContainerNotFound` for an unknown id. */
  getContainerStatus(id: ContainerId): Promise<ContainerStatus>;
  /** Every container the runtime holds on the node, Slipway's or not, sorted by id. */
  listContainers(nodeId: NodeId): Promise<ContainerStatus[]>;
  /** Container state changes with exit codes, as they happen. */
  watch(listener: (event: ContainerEvent) => void): Unsubscribe;
}

// ---------------------------------------------------------------------------------------------
// Cluster manager
// ---------------------------------------------------------------------------------------------

export type ClusterEvent =
  | { readonly type: 'NodeAdded'; readonly node: Node }
  | { readonly type: 'NodeRemoved'; readonly nodeId: NodeId }
  | { readonly type: 'NodeUpdated'; readonly node: Node; readonly previous: NodeStatus };

/** Membership and health of nodes (the seed's `ClusterManager` trait). */
export interface ClusterManager {
  initialize(): Promise<void>;
  getNode(id: NodeId): Node | undefined;
  /** All known nodes in a stable order (by name). */
  listNodes(): readonly Node[];
  subscribe(listener: (event: ClusterEvent) => void): Unsubscribe;
}

// ---------------------------------------------------------------------------------------------
// Scheduler
// ---------------------------------------------------------------------------------------------

/** An instance bound to a node, as placement plugins (affinity, spreading, preemption) see it. */
export interface BoundInstance {
  readonly id: InstanceId;
  readonly workload: Workload;
  /** Sum of its containers' requests. */
  readonly request: Resources;
  readonly startedAt?: Millis;
  /** Asked to stop, or ended (Succeeded/Failed): it still holds its resources until it is gone. */
  readonly terminating?: boolean;
  /** The GPU devices it holds (indices within the node), when its workload requests GPUs. */
  readonly gpus?: readonly number[];
}

/** A node as the scheduler sees it: the node plus what is already allocated on it. */
export interface NodeView {
  readonly node: Node;
  /** Sum of the requests of instances bound to the node and not yet terminated. */
  readonly allocated: Resources;
  readonly instanceCount: number;
  /** The instances counted in `allocated` (computed on demand; absent when the caller does not know them). */
  readonly bound?: readonly BoundInstance[];
  /** Changes whenever `bound` would (an instance added, removed, started or stopping): schedulers may cache per node. */
  readonly version?: number;
  /**
   * What changed in `bound` since `reader` last called this (one reader at a time: the node keeps
   * the changes for the last one only). A first call, a call by another reader, or any list the
   * node cannot describe as changes gives `{ full }`, the whole list; after it, applying each
   * answer's `removed` ids (drop), `changed` instances (replace in place) and `added` ones (append,
   * in order) to the list read before gives `bound` again, in its order — O(changes), not
   * O(instances on the node). An answer is good until the next call for the node (its lists may
   * be reused). Absent: read `bound`.
   */
  boundChanges?(reader: object): BoundChanges;
}

/** NodeView.boundChanges: the whole list, or the changes since the reader's last call. */
export type BoundChanges =
  | { readonly full: readonly BoundInstance[] }
  | { readonly full?: undefined; readonly removed: readonly InstanceId[]; readonly changed: readonly BoundInstance[]; readonly added: readonly BoundInstance[] };

/** One of the best nodes for a placement, with each score plugin's final score. */
export interface ScoredCandidate {
  readonly node: string;
  readonly total: number;
  readonly scores: Readonly<Record<string, number>>;
}

export interface ScheduleRequest {
  readonly workload: Workload;
  /** Total resources one instance requests (sum over its containers). */
  readonly request: Resources;
  /** How many instances to place. */
  readonly count: number;
  /** PodDisruptionBudgets with their current status (DefaultPreemption reads them); absent: none. */
  readonly disruptionBudgets?: readonly DisruptionBudgetStatus[];
}

export type ScheduleDecision =
  | {
      readonly kind: 'assign';
      readonly nodeId: NodeId;
      readonly nodeName: string;
      /** The chosen node first, then the next best (schedulers that score nodes fill it). */
      readonly candidates?: readonly ScoredCandidate[];
      /**
       * Coscheduling's Permit allowed a gang member: its gang has its quorum, so every member of
       * that gang still waiting (reserved by earlier calls) binds now too.
       */
      readonly allowsGang?: string;
      /** The node's GPU devices chosen for the instance (required when the workload requests GPUs). */
      readonly gpus?: readonly number[];
    }
  | {
      /**
       * Reserved on the node, but Permit said Wait: a gang member whose gang has fewer than
       * `minMember` members reserved or bound. It holds the node's capacity until a later
       * placement allows its gang (`allowsGang`), or the gang's timeout or a rejection releases it.
       */
      readonly kind: 'wait';
      readonly nodeId: NodeId;
      readonly nodeName: string;
      readonly candidates?: readonly ScoredCandidate[];
      readonly gang: string;
      /** Members of the gang reserved or bound, this one included. */
      readonly members: number;
      /** The node's GPU devices reserved for the instance (as on `assign`). */
      readonly gpus?: readonly number[];
    }
  | {
      readonly kind: 'unschedulable';
      /** kube-scheduler style: `0/5 nodes are available: 3 Insufficient cpu, 2 node(s) were not ready.` */
      readonly message: string;
      /** Nodes rejected per reason. */
      readonly reasons: Readonly<Record<string, number>>;
      /** Preemption: stop these instances (reason `preempted`) to make room on `nominatedNode`. */
      readonly victims?: readonly InstanceId[];
      readonly nominatedNode?: string;
      /** Victims whose eviction violates a PodDisruptionBudget → that budget's name. */
      readonly violatedBudgets?: Readonly<Record<InstanceId, string>>;
      /**
       * Coscheduling's PostFilter rejected the pod's gang (a member does not fit, so the gang
       * cannot assemble now): release every member of that gang still waiting.
       */
      readonly rejectGang?: string;
    };

/**
 * Decides placements (the seed's `Scheduler` trait). Pure: the same request and nodes give the
 * same decisions. Returns one decision per requested instance, accounting earlier decisions of the
 * same call against node capacity.
 */
export interface Scheduler {
  readonly name: string;
  schedule(request: ScheduleRequest, nodes: readonly NodeView[]): ScheduleDecision[];
  /**
   * Optional idle-time work: re-read up to `maxNodes` nodes whose instances changed since the last
   * call, so the next `schedule` after much churn has little left to re-read. Changes no decision
   * (a scheduler's view after it equals the one `schedule` would build). Returns how many nodes
   * it re-read: 0 when nothing is stale.
   */
  refresh?(nodes: readonly NodeView[], maxNodes: number): number;
  /** How many nodes `refresh` would re-read now (0 when none, or when it keeps no view to refresh). */
  staleNodes?(nodes: readonly NodeView[]): number;
}

// ---------------------------------------------------------------------------------------------
// State store
// ---------------------------------------------------------------------------------------------

/** Desired state (workloads) and the control plane's records (instances). */
export interface StateStore {
  getWorkload(id: WorkloadId): Workload | undefined;
  listWorkloads(): readonly Workload[];
  putWorkload(workload: Workload): void;
  deleteWorkload(id: WorkloadId): void;
  getInstance(id: InstanceId): Instance | undefined;
  /** Instances in creation order; of one workload when `workloadId` is given. */
  listInstances(workloadId?: WorkloadId): readonly Instance[];
  putInstance(instance: Instance): void;
  deleteInstance(id: InstanceId): void;
}
