// Slipway dashboard: nodes and workloads from the daemon's API, kept current by its watch stream
// (Server-Sent Events read with fetch, so the bearer token travels in a header), and a "why
// pending" drill-down from /v1/explain. Every value from the API reaches the page through
// textContent: names, labels and reasons are text, never markup.
'use strict';
(() => {
  const $ = (id) => document.getElementById(id);
  const KEY = 'slipway.token';
  let token = sessionStorage.getItem(KEY) || '';
  let revision = 0;
  let refreshTimer;
  let watching;
  let explained;

  // A token in the URL fragment (slipway serve prints http://HOST:PORT/#token=...): kept for the
  // tab's session, then removed from the address bar. Fragments are never sent to servers.
  const m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (m) {
    token = decodeURIComponent(m[1]);
    sessionStorage.setItem(KEY, token);
    history.replaceState(null, '', location.pathname + location.search);
  }

  function el(tag, opts, ...children) {
    const e = document.createElement(tag);
    if (opts) {
      if (opts.cls) e.className = opts.cls;
      if (opts.text !== undefined) e.textContent = String(opts.text);
      if (opts.title !== undefined) e.title = String(opts.title);
      if (opts.data) for (const [k, v] of Object.entries(opts.data)) e.dataset[k] = String(v);
    }
    for (const c of children) if (c !== undefined && c !== null) e.append(c);
    return e;
  }

  async function api(method, path, body) {
    const res = await fetch(path, {
      method,
      headers: { authorization: 'Bearer ' + token, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    if (res.status === 401) {
      showLogin('the token was refused');
      throw new Error('unauthorized');
    }
    const data = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(data.detail || 'HTTP ' + res.status);
    return data;
  }

  function showLogin(why) {
    $('login').classList.add('open');
    $('loginwhy').textContent = why;
    setConn('down', 'not connected');
  }

  function setConn(cls, text) {
    const c = $('conn');
    c.className = cls;
    c.textContent = text;
  }

  function fmtCpu(m) {
    return m % 1000 === 0 ? String(m / 1000) : (m / 1000).toFixed(1);
  }
  function fmtBytes(n) {
    const units = [['Ti', 2 ** 40], ['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10]];
    for (const [u, f] of units) if (n >= f) return (n / f).toFixed(n % f === 0 ? 0 : 1) + u;
    return String(n);
  }

  function bar(used, total, fmt, what) {
    const frac = total > 0 ? Math.min(1, used / total) : 0;
    const fill = el('span');
    fill.style.width = (frac * 100).toFixed(1) + '%';
    const b = el('div', { cls: 'bar' + (frac >= 0.9 ? ' full' : ''), title: what + ' ' + fmt(used) + ' of ' + fmt(total) }, fill);
    b.setAttribute('role', 'meter');
    b.setAttribute('aria-valuenow', String(used));
    b.setAttribute('aria-valuemax', String(total));
    return el('td', null, b, el('div', { cls: 'barlabel', text: fmt(used) + ' / ' + fmt(total) }));
  }

  function renderNodes(nodes) {
    const body = $('nodes');
    body.replaceChildren(
      ...nodes.map((n) =>
        el(
          'tr',
          { data: { node: n.name } },
          el('td', { text: n.name }),
          el('td', null, el('span', { cls: 'badge ' + n.status, text: n.status }), n.unschedulable ? el('span', { cls: 'badge pending', text: 'cordoned' }) : null),
          bar(n.allocated.cpu || 0, n.allocatable.cpu || 0, fmtCpu, 'cpu'),
          bar(n.allocated.memory || 0, n.allocatable.memory || 0, fmtBytes, 'memory'),
          el('td', { cls: 'num', text: n.instances }),
          el('td', { cls: 'labels', text: Object.entries(n.labels).map(([k, v]) => k + '=' + v).join(' ') }),
        ),
      ),
    );
  }

  function renderWorkloads(items) {
    const body = $('workloads');
    body.replaceChildren(
      ...items.map((w) => {
        const s = w.status;
        const converged = s.running === s.desired && s.pending === 0;
        const why = s.pending > 0 ? el('button', { text: 'why pending?', data: { why: w.name } }) : null;
        if (why) why.addEventListener('click', () => explain(w.name));
        const images = (w.spec.containers || []).map((c) => c.image).join(', ');
        return el(
          'tr',
          { data: { workload: w.name } },
          el('td', null, el('div', { text: w.name }), el('div', { cls: 'labels', text: Object.entries(w.labels).map(([k, v]) => k + '=' + v).join(' ') })),
          el('td', { text: w.kind }),
          el('td', { cls: 'labels', text: images }),
          el('td', { cls: 'num', text: s.desired, data: { col: 'desired' } }),
          el('td', { cls: 'num', text: s.running, data: { col: 'running' } }),
          el('td', { cls: 'num', text: s.pending, data: { col: 'pending' } }),
          el('td', null, el('span', { cls: 'badge ' + (converged ? 'ok' : s.pending > 0 ? 'pending' : ''), text: converged ? 'converged' : s.pending > 0 ? 'pending' : 'progressing' }), why),
        );
      }),
    );
  }

  async function refresh() {
    const [nodes, workloads] = await Promise.all([api('GET', '/v1/nodes'), api('GET', '/v1/workloads')]);
    renderNodes(nodes.items);
    renderWorkloads(workloads.items);
    const ready = nodes.items.filter((n) => n.status === 'Ready').length;
    const pending = workloads.items.reduce((a, w) => a + w.status.pending, 0);
    $('summary').textContent = nodes.items.length + ' nodes (' + ready + ' Ready) · ' + workloads.items.length + ' workloads · ' + pending + ' pending · revision ' + workloads.revision;
    if (explained && workloads.items.some((w) => w.name === explained && w.status.pending > 0)) void explain(explained, true);
    return workloads.revision;
  }

  function scheduleRefresh() {
    if (refreshTimer) return;
    refreshTimer = setTimeout(() => {
      refreshTimer = undefined;
      refresh().catch((e) => ($('error').textContent = e.message));
    }, 150);
  }

  async function explain(name, quiet) {
    explained = name;
    const panel = $('why');
    panel.classList.add('open');
    $('whyname').textContent = name;
    if (!quiet) $('whybody').replaceChildren(el('p', { text: 'asking the scheduler…' }));
    let r;
    try {
      r = await api('POST', '/v1/explain', { workload: name });
    } catch (e) {
      $('whybody').replaceChildren(el('p', { text: e.message }));
      return;
    }
    const counts = new Map();
    for (const n of r.nodes) if (!n.feasible) for (const why of n.reasons) counts.set(why, (counts.get(why) || 0) + 1);
    const feasible = r.nodes.filter((n) => n.feasible).length;
    $('whybody').replaceChildren(
      el('p', { cls: 'reason', text: r.pendingReason || (r.chosen ? 'one more instance would go to ' + r.chosen : 'no node fits') }),
      el('p', { text: feasible + ' of ' + r.nodes.length + ' nodes feasible; profile ' + r.profile + (r.preemption ? '; preemption would evict ' + r.preemption.victims.join(', ') + ' on ' + r.preemption.node : '') }),
      el(
        'table',
        null,
        el('thead', null, el('tr', null, el('th', { text: 'nodes' }), el('th', { text: 'rejected because' }))),
        el('tbody', null, ...[...counts].sort((a, b) => b[1] - a[1]).map(([why, n]) => el('tr', null, el('td', { cls: 'num', text: n }), el('td', { cls: 'reason', text: why })))),
      ),
    );
  }

  // The watch stream: SSE over fetch (EventSource cannot send the token header); any event makes
  // the lists refresh (batched); a dropped stream resumes from the last revision seen.
  async function watch() {
    for (;;) {
      try {
        const res = await fetch('/v1/events/watch?since=' + revision, { headers: { authorization: 'Bearer ' + token, accept: 'text/event-stream' } });
        if (res.status === 401) return showLogin('the token was refused');
        if (res.status === 410) {
          revision = await refresh();
          continue;
        }
        if (!res.ok || !res.body) throw new Error('watch: HTTP ' + res.status);
        setConn('live', 'live');
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buf = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += value;
          let i;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const frame = buf.slice(0, i);
            buf = buf.slice(i + 2);
            const id = /^id: ?(\d+)$/m.exec(frame);
            if (id) {
              revision = Math.max(revision, Number(id[1]));
              $('lastevent').textContent = 'last event: revision ' + revision;
              scheduleRefresh();
            }
          }
        }
      } catch (e) {
        $('error').textContent = e.message;
      }
      setConn('down', 'reconnecting');
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  async function start() {
    if (!token) return showLogin('enter the daemon token (slipway serve prints a dashboard URL with it)');
    $('login').classList.remove('open');
    try {
      revision = await refresh();
    } catch (e) {
      $('error').textContent = e.message;
      return;
    }
    if (!watching) watching = watch();
  }

  $('loginform').addEventListener('submit', (ev) => {
    ev.preventDefault();
    token = $('token').value.trim();
    sessionStorage.setItem(KEY, token);
    void start();
  });
  $('whyclose').addEventListener('click', () => {
    explained = undefined;
    $('why').classList.remove('open');
  });
  void start();
})();
