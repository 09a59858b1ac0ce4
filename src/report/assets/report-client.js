// Draws a Slipway report's charts with d3 (inlined before this script) from the JSON block
// #report-data. Every string from the data is set with .text() (never as HTML).
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('report-data').textContent);
  // Okabe–Ito palette (colour-blind safe) plus a dash pattern per policy for print and greyscale.
  var COLORS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#D55E00', '#56B4E9', '#000000', '#F0E442'];
  var DASHES = ['', '6 3', '2 2', '8 3 2 3', '1 3', '10 4', '4 1', '3 6'];
  var color = function (i) { return COLORS[i % COLORS.length]; };
  var dash = function (i) { return DASHES[i % DASHES.length]; };
  var W = 860, H = 260, M = { top: 12, right: 20, bottom: 40, left: 64 };
  var tip = d3.select('#tooltip');
  var minutes = function (ms) { return ms / 60000; };
  var pct = d3.format('.0%');

  function showTip(event, text) {
    tip.property('hidden', false).text(text)
      .style('left', (event.clientX + 14) + 'px').style('top', (event.clientY + 10) + 'px');
  }
  function hideTip() { tip.property('hidden', true); }

  d3.selectAll('[data-legend]').each(function () {
    var items = d3.select(this).selectAll('span.item').data(data.policies).join('span').attr('class', 'item');
    items.append('span').attr('class', 'sw').style('border-top-color', function (_, i) { return color(i); })
      .style('border-top-style', function (_, i) { return i === 0 ? 'solid' : 'dashed'; });
    items.append('span').text(function (p) { return p; });
  });

  function frame(id, caption) {
    var fig = d3.select('#' + id);
    fig.append('figcaption').text(caption);
    var svg = fig.append('svg').attr('viewBox', '0 0 ' + W + ' ' + H).attr('role', 'img').attr('aria-label', caption);
    return svg;
  }

  // yFmt 'integer': a count axis, ticks only at whole numbers (never 0.5 instances).
  function axes(svg, x, y, xLabel, yLabel, yFmt) {
    var integer = yFmt === 'integer';
    var yTicks = integer ? y.ticks(Math.min(5, Math.max(1, y.domain()[1]))).filter(Number.isInteger) : null;
    var left = d3.axisLeft(y);
    var grid = d3.axisLeft(y);
    if (integer) { left.tickValues(yTicks).tickFormat(d3.format('d')); grid.tickValues(yTicks); }
    else { left.ticks(5).tickFormat(yFmt); grid.ticks(5); }
    svg.append('g').attr('class', 'grid').attr('transform', 'translate(' + M.left + ',0)')
      .call(grid.tickSize(-(W - M.left - M.right)).tickFormat(''));
    svg.append('g').attr('class', 'axis x').attr('transform', 'translate(0,' + (H - M.bottom) + ')').call(d3.axisBottom(x).ticks(10));
    svg.append('g').attr('class', 'axis y').attr('transform', 'translate(' + M.left + ',0)').call(left);
    svg.append('text').attr('x', (M.left + W - M.right) / 2).attr('y', H - 6).attr('text-anchor', 'middle').text(xLabel);
    svg.append('text').attr('transform', 'rotate(-90)').attr('x', -(M.top + H - M.bottom) / 2).attr('y', 14).attr('text-anchor', 'middle').text(yLabel);
  }

  function faults(svg, x, y0, y1) {
    var g = svg.append('g').attr('class', 'faults');
    var f = g.selectAll('g.fault').data(data.timeline).join('g').attr('class', 'fault');
    f.append('line').attr('x1', function (d) { return x(minutes(d.t)); }).attr('x2', function (d) { return x(minutes(d.t)); })
      .attr('y1', y0).attr('y2', y1);
    f.append('text').attr('x', function (d) { return x(minutes(d.t)) + 3; }).attr('y', y0 + 10)
      .text(function (d) { return d.type.replace('fault.', '') + ' ' + d.target; });
    f.append('title').text(function (d) { return d.type + ' ' + d.target + ' at ' + minutes(d.t).toFixed(2) + ' min'; });
  }

  function lineChart(id, caption, values, yLabel, yFmt, tipFmt) {
    if (!data.t.length) return;
    var svg = frame(id, caption);
    var x = d3.scaleLinear().domain([0, minutes(data.durationMs)]).range([M.left, W - M.right]);
    var ymax = d3.max(values, function (s) { return d3.max(s); }) || 1;
    if (yFmt === 'integer') ymax = Math.max(1, Math.ceil(ymax));
    var y = d3.scaleLinear().domain([0, ymax]).nice().range([H - M.bottom, M.top]);
    axes(svg, x, y, 'simulated time (min)', yLabel, yFmt);
    faults(svg, x, M.top, H - M.bottom);
    var line = d3.line().x(function (_, k) { return x(minutes(data.t[k])); }).y(function (v) { return y(v); });
    svg.append('g').attr('class', 'lines').selectAll('path').data(values).join('path')
      .attr('fill', 'none').attr('stroke-width', 2).attr('stroke', function (_, i) { return color(i); })
      .attr('stroke-dasharray', function (_, i) { return dash(i); }).attr('d', line)
      .append('title').text(function (_, i) { return data.policies[i]; });
    var cursor = svg.append('line').attr('stroke', '#999').attr('y1', M.top).attr('y2', H - M.bottom).style('display', 'none');
    svg.append('rect').attr('x', M.left).attr('y', M.top).attr('width', W - M.left - M.right).attr('height', H - M.top - M.bottom)
      .attr('fill', 'transparent')
      .on('mousemove', function (event) {
        var mx = d3.pointer(event)[0];
        var k = d3.bisectCenter(data.t, x.invert(mx) * 60000);
        cursor.style('display', null).attr('x1', x(minutes(data.t[k]))).attr('x2', x(minutes(data.t[k])));
        showTip(event, 't = ' + minutes(data.t[k]).toFixed(2) + ' min\n' +
          data.policies.map(function (p, i) { return p + ': ' + tipFmt(values[i][k]); }).join('\n'));
      })
      .on('mouseleave', function () { cursor.style('display', 'none'); hideTip(); });
  }

  lineChart('chart-cpu', 'CPU utilization (requested / allocatable, Ready nodes)', data.cpu, 'CPU utilization', pct, d3.format('.1%'));
  lineChart('chart-memory', 'Memory utilization (requested / allocatable, Ready nodes)', data.memory, 'memory utilization', pct, d3.format('.1%'));
  lineChart('chart-pending', 'Pending instances (mean over seeds)', data.pending, 'instances', 'integer', d3.format('.1f'));
  lineChart('chart-frag', 'CPU fragmentation (free CPU where the typical pod no longer fits)', data.fragCpu, 'share of free CPU', pct, d3.format('.1%'));
  if (data.gpuAlloc) {
    lineChart('chart-gpu-alloc', 'GPU allocated (milli-GPU held / GPU capacity, Ready nodes)', data.gpuAlloc, 'share of GPU capacity', pct, d3.format('.1%'));
    lineChart('chart-gpu-frag', "GPU fragmented (FGD's measure against the scenario's typical pods / GPU capacity)", data.gpuFrag, 'share of GPU capacity', pct, d3.format('.1%'));
  }

  function latencyCdf(id, quantiles, what, none) {
    var have = quantiles.filter(function (q) { return q.length; });
    if (!have.length) { d3.select('#' + id).append('p').text(none); return; }
    var svg = frame(id, what + ' CDF');
    var xmax = d3.max(have, function (q) { return q[q.length - 1]; }) / 1000 || 1;
    var x = d3.scaleLinear().domain([0, xmax]).nice().range([M.left, W - M.right]);
    var y = d3.scaleLinear().domain([0, 1]).range([H - M.bottom, M.top]);
    axes(svg, x, y, what + ' (s)', 'fraction of instances', pct);
    var line = d3.line().curve(d3.curveStepAfter).x(function (v) { return x(v / 1000); }).y(function (_, k) { return y(k / 100); });
    quantiles.forEach(function (q, i) {
      if (!q.length) return;
      svg.append('path').attr('fill', 'none').attr('stroke-width', 2).attr('stroke', color(i)).attr('stroke-dasharray', dash(i))
        .attr('d', line(q)).append('title').text(data.policies[i]);
      svg.append('g').selectAll('circle').data([50, 90, 99]).join('circle')
        .attr('cx', function (k) { return x(q[k] / 1000); }).attr('cy', function (k) { return y(k / 100); }).attr('r', 4)
        .attr('fill', color(i))
        .on('mousemove', function (event, k) { showTip(event, data.policies[i] + ' ' + what + ' p' + k + ': ' + (q[k] / 1000).toFixed(2) + ' s'); })
        .on('mouseleave', hideTip)
        .append('title').text(function (k) { return data.policies[i] + ' ' + what + ' p' + k + ': ' + (q[k] / 1000).toFixed(2) + ' s'; });
    });
  }
  latencyCdf('chart-scheduling', data.scheduling, 'scheduling latency (created → bound)', 'No instance was bound to a node.');
  latencyCdf('chart-latency', data.startup, 'start-up latency (created → Running)', 'No instance reached Running.');

  (function heatmaps() {
    var scale = d3.scaleSequential(d3.interpolateViridis).domain([0, 1]);
    data.heatmaps.forEach(function (h) {
      var fig = d3.select('#heatmaps').append('figure').attr('class', 'chart heatmap');
      fig.append('figcaption').text(h.policy + ' (seed ' + h.seed + ')');
      var rows = h.rows.length, cols = h.t.length;
      // A colour bar at least 120 units tall, so its ticks stay readable with a few nodes.
      var left = 150, cellH = Math.max(3, Math.min(24, 360 / Math.max(rows, 1))), bh = Math.max(120, Math.min(rows * cellH, 200));
      var hh = Math.max(rows * cellH, bh) + 50;
      var svg = fig.append('svg').attr('viewBox', '0 0 ' + W + ' ' + hh).attr('role', 'img').attr('aria-label', 'node utilization heatmap for ' + h.policy);
      var x = d3.scaleLinear().domain([0, minutes(data.durationMs)]).range([left, W - 70]);
      var cw = (W - 70 - left) / Math.max(cols, 1);
      var cells = [];
      h.values.forEach(function (row, r) { row.forEach(function (v, c) { cells.push([r, c, v]); }); });
      svg.append('g').selectAll('rect').data(cells).join('rect')
        .attr('x', function (d) { return left + d[1] * cw; }).attr('y', function (d) { return d[0] * cellH; })
        .attr('width', cw + 0.5).attr('height', cellH + 0.5)
        .attr('fill', function (d) { return d[2] === null ? '#d0d0d0' : scale(d[2]); });
      svg.append('g').attr('class', 'axis').attr('transform', 'translate(0,' + rows * cellH + ')').call(d3.axisBottom(x).ticks(10));
      svg.append('text').attr('x', (left + W - 70) / 2).attr('y', rows * cellH + 34).attr('text-anchor', 'middle').text('simulated time (min)');
      var step = Math.ceil(rows / Math.max(1, Math.floor((rows * cellH) / 12)));
      svg.append('g').selectAll('text').data(h.rows.filter(function (_, r) { return r % step === 0; })).join('text')
        .attr('x', left - 4).attr('y', function (_, k) { return k * step * cellH + cellH / 2 + 3; }).attr('text-anchor', 'end')
        .attr('font-size', 9).text(function (name) { return name; });
      // Colour bar.
      var bar = svg.append('g').attr('transform', 'translate(' + (W - 55) + ',0)');
      d3.range(0, 1.0001, 0.05).forEach(function (v) {
        bar.append('rect').attr('x', 0).attr('y', bh - v * bh - bh / 20).attr('width', 12).attr('height', bh / 20 + 0.5).attr('fill', scale(v));
      });
      bar.append('g').attr('class', 'legend-axis').attr('transform', 'translate(12,0)').call(d3.axisRight(d3.scaleLinear().domain([0, 1]).range([bh, 0])).ticks(4).tickFormat(pct));
      svg.append('rect').attr('x', left).attr('y', 0).attr('width', cols * cw).attr('height', rows * cellH).attr('fill', 'transparent')
        .on('mousemove', function (event) {
          var p = d3.pointer(event);
          var c = Math.min(cols - 1, Math.max(0, Math.floor((p[0] - left) / cw)));
          var r = Math.min(rows - 1, Math.max(0, Math.floor(p[1] / cellH)));
          var v = h.values[r][c];
          showTip(event, h.rows[r] + '\nt = ' + minutes(h.t[c]).toFixed(2) + ' min\n' + (v === null ? 'not Ready' : d3.format('.1%')(v) + ' utilized'));
        })
        .on('mouseleave', hideTip);
    });
  })();

  (function reasons() {
    var keys = Array.from(new Set(data.reasons.flatMap(function (r) { return Object.keys(r); }))).sort();
    if (!keys.length) { d3.select('#chart-reasons').append('p').text('No scheduling attempt was unschedulable.'); return; }
    var band = 16 * data.policies.length + 10, h = keys.length * band + 50, left = 230;
    d3.select('#chart-reasons').append('figcaption').text('Unschedulable attempts per run, by reason');
    var svg = d3.select('#chart-reasons').append('svg').attr('viewBox', '0 0 ' + W + ' ' + h).attr('role', 'img').attr('aria-label', 'unschedulable reasons');
    var xmax = d3.max(data.reasons, function (r) { return d3.max(Object.values(r)); }) || 1;
    var x = d3.scaleLinear().domain([0, xmax]).nice().range([left, W - M.right]);
    var y = d3.scaleBand().domain(keys).range([0, keys.length * band]).padding(0.15);
    var sub = d3.scaleBand().domain(d3.range(data.policies.length)).range([0, y.bandwidth()]);
    svg.append('g').attr('class', 'axis').attr('transform', 'translate(0,' + keys.length * band + ')').call(d3.axisBottom(x).ticks(6));
    svg.append('g').attr('class', 'axis').attr('transform', 'translate(' + left + ',0)').call(d3.axisLeft(y));
    svg.append('text').attr('x', (left + W) / 2).attr('y', h - 8).attr('text-anchor', 'middle').text('attempts per run (mean over seeds)');
    keys.forEach(function (k) {
      data.reasons.forEach(function (r, i) {
        var v = r[k] || 0;
        svg.append('rect').attr('x', left).attr('y', y(k) + sub(i)).attr('height', sub.bandwidth()).attr('width', x(v) - left)
          .attr('fill', color(i)).attr('stroke', '#000').attr('stroke-width', 0.3)
          .on('mousemove', function (event) { showTip(event, data.policies[i] + '\n' + k + ': ' + v.toFixed(1)); })
          .on('mouseleave', hideTip)
          .append('title').text(data.policies[i] + ': ' + k + ': ' + v.toFixed(1));
      });
    });
  })();
})();
