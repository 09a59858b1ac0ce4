import { duration, nonEmptyStr, obj, opt, req } from '../core/fields.js';
import type { Millis } from '../core/types.js';
import { defineFault, seconds, targetFields, type NodeTarget } from './fault-definition.js';

/** Pulls of `image` (every image when absent) on the target nodes fail for `duration`. */
export interface ImagePullFailure extends NodeTarget {
  readonly kind: 'imagePullFailure';
  readonly image?: string;
  readonly duration: Millis;
}

/** Image pull failure: for `duration`, pulls of `image` (every image when absent) on the nodes fail. */
export const imagePullFailure = defineFault({
  kind: 'imagePullFailure',
  summary: 'pulls of image (every image when absent) on the nodes fail for duration',
  schema: obj({ ...targetFields, image: opt(nonEmptyStr), duration: req(duration(true)) }),
  load: (p, ctx): ImagePullFailure => ({
    kind: 'imagePullFailure',
    ...ctx.target(p),
    ...(p.image !== undefined ? { image: p.image } : {}),
    duration: p.duration,
  }),
  targeting: 'node',
  inject(f, nodes, ctx) {
    const ends = nodes.map((n) => ctx.target.failPulls(n, f.image)).filter((e) => e !== undefined);
    ctx.recorder.record('fault.image_pull_failure', { nodes, ...(f.image !== undefined ? { image: f.image } : {}), duration: f.duration });
    ctx.clock.setTimer(f.duration, () => {
      for (const e of ends) e();
      ctx.recorder.record('fault.image_pull_failure_end', { nodes });
    });
  },
  backends: ['sim'],
  fuzz: (d) => ({ ...d.target, duration: seconds(d.durationS) }),
});
