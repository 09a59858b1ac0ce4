/** The study report escapes everything that comes from the data. */
import { describe, expect, it } from 'vitest';
import type { JobResult } from '../../src/gpu/study.js';
import { renderFgdReport } from '../../src/report/fgd-report.js';

describe('renderFgdReport', () => {
  it('escapes names in the table and in the embedded data', () => {
    const evil = '<img src=x onerror=alert(1)></script>';
    const rows = [{ arrivedPct: 100, allocPct: 90, fragPct: 5, fragRatioPct: 50 }];
    const results: JobResult[] = [
      { workload: evil, policy: 'fgd', seed: 1, rows, arrived: 1, placed: 1 },
      { workload: evil, policy: 'random', seed: 1, rows: [{ ...rows[0], allocPct: 80 }], arrived: 1, placed: 1 },
    ];
    const html = renderFgdReport({ results, command: 'npx slipway "<b>"', d3Source: '/* d3 */', capacityGpus: 100 });
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;&lt;/script&gt;');
    expect(html).toContain('\\u003cimg');
    // unallocated 10% vs 20%: FGD reduces random's by (20 − 10) / 20 = 50%
    expect(html).toContain('<td class="n">50.0%</td>');
    expect(html).toContain('10.00 <small>(10 GPUs)</small>');
  });
});
