/**
 * Schedules a scenario's faults on the engine's clock, in file order for equal times.
 * Each kind's injector and targeting come from the fault registry (registry.ts).
 *
 * A fault with `at` fires once. A fault with `rate` fires at the arrivals of a Poisson process
 * between `from` and `until`: gaps are exponential with mean 1/rate, drawn from the random stream
 * `fault.rate.<index>`, which also picks the one node (of those the target matches) each arrival hits.
 */
import type { Clock, Recorder } from '../core/interfaces.js';
import type { RandomStream } from '../engine/random.js';
import type { NodeTarget } from './fault-definition.js';
import type { FaultContext, FaultTarget } from './fault-target.js';
import { faultDefinition, type Fault, type FaultKind, type FaultOf } from './registry.js';

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

/** Fires one fault now. With `pick` (a rate fault) a node fault hits one random matching node. */
export function injectFault(f: Fault, ctx: FaultContext, pick?: RandomStream): void {
  injectOf(f.kind, f as FaultOf<typeof f.kind>, ctx, pick);
}

function injectOf<K extends FaultKind>(kind: K, f: FaultOf<K>, ctx: FaultContext, pick?: RandomStream): void {
  const def = faultDefinition(kind);
  ctx.hit(kind, ctx.phase());
  let nodes: string[] = [];
  if (def.targeting === 'node' || def.targeting === 'zone') {
    // A node or zone fault's action extends NodeTarget (its file declares it so).
    nodes = ctx.target.resolveNodes(f as NodeTarget);
    if (pick && nodes.length > 1 && def.targeting === 'node') nodes = [pick.pick(nodes)];
  }
  def.inject(f, nodes, ctx);
}
