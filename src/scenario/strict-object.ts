/**
 * Strict zod objects whose unknown-key issues carry the known keys (`known:a,b,c`), so the loader
 * can say "did you mean". They live in src/core/fields.ts with the other shared field checks.
 */
export { KNOWN_PREFIX, obj } from '../core/fields.js';
