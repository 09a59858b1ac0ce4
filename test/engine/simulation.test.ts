import { describe, expect, it } from 'vitest';
import { Simulation } from '../../src/engine/simulation.js';

describe('Simulation.run', () => {
  it('stops with reason "until", leaving the clock at until, and runs events at exactly until', async () => {
    const sim = new Simulation(1);
    const seen: number[] = [];
    for (const t of [5, 10, 20, 30]) sim.at(t, () => seen.push(sim.now()));
    const r = await sim.run({ until: 15 });
    expect(r).toEqual({ reason: 'until', events: 2, now: 15 });
    expect(sim.now()).toBe(15);
    expect(seen).toEqual([5, 10]);
    expect(sim.pending).toBe(2);
    // a later run continues from where the clock was left
    const r2 = await sim.run({ until: 20 });
    expect(r2).toEqual({ reason: 'until', events: 1, now: 20 });
    expect(seen).toEqual([5, 10, 20]);
  });

  it('stops after maxEvents', async () => {
    const sim = new Simulation(1);
    let n = 0;
    const tick = (): void => {
      n++;
      sim.schedule(1, tick);
    };
    sim.schedule(0, tick);
    const r = await sim.run({ maxEvents: 100 });
    expect(r).toEqual({ reason: 'maxEvents', events: 100, now: 99 });
    expect(n).toBe(100);
    const r2 = await sim.run({ maxEvents: 50 });
    expect(r2.events).toBe(50);
    expect(sim.events).toBe(150);
  });

  it('stops with "idle" when no events remain', async () => {
    const sim = new Simulation(1);
    sim.schedule(3, () => sim.schedule(4, () => {}));
    const r = await sim.run();
    expect(r).toEqual({ reason: 'idle', events: 2, now: 7 });
    expect(sim.pending).toBe(0);
    expect(await sim.run()).toEqual({ reason: 'idle', events: 0, now: 7 });
  });

  it('stops with "stopped" after the event that calls stop()', async () => {
    const sim = new Simulation(1);
    const seen: number[] = [];
    sim.at(1, () => seen.push(1));
    sim.at(2, () => {
      seen.push(2);
      sim.stop();
    });
    sim.at(2, () => seen.push(3));
    const r = await sim.run();
    expect(r).toEqual({ reason: 'stopped', events: 2, now: 2 });
    expect(seen).toEqual([1, 2]);
  });

  it('runs events at the same time in the order they were scheduled', async () => {
    const sim = new Simulation(1);
    const seen: string[] = [];
    sim.at(10, () => {
      seen.push('a');
      sim.schedule(0, () => seen.push('a+0'));
    });
    sim.schedule(10, () => seen.push('b'));
    sim.at(5, () => sim.schedule(5, () => seen.push('c')));
    sim.at(10, () => seen.push('d'));
    await sim.run();
    expect(seen).toEqual(['a', 'b', 'd', 'c', 'a+0']);
  });

  it('rejects scheduling in the past', () => {
    const sim = new Simulation(1);
    expect(() => sim.schedule(-1, () => {})).toThrow(RangeError);
    expect(() => sim.schedule(NaN, () => {})).toThrow(RangeError);
    expect(() => sim.at(-5, () => {})).toThrow(RangeError);
  });

  it('refuses to run twice at once', async () => {
    const sim = new Simulation(1);
    sim.schedule(1, () => sim.deliver(() => {}));
    const first = sim.run();
    await expect(sim.run()).rejects.toThrow(/already running/);
    await first;
  });
});

describe('timers and async code', () => {
  it('setTimer fires after its delay and its cancel function prevents it', async () => {
    const sim = new Simulation(1);
    const fired: Array<[string, number]> = [];
    sim.setTimer(5, () => fired.push(['kept', sim.now()]));
    const cancel = sim.setTimer(3, () => fired.push(['cancelled', sim.now()]));
    const cancelLater = sim.setTimer(8, () => fired.push(['cancelled-at-4', sim.now()]));
    sim.at(4, cancelLater);
    cancel();
    await sim.run();
    expect(fired).toEqual([['kept', 5]]);
  });

  it('cancelling after a timer fired is harmless', async () => {
    const sim = new Simulation(1);
    let n = 0;
    const cancel = sim.setTimer(1, () => n++);
    await sim.run();
    cancel();
    await sim.run();
    expect(n).toBe(1);
  });

  it('an async process sleeping 5 three times observes now() = 5, 10, 15', async () => {
    const sim = new Simulation(1);
    const seen: number[] = [];
    const proc = async (): Promise<void> => {
      for (let i = 0; i < 3; i++) {
        await sim.sleep(5);
        seen.push(sim.now());
      }
    };
    const done = proc();
    const r = await sim.run();
    await done;
    expect(seen).toEqual([5, 10, 15]);
    expect(r).toEqual({ reason: 'idle', events: 3, now: 15 });
  });

  it('interleaves several async processes by virtual time', async () => {
    const sim = new Simulation(1);
    const log: string[] = [];
    const proc = async (name: string, step: number, n: number): Promise<void> => {
      for (let i = 0; i < n; i++) {
        await sim.sleep(step);
        log.push(`${name}@${sim.now()}`);
      }
    };
    void proc('a', 3, 3);
    void proc('b', 2, 4);
    await sim.run();
    // at t=6 both wake: 'a' scheduled that wake-up at t=3, before 'b' did at t=4, so 'a' goes first
    expect(log).toEqual(['b@2', 'a@3', 'b@4', 'a@6', 'b@6', 'b@8', 'a@9']);
  });

  it('runs continuations of a delivered promise before the clock advances', async () => {
    const sim = new Simulation(1);
    let resolve!: () => void;
    const p = new Promise<void>((r) => (resolve = r));
    let effectAt: number | undefined;
    let continuationSawNow: number | undefined;
    let observedAt11: number | undefined | 'missing';
    void (async () => {
      await p;
      // a few more microtask hops: all of them must still run at t=10
      await Promise.resolve();
      await null;
      continuationSawNow = sim.now();
      sim.schedule(0, () => {
        effectAt = sim.now();
      });
    })();
    sim.at(10, () => sim.deliver(resolve));
    sim.at(11, () => {
      observedAt11 = effectAt ?? 'missing';
    });
    await sim.run();
    expect(continuationSawNow).toBe(10);
    expect(effectAt).toBe(10);
    expect(observedAt11).toBe(10);
  });

  it('after() settles with the value, or rejects with what settle() throws', async () => {
    const sim = new Simulation(1);
    const got: unknown[] = [];
    sim.after(4, () => 'ok').then((v) => got.push([v, sim.now()]));
    sim.after(6, () => {
      throw new Error('boom');
    }).catch((e: Error) => got.push([e.message, sim.now()]));
    await sim.run();
    expect(got).toEqual([
      ['ok', 4],
      ['boom', 6],
    ]);
  });

  it('fail(err) inside a continuation makes run() reject with that error and stops the run', async () => {
    const sim = new Simulation(1);
    const err = new Error('controller crashed');
    let later = false;
    void (async () => {
      await sim.sleep(5);
      sim.fail(err);
    })();
    sim.at(6, () => {
      later = true;
    });
    await expect(sim.run()).rejects.toBe(err);
    expect(later).toBe(false);
    expect(sim.now()).toBe(5);
  });

  it('fail() keeps the first error', async () => {
    const sim = new Simulation(1);
    const first = new Error('first');
    sim.schedule(1, () => {
      sim.fail(first);
      sim.fail(new Error('second'));
    });
    await expect(sim.run()).rejects.toBe(first);
  });

  it('an exception thrown by an event rejects run()', async () => {
    const sim = new Simulation(1);
    sim.schedule(1, () => {
      throw new TypeError('bad event');
    });
    await expect(sim.run()).rejects.toThrow('bad event');
  });

  it('is deterministic: the same seed gives the same interleaving', async () => {
    const once = async (seed: number): Promise<string[]> => {
      const sim = new Simulation(seed);
      const log: string[] = [];
      const rnd = sim.random.stream('work');
      for (let p = 0; p < 20; p++) {
        void (async () => {
          for (let i = 0; i < 20; i++) {
            await sim.sleep(rnd.int(0, 3));
            log.push(`${p}:${sim.now()}`);
          }
        })();
        sim.schedule(rnd.int(0, 50), () => log.push(`e${p}:${sim.now()}`));
      }
      await sim.run();
      return log;
    };
    const a = await once(99);
    expect(await once(99)).toEqual(a);
    expect(await once(100)).not.toEqual(a);
  });
});

describe('Simulation.process (generator processes)', () => {
  it('runs up to the first yield at once, then resumes after each yielded delay', async () => {
    const sim = new Simulation(1);
    const seen: number[] = [];
    sim.process(
      (function* () {
        seen.push(sim.now());
        yield 5;
        seen.push(sim.now());
        yield 0;
        seen.push(sim.now());
        yield 10;
        seen.push(sim.now());
      })(),
    );
    expect(seen).toEqual([0]);
    const r = await sim.run();
    expect(seen).toEqual([0, 5, 5, 15]);
    expect(r.reason).toBe('idle');
  });

  it('interleaves processes by (time, order of scheduling)', async () => {
    const sim = new Simulation(1);
    const log: string[] = [];
    const proc = (name: string, delays: number[]) =>
      sim.process(
        (function* () {
          for (const d of delays) {
            yield d;
            log.push(`${name}@${sim.now()}`);
          }
        })(),
      );
    proc('a', [2, 2]);
    proc('b', [1, 3]);
    await sim.run();
    // Both reach t=4; b asked first (at t=1, for +3) so it runs before a (asked at t=2, for +2).
    expect(log).toEqual(['b@1', 'a@2', 'b@4', 'a@4']);
  });

  it('an exception in a process ends the run', async () => {
    const sim = new Simulation(1);
    sim.process(
      (function* () {
        yield 3;
        throw new Error('boom');
      })(),
    );
    await expect(sim.run()).rejects.toThrow('boom');
  });
});

/**
 * RunOptions.sliceMs (the serve daemon's sim pump): after that many wall milliseconds of events the
 * run yields to the event loop even inside one virtual instant, so an HTTP request that arrived
 * meanwhile is answered before the instant's remaining events, not after all of them.
 */
describe('wall-clock slices (guard off)', () => {
  /** Holds the thread for `ms` of real time, as a costly control-plane event would. */
  const busy = (ms: number): void => {
    const end = performance.now() + ms;
    while (performance.now() < end);
  };

  it('without sliceMs, a request that arrives during a burst of same-instant events waits for all of them', async () => {
    const sim = new Simulation(1);
    const order: string[] = [];
    for (let i = 0; i < 10; i++) sim.at(5, () => (busy(2), order.push(`e${i}`)));
    setImmediate(() => order.push('request'));
    await sim.run({ guard: false });
    expect(order.indexOf('request')).toBe(-1); // still queued: nothing yielded to it
    await new Promise((r) => setImmediate(r));
    expect(order.at(-1)).toBe('request');
  });

  it('with sliceMs 5, it is answered after a few of those events, and every event still runs once, in order', async () => {
    const sim = new Simulation(1);
    const order: string[] = [];
    for (let i = 0; i < 10; i++) sim.at(5, () => (busy(2), order.push(`e${i}`)));
    setImmediate(() => order.push('request'));
    const r = await sim.run({ guard: false, sliceMs: 5 });
    expect(r).toEqual({ reason: 'idle', events: 10, now: 5 });
    const at = order.indexOf('request');
    // 2 ms events and a 5 ms slice: the first yield comes after the third event (sooner if this
    // process is descheduled in the middle of one), never after the last.
    expect(at).toBeGreaterThanOrEqual(1);
    expect(at).toBeLessThan(10);
    expect(order.filter((x) => x !== 'request')).toEqual(Array.from({ length: 10 }, (_, i) => `e${i}`));
  });

  it('a used-up slice awaits `pause` (the daemon rests there while requests arrive)', async () => {
    const sim = new Simulation(1);
    for (let i = 0; i < 6; i++) sim.at(1, () => busy(2));
    let pauses = 0;
    await sim.run({ guard: false, sliceMs: 3, pause: () => (pauses++, new Promise((r) => setTimeout(r, 1))) });
    // 12 ms of events in 3 ms slices: a pause about every second event, at most one per event.
    expect(pauses).toBeGreaterThanOrEqual(2);
    expect(pauses).toBeLessThanOrEqual(6);
  });

  it('refuses sliceMs with the determinism guard on: a wall-clock yield would make the run irreproducible', async () => {
    const sim = new Simulation(1);
    sim.at(1, () => {});
    await expect(sim.run({ sliceMs: 5 })).rejects.toThrow(/sliceMs needs guard: false/);
  });
});
