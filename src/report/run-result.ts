/** One (policy, seed) run of a comparison as the reports read it (produced by src/compare/run-one.ts). */
import type { RunSummary } from '../run/simulate.js';
import type { RunMetrics } from './metrics.js';

export interface RunTask {
  readonly policy: string;
  readonly seed: number;
}

export interface RunResult extends RunTask {
  readonly traceHash: string;
  readonly events: number;
  /** All of the scenario's expectations held. */
  readonly ok: boolean;
  readonly metrics: RunMetrics;
  readonly summary: RunSummary;
}
