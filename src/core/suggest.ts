/**
 * "Did you mean" for every message that rejects an unknown name (CLI flags, profiles, policies,
 * plugins); scenario fields use the same `didYouMean` (src/core/fields.ts).
 */
import { didYouMean } from './fields.js';

export { didYouMean, suggest } from './fields.js';

/**
 * The one-line message for an unknown name: `WHERE: unknown WHAT "x"; did you mean "y"? (known: a, b)`.
 */
export function unknownName(where: string, what: string, name: string, known: readonly string[]): string {
  return `${where}: unknown ${what} ${JSON.stringify(name)}${didYouMean(name, known)} (known: ${known.join(', ')})`;
}
