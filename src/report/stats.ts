/**
 * Statistics across seeds: mean, 95% confidence interval and a paired test of a difference.
 * Student's t distribution comes from jStat; the formulas are in the comments.
 */
import jStat from 'jstat';

export interface Summary {
  readonly n: number;
  readonly mean: number;
  /** Sample standard deviation (n − 1 in the denominator); 0 when n < 2. */
  readonly sd: number;
  /** 95% confidence interval of the mean; equal to the mean when n < 2. */
  readonly ciLow: number;
  readonly ciHigh: number;
  /** The lower end was below 0 and is clamped there (a quantity that cannot be negative). */
  readonly clamped?: true;
}

/**
 * mean x̄ = Σx / n; s = √(Σ(x − x̄)² / (n − 1)); 95% CI = x̄ ± t(0.975, n − 1) · s / √n.
 */
export function summarize(xs: readonly number[]): Summary | null {
  const n = xs.length;
  if (n === 0) return null;
  const mean = xs.reduce((a, x) => a + x, 0) / n;
  if (n < 2) return { n, mean, sd: 0, ciLow: mean, ciHigh: mean };
  const sd = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1));
  const half = jStat.studentt.inv(0.975, n - 1) * (sd / Math.sqrt(n));
  return { n, mean, sd, ciLow: mean - half, ciHigh: mean + half };
}

export interface PairedTest {
  /** Pairs used (both values present). */
  readonly n: number;
  /** Mean of the differences b − a. */
  readonly meanDiff: number;
  /** 95% CI of the mean difference. */
  readonly ciLow: number;
  readonly ciHigh: number;
  /** The t statistic; ±Infinity when every difference is the same non-zero value. */
  readonly t: number;
  /** Two-sided p-value; 1 when every difference is zero; null with fewer than 2 pairs. */
  readonly p: number | null;
}

/**
 * Paired t-test of b against a (the same seeds): d_i = b_i − a_i, d̄ = Σd / n,
 * s_d = √(Σ(d − d̄)² / (n − 1)), t = d̄ / (s_d / √n), p = 2 · (1 − F_t(|t|; n − 1)).
 * Pairs where either value is null are dropped.
 */
export function pairedTTest(a: ReadonlyArray<number | null>, b: ReadonlyArray<number | null>): PairedTest | null {
  const d: number[] = [];
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x !== null && y !== null) d.push(y - x);
  }
  const n = d.length;
  if (n === 0) return null;
  const s = summarize(d)!;
  if (n < 2) return { n, meanDiff: s.mean, ciLow: s.mean, ciHigh: s.mean, t: NaN, p: null };
  if (s.sd === 0) {
    const t = s.mean === 0 ? 0 : Math.sign(s.mean) * Infinity;
    return { n, meanDiff: s.mean, ciLow: s.mean, ciHigh: s.mean, t, p: s.mean === 0 ? 1 : 0 };
  }
  const t = s.mean / (s.sd / Math.sqrt(n));
  const p = Math.min(1, 2 * (1 - jStat.studentt.cdf(Math.abs(t), n - 1)));
  return { n, meanDiff: s.mean, ciLow: s.ciLow, ciHigh: s.ciHigh, t, p };
}

/** Parses `1..20`, `1,2,5` or `3`; every seed a non-negative safe integer. Returns undefined on bad input. */
export function parseSeedList(spec: string): number[] | undefined {
  const out: number[] = [];
  for (const part of spec.split(',')) {
    const m = /^\s*(\d+)\s*(?:\.\.\s*(\d+)\s*)?$/.exec(part);
    if (!m) return undefined;
    const lo = Number(m[1]);
    const hi = m[2] !== undefined ? Number(m[2]) : lo;
    if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi) || hi < lo || hi - lo > 100_000) return undefined;
    for (let s = lo; s <= hi; s++) out.push(s);
  }
  return [...new Set(out)];
}
