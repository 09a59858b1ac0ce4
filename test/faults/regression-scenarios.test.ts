/** Every scenario in scenarios/ (but the large benchmark one) passes: expectations hold, no invariant is violated. */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readScenario } from '../../src/cli/read-scenario.js';
import { simulate } from '../../src/run/simulate.js';

const files = readdirSync('scenarios').filter((f) => f.endsWith('.yaml') && !f.startsWith('large-')).sort();

describe('scenarios/', () => {
  for (const f of files) {
    it(`${f} passes`, async () => {
      const summary = await simulate(readScenario(`scenarios/${f}`));
      expect(summary.violation, summary.violation?.message).toBeUndefined();
      expect(summary.expectations.filter((e) => !e.ok).map((e) => `${e.name}: ${e.detail}`)).toEqual([]);
    });
  }
});
