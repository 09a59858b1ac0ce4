/**
 * Checked input fields: the leaf checks every input format shares (scenario files, fault kinds,
 * snapshots), as zod schemas whose messages are complete sentences without the field path (the
 * loader prefixes the path and turns issues into `FILE:LINE:COL: message` lines).
 *
 * A `Check<T>` validates and normalizes one value (durations to ms, memory to bytes); `req`, `opt`
 * and `def` turn it into a required, optional or defaulted zod field. Objects are strict: an unknown
 * key is an issue whose message carries the known keys as `known:a,b,c` (see `knownKeysOf`).
 *
 * It sits in core so that every layer that defines input (src/scenario, src/faults) can share it.
 */
import { z } from 'zod';
import { closest, distance as levenshtein } from 'fastest-levenshtein';
import { DurationError, parseDuration } from './duration.js';
import { QuantityError, parseBytes } from './quantity.js';
import type { Distribution } from './types.js';

export const KNOWN_PREFIX = 'known:';

/** A strict mapping: unknown keys are issues (see `knownKeysOf`). */
export function obj<S extends z.core.$ZodLooseShape>(shape: S) {
  const known = KNOWN_PREFIX + Object.keys(shape).join(',');
  return z.strictObject(shape, {
    error: (iss) =>
      iss.code === 'unrecognized_keys' ? known : iss.code === 'invalid_type' ? 'expected a mapping' : undefined,
  });
}


/** The nearest candidate when it is close enough to be a likely typo (distance ≤ max(2, len/3), < len). */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  if (candidates.length === 0) return undefined;
  // Compared case-insensitively: `Default` is a typo of `default`.
  const lower = candidates.map((c) => c.toLowerCase());
  const best = candidates[lower.indexOf(closest(word.toLowerCase(), lower))];
  const d = levenshtein(word.toLowerCase(), best.toLowerCase());
  // Also require something in common: `db` is two edits from `web`, but not a typo of it.
  return d <= Math.max(2, Math.floor(word.length / 3)) && d < word.length ? best : undefined;
}

/** `; did you mean "x"?` or the empty string. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const s = suggest(word, candidates);
  return s === undefined ? '' : `; did you mean ${JSON.stringify(s)}?`;
}

/** How a YAML value reads in a message: `"three"`, `1.5`, `true`, `an empty value`, `a list`. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'an empty value';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return 'a list';
  if (v instanceof Date) return `the date ${v.toISOString()}`;
  if (typeof v === 'object') return 'a mapping';
  return typeof v;
}

export { formatPath, type PathSegment } from './path.js';
import type { PathSegment } from './path.js';


/** The known keys encoded in an `unrecognized_keys` issue message by `obj`. */
export function knownKeysOf(message: string): string[] | undefined {
  return message.startsWith(KNOWN_PREFIX) ? message.slice(KNOWN_PREFIX.length).split(',') : undefined;
}

export function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

// ---------------------------------------------------------------------------------------------
// Leaf checks
// ---------------------------------------------------------------------------------------------

/** Where an issue points: the key of the field (unknown keys, duplicates) or its value (default). */
export type IssueTarget = 'key' | 'value';

/** Extra data carried on custom issues (`params`), read by the loader. */
export interface IssueParams {
  readonly at?: IssueTarget;
  /** The message is about the containing mapping (its path prefixes the message), but points here. */
  readonly labelParent?: boolean;
  /** A required key is absent: the loader says `missing required key` at the parent. */
  readonly missing?: boolean;
}

export const BAD: unique symbol = Symbol('bad');
export type Bad = typeof BAD;

export interface CheckContext {
  /** Records an issue (optionally below the checked value) and returns the failure marker. */
  fail(message: string, opts?: { path?: PathSegment[]; params?: IssueParams }): Bad;
  /** Forwards issues of a nested zod parse (their paths are relative to the checked value). */
  forward(issues: readonly z.core.$ZodIssue[]): Bad;
}

export type Check<T> = (v: unknown, c: CheckContext) => T | Bad;

export function run<T>(check: Check<T>, v: unknown, ctx: z.core.$RefinementCtx<unknown>): T | Bad {
  let failed = false;
  const c: CheckContext = {
    fail(message, opts) {
      failed = true;
      ctx.issues.push({ code: 'custom', message, input: v, path: opts?.path ?? [], params: opts?.params ?? {} });
      return BAD;
    },
    forward(issues) {
      failed = true;
      for (const iss of issues) ctx.issues.push({ ...iss } as z.core.$ZodRawIssue);
      return BAD;
    },
  };
  const out = check(v, c);
  return failed ? BAD : out;
}

export function missing(ctx: z.core.$RefinementCtx<unknown>): never {
  ctx.issues.push({ code: 'custom', message: 'missing', input: undefined, path: [], params: { missing: true } });
  return z.NEVER;
}

/** A required field. */
export function req<T>(check: Check<T>): z.ZodType<T> {
  return z.unknown().transform((v, ctx) => {
    if (v === undefined) return missing(ctx);
    const out = run(check, v, ctx);
    return out === BAD ? z.NEVER : out;
  }) as unknown as z.ZodType<T>;
}

/** An optional field (undefined when absent). */
export function opt<T>(check: Check<T>): z.ZodType<T | undefined> {
  return z
    .unknown()
    .transform((v, ctx) => {
      const out = run(check, v, ctx);
      return out === BAD ? z.NEVER : out;
    })
    .optional() as unknown as z.ZodType<T | undefined>;
}

/** A field with a default (a fresh copy each time). */
export function def<T>(check: Check<T>, fallback: T): z.ZodType<T> {
  return z
    .unknown()
    .transform((v, ctx) => {
      const out = run(check, v, ctx);
      return out === BAD ? z.NEVER : out;
    })
    .default(() => structuredClone(fallback) as never) as unknown as z.ZodType<T>;
}

export function list<T extends z.ZodType>(item: T, nonEmpty = false) {
  const a = z.array(item, { error: 'expected a list' });
  return nonEmpty ? a.min(1, { error: 'needs at least one entry' }) : a;
}

/**
 * Items that carry exactly one of `kinds` (operations, faults, expectations, distributions). With
 * none, the issue is on the item; with several, on the second kind's key.
 */
export function exactlyOne<T extends object>(kinds: readonly string[], noun: string) {
  return (o: T, ctx: z.core.$RefinementCtx<T>): T => {
    // An unknown key (still in `issues`) says more than "needs one ...": it may be a misspelt kind.
    if (ctx.issues.length > 0) return o;
    const given = kinds.filter((k) => (o as Record<string, unknown>)[k] !== undefined);
    if (given.length === 0) {
      ctx.issues.push({ code: 'custom', input: o, path: [], message: `needs one ${noun}: ${kinds.join(', ')}` });
    } else if (given.length > 1) {
      ctx.issues.push({
        code: 'custom',
        input: o,
        path: [given[1]],
        params: { at: 'key', labelParent: true },
        message: `has both ${JSON.stringify(given[0])} and ${JSON.stringify(given[1])}; give one ${noun} per item`,
      });
    }
    return o;
  };
}

export const str: Check<string> = (v, c) => (typeof v === 'string' ? v : c.fail(`expected a string, got ${describeValue(v)}`));

export const nonEmptyStr: Check<string> = (v, c) => {
  if (typeof v !== 'string') return c.fail(`expected a string, got ${describeValue(v)}`);
  return v === '' ? c.fail('must not be empty') : v;
};

/** DNS-1123 label: what Kubernetes accepts as a container or Deployment name. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function dnsLabel(what: string): Check<string> {
  return (v, c) => {
    if (typeof v !== 'string') return c.fail(`expected a string, got ${describeValue(v)}`);
    if (v.length > 63 || !DNS_LABEL.test(v)) {
      return c.fail(
        `invalid ${what} name ${JSON.stringify(v)}: use at most 63 lower-case letters, digits and '-', ` +
          'starting and ending with a letter or digit',
      );
    }
    return v;
  };
}

export function int(min: number | undefined, max?: number): Check<number> {
  const what =
    max !== undefined
      ? `an integer from ${min} to ${max}`
      : min === 0
        ? 'a non-negative integer'
        : min === 1
          ? 'a positive integer'
          : 'an integer';
  return (v, c) => {
    const ok =
      typeof v === 'number' &&
      Number.isSafeInteger(v) &&
      (min === undefined || v >= min) &&
      (max === undefined || v <= max);
    return ok ? (v as number) : c.fail(`expected ${what}, got ${describeValue(v)}`);
  };
}

export const bool: Check<boolean> = (v, c) => (typeof v === 'boolean' ? v : c.fail(`expected true or false, got ${describeValue(v)}`));

export const nonNegNumber: Check<number> = (v, c) =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0
    ? v
    : c.fail(`expected a non-negative number, got ${describeValue(v)}`);

export function oneOf<T extends string>(values: readonly T[]): Check<T> {
  const listed = values.map((x) => JSON.stringify(x)).join(', ');
  return (v, c) => {
    if (typeof v === 'string' && (values as readonly string[]).includes(v)) return v as T;
    const hint = typeof v === 'string' ? didYouMean(v, values) : '';
    return c.fail(`expected one of ${listed}, got ${describeValue(v)}${hint}`);
  };
}

export function duration(positive = false): Check<number> {
  return (v, c) => {
    if (typeof v !== 'string' && typeof v !== 'number') {
      return c.fail(`expected a duration such as 30s or 1h30m, got ${describeValue(v)}`);
    }
    let ms: number;
    try {
      ms = parseDuration(v);
    } catch (e) {
      if (e instanceof DurationError) return c.fail(e.message);
      throw e;
    }
    if (positive && ms <= 0) return c.fail(`must be greater than 0, got ${describeValue(v)}`);
    return ms;
  };
}

export function quoteHint(x: unknown, key?: string): string {
  if (typeof x !== 'number' && typeof x !== 'boolean') return '';
  const q = JSON.stringify(String(x));
  return key === undefined ? `; quote it: ${q}` : `; quote it: ${key}: ${q}`;
}

/** A string→string mapping; YAML numbers and booleans must be quoted. */
export const stringMap: Check<Record<string, string>> = (v, c) => {
  if (!isMapping(v)) return c.fail(`expected a mapping of strings, got ${describeValue(v)}`);
  const out: Record<string, string> = {};
  let ok = true;
  for (const [k, x] of Object.entries(v)) {
    if (typeof x === 'string') out[k] = x;
    else {
      ok = false;
      c.fail(`expected a string, got ${describeValue(x)}${quoteHint(x, k)}`, { path: [k] });
    }
  }
  return ok ? out : BAD;
};

export function listOf<T>(item: Check<T>, nonEmpty = false): Check<T[]> {
  return (v, c) => {
    if (!Array.isArray(v)) return c.fail(`expected a list, got ${describeValue(v)}`);
    if (nonEmpty && v.length === 0) return c.fail('needs at least one entry');
    const out: T[] = [];
    let ok = true;
    v.forEach((x, i) => {
      const r = item(x, { ...c, fail: (m, o) => c.fail(m, { ...o, path: [i, ...(o?.path ?? [])] }) });
      if (r === BAD) ok = false;
      else out.push(r);
    });
    return ok ? out : BAD;
  };
}

export const listString: Check<string> = (v, c) =>
  typeof v === 'string' ? v : c.fail(`expected a string, got ${describeValue(v)}${quoteHint(v)}`);

/** A memory quantity such as 256Mi, in bytes. */
export const bytes: Check<number> = (v, c) => {
  if (typeof v !== 'string' && typeof v !== 'number') return c.fail(`expected a quantity such as 256Mi, got ${describeValue(v)}`);
  try {
    return parseBytes(v);
  } catch (e) {
    if (!(e instanceof QuantityError)) throw e;
    return c.fail(e.message);
  }
};

// ---------------------------------------------------------------------------------------------
// Distributions
// ---------------------------------------------------------------------------------------------

export const uniformPair: Check<[number, number]> = (v, c) => {
  if (!Array.isArray(v) || v.length !== 2) {
    return c.fail(`expected [min, max], two durations, got ${describeValue(v)}`);
  }
  const bounds = listOf(duration())(v, c);
  if (bounds === BAD) return BAD;
  const [a, b] = bounds;
  if (a > b) return c.fail(`min ${describeValue(v[0])} is greater than max ${describeValue(v[1])}`);
  return [a, b];
};

export const DISTRIBUTION_KINDS = ['uniform', 'exponential', 'normal', 'lognormal'] as const;

export const distributionObject = obj({
  uniform: opt(uniformPair),
  exponential: opt(duration()),
  normal: obj({ mean: req(duration()), stddev: req(duration()) }).optional(),
  lognormal: obj({ median: req(duration()), sigma: req(nonNegNumber) }).optional(),
}).transform(exactlyOne(DISTRIBUTION_KINDS, 'distribution kind'));

/** A duration (constant) or `{uniform: [a, b]}`, `{exponential: mean}`, `{normal: {...}}`, `{lognormal: {...}}`. */
export const distribution: Check<Distribution> = (v, c) => {
  if (!isMapping(v)) {
    const ms = duration()(v, c);
    return ms === BAD ? BAD : { kind: 'constant', ms };
  }
  const r = distributionObject.safeParse(v);
  if (!r.success) return c.forward(r.error.issues);
  const d = r.data;
  if (d.uniform) return { kind: 'uniform', minMs: d.uniform[0], maxMs: d.uniform[1] };
  if (d.exponential !== undefined) return { kind: 'exponential', meanMs: d.exponential };
  if (d.normal) return { kind: 'normal', meanMs: d.normal.mean, stddevMs: d.normal.stddev };
  if (d.lognormal) return { kind: 'lognormal', medianMs: d.lognormal.median, sigma: d.lognormal.sigma };
  return c.fail('expected a duration or one of uniform, exponential, normal, lognormal');
};

/** A probability from 0 to 1. */
export const probability: Check<number> = (v, c) =>
  typeof v === 'number' && v >= 0 && v <= 1 ? v : c.fail(`expected a probability from 0 to 1, got ${describeValue(v)}`);

export const positiveNumber: Check<number> = (v, c) =>
  typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : c.fail(`expected a number greater than 0, got ${describeValue(v)}`);

/** A required, non-empty workload name. */
export const workloadRef = req(nonEmptyStr);
