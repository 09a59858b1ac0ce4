/**
 * Every ported kube-scheduler plugin test case (see harness.ts): one vitest case per row, named
 * `UpstreamTest / case name`. Rows marked notExpressible are listed (skipped) with their reason.
 */
import { describe, expect, it } from 'vitest';
import { ALL_CASES } from './all-cases.js';
import { checkCase } from './harness.js';

describe.each(Object.entries(ALL_CASES))('upstream %s', (_plugin, cases) => {
  for (const c of cases) {
    const title = `${c.upstream} / ${c.name}`;
    if (c.notExpressible !== undefined) {
      it.skip(`${title} — not expressible: ${c.notExpressible}`, () => {});
      continue;
    }
    it(title, () => {
      expect(checkCase(c)).toBeUndefined();
    });
  }
});

describe('the tables', () => {
  it('name every row once per upstream test and case, and say why a row is not expressible', () => {
    const seen = new Set<string>();
    for (const cases of Object.values(ALL_CASES)) {
      for (const c of cases) {
        const key = `${c.upstream}/${c.name}`;
        expect(seen.has(key), key).toBe(false);
        seen.add(key);
        expect(c.upstream).toMatch(/^Test[A-Z]/);
        if (c.notExpressible !== undefined) expect(c.notExpressible.length).toBeGreaterThan(10);
      }
    }
  });
});
