/**
 * Faults on live backends: the same scenario fault kinds, injected for real and asynchronously.
 * Which kinds a live backend can inject, and how, comes from the fault registry: a kind whose
 * `backends` list the backend has a `live` implementation in its file (see container-crash.ts,
 * node-crash.ts).
 */
import { InputError } from '../core/errors.js';
import type { Clock, Recorder } from '../core/interfaces.js';
import type { LiveFaultTarget } from './fault-target.js';
import { faultDefinition, faultKindsFor, type Fault, type FaultKind, type FaultOf } from './registry.js';

export type { LiveFaultResult, LiveFaultTarget } from './fault-target.js';

/**
 * Live backends inject the kinds whose registry entry lists them, at fixed times; every other
 * kind, and rate faults, exist only in simulation. A scenario that asks for them live is bad
 * input (nothing is silently skipped).
 */
export function assertLiveFaults(faults: readonly Fault[], file: string, backend: 'docker' | 'oci' = 'docker'): void {
  const live = faultKindsFor(backend);
  faults.forEach((f, i) => {
    const where = `${file}: faults[${i}]`;
    const def = faultDefinition(f.kind);
    if (!live.includes(f.kind) || def.live === undefined)
      throw new InputError(`${where}: ${f.kind} is simulation-only; live backends inject ${andList([...live].sort())}`);
    if (f.rate !== undefined) throw new InputError(`${where}: rate faults are simulation-only; give a fixed \`at\` for live runs`);
    const why = refusal(f.kind, f as FaultOf<typeof f.kind>);
    if (why !== undefined) throw new InputError(`${where}: ${why}`);
  });
}

function refusal<K extends FaultKind>(kind: K, f: FaultOf<K>): string | undefined {
  return faultDefinition(kind).live?.refuse?.(f);
}

/** `a`, `a and b`, `a, b and c`. */
function andList(xs: readonly string[]): string {
  return xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`;
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
  return injectLiveOf(f.kind, f as FaultOf<typeof f.kind>, target, clock, recorder);
}

async function injectLiveOf<K extends FaultKind>(kind: K, f: FaultOf<K>, target: LiveFaultTarget, clock: Clock, recorder: Recorder): Promise<void> {
  const live = faultDefinition(kind).live;
  // assertLiveFaults refused the scenario before the run started.
  if (live === undefined) throw new Error(`fault ${kind} has no live implementation`);
  await live.inject(f, target, clock, recorder);
}
