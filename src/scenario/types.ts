/**
 * A scenario after loading and validation: every duration in milliseconds, every quantity in
 * base units (millicores, bytes), node patterns expanded, defaults filled in.
 * The YAML format that produces it is documented in docs/scenario-format.md.
 */
import type { Placement } from '../core/placement.js';
import type { PodDisruptionBudget } from '../core/disruption-budget.js';
import type { Resources } from '../core/resources.js';
import type { NamespaceDef, ServiceDef, WorkloadController } from '../core/namespace.js';
import type { ProfileConfig } from '../scheduler/profiles.js';
import type { DetectorName, GossipParams } from '../membership/config.js';
import type { NetworkConfig } from '../net/cluster-ipam.js';
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
      /** CNI_PATH for the node's network (with `cluster.network`), `:`-separated; default `/usr/lib/cni`. */
      readonly cniPath?: string;
      /** The node's bridge (with `cluster.network`); default `sw` + 10 hex of sha256(identity, node). */
      readonly bridge?: string;
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
  /** Its pod CIDR as given (`podCidr:`); without it the node gets the next block of `cluster.network.podCidr`. */
  readonly podCidr?: string;
}

export interface WorkloadDef {
  readonly name: string;
  /** `namespace:` (absent: `default`); see Workload.namespace. */
  readonly namespace?: string;
  /** `controller:` (absent: a Deployment's ReplicaSet); see Workload.controller. */
  readonly controller?: WorkloadController;
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
  /** `initContainers:` in order (`restartPolicy: Always` = sidecar); see Workload.initContainers. */
  readonly initContainers?: readonly ContainerSpec[];
  /** `overhead:` (PodSpec.overhead), added to the effective request. */
  readonly overhead?: Resources;
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
  /** With `requests`: which of them are given as 0 (replaces the container's zeroRequests). */
  readonly zeroRequests?: ContainerSpec['zeroRequests'];
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

export type { NetworkConfig } from '../net/cluster-ipam.js';

// Faults: each kind is declared in its own file of src/faults/ and listed in the fault registry.
export type { MessageKind, NodeTarget } from '../faults/fault-definition.js';
export type { Fault, FaultAction, FaultRate } from '../faults/registry.js';
import type { Fault } from '../faults/registry.js';

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
  /**
   * Several replicas electing a leader on a simulated consistent store (`controlPlane.replicas`,
   * issue #14). Absent: one control plane on the in-memory store (the default).
   */
  readonly ha?: HaConfig;
}

/** A replicated control plane in simulation (docs/ha.md). */
export interface HaConfig {
  readonly replicas: number;
  /** Lease TTL of the leader election. */
  readonly ttlMs: Millis;
  /** Keep-alive period (default ttl/3) and the leader's local safety margin (default ttl/5). */
  readonly keepAliveMs?: Millis;
  readonly safetyMarginMs?: Millis;
  /** One leg of a store request. */
  readonly latency: Distribution;
  readonly requestTimeoutMs: Millis;
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

/** How the control plane learns node status (`cluster:` in a scenario). */
export interface ClusterConfig {
  /**
   * `heartbeat`: node agents heartbeat to the control plane; otherwise a gossip failure detector.
   * `serf`: HashiCorp Serf agents on live backends; in simulation its twin, `lifeguard` with the
   * same parameters (Serf runs memberlist with Lifeguard, LAN defaults).
   */
  readonly membership: 'heartbeat' | 'serf' | DetectorName;
  /** The gossip detector's parameters (memberlist's LAN defaults). */
  readonly gossip: GossipParams;
  /** `membership: serf`: the control plane's Serf agent (RPC `host:port`) and the tag carrying each node's name. */
  readonly serf: { readonly rpc: string; readonly tag: string };
  /**
   * The pod network (`cluster.network`, docs/networking.md): node pod CIDRs and instance addresses.
   * Absent: no network model (instances have no address; traces are as without it).
   */
  readonly network?: NetworkConfig;
}

/**
 * An instance already running when the run starts (`running:`): its containers run on `node` from
 * time 0, and the control plane, started like a restarted one, adopts them (`instance.adopted`),
 * so they stay where they are instead of being scheduled.
 */
export interface RunningInstance {
  readonly workload: string;
  readonly node: string;
  readonly slot: number;
  /** The instance id (default `<workload>-s<slot>`). */
  readonly id: string;
  /** The node's GPU devices it holds (a workload requesting GPUs). */
  readonly gpus?: readonly number[];
}

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
  /** Absent means heartbeats (scenarios built in code need not say). */
  readonly cluster?: ClusterConfig;
  readonly expectations: readonly Expectation[];
  /** PodDisruptionBudgets DefaultPreemption respects; absent: none. */
  readonly podDisruptionBudgets?: readonly PodDisruptionBudget[];
  /** Namespaces with labels (what affinity terms' namespaceSelector matches); absent: none declared. */
  readonly namespaces?: readonly NamespaceDef[];
  /** Services (their selectors drive default topology spreading); absent: none. */
  readonly services?: readonly ServiceDef[];
  /**
   * Instances running from the start (a snapshot of a live cluster). When there are any, the run
   * starts like a control plane restarted over a running cluster: the workloads submitted at 0 are
   * its desired state (`workload.restored`) and these instances are adopted (`instance.adopted`).
   */
  readonly running?: readonly RunningInstance[];
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
