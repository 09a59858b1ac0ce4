/**
 * The dashboard in a real browser (Debian's Chromium via playwright-core) against a real daemon
 * (sim backend): it renders the nodes and workloads, reflects an apply made through the API within
 * 2 s (the watch stream), drills into why a workload is pending, keeps hostile strings as text,
 * runs under its strict CSP without a violation, and fetches nothing but the daemon.
 * Screenshot: test-artifacts/dashboard.png (SLIPWAY_UPDATE_DOCS=1 also refreshes docs/dashboard-screenshot.png).
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSkipReason, launchChromium, type LaunchedBrowser } from '../support/browser.js';
import { startTestDaemon, type TestDaemon } from '../serve/support.js';

const skip = browserSkipReason();
if (skip) console.warn(skip);

const ARTIFACTS = 'test-artifacts';
const EVIL_LABEL = '<img src=x onerror="window.__pwned=1">';
const EVIL_IMAGE = '"><script>window.__pwned=2</script>';

let d: TestDaemon;
let chrome: LaunchedBrowser;
let page: Page;
const problems: string[] = [];
const foreign: string[] = [];

describe.skipIf(skip !== undefined)('dashboard in Chromium', () => {
  beforeAll(async () => {
    d = await startTestDaemon();
    chrome = await launchChromium();
    page = await chrome.context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('request', (r) => {
      if (!r.url().startsWith(d.url) && !r.url().startsWith('data:')) foreign.push(r.url());
    });
    await page.goto(`${d.url}/#token=${d.token}`);
  }, 120_000);

  afterAll(async () => {
    await chrome?.close();
    await d?.stop();
  });

  it('serves the page with a strict CSP and the token out of the address bar', async () => {
    const res = await fetch(`${d.url}/`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'(;|$)/);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(await res.text()).not.toContain(d.token);
    expect(page.url()).toBe(`${d.url}/`);
  });

  it('renders every node with its capacity bars', async () => {
    const nodes = (await d.call('GET', '/v1/nodes')).body.items as Array<{ name: string }>;
    await page.waitForSelector(`#nodes tr[data-node="${nodes[0].name}"]`);
    expect(await page.locator('#nodes tr').count()).toBe(nodes.length);
    expect(await page.locator('#nodes tr').first().locator('.bar').count()).toBe(2);
    await page.waitForSelector('#conn.live');
  });

  it('reflects an apply within 2 s, and hostile strings stay text', async () => {
    const r = await d.call('POST', '/v1/workloads', {
      spec: { name: 'dash-web', replicas: 2, labels: { note: EVIL_LABEL }, containers: [{ name: 'web', image: EVIL_IMAGE, requests: { cpu: '100m', memory: '64Mi' } }] },
    });
    expect(r.status).toBeLessThan(300);
    const row = page.locator('#workloads tr[data-workload="dash-web"]');
    await row.waitFor({ timeout: 2_000 });
    await expect.poll(() => row.locator('td[data-col="running"]').textContent(), { timeout: 15_000 }).toBe('2');
    expect(await row.textContent()).toContain(EVIL_LABEL);
    expect(await row.textContent()).toContain(EVIL_IMAGE);
    expect(await page.locator('#workloads img, #workloads script').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    // A hostile workload name never gets in: the API refuses it.
    const bad = await d.call('POST', '/v1/workloads', { spec: { name: '<b>x</b>', containers: [{ name: 'a', image: 'a' }] } });
    expect(bad.status).toBe(400);
  }, 60_000);

  it('drills into why a workload is pending', async () => {
    await d.call('POST', '/v1/workloads', { spec: { name: 'dash-huge', replicas: 1, containers: [{ name: 'big', image: 'busybox', requests: { cpu: '900', memory: '64Mi' } }] } });
    const why = page.locator('#workloads tr[data-workload="dash-huge"] button[data-why="dash-huge"]');
    await why.waitFor({ timeout: 15_000 });
    await why.click();
    await page.waitForSelector('#why.open table');
    const text = await page.locator('#why').textContent();
    expect(text).toMatch(/Insufficient cpu/);
    expect(text).toMatch(/0 of \d+ nodes feasible/);
    mkdirSync(ARTIFACTS, { recursive: true });
    const shot = join(ARTIFACTS, 'dashboard.png');
    await page.screenshot({ path: shot, fullPage: true });
    if (process.env.SLIPWAY_UPDATE_DOCS) copyFileSync(shot, 'docs/dashboard-screenshot.png');
  }, 60_000);

  it('logged no error, no CSP violation, and fetched nothing but the daemon', () => {
    expect(problems).toEqual([]);
    expect(foreign).toEqual([]);
  });
});
