/**
 * The determinism guard. While a simulation runs, simulated code that reaches for real time, real
 * randomness or real timers fails loudly instead of silently making the run irreproducible:
 * `Date.now()`, `new Date()` (without arguments), `performance.now()`, `process.hrtime()`,
 * `Math.random()`, `crypto.randomUUID()`, `crypto.randomBytes()`, `crypto.getRandomValues()`,
 * `setTimeout`, `setInterval` and `setImmediate` all throw a DeterminismError naming the call.
 *
 * The engine keeps its own references to the real functions (captured when this module loads),
 * which is how its run loop still yields to the host between events.
 */
import nodeCrypto from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';
import { DeterminismError } from '../core/errors.js';

export const real = {
  Date: globalThis.Date,
  dateNow: Date.now,
  mathRandom: Math.random,
  setTimeout: globalThis.setTimeout,
  setInterval: globalThis.setInterval,
  setImmediate: globalThis.setImmediate,
  performanceNow: performance.now.bind(performance),
  hrtime: process.hrtime,
  randomUUID: nodeCrypto.randomUUID,
  randomBytes: nodeCrypto.randomBytes,
  getRandomValues: globalThis.crypto?.getRandomValues?.bind(globalThis.crypto),
  webRandomUUID: globalThis.crypto?.randomUUID?.bind(globalThis.crypto),
} as const;

let depth = 0;
let describe: () => string = () => '';

function violation(what: string, instead: string): never {
  throw new DeterminismError(
    `determinism violation: ${what} called inside a simulation${describe()}; ${instead}`,
  );
}

class GuardedDate extends real.Date {
  constructor(...args: unknown[]) {
    if (args.length === 0 && depth > 0) violation('new Date()', 'read time from the Clock');
    // @ts-expect-error spread into the Date constructor overloads
    super(...args);
  }
  static override now(): number {
    if (depth > 0) violation('Date.now()', 'read time from the Clock');
    return real.dateNow();
  }
}

function guarded<T extends (...a: never[]) => unknown>(fn: T, what: string, instead: string): T {
  return function (this: unknown, ...args: never[]) {
    if (depth > 0) violation(what, instead);
    return fn.apply(this, args);
  } as T;
}

const hrtime = guarded(real.hrtime, 'process.hrtime()', 'read time from the Clock') as typeof process.hrtime;
hrtime.bigint = guarded(real.hrtime.bigint, 'process.hrtime.bigint()', 'read time from the Clock');

const replacements = {
  random: guarded(real.mathRandom, 'Math.random()', 'draw from a named random stream'),
  setTimeout: guarded(real.setTimeout, 'setTimeout()', 'use Clock.setTimer'),
  setInterval: guarded(real.setInterval, 'setInterval()', 'use Clock.setTimer'),
  setImmediate: guarded(real.setImmediate, 'setImmediate()', 'use Clock.setTimer(0, ...)'),
  performanceNow: guarded(real.performanceNow, 'performance.now()', 'read time from the Clock'),
  randomUUID: guarded(real.randomUUID, 'crypto.randomUUID()', 'use the seeded IdSource'),
  randomBytes: guarded(real.randomBytes, 'crypto.randomBytes()', 'draw from a named random stream'),
  getRandomValues: real.getRandomValues
    ? guarded(real.getRandomValues, 'crypto.getRandomValues()', 'draw from a named random stream')
    : undefined,
  webRandomUUID: real.webRandomUUID ? guarded(real.webRandomUUID, 'crypto.randomUUID()', 'use the seeded IdSource') : undefined,
};

/**
 * Turns the guard on (nested calls count); returns the function that turns it off again.
 * `context` adds the run's virtual time and seed to the error message.
 */
export function installGuard(context: () => string): () => void {
  if (depth++ === 0) {
    describe = context;
    globalThis.Date = GuardedDate as DateConstructor;
    Math.random = replacements.random;
    globalThis.setTimeout = replacements.setTimeout as typeof setTimeout;
    globalThis.setInterval = replacements.setInterval as typeof setInterval;
    globalThis.setImmediate = replacements.setImmediate as typeof setImmediate;
    performance.now = replacements.performanceNow;
    process.hrtime = hrtime;
    nodeCrypto.randomUUID = replacements.randomUUID;
    nodeCrypto.randomBytes = replacements.randomBytes as typeof nodeCrypto.randomBytes;
    if (replacements.getRandomValues) globalThis.crypto.getRandomValues = replacements.getRandomValues;
    if (replacements.webRandomUUID) globalThis.crypto.randomUUID = replacements.webRandomUUID;
    syncBuiltinESMExports();
  }
  let done = false;
  return () => {
    if (done) return;
    done = true;
    if (--depth === 0) {
      globalThis.Date = real.Date;
      Math.random = real.mathRandom;
      globalThis.setTimeout = real.setTimeout;
      globalThis.setInterval = real.setInterval;
      globalThis.setImmediate = real.setImmediate;
      performance.now = real.performanceNow;
      process.hrtime = real.hrtime;
      nodeCrypto.randomUUID = real.randomUUID;
      nodeCrypto.randomBytes = real.randomBytes;
      if (real.getRandomValues) globalThis.crypto.getRandomValues = real.getRandomValues;
      if (real.webRandomUUID) globalThis.crypto.randomUUID = real.webRandomUUID;
      syncBuiltinESMExports();
      describe = () => '';
    }
  };
}

/** True while some simulation in this thread is running. */
export function guardActive(): boolean {
  return depth > 0;
}
