import type { IdSource } from '../core/interfaces.js';
import type { RandomStream } from './random.js';

/** Readable unique ids (`web-3f9a1`) drawn from a seeded stream; a collision draws again. */
export class SeededIds implements IdSource {
  private readonly used = new Set<string>();
  constructor(private readonly stream: RandomStream, private readonly width = 5) {}

  next(prefix: string): string {
    for (;;) {
      const id = `${prefix}-${this.stream.hex(this.width)}`;
      if (!this.used.has(id)) {
        this.used.add(id);
        return id;
      }
    }
  }
}

/** Odd multipliers: multiplying by an odd number is a bijection modulo a power of two. */
const M1 = 0x9e3779b97f4a7c15n;
const M2 = 0xbf58476d1ce4e5b9n;

/**
 * Unique ids in constant memory, for processes that run for weeks (`slipway serve`): SeededIds
 * remembers every id it handed out (at 5,000 container replacements a second, a megabyte every
 * few seconds, for ever). The k-th id is `prefix-` and a bijection of k + offset over the
 * `width` hex digits (multiply by an odd constant, fold the high half into the low half by xor,
 * again: each step is one-to-one modulo 16^width), so the first 16^width ids never repeat, look as
 * scattered as drawn ones and need no memory; `offset` comes from the stream (a seeded or a
 * random one). After 16^width ids the sequence starts over (8 digits at 5,000 ids a second: ten
 * days; ids that old are long gone).
 */
export class PermutedIds implements IdSource {
  private readonly bits: bigint;
  private readonly mask: bigint;
  private readonly half: bigint;
  private k: bigint;

  constructor(stream: RandomStream, private readonly width = 8) {
    if (!Number.isInteger(width) || width < 2 || width > 16) throw new RangeError(`PermutedIds: width ${width} is not 2..16 hex digits`);
    this.bits = BigInt(4 * width);
    this.mask = (1n << this.bits) - 1n;
    this.half = this.bits >> 1n;
    this.k = BigInt(`0x${stream.hex(width)}`);
  }

  next(prefix: string): string {
    let x = this.k;
    this.k = (this.k + 1n) & this.mask;
    x = (x * M1) & this.mask;
    x ^= x >> this.half;
    x = (x * M2) & this.mask;
    x ^= x >> this.half;
    return `${prefix}-${x.toString(16).padStart(this.width, '0')}`;
  }
}
