import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DurationError, formatDuration, parseDuration } from '../../src/core/duration.js';

describe('parseDuration', () => {
  it.each<[string | number, number]>([
    ['250ms', 250],
    ['30s', 30_000],
    ['1.5m', 90_000],
    ['1h30m', 5_400_000],
    ['1d', 86_400_000],
    ['2h', 7_200_000],
    ['1m30s500ms', 90_500],
    ['.5s', 500],
    ['1.s', 1000],
    ['0s', 0],
    ['0', 0],
    [0, 0],
    ['1.0005s', 1001],
    ['0.4ms', 0],
    ['0.5ms', 1],
    ['1.25ms', 1],
  ])('%j → %d ms', (v, want) => {
    expect(parseDuration(v)).toBe(want);
  });

  const UNIT_HELP = 'use ms, s, m, h or d';
  it.each<[string | number, string]>([
    ['', 'invalid duration "": empty'],
    [' 5s', 'invalid duration " 5s": contains whitespace'],
    ['1h 30m', 'invalid duration "1h 30m": contains whitespace'],
    ['-5s', 'invalid duration "-5s": must not be negative'],
    [-1, 'invalid duration "-1": must not be negative'],
    [5, 'invalid duration "5": needs a unit, e.g. 30s'],
    [1.5, 'invalid duration "1.5": needs a unit, e.g. 30s'],
    ['10', 'invalid duration "10": needs a unit, e.g. 30s'],
    ['5x', `invalid duration "5x": unknown unit "x"; ${UNIT_HELP}`],
    ['5us', `invalid duration "5us": unknown unit "us"; ${UNIT_HELP}`],
    ['1H', `invalid duration "1H": unknown unit "H"; ${UNIT_HELP}`],
    ['1h30', 'invalid duration "1h30": "30" needs a unit (ms, s, m, h or d)'],
    ['abc', 'invalid duration "abc": expected a number followed by a unit (ms, s, m, h or d), e.g. 30s or 1h30m'],
    ['+5s', 'invalid duration "+5s": expected a number followed by a unit (ms, s, m, h or d), e.g. 30s or 1h30m'],
    [Number.NaN, 'invalid duration "NaN": not a finite number'],
    ['99999999999999999999d', 'invalid duration "99999999999999999999d": too large'],
  ])('rejects %j', (v, message) => {
    let thrown: unknown;
    try {
      parseDuration(v);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(DurationError);
    expect((thrown as Error).message).toBe(message);
  });
});

describe('formatDuration', () => {
  it.each<[number, string]>([
    [0, '0s'],
    [250, '250ms'],
    [1000, '1s'],
    [1500, '1s500ms'],
    [90_000, '1m30s'],
    [3_723_000, '1h2m3s'],
    [600_000, '10m'],
    [86_400_000, '1d'],
    [90_061_001, '1d1h1m1s1ms'],
    [-1500, '-1s500ms'],
    [0.4, '0s'],
  ])('%d → %s', (ms, want) => {
    expect(formatDuration(ms)).toBe(want);
  });

  it('parses back to the same number of milliseconds', () => {
    fc.assert(fc.property(fc.nat({ max: Number.MAX_SAFE_INTEGER }), (ms) => parseDuration(formatDuration(ms)) === ms));
  });
});
