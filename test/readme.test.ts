/** The README's complete scenario example is a real scenario: it loads, runs and its expectations hold. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../src/scenario/loader.js';
import { simulate } from '../src/run/simulate.js';

describe('README', () => {
  it('the complete scenario example runs and passes', async () => {
    const readme = readFileSync('README.md', 'utf8');
    const at = readme.indexOf('### A complete example');
    expect(at).toBeGreaterThan(0);
    const start = readme.indexOf('```yaml\n', at) + '```yaml\n'.length;
    const yaml = readme.slice(start, readme.indexOf('```', start));
    const summary = await simulate(parseScenario(yaml, 'README.md#example'));
    expect(summary.expectations.filter((e) => !e.ok)).toEqual([]);
    expect(summary.expectations).toHaveLength(5);
  });
});
