import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { QuantityError, formatCpu, parseBytes, parseCount, parseCpu } from '../../src/core/quantity.js';

describe('parseCpu (millicores, rounded up like Quantity.MilliValue)', () => {
  it.each<[string | number, number]>([
    ['500m', 500],
    ['2', 2000],
    [2, 2000],
    [1.5, 1500],
    ['1.5', 1500],
    ['0.0001', 1],
    ['1e3', 1_000_000],
    ['1E-2', 10],
    ['10k', 10_000_000],
    ['100n', 1],
    ['1u', 1],
    ['0', 0],
    ['-0', 0],
    ['+1', 1000],
    ['.5', 500],
    ['1.', 1000],
    ['1.5e3', 1_500_000],
    ['1e+2', 100_000],
    [1e-7, 1],
    ['1e-99999', 1],
    ['1Ki', 1_024_000],
  ])('%j → %d', (q, want) => {
    expect(parseCpu(q)).toBe(want);
  });
});

describe('parseBytes (bytes, rounded up)', () => {
  it.each<[string | number, number]>([
    ['256Mi', 268_435_456],
    ['2Gi', 2_147_483_648],
    ['1.5Gi', 1_610_612_736],
    ['1e3', 1000],
    [1e3, 1000],
    ['10k', 10_000],
    ['1Ki', 1024],
    ['1Ti', 2 ** 40],
    ['1.5', 2],
    ['0.001E', 1e15],
    ['500m', 1],
    ['7Pi', 7 * 2 ** 50],
  ])('%j → %d', (q, want) => {
    expect(parseBytes(q)).toBe(want);
  });
});

describe('parseCount (whole units)', () => {
  it.each<[string | number, number]>([
    ['2', 2],
    [2, 2],
    ['1k', 1000],
    ['2000m', 2],
    ['0', 0],
  ])('%j → %d', (q, want) => {
    expect(parseCount(q)).toBe(want);
  });

  it.each<[string | number, string]>([
    ['1.5', 'invalid quantity "1.5": must be a whole number'],
    [1.5, 'invalid quantity "1.5": must be a whole number'],
    ['1500m', 'invalid quantity "1500m": must be a whole number'],
  ])('rejects %j', (q, message) => {
    expect(() => parseCount(q)).toThrow(new QuantityError(String(q), message.split(': ').slice(1).join(': ')));
    expect(() => parseCount(q)).toThrow(message);
  });
});

const SUFFIX_HELP = 'use n, u, m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei or an exponent such as e3';
const NO_NUMBER = 'expected a number, optionally followed by a suffix (e.g. 500m, 1.5, 2Gi, 1e3)';

describe('rejections', () => {
  it.each<[string | number, string]>([
    ['', 'invalid quantity "": empty'],
    [' 1', 'invalid quantity " 1": contains whitespace'],
    ['1 Gi', 'invalid quantity "1 Gi": contains whitespace'],
    ['1mi', `invalid quantity "1mi": unknown suffix "mi"; ${SUFFIX_HELP}`],
    ['1e', `invalid quantity "1e": unknown suffix "e"; ${SUFFIX_HELP}`],
    ['1e1.5', `invalid quantity "1e1.5": unknown suffix "e1.5"; ${SUFFIX_HELP}`],
    ['0x10', `invalid quantity "0x10": unknown suffix "x10"; ${SUFFIX_HELP}`],
    ['Mi', `invalid quantity "Mi": ${NO_NUMBER}`],
    ['abc', `invalid quantity "abc": ${NO_NUMBER}`],
    ['.', `invalid quantity ".": ${NO_NUMBER}`],
    ['-', `invalid quantity "-": ${NO_NUMBER}`],
    ['1.5.2', 'invalid quantity "1.5.2": more than one decimal point'],
    ['-1', 'invalid quantity "-1": must not be negative'],
    ['-500m', 'invalid quantity "-500m": must not be negative'],
    [-2, 'invalid quantity "-2": must not be negative'],
    [Number.NaN, 'invalid quantity "NaN": not a finite number'],
    [Number.POSITIVE_INFINITY, 'invalid quantity "Infinity": not a finite number'],
    ['9007199254741', 'invalid quantity "9007199254741": too large (more than 9007199254740991 millicores)'],
    ['1E', 'invalid quantity "1E": too large (more than 9007199254740991 millicores)'],
    ['1e999999999', 'invalid quantity "1e999999999": too large'],
  ])('parseCpu(%j) throws %s', (q, message) => {
    let thrown: unknown;
    try {
      parseCpu(q);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(QuantityError);
    expect((thrown as Error).message).toBe(message);
  });

  it('rejects byte values beyond Number.MAX_SAFE_INTEGER', () => {
    expect(() => parseBytes('8Ei')).toThrow('invalid quantity "8Ei": too large (more than 9007199254740991 bytes)');
    expect(parseBytes('7Pi')).toBe(7 * 2 ** 50);
  });
});

describe('exactness', () => {
  it('n millicores written as "<n>m" parse to n', () => {
    fc.assert(fc.property(fc.nat({ max: 1e12 }), (n) => parseCpu(`${n}m`) === n));
  });

  it('a decimal with three places is exact in millicores (no float error)', () => {
    fc.assert(
      fc.property(fc.nat({ max: 1e9 }), fc.integer({ min: 0, max: 999 }), (whole, frac) => {
        const text = `${whole}.${String(frac).padStart(3, '0')}`;
        return parseCpu(text) === whole * 1000 + frac;
      }),
    );
  });

  it('binary suffixes multiply exactly', () => {
    fc.assert(fc.property(fc.nat({ max: 1e6 }), (n) => parseBytes(`${n}Mi`) === n * 2 ** 20));
  });

  it('formatCpu round-trips', () => {
    fc.assert(fc.property(fc.nat({ max: 1e12 }), (m) => parseCpu(formatCpu(m)) === m));
    expect(formatCpu(500)).toBe('500m');
    expect(formatCpu(2000)).toBe('2');
    expect(formatCpu(1500)).toBe('1500m');
  });
});
