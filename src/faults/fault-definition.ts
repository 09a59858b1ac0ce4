/**
 * The contract of a fault kind: everything Slipway knows about one kind lives in one file of
 * src/faults that exports a `FaultDefinition`, listed once in `FAULTS` (registry.ts). The scenario
 * loader, the injector's dispatch, the live backends' refusal list and the fuzzer all derive from
 * that table, so a kind cannot be known to one of them and forgotten by another.
 *
 * See docs/extending.md, "Writing a fault", for the recipe.
 */
import type { z } from 'zod';
import { describeValue, listOf, nonEmptyStr, opt, stringMap, type Check } from '../core/fields.js';
import type { Clock, Recorder } from '../core/interfaces.js';
import type { FaultContext, LiveFaultTarget } from './fault-target.js';

/** Where a fault kind can be injected: the simulator and/or the live backends. */
export type FaultBackend = 'sim' | 'docker' | 'oci';

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
export type MessageKind = 'heartbeat' | 'status' | 'rpc' | 'gossip';

/**
 * What a fault is aimed at, which decides the nodes its injector receives:
 * - `node`: its NodeTarget, resolved when it fires; a rate fault hits one matching node per arrival
 *   (drawn from the fault's random stream);
 * - `zone`: its NodeTarget, resolved when it fires; every matching node, also per rate arrival;
 * - `workload`: a workload named in its body; the injector receives no nodes;
 * - `control-plane`: a control-plane replica (`replica: leader | cp-N`) or the store under a
 *   replicated control plane (`controlPlane.replicas`); the injector receives no nodes.
 */
export type FaultTargeting = 'node' | 'zone' | 'workload' | 'control-plane';

/** The node-targeting fields of a fault's body, as the schema gives them. */
export interface NodeTargetInput {
  readonly node?: string;
  readonly nodes?: readonly string[];
  readonly selector?: Readonly<Record<string, string>>;
}

/** What the loader offers a fault kind's `load` (cross-field checks that need the whole scenario). */
export interface FaultLoadContext {
  /** True for a rate fault (`rate`, `from`, `until`), false for a fault at a fixed `at`. */
  readonly isRate: boolean;
  /**
   * The body's node targeting as a NodeTarget; each node named by `node` or `nodes` is reported
   * when it does not exist (or is added only after the fault fires).
   */
  target(body: NodeTargetInput): NodeTarget;
  /**
   * Reports the body's `workload` when the scenario has no such workload; with `submitted`, also
   * when a fixed-time fault fires before the workload is submitted.
   */
  workload(name: string, opts?: { readonly submitted?: boolean }): void;
}

/**
 * What the fuzzer drew for one fault (see src/fuzz/case.ts); `fuzz` turns it into the fault's
 * body in scenario YAML, so a case replays through the ordinary loader.
 */
export interface FuzzDraw {
  /** `{node}` for a fixed-time fault; `{}` (every node, one drawn per arrival) for a rate fault. */
  readonly target: { readonly node?: string };
  /** The drawn node's `zone` label value. */
  readonly zone: string;
  /** The drawn workload's name. */
  readonly workload: string;
  /** How long the fault lasts, in seconds, ending by the profile's heal time (≥ 1). */
  readonly durationS: number;
  /** Two kind-specific draws from 0 to 100 (direction, probabilities ×100, factors, sizes). */
  readonly p: number;
  readonly q: number;
  /**
   * With a replicated control plane (the `ha` profile): its lease TTL in seconds, so control-plane
   * faults can be drawn on the scale of the election's clocks (a partition shorter than the lease).
   */
  readonly leaseTtlS?: number;
}

/** A live backend's implementation of a fault kind. */
export interface LiveFault<A> {
  /** Why this fault cannot be injected live as written (one sentence), or undefined. */
  refuse?(f: A): string | undefined;
  /** Injects it for real (asynchronously) and records what happened. */
  inject(f: A, target: LiveFaultTarget, clock: Clock, recorder: Recorder): Promise<void>;
}

/**
 * One fault kind. `K` is its key in a scenario's fault item (`- {at: 2m, K: {...}}`) and its
 * `kind`; `B` its body as the schema gives it; `A` what the loader makes of it (the scenario's
 * `Fault` with `kind: K`, before `at` and `rate` are added).
 */
export interface FaultDefinition<K extends string = string, B = unknown, A extends { readonly kind: K } = { readonly kind: K }> {
  readonly kind: K;
  /** One line for docs and `--help`-style listings. */
  readonly summary: string;
  /** The body's schema, built from src/core/fields.ts (durations, quantities, node targeting...). */
  readonly schema: z.ZodType<B>;
  /** The body → the fault (cross-field checks through `ctx`). */
  load(body: B, ctx: FaultLoadContext): A;
  readonly targeting: FaultTargeting;
  /** Fires the fault in the simulator. `nodes`: the resolved targets (empty for `workload` faults). */
  inject(f: A, nodes: readonly string[], ctx: FaultContext): void;
  /** Backends that can inject it; `docker`/`oci` need `live`. */
  readonly backends: readonly FaultBackend[];
  readonly live?: LiveFault<A>;
  /** The fuzzer's body for a draw. */
  fuzz(d: FuzzDraw): Record<string, unknown>;
  /**
   * What the simulated world must have for the fault to do anything: `membership` — gossip
   * membership (`cluster.membership` other than heartbeat). The fuzzer, whose clusters heartbeat,
   * draws only kinds that need nothing.
   */
  readonly needs?: 'membership' | 'replicas';
}

/** `replica:` of a control-plane fault: `leader` (whoever leads when it fires) or `cp-N`. */
export const replicaRef: Check<string> = (v, c) =>
  typeof v === 'string' && /^(leader|cp-[0-9]+)$/.test(v) ? v : c.fail(`expected leader or cp-N (a replica's name), got ${describeValue(v)}`);

/** Declares a fault kind (infers `B` from the schema and `A` from `load`). */
export function defineFault<K extends string, B, A extends { readonly kind: K }>(def: FaultDefinition<K, B, A>): FaultDefinition<K, B, A> {
  return def;
}

/** `30s`: seconds as a scenario duration. */
export const seconds = (s: number): string => `${s}s`;

/** The node-targeting fields shared by node faults' schemas: by name, names, or label selector. */
export const targetFields = {
  node: opt(nonEmptyStr),
  nodes: opt(listOf(nonEmptyStr, true)),
  selector: opt(stringMap),
};
