/**
 * Strict zod objects whose unknown-key issues carry the known keys (`known:a,b,c`), so the loader
 * can say "did you mean". Shared by the scenario schema and the placement schema.
 */
import { z } from 'zod';

export const KNOWN_PREFIX = 'known:';

/** A strict mapping: unknown keys are issues (see `knownKeysOf` in schema.ts). */
export function obj<S extends z.core.$ZodLooseShape>(shape: S) {
  const known = KNOWN_PREFIX + Object.keys(shape).join(',');
  return z.strictObject(shape, {
    error: (iss) =>
      iss.code === 'unrecognized_keys' ? known : iss.code === 'invalid_type' ? 'expected a mapping' : undefined,
  });
}
