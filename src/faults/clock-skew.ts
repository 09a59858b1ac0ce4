import type { Fault } from '../scenario/types.js';
import type { FaultContext } from './fault-target.js';

type ClockSkew = Extract<Fault, { kind: 'clockSkew' }>;

/**
 * Clock skew: for `duration`, every timestamp the node reports (container events, start and
 * finish times) is `offsetMs` off. The control plane must judge liveness and back-off by its own
 * clock, so a skewed node must not change its decisions.
 */
export function injectClockSkew(f: ClockSkew, nodes: readonly string[], ctx: FaultContext): void {
  const skewed = nodes.filter((n) => ctx.target.skewNode(n, f.offsetMs));
  ctx.recorder.record('fault.clock_skew', { nodes: skewed, offsetMs: f.offsetMs, duration: f.duration });
  ctx.clock.setTimer(f.duration, () => {
    for (const n of skewed) ctx.target.skewNode(n, -f.offsetMs);
    ctx.recorder.record('fault.clock_skew_end', { nodes: skewed });
  });
}
