/**
 * Quality metrics of a deconvolved stack against a clean truth (ALGORITHM.md §9,
 * shared/data/README.md §4). Everything is computed in float64, whatever the input type.
 *
 * Stacks are object-major C order: `stack[(i*ny + r)*nx + c]`.
 *
 * Per object i (x = truth, x̂ = estimate):
 * - NMSE  = ‖x̂ − x‖² / ‖x‖²
 * - shape error = ‖e(x) − e(x̂)‖₂ with `e` the unweighted-moment ellipticity below
 * - PSNR  = 20·log10(ny·|max x − min x| / ‖x − x̂‖)
 * then reduced by the median (NumPy convention: mean of the two middle values for an even
 * count) and the mean over objects. `rel_err_global` = ‖X̂ − X‖_F / ‖X‖_F over the stack.
 *
 * Degenerate cases (documented policy):
 * - A truth object that is all zero has undefined NMSE and PSNR. Such objects are
 *   **excluded** from every per-object reduction and counted in `excluded_objects`
 *   (`objects` counts the objects that were reduced). They still count in
 *   `rel_err_global`. If every truth object is zero, `summarize` throws `InputError`.
 * - The ellipticity of an image whose moment denominator `d` is 0 or not finite (e.g. an
 *   all-zero estimate, or a single bright pixel) is undefined: `ellipticity` returns
 *   `[NaN, NaN]`, the object's shape error is NaN, and the shape-error reductions skip it,
 *   counting it in `ellipticity_undefined`.
 * - A perfect estimate gives PSNR = +Infinity (kept as such here; `buildReport` writes
 *   non-finite numbers as `null`).
 */
import { InputError } from '../errors.ts';
import { median } from '../common/median.ts';

export interface ObjectMetrics {
  nmse: Float64Array;
  ellipticityError: Float64Array;
  psnr: Float64Array;
}

export interface Metrics {
  nmse_median: number;
  nmse_mean: number;
  ellipticity_error_median: number;
  ellipticity_error_mean: number;
  psnr_median: number;
  psnr_mean: number;
  rel_err_global: number;
  /** Objects reduced (truth not all zero). */
  objects: number;
  /** Objects left out because their truth is all zero (NMSE/PSNR undefined). */
  excluded_objects: number;
  /** Reduced objects whose shape error is undefined (degenerate moments); skipped in the ellipticity reductions. */
  ellipticity_undefined: number;
}

function checkShape(name: string, a: ArrayLike<number>, n: number, ny: number, nx: number): void {
  for (const [k, v] of [['n', n], ['ny', ny], ['nx', nx]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new InputError(`${k} must be a positive integer, got ${v}`);
  }
  if (a.length !== n * ny * nx) {
    throw new InputError(`${name} has ${a.length} values, expected ${n}×${ny}×${nx} = ${n * ny * nx}`);
  }
}

/**
 * Unweighted quadrupole-moment ellipticity `(e1, e2)` of the `ny × nx` image starting at
 * `offset` in `img` (ALGORITHM.md §9), with k the row index and l the column index (from 0):
 * `m = Σ x·(k, l, 1, k²+l², k²−l², k·l)`, `d = m3·m2 − m0² − m1²`,
 * `e1 = (m4·m2 − m0² + m1²)/d`, `e2 = 2(m5·m2 − m0·m1)/d`.
 * So e1 > 0 for an image elongated along the rows' direction (extended in k, i.e.
 * vertically), e1 < 0 for one extended along a row (in l), and e2 > 0 when k and l grow
 * together. Returns `[NaN, NaN]` when `d` is 0 or not finite.
 */
export function ellipticity(img: ArrayLike<number>, offset: number, ny: number, nx: number): [number, number] {
  let m0 = 0, m1 = 0, m2 = 0, m3 = 0, m4 = 0, m5 = 0;
  for (let k = 0; k < ny; k++) {
    const row = offset + k * nx;
    for (let l = 0; l < nx; l++) {
      const v = +img[row + l];
      m0 += v * k;
      m1 += v * l;
      m2 += v;
      m3 += v * (k * k + l * l);
      m4 += v * (k * k - l * l);
      m5 += v * (k * l);
    }
  }
  const d = m3 * m2 - m0 * m0 - m1 * m1;
  if (d === 0 || !Number.isFinite(d)) return [NaN, NaN];
  return [(m4 * m2 - m0 * m0 + m1 * m1) / d, (2 * (m5 * m2 - m0 * m1)) / d];
}

/**
 * Per-object NMSE, shape error and PSNR. Objects whose truth is all zero get NaN in all
 * three (see the module comment); an undefined ellipticity gives a NaN shape error.
 */
export function objectMetrics(
  truth: ArrayLike<number>,
  estimate: ArrayLike<number>,
  n: number,
  ny: number,
  nx: number,
): ObjectMetrics {
  checkShape('truth', truth, n, ny, nx);
  checkShape('estimate', estimate, n, ny, nx);
  const size = ny * nx;
  const nmse = new Float64Array(n);
  const ellipticityError = new Float64Array(n);
  const psnr = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * size;
    let tt = 0, dd = 0;
    let mx = -Infinity, mn = Infinity;
    let zero = true;
    for (let p = o; p < o + size; p++) {
      const t = +truth[p];
      const diff = +estimate[p] - t;
      tt += t * t;
      dd += diff * diff;
      if (t > mx) mx = t;
      if (t < mn) mn = t;
      if (t !== 0) zero = false;
    }
    if (zero) {
      nmse[i] = NaN;
      psnr[i] = NaN;
      ellipticityError[i] = NaN;
      continue;
    }
    nmse[i] = dd / tt;
    psnr[i] = 20 * Math.log10((ny * Math.abs(mx - mn)) / Math.sqrt(dd));
    const [a1, a2] = ellipticity(truth, o, ny, nx);
    const [b1, b2] = ellipticity(estimate, o, ny, nx);
    ellipticityError[i] = Math.hypot(a1 - b1, a2 - b2);
  }
  return { nmse, ellipticityError, psnr };
}

export { median };

/** Arithmetic mean (plain left-to-right float64 sum). NaN for an empty input. */
export function mean(values: ArrayLike<number>): number {
  if (values.length === 0) return NaN;
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return s / values.length;
}

/** All metrics of `estimate` against `truth`, reduced over objects (see the module comment). */
export function summarize(
  truth: ArrayLike<number>,
  estimate: ArrayLike<number>,
  n: number,
  ny: number,
  nx: number,
): Metrics {
  const m = new MetricsSum(ny, nx);
  m.add(truth, estimate, n);
  return m.result();
}

/**
 * summarize over stacks seen in chunks of whole objects, in order (the same numbers):
 * it keeps three scalars per object for the medians, never the stacks.
 */
export class MetricsSum {
  private readonly nm: number[] = [];
  private readonly ps: number[] = [];
  private readonly el: number[] = [];
  private excluded = 0;
  private elUndef = 0;
  private tt = 0;
  private dd = 0;

  constructor(private readonly ny: number, private readonly nx: number) {}

  /** The next `n` objects of both stacks. */
  add(truth: ArrayLike<number>, estimate: ArrayLike<number>, n: number): void {
    const om = objectMetrics(truth, estimate, n, this.ny, this.nx);
    for (let i = 0; i < n; i++) {
      if (Number.isNaN(om.nmse[i])) {
        this.excluded++;
        continue;
      }
      this.nm.push(om.nmse[i]);
      this.ps.push(om.psnr[i]);
      if (Number.isNaN(om.ellipticityError[i])) this.elUndef++;
      else this.el.push(om.ellipticityError[i]);
    }
    for (let p = 0; p < truth.length; p++) {
      const t = +truth[p];
      const diff = +estimate[p] - t;
      this.tt += t * t;
      this.dd += diff * diff;
    }
  }

  result(): Metrics {
    const { nm, ps, el } = this;
    if (nm.length === 0) throw new InputError('the truth stack is all zero: metrics are undefined');
    return {
      nmse_median: median(nm),
      nmse_mean: mean(nm),
      ellipticity_error_median: median(el),
      ellipticity_error_mean: mean(el),
      psnr_median: median(ps),
      psnr_mean: mean(ps),
      rel_err_global: Math.sqrt(this.dd) / Math.sqrt(this.tt),
      objects: nm.length,
      excluded_objects: this.excluded,
      ellipticity_undefined: this.elUndef,
    };
  }
}

/** A short human-readable table of metrics (for `galdecon metrics` without `--json`). */
export function formatMetrics(m: Metrics, label = 'metrics'): string {
  const f = (v: number) => (Number.isFinite(v) ? v.toPrecision(6) : String(v));
  const lines = [
    `${label} (${m.objects} objects${m.excluded_objects ? `, ${m.excluded_objects} excluded: all-zero truth` : ''})`,
    `  NMSE              median ${f(m.nmse_median)}  mean ${f(m.nmse_mean)}`,
    `  ellipticity error median ${f(m.ellipticity_error_median)}  mean ${f(m.ellipticity_error_mean)}` +
      (m.ellipticity_undefined ? `  (${m.ellipticity_undefined} undefined)` : ''),
    `  PSNR [dB]         median ${f(m.psnr_median)}  mean ${f(m.psnr_mean)}`,
    `  rel. error global ${f(m.rel_err_global)}`,
  ];
  return lines.join('\n');
}
