/**
 * The HTML report: one self-contained file with d3 inlined. Tables are rendered here (every value
 * from the scenario or the trace is HTML-escaped); charts are drawn in the browser by
 * `assets/report-client.js` from a JSON block. A Content-Security-Policy allows only the two inline
 * scripts (by hash) and inline styles: nothing is fetched, and injected markup cannot run.
 */
import { podRequests } from '../core/pod-requests.js';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { MetricComparison } from './aggregate.js';
import { SIGNIFICANCE } from './aggregate.js';
import type { RunResult } from './run-result.js';
import { formatDuration } from '../core/duration.js';
import { formatResources } from '../core/resources.js';
import type { Fault, Scenario } from '../scenario/types.js';
import { escapeHtml as e } from './escape.js';
import { displayUnit, formatMetric, METRICS } from './metric-defs.js';
import { chartData } from './report-data.js';

export interface ReportInput {
  readonly title: string;
  readonly scenario: Scenario;
  readonly policies: readonly string[];
  readonly seeds: readonly number[];
  readonly runs: readonly RunResult[];
  readonly comparisons: readonly MetricComparison[];
  /** Commands that reproduce the numbers, with what each reproduces. */
  readonly commands: ReadonlyArray<{ readonly label: string; readonly command: string }>;
  /** Extra sections (already escaped HTML), e.g. a single run's workloads and expectations. */
  readonly extraHtml?: string;
}

let assets: { d3: string; client: string; css: string } | undefined;

/** d3 and the chart code, read once per process. */
function loadAssets(): { d3: string; client: string; css: string } {
  if (!assets) {
    const require = createRequire(import.meta.url);
    assets = {
      // d3's package exports hide dist/; its main entry sits next to the UMD bundle.
      d3: readFileSync(join(dirname(require.resolve('d3')), 'd3.min.js'), 'utf8'),
      client: readFileSync(new URL('./assets/report-client.js', import.meta.url), 'utf8'),
      css: readFileSync(new URL('./assets/report.css', import.meta.url), 'utf8'),
    };
  }
  return assets;
}

const sha256 = (s: string) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;

/** JSON safe inside a <script> element: `<` cannot close it. */
function scriptJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

export function renderReport(input: ReportInput): string {
  const { d3, client, css } = loadAssets();
  const data = chartData(input.runs, input.policies);
  const csp = `default-src 'none'; script-src ${sha256(d3)} ${sha256(client)}; style-src 'unsafe-inline'; img-src data:`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(input.title)}</title>
<style>${css}</style>
</head>
<body>
<h1>${e(input.title)}</h1>
<p class="sub">Scenario <b>${e(input.scenario.name)}</b> (<code>${e(input.scenario.source.file)}</code>),
${input.policies.length} polic${input.policies.length === 1 ? 'y' : 'ies'} × ${input.seeds.length} seed(s), ${e(formatDuration(input.scenario.durationMs))} simulated each.</p>
<nav>${['headline', 'timeseries', 'latency', 'heatmap', 'reasons', 'scenario', 'reproduce'].map((id) => `<a href="#${id}">${id}</a>`).join(' · ')}</nav>
<section id="headline"><h2>Headline</h2>${headline(input)}</section>
${input.extraHtml ?? ''}
<section id="timeseries"><h2>Over time</h2>
<p class="note">Means over seeds at each sample; dashed vertical lines mark faults (hover for details).</p>
<div class="legend" data-legend></div>
<figure id="chart-cpu" class="chart"></figure>
<figure id="chart-memory" class="chart"></figure>
<figure id="chart-pending" class="chart"></figure>
<figure id="chart-frag" class="chart"></figure>
${data.gpuAlloc ? '<figure id="chart-gpu-alloc" class="chart"></figure>\n<figure id="chart-gpu-frag" class="chart"></figure>\n' : ''}</section>
<section id="latency"><h2>Scheduling and start-up latency</h2>
<p class="note"><b>Scheduling latency</b>: instance created → bound to a node (<code>instance.scheduled</code>).
<b>Start-up latency</b>: instance created → first Running, which adds the image pull and the container start.
Quantiles averaged over seeds.</p>
<div class="legend" data-legend></div>
<figure id="chart-scheduling" class="chart"></figure>
<figure id="chart-latency" class="chart"></figure></section>
<section id="heatmap"><h2>Node utilization</h2>
<p class="note">Dominant-resource utilization (max of CPU and memory requested / allocatable) per node over time, first seed of each policy; grey where the node was not Ready. Beyond 100 nodes, rows average consecutive nodes by name.</p>
<div id="heatmaps"></div></section>
<section id="reasons"><h2>Unschedulable attempts by reason</h2>
<p class="note">Mean attempts per run in which at least one node gave the reason.</p>
<div class="legend" data-legend></div>
<figure id="chart-reasons" class="chart"></figure></section>
<section id="scenario"><h2>Scenario</h2>${scenarioSection(input.scenario)}</section>
<section id="reproduce"><h2>Reproduce</h2>
<table><tr><th>reproduces</th><th>command</th></tr>
${input.commands.map((c) => `<tr><td>${e(c.label)}</td><td><code>${e(c.command)}</code></td></tr>`).join('\n')}
</table></section>
<div id="tooltip" class="tooltip" hidden></div>
<script type="application/json" id="report-data">${scriptJson(data)}</script>
<script>${d3}</script>
<script>${client}</script>
</body>
</html>
`;
}

function headline(input: ReportInput): string {
  const many = input.seeds.length > 1;
  const cols = input.policies.map((p, i) => `<th class="policy p${i % 8}">${e(p)}</th>`).join('');
  const rows = input.comparisons.map((c) => {
    const def = METRICS.find((m) => m.key === c.key)!;
    const cells = c.summaries.map((s, i) => {
      if (!s) return '<td class="n">–</td>';
      const best = c.best === i;
      const ci = many
        ? `<span class="ci"${s.clamped ? ' title="lower end clamped at 0: the quantity cannot be negative"' : ''}>[${e(formatMetric(def.unit, s.ciLow))}${s.clamped ? '*' : ''}, ${e(formatMetric(def.unit, s.ciHigh))}]</span>`
        : '';
      const t = c.tests[i];
      let test = '';
      if (t && t.p !== null) {
        const real = t.p < SIGNIFICANCE;
        test = `<span class="p ${real ? 'real' : ''}" title="paired t-test against ${e(input.policies[0])}, n = ${t.n}">Δ ${e(signed(def.unit, t.meanDiff))}, p ${e(formatP(t.p))}${real ? ' ✔ real' : ''}</span>`;
      }
      return `<td class="n${best ? ' best' : ''}">${best ? '<span class="star" title="better value">★</span> ' : ''}${e(formatMetric(def.unit, s.mean))}${ci}${test}</td>`;
    });
    return `<tr><th title="${e(def.description)}">${e(def.label)} <span class="unit">(${e(displayUnit(def.unit))})</span><span class="dir">${def.better === 'lower' ? 'lower is better' : 'higher is better'}</span></th>${cells.join('')}</tr>`;
  });
  const legend = many
    ? `<p class="note">Mean over ${input.seeds.length} seeds with its 95% confidence interval (Student's t); every metric here cannot be negative, so an interval's lower end is clamped at 0 (marked 0*). Δ and p: paired t-test of each policy against <b>${e(input.policies[0])}</b> on the same seeds; "✔ real" when p &lt; ${SIGNIFICANCE}. ★ marks the one better mean (none on a tie). Each row has one unit, named after the metric.</p>`
    : `<p class="note">One run (seed ${input.seeds.join(', ')}); run more seeds with <code>slipway compare</code> for confidence intervals.</p>`;
  return `${legend}<table class="headline"><tr><th>metric</th>${cols}</tr>\n${rows.join('\n')}</table>`;
}

function scenarioSection(s: Scenario): string {
  const wl = s.workloads
    .map((w) => {
      const req = podRequests(w);
      // A job's `replicas` is its parallelism; its desired count (as in the outcome table) is its completions.
      const instances = w.kind === 'job' ? `${w.completions} completions, ${w.replicas} at a time` : `${w.replicas} replicas`;
      return `<tr><td>${e(w.name)}</td><td>${e(w.kind)}</td><td class="n">${e(instances)}</td><td>${e(formatDuration(w.at))}</td><td>${e(formatResources({ ...req, disk: 0, extended: {} }))}</td></tr>`;
    })
    .join('\n');
  const faults = s.faults.map((f) => `<li>${describeFault(f)}</li>`).join('');
  return `${s.description ? `<p>${e(s.description)}</p>` : ''}
<p>${s.nodes.length} nodes; scheduler in the file: <code>${e(s.scheduler.name)}</code>; seed in the file: ${s.seed}.</p>
<table><tr><th>workload</th><th>kind</th><th title="services: replicas kept running; jobs: completions wanted, and how many run at once (the job's replicas: field)">desired</th><th>submitted</th><th>requests per instance</th></tr>
${wl}</table>
<h3>Faults</h3>${faults ? `<ul>${faults}</ul>` : '<p>none</p>'}
${s.operations.length > 0 ? `<h3>Operations</h3><ul>${s.operations.map((o) => `<li>${e(formatDuration(o.at))}: ${e(o.kind)}${'workload' in o ? ` ${e(o.workload)}` : ''}</li>`).join('')}</ul>` : ''}`;
}

function signed(unit: Parameters<typeof formatMetric>[0], v: number): string {
  return (v > 0 ? '+' : v < 0 ? '−' : '±') + formatMetric(unit, Math.abs(v));
}

function formatP(p: number): string {
  return p < 0.001 ? '< 0.001' : `= ${p.toFixed(3)}`;
}

const DURATION_FIELDS = new Set(['duration', 'recoverAfter', 'offsetMs', 'delayMs']);

/** One fault of the scenario, for the report: when, which kind, its fields (all escaped). */
function describeFault(f: Fault): string {
  const { kind, at, rate, ...fields } = f as unknown as Record<string, unknown> & { kind: string; at: number; rate?: unknown };
  const when = rate !== undefined ? `at random times (${e(JSON.stringify(rate))})` : e(formatDuration(at));
  const detail = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${e(k)} ${typeof v === 'number' && DURATION_FIELDS.has(k) ? e(formatDuration(v)) : `<b>${e(typeof v === 'string' ? v : JSON.stringify(v))}</b>`}`)
    .join(', ');
  return `${when}: ${e(kind)}${detail ? ` — ${detail}` : ''}`;
}
