// Axis scales, ticks and SVG text helpers shared by the project's plots.

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Coordinate formatting that refuses to emit NaN (a bug if it happens). */
export function c(v: number): string {
  if (!Number.isFinite(v)) throw new Error(`svg: non-finite coordinate ${v}`);
  return (Math.round(v * 100) / 100).toString();
}

export function niceStep(span: number, maxTicks: number): number {
  const raw = span / Math.max(1, maxTicks);
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

export interface LinAxis { lo: number; hi: number; ticks: number[]; step: number }

export function linearAxis(values: number[], maxTicks = 6): LinAxis {
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (!(hi > lo)) {
    const pad = Math.abs(lo) > 0 ? Math.abs(lo) * 0.5 : 1;
    lo -= pad;
    hi += pad;
  }
  if (lo >= 0 && lo < (hi - lo) * 0.25) lo = 0; // start at 0 when close to it
  const step = niceStep(hi - lo, maxTicks);
  lo = Math.floor(lo / step + 1e-9) * step;
  hi = Math.ceil(hi / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let t = lo; t <= hi + step * 1e-6; t += step) ticks.push(Math.abs(t) < step * 1e-9 ? 0 : t);
  return { lo, hi, ticks, step };
}

export function fmtLin(v: number, step: number): string {
  if (v === 0) return '0';
  if (Math.abs(v) >= 1e6 || Math.abs(v) < 1e-4) return v.toExponential(1);
  const e = Math.floor(Math.log10(step) + 1e-9);
  const extra = Math.abs(step / Math.pow(10, e) - 2.5) < 1e-9 ? 1 : 0; // 2.5, 0.25, ...
  return v.toFixed(Math.min(8, Math.max(0, extra - e)));
}

export interface LogTick { v: number; major: boolean; label?: { mant: number; exp: number } }
export interface LogAxis { lo10: number; hi10: number; ticks: LogTick[] }

export function logAxis(pos: number[]): LogAxis {
  let lo10: number, hi10: number;
  if (pos.length === 0) {
    lo10 = -1;
    hi10 = 1;
  } else {
    lo10 = Math.floor(Math.log10(Math.min(...pos)) + 1e-12);
    hi10 = Math.ceil(Math.log10(Math.max(...pos)) - 1e-12);
    if (hi10 <= lo10) hi10 = lo10 + 1;
  }
  const span = hi10 - lo10;
  const ticks: LogTick[] = [];
  const every = Math.max(1, Math.ceil(span / 8));
  for (let e = lo10; e <= hi10; e++) {
    const labelled = (e - lo10) % every === 0 || e === hi10;
    ticks.push({ v: Math.pow(10, e), major: true, label: labelled ? { mant: 1, exp: e } : undefined });
    if (e === hi10) break;
    if (span <= 10) {
      for (let m = 2; m <= 9; m++) {
        const lab = span <= 2 && (m === 2 || m === 5);
        ticks.push({ v: m * Math.pow(10, e), major: false, label: lab ? { mant: m, exp: e } : undefined });
      }
    }
  }
  return { lo10, hi10, ticks };
}

export function logLabel(mant: number, exp: number): string {
  if (exp >= -3 && exp <= 3) {
    const v = mant * Math.pow(10, exp);
    return esc(exp < 0 ? v.toFixed(-exp) : String(Math.round(v)));
  }
  const pre = mant === 1 ? '10' : `${mant}×10`;
  return `${pre}<tspan dy="-6" font-size="9">${exp}</tspan>`;
}

