import { def, duration, obj, opt } from '../core/fields.js';
import type { Millis } from '../core/types.js';
import { defineFault, replicaRef, seconds } from './fault-definition.js';

/** A control-plane replica is killed (kill -9), and restarted after `restartAfter` if given. */
export interface ControlPlaneCrash {
  readonly kind: 'controlPlaneCrash';
  /** `leader` (whoever leads when it fires) or `cp-N`. */
  readonly replica: string;
  readonly restartAfter?: Millis;
}

/**
 * Control-plane crash (issue #14, `controlPlane.replicas`): the replica's process dies — its
 * in-flight requests and timers are lost, its lease expires at the store on its own, another
 * replica takes over. With `restartAfter` it starts again as a follower.
 */
export const controlPlaneCrash = defineFault({
  kind: 'controlPlaneCrash',
  summary: 'a control-plane replica is killed (kill -9), restarted after restartAfter if given',
  schema: obj({ replica: def(replicaRef, 'leader'), restartAfter: opt(duration(true)) }),
  load: (b): ControlPlaneCrash => ({ kind: 'controlPlaneCrash', replica: b.replica, ...(b.restartAfter !== undefined ? { restartAfter: b.restartAfter } : {}) }),
  targeting: 'control-plane',
  inject(f, _nodes, ctx) {
    const replica = ctx.target.resolveReplica(f.replica);
    const applied = replica !== undefined && ctx.target.crashReplica(replica);
    ctx.recorder.record('fault.cp_crash', { replica: replica ?? f.replica, applied, ...(f.restartAfter !== undefined ? { restartAfter: f.restartAfter } : {}) });
    if (!applied || f.restartAfter === undefined) return;
    ctx.clock.setTimer(f.restartAfter, () => ctx.recorder.record('fault.cp_restart', { replica, applied: ctx.target.restartReplica(replica) }));
  },
  backends: ['sim'],
  needs: 'replicas',
  fuzz: (d) => ({ replica: 'leader', restartAfter: seconds(d.durationS) }),
});
