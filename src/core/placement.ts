/**
 * Pod-level placement constraints with Kubernetes' field names and meanings (core/v1 PodSpec):
 * nodeName, nodeSelector, affinity, tolerations, topologySpreadConstraints, plus a gang
 * (all-or-nothing group). Values are as Kubernetes stores them after defaulting.
 */
import type { TaintEffect } from './types.js';

export type NodeSelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';
export type LabelSelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export interface NodeSelectorRequirement {
  readonly key: string;
  readonly operator: NodeSelectorOperator;
  readonly values?: readonly string[];
}

/** Requirements ANDed. `matchFields` supports only `metadata.name`, as in Kubernetes. */
export interface NodeSelectorTerm {
  readonly matchExpressions?: readonly NodeSelectorRequirement[];
  readonly matchFields?: readonly NodeSelectorRequirement[];
}

export interface PreferredSchedulingTerm {
  /** 1..100. */
  readonly weight: number;
  readonly preference: NodeSelectorTerm;
}

export interface NodeAffinity {
  /** Terms ORed. */
  readonly requiredDuringSchedulingIgnoredDuringExecution?: { readonly nodeSelectorTerms: readonly NodeSelectorTerm[] };
  readonly preferredDuringSchedulingIgnoredDuringExecution?: readonly PreferredSchedulingTerm[];
}

export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: LabelSelectorOperator;
  readonly values?: readonly string[];
}

/** matchLabels and matchExpressions ANDed; an empty selector matches everything. */
export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly LabelSelectorRequirement[];
}

export interface PodAffinityTerm {
  /** Absent: matches no pod (Kubernetes' rule for a nil selector). */
  readonly labelSelector?: LabelSelector;
  /** Namespaces the term looks in; with no namespaceSelector either, the pod's own namespace. */
  readonly namespaces?: readonly string[];
  /** Also namespaces whose labels match ({} = every namespace); ORed with `namespaces`. */
  readonly namespaceSelector?: LabelSelector;
  readonly topologyKey: string;
  /**
   * Label keys whose values on the term's own pod are added to labelSelector as `key In (value)`
   * (mismatchLabelKeys: `key NotIn (value)`), as kube-apiserver merges them at pod creation; keys the
   * pod does not carry are left out.
   */
  readonly matchLabelKeys?: readonly string[];
  readonly mismatchLabelKeys?: readonly string[];
}

export interface WeightedPodAffinityTerm {
  /** 1..100. */
  readonly weight: number;
  readonly podAffinityTerm: PodAffinityTerm;
}

export interface PodAffinity {
  readonly requiredDuringSchedulingIgnoredDuringExecution?: readonly PodAffinityTerm[];
  readonly preferredDuringSchedulingIgnoredDuringExecution?: readonly WeightedPodAffinityTerm[];
}

export interface Affinity {
  readonly nodeAffinity?: NodeAffinity;
  readonly podAffinity?: PodAffinity;
  readonly podAntiAffinity?: PodAffinity;
}

export interface Toleration {
  /** Empty with operator Exists: tolerates every taint. */
  readonly key?: string;
  /** Gt/Lt (Kubernetes' TaintTolerationComparisonOperators): the taint's value, an integer, is greater/less than `value`. */
  readonly operator?: 'Exists' | 'Equal' | 'Gt' | 'Lt';
  readonly value?: string;
  /** Empty: every effect. */
  readonly effect?: TaintEffect;
  /** NoExecute only: how long the pod stays bound after the taint appears. */
  readonly tolerationSeconds?: number;
}

export interface TopologySpreadConstraint {
  readonly maxSkew: number;
  readonly topologyKey: string;
  readonly whenUnsatisfiable: 'DoNotSchedule' | 'ScheduleAnyway';
  readonly labelSelector?: LabelSelector;
  /** Keys whose values on the incoming pod narrow labelSelector (`key In (value)`); absent keys are ignored. */
  readonly matchLabelKeys?: readonly string[];
  readonly minDomains?: number;
  /** Default Honor: only nodes matching the pod's nodeAffinity/nodeSelector count. */
  readonly nodeAffinityPolicy?: 'Honor' | 'Ignore';
  /** Default Ignore: tainted nodes count too. */
  readonly nodeTaintsPolicy?: 'Honor' | 'Ignore';
}

/** All-or-nothing placement: at least `minMember` pods of the group bind together, or none does. */
export interface Gang {
  readonly name: string;
  readonly minMember: number;
  /** How long placed members wait (reserved) for the rest before all are released. */
  readonly timeoutMs: number;
}

export interface Placement {
  readonly nodeName?: string;
  readonly nodeSelector?: Readonly<Record<string, string>>;
  readonly affinity?: Affinity;
  readonly tolerations?: readonly Toleration[];
  readonly topologySpreadConstraints?: readonly TopologySpreadConstraint[];
  readonly priorityClassName?: string;
  readonly gang?: Gang;
}
