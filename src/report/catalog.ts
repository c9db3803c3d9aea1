/**
 * The per-object catalogue (`run --catalog`, `metrics --per-object`): one row per object
 * with its ID, flux and centroid, the unweighted-moment ellipticity (ALGORITHM.md §9)
 * before and after, and with a truth the NMSE, shape error and PSNR. Columns whose inputs
 * are absent are left out. Written as CSV or (by the caller, through io) a FITS binary table.
 */
import { ellipticity, objectMetrics } from './metrics.ts';

export interface CatalogColumn {
  name: string;
  /** D: float64, J: int32, A: string. */
  format: 'D' | 'J' | 'A';
  values: ArrayLike<number> | string[];
  unit?: string;
  description: string;
}

export interface CatalogInputs {
  shape: [number, number, number];
  /** Deconvolved stack (the catalogue's "out" columns). */
  estimate: ArrayLike<number>;
  /** Observed stack ("in" columns). */
  observed?: ArrayLike<number>;
  truth?: ArrayLike<number>;
  ids?: string[];
  /** Noise σ of each object (one value for all when a number). */
  sigma?: number | ArrayLike<number>;
  /** Partition of each object and the iterations it ran. */
  partition?: ArrayLike<number>;
  /** One count for all objects (lockstep), or per object (stream: its partition's). */
  iterations?: number | ArrayLike<number>;
}

/** Flux (sum), centroid (x = column, y = row, from 0) and ellipticity of each object. */
function shapes(stack: ArrayLike<number>, n: number, ny: number, nx: number) {
  const flux = new Float64Array(n), cx = new Float64Array(n), cy = new Float64Array(n);
  const e1 = new Float64Array(n), e2 = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * ny * nx;
    let s = 0, sx = 0, sy = 0;
    for (let r = 0; r < ny; r++) {
      for (let c = 0; c < nx; c++) {
        const v = +stack[o + r * nx + c];
        s += v;
        sx += v * c;
        sy += v * r;
      }
    }
    flux[i] = s;
    cx[i] = s !== 0 ? sx / s : NaN;
    cy[i] = s !== 0 ? sy / s : NaN;
    [e1[i], e2[i]] = ellipticity(stack, o, ny, nx);
  }
  return { flux, cx, cy, e1, e2 };
}

export function catalogColumns(p: CatalogInputs): CatalogColumn[] {
  const [n, ny, nx] = p.shape;
  const cols: CatalogColumn[] = [];
  cols.push(p.ids
    ? { name: 'id', format: 'A', values: p.ids, description: 'object ID (--ids)' }
    : { name: 'id', format: 'J', values: Array.from({ length: n }, (_, i) => i), description: 'object index in the stack, from 0' });
  if (p.partition) cols.push({ name: 'partition', format: 'J', values: p.partition, description: 'partition that deconvolved the object' });
  if (p.iterations !== undefined) {
    const its = typeof p.iterations === 'number' ? new Array(n).fill(p.iterations) : p.iterations;
    cols.push({ name: 'iterations', format: 'J', values: its, description: 'iterations run' });
  }
  if (p.sigma !== undefined) {
    const s = typeof p.sigma === 'number' ? new Array(n).fill(p.sigma) : p.sigma;
    cols.push({ name: 'sigma', format: 'D', values: s, description: 'noise sigma used in the weights' });
  }
  const out = shapes(p.estimate, n, ny, nx);
  const inn = p.observed ? shapes(p.observed, n, ny, nx) : undefined;
  if (inn) {
    cols.push({ name: 'flux_in', format: 'D', values: inn.flux, description: 'sum of the observed stamp' });
  }
  cols.push({ name: 'flux_out', format: 'D', values: out.flux, description: 'sum of the deconvolved stamp' });
  cols.push({ name: 'x_out', format: 'D', values: out.cx, unit: 'pix', description: 'centroid column of the deconvolved stamp, from 0' });
  cols.push({ name: 'y_out', format: 'D', values: out.cy, unit: 'pix', description: 'centroid row of the deconvolved stamp, from 0' });
  if (inn) {
    cols.push({ name: 'e1_in', format: 'D', values: inn.e1, description: 'ellipticity e1 of the observed stamp' });
    cols.push({ name: 'e2_in', format: 'D', values: inn.e2, description: 'ellipticity e2 of the observed stamp' });
  }
  cols.push({ name: 'e1_out', format: 'D', values: out.e1, description: 'ellipticity e1 of the deconvolved stamp' });
  cols.push({ name: 'e2_out', format: 'D', values: out.e2, description: 'ellipticity e2 of the deconvolved stamp' });
  if (p.truth) {
    const m = objectMetrics(p.truth, p.estimate, n, ny, nx);
    cols.push({ name: 'nmse', format: 'D', values: m.nmse, description: 'NMSE against the truth' });
    cols.push({ name: 'ellipticity_error', format: 'D', values: m.ellipticityError, description: 'norm of e(truth) - e(out)' });
    cols.push({ name: 'psnr', format: 'D', values: m.psnr, description: 'PSNR against the truth, dB (not a FITS unit: no TUNIT)' });
  }
  return cols;
}

/** The catalogue as CSV: a header line, then one line per object; undefined values are empty. */
export function catalogCsv(cols: CatalogColumn[]): string {
  const n = cols[0]?.values.length ?? 0;
  const cell = (c: CatalogColumn, i: number): string => {
    const v = c.values[i];
    if (c.format === 'A') {
      const s = String(v);
      return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
    }
    return Number.isFinite(v as number) ? String(v) : '';
  };
  const lines = [cols.map((c) => c.name).join(',')];
  for (let i = 0; i < n; i++) lines.push(cols.map((c) => cell(c, i)).join(','));
  return lines.join('\n') + '\n';
}
