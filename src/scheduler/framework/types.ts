/**
 * The scheduling framework's extension points, modelled on kube-scheduler's
 * (pkg/scheduler/framework/interface.go). A plugin implements any subset of them.
 *
 * One scheduling cycle for one pod:
 *
 *   PreFilter ─▶ Filter (per node, sampled) ─▶ [none feasible] PostFilter (preemption)
 *                      │
 *                      ▼
 *   PreScore ─▶ Score (per feasible node) ─▶ NormalizeScore ─▶ ×weight, Σ ─▶ select host
 *                      ─▶ Reserve ─▶ Permit (gangs: wait)  ─▶ bind   (Unreserve on failure or timeout)
 *
 * The framework, not the plugin, checks that every final score is in [0, 100] and applies weights.
 */
import type { NodeTable } from './node-table.js';
import type { PodInfo } from './pod.js';

/** kube-scheduler's MaxNodeScore / MinNodeScore. */
export const MAX_NODE_SCORE = 100;
export const MIN_NODE_SCORE = 0;

/**
 * Why a node cannot take the pod. `unresolvable` (kube's UnschedulableAndUnresolvable) means
 * evicting pods would not help, so preemption skips the node.
 */
export interface FilterStatus {
  readonly reasons: readonly string[];
  readonly unresolvable: boolean;
}

export function unschedulable(...reasons: string[]): FilterStatus {
  return Object.freeze({ reasons: Object.freeze(reasons), unresolvable: false });
}

export function unresolvable(...reasons: string[]): FilterStatus {
  return Object.freeze({ reasons: Object.freeze(reasons), unresolvable: true });
}

/**
 * A typed slot of CycleState (kube-scheduler's `framework.StateKey`). The key object carries the
 * value's type: `write(key, v)` takes only a `T`, and `read(key)` gives back a `T`, checked at run
 * time the way upstream's plugins type-assert what they read: the slot must have been written
 * with this very key object, so two plugins that picked the same name for different data get a
 * CycleStateError instead of each other's value. One key per plugin datum, made once at module level.
 */
export class StateKey<T> {
  /** Never set: only makes `StateKey<A>` and `StateKey<B>` different types. */
  declare private readonly _type?: (v: T) => T;
  constructor(
    /** Unique per datum, e.g. `PodTopologySpread` or `InterPodAffinity/score`. */
    readonly name: string,
  ) {}
}

/** CycleState was read against its contract: a bug in a plugin, not bad input. */
export class CycleStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CycleStateError';
  }
}

/** Data one cycle's plugins share (kube's CycleState), in typed slots (`StateKey`). */
export class CycleState {
  private readonly data = new Map<string, { readonly key: object; readonly value: unknown }>();

  /** The value written under `key` this cycle, or undefined when none was. */
  read<T>(key: StateKey<T>): T | undefined {
    const slot = this.data.get(key.name);
    if (slot === undefined) return undefined;
    if (slot.key !== key) throw new CycleStateError(`cycle state ${JSON.stringify(key.name)} was written with another StateKey of that name (two plugins share a key name)`);
    return slot.value as T; // checked: written through write(key: StateKey<T>, value: T) with this key
  }

  /** Like read, for data a PreFilter/PreScore of this cycle must have written; throws CycleStateError when it did not. */
  require<T>(key: StateKey<T>): T {
    const v = this.read(key);
    if (v === undefined) throw new CycleStateError(`cycle state ${JSON.stringify(key.name)} was not written this cycle (its PreFilter/PreScore did not run)`);
    return v;
  }

  write<T>(key: StateKey<T>, value: T): void {
    this.data.set(key.name, { key, value });
  }

  /** Empties the slot (a re-run of PreFilter during preemption must not see the last run's data). */
  delete<T>(key: StateKey<T>): void {
    this.data.delete(key.name);
  }
}

export interface CycleContext {
  readonly pod: PodInfo;
  readonly table: NodeTable;
  readonly state: CycleState;
}

/** PreFilter/PreScore may tell the framework to leave the plugin out of this cycle. */
export const SKIP = 'skip' as const;
export type Skip = typeof SKIP;

/** What a PostFilter (preemption) proposes: evict `victims` from `node`, then retry. */
export interface PostFilterResult {
  readonly node: number;
  readonly victims: readonly PodInfo[];
  /** Victims whose eviction violates a PodDisruptionBudget (absent: none). */
  readonly violations?: number;
  /** Those victims → the budget each one violates. */
  readonly budgets?: ReadonlyMap<PodInfo, string>;
}

export interface PostFilterInput {
  /** Per node index: why it failed (undefined = it was never evaluated or it passed). */
  readonly statuses: ReadonlyArray<FilterStatus | undefined>;
  /** Runs every active filter of this cycle on node `i` against the table as it is now. */
  readonly filterNode: (i: number) => FilterStatus | undefined;
  /** Re-runs PreFilter for plugins whose state depends on bound pods (after the table changed). */
  readonly refreshPreFilter: () => void;
}

export interface Plugin {
  readonly name: string;
  /**
   * Once per cycle. Returns SKIP to leave the plugin's Filter out of the cycle, a status to
   * reject the pod on every node, or undefined.
   */
  preFilter?(cx: CycleContext): FilterStatus | Skip | undefined;
  /** True when PreFilter state depends on the pods bound to nodes (re-run during preemption). */
  readonly preFilterDependsOnPods?: boolean;
  /** Whether node `i` can take the pod; undefined = yes. */
  filter?(cx: CycleContext, i: number): FilterStatus | undefined;
  /**
   * Optional batch form of `filter`, same verdicts: keeps the nodes of `nodes[0..count)` that
   * pass, in order, at the front of `nodes`, writes `statuses[i]` = filter(cx, i) for each node i
   * that fails, and returns how many passed. When every active filter of a cycle has it, the
   * framework filters nodes in chunks, so it may be called on a few nodes past the point where
   * sampling stops: it must have no side effects (their verdicts are then ignored).
   */
  filterAll?(cx: CycleContext, nodes: Int32Array, count: number, statuses: Array<FilterStatus | undefined>): number;
  /** Called when no node passed the filters (preemption). */
  postFilter?(cx: CycleContext, input: PostFilterInput): PostFilterResult | undefined;
  /** Once per cycle with the feasible nodes. Returns SKIP to leave Score out of the cycle. */
  preScore?(cx: CycleContext, feasible: Int32Array, count: number): Skip | undefined;
  /** The node's raw score (an integer). */
  score?(cx: CycleContext, i: number): number;
  /**
   * Optional batch form of `score`, same results: writes out[k] = score(cx, nodes[k]) for k < count.
   * The framework prefers it (one call per cycle instead of one per node).
   */
  scoreAll?(cx: CycleContext, nodes: Int32Array, count: number, out: Float64Array): void;
  /** Rewrites `scores[k]` (for node `nodes[k]`, k < count) into [0, 100]. */
  normalizeScore?(cx: CycleContext, nodes: Int32Array, scores: Float64Array, count: number): void;
  /** Called when the node is chosen (before binding); `unreserve` undoes it. */
  reserve?(cx: CycleContext, i: number): void;
  unreserve?(cx: CycleContext, i: number): void;
  /**
   * After Reserve: 'allow' binds now; 'wait' holds the reservation of a gang member
   * (placement.gang), across scheduling calls, until a later member's Permit allows the gang or
   * the gang times out (the Orchestrator then unreserves every waiting member); a status
   * rejects the placement. A pod in no gang that waits is rejected (nothing would allow it).
   */
  permit?(cx: CycleContext, i: number): 'allow' | 'wait' | FilterStatus;
}

/** A plugin in a profile: its weight applies to its Score. */
export interface WeightedPlugin {
  readonly plugin: Plugin;
  readonly weight: number;
}
