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
import type { NetworkMetrics } from './metrics.js';

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
${run.metrics.network ? networkSection(run.metrics.network) : ''}
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

/** Endpoints shown per workload before `+ N more`. */
const ENDPOINTS_SHOWN = 12;

/** The pod network as the run left it (docs/networking.md): node blocks, addresses, endpoints. */
function networkSection(n: NetworkMetrics): string {
  const e = escapeHtml;
  const nodes = n.nodes.map((x) => `<tr><td>${e(x.node)}</td><td><code>${x.podCidr !== undefined ? e(x.podCidr) : 'none (cluster CIDR exhausted)'}</code></td><td class="n">${x.addresses}</td></tr>`).join('\n');
  const insts = n.instances.map((x) => `<tr><td>${e(x.instance)}</td><td>${e(x.workload)}</td><td>${e(x.node ?? '')}</td><td><code>${e(x.ip)}</code></td></tr>`).join('\n');
  const eps = n.endpoints
    .map((x) => {
      const shown = x.endpoints.slice(0, ENDPOINTS_SHOWN).map((p) => `<code>${e(p)}</code>`).join(' ');
      const more = x.endpoints.length > ENDPOINTS_SHOWN ? ` + ${x.endpoints.length - ENDPOINTS_SHOWN} more` : '';
      return `<tr><td>${e(x.workload)}</td><td class="n">${x.endpoints.length}</td><td>${shown || 'none'}${more}</td></tr>`;
    })
    .join('\n');
  return `<h3 id="network">Network</h3>
<p class="note">Pod network: each node's block of the cluster CIDR and the addresses its instances hold at the end of the run (host-local's allocation; see docs/networking.md).${n.createFailures > 0 ? ` <b>${n.createFailures} create(s) failed because the network could not be set up</b> (no address left in the node's pod CIDR).` : ''}</p>
<table><tr><th>node</th><th>pod CIDR</th><th>addresses in use</th></tr>
${nodes}
</table>
<table><tr><th>workload</th><th>endpoints</th><th>IP:PORT</th></tr>
${eps || '<tr><td colspan="3">none</td></tr>'}
</table>
<table><tr><th>instance</th><th>workload</th><th>node</th><th>IP</th></tr>
${insts}
</table>
${n.instancesTotal > n.instances.length ? `<p class="note">${n.instances.length} of ${n.instancesTotal} instances with an address shown.</p>` : ''}`;
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
