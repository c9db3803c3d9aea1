/**
 * A space-variant PSF: an elliptical Moffat profile whose FWHM, β and ellipticity vary
 * smoothly over a simulated focal plane, (u, v) ∈ [−1, 1]².
 *
 * Profile (the convention of `shared/data/synthetic/make_synthetic.py`): with dx = column −
 * cx, dy = row − cy, (cy, cx) = (ny >> 1, nx >> 1) the kernel origin of docs/ALGORITHM.md §2,
 *     xs = (1 − e1) dx − e2 dy,   ys = −e2 dx + (1 + e1) dy,
 *     P ∝ (1 + (xs² + ys²)/α²)^(−β),   α = FWHM / (2 √(2^{1/β} − 1)).
 * e1 > 0 elongates the PSF along the columns (x), e2 > 0 along the x = y diagonal;
 * |e| = (a − b)/(a + b) of the isophotes. NB: the unweighted-moment ellipticity of
 * docs/ALGORITHM.md §9 (k = row) has the opposite sign for e1: ≈ (−2e1, 2e2)/(1 + |e|²).
 *
 * Field model (`DEFAULT_PSF_FIELD`, ρ² = (u² + v²)/2 ∈ [0, 1]):
 *     FWHM = 2.2 + 0.9 ρ² + 0.15 u + 0.1 v             ∈ [2.18, 3.35] px  (field curvature + tilt)
 *     β    = 4.2 − 1.4 ρ² − 0.2 v                       ∈ [2.6, 4.21]       (wider wings off-axis)
 *     e1 + i e2 = (0.015 − 0.01i) − 0.06 (u + iv)²/2 + 0.01 (v + iu)
 *                                                        |e| ≤ 0.092        (constant + tangential
 *                                                                           astigmatism + gradient)
 * All three are polynomials of degree ≤ 2 in (u, v): neighbouring positions have nearby PSFs.
 *
 * Pixel integration (r_s = √(xs² + ys²) at the pixel centre): Gauss–Legendre, 2×2 sub-cells
 * of 3×3 nodes for r_s < CORE·α, 3×3 nodes up to MID·α, 2×2 nodes up to FAR·α, and the
 * pixel-centre value beyond (where the profile is ≲ 1e-3 of the peak and smooth). The
 * profile comes from a cubic Hermite table in u = r_s/α on a fixed grid (values
 * exp(−β·log(1 + u²)), the logs shared by all objects). Max pixel error vs. a brute-force
 * 6×6×(3×3 Gauss) integration: < 5e-5 of the peak. The kernel is normalised to sum 1
 * (in float64, then rounded to the output type).
 */

export interface PsfParams {
  /** full width at half maximum, pixels (of the unsheared profile) */
  fwhm: number;
  /** Moffat β */
  beta: number;
  /** ellipticity components (see module comment) */
  e1: number;
  e2: number;
}

export interface PsfField {
  /** FWHM = c[0] + c[1]·ρ² + c[2]·u + c[3]·v */
  fwhm: readonly [number, number, number, number];
  /** β = c[0] + c[1]·ρ² + c[2]·u + c[3]·v */
  beta: readonly [number, number, number, number];
  /** constant ellipticity (e1, e2) */
  e0: readonly [number, number];
  /** tangential astigmatism: e −= astig·(u + iv)²/2 */
  astig: number;
  /** linear gradient: e += grad·(v, u) */
  grad: number;
}

export const DEFAULT_PSF_FIELD: PsfField = {
  fwhm: [2.2, 0.9, 0.15, 0.1],
  beta: [4.2, -1.4, 0, -0.2],
  e0: [0.015, -0.01],
  astig: 0.06,
  grad: 0.01,
};

/** PSF parameters at focal-plane position (u, v). */
export function psfAt(u: number, v: number, field: PsfField = DEFAULT_PSF_FIELD): PsfParams {
  const r2 = 0.5 * (u * u + v * v);
  const f = field.fwhm;
  const b = field.beta;
  return {
    fwhm: f[0] + f[1] * r2 + f[2] * u + f[3] * v,
    beta: b[0] + b[1] * r2 + b[2] * u + b[3] * v,
    e1: field.e0[0] - field.astig * 0.5 * (u * u - v * v) + field.grad * v,
    e2: field.e0[1] - field.astig * u * v + field.grad * u,
  };
}

export function moffatAlpha(fwhm: number, beta: number): number {
  return fwhm / (2 * Math.sqrt(Math.pow(2, 1 / beta) - 1));
}

/** Coefficients of x = (P dx² + Q dx dy + R dy²) = (xs² + ys²)/α². */
function shearForm(p: PsfParams): [number, number, number] {
  const { e1, e2 } = p;
  const ia2 = 1 / moffatAlpha(p.fwhm, p.beta) ** 2;
  return [((1 - e1) ** 2 + e2 * e2) * ia2, -4 * e2 * ia2, ((1 + e1) ** 2 + e2 * e2) * ia2];
}

export const CORE = 0.7;
export const MID = 2;
export const FAR = 4;
const G2X = 0.28867513459481287; // 1/(2√3)
const G3X = 0.3872983346207417; // √(3/5)/2
const W0 = 5 / 18;
const W1 = 8 / 18;

// Hermite table in u = r_s/α on a fixed grid shared by all objects.
const TAB_H = 1 / 32;
let tabN = 0;
let logs = new Float64Array(0); // log(1 + u_j²)
let tabV = new Float64Array(0); // g(u_j)
let tabD = new Float64Array(0); // TAB_H · g'(u_j)

function ensureLogs(n: number): void {
  if (n <= tabN) return;
  tabN = Math.max(n, 2 * tabN);
  logs = new Float64Array(tabN + 2);
  tabV = new Float64Array(tabN + 2);
  tabD = new Float64Array(tabN + 2);
  for (let j = 0; j < tabN + 2; j++) {
    const u = j * TAB_H;
    logs[j] = Math.log(1 + u * u);
  }
}

const cur = { P: 1, Q: 0, R: 1, n: 0 };

/** Tabulated Moffat g(u) = (1 + u²)^(−β) at offset (dx, dy), current object. */
function moffat(dx: number, dy: number): number {
  const x = cur.P * dx * dx + cur.Q * dx * dy + cur.R * dy * dy;
  const t = Math.sqrt(x) * (1 / TAB_H);
  let i = t | 0;
  if (i > cur.n) i = cur.n;
  const w = t - i;
  const u = 1 - w;
  return u * u * ((1 + 2 * w) * tabV[i]! + w * tabD[i]!) +
    w * w * ((3 - 2 * w) * tabV[i + 1]! - u * tabD[i + 1]!);
}

function gauss3(f: (dx: number, dy: number) => number, x: number, y: number, h: number): number {
  const g = G3X * h;
  const ym = y - g;
  const yp = y + g;
  const xm = x - g;
  const xp = x + g;
  return W0 * (W0 * f(xm, ym) + W1 * f(x, ym) + W0 * f(xp, ym)) +
    W1 * (W0 * f(xm, y) + W1 * f(x, y) + W0 * f(xp, y)) +
    W0 * (W0 * f(xm, yp) + W1 * f(x, yp) + W0 * f(xp, yp));
}

let img = new Float64Array(0);

function integrate(p: PsfParams, ny: number, nx: number, f: (dx: number, dy: number) => number,
  core: number, mid: number, far: number, out: Float32Array | Float64Array, offset: number): void {
  const npix = ny * nx;
  if (img.length < npix) img = new Float64Array(npix);
  const im = img;
  const [P, Q, R] = shearForm(p);
  const cy = ny >> 1;
  const cx = nx >> 1;
  const core2 = core * core;
  const mid2 = mid * mid;
  const far2 = far * far;
  let sum = 0;
  for (let i = 0; i < ny; i++) {
    const dy = i - cy;
    const im2 = 2 * cy - i; // mirror row
    for (let j = 0; j < nx; j++) {
      const dx = j - cx;
      const jm2 = 2 * cx - j;
      if (im2 >= 0 && im2 < ny && jm2 >= 0 && jm2 < nx && im2 * nx + jm2 < i * nx + j) {
        // the profile is point-symmetric about the origin pixel: copy the mirror pixel
        const v = im[im2 * nx + jm2]!;
        im[i * nx + j] = v;
        sum += v;
        continue;
      }
      const x = P * dx * dx + Q * dx * dy + R * dy * dy;
      let v: number;
      if (x >= far2) {
        v = f(dx, dy);
      } else if (x >= mid2) {
        v = 0.25 * (f(dx - G2X, dy - G2X) + f(dx + G2X, dy - G2X) + f(dx - G2X, dy + G2X) +
          f(dx + G2X, dy + G2X));
      } else if (x >= core2) {
        v = gauss3(f, dx, dy, 1);
      } else {
        v = 0.25 * (gauss3(f, dx - 0.25, dy - 0.25, 0.5) + gauss3(f, dx + 0.25, dy - 0.25, 0.5) +
          gauss3(f, dx - 0.25, dy + 0.25, 0.5) + gauss3(f, dx + 0.25, dy + 0.25, 0.5));
      }
      im[i * nx + j] = v;
      sum += v;
    }
  }
  const scale = 1 / sum;
  for (let k = 0; k < npix; k++) out[offset + k] = im[k]! * scale;
}

/** Renders the PSF into out[offset … offset + ny·nx), origin (ny >> 1, nx >> 1), sum 1. */
export function renderPsf(p: PsfParams, ny: number, nx: number, out: Float32Array | Float64Array,
  offset = 0): void {
  const [P, Q, R] = shearForm(p);
  // largest u in the stamp (corners, with the half-pixel margin)
  let xMax = 0;
  for (const X of [-0.5 - (nx >> 1), nx - 0.5 - (nx >> 1)]) {
    for (const Y of [-0.5 - (ny >> 1), ny - 0.5 - (ny >> 1)]) xMax = Math.max(xMax, P * X * X + Q * X * Y + R * Y * Y);
  }
  const n = Math.ceil(Math.sqrt(xMax) / TAB_H) + 1;
  ensureLogs(n);
  const beta = p.beta;
  for (let j = 0; j <= n + 1; j++) {
    const u = j * TAB_H;
    const g = Math.exp(-beta * logs[j]!);
    tabV[j] = g;
    tabD[j] = ((-2 * beta * u * g) / (1 + u * u)) * TAB_H;
  }
  cur.P = P;
  cur.Q = Q;
  cur.R = R;
  cur.n = n;
  integrate(p, ny, nx, moffat, CORE, MID, FAR, out, offset);
}

/**
 * Reference rendering for checks: direct evaluation, every pixel split into `sub`×`sub`
 * cells of 3×3 Gauss nodes. Slow.
 */
export function renderPsfReference(p: PsfParams, ny: number, nx: number, sub = 4): Float64Array {
  const [P, Q, R] = shearForm(p);
  const f = (dx: number, dy: number): number => Math.pow(1 + P * dx * dx + Q * dx * dy + R * dy * dy, -p.beta);
  const out = new Float64Array(ny * nx);
  const cy = ny >> 1;
  const cx = nx >> 1;
  let sum = 0;
  const h = 1 / sub;
  for (let i = 0; i < ny; i++) {
    for (let j = 0; j < nx; j++) {
      let v = 0;
      for (let a = 0; a < sub; a++) {
        for (let b = 0; b < sub; b++) {
          v += gauss3(f, j - cx - 0.5 + (b + 0.5) * h, i - cy - 0.5 + (a + 0.5) * h, h);
        }
      }
      out[i * nx + j] = v;
      sum += v;
    }
  }
  for (let k = 0; k < out.length; k++) out[k] = out[k]! / sum;
  return out;
}
