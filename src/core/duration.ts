/**
 * Strict durations for scenario files: one or more `<number><unit>` with units ms, s, m, h, d
 * (`250ms`, `30s`, `1.5m`, `1h30m`). Hand-written on purpose: the `ms` and `parse-duration`
 * packages are lenient (bare numbers, spaces, `2 hours`, negative values, unknown units ignored)
 * and accept things a scenario must reject. Arithmetic is exact (BigInt over a power of ten).
 */

/** A duration that the rules above reject. `message` names the value and the reason. */
export class DurationError extends Error {
  readonly value: string;
  readonly reason: string;
  constructor(value: string, reason: string) {
    super(`invalid duration ${JSON.stringify(value)}: ${reason}`);
    this.name = 'DurationError';
    this.value = value;
    this.reason = reason;
  }
}

const UNIT_MS: Readonly<Record<string, bigint>> = {
  ms: 1n,
  s: 1000n,
  m: 60_000n,
  h: 3_600_000n,
  d: 86_400_000n,
};

const UNITS = 'ms, s, m, h or d';
const MAX = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Milliseconds, rounded to the nearest integer (halves up). A bare `0` (number or string) is 0 ms;
 * any other unitless number is an error.
 */
export function parseDuration(v: string | number): number {
  if (typeof v === 'number') {
    const text = String(v);
    if (!Number.isFinite(v)) throw new DurationError(text, 'not a finite number');
    if (v < 0) throw new DurationError(text, 'must not be negative');
    if (v === 0) return 0;
    throw new DurationError(text, 'needs a unit, e.g. 30s');
  }
  if (typeof v !== 'string') throw new DurationError(String(v), `expected a string, got ${typeof v}`);

  const text = v;
  if (text === '') throw new DurationError(text, 'empty');
  if (/\s/.test(text)) throw new DurationError(text, 'contains whitespace');
  if (text.startsWith('-')) throw new DurationError(text, 'must not be negative');
  if (/^(\d+(\.\d*)?|\.\d+)$/.test(text)) {
    if (/^[0.]+$/.test(text)) return 0;
    throw new DurationError(text, 'needs a unit, e.g. 30s');
  }

  // Sum of mantissa * unit / 10^frac, kept over the common denominator 10^maxFrac.
  const parts: Array<{ mantissa: bigint; frac: number; unit: bigint }> = [];
  const token = /(\d+(?:\.(\d*))?|\.(\d+))([^\d.]*)/y;
  let pos = 0;
  while (pos < text.length) {
    token.lastIndex = pos;
    const m = token.exec(text);
    if (!m) throw new DurationError(text, `expected a number followed by a unit (${UNITS}), e.g. 30s or 1h30m`);
    const [whole, num, fracA, fracB, unit] = m;
    if (unit === '') throw new DurationError(text, `${JSON.stringify(num)} needs a unit (${UNITS})`);
    if (!(unit in UNIT_MS)) throw new DurationError(text, `unknown unit ${JSON.stringify(unit)}; use ${UNITS}`);
    const frac = fracA ?? fracB ?? '';
    const intPart = num.startsWith('.') ? '' : num.split('.')[0];
    parts.push({ mantissa: BigInt(intPart + frac || '0'), frac: frac.length, unit: UNIT_MS[unit] });
    pos += whole.length;
  }

  const maxFrac = Math.max(...parts.map((p) => p.frac));
  const den = 10n ** BigInt(maxFrac);
  let num = 0n;
  for (const p of parts) num += p.mantissa * p.unit * 10n ** BigInt(maxFrac - p.frac);
  const ms = (2n * num + den) / (2n * den);
  if (ms > MAX) throw new DurationError(text, 'too large');
  return Number(ms);
}

const FORMAT_UNITS: ReadonlyArray<[string, number]> = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
];

/** Compact rendering: `1h2m3s`, `1s500ms`, `250ms`, `0s`. Parses back with `parseDuration`. */
export function formatDuration(ms: number): string {
  let rest = Math.round(ms);
  if (rest === 0) return '0s';
  if (rest < 0) return `-${formatDuration(-rest)}`;
  let out = '';
  for (const [unit, size] of FORMAT_UNITS) {
    if (rest >= size) {
      const n = Math.floor(rest / size);
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}
