/**
 * The orchestrator's domain model: the seed's shared types in TypeScript idioms.
 * Times are virtual (or wall, on live backends) milliseconds since the start of the run.
 */
import type { Placement } from './placement.js';
import type { Resources } from './resources.js';
import type { WorkloadController } from './namespace.js';

export type NodeId = string;
export type WorkloadId = string;
export type InstanceId = string;
export type ContainerId = string;
export type Millis = number;

export type NodeStatus = 'Ready' | 'NotReady' | 'Unknown' | 'Down';
export type TaintEffect = 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';

export interface Taint {
  readonly key: string;
  readonly value?: string;
  readonly effect: TaintEffect;
  /** When the taint was added (clock time); written for taints added while the cluster runs. */
  readonly timeAdded?: Millis;
}

/**
 * A node's GPU devices (issue 7, the FGD paper's model): `count` devices of one `model`, each with
 * 1000 milli-GPU. Devices are numbered 0..count-1 within the node.
 */
export interface GpuDevices {
  readonly model: string;
  readonly count: number;
}

/**
 * An instance's GPU request: `count` devices with `milli` milli-GPU each (1000 = a whole device;
 * below 1000 only when count is 1: a shared GPU), on a node whose model is one of `models`
 * (empty = any model).
 */
export interface GpuRequest {
  readonly count: number;
  readonly milli: number;
  readonly models: readonly string[];
}

/** One whole GPU in milli-GPU. */
export const GPU_MILLI = 1000;

export interface Node {
  readonly id: NodeId;
  readonly name: string;
  /** Where the node's agent is reached: `sim://node-1`, `unix:///var/run/docker.sock`, ... */
  readonly address: string;
  status: NodeStatus;
  /** When `status` last changed (clock time). */
  statusSince: Millis;
  /** Cordoned: Ready but takes no new instances. */
  unschedulable: boolean;
  readonly labels: Readonly<Record<string, string>>;
  /** Replaced (never mutated) when taints are added or removed while the cluster runs. */
  taints: readonly Taint[];
  readonly capacity: Resources;
  /** Capacity minus system reservations; what the scheduler may hand out. */
  readonly allocatable: Resources;
  /**
   * Images the node holds, with their sizes in bytes (kubelet's node.status.images), by
   * normalized name (`nginx` → `nginx:latest`), as last reported. Replaced, never mutated.
   */
  images?: ReadonlyMap<string, number>;
  /** GPU devices, when the node has any. */
  readonly gpus?: GpuDevices;
  /**
   * The block its instances get addresses from (node.spec.podCIDR), when the cluster has a pod
   * network (`cluster.network`; docs/networking.md).
   */
  readonly podCidr?: string;
}

export interface PortMapping {
  readonly containerPort: number;
  readonly hostPort?: number;
  readonly protocol: 'tcp' | 'udp' | 'sctp';
}

/** A probability distribution of durations, sampled from a named random stream. */
export type Distribution =
  | { readonly kind: 'constant'; readonly ms: number }
  | { readonly kind: 'uniform'; readonly minMs: number; readonly maxMs: number }
  | { readonly kind: 'exponential'; readonly meanMs: number }
  | { readonly kind: 'normal'; readonly meanMs: number; readonly stddevMs: number }
  | { readonly kind: 'lognormal'; readonly medianMs: number; readonly sigma: number };

/**
 * How a container behaves in simulation. Live backends ignore it (the image's command decides).
 * - `runFor`: the container exits by itself after this long, with `exitCode` (default 0).
 *   A batch job's work; or, with a non-zero exit code, a crash loop. An init container without
 *   `runFor` runs {@link DEFAULT_INIT_RUN_MS} (a run-to-completion container that never exits
 *   would hold its instance in Pending forever); a sidecar without it runs until stopped.
 */
export interface ContainerSimBehavior {
  readonly runFor?: Distribution;
  readonly exitCode?: number;
  /** Memory the container uses once running (bytes); above its memory limit it is OOM-killed. */
  readonly memory?: number;
}

/**
 * How long a simulated init container (not a sidecar) runs when its `sim.runFor` is absent:
 * 1 s, constant, then it exits with `sim.exitCode` (default 0). See docs/scenarios.md.
 */
export const DEFAULT_INIT_RUN_MS = 1000;

export interface ContainerSpec {
  readonly name: string;
  readonly image: string;
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly ports: readonly PortMapping[];
  readonly requests: Resources;
  /**
   * Resources the container requests explicitly as 0 (`cpu: 0`), as opposed to not at all:
   * kube-scheduler scores an absent cpu/memory request as 100m/200Mi but an explicit 0 as 0.
   * Absent when there are none (the usual case).
   */
  readonly zeroRequests?: readonly ('cpu' | 'memory')[];
  readonly limits: Resources;
  /**
   * Init containers only: `Always` makes it a restartable init ("sidecar") container, which keeps
   * running next to the main containers (its request adds to theirs; see core/pod-requests.ts).
   */
  readonly restartPolicy?: 'Always';
  readonly sim?: ContainerSimBehavior;
}

export type WorkloadKind = 'service' | 'job';
export type RestartPolicy = 'Always' | 'OnFailure' | 'Never';

/**
 * Rolling update bounds, as Kubernetes Deployments define them: at most `replicas + maxSurge`
 * instances exist during an update, and at least `replicas - maxUnavailable` are running.
 * Absolute counts (percentages are resolved at load time: surge rounds up, unavailable down).
 */
export interface UpdateStrategy {
  readonly type: 'RollingUpdate' | 'Recreate';
  readonly maxSurge: number;
  readonly maxUnavailable: number;
}

export interface Workload {
  readonly id: WorkloadId;
  readonly name: string;
  /**
   * The namespace its instances live in (absent: `default`). Affinity terms and topology spread
   * constraints match pods by namespace as Kubernetes does; workload names stay unique across
   * namespaces (they are the run's ids).
   */
  readonly namespace?: string;
  /** What owns its pods, for default topology spreading (see WorkloadController; absent: a Deployment). */
  readonly controller?: WorkloadController;
  readonly kind: WorkloadKind;
  /** Services: instances to keep running. Jobs: parallelism (instances running at once). */
  readonly replicas: number;
  /** Jobs only: successful instances needed for the job to complete. */
  readonly completions: number;
  /** Jobs only: failed instances tolerated before the job fails. */
  readonly backoffLimit: number;
  readonly containers: readonly ContainerSpec[];
  /**
   * Kubernetes' podSpec.initContainers, in order. They count in the effective request (see
   * core/pod-requests.ts) and their images in ImageLocality. Every backend runs them before the
   * regular containers (src/core/init-containers.ts): each to completion in order, a sidecar
   * (`restartPolicy: Always`) only until it has started, and it keeps running (restarted when it exits).
   */
  readonly initContainers?: readonly ContainerSpec[];
  /** PodSpec.overhead (RuntimeClass overhead): added to the effective request. */
  readonly overhead?: Resources;
  readonly labels: Readonly<Record<string, string>>;
  readonly priority: number;
  readonly restartPolicy: RestartPolicy;
  readonly updateStrategy: UpdateStrategy;
  /** Bumped on every spec change (not on scaling); instances record the generation they run. */
  readonly generation: number;
  /** Pod-level placement constraints (nodeSelector, affinity, tolerations, ...), Kubernetes' fields. */
  readonly placement?: Placement;
  /** GPUs each instance needs (per-device model), when it needs any. */
  readonly gpus?: GpuRequest;
}

export type InstanceStatus = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown' | 'Terminating';

export const TERMINAL_STATUSES: ReadonlySet<InstanceStatus> = new Set(['Succeeded', 'Failed']);

/**
 * A container as the runtime reports it. `paused`: its processes are frozen (`docker pause`,
 * `runc pause`); it still holds its node's resources, but serves nothing, so its instance is not
 * ready (see `Instance.notReady`).
 */
export type ContainerState = 'creating' | 'running' | 'paused' | 'exited' | 'unknown';

/**
 * A container's part in its instance's lifecycle: `init` runs to completion before the next one
 * starts, `sidecar` (an init container with `restartPolicy: Always`) starts before the next one
 * and keeps running. Regular containers have none.
 */
export type ContainerRole = 'init' | 'sidecar';

/**
 * The control plane's record of one container of an instance. An instance's records are its init
 * containers (with their `role`), in order, then its regular containers, in order.
 */
export interface InstanceContainer {
  readonly name: string;
  /** Absent for a regular container. */
  readonly role?: ContainerRole;
  id?: ContainerId;
  state: ContainerState;
  exitCode?: number;
  /** Sidecars: how often it was restarted after exiting. */
  restarts?: number;
}

/** One placed replica of a workload. */
export interface Instance {
  readonly id: InstanceId;
  readonly workloadId: WorkloadId;
  readonly workloadName: string;
  /**
   * The replica slot this instance fills (0-based). A replacement takes its predecessor's slot, so
   * "one replica runs twice" is checkable: after settling, a slot has at most one running instance.
   */
  readonly slot: number;
  readonly generation: number;
  /** Undefined while the instance waits for a node (unschedulable). */
  node?: NodeId;
  /**
   * Set while the instance is reserved on `node` but waits at Permit for its gang (see
   * `placement.gang`): when it started waiting. Its containers are created when the gang binds.
   */
  waitingSince?: Millis;
  /** The node's GPU devices the instance holds (indices within the node), for a GPU request. */
  gpus?: readonly number[];
  /**
   * Its pod IP (one per instance, shared by its containers), as its node reported it; absent
   * without a pod network or until the node reports it (docs/networking.md).
   */
  ip?: string;
  status: InstanceStatus;
  /**
   * Set while the instance is Running but not ready, with the reason (`container web is paused`):
   * a container of it is paused. A not-ready instance is not counted as running (`WorkloadStatus`
   * counts it as `notReady`), serves nothing, and is not available to a rolling update; it is not
   * replaced (Kubernetes does not replace a pod that is merely not ready). Cleared when it resumes.
   */
  notReady?: string;
  /** Why the instance is in its status: the scheduler's message while unschedulable, exit reasons. */
  reason?: string;
  containers: InstanceContainer[];
  readonly createdAt: Millis;
  scheduledAt?: Millis;
  startedAt?: Millis;
  finishedAt?: Millis;
  /** When the control plane asked it to stop. */
  stopRequestedAt?: Millis;
  stopReason?: string;
  exitCode?: number;
  /** Scheduling attempts so far, and when the last one was made. */
  attempts: number;
  lastAttemptAt?: Millis;
  /** The control plane's capacity epoch at the last attempt (see Orchestrator). */
  lastAttemptEpoch?: number;
}
