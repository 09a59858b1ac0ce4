/**
 * The membership experiment's report: one self-contained HTML file (d3 inlined, no network), with
 * the two studies as static tables (readable without scripts) and as charts:
 * - SWIM: measured protocol periods to first detection per group size, against the analysis's
 *   expectation, and message load per member;
 * - Lifeguard: false positives (log scale), detection latency and message load per detector.
 *
 * Everything from the data is escaped; the data travels as JSON in a non-executable script element
 * and is drawn with textContent; a Content-Security-Policy allows exactly the two inline scripts.
 */
import { createHash } from 'node:crypto';
import { summarizeLifeguard, summarizeSwim, SLOW_ANOMALY, LIFEGUARD_MEMBERS, type StudyRow } from '../membership/study.js';
import { escapeHtml as e } from './html.js';

export interface MembershipReportInput {
  readonly rows: readonly StudyRow[];
  readonly command: string;
  readonly d3Source: string;
  /** Simulated time of each run, per study. */
  readonly durationMs: Readonly<Record<'swim' | 'lifeguard', number>>;
}

const sha256 = (s: string) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;

/** JSON safe inside <script>: no `<` can close the element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

const CLIENT = `
const DATA = JSON.parse(document.getElementById('data').textContent);
function bars(sel, rows, key, label, opts) {
  const W = 520, H = 240, m = { l: 60, r: 10, t: 10, b: 40 };
  const svg = d3.select(sel).append('svg').attr('class', 'chart').attr('width', W).attr('height', H);
  const x = d3.scaleBand().domain(rows.map((r) => r.label)).range([m.l, W - m.r]).padding(0.25);
  const max = d3.max(rows, (r) => r[key]) || 1;
  const y = opts && opts.log ? d3.scaleSymlog().domain([0, max]).range([H - m.b, m.t]) : d3.scaleLinear().domain([0, max * 1.1]).nice().range([H - m.b, m.t]);
  svg.append('g').attr('transform', 'translate(0,' + (H - m.b) + ')').call(d3.axisBottom(x));
  svg.append('g').attr('transform', 'translate(' + m.l + ',0)').call(d3.axisLeft(y).ticks(5));
  svg.append('g').selectAll('rect').data(rows).join('rect')
    .attr('x', (r) => x(r.label)).attr('width', x.bandwidth())
    .attr('y', (r) => y(r[key])).attr('height', (r) => y(0) - y(r[key])).attr('fill', '#4e79a7');
  svg.append('g').selectAll('text.v').data(rows).join('text').attr('class', 'v')
    .attr('x', (r) => x(r.label) + x.bandwidth() / 2).attr('y', (r) => y(r[key]) - 3).attr('text-anchor', 'middle')
    .text((r) => opts && opts.fmt ? opts.fmt(r[key]) : r[key]);
  if (opts && opts.expected !== undefined) {
    svg.append('line').attr('x1', m.l).attr('x2', W - m.r).attr('y1', y(opts.expected)).attr('y2', y(opts.expected))
      .attr('stroke', '#e15759').attr('stroke-dasharray', '4 3');
    svg.append('text').attr('x', W - m.r).attr('y', y(opts.expected) - 4).attr('text-anchor', 'end').attr('fill', '#e15759').text('expected ' + opts.expected.toFixed(3));
  }
  svg.append('text').attr('x', m.l).attr('y', H - 6).text(label);
}
if (DATA.swim.length) {
  bars('#swim-periods', DATA.swim.map((s) => ({ label: 'N=' + s.members, v: s.meanPeriods })), 'v', 'periods to first detection', { expected: DATA.expected, fmt: (v) => v.toFixed(3) });
  bars('#swim-load', DATA.swim.map((s) => ({ label: 'N=' + s.members, v: s.messagesPerMemberPerS })), 'v', 'messages per member per second', { fmt: (v) => v.toFixed(2) });
}
if (DATA.lifeguard.length) {
  bars('#lg-fp', DATA.lifeguard.map((s) => ({ label: s.detector, v: s.falsePositives })), 'v', 'false positives (healthy members declared dead), log scale', { log: true });
  bars('#lg-det', DATA.lifeguard.map((s) => ({ label: s.detector, v: s.detectionMeanMs / 1000 })), 'v', 'detection of a crash, mean (s)', { fmt: (v) => v.toFixed(1) });
  bars('#lg-load', DATA.lifeguard.map((s) => ({ label: s.detector, v: s.messagesPerMemberPerS })), 'v', 'messages per member per second', { fmt: (v) => v.toFixed(2) });
}
`;

export function renderMembershipReport(input: MembershipReportInput): string {
  const swim = summarizeSwim(input.rows);
  const lifeguard = summarizeLifeguard(input.rows);
  const seeds = [...new Set(input.rows.map((r) => r.seed))].sort((a, b) => a - b);
  const data = { swim, lifeguard, expected: swim[0]?.expectedPeriods ?? 1 / (1 - Math.exp(-1)) };
  const d3 = input.d3Source.replace(/<\/script/gi, '<\\/script');
  const csp = `default-src 'none'; script-src ${sha256(d3)} ${sha256(CLIENT)}; style-src 'unsafe-inline'`;
  const base = lifeguard.find((s) => s.detector === 'swim');
  const f = (x: number, d: number) => (Number.isFinite(x) ? x.toFixed(d) : '–');
  const swimRows = swim
    .map(
      (s) =>
        `<tr><td class="n">${s.members}</td><td class="n">${s.firstDetections}</td><td class="n">${f(s.meanPeriods, 3)}</td><td class="n">${f(s.expectedPeriods, 3)}</td><td class="n">${f(((s.meanPeriods - s.expectedPeriods) / s.expectedPeriods) * 100, 1)}%</td><td class="n">${f(s.roundRobinPeriods, 3)}</td><td class="n">${f(s.messagesPerMemberPerS, 2)}</td><td class="n">${f(s.detectionMeanMs / 1000, 1)} s</td></tr>`,
    )
    .join('\n');
  const lgRows = lifeguard
    .map((s) => {
      const ratio = base && s.falsePositives > 0 ? `${(base.falsePositives / s.falsePositives).toFixed(1)}×` : base && base.falsePositives > 0 ? '∞' : '–';
      return `<tr><td>${e(s.detector)}</td><td class="n">${s.falsePositives}</td><td class="n">${ratio}</td><td class="n">${s.falsePositivesSlow}</td><td class="n">${f(s.detectionMeanMs / 1000, 2)} s</td><td class="n">${f(s.detectionP99Ms / 1000, 2)} s</td><td class="n">${f(s.messagesPerMemberPerS, 2)}</td></tr>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<title>Slipway — membership experiment (SWIM and Lifeguard)</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem; color: #1b1b1b; max-width: 80rem; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; margin-top: 2rem; }
table { border-collapse: collapse; margin: .5rem 0; } th, td { padding: .25rem .6rem; border-bottom: 1px solid #ddd; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
code { background: #f3f3f3; padding: .1rem .3rem; }
.grid { display: flex; flex-wrap: wrap; gap: 1rem; } .chart { border: 1px solid #eee; } .chart text { font-size: 11px; }
</style>
</head>
<body>
<h1>Membership experiment: SWIM's analysis and Lifeguard's false positives</h1>
<p>Seeds: ${e(seeds.join(', '))}; ${input.rows.length} runs, each ${e(`${input.durationMs.swim / 60_000} (SWIM study) or ${input.durationMs.lifeguard / 60_000} (Lifeguard study)`)} simulated minutes on the virtual clock with memberlist's LAN parameters.
Reproduce with <code>${e(input.command)}</code>.</p>
${
  swim.length > 0
    ? `<h2>SWIM: protocol periods to first detection</h2>
<p>A random member crashes every 20 s (restarted 15 s later). First detection = the first probe of the crashed member by anyone,
counted in protocol periods; SWIM's analysis (Das, Gupta, Motivala, DSN 2002) expects 1/(1 − e<sup>−q<sub>f</sub></sup>) periods
with q<sub>f</sub> the fraction of non-faulty members (here every other member: q<sub>f</sub> = 1), independent of the group size.
The last column is the exact expectation for a finite group probing round-robin as memberlist does.</p>
<table><thead><tr><th>members</th><th>crashes</th><th>measured</th><th>expected</th><th>difference</th><th>round-robin, exact</th><th>messages / member / s</th><th>detection (dead), mean</th></tr></thead><tbody>
${swimRows}
</tbody></table>
<div class="grid"><div id="swim-periods"></div><div id="swim-load"></div></div>`
    : ''
}
${
  lifeguard.length > 0
    ? `<h2>Lifeguard: false positives under slow members</h2>
<p>${LIFEGUARD_MEMBERS} members; every 30 s, ${SLOW_ANOMALY.concurrent} random members turn slow for ${SLOW_ANOMALY.durationMs / 1000} s: every message they receive
is processed ${SLOW_ANOMALY.delayMs / 1000} s late while their timers keep running (Lifeguard's anomaly model: an overloaded member).
One crash every 30 s measures detection. A false positive is a member declaring a healthy one (not crashed, not slow) dead.</p>
<table><thead><tr><th>detector</th><th>false positives</th><th>swim / this</th><th>verdicts about slow members</th><th>detection mean</th><th>detection p99</th><th>messages / member / s</th></tr></thead><tbody>
${lgRows}
</tbody></table>
<div class="grid"><div id="lg-fp"></div><div id="lg-det"></div><div id="lg-load"></div></div>`
    : ''
}
<script type="application/json" id="data">${scriptJson(data)}</script>
<script>${d3}</script>
<script>${CLIENT}</script>
</body>
</html>
`;
}
