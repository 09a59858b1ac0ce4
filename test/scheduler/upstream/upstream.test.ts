/**
 * Every ported kube-scheduler plugin test case (see harness.ts): one vitest case per row, named
 * `UpstreamTest / case name`. Rows marked notExpressible are listed (skipped) with their reason.
 */
import { describe, expect, it } from 'vitest';
import { ALL_CASES } from './all-cases.js';
import { argsErrorOf, preScoreSkips, runFilter, runScore, wantFilter } from './harness.js';

describe.each(Object.entries(ALL_CASES))('upstream %s', (_plugin, cases) => {
  for (const c of cases) {
    const title = `${c.upstream} / ${c.name}`;
    if (c.notExpressible !== undefined) {
      it.skip(`${title} — not expressible: ${c.notExpressible}`, () => {});
      continue;
    }
    it(title, () => {
      if (c.filter) {
        const got = runFilter(c);
        const want: Record<string, { code: string; reason?: string }> = {};
        const seen: Record<string, { code: string; reason?: string }> = {};
        for (const [n, w] of Object.entries(c.filter)) {
          want[n] = wantFilter(w);
          const g = got[n];
          seen[n] = want[n].reason === undefined ? { code: g.code } : { code: g.code, reason: g.reasons.includes(want[n].reason!) ? want[n].reason : g.reasons.join('; ') };
        }
        expect(seen).toEqual(want);
      }
      if (c.score) expect(runScore(c)).toEqual(c.score);
      if (c.argsError !== undefined) expect(argsErrorOf(c)).toContain(c.argsError);
      if (c.preScoreSkip !== undefined) expect(preScoreSkips(c)).toBe(c.preScoreSkip);
      if (c.unit) expect(c.unit()).toEqual(c.want);
      expect(c.filter !== undefined || c.score !== undefined || c.argsError !== undefined || c.preScoreSkip !== undefined || c.unit !== undefined).toBe(true);
    });
  }
});
