import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { conformancePage } from './conformance-page.js';

describe('docs/conformance.md', () => {
  it('is what npm run conformance-table generates from the ported tables', () => {
    const committed = readFileSync(join(import.meta.dirname, '../../../docs/conformance.md'), 'utf8');
    expect(committed).toBe(conformancePage());
  });
});
