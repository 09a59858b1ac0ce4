/**
 * Faults on live backends: the same scenario fault kinds, injected for real and asynchronously.
 *   containerCrash → the running container of the workload's slot is killed (SIGKILL, exit 137;
 *                    the scenario's exitCode cannot be imposed on a real process and is recorded
 *                    next to the real one);
 *   nodeCrash      → the node's engine is frozen (Docker: SIGSTOP to dockerd from its pid file),
 *                    so it stops answering; `recoverAfter` thaws it (SIGCONT). Its containers keep
 *                    running, as on a partitioned machine: after recovery the control plane finds
 *                    them orphaned (their instances were replaced) and removes them.
 */
import type { Clock, Recorder } from '../core/interfaces.js';
import type { Fault } from '../scenario/types.js';

export interface LiveFaultResult {
  readonly applied: boolean;
  /** What was done, or why nothing was. */
  readonly detail: string;
  readonly container?: string;
  readonly exitCode?: number;
}

/** What a live backend offers fault injection. */
export interface LiveFaultTarget {
  crashNode(name: string): Promise<LiveFaultResult>;
  bootNode(name: string): Promise<LiveFaultResult>;
  crashContainer(workload: string, slot: number): Promise<LiveFaultResult>;
}

/**
 * Schedules the faults on the clock; `skip(i)` is true for faults already injected (a resumed run).
 * Returns functions that cancel the faults not yet injected.
 */
export function scheduleLiveFaults(opts: {
  readonly faults: readonly Fault[];
  readonly target: LiveFaultTarget;
  readonly clock: Clock;
  readonly recorder: Recorder;
  readonly onError: (e: unknown) => void;
  readonly skip?: (index: number) => boolean;
  readonly onInjected?: (index: number) => void;
}): Array<() => void> {
  const { faults, target, clock, recorder, onError } = opts;
  const cancels: Array<() => void> = [];
  faults.forEach((f, i) => {
    if (opts.skip?.(i)) return;
    cancels.push(
      clock.setTimer(Math.max(0, f.at - clock.now()), () => {
        opts.onInjected?.(i);
        injectLiveFault(f, target, clock, recorder).catch(onError);
      }),
    );
  });
  return cancels;
}

export async function injectLiveFault(f: Fault, target: LiveFaultTarget, clock: Clock, recorder: Recorder): Promise<void> {
  switch (f.kind) {
    case 'containerCrash': {
      const r = await target.crashContainer(f.workload, f.slot);
      recorder.record('fault.container_crash', {
        workload: f.workload,
        slot: f.slot,
        exitCode: r.exitCode ?? f.exitCode,
        applied: r.applied,
        ...(r.container !== undefined ? { container: r.container } : {}),
        detail: r.detail,
      });
      return;
    }
    case 'nodeCrash': {
      const r = await target.crashNode(f.node);
      recorder.record('fault.node_crash', {
        node: f.node,
        applied: r.applied,
        ...(f.recoverAfter !== undefined ? { recoverAfter: f.recoverAfter } : {}),
        detail: r.detail,
      });
      if (r.applied && f.recoverAfter !== undefined) {
        await clock.sleep(f.recoverAfter);
        const b = await target.bootNode(f.node);
        recorder.record('fault.node_boot', { node: f.node, applied: b.applied, detail: b.detail });
      }
      return;
    }
  }
}
