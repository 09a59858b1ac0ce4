import { duration, obj, req } from '../core/fields.js';
import type { Millis } from '../core/types.js';
import { defineFault, seconds } from './fault-definition.js';

/** Every request to the store takes `extra` longer each way for `duration`. */
export interface StoreLatency {
  readonly kind: 'storeLatency';
  readonly extraMs: Millis;
  readonly duration: Millis;
}

/** Store latency: a slow disk or a busy etcd — keep-alives, writes and watch events arrive late. */
export const storeLatency = defineFault({
  kind: 'storeLatency',
  summary: 'every request to the store takes extra longer each way for duration',
  schema: obj({ extra: req(duration(true)), duration: req(duration(true)) }),
  load: (b): StoreLatency => ({ kind: 'storeLatency', extraMs: b.extra, duration: b.duration }),
  targeting: 'control-plane',
  inject(f, _nodes, ctx) {
    const applied = ctx.target.slowStore(f.extraMs, f.duration);
    ctx.recorder.record('fault.store_latency', { extraMs: f.extraMs, duration: f.duration, applied });
    if (applied) ctx.clock.setTimer(f.duration, () => ctx.recorder.record('fault.store_latency_end', {}));
  },
  backends: ['sim'],
  needs: 'replicas',
  fuzz: (d) => ({ extra: `${10 + d.p * 10}ms`, duration: seconds(d.durationS) }),
});
