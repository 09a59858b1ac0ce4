/**
 * The reports in a real browser (Debian's Chromium via playwright-core), opened from file:// with
 * the context offline: the charts render (SVG with data marks), nothing is requested from the
 * network, nothing logs an error, and hostile names from a scenario show as text and run nothing.
 * Screenshots go to test-artifacts/ (SLIPWAY_UPDATE_DOCS=1 also refreshes docs/report-screenshot.png).
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aggregate } from '../../src/report/aggregate.js';
import { runOne, type RunResult } from '../../src/compare/run-one.js';
import { readScenario } from '../../src/cli/read-scenario.js';
import type { NodeView, ScheduleDecision, ScheduleRequest, Scheduler } from '../../src/core/interfaces.js';
import { addInto, firstShortfall, tally } from '../../src/core/resources.js';
import { renderRunReport } from '../../src/report/html.js';
import { renderReport } from '../../src/report/report-html.js';
import { parseScenario } from '../../src/run/parse-scenario.js';
import { browserSkipReason, launchChromium, type LaunchedBrowser } from '../support/browser.js';
import { container, node, scenario, service } from '../support/scenario-builder.js';

const skip = browserSkipReason();
if (skip) console.warn(skip);

const ARTIFACTS = 'test-artifacts';
const dir = mkdtempSync(join(tmpdir(), 'slipway-browser-'));
let chrome: LaunchedBrowser;

/** Test-only policy: the first Ready node (by name) with room. */
class FirstFit implements Scheduler {
  readonly name = 'first-fit-test';
  schedule(request: ScheduleRequest, nodes: readonly NodeView[]): ScheduleDecision[] {
    const extra = nodes.map(() => tally());
    return Array.from({ length: request.count }, (): ScheduleDecision => {
      for (let i = 0; i < nodes.length; i++) {
        const used = tally();
        addInto(used, nodes[i].allocated);
        addInto(used, extra[i]);
        if (nodes[i].node.status === 'Ready' && firstShortfall(request.request, used, nodes[i].node.allocatable) === undefined) {
          addInto(extra[i], request.request);
          return { kind: 'assign', nodeId: nodes[i].node.id, nodeName: nodes[i].node.name };
        }
      }
      return { kind: 'unschedulable', message: 'no room', reasons: { 'Insufficient cpu': nodes.length } };
    });
  }
}

const EVIL = '<img src=x onerror=alert(1)>';

async function buildRunReport(file: string): Promise<void> {
  const s = readScenario('scenarios/default.yaml');
  const run = await runOne(s, { policy: 'round-robin', seed: s.seed });
  writeFileSync(file, renderRunReport({ scenario: s, run, command: 'npx slipway run scenarios/default.yaml --seed 42' }));
}

async function buildCompareReport(file: string): Promise<void> {
  const s = scenario({
    name: 'spread-vs-pack',
    nodes: [node('n1'), node('n2'), node('n3'), node('n4'), node('n5'), node('n6')],
    workloads: [
      service('web', 12, { containers: [container('app', 500, 512)] }),
      service('batch', 6, { containers: [container('app', 3000, 1024)], at: 60_000 }),
    ],
    faults: [{ kind: 'nodeCrash', at: 180_000, node: 'n2', recoverAfter: 120_000 }],
    durationMs: 8 * 60_000,
  });
  const seeds = [1, 2, 3, 4];
  const runs: RunResult[] = [];
  for (const seed of seeds) runs.push(await runOne(s, { policy: 'round-robin', seed }));
  for (const seed of seeds) runs.push({ ...(await runOne(s, { policy: 'first-fit-test', seed }, { scheduler: new FirstFit() })), policy: 'first-fit-test' });
  const policies = ['round-robin', 'first-fit-test'];
  writeFileSync(
    file,
    renderReport({
      title: 'Slipway compare: spread-vs-pack',
      scenario: s,
      policies,
      seeds,
      runs,
      comparisons: aggregate(runs, policies, seeds),
      commands: [{ label: 'every number', command: 'npx slipway compare spread-vs-pack.yaml --policies round-robin,first-fit-test --seeds 1..4' }],
    }),
  );
}

async function buildXssReport(file: string): Promise<void> {
  const evil = EVIL;
  const s = scenario({
    name: '<script>alert(2)</script>',
    description: '"><svg onload=alert(3)>',
    nodes: [node('n1'), node('n2')],
    workloads: [service(evil, 2)],
    faults: [{ kind: 'containerCrash', at: 60_000, workload: evil, slot: 0, exitCode: 1 }],
    durationMs: 3 * 60_000,
  });
  const run = await runOne(s, { policy: 'round-robin', seed: 1 });
  writeFileSync(file, renderRunReport({ scenario: s, run, command: `npx slipway run '${evil}.yaml' --seed 1` }));
}

/** GPU policies on GPU nodes, with hostile node, workload and model names: the GPU charts and rows. */
async function buildGpuReport(file: string): Promise<void> {
  const evil = EVIL;
  const gpus = (model: string, count: number) => ({ gpus: { model, count } });
  const s = scenario({
    name: `gpu ${evil}`,
    nodes: [{ ...node(`g1${evil}`, 32_000, 64), ...gpus(evil, 2) }, { ...node('g2', 32_000, 64), ...gpus('T4', 2) }],
    workloads: [
      service(`share${evil}`, 3, { containers: [container('app', 1000, 512)], gpus: { count: 1, milli: 500, models: [] } }),
      service('whole', 2, { containers: [container('app', 1000, 512)], gpus: { count: 1, milli: 1000, models: [] }, at: 60_000 }),
    ],
    durationMs: 3 * 60_000,
  });
  const policies = ['gpu-fgd', 'gpu-packing'];
  const runs: RunResult[] = [];
  for (const policy of policies) runs.push(await runOne(s, { policy, seed: 1 }));
  writeFileSync(file, renderReport({ title: `Slipway compare: ${s.name}`, scenario: s, policies, seeds: [1], runs, comparisons: aggregate(runs, policies, [1]), commands: [] }));
}

/** Three nodes, a service and a job; one policy under two names, so every metric ties. */
async function buildTieReport(file: string): Promise<void> {
  const s = parseScenario(
    `name: three-nodes
duration: 6m
nodes:
  - name: n{i}
    count: 3
    capacity: {cpu: 4, memory: 8Gi}
workloads:
  - name: web
    replicas: 3
    containers: [{name: web, image: nginx, requests: {cpu: 1, memory: 1Gi}}]
  - name: report
    kind: job
    completions: 4
    replicas: 2
    containers: [{name: r, image: busybox, requests: {cpu: 1, memory: 1Gi}, sim: {runFor: 1m}}]
`,
    'three-nodes.yaml',
  );
  const seeds = [1, 2, 3];
  const runs: RunResult[] = [];
  for (const policy of ['round-robin', 'round-robin-again'])
    for (const seed of seeds) runs.push({ ...(await runOne(s, { policy: 'round-robin', seed })), policy });
  const policies = ['round-robin', 'round-robin-again'];
  writeFileSync(file, renderReport({ title: 'Slipway compare: three-nodes', scenario: s, policies, seeds, runs, comparisons: aggregate(runs, policies, seeds), commands: [] }));
}

interface Opened {
  readonly page: Page;
  readonly problems: string[];
  readonly dialogs: string[];
}

async function open(file: string): Promise<Opened> {
  const page = await chrome.context.newPage();
  const problems: string[] = [];
  const dialogs: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => {
    if (!r.url().startsWith('file:')) problems.push(`request: ${r.url()}`);
  });
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  return { page, problems, dialogs };
}

describe.skipIf(skip !== undefined)('HTML reports in Chromium', () => {
  // Simulations run before Chromium starts: the determinism guard forbids timers during a run,
  // and playwright's pipe uses them.
  const files = { run: join(dir, 'run.html'), compare: join(dir, 'compare.html'), xss: join(dir, 'xss.html'), gpu: join(dir, 'gpu.html'), tie: join(dir, 'tie.html') };
  beforeAll(async () => {
    await buildTieReport(files.tie);
    await buildRunReport(files.run);
    await buildGpuReport(files.gpu);
    await buildCompareReport(files.compare);
    await buildXssReport(files.xss);
    chrome = await launchChromium();
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  afterAll(async () => {
    await chrome?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('renders the single-run report of the default scenario', async () => {
    const { page, problems } = await open(files.run);
    for (const id of ['chart-cpu', 'chart-memory', 'chart-pending', 'chart-frag']) {
      expect(await page.locator(`#${id} svg g.lines path`).count(), id).toBe(1);
      const d = await page.locator(`#${id} svg g.lines path`).getAttribute('d');
      expect(d!.split(/[LM]/).length, `${id} has a line with many points`).toBeGreaterThan(100);
      expect(await page.locator(`#${id} svg g.axis.x .tick`).count()).toBeGreaterThan(3);
    }
    // The node crash is drawn on the time series.
    expect(await page.locator('#chart-cpu .fault title').allTextContents()).toContain('fault.node_crash zone-a-1 at 3.00 min');
    expect(await page.locator('#chart-latency svg path[stroke]').count()).toBeGreaterThan(0);
    // 6 nodes × ≤120 columns of cells.
    expect(await page.locator('#heatmaps svg rect[fill]').count()).toBeGreaterThan(6 * 100);
    expect(await page.locator('table.headline tr').count()).toBe(22);
    // Tooltips: hovering a chart shows the values at that time.
    await page.locator('#chart-cpu svg rect[fill="transparent"]').hover();
    await expect.poll(() => page.locator('#tooltip').textContent()).toMatch(/round-robin: \d+\.\d%/);
    await page.screenshot({ path: join(ARTIFACTS, 'report-run.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('renders a comparison of two policies over seeds', async () => {
    const { page, problems } = await open(files.compare);
    expect(await page.locator('#chart-pending svg g.lines path').count()).toBe(2);
    expect(await page.locator('#heatmaps figure').count()).toBe(2);
    expect(await page.locator('#chart-latency svg circle').count()).toBe(6);
    expect(await page.locator('.legend').first().textContent()).toBe('round-robinfirst-fit-test');
    expect(await page.locator('td.best').count()).toBeGreaterThan(0);
    expect(await page.locator('table.headline').textContent()).toMatch(/p (=|<) 0\.\d{3}/);
    await page.screenshot({ path: join(ARTIFACTS, 'report-compare.png'), fullPage: true });
    await page.locator('#timeseries').screenshot({ path: join(ARTIFACTS, 'report-compare-timeseries.png') });
    if (process.env.SLIPWAY_UPDATE_DOCS) copyFileSync(join(ARTIFACTS, 'report-compare-timeseries.png'), 'docs/report-screenshot.png');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('draws the GPU charts and rows of a GPU comparison, hostile names as text', async () => {
    const { page, problems, dialogs } = await open(files.gpu);
    for (const id of ['chart-gpu-alloc', 'chart-gpu-frag']) {
      expect(await page.locator(`#${id} svg g.lines path`).count(), id).toBe(2);
      expect(await page.locator(`#${id} figcaption, #${id} svg`).count(), id).toBeGreaterThan(0);
    }
    const headline = await page.locator('table.headline').textContent();
    for (const label of ['GPU allocated (mean)', 'GPU allocated (end)', 'GPU fragmented (mean)', 'GPU fragmented (end)']) expect(headline).toContain(label);
    await page.locator('#chart-gpu-alloc svg rect[fill="transparent"]').hover();
    await expect.poll(() => page.locator('#tooltip').textContent()).toMatch(/gpu-fgd: \d+\.\d%/);
    expect(await page.locator('#scenario table').textContent()).toContain(`share${EVIL}`);
    expect(await page.locator('#heatmaps').textContent()).toContain(`g1${EVIL}`);
    expect(await page.locator('img').count()).toBe(0);
    expect(dialogs).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS, 'report-gpu.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('says what it measures: two latencies, one unit per row, no ★ on a tie, integer counts, a readable legend with 3 nodes, job wording (#18.3)', async () => {
    const { page, problems } = await open(files.tie);
    const headline = (await page.locator('table.headline').textContent())!;
    for (const label of ['scheduling latency p50 (s)', 'start-up latency p50 (s)', 'pending instances (max) (instances)']) expect(headline).toContain(label);
    expect(headline).not.toMatch(/\d ms/);
    // the same runs under two names: every metric ties, so none is marked better
    expect(await page.locator('td.best, .star').count()).toBe(0);
    expect(headline).not.toContain('★');
    // intervals never below 0
    expect(headline).not.toMatch(/\[−|\[-/);
    expect(await page.locator('#chart-scheduling svg path[stroke-width="2"]').count()).toBe(2);
    expect(await page.locator('#chart-latency svg path[stroke-width="2"]').count()).toBe(2);
    expect(await page.locator('#chart-scheduling figcaption').textContent()).toContain('scheduling latency (created → bound)');
    expect(await page.locator('#chart-latency figcaption').textContent()).toContain('start-up latency (created → Running)');
    // instance counts: whole-number ticks only
    const pendingTicks = await page.locator('#chart-pending g.axis.y .tick text').allTextContents();
    expect(pendingTicks.length).toBeGreaterThan(1);
    for (const t of pendingTicks) expect(t).toMatch(/^\d+$/);
    // the heatmap colour bar: ≥ 3 labelled ticks, each at least 20 units apart
    const ys = await page.locator('#heatmaps figure').first().locator('.legend-axis .tick').evaluateAll((ts) => ts.map((t) => Number(/translate\(0,([\d.]+)\)/.exec(t.getAttribute('transform') ?? '')?.[1])));
    expect(ys.length).toBeGreaterThanOrEqual(3);
    const gaps = ys.slice(1).map((y, i) => Math.abs(y - ys[i]));
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(20);
    // the scenario section says what a job's numbers are, as the outcome table counts them
    const scen = (await page.locator('#scenario table').textContent())!;
    expect(scen).toContain('4 completions, 2 at a time');
    expect(scen).toContain('3 replicas');
    await page.screenshot({ path: join(ARTIFACTS, 'report-tie.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('has no GPU charts for a CPU-only run', async () => {
    const { page } = await open(files.run);
    expect(await page.locator('#chart-gpu-alloc, #chart-gpu-frag').count()).toBe(0);
    expect(await page.locator('table.headline').textContent()).not.toContain('GPU');
    await page.close();
  });

  it('shows hostile names as text and runs nothing', async () => {
    const evil = EVIL;
    const { page, problems, dialogs } = await open(files.xss);
    await page.waitForTimeout(300);
    expect(dialogs).toEqual([]);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('body script:not([type])').count()).toBe(2); // d3 and the chart code only
    expect(await page.locator('#scenario table').textContent()).toContain(evil);
    expect(await page.locator('#outcome').textContent()).toContain(evil);
    expect(await page.title()).toBe('Slipway run: <script>alert(2)</script>');
    // The crash's target (workload#slot) is drawn as SVG text on the timeline.
    expect(await page.locator('#chart-cpu .fault text').first().textContent()).toBe(`container_crash ${evil}#0`);
    await page.screenshot({ path: join(ARTIFACTS, 'report-xss.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });
});
