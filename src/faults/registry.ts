/**
 * The fault registry: one line per fault kind. The scenario schema and loader, the simulator's
 * injector, the live backends' refusal list and the fuzzer all read this table, so adding a kind
 * is one file (exporting a `FaultDefinition`, see fault-definition.ts) plus one line here.
 *
 * The order is the catalog's order: the scenario's `known keys` messages list kinds in it, and
 * the fuzzer draws kinds by index into it (adding or reordering kinds changes which case a fuzz
 * seed of the `small` and `tiny` profiles expands to; written-out cases replay unchanged).
 */
import type { Millis } from '../core/types.js';
import { clockSkew } from './clock-skew.js';
import { containerCrash } from './container-crash.js';
import { crashLoop } from './crash-loop.js';
import { drain } from './drain.js';
import type { FaultBackend, FaultDefinition } from './fault-definition.js';
import { imagePullFailure } from './image-pull-failure.js';
import { memoryLeak } from './memory-leak.js';
import { messages } from './messages.js';
import { nodeCrash } from './node-crash.js';
import { nodeFreeze } from './node-freeze.js';
import { partition } from './partition.js';
import { slowImagePull } from './slow-image-pull.js';
import { slowNode } from './slow-node.js';
import { zoneOutage } from './zone-outage.js';
import { controlPlaneCrash } from './control-plane-crash.js';
import { controlPlanePause } from './control-plane-pause.js';
import { storePartition } from './store-partition.js';
import { storeLatency } from './store-latency.js';
import { leaseSkew } from './lease-skew.js';
import { nodeFlap } from './node-flap.js';
import { storeElection } from './store-election.js';

export const FAULTS = {
  nodeCrash,
  zoneOutage,
  nodeFreeze,
  partition,
  messages,
  containerCrash,
  crashLoop,
  imagePullFailure,
  slowImagePull,
  memoryLeak,
  drain,
  clockSkew,
  slowNode,
  controlPlaneCrash,
  controlPlanePause,
  storePartition,
  storeLatency,
  leaseSkew,
  nodeFlap,
  storeElection,
} as const;

type Registry = typeof FAULTS;

/** A fault kind: a key of `FAULTS`. */
export type FaultKind = keyof Registry;

/** What the loader makes of a fault of kind K (see each kind's file). */
export type FaultActionOf<K extends FaultKind> = Registry[K] extends FaultDefinition<K, infer _B, infer A> ? A : never;

/** What a fault does: the union of every kind's action (one file per kind in src/faults/). */
export type FaultAction = { [K in FaultKind]: FaultActionOf<K> }[FaultKind];

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

/** A fault of kind K, as scheduled. */
export type FaultOf<K extends FaultKind> = FaultActionOf<K> & { readonly at: Millis; readonly rate?: FaultRate };

/** Every kind's entry, its key equal to its `kind` (a compile error otherwise). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each body type is its own kind's (invariant in B)
type AnyBody = any;
type Typed = { readonly [K in FaultKind]: FaultDefinition<K, AnyBody, FaultActionOf<K>> };
const typed: Typed = FAULTS satisfies Record<Fault['kind'], FaultDefinition<FaultKind, AnyBody, FaultAction>>;

/** Every kind, in the registry's order. */
export const FAULT_KINDS = Object.keys(FAULTS) as readonly FaultKind[] as readonly [FaultKind, ...FaultKind[]];

/**
 * The definition of kind K, typed so that `faultDefinition(f.kind).inject(f, ...)` checks: the
 * correlated-union pattern (TypeScript #47109) through a generic K.
 */
export function faultDefinition<K extends FaultKind>(kind: K): FaultDefinition<K, unknown, FaultActionOf<K>> {
  return typed[kind] as unknown as FaultDefinition<K, unknown, FaultActionOf<K>>;
}

/** Kinds a backend can inject, in the registry's order. */
export function faultKindsFor(backend: FaultBackend): FaultKind[] {
  return FAULT_KINDS.filter((k) => (FAULTS[k].backends as readonly FaultBackend[]).includes(backend));
}
