/**
 * Schedules a scenario's faults on the engine's clock, in file order for equal times.
 * One file per fault kind; add a kind by adding its file and one `case` here.
 *
 * A fault with `at` fires once. A fault with `rate` fires at the arrivals of a Poisson process
 * between `from` and `until`: gaps are exponential with mean 1/rate, drawn from the random stream
 * `fault.rate.<index>`, which also picks the one node (of those the target matches) each arrival hits.
 */
import type { Clock, Recorder } from '../core/interfaces.js';
import type { RandomStream } from '../engine/random.js';
import type { Fault, NodeTarget } from '../scenario/types.js';
import { injectClockSkew } from './clock-skew.js';
import { injectContainerCrash, injectCrashLoop } from './container-crash.js';
import { injectDrain } from './drain.js';
import type { FaultContext, FaultTarget } from './fault-target.js';
import { injectImagePullFailure, injectSlowImagePull } from './image-pull.js';
import { injectMemoryLeak } from './memory-leak.js';
import { injectMessages } from './messages.js';
import { injectNodeCrash, injectZoneOutage } from './node-crash.js';
import { injectNodeFreeze } from './node-freeze.js';
import { injectPartition } from './partition.js';

export interface ScheduleFaultsOptions {
  readonly target: FaultTarget;
  readonly clock: Clock;
  readonly recorder: Recorder;
  /** The random stream named `name` of the run. */
  readonly stream: (name: string) => RandomStream;
  readonly phase?: () => string;
  readonly hit?: (kind: string, phase: string) => void;
}

const MS_PER_HOUR = 3_600_000;

export function scheduleFaults(faults: readonly Fault[], opts: ScheduleFaultsOptions): void {
  const ctx: FaultContext = {
    target: opts.target,
    clock: opts.clock,
    recorder: opts.recorder,
    phase: opts.phase ?? (() => 'unknown'),
    hit: opts.hit ?? (() => {}),
  };
  const { clock } = opts;
  faults.forEach((f, i) => {
    if (f.rate === undefined) {
      clock.setTimer(Math.max(0, f.at - clock.now()), () => injectFault(f, ctx));
      return;
    }
    const r = opts.stream(`fault.rate.${i}`);
    const meanGap = MS_PER_HOUR / f.rate.perHour;
    const { until } = f.rate;
    // Arrival times: from + E1, + E2, ... while before `until` (Ei exponential, mean 1/rate).
    const next = (from: number) => {
      const at = from + Math.max(1, Math.round(r.exponential(meanGap)));
      if (at >= until) return;
      clock.setTimer(Math.max(0, at - clock.now()), () => {
        injectFault(f, ctx, r);
        next(at);
      });
    };
    next(f.rate.from);
  });
}

function isNodeTargeted(f: Fault): f is Fault & NodeTarget {
  return f.kind !== 'containerCrash' && f.kind !== 'crashLoop' && f.kind !== 'memoryLeak';
}

/** Fires one fault now. With `pick` (a rate fault) a node fault hits one random matching node. */
export function injectFault(f: Fault, ctx: FaultContext, pick?: RandomStream): void {
  ctx.hit(f.kind, ctx.phase());
  let nodes: string[] = [];
  if (isNodeTargeted(f)) {
    nodes = ctx.target.resolveNodes(f);
    if (pick && nodes.length > 1 && f.kind !== 'zoneOutage') nodes = [pick.pick(nodes)];
  }
  switch (f.kind) {
    case 'nodeCrash':
      return injectNodeCrash(f, nodes, ctx);
    case 'zoneOutage':
      return injectZoneOutage(f, nodes, ctx);
    case 'nodeFreeze':
      return injectNodeFreeze(f, nodes, ctx);
    case 'partition':
      return injectPartition(f, nodes, ctx);
    case 'messages':
      return injectMessages(f, nodes, ctx);
    case 'containerCrash':
      return injectContainerCrash(f, ctx);
    case 'crashLoop':
      return injectCrashLoop(f, ctx);
    case 'imagePullFailure':
      return injectImagePullFailure(f, nodes, ctx);
    case 'slowImagePull':
      return injectSlowImagePull(f, nodes, ctx);
    case 'memoryLeak':
      return injectMemoryLeak(f, ctx);
    case 'drain':
      return injectDrain(f, nodes, ctx);
    case 'clockSkew':
      return injectClockSkew(f, nodes, ctx);
  }
}
