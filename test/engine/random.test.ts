import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Distribution } from '../../src/core/types.js';
import { deriveSeed, RandomStream, RandomStreams } from '../../src/engine/random.js';

const draw = (s: RandomStream, n: number): number[] => Array.from({ length: n }, () => s.float());

describe('deriveSeed', () => {
  it('is pinned to literal values (changing it changes every recorded trace)', () => {
    expect(deriveSeed(42, 'hold')).toBe(-1599576847);
    expect(deriveSeed(1, 'scheduler')).toBe(1789976191);
    expect(deriveSeed('abc', 'ids')).toBe(-465206048);
  });

  it('is the first 4 bytes (little-endian, signed) of sha256("seed/name")', () => {
    const h = createHash('sha256').update('7/latency').digest();
    expect(deriveSeed(7, 'latency')).toBe(h.readInt32LE(0));
  });

  it('depends on both seed and name', () => {
    expect(deriveSeed(1, 'a')).not.toBe(deriveSeed(2, 'a'));
    expect(deriveSeed(1, 'a')).not.toBe(deriveSeed(1, 'b'));
  });
});

describe('RandomStreams', () => {
  it('gives the same sequence for the same seed and name', () => {
    const a = new RandomStreams(42).stream('hold');
    const b = new RandomStreams(42).stream('hold');
    expect(draw(a, 1000)).toEqual(draw(b, 1000));
  });

  it('pins the first draws of a stream (generator changes must be deliberate)', () => {
    const s = new RandomStream('x', deriveSeed(42, 'x'));
    expect(s.float()).toBe(0.10538197938884775);
    expect(s.float()).toBe(0.588338464404072);
    expect(s.hex(8)).toBe('057db199');
  });

  it('returns the same stream object for a name', () => {
    const r = new RandomStreams(3);
    expect(r.stream('a')).toBe(r.stream('a'));
  });

  it('differs for different seeds and different names', () => {
    expect(draw(new RandomStreams(1).stream('a'), 20)).not.toEqual(draw(new RandomStreams(2).stream('a'), 20));
    const r = new RandomStreams(1);
    expect(draw(r.stream('a'), 20)).not.toEqual(draw(r.stream('b'), 20));
  });

  it('keeps streams independent: drawing from one never shifts another', () => {
    fc.assert(
      fc.property(fc.integer(), fc.nat({ max: 500 }), (seed, extra) => {
        const quiet = new RandomStreams(seed);
        const busy = new RandomStreams(seed);
        // busy draws from other streams before, between and after; quiet does not
        draw(busy.stream('noise'), extra);
        const b1 = draw(busy.stream('target'), 10);
        draw(busy.stream('noise'), extra);
        busy.stream('fresh').shuffle([1, 2, 3]);
        const b2 = draw(busy.stream('target'), 10);
        const q = draw(quiet.stream('target'), 20);
        expect([...b1, ...b2]).toEqual(q);
      }),
      { numRuns: 50 },
    );
  });
});

describe('RandomStream draws', () => {
  const s = (): RandomStream => new RandomStreams(12345).stream('test');

  it('float() is in [0, 1)', () => {
    const r = s();
    let lo = 1;
    let hi = 0;
    for (let i = 0; i < 100_000; i++) {
      const v = r.float();
      if (!(v >= 0 && v < 1)) throw new Error(`float() out of range: ${v}`);
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    expect(lo).toBeLessThan(0.001);
    expect(hi).toBeGreaterThan(0.999);
  });

  it('int(lo, hi) is an integer in [lo, hi] and hits both ends', () => {
    const r = s();
    const seen = new Set<number>();
    for (let i = 0; i < 10_000; i++) {
      const v = r.int(-3, 3);
      if (!Number.isInteger(v) || v < -3 || v > 3) throw new Error(`int(-3, 3) gave ${v}`);
      seen.add(v);
    }
    expect([...seen].sort((a, b) => a - b)).toEqual([-3, -2, -1, 0, 1, 2, 3]);
  });

  it('hex(n) is n lower-case hex characters', () => {
    const r = s();
    for (const n of [1, 5, 8, 9, 20]) expect(r.hex(n)).toMatch(new RegExp(`^[0-9a-f]{${n}}$`));
  });

  it('shuffle() returns the same array holding a permutation of its items', () => {
    fc.assert(
      fc.property(fc.array(fc.integer()), fc.integer(), (items, seed) => {
        const copy = [...items];
        const out = new RandomStreams(seed).stream('shuffle').shuffle(copy);
        expect(out).toBe(copy);
        expect([...out].sort((a, b) => a - b)).toEqual([...items].sort((a, b) => a - b));
      }),
    );
  });

  it('shuffle() actually moves things and is reproducible', () => {
    const base = Array.from({ length: 50 }, (_, i) => i);
    const a = new RandomStreams(9).stream('s').shuffle([...base]);
    const b = new RandomStreams(9).stream('s').shuffle([...base]);
    expect(a).toEqual(b);
    expect(a).not.toEqual(base);
  });

  it('shuffle() is uniform: all 6 orders of 3 items, each about 1/6 of the time', () => {
    const r = s();
    const counts = new Map<string, number>();
    const n = 60_000;
    for (let i = 0; i < n; i++) {
      const key = r.shuffle(['a', 'b', 'c']).join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual(['abc', 'acb', 'bac', 'bca', 'cab', 'cba']);
    for (const c of counts.values()) expect(Math.abs(c - n / 6)).toBeLessThan(n / 6 * 0.05);
  });

  it('pick() returns a member', () => {
    const r = s();
    const items = ['a', 'b', 'c'] as const;
    const seen = new Set<string>();
    for (let i = 0; i < 300; i++) seen.add(r.pick(items));
    expect([...seen].sort()).toEqual(['a', 'b', 'c']);
  });
});

describe('RandomStream.duration()', () => {
  const N = 100_000;
  const sample = (d: Distribution, seed = 777): number[] => {
    const r = new RandomStreams(seed).stream('duration');
    return Array.from({ length: N }, () => r.duration(d));
  };
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  const expectWholeNonNegative = (xs: number[]): void => {
    for (const x of xs) {
      if (!Number.isInteger(x) || x < 0) throw new Error(`bad duration ${x}`);
    }
  };

  it('constant is exact and draws nothing', () => {
    const r = new RandomStreams(1).stream('c');
    const ref = new RandomStreams(1).stream('c');
    for (let i = 0; i < 100; i++) expect(r.duration({ kind: 'constant', ms: 250 })).toBe(250);
    expect(r.float()).toBe(ref.float());
  });

  it('uniform stays within [min, max] and covers it', () => {
    const xs = sample({ kind: 'uniform', minMs: 100, maxMs: 200 });
    expectWholeNonNegative(xs);
    expect(xs.reduce((a, b) => Math.min(a, b))).toBe(100);
    expect(xs.reduce((a, b) => Math.max(a, b))).toBe(200);
    expect(mean(xs)).toBeGreaterThan(148);
    expect(mean(xs)).toBeLessThan(152);
  });

  it('exponential has its mean within 2% over 100k draws', () => {
    const xs = sample({ kind: 'exponential', meanMs: 1000 });
    expectWholeNonNegative(xs);
    expect(Math.abs(mean(xs) - 1000) / 1000).toBeLessThan(0.02);
    // memoryless shape: P(X > mean) = 1/e
    const above = xs.filter((x) => x > 1000).length / N;
    expect(Math.abs(above - Math.exp(-1))).toBeLessThan(0.01);
  });

  it('normal is clamped at 0 and has its mean when far from 0', () => {
    const far = sample({ kind: 'normal', meanMs: 500, stddevMs: 50 });
    expectWholeNonNegative(far);
    expect(Math.abs(mean(far) - 500)).toBeLessThan(2);
    const clamped = sample({ kind: 'normal', meanMs: 10, stddevMs: 100 });
    expectWholeNonNegative(clamped);
    expect(clamped.filter((x) => x === 0).length).toBeGreaterThan(N * 0.4);
  });

  it('lognormal is positive with the given median', () => {
    const xs = sample({ kind: 'lognormal', medianMs: 300, sigma: 0.5 });
    expectWholeNonNegative(xs);
    const sorted = [...xs].sort((a, b) => a - b);
    expect(Math.abs(sorted[N / 2] - 300)).toBeLessThan(6);
  });

  it('is reproducible for a seed', () => {
    const d: Distribution = { kind: 'exponential', meanMs: 50 };
    expect(sample(d, 5).slice(0, 1000)).toEqual(sample(d, 5).slice(0, 1000));
  });
});
