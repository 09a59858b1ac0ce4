/**
 * A pod as the scheduler sees it: the pod being placed, or one already bound to a node.
 */
import type { Placement } from '../../core/placement.js';
import type { Resources } from '../../core/resources.js';
import type { GpuRequest } from '../../core/types.js';
import { podRequests, type PodResourceSpec } from '../../core/pod-requests.js';

/** kube-scheduler's scoring defaults for containers without requests (pkg/scheduler/util/pod_resources.go). */
export const DEFAULT_MILLI_CPU_REQUEST = 100; // 0.1 core
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024; // 200 MiB

export interface PodInfo {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly priority: number;
  /** The effective request (core/pod-requests.ts podRequests: containers, init containers, overhead), what filters check. */
  readonly requests: Resources;
  /**
   * What scoring counts (kube-scheduler's NonZeroRequested): per container, an ABSENT cpu request
   * counts as 100m and an absent memory request as 200Mi (an explicit 0 stays 0); aggregated as
   * `requests` is (see nonZeroRequests).
   */
  readonly nonZeroCpu: number;
  readonly nonZeroMemory: number;
  /** Init and regular container images (podImages), for ImageLocality. */
  readonly images: readonly string[];
  readonly placement: Placement;
  /** Bound pods: the instance id (preemption victims are named by it). */
  readonly uid?: string;
  /** Bound pods: when it started running, for preemption's tie-break (latest start loses). */
  readonly startedAt?: number;
  /** Bound pods: asked to stop, still holding resources (never chosen as a preemption victim). */
  readonly terminating?: boolean;
  /** The workload the pod belongs to (default topology spreading selects its siblings). */
  readonly owner?: string;
  /**
   * The pod's controller as a Kubernetes ownerReference (snapshots): default topology spreading
   * selects pods by that ReplicaSet's / StatefulSet's / ReplicationController's selector.
   */
  readonly controller?: { readonly kind: ControllerKind; readonly name: string };
  /**
   * No controller default spreading reads (a bare Pod, a Job's pod): only the Services that select
   * it give default constraints, not its `owner`.
   */
  readonly noController?: true;
  /** GPUs the pod needs (the workload's `gpus`). */
  readonly gpu?: GpuRequest;
  /** Bound pods with a GPU request: the node's devices it holds. */
  readonly gpuDevices?: readonly number[];
}

export type ControllerKind = 'ReplicaSet' | 'StatefulSet' | 'ReplicationController';

/**
 * Non-zero requests as kube-scheduler computes them for scoring (NonMissingContainerRequests in
 * resource.PodRequests): the default replaces a container's request only when it is ABSENT (an
 * explicit 0 stays 0), for regular and init containers alike; then the pod's effective request is
 * taken as for filtering (podRequests: max of init containers vs Σ containers + sidecars, plus overhead).
 * "Asks for" means a value > 0, or 0 listed in `zeroRequests`.
 */
export function nonZeroRequests(pod: PodResourceSpec): { cpu: number; memory: number } {
  const r = podRequests(pod, (c) => {
    const zero = c.zeroRequests;
    const cpu = c.requests.cpu > 0 || zero?.includes('cpu') ? c.requests.cpu : DEFAULT_MILLI_CPU_REQUEST;
    const memory = c.requests.memory > 0 || zero?.includes('memory') ? c.requests.memory : DEFAULT_MEMORY_REQUEST;
    return { ...c.requests, cpu, memory };
  });
  return { cpu: r.cpu, memory: r.memory };
}
