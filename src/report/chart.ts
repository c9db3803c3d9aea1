// A generic line chart (several series, linear or log axes) as a standalone SVG 1.1
// document, for the benchmark report. Shares its axes with the cost plots.

import { esc, c, linearAxis, fmtLin, logAxis, logLabel } from './axes.ts';

export interface Series {
  name: string;
  x: number[];
  y: number[];
  /** Optional error bars / ranges per point (min, max). */
  lo?: number[];
  hi?: number[];
}

export interface ChartOptions {
  title: string;
  subtitle?: string;
  xLabel: string;
  yLabel: string;
  logX?: boolean;
  logY?: boolean;
  /** Horizontal reference lines, e.g. a target. */
  hlines?: { y: number; label: string }[];
}

const W = 760;
const H = 420;
const M = { left: 80, right: 170, top: 64, bottom: 56 };
const FONT = 'font-family="sans-serif"';
const COLOURS = ['#1f5fa8', '#c62828', '#2e7d32', '#6a1b9a', '#ef6c00', '#00838f'];

type Scale = { to: (v: number) => number; ticks: { v: number; label: string }[] };

function scale(values: number[], log: boolean, a: number, b: number): Scale {
  if (log) {
    const ax = logAxis(values.filter((v) => v > 0));
    const to = (v: number) => a + ((Math.log10(v) - ax.lo10) / (ax.hi10 - ax.lo10)) * (b - a);
    return { to, ticks: ax.ticks.filter((t) => t.label).map((t) => ({ v: t.v, label: logLabel(t.label!.mant, t.label!.exp) })) };
  }
  const ax = linearAxis(values.length ? values : [0, 1]);
  const to = (v: number) => a + ((v - ax.lo) / (ax.hi - ax.lo)) * (b - a);
  return { to, ticks: ax.ticks.map((t) => ({ v: t, label: esc(fmtLin(t, ax.step)) })) };
}

export function lineChartSvg(series: Series[], o: ChartOptions): string {
  const ok = (v: number, log?: boolean) => Number.isFinite(v) && (!log || v > 0);
  const xs = series.flatMap((s) => s.x).filter((v) => ok(v, o.logX));
  const ys = series.flatMap((s) => [...s.y, ...(s.lo ?? []), ...(s.hi ?? [])]).concat((o.hlines ?? []).map((h) => h.y)).filter((v) => ok(v, o.logY));
  const left = M.left, right = W - M.right, top = M.top, bottom = H - M.bottom;
  const X = scale(xs, o.logX === true, left, right);
  const Y = scale(ys, o.logY === true, bottom, top);
  const out: string[] = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">`,
    `<rect x="0" y="0" width="${W}" height="${H}" fill="#fafafa"/>`,
    `<text x="${(left + right) / 2}" y="24" ${FONT} font-size="16" font-weight="bold" text-anchor="middle" fill="#111">${esc(o.title)}</text>`,
  ];
  if (o.subtitle) out.push(`<text x="${(left + right) / 2}" y="42" ${FONT} font-size="11" text-anchor="middle" fill="#555">${esc(o.subtitle)}</text>`);
  out.push(`<rect x="${left}" y="${top}" width="${right - left}" height="${bottom - top}" fill="#fff" stroke="#333"/>`);
  for (const t of Y.ticks) {
    const y = Y.to(t.v);
    if (y < top - 0.5 || y > bottom + 0.5) continue;
    out.push(`<line x1="${left}" y1="${c(y)}" x2="${right}" y2="${c(y)}" stroke="#e6e6e6"/>`);
    out.push(`<text x="${left - 8}" y="${c(y + 4)}" ${FONT} font-size="11" text-anchor="end" fill="#333">${t.label}</text>`);
  }
  for (const t of X.ticks) {
    const x = X.to(t.v);
    if (x < left - 0.5 || x > right + 0.5) continue;
    out.push(`<line x1="${c(x)}" y1="${bottom}" x2="${c(x)}" y2="${bottom + 5}" stroke="#333"/>`);
    out.push(`<text x="${c(x)}" y="${bottom + 18}" ${FONT} font-size="11" text-anchor="middle" fill="#333">${t.label}</text>`);
  }
  for (const h of o.hlines ?? []) {
    if (!ok(h.y, o.logY)) continue;
    const y = Y.to(h.y);
    out.push(`<line x1="${left}" y1="${c(y)}" x2="${right}" y2="${c(y)}" stroke="#888" stroke-dasharray="6,4"/>`);
    out.push(`<text x="${right - 4}" y="${c(y - 4)}" ${FONT} font-size="10" text-anchor="end" fill="#666">${esc(h.label)}</text>`);
  }
  series.forEach((s, k) => {
    const col = COLOURS[k % COLOURS.length];
    const pts: string[] = [];
    s.x.forEach((x, i) => {
      const y = s.y[i];
      if (!ok(x, o.logX) || !ok(y, o.logY)) return;
      const px = X.to(x), py = Y.to(y);
      pts.push(`${c(px)},${c(py)}`);
      if (s.lo && s.hi && ok(s.lo[i], o.logY) && ok(s.hi[i], o.logY)) {
        out.push(`<line x1="${c(px)}" y1="${c(Y.to(s.lo[i]))}" x2="${c(px)}" y2="${c(Y.to(s.hi[i]))}" stroke="${col}" stroke-width="1"/>`);
      }
      if (s.x.length <= 60) out.push(`<circle cx="${c(px)}" cy="${c(py)}" r="3" fill="${col}"/>`);
    });
    if (pts.length > 1) out.push(`<polyline points="${pts.join(' ')}" fill="none" stroke="${col}" stroke-width="1.8"/>`);
    out.push(`<rect x="${right + 14}" y="${top + 8 + k * 20}" width="14" height="4" fill="${col}"/>`);
    out.push(`<text x="${right + 34}" y="${top + 14 + k * 20}" ${FONT} font-size="11" fill="#222">${esc(s.name)}</text>`);
  });
  out.push(`<text x="${(left + right) / 2}" y="${H - 14}" ${FONT} font-size="12" text-anchor="middle" fill="#222">${esc(o.xLabel)}</text>`);
  out.push(`<text x="18" y="${(top + bottom) / 2}" ${FONT} font-size="12" text-anchor="middle" fill="#222" transform="rotate(-90 18 ${(top + bottom) / 2})">${esc(o.yLabel)}</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}
