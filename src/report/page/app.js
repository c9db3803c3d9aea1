// The run view in the browser: renders a RunView (src/report/view.ts) with uPlot.
// Live (--serve): the state arrives by Server-Sent Events from /events. Report (--html):
// the state is embedded in the page as JSON and nothing is fetched.
(() => {
  'use strict';
  const $ = (s) => document.querySelector(s);
  const h = (tag, attrs = {}, ...kids) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = v;
      else e.setAttribute(k, v);
    }
    for (const k of kids) e.append(k);
    return e;
  };
  const PALETTE = ['#60a5fa', '#f59e0b', '#34d399', '#f472b6', '#a78bfa', '#f87171', '#2dd4bf', '#facc15', '#94a3b8', '#fb923c'];
  const num = (v, d = 3) => (v === undefined || v === null || !Number.isFinite(v) ? '—'
    : Math.abs(v) !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e6) ? v.toExponential(d - 1) : Number(v.toPrecision(d)).toLocaleString('en'));
  const dur = (s) => (s === undefined || s === null || !Number.isFinite(s) ? '—' : s < 60 ? `${s.toFixed(1)} s`
    : s < 3600 ? `${Math.floor(s / 60)} min ${Math.round(s % 60)} s` : `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`);
  const bytes = (b) => (b === undefined ? '—' : b >= 2 ** 30 ? `${(b / 2 ** 30).toFixed(2)} GiB` : `${(b / 2 ** 20).toFixed(1)} MiB`);

  const mode = document.body.dataset.mode; // 'live' | 'report'
  let view;
  // (cost − final)/final once the run has ended (the end is what matters then), the raw
  // cost while it runs; the checkbox overrides either.
  let relativeChoice;
  const isRelative = () => relativeChoice ?? view?.status === 'finished';
  const charts = {};

  function layout() {
    $('#app').replaceChildren(
      h('header', {},
        h('div', { class: 'brand', text: 'galdecon' }),
        h('h1', { id: 'title' }),
        h('span', { id: 'status', class: 'badge' })),
      h('section', { class: 'kpis', id: 'kpis' }),
      h('div', { class: 'progress' }, h('div', { id: 'bar' })),
      h('section', { class: 'card' },
        h('div', { class: 'card-head' }, h('h2', { text: 'Cost' }),
          h('label', { class: 'toggle' }, h('input', { type: 'checkbox', id: 'relative' }), ' (cost − final) / final'),
          h('span', { class: 'legend', id: 'cost-legend' })),
        h('div', { class: 'charts' }, h('div', { id: 'cost-it', class: 'chart' }), h('div', { id: 'cost-t', class: 'chart' })),
        h('p', { class: 'note', id: 'cost-note' })),
      h('div', { class: 'grid2 wide-left' },
        h('section', { class: 'card' }, h('h2', { text: 'Agents' }), h('table', { id: 'agents' })),
        h('section', { class: 'card' }, h('h2', { text: 'Partitions' }), h('div', { id: 'parts' }), h('p', { class: 'note', id: 'parts-note' }),
          h('details', { id: 'parts-details' }, h('summary', { text: 'table' }), h('table', { id: 'parts-table' })))),
      h('section', { class: 'card' }, h('h2', { id: 'mosaic-title', text: 'Sample objects' }), h('div', { class: 'mosaic' }, h('img', { id: 'mosaic', alt: 'mosaic of sample objects' }))),
      h('div', { class: 'grid2' },
        h('section', { class: 'card' }, h('h2', { text: 'Events' }), h('ol', { id: 'events' })),
        h('section', { class: 'card' }, h('h2', { text: 'Run' }), h('table', { id: 'run' }))),
      h('footer', { id: 'software' }));
    $('#relative').addEventListener('change', (e) => { relativeChoice = e.target.checked; drawCharts(true); });
  }

  function kpi(label, value, sub) {
    return h('div', { class: 'kpi' }, h('div', { class: 'kpi-label', text: label }), h('div', { class: 'kpi-value', text: value }), h('div', { class: 'kpi-sub', text: sub ?? '' }));
  }

  function render() {
    const v = view;
    $('#title').textContent = v.title.replace(/^galdecon: /, '') + (v.run ? ` · run ${v.run}` : '');
    const st = $('#status');
    st.textContent = v.status;
    st.className = `badge ${v.status}`;
    document.title = `galdecon · ${v.status} · iteration ${v.iteration}`;
    const [n, ny, nx] = v.shape ?? [];
    const last = v.cost.value.at(-1);
    $('#kpis').replaceChildren(
      kpi('iteration', `${v.iteration} / ${v.totalIterations}`, `phase ${v.phase + 1} of ${(v.options.nReweights ?? 0) + 1}`),
      kpi('cost', num(last, 6), v.tests.length ? `last test: Δ ${num(v.tests.at(-1).diff, 2)} (tol ${num(v.options.tolerance, 2)})` : 'no convergence test yet'),
      kpi('throughput', v.throughput ? `${num(v.throughput, 3)}` : '—', 'object-iterations / s'),
      kpi(v.status === 'finished' ? 'wall time' : 'ETA ≤', v.status === 'finished' ? dur(v.timing?.total_s ?? v.elapsedS) : dur(v.etaS), v.status === 'finished' ? `setup ${dur(v.setupS)}` : `elapsed ${dur(v.elapsedS)}`),
      kpi('objects', n ? `${n.toLocaleString('en')}` : '—', n ? `${ny} × ${nx} px` : ''),
      kpi('noise σ', num(v.sigma, 4), v.options.noiseEst ? 'given' : '1.4826 · MAD'));
    const frac = v.status === 'finished' ? 1 : Math.min(1, v.iteration / Math.max(1, v.totalIterations));
    $('#bar').style.width = `${(100 * frac).toFixed(1)}%`;
    drawCharts(false);
    renderAgents();
    renderParts();
    renderMosaic();
    renderEvents();
    renderRun();
    window.galdecon = { view, points: () => (charts.it ? charts.it.data[0].length : 0) };
  }

  function agentColour(id) {
    const i = view.agents.findIndex((a) => a.id === id);
    return PALETTE[(i < 0 ? 0 : i) % PALETTE.length];
  }

  function renderAgents() {
    const now = view.now ?? Date.now();
    const ago = (t) => (t ? `${((now - t) / 1000).toFixed(1)} s ago` : '—');
    const head = h('tr', {}, ...['agent', 'state', 'partitions', 'objects', 'obj-it / s', 'Wasm memory', 'heartbeat', 'last reply'].map((t) => h('th', { text: t })));
    const rows = view.agents.map((a) => h('tr', { class: `agent ${a.state}` },
      h('td', {}, h('span', { class: 'dot', style: `background:${agentColour(a.id)}` }), a.id),
      h('td', {}, h('span', { class: `state ${a.state}`, text: a.state + (a.replacement ? ' (replacement)' : '') })),
      h('td', { class: 'n', text: String(a.partitions) }),
      h('td', { class: 'n', text: a.objects.toLocaleString('en') }),
      h('td', { class: 'n', text: num(a.rate, 3) }),
      h('td', { class: 'n', text: bytes(a.memory) }),
      h('td', { class: 'n', text: a.heartbeat ? ago(a.heartbeat) : 'n/a', title: a.heartbeat ? '' : 'local worker threads do not beat' }),
      h('td', { class: 'n', text: ago(a.lastReply) })));
    $('#agents').replaceChildren(h('thead', {}, head), h('tbody', {}, ...rows));
  }

  function renderParts() {
    const cells = view.partitions.map((p, i) => h('div', {
      class: `part ${p.state}`, style: `--c:${agentColour(p.agent)}`,
      title: `partition ${i}: objects ${p.first}–${p.first + p.n - 1} on ${p.agent} (${p.state})`,
    }, h('b', { text: String(i) }), h('span', { text: p.state === 'building' ? 'building' : `${view.iteration} it` })));
    $('#parts').replaceChildren(...cells);
    const head = h('tr', {}, ...['partition', 'objects', 'agent', 'state', 'iterations'].map((t) => h('th', { text: t })));
    $('#parts-table').replaceChildren(h('thead', {}, head), h('tbody', {}, ...view.partitions.map((p, i) => h('tr', {},
      h('td', { class: 'n', text: String(i) }), h('td', { text: `${p.first}–${p.first + p.n - 1} (${p.n})` }),
      h('td', {}, h('span', { class: 'dot', style: `background:${agentColour(p.agent)}` }), p.agent),
      h('td', { text: p.state }), h('td', { class: 'n', text: p.state === 'building' ? '—' : String(view.iteration) })))));
    if (mode === 'report' && view.partitions.length <= 16) $('#parts-details').open = true;
    const sizes = view.partitions.map((p) => p.n);
    $('#parts-note').textContent = sizes.length ? `${sizes.length} partitions of ${Math.min(...sizes)}–${Math.max(...sizes)} objects; every partition advances in lock-step between convergence tests; colour = agent` : '';
  }

  function renderMosaic() {
    const m = view.mosaic;
    const img = $('#mosaic');
    if (!m) {
      $('#mosaic-title').textContent = 'Sample objects (the first picture comes with the first convergence test)';
      return;
    }
    $('#mosaic-title').textContent = `Sample objects at iteration ${m.iteration}`;
    if (img.getAttribute('src') !== m.png) img.setAttribute('src', m.png);
  }

  function renderEvents() {
    const items = [...view.events].reverse().map((e) => h('li', { class: e.kind }, h('span', { class: 't', text: `+${e.t.toFixed(1)} s` }), h('span', { class: 'k', text: e.kind }), h('span', { text: e.text })));
    $('#events').replaceChildren(...items);
  }

  function renderRun() {
    const v = view;
    const rows = [];
    const add = (k, val) => rows.push(h('tr', {}, h('th', { text: k }), h('td', { text: String(val) })));
    if (v.metrics) {
      const m = v.metrics, b = v.baselineMetrics ?? {};
      add('NMSE (median)', `${num(m.nmse_median, 4)}   (observed: ${num(b.nmse_median, 4)})`);
      add('ellipticity error (median)', `${num(m.ellipticity_error_median, 4)}   (observed: ${num(b.ellipticity_error_median, 4)})`);
      add('PSNR (median)', `${num(m.psnr_median, 4)} dB   (observed: ${num(b.psnr_median, 4)} dB)`);
    }
    if (v.timing) add('timing', `total ${dur(v.timing.total_s)}, setup ${dur(v.timing.setup_s)}, iterations ${dur(v.timing.iterate_s)} (${num(1000 * v.timing.per_iteration_s, 3)} ms each)`);
    for (const [k, val] of Object.entries(v.inputs)) add(k, val);
    if (v.output) add('output', v.output);
    add('started', v.started);
    for (const [k, val] of Object.entries(v.options)) add(k, Array.isArray(val) ? val.join(', ') : val);
    if (v.error) add('error', v.error);
    $('#run').replaceChildren(h('tbody', {}, ...rows));
    $('#software').textContent = Object.entries(v.software).map(([k, val]) => `${k} ${val}`).join(' · ');
  }

  // Cost charts: cost (or its excess over the final value) against iteration and wall time,
  // tests as points (green: passed), reweights as dashed lines.
  function series(x) {
    const c = view.cost;
    const ref = c.value.at(-1);
    const relative = isRelative();
    const y = c.value.map((v) => (relative ? (v - ref) / ref : v)).map((v) => (Number.isFinite(v) && v > 0 ? v : null));
    const at = new Map(view.tests.map((t) => [t.iteration, t]));
    const pass = c.iteration.map((it, i) => (at.get(it)?.converged ? y[i] : null));
    const fail = c.iteration.map((it, i) => (at.has(it) && !at.get(it).converged ? y[i] : null));
    return [x, y, fail, pass];
  }

  const decades = (u, splits) => splits.map((v) => (Math.abs(Math.log10(v) % 1) < 1e-9 ? v : null));

  function chartOpts(el, xLabel, markersAt) {
    const axis = { stroke: '#cbd5e1', grid: { stroke: '#334155', width: 1 }, ticks: { stroke: '#475569', width: 1 }, font: '12px system-ui, sans-serif', labelFont: '12px system-ui, sans-serif' };
    return {
      width: Math.max(320, el.clientWidth - 8), height: 300,
      scales: { x: { time: false }, y: { distr: 3 } },
      legend: { show: false },
      cursor: { points: { size: 6 } },
      // decade grid lines only: the minor ones of a log axis are noise on a projector
      axes: [{ ...axis, label: xLabel }, { ...axis, grid: { ...axis.grid, filter: decades }, ticks: { ...axis.ticks, filter: decades }, label: isRelative() ? '(cost − final) / final' : 'cost', size: 70, values: (u, vals) => vals.map((v) => (v === null ? '' : Math.abs(v) < 1e-2 || Math.abs(v) >= 1e4 ? v.toExponential(0) : String(v))) }],
      series: [
        {},
        { label: 'cost', stroke: '#60a5fa', width: 2, spanGaps: true, points: { show: false } },
        { label: 'test', stroke: '#94a3b8', width: 0, points: { show: true, size: 6, fill: '#94a3b8', stroke: '#94a3b8' } },
        { label: 'converged', stroke: '#34d399', width: 0, points: { show: true, size: 11, fill: '#34d399', stroke: '#064e3b' } },
      ],
      hooks: {
        draw: [(u) => {
          const ctx = u.ctx;
          ctx.save();
          ctx.strokeStyle = '#f87171';
          ctx.fillStyle = '#f87171';
          ctx.setLineDash([6, 5]);
          ctx.lineWidth = 1.5 * devicePixelRatio;
          ctx.font = `${12 * devicePixelRatio}px system-ui, sans-serif`;
          for (const x of markersAt()) {
            const px = u.valToPos(x, 'x', true);
            if (!(px >= u.bbox.left && px <= u.bbox.left + u.bbox.width)) continue;
            ctx.beginPath();
            ctx.moveTo(px, u.bbox.top);
            ctx.lineTo(px, u.bbox.top + u.bbox.height);
            ctx.stroke();
            ctx.fillText('reweight', px + 4 * devicePixelRatio, u.bbox.top + 14 * devicePixelRatio);
          }
          ctx.restore();
        }],
      },
    };
  }

  let drawnRelative;
  function drawCharts(rebuild) {
    const c = view.cost;
    const relative = isRelative();
    $('#relative').checked = relative;
    if (drawnRelative !== undefined && drawnRelative !== relative) rebuild = true;
    drawnRelative = relative;
    if (c.value.length < 2) {
      $('#cost-note').textContent = 'waiting for the first costs…';
      return;
    }
    const defs = [
      ['it', '#cost-it', 'iteration', c.iteration, () => view.reweights.map((r) => r.iteration)],
      ['t', '#cost-t', 'wall time since the loop started [s]', c.timeS, () => view.reweights.map((r) => r.timeS)],
    ];
    for (const [key, sel, label, x, markers] of defs) {
      const data = series(x);
      if (rebuild && charts[key]) {
        charts[key].destroy();
        charts[key] = undefined;
      }
      if (!charts[key]) {
        const el = $(sel);
        el.replaceChildren();
        charts[key] = new uPlot(chartOpts(el, label, markers), data, el);
      } else charts[key].setData(data);
    }
    const passed = view.tests.filter((t) => t.converged).length;
    $('#cost-legend').textContent = `● convergence test (${view.tests.length})  ● passed (${passed})  ┆ reweight (${view.reweights.length})`;
    $('#cost-note').textContent = (relative ? `Excess over the ${view.status === 'finished' ? 'final' : 'latest'} cost, log scale (that cost itself is not drawn). ` : 'Log scale. ')
      + 'Within a barrier the agents run all its iterations on 4 objects at a time, so only the barrier\'s last cost has a measured time; the others are placed by iteration count between the barrier\'s start and end.';
  }

  window.addEventListener('resize', () => { for (const k of Object.keys(charts)) charts[k]?.setSize({ width: Math.max(320, $(`#cost-${k}`).clientWidth - 8), height: 300 }); });

  layout();
  if (mode === 'report') {
    view = JSON.parse($('#galdecon-state').textContent);
    render();
  } else {
    const es = new EventSource(`events${location.search}`);
    let picture;
    es.addEventListener('picture', (e) => { picture = JSON.parse(e.data); if (view) { view.mosaic = picture; renderMosaic(); } });
    es.addEventListener('state', (e) => { view = JSON.parse(e.data); view.mosaic = picture; render(); });
    es.addEventListener('error', () => {
      if (es.readyState === EventSource.CLOSED || (view && view.status === 'finished')) {
        es.close();
        const st = $('#status');
        st.textContent = `${view ? view.status : 'no data'} · the driver has exited`;
      }
    });
  }
})();
