import { def, duration, int, obj, req, workloadRef } from '../core/fields.js';
import type { Millis } from '../core/types.js';
import { defineFault, seconds } from './fault-definition.js';

/** For `duration`, every container of the workload exits with `exitCode` `exitAfter` after it starts. */
export interface CrashLoop {
  readonly kind: 'crashLoop';
  readonly workload: string;
  readonly duration: Millis;
  readonly exitAfter: Millis;
  readonly exitCode: number;
}

/**
 * Crash loop: for `duration`, every container of the workload (running now or started later)
 * exits with `exitCode` `exitAfter` after it starts. The control plane must back off per slot.
 */
export const crashLoop = defineFault({
  kind: 'crashLoop',
  summary: 'for duration, every container of the workload exits exitAfter after it starts',
  schema: obj({
    workload: workloadRef,
    duration: req(duration(true)),
    exitAfter: def(duration(), 5_000),
    exitCode: def(int(1, 255), 1),
  }),
  load(c, ctx): CrashLoop {
    ctx.workload(c.workload);
    return { kind: 'crashLoop', workload: c.workload, duration: c.duration, exitAfter: c.exitAfter, exitCode: c.exitCode };
  },
  targeting: 'workload',
  inject(f, _nodes, ctx) {
    const end = ctx.target.startCrashLoop(f.workload, f.exitAfter, f.exitCode);
    ctx.recorder.record('fault.crash_loop', { workload: f.workload, exitAfter: f.exitAfter, exitCode: f.exitCode, duration: f.duration });
    ctx.clock.setTimer(f.duration, () => {
      end();
      ctx.recorder.record('fault.crash_loop_end', { workload: f.workload });
    });
  },
  backends: ['sim'],
  fuzz: (d) => ({ workload: d.workload, duration: seconds(d.durationS), exitAfter: seconds(1 + (d.p % 30)) }),
});
