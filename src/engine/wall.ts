/**
 * Wall-clock time of the host, for measuring how fast runs go (runs per minute). Never for
 * simulated code: it reads the real clock captured before the determinism guard.
 */
import { real } from './guard.js';

/** Milliseconds from an arbitrary origin (monotonic). */
export function wallMs(): number {
  return real.performanceNow();
}
