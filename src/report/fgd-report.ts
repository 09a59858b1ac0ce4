/**
 * The FGD study report: one self-contained HTML file in the style of the paper's figures, with d3
 * inlined (the caller passes the text of d3.min.js; this module does no I/O):
 *
 * - per workload, unallocated GPU % (100 − allocated) against arrived workload (% of GPU capacity),
 *   one line per policy = mean over seeds, with a band from the seeds' min to max;
 * - bars per workload at 100% arrived (mean over seeds, whiskers min–max);
 * - per workload, the fragmentation ratio (% of idle GPU that FGD's measure calls fragmented);
 * - the same numbers as a static table (readable without scripts), with FGD's reduction.
 *
 * Everything from the data is escaped: static HTML through escapeHtml, the embedded JSON with `<`
 * written as \u003c, and d3 draws text with textContent.
 */
import { reductionPct, unallocatedAt, type JobResult } from '../gpu/study.js';
import { escapeHtml } from './html.js';

export interface FgdReportInput {
  readonly results: readonly JobResult[];
  /** The command that reproduces the study. */
  readonly command: string;
  /** The text of node_modules/d3/dist/d3.min.js. */
  readonly d3Source: string;
  /** GPUs in the cluster (to show unallocated GPUs as a count). */
  readonly capacityGpus: number;
}

interface Curve {
  policy: string;
  points: { x: number; mean: number; min: number; max: number }[];
}

/** Per workload and policy: `metric` per arrived bin, over seeds. */
function curves(results: readonly JobResult[], metric: (b: JobResult['rows'][number]) => number): { workload: string; curves: Curve[] }[] {
  const byWorkload = new Map<string, Map<string, Map<number, number[]>>>();
  for (const r of results) {
    let byPolicy = byWorkload.get(r.workload);
    if (!byPolicy) byWorkload.set(r.workload, (byPolicy = new Map()));
    let bins = byPolicy.get(r.policy);
    if (!bins) byPolicy.set(r.policy, (bins = new Map()));
    for (const b of r.rows) {
      const list = bins.get(b.arrivedPct) ?? [];
      list.push(metric(b));
      bins.set(b.arrivedPct, list);
    }
  }
  return [...byWorkload].map(([workload, byPolicy]) => ({
    workload,
    curves: [...byPolicy].map(([policy, bins]) => ({
      policy,
      points: [...bins]
        .sort((a, b) => a[0] - b[0])
        .map(([x, v]) => ({ x, mean: round(v.reduce((a, c) => a + c, 0) / v.length), min: round(Math.min(...v)), max: round(Math.max(...v)) })),
    })),
  }));
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

/** JSON safe inside <script>: no `<` can close the element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

export function renderFgdReport(input: FgdReportInput): string {
  const at100 = unallocatedAt(input.results, 100);
  const seeds = [...new Set(input.results.map((r) => r.seed))].sort((a, b) => a - b);
  const policies = [...new Set(input.results.map((r) => r.policy))];
  const data = {
    curves: curves(input.results, (b) => 100 - b.allocPct),
    fragRatio: curves(input.results, (b) => b.fragRatioPct),
    bars: [...at100].map(([workload, byPolicy]) => ({
      workload,
      bars: [...byPolicy].map(([policy, s]) => ({ policy, mean: round(s.mean), min: round(s.min), max: round(s.max) })),
    })),
    policies,
  };

  const head = ['workload', ...policies.map((p) => `${p} (%)`), ...(policies.includes('fgd') ? policies.filter((p) => p !== 'fgd').map((p) => `FGD vs ${p}`) : [])];
  const rows = [...at100].map(([workload, byPolicy]) => {
    const fgd = byPolicy.get('fgd');
    const cells = [
      `<td>${escapeHtml(workload)}</td>`,
      ...policies.map((p) => {
        const s = byPolicy.get(p as never);
        return `<td class="n">${s ? `${s.mean.toFixed(2)} <small>(${((s.mean / 100) * input.capacityGpus).toFixed(0)} GPUs)</small>` : '–'}</td>`;
      }),
      ...(fgd
        ? policies
            .filter((p) => p !== 'fgd')
            .map((p) => {
              const s = byPolicy.get(p as never);
              return `<td class="n">${s ? `${reductionPct(s.mean, fgd.mean).toFixed(1)}%` : '–'}</td>`;
            })
        : []),
    ];
    return `<tr>${cells.join('')}</tr>`;
  });

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Slipway — FGD study (unallocated GPU vs arrived workload)</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem; color: #1b1b1b; max-width: 80rem; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; margin-top: 2rem; }
table { border-collapse: collapse; margin: .5rem 0; } th, td { padding: .25rem .6rem; border-bottom: 1px solid #ddd; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
code { background: #f3f3f3; padding: .1rem .3rem; }
.grid { display: flex; flex-wrap: wrap; gap: 1rem; }
.chart { border: 1px solid #eee; } .chart text { font-size: 11px; }
.legend span { display: inline-block; margin-right: 1rem; } .legend i { display: inline-block; width: 1.5rem; height: .25rem; vertical-align: middle; margin-right: .3rem; }
</style>
</head>
<body>
<h1>FGD study: unallocated GPU against arrived workload</h1>
<p>Protocol of Weng et al., USENIX ATC '23 on the Alibaba GPU trace v2023: pods sorted by name, shuffled with the seed,
inflated to 130% of the cluster's GPU capacity, scheduled once each; ties to the smallest node name.
Seeds: ${escapeHtml(seeds.join(', '))}. Reproduce with <code>${escapeHtml(input.command)}</code>.</p>
<h2>Unallocated GPU % at 100% arrived (mean over seeds)</h2>
<table><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>
${rows.join('\n')}
</tbody></table>
<p>FGD vs X = (U<sub>X</sub> − U<sub>FGD</sub>) / U<sub>X</sub>: how much of X's unallocated GPU FGD puts to use.</p>
<div class="legend" id="legend"></div>
<h2>Bars at 100% arrived</h2>
<div id="bars"></div>
<h2>Unallocated GPU % vs arrived workload (line = mean, band = min–max over seeds)</h2>
<div class="grid" id="curves"></div>
<h2>Fragmentation ratio vs arrived workload (% of idle GPU that is fragmented; mean, band = min–max)</h2>
<div class="grid" id="frag"></div>
<script>${input.d3Source.replace(/<\/script/gi, '<\\/script')}</script>
<script>
const DATA = ${scriptJson(data)};
const color = d3.scaleOrdinal().domain(DATA.policies).range(d3.schemeTableau10);
d3.select('#legend').selectAll('span').data(DATA.policies).join('span')
  .call((s) => { s.append('i').style('background', (p) => color(p)); s.append('b').text((p) => p); });

function drawCurves(target, series, yLabel) {
 for (const w of series) {
  const W = 420, H = 280, m = { l: 44, r: 10, t: 24, b: 36 };
  const svg = d3.select(target).append('svg').attr('class', 'chart').attr('width', W).attr('height', H);
  const x = d3.scaleLinear().domain([0, 130]).range([m.l, W - m.r]);
  const yMax = d3.max(w.curves, (c) => d3.max(c.points, (p) => p.max)) || 100;
  const y = d3.scaleLinear().domain([0, yMax]).nice().range([H - m.b, m.t]);
  svg.append('g').attr('transform', 'translate(0,' + (H - m.b) + ')').call(d3.axisBottom(x).ticks(7));
  svg.append('g').attr('transform', 'translate(' + m.l + ',0)').call(d3.axisLeft(y).ticks(6));
  svg.append('text').attr('x', m.l).attr('y', 14).attr('font-weight', 600).text('workload ' + w.workload);
  svg.append('text').attr('x', W / 2).attr('y', H - 4).attr('text-anchor', 'middle').text('arrived workload (% of GPU capacity)');
  svg.append('text').attr('transform', 'rotate(-90)').attr('x', -(H - m.b + m.t) / 2).attr('y', 11).attr('text-anchor', 'middle').text(yLabel);
  for (const c of w.curves) {
    svg.append('path').datum(c.points).attr('fill', color(c.policy)).attr('opacity', 0.18)
      .attr('d', d3.area().x((p) => x(p.x)).y0((p) => y(p.min)).y1((p) => y(p.max)));
    svg.append('path').datum(c.points).attr('fill', 'none').attr('stroke', color(c.policy)).attr('stroke-width', 1.5)
      .attr('d', d3.line().x((p) => x(p.x)).y((p) => y(p.mean)))
      .append('title').text(c.policy);
  }
}
}
drawCurves('#curves', DATA.curves, 'unallocated GPU (%)');
drawCurves('#frag', DATA.fragRatio, 'fragmentation ratio (%)');

{
  const W = Math.max(480, DATA.bars.length * (DATA.policies.length * 14 + 24) + 80), H = 300, m = { l: 44, r: 10, t: 16, b: 60 };
  const svg = d3.select('#bars').append('svg').attr('class', 'chart').attr('width', W).attr('height', H);
  const x0 = d3.scaleBand().domain(DATA.bars.map((b) => b.workload)).range([m.l, W - m.r]).padding(0.15);
  const x1 = d3.scaleBand().domain(DATA.policies).range([0, x0.bandwidth()]).padding(0.08);
  const yMax = d3.max(DATA.bars, (b) => d3.max(b.bars, (v) => v.max)) || 100;
  const y = d3.scaleLinear().domain([0, yMax]).nice().range([H - m.b, m.t]);
  svg.append('g').attr('transform', 'translate(0,' + (H - m.b) + ')').call(d3.axisBottom(x0))
    .selectAll('text').attr('transform', 'rotate(-35)').attr('text-anchor', 'end');
  svg.append('g').attr('transform', 'translate(' + m.l + ',0)').call(d3.axisLeft(y).ticks(6));
  svg.append('text').attr('x', 4).attr('y', 12).text('unallocated GPU % at 100% arrived');
  const g = svg.append('g').selectAll('g').data(DATA.bars).join('g').attr('transform', (b) => 'translate(' + x0(b.workload) + ',0)');
  g.selectAll('rect').data((b) => b.bars).join('rect')
    .attr('x', (v) => x1(v.policy)).attr('width', x1.bandwidth())
    .attr('y', (v) => y(v.mean)).attr('height', (v) => y(0) - y(v.mean)).attr('fill', (v) => color(v.policy))
    .append('title').text((v) => v.policy + ': ' + v.mean.toFixed(2) + '% [' + v.min.toFixed(2) + ', ' + v.max.toFixed(2) + ']');
  g.selectAll('line').data((b) => b.bars).join('line')
    .attr('x1', (v) => x1(v.policy) + x1.bandwidth() / 2).attr('x2', (v) => x1(v.policy) + x1.bandwidth() / 2)
    .attr('y1', (v) => y(v.min)).attr('y2', (v) => y(v.max)).attr('stroke', '#333');
}
</script>
</body>
</html>
`;
}
