/**
 * Kubernetes resource quantities (k8s.io/apimachinery `resource.Quantity`), parsed exactly.
 *
 *   <quantity> ::= <sign>? <number> <suffix>
 *   <number>   ::= <digits> | <digits> "." <digits>? | "." <digits>
 *   <suffix>   ::= "" | n u m k M G T P E | Ki Mi Gi Ti Pi Ei | ("e" | "E") <sign>? <digits>
 *
 * `1E` alone is exa; `1E3` is 1000. Arithmetic is rational on BigInt, never floating point, and
 * results round up the way `Quantity.MilliValue()` / `Value()` do. Negative values are rejected:
 * resources cannot be negative.
 */

/** A quantity the grammar or the rules above reject. `message` names the value and the reason. */
export class QuantityError extends Error {
  readonly value: string;
  readonly reason: string;
  constructor(value: string, reason: string) {
    super(`invalid quantity ${JSON.stringify(value)}: ${reason}`);
    this.name = 'QuantityError';
    this.value = value;
    this.reason = reason;
  }
}

/** An exact non-negative rational `num / den` (den > 0). */
interface Rational {
  readonly num: bigint;
  readonly den: bigint;
}

const BINARY_SUFFIXES: Readonly<Record<string, bigint>> = {
  Ki: 2n ** 10n,
  Mi: 2n ** 20n,
  Gi: 2n ** 30n,
  Ti: 2n ** 40n,
  Pi: 2n ** 50n,
  Ei: 2n ** 60n,
};

/** Decimal SI suffixes as powers of ten. */
const DECIMAL_SUFFIXES: Readonly<Record<string, number>> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};

const SUFFIX_LIST = 'n, u, m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei or an exponent such as e3';
const MAX = BigInt(Number.MAX_SAFE_INTEGER);
/** Beyond these decimal exponents the result is certainly too large / certainly below one unit. */
const EXP_CEILING = 40;

function parseRational(input: string | number): { text: string; value: Rational } {
  let text: string;
  if (typeof input === 'number') {
    // YAML hands over `2` or `1.5` as numbers; their shortest round-trip form is what was written.
    text = String(input);
    if (!Number.isFinite(input)) throw new QuantityError(text, 'not a finite number');
  } else if (typeof input === 'string') {
    text = input;
  } else {
    throw new QuantityError(String(input), `expected a string or a number, got ${typeof input}`);
  }

  if (text === '') throw new QuantityError(text, 'empty');
  if (/\s/.test(text)) throw new QuantityError(text, 'contains whitespace');

  // This pattern matches every string; the groups say what we found.
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(.*)$/s.exec(text) as RegExpExecArray;
  const sign = m[1];
  const intDigits = m[2];
  const fracDigits = m[3] ?? '';
  const suffix = m[4];
  if (intDigits === '' && fracDigits === '') {
    throw new QuantityError(text, 'expected a number, optionally followed by a suffix (e.g. 500m, 1.5, 2Gi, 1e3)');
  }
  if (suffix.startsWith('.')) throw new QuantityError(text, 'more than one decimal point');

  // Mantissa as an integer over a power of ten.
  let num = BigInt(intDigits + fracDigits || '0');
  let den = 10n ** BigInt(fracDigits.length);

  let exp10 = 0;
  if (suffix in BINARY_SUFFIXES) {
    num *= BINARY_SUFFIXES[suffix];
  } else if (suffix in DECIMAL_SUFFIXES) {
    exp10 = DECIMAL_SUFFIXES[suffix];
  } else {
    const e = /^[eE]([+-]?\d+)$/.exec(suffix);
    if (!e) throw new QuantityError(text, `unknown suffix ${JSON.stringify(suffix)}; use ${SUFFIX_LIST}`);
    exp10 = Number(e[1]);
  }

  if (num === 0n) return { text, value: { num: 0n, den: 1n } };
  if (sign === '-') throw new QuantityError(text, 'must not be negative');

  // Guard against `1e999999999`: don't build astronomically large powers of ten.
  const magnitude = exp10 - fracDigits.length + (intDigits + fracDigits).replace(/^0+/, '').length;
  if (magnitude > EXP_CEILING) throw new QuantityError(text, 'too large');
  if (magnitude < -EXP_CEILING) return { text, value: { num: 1n, den: 10n ** BigInt(EXP_CEILING + 10) } };

  if (exp10 >= 0) num *= 10n ** BigInt(exp10);
  else den *= 10n ** BigInt(-exp10);
  return { text, value: { num, den } };
}

function ceilScaled(r: Rational, scale: bigint): bigint {
  const n = r.num * scale;
  return (n + r.den - 1n) / r.den;
}

function toSafe(text: string, v: bigint, unit: string): number {
  if (v > MAX) throw new QuantityError(text, `too large (more than ${Number.MAX_SAFE_INTEGER}${unit})`);
  return Number(v);
}

/** CPU in millicores, rounded up like `Quantity.MilliValue()`: `500m`→500, `2`→2000, `0.0001`→1. */
export function parseCpu(q: string | number): number {
  const { text, value } = parseRational(q);
  return toSafe(text, ceilScaled(value, 1000n), ' millicores');
}

/** Memory or disk in bytes, rounded up: `256Mi`→268435456, `1e3`→1000. */
export function parseBytes(q: string | number): number {
  const { text, value } = parseRational(q);
  return toSafe(text, ceilScaled(value, 1n), ' bytes');
}

/** A whole count (extended resources, pods): `2`, `1k`; a fractional value such as `1.5` is an error. */
export function parseCount(q: string | number): number {
  const { text, value } = parseRational(q);
  if (value.num % value.den !== 0n) throw new QuantityError(text, 'must be a whole number');
  return toSafe(text, value.num / value.den, '');
}

/** Millicores for display: `500m`, `2`, `1500m`. */
export function formatCpu(milli: number): string {
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}
