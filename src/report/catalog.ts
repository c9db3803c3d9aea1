/**
 * The per-object catalogue (`run --catalog`, `metrics --per-object`): one row per object
 * with its ID, flux and centroid, the unweighted-moment ellipticity (ALGORITHM.md §9)
 * before and after, and with a truth the NMSE, shape error and PSNR. Columns whose inputs
 * are absent are left out. Written as CSV or (by the caller, through io) a FITS binary table.
 */
import { ellipticity, objectMetrics, type ObjectMetrics } from './metrics.ts';

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

/** The stacks' chunk of `count` whole objects (object-major), as CatalogInputs' stacks. */
export interface CatalogChunk {
  estimate: ArrayLike<number>;
  observed?: ArrayLike<number>;
  truth?: ArrayLike<number>;
}

/** Flux (sum), centroid (x = column, y = row, from 0) and ellipticity of each object. */
class Shapes {
  readonly flux: Float64Array;
  readonly cx: Float64Array;
  readonly cy: Float64Array;
  readonly e1: Float64Array;
  readonly e2: Float64Array;

  constructor(n: number, private readonly ny: number, private readonly nx: number) {
    [this.flux, this.cx, this.cy, this.e1, this.e2] = Array.from({ length: 5 }, () => new Float64Array(n));
  }

  /** Objects first … first + count - 1, from `stack` holding just them. */
  add(stack: ArrayLike<number>, first: number, count: number): void {
    const { ny, nx } = this;
    for (let j = 0; j < count; j++) {
      const i = first + j;
      const o = j * ny * nx;
      let s = 0, sx = 0, sy = 0;
      for (let r = 0; r < ny; r++) {
        for (let c = 0; c < nx; c++) {
          const v = +stack[o + r * nx + c];
          s += v;
          sx += v * c;
          sy += v * r;
        }
      }
      this.flux[i] = s;
      this.cx[i] = s !== 0 ? sx / s : NaN;
      this.cy[i] = s !== 0 ? sy / s : NaN;
      [this.e1[i], this.e2[i]] = ellipticity(stack, o, ny, nx);
    }
  }
}

/**
 * The catalogue of stacks seen in chunks of whole objects (any order, any sizes): it keeps
 * a few numbers per object, never the stacks. The columns are those catalogColumns gives.
 */
export class CatalogBuilder {
  private readonly out: Shapes;
  private readonly inn?: Shapes;
  private readonly scores?: ObjectMetrics;

  constructor(private readonly shape: [number, number, number], has: { observed: boolean; truth: boolean }) {
    const [n, ny, nx] = shape;
    this.out = new Shapes(n, ny, nx);
    if (has.observed) this.inn = new Shapes(n, ny, nx);
    if (has.truth) this.scores = { nmse: new Float64Array(n), ellipticityError: new Float64Array(n), psnr: new Float64Array(n) };
  }

  /** Objects first … first + count - 1 of each stack. */
  add(first: number, count: number, c: CatalogChunk): void {
    const [, ny, nx] = this.shape;
    this.out.add(c.estimate, first, count);
    if (this.inn) this.inn.add(required(c.observed, 'observed'), first, count);
    if (this.scores) {
      const m = objectMetrics(required(c.truth, 'truth'), c.estimate, count, ny, nx);
      this.scores.nmse.set(m.nmse, first);
      this.scores.ellipticityError.set(m.ellipticityError, first);
      this.scores.psnr.set(m.psnr, first);
    }
  }

  columns(p: Omit<CatalogInputs, 'shape' | keyof CatalogChunk>): CatalogColumn[] {
    const [n] = this.shape;
    const { out, inn, scores } = this;
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
    if (scores) {
      cols.push({ name: 'nmse', format: 'D', values: scores.nmse, description: 'NMSE against the truth' });
      cols.push({ name: 'ellipticity_error', format: 'D', values: scores.ellipticityError, description: 'norm of e(truth) - e(out)' });
      cols.push({ name: 'psnr', format: 'D', values: scores.psnr, description: 'PSNR against the truth, dB (not a FITS unit: no TUNIT)' });
    }
    return cols;
  }
}

function required<T>(v: T | undefined, name: string): T {
  if (v === undefined) throw new Error(`CatalogBuilder: a chunk without its ${name} stack`);
  return v;
}

/** The catalogue of whole stacks in memory. */
export function catalogColumns(p: CatalogInputs): CatalogColumn[] {
  const b = new CatalogBuilder(p.shape, { observed: p.observed !== undefined, truth: p.truth !== undefined });
  b.add(0, p.shape[0], p);
  return b.columns(p);
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
