/**
 * Cost plots as a standalone SVG 1.1 document: two panels side by side, against
 * iteration and against wall time, a dashed vertical line at each reweight. What is
 * plotted is the excess over the final cost, (cost − final) / final, on a log axis: the
 * all-ones start makes the raw cost fall by decades in a few iterations, which squeezes
 * the end of the run — where convergence is decided — into a sliver. (With a single
 * cost, or a final cost ≤ 0, the raw cost is plotted.) No external CSS or fonts.
 *
 * Values that are ≤ 0 or not finite cannot be drawn on a log axis (the final cost
 * itself, and any below it): they break the curve and are counted in a note.
 */

import { esc, c, linearAxis, fmtLin, logAxis, logLabel, type LogAxis } from './axes.ts';

export interface CostSeries {
  /** Cost values, one per evaluated iteration. */
  cost: number[];
  /** Iteration number of each cost (default 1..cost.length). */
  cost_iterations: number[];
  /** Wall time in seconds since the start of the iteration for each cost (empty: no time panel data). */
  cost_time_s: number[];
  /** Iterations after which a reweight happened (e.g. [150]: between iterations 150 and 151). */
  reweight_iterations: number[];
}

const W = 960;
const PANEL_W = W / 2;
const M = { left: 72, right: 22, top: 34, bottom: 56 };
const PLOT_H = 270;
const FONT = 'font-family="sans-serif"';
const LINE = '#1f5fa8';
const REWEIGHT = '#c62828';

function fmtCost(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e-3 && a < 1e5 ? String(Number(v.toPrecision(4))) : v.toExponential(3);
}

interface Panel {
  x0: number;
  y0: number;
  xs: number[]; // one per cost (may contain NaN where unknown)
  xLabel: string;
  reweightXs: number[];
  empty?: string; // message when there is nothing to plot on this axis
}

function panelSvg(p: Panel, cost: number[], ya: LogAxis, panelTitle: string, note: string, yLabel: string): string {
  const pw = PANEL_W - M.left - M.right;
  const ph = PLOT_H;
  const left = p.x0 + M.left;
  const top = p.y0 + M.top;
  const out: string[] = [];
  const validX = p.xs.filter((x, i) => Number.isFinite(x) && Number.isFinite(cost[i]) && cost[i] > 0);
  const allX = p.xs.filter(Number.isFinite);
  const xa = linearAxis(allX.length ? allX : [0, 1]);
  const X = (x: number) => left + ((x - xa.lo) / (xa.hi - xa.lo)) * pw;
  const Y = (v: number) => top + ph - ((Math.log10(v) - ya.lo10) / (ya.hi10 - ya.lo10)) * ph;
  const clipId = `clip${Math.round(p.x0)}`;
  out.push(`<g class="panel">`);
  out.push(`<text x="${c(left + pw / 2)}" y="${c(p.y0 + 20)}" ${FONT} font-size="14" font-weight="bold" text-anchor="middle" fill="#222">${esc(panelTitle)}</text>`);
  out.push(`<defs><clipPath id="${clipId}"><rect x="${c(left)}" y="${c(top)}" width="${c(pw)}" height="${c(ph)}"/></clipPath></defs>`);
  out.push(`<rect x="${c(left)}" y="${c(top)}" width="${c(pw)}" height="${c(ph)}" fill="#ffffff" stroke="none"/>`);
  // grid + y ticks
  for (const t of ya.ticks) {
    const y = Y(t.v);
    if (t.major) out.push(`<line x1="${c(left)}" y1="${c(y)}" x2="${c(left + pw)}" y2="${c(y)}" stroke="#e3e3e3" stroke-width="1"/>`);
    const len = t.major ? 6 : 3;
    out.push(`<line x1="${c(left - len)}" y1="${c(y)}" x2="${c(left)}" y2="${c(y)}" stroke="#333" stroke-width="1"/>`);
    if (t.label) {
      out.push(`<text x="${c(left - 9)}" y="${c(y + 4)}" ${FONT} font-size="11" text-anchor="end" fill="#333">${logLabel(t.label.mant, t.label.exp)}</text>`);
    }
  }
  // x ticks
  for (const t of xa.ticks) {
    const x = X(t);
    out.push(`<line x1="${c(x)}" y1="${c(top)}" x2="${c(x)}" y2="${c(top + ph)}" stroke="#f0f0f0" stroke-width="1"/>`);
    out.push(`<line x1="${c(x)}" y1="${c(top + ph)}" x2="${c(x)}" y2="${c(top + ph + 6)}" stroke="#333" stroke-width="1"/>`);
    out.push(`<text x="${c(x)}" y="${c(top + ph + 19)}" ${FONT} font-size="11" text-anchor="middle" fill="#333">${esc(fmtLin(t, xa.step))}</text>`);
  }
  // reweight markers
  for (const rx of p.reweightXs) {
    if (!Number.isFinite(rx) || rx < xa.lo || rx > xa.hi) continue;
    const x = X(rx);
    out.push(`<g class="reweight"><line x1="${c(x)}" y1="${c(top)}" x2="${c(x)}" y2="${c(top + ph)}" stroke="${REWEIGHT}" stroke-width="1.2" stroke-dasharray="5,4"/>` +
      `<text x="${c(x + 4)}" y="${c(top + 13)}" ${FONT} font-size="11" fill="${REWEIGHT}">reweight</text></g>`);
  }
  // the curve: polyline segments broken at undrawable points
  if (p.empty) {
    out.push(`<text x="${c(left + pw / 2)}" y="${c(top + ph / 2)}" ${FONT} font-size="13" text-anchor="middle" fill="#888">${esc(p.empty)}</text>`);
  } else {
    let seg: string[] = [];
    const segs: string[][] = [];
    for (let i = 0; i < cost.length; i++) {
      const x = p.xs[i];
      const v = cost[i];
      if (Number.isFinite(x) && Number.isFinite(v) && v > 0) seg.push(`${c(X(x))},${c(Y(v))}`);
      else if (seg.length) {
        segs.push(seg);
        seg = [];
      }
    }
    if (seg.length) segs.push(seg);
    out.push(`<g clip-path="url(#${clipId})">`);
    for (const s of segs) {
      if (s.length > 1) out.push(`<polyline points="${s.join(' ')}" fill="none" stroke="${LINE}" stroke-width="1.6" stroke-linejoin="round"/>`);
    }
    if (validX.length <= 40) {
      for (const s of segs) for (const pt of s) {
        const [cx, cy] = pt.split(',');
        out.push(`<circle cx="${cx}" cy="${cy}" r="2.5" fill="${LINE}"/>`);
      }
    }
    out.push(`</g>`);
  }
  // frame and labels
  out.push(`<rect x="${c(left)}" y="${c(top)}" width="${c(pw)}" height="${c(ph)}" fill="none" stroke="#333" stroke-width="1"/>`);
  out.push(`<text x="${c(left + pw / 2)}" y="${c(top + ph + 38)}" ${FONT} font-size="12" text-anchor="middle" fill="#222">${esc(p.xLabel)}</text>`);
  const ly = top + ph / 2;
  out.push(`<text x="${c(p.x0 + 16)}" y="${c(ly)}" ${FONT} font-size="12" text-anchor="middle" fill="#222" transform="rotate(-90 ${c(p.x0 + 16)} ${c(ly)})">${esc(yLabel)}</text>`);
  if (note) out.push(`<text x="${c(left)}" y="${c(top + ph + 52)}" ${FONT} font-size="10" fill="#888">${esc(note)}</text>`);
  out.push(`</g>`);
  return out.join('\n');
}

/**
 * Two-panel cost plot (cost vs iteration, cost vs wall time) as an SVG 1.1 document.
 * Never emits NaN; handles empty series, a single point, and costs ≤ 0.
 */
export function costPlotSvg(r: CostSeries, opts: { title?: string } = {}): string {
  const raw = r.cost ?? [];
  const n = raw.length;
  const final = raw[n - 1];
  const relative = n >= 2 && Number.isFinite(final) && final > 0;
  const cost = relative ? raw.map((v) => (v - final) / final) : raw;
  const yLabel = relative ? '(cost − final) / final, log scale' : 'cost (log scale)';
  const its = r.cost_iterations && r.cost_iterations.length === n ? r.cost_iterations : cost.map((_, i) => i + 1);
  const times = r.cost_time_s && r.cost_time_s.length === n ? r.cost_time_s : undefined;
  const reweights = r.reweight_iterations ?? [];

  const positive = cost.filter((v) => Number.isFinite(v) && v > 0);
  const ya = logAxis(positive);
  const bad = n - positive.length;
  const note = bad === 0 ? '' : relative
    ? `${bad} value${bad > 1 ? 's' : ''} at or below the final cost (or not finite) not shown`
    : `${bad} value${bad > 1 ? 's' : ''} ≤ 0 or not finite not shown`;

  // reweight positions on the time axis: the time of the cost at that iteration, else interpolated
  const reweightTimes = reweights.map((k) => {
    if (!times) return NaN;
    for (let j = 0; j < n; j++) if (its[j] === k) return times[j];
    for (let j = 1; j < n; j++) {
      if (its[j - 1] < k && its[j] > k) {
        const f = (k - its[j - 1]) / (its[j] - its[j - 1]);
        return times[j - 1] + f * (times[j] - times[j - 1]);
      }
    }
    return NaN;
  });

  const titleH = opts.title ? 44 : 8;
  const H = titleH + M.top + PLOT_H + M.bottom;
  const empty = n === 0 ? 'no cost values' : positive.length === 0 ? 'no positive cost values' : undefined;
  const sub = n > 0 ? `${n} cost value${n > 1 ? 's' : ''}, final ${fmtCost(final)} at iteration ${its[n - 1]}` +
    (reweights.length ? `; reweight after iteration ${reweights.join(', ')}` : '') : '';

  const parts: string[] = [];
  parts.push(`<?xml version="1.0" encoding="UTF-8"?>`);
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">`);
  parts.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="#fafafa"/>`);
  if (opts.title) {
    parts.push(`<text x="${W / 2}" y="22" ${FONT} font-size="16" font-weight="bold" text-anchor="middle" fill="#111">${esc(opts.title)}</text>`);
    if (sub) parts.push(`<text x="${W / 2}" y="39" ${FONT} font-size="11" text-anchor="middle" fill="#555">${esc(sub)}</text>`);
  }
  parts.push(panelSvg({ x0: 0, y0: titleH, xs: its, xLabel: 'iteration', reweightXs: reweights, empty }, cost, ya, 'Cost vs iteration', note, yLabel));
  parts.push(panelSvg({
    x0: PANEL_W,
    y0: titleH,
    xs: times ?? cost.map(() => NaN),
    xLabel: 'wall time [s]',
    reweightXs: reweightTimes,
    empty: empty ?? (times ? undefined : 'no timing data'),
  }, cost, ya, 'Cost vs wall time', times ? note : '', yLabel));
  parts.push(`</svg>`);
  return parts.join('\n') + '\n';
}
