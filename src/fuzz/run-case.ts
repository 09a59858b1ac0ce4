/**
 * One fuzz run: a case's scenario through the real control plane (or a planted variant), with
 * the safety invariants checked after every event and liveness checked at the end.
 */
import type { Scheduler } from '../core/interfaces.js';
import type { reconcile } from '../core/reconciler.js';
import { simulate } from '../run/simulate.js';
import type { ReplicaVariant } from '../run/sim-replicas.js';
import { caseScenario, type FuzzCase, type Profile } from './case.js';

/** Control-plane variants to run instead of the real parts (planted-bug tests). */
export interface Variant {
  readonly reconcile?: typeof reconcile;
  /** A fresh scheduler per run (schedulers may keep state). */
  readonly scheduler?: () => Scheduler;
  /** Check the safety invariants (default true; off only to measure their cost). */
  readonly invariants?: boolean;
  /** A replicated control plane's planted variant (fencing off, a lease renewed after expiry, a stale view). */
  readonly replicas?: ReplicaVariant;
}

export interface CaseOutcome {
  readonly ok: boolean;
  /** What failed: `invariant surge`, `liveness`, `error`; undefined when ok. */
  readonly failure?: string;
  /** One line for the user. */
  readonly detail?: string;
  readonly events: number;
  readonly coverage: Readonly<Record<string, number>>;
  /** Workloads that could not converge for lack of capacity (not failures). */
  readonly capacity: readonly string[];
  readonly nodes: number;
  readonly workloads: number;
  readonly faults: number;
}

export async function runCase(c: FuzzCase, profile: Profile, name: string, variant: Variant = {}): Promise<CaseOutcome> {
  const scenario = caseScenario(c, profile, name);
  const base = { nodes: scenario.nodes.length, workloads: scenario.workloads.length, faults: scenario.faults.length };
  try {
    const summary = await simulate(scenario, {
      liveness: true,
      invariants: variant.invariants ?? true,
      ...(variant.reconcile ? { reconcile: variant.reconcile } : {}),
      ...(variant.scheduler ? { scheduler: variant.scheduler() } : {}),
      ...(variant.replicas ? { replicaVariant: variant.replicas } : {}),
    });
    const capacity = summary.liveness?.capacity ?? [];
    if (summary.violation) {
      const v = summary.violation;
      return { ...base, ok: false, failure: `invariant ${v.invariant}`, detail: `${v.message} (event ${v.event}, t=${v.t}ms)`, events: summary.events, coverage: summary.coverage, capacity };
    }
    if (summary.liveness && !summary.liveness.ok) {
      return { ...base, ok: false, failure: 'liveness', detail: summary.liveness.failures.slice(0, 3).join('; '), events: summary.events, coverage: summary.coverage, capacity };
    }
    return { ...base, ok: true, events: summary.events, coverage: summary.coverage, capacity };
  } catch (e) {
    const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    return { ...base, ok: false, failure: 'error', detail: msg.split('\n')[0], events: 0, coverage: {}, capacity: [] };
  }
}
