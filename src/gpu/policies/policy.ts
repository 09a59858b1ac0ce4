/**
 * A GPU placement policy: a Score plugin plus the rule that picks the devices on the chosen node.
 * The experiment runs the Filter step itself (GpuCluster.filter) and calls `score` only for nodes
 * that pass it; the highest score wins, ties go to the smallest node index (= smallest name).
 * The scheduler framework runs the same objects as Score plugins (src/scheduler/plugins/gpu):
 * `score` at Score, `selectGpus` at Reserve.
 */
import type { CompiledPod, GpuCluster } from '../cluster.js';
import type { FragMeasure } from '../fragmentation.js';

/** The six policies of the paper, in its order. */
export const POLICY_NAMES = ['random', 'dotprod', 'gpu-clustering', 'gpu-packing', 'best-fit', 'fgd'] as const;
/** Variants accepted by name but not run by default: FGD on the exact −ΔF (see ./fgd.ts). */
export const EXTRA_POLICY_NAMES = ['fgd-exact'] as const;
export type PolicyName = (typeof POLICY_NAMES)[number] | (typeof EXTRA_POLICY_NAMES)[number];

export interface PolicyContext {
  readonly cluster: GpuCluster;
  readonly frag: FragMeasure;
  /** The run's named stream for the random policy (node and device draws). */
  readonly random: { pick<T>(items: readonly T[]): T };
}

export interface GpuPolicy {
  readonly name: PolicyName;
  /**
   * Score of feasible node `i` for pod `p`; higher is better. Pure in the node's state, except for
   * `random`, which instead implements `pickNode`.
   */
  score(i: number, p: CompiledPod): number;
  /** Devices (indices within node `i`) for `p`, after `i` was chosen. Length = p.num. */
  selectGpus(i: number, p: CompiledPod): number[];
  /** When present, chooses among the feasible nodes (ascending indices) instead of scoring. */
  pickNode?(feasible: readonly number[], p: CompiledPod): number;
}
