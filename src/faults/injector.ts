/**
 * Schedules a scenario's faults on the engine's clock, in file order for equal times.
 * One file per fault kind; add a kind by adding its file and one `case` here.
 */
import type { Clock, Recorder } from '../core/interfaces.js';
import type { Fault } from '../scenario/types.js';
import { injectContainerCrash } from './container-crash.js';
import type { FaultTarget } from './fault-target.js';
import { injectNodeCrash } from './node-crash.js';

export function scheduleFaults(faults: readonly Fault[], target: FaultTarget, clock: Clock, recorder: Recorder): void {
  for (const f of faults) {
    clock.setTimer(Math.max(0, f.at - clock.now()), () => injectFault(f, target, clock, recorder));
  }
}

export function injectFault(f: Fault, target: FaultTarget, clock: Clock, recorder: Recorder): void {
  switch (f.kind) {
    case 'nodeCrash':
      return injectNodeCrash(f, target, clock, recorder);
    case 'containerCrash':
      return injectContainerCrash(f, target, recorder);
  }
}
