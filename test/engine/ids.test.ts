/**
 * Id sources: SeededIds (simulations: drawn, remembered, a collision draws again) and PermutedIds
 * (live runs and `slipway serve`: unique in constant memory for 16^width ids).
 */
import { describe, expect, it } from 'vitest';
import { PermutedIds, SeededIds } from '../../src/engine/ids.js';
import { RandomStream } from '../../src/engine/random.js';

describe('PermutedIds', () => {
  it('hands out every one of the 16^width ids once before the sequence starts over', () => {
    const ids = new PermutedIds(new RandomStream('t', 7), 4);
    const seen = new Set<string>();
    const first = ids.next('c');
    seen.add(first);
    for (let i = 1; i < 16 ** 4; i++) seen.add(ids.next('c'));
    expect(seen.size).toBe(16 ** 4);
    for (const id of seen) expect(id).toMatch(/^c-[0-9a-f]{4}$/);
    // The 65,537th id is the first again (ids that old are long gone on a daemon).
    expect(ids.next('c')).toBe(first);
  });

  it('is unique across prefixes too, and ids are scattered, not counted', () => {
    const ids = new PermutedIds(new RandomStream('t', 1), 8);
    const got = Array.from({ length: 2_000 }, (_, i) => ids.next(i % 2 === 0 ? 'web' : 'db'));
    const suffixes = got.map((id) => id.slice(id.indexOf('-') + 1));
    expect(new Set(suffixes).size).toBe(2_000);
    const values = suffixes.map((s) => parseInt(s, 16));
    const steps = values.slice(1).filter((v, i) => Math.abs(v - values[i]) === 1).length;
    expect(steps).toBe(0);
  });

  it('the same stream gives the same ids; another seed others', () => {
    const take = (seed: number) => {
      const ids = new PermutedIds(new RandomStream('ids.container', seed), 10);
      return Array.from({ length: 50 }, () => ids.next('c'));
    };
    expect(take(42)).toEqual(take(42));
    expect(take(43)).not.toEqual(take(42));
    expect(take(42)[0]).toMatch(/^c-[0-9a-f]{10}$/);
  });

  it('refuses a width it cannot permute', () => {
    expect(() => new PermutedIds(new RandomStream('t', 1), 1)).toThrow(/width 1/);
    expect(() => new PermutedIds(new RandomStream('t', 1), 17)).toThrow(/width 17/);
  });
});

describe('SeededIds', () => {
  it('never repeats an id: a collision draws again', () => {
    // 2 hex digits: 256 ids; drawing all of them needs redraws.
    const ids = new SeededIds(new RandomStream('t', 3), 2);
    const got = Array.from({ length: 256 }, () => ids.next('x'));
    expect(new Set(got).size).toBe(256);
  });
});
