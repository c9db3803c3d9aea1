/**
 * The per-object catalogue (`run --catalog`, `metrics --per-object`): one row per object
 * with its ID, flux and centroid, the unweighted-moment ellipticity (ALGORITHM.md §9)
 * before and after, and with a truth the NMSE, shape error and PSNR. Columns whose inputs
 * are absent are left out. The rows are computed by chunks of objects, from the stacks'
 * chunk alone, so nothing is kept per object; the caller writes them as they come (io's
 * table sink: CSV or a FITS binary table).
 */
import { ellipticity, objectMetrics } from './metrics.ts';

export interface CatalogColumn {
  name: string;
  /** D: float64, J: int32, A: string (`width` characters at most). */
  format: 'D' | 'J' | 'A';
  width?: number;
  unit?: string;
  description: string;
}

/** Objects first … first + n - 1. */
export interface ObjectRange {
  first: number;
  n: number;
}

/** What the catalogue holds besides what the stacks give. */
export interface CatalogOptions {
  /** Whether chunks carry the observed stack ("in" columns) and a truth (scores). */
  observed: boolean;
  truth: boolean;
  /** IDs come with each chunk (--ids); `width` is the longest. Without them, the object's index. */
  ids?: { width: number };
  /** Noise σ of each object (one value for all when a number). */
  sigma?: number | ArrayLike<number>;
  /** The partitions' objects, in partition order: each row's partition. */
  partitions?: readonly ObjectRange[];
  /** One count for all objects (lockstep), or each range's (stream: its partition's). */
  iterations?: number | readonly (ObjectRange & { iterations: number })[];
}

/** The stacks' chunk of `count` whole objects (object-major), and their IDs. */
export interface CatalogChunk {
  /** Deconvolved stack (the "out" columns). */
  estimate: ArrayLike<number>;
  /** Observed stack ("in" columns). */
  observed?: ArrayLike<number>;
  truth?: ArrayLike<number>;
  ids?: string[];
}

type Values = ArrayLike<number> | string[];

/** Flux (sum), centroid (x = column, y = row, from 0) and ellipticity of each object of a chunk. */
function shapes(stack: ArrayLike<number>, count: number, ny: number, nx: number) {
  const [flux, cx, cy, e1, e2] = Array.from({ length: 5 }, () => new Float64Array(count));
  for (let j = 0; j < count; j++) {
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
    flux[j] = s;
    cx[j] = s !== 0 ? sx / s : NaN;
    cy[j] = s !== 0 ? sy / s : NaN;
    [e1[j], e2[j]] = ellipticity(stack, o, ny, nx);
  }
  return { flux, cx, cy, e1, e2 };
}

/** What a chunk's column values are computed from. */
interface Rows {
  first: number;
  count: number;
  chunk: CatalogChunk;
  out: ReturnType<typeof shapes>;
  inn?: ReturnType<typeof shapes>;
  scores?: ReturnType<typeof objectMetrics>;
}

/** The catalogue's columns, and its rows computed by chunks of objects in any order. */
export class Catalog {
  readonly columns: CatalogColumn[];
  private readonly values: ((r: Rows) => Values)[] = [];
  private readonly has: { observed: boolean; truth: boolean };

  constructor(private readonly shape: readonly [number, number, number], o: CatalogOptions) {
    const cols: CatalogColumn[] = [];
    const add = (c: CatalogColumn, values: (r: Rows) => Values) => {
      cols.push(c);
      this.values.push(values);
    };
    if (o.ids) add({ name: 'id', format: 'A', width: o.ids.width, description: 'object ID (--ids)' }, (r) => required(r.chunk.ids, 'IDs'));
    else add({ name: 'id', format: 'J', description: 'object index in the stack, from 0' }, (r) => Int32Array.from({ length: r.count }, (_, j) => r.first + j));
    const { partitions, iterations, sigma } = o;
    if (partitions) add({ name: 'partition', format: 'J', description: 'partition that deconvolved the object' }, (r) => byRange(partitions, (_, p) => p, r));
    if (typeof iterations === 'number') add(ITERATIONS, (r) => new Int32Array(r.count).fill(iterations));
    else if (iterations) {
      const ranges = [...iterations].sort((a, b) => a.first - b.first);
      add(ITERATIONS, (r) => byRange(ranges, (x) => x.iterations, r));
    }
    if (sigma !== undefined) {
      add({ name: 'sigma', format: 'D', description: 'noise sigma used in the weights' },
        (r) => (typeof sigma === 'number' ? new Float64Array(r.count).fill(sigma) : Float64Array.from({ length: r.count }, (_, j) => sigma[r.first + j])));
    }
    if (o.observed) add({ name: 'flux_in', format: 'D', description: 'sum of the observed stamp' }, (r) => r.inn!.flux);
    add({ name: 'flux_out', format: 'D', description: 'sum of the deconvolved stamp' }, (r) => r.out.flux);
    add({ name: 'x_out', format: 'D', unit: 'pix', description: 'centroid column of the deconvolved stamp, from 0' }, (r) => r.out.cx);
    add({ name: 'y_out', format: 'D', unit: 'pix', description: 'centroid row of the deconvolved stamp, from 0' }, (r) => r.out.cy);
    if (o.observed) {
      add({ name: 'e1_in', format: 'D', description: 'ellipticity e1 of the observed stamp' }, (r) => r.inn!.e1);
      add({ name: 'e2_in', format: 'D', description: 'ellipticity e2 of the observed stamp' }, (r) => r.inn!.e2);
    }
    add({ name: 'e1_out', format: 'D', description: 'ellipticity e1 of the deconvolved stamp' }, (r) => r.out.e1);
    add({ name: 'e2_out', format: 'D', description: 'ellipticity e2 of the deconvolved stamp' }, (r) => r.out.e2);
    if (o.truth) {
      add({ name: 'nmse', format: 'D', description: 'NMSE against the truth' }, (r) => r.scores!.nmse);
      add({ name: 'ellipticity_error', format: 'D', description: 'norm of e(truth) - e(out)' }, (r) => r.scores!.ellipticityError);
      add({ name: 'psnr', format: 'D', description: 'PSNR against the truth, dB (not a FITS unit: no TUNIT)' }, (r) => r.scores!.psnr);
    }
    this.columns = cols;
    this.has = { observed: o.observed, truth: o.truth };
  }

  /** The rows of objects first … first + count - 1, from their chunk: one array of `count` values per column. */
  rows(first: number, count: number, chunk: CatalogChunk): Values[] {
    const [, ny, nx] = this.shape;
    const r: Rows = {
      first, count, chunk,
      out: shapes(chunk.estimate, count, ny, nx),
      inn: this.has.observed ? shapes(required(chunk.observed, 'observed stack'), count, ny, nx) : undefined,
      scores: this.has.truth ? objectMetrics(required(chunk.truth, 'truth'), chunk.estimate, count, ny, nx) : undefined,
    };
    return this.values.map((v) => v(r));
  }
}

const ITERATIONS: CatalogColumn = { name: 'iterations', format: 'J', description: 'iterations run' };

/** Each row's value from the range that holds it (ranges sorted by `first`; 0 for a row in none). */
function byRange<R extends ObjectRange>(ranges: readonly R[], value: (range: R, index: number) => number, rows: Rows): Int32Array {
  const out = new Int32Array(rows.count);
  let k = 0;
  for (let lo = 0, hi = ranges.length - 1; lo <= hi;) {
    const mid = (lo + hi) >> 1;
    if (ranges[mid].first <= rows.first) [k, lo] = [mid, mid + 1];
    else hi = mid - 1;
  }
  for (let j = 0; j < rows.count; j++) {
    const i = rows.first + j;
    while (k + 1 < ranges.length && ranges[k + 1].first <= i) k++;
    const range = ranges[k];
    out[j] = range && range.first <= i && i < range.first + range.n ? value(range, k) : 0;
  }
  return out;
}

function required<T>(v: T | undefined, name: string): T {
  if (v === undefined) throw new Error(`Catalog: a chunk without its ${name}`);
  return v;
}
