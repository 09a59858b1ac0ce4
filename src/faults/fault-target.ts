/**
 * What fault injection can do to a simulated world. `SimCluster` implements the node and
 * container parts; the run driver (src/run/simulate.ts) adds the operator's drain through the
 * control plane. Every method returns whether (or how much) it applied, for the trace.
 */
import type { Clock, Recorder } from '../core/interfaces.js';
import type { Distribution } from '../core/types.js';
import type { MessageKind, NodeTarget } from './fault-definition.js';

export interface FaultTarget {
  /** Names of the nodes a target matches now, sorted. */
  resolveNodes(target: NodeTarget): string[];
  /** Returns false when the node is unknown or already down. */
  crashNode(name: string): boolean;
  /** Returns false when the node is unknown or already up. */
  bootNode(name: string): boolean;
  /** Returns the crashed container's id, or undefined when none matched. */
  crashContainer(workload: string, slot: number, exitCode: number): string | undefined;
  freezeNode(name: string, delta: 1 | -1): boolean;
  partitionNode(name: string, direction: 'both' | 'toControlPlane' | 'fromControlPlane', delta: 1 | -1): boolean;
  skewNode(name: string, deltaMs: number): boolean;
  /** Each returns the function that ends the fault, or undefined when the node is unknown. */
  failPulls(name: string, image: string | undefined): (() => void) | undefined;
  slowPulls(name: string, factor: number): (() => void) | undefined;
  /** Gossip messages to the node's member are processed `delayMs` late; undefined without gossip membership or for an unknown node. */
  slowNode(name: string, delayMs: number): (() => void) | undefined;
  startCrashLoop(workload: string, exitAfter: number, exitCode: number): () => void;
  /** Returns the number of running containers it touched at once. */
  startMemoryLeak(workload: string, bytesPerMinute: number, durationMs: number): number;
  /** Ends the returned function when the degradation is over. */
  degradeMessages(
    names: readonly string[],
    d: { kinds: readonly MessageKind[]; drop: number; duplicate: number; delay?: Distribution },
  ): () => void;
  cordonNode(name: string, unschedulable: boolean): boolean;
  /**
   * Evicts the node's instances through the control plane, past its PodDisruptionBudgets unless
   * `ignoreBudgets`: how many went, and the instances a budget kept (with why).
   */
  evictNode(name: string, ignoreBudgets: boolean): { readonly evicted: number; readonly blocked: readonly { readonly instance: string; readonly reason: string }[] };

  // --- a replicated control plane (controlPlane.replicas; issue #14) -------------------------
  /** A replica's name for `leader` (the one leading now) or a replica name; undefined without replicas or when unknown. */
  resolveReplica(name: string): string | undefined;
  /** Returns false when the replica is unknown or already down / up. */
  crashReplica(name: string): boolean;
  restartReplica(name: string): boolean;
  /** Pauses the replica's process (nothing it would run runs) until `resumeReplica`. */
  pauseReplica(name: string): boolean;
  resumeReplica(name: string): void;
  /** Cuts the replica off the store for `durationMs`. */
  partitionReplica(name: string, durationMs: number): boolean;
  /** Adds `extraMs` to every store request leg for `durationMs`. */
  slowStore(extraMs: number, durationMs: number): boolean;
  /** The store expires leases `skewMs` early for `durationMs`. */
  skewLeases(skewMs: number, durationMs: number): boolean;
  /** The store elects a new raft leader for `durationMs` (members notice after `noticeMs`). */
  electStore(durationMs: number, noticeMs?: number): boolean;
}

/** Everything a fault kind needs when it fires. */
export interface FaultContext {
  readonly target: FaultTarget;
  readonly clock: Clock;
  readonly recorder: Recorder;
  /** The control plane's phase when the fault fires (coverage counters): see `controlPlanePhase`. */
  readonly phase: () => string;
  /** Counts (fault kind × phase) hits. */
  readonly hit: (kind: string, phase: string) => void;
}

/** What a live backend did for one fault. */
export interface LiveFaultResult {
  readonly applied: boolean;
  /** What was done, or why nothing was. */
  readonly detail: string;
  readonly container?: string;
  readonly exitCode?: number;
}

/** What a live backend offers fault injection. */
export interface LiveFaultTarget {
  crashNode(name: string): Promise<LiveFaultResult>;
  bootNode(name: string): Promise<LiveFaultResult>;
  crashContainer(workload: string, slot: number): Promise<LiveFaultResult>;
}
