/**
 * The FGD study report renders in a real browser (system Chromium through playwright-core): one
 * chart per workload with a line and a band per policy, the bars, and no script errors.
 * Without Chromium (`apt-get install -y chromium`) it is skipped locally and fails under
 * SLIPWAY_LIVE=1 (CI, where .ci/run installs it).
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { d3Source } from '../../src/cli/experiment.js';
import type { JobResult } from '../../src/gpu/study.js';
import { renderFgdReport } from '../../src/report/fgd-report.js';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => existsSync(p));

function results(): JobResult[] {
  const out: JobResult[] = [];
  for (const workload of ['default', 'gpushare40']) {
    for (const [k, policy] of (['random', 'best-fit', 'fgd'] as const).entries()) {
      for (const seed of [1, 2]) {
        const rows = Array.from({ length: 131 }, (_, x) => {
          const alloc = Math.min(x, 86 + 4 * k + seed);
          return { arrivedPct: x, allocPct: alloc, fragPct: 1, fragRatioPct: 10 };
        });
        out.push({ workload, policy, seed, rows, arrived: 100, placed: 90 });
      }
    }
  }
  return out;
}

const REQUIRED = process.env.SLIPWAY_LIVE === '1';

describe.skipIf(!CHROMIUM && !REQUIRED)(`FGD report in Chromium (${CHROMIUM ?? 'no chromium installed'})`, () => {
  it('draws the curves, bands and bars without script errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-fgd-report-'));
    const file = join(dir, 'report.html');
    writeFileSync(file, renderFgdReport({ results: results(), command: 'npx slipway experiment fgd', d3Source: d3Source(), capacityGpus: 6212 }));
    if (!CHROMIUM) throw new Error('SLIPWAY_LIVE=1 but no Chromium at /usr/bin/chromium: install it (apt-get install -y chromium)');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      await page.goto(pathToFileURL(file).href);
      expect(errors).toEqual([]);
      expect(await page.locator('#curves svg').count()).toBe(2); // one chart per workload
      expect(await page.locator('#frag svg').count()).toBe(2); // fragmentation ratio, per workload
      // per chart: 3 policies × (band + line)
      expect(await page.locator('#curves svg').first().locator('path[stroke-width="1.5"]').count()).toBe(3);
      expect(await page.locator('#bars rect').count()).toBe(6); // 2 workloads × 3 policies
      expect(await page.locator('#legend span').allTextContents()).toEqual(['random', 'best-fit', 'fgd']);
      const fgdBar = await page.locator('#bars rect title').allTextContents();
      // fgd at 100%: alloc = min(100, 86 + 8 + seed) = 95, 96 → unallocated 5, 4 → mean 4.5
      expect(fgdBar).toContain('fgd: 4.50% [4.00, 5.00]');
    } finally {
      await browser.close();
    }
  });
});
