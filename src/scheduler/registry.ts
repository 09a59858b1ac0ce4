/**
 * Named schedulers. A scenario picks one with `scheduler: NAME`.
 * One line per scheduler; the full plugin framework registers its profiles here too.
 */
import type { Scheduler } from '../core/interfaces.js';
import { ROUND_ROBIN, RoundRobinScheduler } from './round-robin.js';

const FACTORIES: Readonly<Record<string, () => Scheduler>> = {
  [ROUND_ROBIN]: () => new RoundRobinScheduler(),
};

export function schedulerNames(): string[] {
  return Object.keys(FACTORIES).sort();
}

/** A fresh scheduler instance (schedulers may keep per-run state, like round-robin's cursor). */
export function createScheduler(name: string): Scheduler {
  const make = FACTORIES[name];
  if (!make) throw new Error(`unknown scheduler ${JSON.stringify(name)}; known: ${schedulerNames().join(', ')}`);
  return make();
}
