import { def, duration, obj, req } from '../core/fields.js';
import type { Millis } from '../core/types.js';
import { defineFault, replicaRef, seconds } from './fault-definition.js';

/** A control-plane replica's process stops for `duration` (a GC pause, SIGSTOP), then resumes. */
export interface ControlPlanePause {
  readonly kind: 'controlPlanePause';
  readonly replica: string;
  readonly duration: Millis;
}

/**
 * Control-plane pause: nothing in the replica runs for `duration` — timers, store answers, watch
 * and container events wait — then it all runs at once, late. A leader paused past its lease is
 * the case fencing exists for: on resume it must notice (its local deadline passed) and its
 * writes must be refused.
 */
export const controlPlanePause = defineFault({
  kind: 'controlPlanePause',
  summary: "a control-plane replica's process stops for duration (GC pause, SIGSTOP), then resumes",
  schema: obj({ replica: def(replicaRef, 'leader'), duration: req(duration(true)) }),
  load: (b): ControlPlanePause => ({ kind: 'controlPlanePause', replica: b.replica, duration: b.duration }),
  targeting: 'control-plane',
  inject(f, _nodes, ctx) {
    const replica = ctx.target.resolveReplica(f.replica);
    const applied = replica !== undefined && ctx.target.pauseReplica(replica);
    ctx.recorder.record('fault.cp_pause', { replica: replica ?? f.replica, duration: f.duration, applied });
    if (!applied) return;
    ctx.clock.setTimer(f.duration, () => {
      ctx.recorder.record('fault.cp_resume', { replica });
      ctx.target.resumeReplica(replica);
    });
  },
  backends: ['sim'],
  needs: 'replicas',
  fuzz: (d) => ({ replica: 'leader', duration: seconds(d.durationS) }),
});
