/**
 * Namespaces and the cluster objects that live in them besides workloads (issue 12): what a
 * scenario, a manifest file or a snapshot declares so that affinity terms' `namespaceSelector` and
 * default topology spreading (kube-scheduler's helper.DefaultSelector) can work as upstream.
 */
import type { LabelSelector } from './placement.js';

/** Where a workload, a budget or a Service lives when it names no namespace. */
export const DEFAULT_NAMESPACE = 'default';

/** A Namespace object: its name and labels (Kubernetes adds `kubernetes.io/metadata.name: NAME`). */
export interface NamespaceDef {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** A Service, as far as scheduling reads it: its namespace and its (equality-based) selector. */
export interface ServiceDef {
  readonly name: string;
  readonly namespace: string;
  /** spec.selector; a Service without one selects no pod. */
  readonly selector: Readonly<Record<string, string>>;
}

/** The cluster-scoped objects a scheduler reads beside nodes and pods. */
export interface ClusterObjects {
  readonly namespaces?: readonly NamespaceDef[];
  readonly services?: readonly ServiceDef[];
}

/**
 * The controller that owns a workload's pods, as helper.DefaultSelector reads it for default
 * topology spreading. Absent: a Deployment's ReplicaSet, whose selector carries a
 * `pod-template-hash` only the workload's own instances have (so they alone count). A ReplicaSet,
 * StatefulSet or ReplicationController given with its own `selector` counts every pod of the
 * namespace that selector matches (other workloads' too); `Pod` (no controller) and `Job` (a
 * controller DefaultSelector does not read) leave only the Services that select the pod.
 */
export type WorkloadController =
  | { readonly kind: 'ReplicaSet' | 'StatefulSet' | 'ReplicationController'; readonly selector: LabelSelector }
  | { readonly kind: 'Pod' | 'Job' };

export const CONTROLLER_KINDS = ['ReplicaSet', 'StatefulSet', 'ReplicationController', 'Pod', 'Job'] as const;
