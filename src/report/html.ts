/**
 * A single-run report: one self-contained HTML file (no scripts, no network) with the run's
 * outcome. Every value that comes from the scenario or the trace is HTML-escaped.
 */
import type { RunSummary } from '../run/simulate.js';
import { formatDuration } from '../core/duration.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

export interface RunReportInput {
  readonly summary: RunSummary;
  /** The command that reproduces the run. */
  readonly command: string;
  readonly tracePath?: string;
}

export function renderRunReport({ summary: s, command, tracePath }: RunReportInput): string {
  const e = escapeHtml;
  /** Live runs (src/run/live.ts) name their backend. */
  const live = (s as { backend?: string }).backend;
  const rows = s.workloads
    .map(
      (w) =>
        `<tr><td>${e(w.name)}</td><td>${e(w.kind)}</td><td class="n">${w.desired}</td><td class="n">${w.running}</td>` +
        `<td class="n">${w.pending}</td><td class="n">${w.failed}</td><td class="n">${w.succeeded}</td><td class="n">${w.restarts}</td></tr>`,
    )
    .join('\n');
  const exps = s.expectations
    .map(
      (x) =>
        `<tr class="${x.ok ? 'ok' : 'fail'}"><td>${x.ok ? '✓ pass' : '✗ FAIL'}</td><td>${e(x.name)}</td>` +
        `<td>${e(formatDuration(x.at))}</td><td>${e(x.detail)}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Slipway run: ${e(s.scenario)}</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem; color: #1b1b1b; max-width: 70rem; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; margin-top: 2rem; }
table { border-collapse: collapse; } td, th { padding: .25rem .6rem; border-bottom: 1px solid #ddd; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.ok td:first-child { color: #0b6e4f; } tr.fail td:first-child { color: #b00020; font-weight: 600; }
code { background: #f3f3f3; padding: .1rem .3rem; }
.verdict { font-weight: 600; color: ${s.ok ? '#0b6e4f' : '#b00020'}; }
</style>
</head>
<body>
<h1>Slipway run: ${e(s.scenario)}</h1>
<p class="verdict">${s.violation ? `Invariant violated: ${e(s.violation.invariant)} at event ${s.violation.event} (t=${e(formatDuration(s.violation.t))}): ${e(s.violation.message)}` : s.ok ? 'All expectations hold; no invariant violated.' : 'Some expectations failed.'}</p>
<table>
<tr><th>seed</th><td>${s.seed}</td></tr>
<tr><th>scheduler</th><td>${e(s.scheduler)}</td></tr>
${live === undefined ? `<tr><th>simulated time</th><td>${e(formatDuration(s.simulatedTimeMs))}</td></tr>
<tr><th>engine events</th><td>${s.events}</td></tr>` : `<tr><th>backend</th><td>${e(live)} (live, ${e(formatDuration(s.simulatedTimeMs))} of wall time)</td></tr>`}
<tr><th>nodes</th><td>${s.nodes.total} (${s.nodes.ready} Ready, ${s.nodes.notReady} NotReady, ${s.nodes.down} Down)</td></tr>
<tr><th>trace</th><td>${tracePath ? `<code>${e(tracePath)}</code>, ` : ''}${s.traceLines} lines, sha256 <code>${e(s.traceHash)}</code></td></tr>
<tr><th>reproduce</th><td><code>${e(command)}</code></td></tr>
${Object.keys(s.coverage).length ? `<tr><th>faults fired</th><td>${Object.entries(s.coverage).map(([k, v]) => `${e(k)} ×${v}`).join(', ')}</td></tr>` : ''}
</table>
<h2>Workloads</h2>
<table>
<tr><th>name</th><th>kind</th><th>desired</th><th>running</th><th>pending</th><th>failed</th><th>succeeded</th><th>restarts</th></tr>
${rows}
</table>
<h2>Expectations</h2>
<table>
<tr><th>result</th><th>name</th><th>checked at</th><th>detail</th></tr>
${exps}
</table>
</body>
</html>
`;
}
