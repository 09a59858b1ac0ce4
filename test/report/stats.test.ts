import { describe, expect, it } from 'vitest';
import { pairedTTest, parseSeedList, summarize } from '../../src/report/stats.js';

describe('summarize', () => {
  it('gives the mean and the t-based 95% interval', () => {
    // x = 1..5: mean 3, s = √2.5 = 1.5811, t(0.975, 4) = 2.7764, half = 2.7764 · 1.5811 / √5 = 1.9632
    const s = summarize([1, 2, 3, 4, 5])!;
    expect(s.mean).toBe(3);
    expect(s.sd).toBeCloseTo(1.5811, 4);
    expect(s.ciLow).toBeCloseTo(3 - 1.9632, 3);
    expect(s.ciHigh).toBeCloseTo(3 + 1.9632, 3);
  });

  it('has a zero-width interval for one value and nothing for none', () => {
    expect(summarize([7])).toEqual({ n: 1, mean: 7, sd: 0, ciLow: 7, ciHigh: 7 });
    expect(summarize([])).toBeNull();
  });
});

describe('pairedTTest', () => {
  it('matches a hand-computed paired t-test', () => {
    // d = b − a = [1, 2, 3, 1, 3]: d̄ = 2, s_d = 1, t = 2 / (1/√5) = 4.4721, df 4 → p = 0.01106 (two-sided)
    const r = pairedTTest([10, 20, 30, 40, 50], [11, 22, 33, 41, 53])!;
    expect(r.meanDiff).toBe(2);
    expect(r.t).toBeCloseTo(4.4721, 4);
    expect(r.p!).toBeCloseTo(0.01106, 4);
  });

  it('calls a noisy difference that averages out insignificant', () => {
    const r = pairedTTest([5, 5, 5, 5], [6, 4, 6, 4])!;
    expect(r.meanDiff).toBe(0);
    expect(r.p!).toBeCloseTo(1, 6);
  });

  it('handles identical and constant differences, and drops missing pairs', () => {
    expect(pairedTTest([1, 2, 3], [1, 2, 3])!.p).toBe(1);
    expect(pairedTTest([1, 2, 3], [2, 3, 4])!.p).toBe(0);
    const r = pairedTTest([1, null, 3, 4], [2, 5, null, 6])!;
    expect(r.n).toBe(2);
  });
});

describe('parseSeedList', () => {
  it('parses ranges and lists', () => {
    expect(parseSeedList('1..5')).toEqual([1, 2, 3, 4, 5]);
    expect(parseSeedList('3,1,3,7..8')).toEqual([3, 1, 7, 8]);
    expect(parseSeedList('5..1')).toBeUndefined();
    expect(parseSeedList('a')).toBeUndefined();
    expect(parseSeedList('-1')).toBeUndefined();
  });
});
