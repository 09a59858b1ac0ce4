import * as nodeCrypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DeterminismError } from '../../src/core/errors.js';
import { guardActive } from '../../src/engine/guard.js';
import { Simulation } from '../../src/engine/simulation.js';

const SEED = 424242;

/** Runs `fn` inside an event at t=7 and returns what it threw (or 'no throw'). */
async function thrownInside(fn: () => unknown): Promise<unknown> {
  const sim = new Simulation(SEED);
  let caught: unknown = 'no throw';
  sim.schedule(7, () => {
    try {
      fn();
    } catch (e) {
      caught = e;
    }
  });
  await sim.run();
  return caught;
}

const forbidden: Array<[string, () => unknown]> = [
  ['Date.now()', () => Date.now()],
  ['new Date()', () => new Date()],
  ['Math.random()', () => Math.random()],
  ['performance.now()', () => performance.now()],
  ['process.hrtime()', () => process.hrtime()],
  ['process.hrtime.bigint()', () => process.hrtime.bigint()],
  ['crypto.randomUUID()', () => nodeCrypto.randomUUID()],
  ['crypto.randomBytes()', () => nodeCrypto.randomBytes(4)],
  ['crypto.getRandomValues()', () => globalThis.crypto.getRandomValues(new Uint8Array(4))],
  ['setTimeout()', () => setTimeout(() => {}, 0)],
  ['setInterval()', () => setInterval(() => {}, 1000)],
  ['setImmediate()', () => setImmediate(() => {})],
];

describe('determinism guard', () => {
  it.each(forbidden)('%s throws a DeterminismError naming the call, the seed and the virtual time', async (name, fn) => {
    const e = await thrownInside(fn);
    expect(e).toBeInstanceOf(DeterminismError);
    const msg = (e as Error).message;
    expect(msg).toContain(name);
    expect(msg).toContain(`seed ${SEED}`);
    expect(msg).toContain('virtual time 7ms');
  });

  it('global crypto.randomUUID() (Web Crypto) throws too', async () => {
    const e = await thrownInside(() => globalThis.crypto.randomUUID());
    expect(e).toBeInstanceOf(DeterminismError);
    expect((e as Error).message).toContain('crypto.randomUUID()');
  });

  it('also guards async continuations, not just event callbacks', async () => {
    const sim = new Simulation(SEED);
    let caught: unknown;
    void (async () => {
      await sim.sleep(3);
      await Promise.resolve();
      try {
        Date.now();
      } catch (e) {
        caught = e;
      }
    })();
    await sim.run();
    expect(caught).toBeInstanceOf(DeterminismError);
    expect((caught as Error).message).toContain('virtual time 3ms');
  });

  it('allows new Date(x) with an argument and the pure Date statics', async () => {
    const sim = new Simulation(SEED);
    let iso = '';
    let utc = 0;
    let isDate = false;
    sim.schedule(1, () => {
      const d = new Date(0);
      iso = d.toISOString();
      isDate = d instanceof Date;
      utc = Date.UTC(2020, 0, 1);
      iso += ' ' + new Date('2021-02-03T04:05:06Z').toISOString();
    });
    await sim.run();
    expect(iso).toBe('1970-01-01T00:00:00.000Z 2021-02-03T04:05:06.000Z');
    expect(isDate).toBe(true);
    expect(utc).toBe(1577836800000);
  });

  it('is active only while run() is running', async () => {
    const sim = new Simulation(SEED);
    let inside = false;
    sim.schedule(1, () => {
      inside = guardActive();
    });
    expect(guardActive()).toBe(false);
    await sim.run();
    expect(inside).toBe(true);
    expect(guardActive()).toBe(false);
  });

  const realOriginals = {
    Date: globalThis.Date,
    mathRandom: Math.random,
    setTimeout: globalThis.setTimeout,
    randomUUID: nodeCrypto.randomUUID,
  };

  const expectRealFunctionsBack = async (): Promise<void> => {
    expect(guardActive()).toBe(false);
    expect(globalThis.Date).toBe(realOriginals.Date);
    expect(Math.random).toBe(realOriginals.mathRandom);
    expect(globalThis.setTimeout).toBe(realOriginals.setTimeout);
    expect(nodeCrypto.randomUUID).toBe(realOriginals.randomUUID);
    const now = Date.now();
    expect(now).toBeGreaterThan(Date.UTC(2020, 0, 1));
    expect(Math.abs(new Date().getTime() - now)).toBeLessThan(60_000);
    const r = Math.random();
    expect(r >= 0 && r < 1).toBe(true);
    expect(typeof performance.now()).toBe('number');
    expect(process.hrtime()).toHaveLength(2);
    expect(nodeCrypto.randomUUID()).toMatch(/^[0-9a-f-]{36}$/);
    await new Promise<void>((resolve) => setTimeout(resolve, 1));
  };

  it('restores the real functions after a run', async () => {
    const sim = new Simulation(SEED);
    sim.schedule(1, () => {});
    await sim.run();
    await expectRealFunctionsBack();
  });

  it('restores the real functions after a failing run (uncaught DeterminismError)', async () => {
    const sim = new Simulation(SEED);
    sim.schedule(1, () => {
      Math.random();
    });
    await expect(sim.run()).rejects.toBeInstanceOf(DeterminismError);
    await expectRealFunctionsBack();
  });

  it('restores the real functions after a run failed via fail()', async () => {
    const sim = new Simulation(SEED);
    void (async () => {
      await sim.sleep(1);
      sim.fail(new Error('x'));
    })();
    await expect(sim.run()).rejects.toThrow('x');
    await expectRealFunctionsBack();
  });
});
