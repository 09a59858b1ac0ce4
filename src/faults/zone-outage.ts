import { duration, obj, req } from '../core/fields.js';
import type { Millis } from '../core/types.js';
import { defineFault, seconds, targetFields, type NodeTarget } from './fault-definition.js';
import { crashAndBoot } from './node-crash.js';

/** Every node of the target (a zone) crashes at once and boots again after `duration`. */
export interface ZoneOutage extends NodeTarget {
  readonly kind: 'zoneOutage';
  readonly duration: Millis;
}

/** Zone outage: every node of the target crashes at once and boots again after `duration`. */
export const zoneOutage = defineFault({
  kind: 'zoneOutage',
  summary: 'every node of the target (a zone) crashes at once and boots again after duration',
  schema: obj({ ...targetFields, duration: req(duration(true)) }),
  load: (z, ctx): ZoneOutage => ({ kind: 'zoneOutage', ...ctx.target(z), duration: z.duration }),
  targeting: 'zone',
  inject(f, nodes, ctx) {
    ctx.recorder.record('fault.zone_outage', { nodes, duration: f.duration });
    crashAndBoot(nodes, f.duration, ctx);
  },
  backends: ['sim'],
  fuzz: (d) => ({ selector: { zone: d.zone }, duration: seconds(d.durationS) }),
});
