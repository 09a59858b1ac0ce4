/**
 * "Did you mean": the nearest known name to a mistyped one, for every message that rejects an
 * unknown name (scenario fields, CLI flags, profiles, policies).
 */
import { closest, distance as levenshtein } from 'fastest-levenshtein';

/**
 * The nearest candidate when it is close enough to be a likely typo (case-insensitive edit
 * distance ≤ max(2, ⌊len/3⌋) and < len), else undefined.
 */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  if (candidates.length === 0) return undefined;
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

/**
 * The one-line message for an unknown name: `WHERE: unknown WHAT "x"; did you mean "y"? (known: a, b)`.
 */
export function unknownName(where: string, what: string, name: string, known: readonly string[]): string {
  return `${where}: unknown ${what} ${JSON.stringify(name)}${didYouMean(name, known)} (known: ${known.join(', ')})`;
}
