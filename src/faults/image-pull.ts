import type { Fault } from '../scenario/types.js';
import type { FaultContext } from './fault-target.js';

type PullFailure = Extract<Fault, { kind: 'imagePullFailure' }>;
type SlowPull = Extract<Fault, { kind: 'slowImagePull' }>;

/** Image pull failure: for `duration`, pulls of `image` (every image when absent) on the nodes fail. */
export function injectImagePullFailure(f: PullFailure, nodes: readonly string[], ctx: FaultContext): void {
  const ends = nodes.map((n) => ctx.target.failPulls(n, f.image)).filter((e) => e !== undefined);
  ctx.recorder.record('fault.image_pull_failure', { nodes, ...(f.image !== undefined ? { image: f.image } : {}), duration: f.duration });
  ctx.clock.setTimer(f.duration, () => {
    for (const e of ends) e();
    ctx.recorder.record('fault.image_pull_failure_end', { nodes });
  });
}

/** Slow pulls: for `duration`, pulls that start on the nodes take `factor` times longer. */
export function injectSlowImagePull(f: SlowPull, nodes: readonly string[], ctx: FaultContext): void {
  const ends = nodes.map((n) => ctx.target.slowPulls(n, f.factor)).filter((e) => e !== undefined);
  ctx.recorder.record('fault.slow_image_pull', { nodes, factor: f.factor, duration: f.duration });
  ctx.clock.setTimer(f.duration, () => {
    for (const e of ends) e();
    ctx.recorder.record('fault.slow_image_pull_end', { nodes });
  });
}
