/**
 * Named, seeded random streams. Every stream is derived from the run's root seed and its name
 * (SHA-256 of `seed/name`), so adding a stream or drawing more from one never shifts another:
 * the scheduler's tie-breaks do not change when a latency distribution gains a draw.
 * The generator is pure-rand's xoroshiro128+.
 */
import { createHash } from 'node:crypto';
import { xoroshiro128plus, type RandomGenerator } from 'pure-rand';
import type { Distribution } from '../core/types.js';
import { assertNever } from '../core/assert-never.js';

export class RandomStream {
  private readonly gen: RandomGenerator;
  constructor(readonly name: string, seed32: number) {
    this.gen = xoroshiro128plus(seed32);
  }

  /** Uniform in [0, 1) with 53 random bits. */
  float(): number {
    const a = this.gen.unsafeNext() >>> 5; // 27 bits
    const b = this.gen.unsafeNext() >>> 6; // 26 bits
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** Uniform integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }

  /** Exponential with the given mean: -mean * ln(1 - U). */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.float());
  }

  /** Standard normal by Box–Muller (one of the pair; simple and deterministic). */
  normal(): number {
    const u1 = 1 - this.float();
    const u2 = this.float();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** Fisher–Yates shuffle in place. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.float() * (i + 1));
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.float() * items.length)];
  }

  /** `n` lower-case hex characters. */
  hex(n: number): string {
    let s = '';
    while (s.length < n) s += (this.gen.unsafeNext() >>> 0).toString(16).padStart(8, '0');
    return s.slice(0, n);
  }

  /**
   * A duration drawn from `d`, in whole milliseconds (never negative). Rounding to whole ms keeps
   * traces readable and identical across machines.
   *   uniform: min + U (max - min);  exponential: -mean ln(1-U);  normal: mean + stddev Z, clamped at 0;
   *   lognormal: median * exp(sigma Z).
   */
  duration(d: Distribution): number {
    let v: number;
    switch (d.kind) {
      case 'constant':
        return d.ms;
      case 'uniform':
        v = d.minMs + this.float() * (d.maxMs - d.minMs);
        break;
      case 'exponential':
        v = this.exponential(d.meanMs);
        break;
      case 'normal':
        v = d.meanMs + d.stddevMs * this.normal();
        break;
      case 'lognormal':
        v = d.medianMs * Math.exp(d.sigma * this.normal());
        break;
      default:
        return assertNever(d, 'distribution');
    }
    return Math.max(0, Math.round(v));
  }
}

/** 32-bit seed for stream `name` under root seed `seed`. */
export function deriveSeed(seed: number | string, name: string): number {
  const h = createHash('sha256').update(`${seed}/${name}`).digest();
  return h.readInt32LE(0);
}

export class RandomStreams {
  private readonly streams = new Map<string, RandomStream>();
  constructor(readonly seed: number) {}

  /** The stream called `name`; created on first use. */
  stream(name: string): RandomStream {
    let s = this.streams.get(name);
    if (!s) {
      s = new RandomStream(name, deriveSeed(this.seed, name));
      this.streams.set(name, s);
    }
    return s;
  }
}
