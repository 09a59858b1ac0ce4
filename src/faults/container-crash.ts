import type { Fault } from '../scenario/types.js';
import type { FaultContext } from './fault-target.js';

type ContainerCrash = Extract<Fault, { kind: 'containerCrash' }>;
type CrashLoop = Extract<Fault, { kind: 'crashLoop' }>;

/** Container crash: a running container of the workload's instance in `slot` exits with `exitCode`. */
export function injectContainerCrash(f: ContainerCrash, ctx: FaultContext): void {
  const id = ctx.target.crashContainer(f.workload, f.slot, f.exitCode);
  ctx.recorder.record('fault.container_crash', {
    workload: f.workload,
    slot: f.slot,
    exitCode: f.exitCode,
    applied: id !== undefined,
    ...(id !== undefined ? { container: id } : {}),
  });
}

/**
 * Crash loop: for `duration`, every container of the workload (running now or started later)
 * exits with `exitCode` `exitAfter` after it starts. The control plane must back off per slot.
 */
export function injectCrashLoop(f: CrashLoop, ctx: FaultContext): void {
  const end = ctx.target.startCrashLoop(f.workload, f.exitAfter, f.exitCode);
  ctx.recorder.record('fault.crash_loop', { workload: f.workload, exitAfter: f.exitAfter, exitCode: f.exitCode, duration: f.duration });
  ctx.clock.setTimer(f.duration, () => {
    end();
    ctx.recorder.record('fault.crash_loop_end', { workload: f.workload });
  });
}
