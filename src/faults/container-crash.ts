import type { Recorder } from '../core/interfaces.js';
import type { Fault } from '../scenario/types.js';
import type { FaultTarget } from './fault-target.js';

type ContainerCrash = Extract<Fault, { kind: 'containerCrash' }>;

/** Container crash: a running container of the workload's instance in `slot` exits with `exitCode`. */
export function injectContainerCrash(f: ContainerCrash, target: FaultTarget, recorder: Recorder): void {
  const id = target.crashContainer(f.workload, f.slot, f.exitCode);
  recorder.record('fault.container_crash', {
    workload: f.workload,
    slot: f.slot,
    exitCode: f.exitCode,
    applied: id !== undefined,
    ...(id !== undefined ? { container: id } : {}),
  });
}
