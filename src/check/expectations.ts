/**
 * Expectations: what a scenario says must hold at given times (liveness, checked by the run).
 * Each is evaluated against the control plane's view at its time; `restarts` and expectations
 * without a time are evaluated at the end of the run.
 */
import type { Orchestrator, WorkloadStatus } from '../core/orchestrator.js';
import type { Node, NodeId } from '../core/types.js';
import type { StateStore } from '../core/interfaces.js';
import type { Expectation } from '../scenario/types.js';
import { formatDuration } from '../core/duration.js';
import { assertNever } from '../core/assert-never.js';
import type { FieldsOf } from '../core/trace-events.js';

/**
 * An expectation's verdict: `pass` and `fail` were decided at its time; `not-checked` means the
 * run ended (`--until`, an invariant violation, an interruption) before the expectation could be
 * decided, so it neither held nor failed.
 */
export type ExpectationStatus = 'pass' | 'fail' | 'not-checked';

export interface ExpectationResult {
  readonly name: string;
  /** True only for `pass`. */
  readonly ok: boolean;
  readonly status: ExpectationStatus;
  readonly detail: string;
  /** When it was evaluated, or when the run ended for a `not-checked` one (virtual ms). */
  readonly at: number;
}

/** The word the CLI and reports print for a status. */
export function statusWord(s: ExpectationStatus): string {
  return s === 'pass' ? 'PASS' : s === 'fail' ? 'FAIL' : 'NOT CHECKED';
}

/** How a run ended, for the expectations still open at its end. */
export interface RunEnd {
  /** The virtual time the run stopped at. */
  readonly now: number;
  /** The scenario's own end (its duration): untimed expectations are about the run up to it. */
  readonly scenarioEndMs: number;
  /**
   * Why the run stopped before the scenario's end, when it did: `--until 2m`, `an invariant
   * violation`, `Ctrl-C`. Undefined when the run reached its planned end.
   */
  readonly cutShort?: string;
}

export interface CheckContext {
  readonly orchestrator: Orchestrator;
  readonly store: StateStore;
  readonly node: (id: NodeId) => Node | undefined;
  readonly now: number;
}

/** When the expectation is evaluated; undefined = at the end of the run. */
export function evaluationTime(e: Expectation): number | undefined {
  switch (e.kind) {
    case 'converged':
    case 'jobCompleted':
      return e.by;
    case 'running':
      return e.at;
    case 'noInstancesOn':
      return e.at;
    case 'restarts':
      return undefined;
    default:
      return assertNever(e, 'expectation');
  }
}

export function describeStatus(s: WorkloadStatus): string {
  if (s.deleted) return `${s.name}: deleted, ${s.running + s.notReady + s.pending + s.terminating} instance(s) left`;
  if (s.kind === 'job') {
    const state = s.completed ? 'completed' : s.jobFailed ? 'failed' : 'not complete';
    return `${s.name}: ${state}, ${s.succeeded}/${s.desired} succeeded, ${s.running} running, ${s.pending} pending`;
  }
  let d = `${s.name}: ${s.updated}/${s.desired} running`;
  if (s.running !== s.updated) d += ` (+${s.running - s.updated} outdated)`;
  if (s.notReady) d += `, ${s.notReady} not ready (paused)`;
  if (s.pending) d += `, ${s.pending} pending${s.pendingReason ? ` (${s.pendingReason})` : ''}`;
  if (s.terminating) d += `, ${s.terminating} terminating${s.terminatingUnreachable ? ` (${s.terminatingUnreachable} on unreachable nodes)` : ''}`;
  return d;
}

export function isConverged(s: WorkloadStatus): boolean {
  if (s.deleted) return s.running + s.notReady + s.pending + s.terminating === 0;
  if (s.kind === 'job') return s.completed;
  // Instances evicted from an unreachable node stop when it answers again; they do not block convergence.
  return s.running === s.desired && s.updated === s.desired && s.pending === 0 && s.terminating === s.terminatingUnreachable;
}

/**
 * Decides an expectation that is still open when the run stops. One whose time was reached is
 * evaluated now; one whose time lies after the stop, or (untimed) one about the whole scenario
 * when the run stopped before the scenario's end, is `not-checked` — except `restarts`, whose
 * count only grows: a count already above `max` fails, and one already at `min` (with no `max`)
 * passes, whatever happens later.
 */
export function evaluateAtEnd(e: Expectation, ctx: CheckContext, end: RunEnd): ExpectationResult {
  const t = evaluationTime(e);
  const stoppedEarly = end.cutShort !== undefined && end.now < end.scenarioEndMs;
  if (t !== undefined) {
    if (t <= end.now) return evaluate(e, ctx);
    return notChecked(e, end.now, `its time ${formatDuration(t)} is after the end of the run (${formatDuration(end.now)}${end.cutShort ? `, ${end.cutShort}` : ''})`);
  }
  if (!stoppedEarly) return evaluate(e, ctx);
  const why = `it is about the whole run (to ${formatDuration(end.scenarioEndMs)}), which stopped at ${formatDuration(end.now)} (${end.cutShort})`;
  if (e.kind === 'restarts') {
    const r = evaluate(e, ctx);
    const s = ctx.orchestrator.status(e.workload);
    const count = s?.restarts ?? 0;
    if (e.max !== undefined && count > e.max) return r; // already too many: more cannot fix it
    if (e.max === undefined && e.min !== undefined && count >= e.min) return r; // already enough
    return notChecked(e, end.now, `${e.workload}: ${count} restart(s) so far; ${why}`);
  }
  return notChecked(e, end.now, why);
}

/** An expectation the run could not decide. */
export function notChecked(e: Expectation, at: number, why: string): ExpectationResult {
  return { name: e.name, ok: false, status: 'not-checked', detail: `not checked: ${why}`, at };
}

/** The trace record of an expectation's result (`checked: false` only on not-checked ones). */
export function expectationRecord(r: ExpectationResult): FieldsOf<'expectation'> {
  return r.status === 'not-checked' ? { name: r.name, ok: false, checked: false, detail: r.detail } : { name: r.name, ok: r.ok, detail: r.detail };
}

/** Counts by status. */
export function countResults(rs: readonly ExpectationResult[]): { pass: number; fail: number; notChecked: number } {
  return {
    pass: rs.filter((r) => r.status === 'pass').length,
    fail: rs.filter((r) => r.status === 'fail').length,
    notChecked: rs.filter((r) => r.status === 'not-checked').length,
  };
}

export function evaluate(e: Expectation, ctx: CheckContext): ExpectationResult {
  const { orchestrator, now } = ctx;
  const at = now;
  const result = (ok: boolean, detail: string): ExpectationResult => ({ name: e.name, ok, status: ok ? 'pass' : 'fail', detail, at });
  switch (e.kind) {
    case 'converged': {
      const names = e.workloads ?? orchestrator.statuses().map((s) => s.name);
      const bad: string[] = [];
      for (const name of names) {
        const s = orchestrator.status(name);
        if (!s) bad.push(`${name}: not submitted yet`);
        else if (!isConverged(s)) bad.push(describeStatus(s));
      }
      return bad.length === 0
        ? result(true, `${names.length} workload(s) converged at ${formatDuration(now)}`)
        : result(false, `not converged at ${formatDuration(now)}: ${bad.slice(0, 5).join('; ')}${bad.length > 5 ? `; and ${bad.length - 5} more` : ''}`);
    }
    case 'jobCompleted': {
      const s = orchestrator.status(e.workload);
      if (!s) return result(false, `${e.workload}: not submitted yet`);
      return result(s.completed, describeStatus(s));
    }
    case 'running': {
      const s = orchestrator.status(e.workload);
      if (!s) return result(false, `${e.workload}: not submitted yet`);
      return result(s.running === e.count, `${e.workload}: ${s.running} running at ${formatDuration(now)}, expected ${e.count}`);
    }
    case 'noInstancesOn': {
      const bad: string[] = [];
      for (const inst of ctx.store.listInstances()) {
        if (inst.node === undefined || inst.stopRequestedAt !== undefined) continue;
        if (inst.status === 'Succeeded' || inst.status === 'Failed') continue;
        const n = ctx.node(inst.node);
        const status = n ? n.status : 'Down';
        if (e.statuses.includes(status)) bad.push(`${inst.id} on ${inst.node} (${status})`);
      }
      return bad.length === 0
        ? result(true, `no live instance on a ${e.statuses.join('/')} node`)
        : result(false, `${bad.length} live instance(s) on ${e.statuses.join('/')} nodes: ${bad.slice(0, 5).join(', ')}`);
    }
    case 'restarts': {
      const s = orchestrator.status(e.workload);
      if (!s) return result(false, `${e.workload}: never submitted`);
      const ok = (e.min === undefined || s.restarts >= e.min) && (e.max === undefined || s.restarts <= e.max);
      const range = [e.min !== undefined ? `≥ ${e.min}` : '', e.max !== undefined ? `≤ ${e.max}` : ''].filter(Boolean).join(' and ');
      return result(ok, `${e.workload}: ${s.restarts} restart(s), expected ${range}`);
    }
  }
}
