/**
 * The single-run report (`slipway run`): the d3 report for one policy and one seed, plus the run's
 * outcome (workloads, expectations). Every value from the scenario or the trace is HTML-escaped.
 */
import { aggregate } from './aggregate.js';
import type { RunResult } from './run-result.js';
import { formatDuration } from '../core/duration.js';
import type { Scenario } from '../scenario/types.js';
import { escapeHtml } from './escape.js';
import { countResults } from '../check/expectations.js';
import type { RunSummary } from '../run/simulate.js';
import { renderReport } from './report-html.js';

export { escapeHtml } from './escape.js';

export interface RunReportInput {
  readonly scenario: Scenario;
  readonly run: RunResult;
  /** The command that reproduces the run. */
  readonly command: string;
  readonly tracePath?: string;
}

export function renderRunReport({ scenario, run, command, tracePath }: RunReportInput): string {
  const e = escapeHtml;
  const s = run.summary;
  /** Live runs (src/run/live.ts) name their backend. */
  const live = (s as { backend?: string }).backend;
  const rows = s.workloads
    .map(
      (w) =>
        `<tr><td>${e(w.name)}</td><td>${e(w.kind)}</td><td class="n">${w.kind === 'job' ? `${w.desired} completions` : `${w.desired} replicas`}</td><td class="n">${w.running}</td>` +
        `<td class="n">${w.pending}</td><td class="n">${w.failed}</td><td class="n">${w.succeeded}</td><td class="n">${w.restarts}</td></tr>`,
    )
    .join('\n');
  const exps = s.expectations
    .map(
      (x) =>
        `<tr class="${x.status === 'not-checked' ? 'unchecked' : x.ok ? 'ok' : 'fail'}"><td>${x.status === 'not-checked' ? '? NOT CHECKED' : x.ok ? '✓ pass' : '✗ FAIL'}</td><td>${e(x.name)}</td>` +
        `<td>${e(formatDuration(x.at))}</td><td>${e(x.detail)}</td></tr>`,
    )
    .join('\n');
  const outcome = `<section id="outcome"><h2>Outcome</h2>
<p class="verdict ${s.ok ? 'ok' : 'fail'}">${s.violation ? `Invariant violated: ${e(s.violation.invariant)} at event ${s.violation.event} (t=${e(formatDuration(s.violation.t))}): ${e(s.violation.message)}` : verdictText(s)}</p>
<table>
<tr><th>seed</th><td>${s.seed}</td></tr>
<tr><th>scheduler</th><td>${e(s.scheduler)}</td></tr>
${live === undefined ? `<tr><th>simulated time</th><td>${e(formatDuration(s.simulatedTimeMs))}</td></tr>
<tr><th>engine events</th><td>${s.events}</td></tr>` : `<tr><th>backend</th><td>${e(live)} (live, ${e(formatDuration(s.simulatedTimeMs))} of wall time)</td></tr>`}
<tr><th>nodes</th><td>${s.nodes.total} (${s.nodes.ready} Ready, ${s.nodes.notReady} NotReady, ${s.nodes.down} Down)</td></tr>
<tr><th>trace</th><td>${tracePath ? `<code>${e(tracePath)}</code>, ` : ''}${s.traceLines} lines, sha256 <code>${e(s.traceHash)}</code></td></tr>
${Object.keys(s.coverage ?? {}).length ? `<tr><th>faults fired</th><td>${Object.entries(s.coverage).map(([k, v]) => `${e(k)} ×${v}`).join(', ')}</td></tr>` : ''}
</table>
<h3>Workloads</h3>
<table>
<tr><th>name</th><th>kind</th><th title="services: replicas; jobs: completions">desired</th><th>running</th><th>pending</th><th>failed</th><th>succeeded</th><th>restarts</th></tr>
${rows}
</table>
<p class="note">desired: a service's replicas; a job's completions (its <code>replicas:</code> is how many run at once).</p>
<h3>Expectations</h3>
${exps ? `<table><tr><th>result</th><th>name</th><th>checked at</th><th>detail</th></tr>\n${exps}\n</table>` : '<p>none</p>'}
</section>`;
  const commands = [{ label: 'this run (trace, summary and report)', command }];
  if (tracePath) commands.push({ label: 'timeline for Perfetto', command: `npx slipway export --format perfetto ${tracePath} > timeline.json` });
  return renderReport({
    title: `Slipway run: ${s.scenario}`,
    scenario,
    policies: [run.policy],
    seeds: [run.seed],
    runs: [run],
    comparisons: aggregate([run], [run.policy], [run.seed]),
    commands,
    extraHtml: outcome,
  });
}

/** The outcome line of a run without an invariant violation. */
function verdictText(s: RunSummary): string {
  const c = countResults(s.expectations);
  if (c.fail > 0) return `${c.fail} of ${s.expectations.length} expectation(s) failed${c.notChecked > 0 ? `, ${c.notChecked} NOT CHECKED` : ''}.`;
  if (c.notChecked > 0)
    return s.ok
      ? `${c.pass} expectation(s) hold; ${c.notChecked} NOT CHECKED (allowed by --allow-unchecked); no invariant violated.`
      : `${c.notChecked} expectation(s) NOT CHECKED: the run stopped before their time. ${c.pass} hold.`;
  return s.ok ? 'All expectations hold; no invariant violated.' : 'The run failed.';
}
