/**
 * A scenario after loading and validation: every duration in milliseconds, every quantity in
 * base units (millicores, bytes), node patterns expanded, defaults filled in.
 * The YAML format that produces it is documented in docs/scenario-format.md.
 */
import type { Placement } from '../core/placement.js';
import type { Resources } from '../core/resources.js';
import type { ProfileConfig } from '../scheduler/profiles.js';
import type {
  ContainerSpec,
  GpuDevices,
  GpuRequest,
  Distribution,
  Millis,
  RestartPolicy,
  Taint,
  TaintEffect,
  UpdateStrategy,
  WorkloadKind,
} from '../core/types.js';

/** Where a live node is reached (ignored by the simulator). */
export type NodeEndpoint =
  | {
      readonly kind: 'docker';
      /** `unix:///run/slipway/e1.sock`, `tcp://host:2375`. */
      readonly host: string;
      /** Docker network mode for the node's containers; the engine's default when absent. */
      readonly network?: string;
      /** The engine's pid file: lets a `nodeCrash` fault pause the engine (SIGSTOP) and resume it. */
      readonly pidFile?: string;
    }
  | {
      readonly kind: 'oci';
      /** `youki` (default), `runc`, `crun`, or a path to one. */
      readonly runtime: string;
      /** The runtime's state directory (`--root`), one per node. */
      readonly root: string;
      /** Root filesystem directory every container's bundle is made from (whatever its image). */
      readonly rootfs?: string;
      /** Without `rootfs`: the Docker engine (`unix:///...`) each container's image is exported from. */
      readonly exportFrom?: string;
      /** Where bundles are written (default: `<root>/bundles`). */
      readonly bundles?: string;
    };

export interface NodeDef {
  readonly name: string;
  readonly capacity: Resources;
  /** Live backends only: the capacity is to be read from the engine (`capacity` is then zero). */
  readonly capacityFromEngine?: boolean;
  readonly endpoint?: NodeEndpoint;
  readonly allocatable: Resources;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly Taint[];
  /** Starts cordoned (`unschedulable: true`): the scheduler places nothing new on it until uncordoned. */
  readonly unschedulable?: boolean;
  /** Simulation: images (normalized names, `nginx` → `nginx:latest`) in the node's cache from the start. */
  readonly images?: readonly string[];
  /** GPU devices (`gpus: {model, count}`). */
  readonly gpus?: GpuDevices;
}

export interface WorkloadDef {
  readonly name: string;
  readonly kind: WorkloadKind;
  readonly replicas: number;
  readonly completions: number;
  readonly backoffLimit: number;
  /** When the workload is submitted. */
  readonly at: Millis;
  readonly priority: number;
  readonly restartPolicy: RestartPolicy;
  readonly updateStrategy: UpdateStrategy;
  readonly labels: Readonly<Record<string, string>>;
  readonly containers: readonly ContainerSpec[];
  /** Pod-level placement constraints (the workload's `placement:` block). */
  readonly placement?: Placement;
  /** GPUs per instance (`gpus: {count, milli, models}`). */
  readonly gpus?: GpuRequest;
}

/** A change to a workload's containers; every field given replaces the old value. */
export interface ContainerPatch {
  /** Which container; all containers when absent. */
  readonly container?: string;
  readonly image?: string;
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly requests?: Resources;
  readonly limits?: Resources;
  readonly sim?: ContainerSpec['sim'];
}

export type Operation =
  | { readonly kind: 'scale'; readonly at: Millis; readonly workload: string; readonly replicas: number }
  | { readonly kind: 'update'; readonly at: Millis; readonly workload: string; readonly patch: ContainerPatch }
  | { readonly kind: 'delete'; readonly at: Millis; readonly workload: string }
  | { readonly kind: 'addNode'; readonly at: Millis; readonly node: NodeDef }
  | { readonly kind: 'removeNode'; readonly at: Millis; readonly node: string }
  /** Adds the taint to the node (replacing one with the same key and effect). */
  | { readonly kind: 'taint'; readonly at: Millis; readonly node: string; readonly taint: Taint }
  /** Removes the node's taints with this key (and effect, when given). */
  | { readonly kind: 'untaint'; readonly at: Millis; readonly node: string; readonly key: string; readonly effect?: TaintEffect };

/**
 * Which nodes a fault hits: by name (`node`, `nodes`) and/or by labels (`selector`, every pair
 * must match). Resolved when the fault fires, in name order. With none given, every node.
 */
export interface NodeTarget {
  readonly node?: string;
  readonly nodes?: readonly string[];
  readonly selector?: Readonly<Record<string, string>>;
}

/** Kinds of control messages between a node and the control plane (see backends/sim/sim-network.ts). */
export type MessageKind = 'heartbeat' | 'status' | 'rpc';

/** What a fault does (one file per kind in src/faults/). Durations are how long the fault lasts. */
export type FaultAction =
  /** The node dies: its containers die with it, it stops heartbeating; it boots again (empty) after `recoverAfter`. */
  | (NodeTarget & { readonly kind: 'nodeCrash'; readonly recoverAfter?: Millis })
  /** Every node of the target (a zone) crashes at once and boots again after `duration`. */
  | (NodeTarget & { readonly kind: 'zoneOutage'; readonly duration: Millis })
  /** Nothing on the node progresses (agent, containers, heartbeats) for `duration`, then it resumes. */
  | (NodeTarget & { readonly kind: 'nodeFreeze'; readonly duration: Millis })
  /**
   * The node is cut off from the control plane for `duration` while its containers keep running
   * (the gray failure). `direction`: both ways, or only messages `toControlPlane` / `fromControlPlane` lost.
   */
  | (NodeTarget & {
      readonly kind: 'partition';
      readonly duration: Millis;
      readonly direction: 'both' | 'toControlPlane' | 'fromControlPlane';
    })
  /** Control messages of `kinds` to and from the node are dropped, duplicated or delayed for `duration`. */
  | (NodeTarget & {
      readonly kind: 'messages';
      readonly duration: Millis;
      readonly kinds: readonly MessageKind[];
      /** Probability each message is lost. */
      readonly drop: number;
      /** Probability each message is delivered twice. */
      readonly duplicate: number;
      /** Extra one-way delay added to each message. */
      readonly delay?: Distribution;
    })
  /** One running container of the workload's instance in `slot` exits with `exitCode`. */
  | { readonly kind: 'containerCrash'; readonly workload: string; readonly slot: number; readonly exitCode: number }
  /** For `duration`, every container of the workload exits with `exitCode` `exitAfter` after it starts. */
  | {
      readonly kind: 'crashLoop';
      readonly workload: string;
      readonly duration: Millis;
      readonly exitAfter: Millis;
      readonly exitCode: number;
    }
  /** Pulls of `image` (every image when absent) on the target nodes fail for `duration`. */
  | (NodeTarget & { readonly kind: 'imagePullFailure'; readonly image?: string; readonly duration: Millis })
  /** Pulls on the target nodes take `factor` times longer for `duration`. */
  | (NodeTarget & { readonly kind: 'slowImagePull'; readonly factor: number; readonly duration: Millis })
  /**
   * The workload's containers use `bytesPerMinute` more memory every minute for `duration`; one whose
   * usage exceeds its memory limit is OOM-killed (exit 137, OOMKilled).
   */
  | { readonly kind: 'memoryLeak'; readonly workload: string; readonly bytesPerMinute: number; readonly duration: Millis }
  /** Maintenance: the node is cordoned, its instances are evicted, and it is uncordoned after `duration`. */
  | (NodeTarget & { readonly kind: 'drain'; readonly duration: Millis })
  /** The node's clock is `offsetMs` off for `duration`: every timestamp it reports is shifted. */
  | (NodeTarget & { readonly kind: 'clockSkew'; readonly offsetMs: Millis; readonly duration: Millis });

/** Poisson arrivals: on average `perHour` per hour between `from` and `until` (from a named random stream). */
export interface FaultRate {
  readonly perHour: number;
  readonly from: Millis;
  readonly until: Millis;
}

/**
 * A fault: at a time, or (with `rate`) at random times. A rate fault that targets several nodes
 * hits one of them, chosen at random, per arrival.
 */
export type Fault = FaultAction & { readonly at: Millis; readonly rate?: FaultRate };

export interface LatencyModel {
  /** Pulling an image not yet in the node's image cache. */
  readonly imagePull: Distribution;
  readonly create: Distribution;
  readonly start: Distribution;
  /** From the stop request to the container's exit. */
  readonly stop: Distribution;
  /** One-way delay of a message between the control plane and a node agent. */
  readonly network: Distribution;
}

export interface ControlPlaneConfig {
  /** Full reconciliation of every workload, besides the event-driven passes. */
  readonly reconcileIntervalMs: Millis;
  /** Event-driven passes run at most once per this long (storms of events are batched). */
  readonly reconcileMinGapMs: Millis;
  /** Re-lists containers on every node, to catch missed watch events and orphans. */
  readonly resyncIntervalMs: Millis;
  readonly heartbeatIntervalMs: Millis;
  /** How often the node monitor looks at heartbeat ages. */
  readonly nodeMonitorPeriodMs: Millis;
  /** A node whose last heartbeat is older than this becomes NotReady. */
  readonly notReadyAfterMs: Millis;
  /** ...and Down after this. */
  readonly downAfterMs: Millis;
  /** How long instances on a NotReady/Down node wait before they are replaced elsewhere. */
  readonly evictionGraceMs: Millis;
  /** Crash-loop back-off: first delay, doubling up to max, reset after `backoffResetMs` of running. */
  readonly backoffInitialMs: Millis;
  readonly backoffMaxMs: Millis;
  readonly backoffResetMs: Millis;
  /** How often an unschedulable instance is retried when nothing in the cluster changed. */
  readonly unschedulableRetryMs: Millis;
  /** A call to a node agent that gets no answer fails after this. */
  readonly rpcTimeoutMs: Millis;
}

export type Expectation =
  /** At `by`, each named workload (all when `workloads` is absent) is converged: services run
   *  `replicas` instances of the current generation and nothing is pending; jobs have completed. */
  | { readonly kind: 'converged'; readonly name: string; readonly by: Millis; readonly workloads?: readonly string[] }
  /** At `at` (default: the end), no live instance sits on a node with one of `statuses`. */
  | { readonly kind: 'noInstancesOn'; readonly name: string; readonly at?: Millis; readonly statuses: readonly string[] }
  /** At `at`, exactly `count` instances of the workload are running. */
  | { readonly kind: 'running'; readonly name: string; readonly at: Millis; readonly workload: string; readonly count: number }
  /** By `by`, the job has completed (`completions` instances succeeded). */
  | { readonly kind: 'jobCompleted'; readonly name: string; readonly by: Millis; readonly workload: string }
  /** Over the whole run, the workload's instances restarted at most / at least so many times. */
  | {
      readonly kind: 'restarts';
      readonly name: string;
      readonly workload: string;
      readonly min?: number;
      readonly max?: number;
    };

export interface Scenario {
  readonly name: string;
  readonly description?: string;
  readonly seed: number;
  readonly durationMs: Millis;
  readonly nodes: readonly NodeDef[];
  readonly workloads: readonly WorkloadDef[];
  readonly operations: readonly Operation[];
  readonly faults: readonly Fault[];
  readonly latency: LatencyModel;
  /** A scheduler or profile name; `profile` when the scenario defines its own profile. */
  readonly scheduler: {
    readonly name: string;
    readonly profile?: ProfileConfig;
    /** KubeSchedulerConfiguration fields that were given but are not modelled (warned once). */
    readonly ignored?: readonly string[];
  };
  readonly controlPlane: ControlPlaneConfig;
  readonly expectations: readonly Expectation[];
  /**
   * Image sizes in bytes by normalized name (`nginx` → `nginx:latest`): simulated nodes report the
   * images they hold, with these sizes, to the scheduler (node.status.images; ImageLocality).
   * Absent or without an image: nodes report no images.
   */
  readonly images?: Readonly<Record<string, number>>;
  /** Fields of Kubernetes manifests that are not modelled (each once): the CLI prints them as warnings. */
  readonly warnings?: readonly string[];
  /** The file it came from (for messages), and the parsed document (recorded in the trace for replay). */
  readonly source: { readonly file: string; readonly document: unknown };
}
