import { def, duration, obj, positiveNumber, req } from '../core/fields.js';
import type { Millis } from '../core/types.js';
import { defineFault, seconds, targetFields, type NodeTarget } from './fault-definition.js';

/** Pulls on the target nodes take `factor` times longer for `duration`. */
export interface SlowImagePull extends NodeTarget {
  readonly kind: 'slowImagePull';
  readonly factor: number;
  readonly duration: Millis;
}

/** Slow pulls: for `duration`, pulls that start on the nodes take `factor` times longer. */
export const slowImagePull = defineFault({
  kind: 'slowImagePull',
  summary: 'pulls on the nodes take factor times longer for duration',
  schema: obj({ ...targetFields, factor: def(positiveNumber, 10), duration: req(duration(true)) }),
  load: (p, ctx): SlowImagePull => ({ kind: 'slowImagePull', ...ctx.target(p), factor: p.factor, duration: p.duration }),
  targeting: 'node',
  inject(f, nodes, ctx) {
    const ends = nodes.map((n) => ctx.target.slowPulls(n, f.factor)).filter((e) => e !== undefined);
    ctx.recorder.record('fault.slow_image_pull', { nodes, factor: f.factor, duration: f.duration });
    ctx.clock.setTimer(f.duration, () => {
      for (const e of ends) e();
      ctx.recorder.record('fault.slow_image_pull_end', { nodes });
    });
  },
  backends: ['sim'],
  fuzz: (d) => ({ ...d.target, factor: 2 + (d.p % 19), duration: seconds(d.durationS) }),
});
