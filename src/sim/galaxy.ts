/**
 * Bulge + disk galaxies: a Sérsic bulge and an exponential (n = 1) disk sharing one centre,
 * axis ratio and position angle, integrated over pixels.
 *
 * Geometry (as in `shared/data/synthetic/make_synthetic.py`): with dx = column − xc and
 * dy = row − yc, the elliptical radius is
 *     xr = dx cosθ + dy sinθ,  yr = −dx sinθ + dy cosθ,  r = sqrt(q·xr² + yr²/q)
 * so θ is the angle of the major axis from the +column axis towards +row, and the radii
 * are circularised (geometric-mean) half-light radii. A component of unit flux is
 *     I(r) = b^{2n} / (2π n Γ(2n) re²) · exp(−b (r/re)^{1/n}),   b = b(n) (Ciotti & Bertin 1999)
 *
 * Pixel integration (each pixel value is the mean of the profile over the pixel):
 * adaptive Gauss–Legendre quadrature. Cells on which the profile is smooth get a 3×3 rule;
 * cells close to the centre (relative to their size, in the elliptical metric) are split
 * 2×2 recursively, which resolves the central cusp of n ≈ 4 bulges (5×5 midpoint sampling,
 * as in make_synthetic.py, gets such centre pixels wrong by up to ~3× the peak). Far pixels
 * use the centre value plus the Euler–Maclaurin term ∇²f/24. The profile comes from
 * per-object tables (cubic Hermite in r for r ≥ 1 px, linear in r^{1/4} inside, where the
 * cusp is steep). `renderGalaxyReference` (direct evaluation, stricter criterion) checks
 * it: max pixel error < 1e-4 of the peak pixel.
 *
 * Stamp truncation: the image is multiplied by a circular taper around the galaxy centre
 * (1 inside 0.75·h, 0 beyond h + 1, h = half the smaller stamp side; `taper`), then
 * normalised so that it sums to `flux` exactly: `flux` is the flux in the stamp. The taper
 * makes the stamp edges ~0 (so periodic and linear convolution agree); the light it and
 * the stamp cut off is median 0.6 %, up to ~6 % for the extended wings of n ≈ 4 bulges.
 */
import type { Rng } from './random.ts';

export interface GalaxyParams {
  /** total flux of the stamp (sum of its pixels) */
  flux: number;
  /** bulge half-light radius, pixels */
  bulge_re: number;
  /** bulge Sérsic index */
  bulge_n: number;
  /** disk half-light radius, pixels (exponential, n = 1) */
  disk_re: number;
  /** bulge-to-total ratio of the analytic (untruncated) profiles */
  bulge_fraction: number;
  /** axis ratio b/a, shared by bulge and disk */
  q: number;
  /** position angle of the major axis, radians, from +column towards +row */
  theta: number;
  /** centre, column coordinate (pixel centres at integers) */
  xc: number;
  /** centre, row coordinate */
  yc: number;
}

/** Sérsic b(n), Ciotti & Bertin (1999) asymptotic expansion (relative error ≲ 3e-5 at
 *  n = 1, smaller for larger n; 4e-4 at n = 0.5). */
export function sersicB(n: number): number {
  return (
    2 * n - 1 / 3 + 4 / (405 * n) + 46 / (25515 * n * n) + 131 / (1148175 * n * n * n) -
    2194697 / (30690717750 * n * n * n * n)
  );
}

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
  -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
  1.5056327351493116e-7,
];

/** Γ(x) for x > 0.5 (Lanczos, g = 7; relative error ~1e-15). */
export function gamma(x: number): number {
  x -= 1;
  let a = LANCZOS[0]!;
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (x + i);
  return Math.sqrt(2 * Math.PI) * Math.pow(t, x + 0.5) * Math.exp(-t) * a;
}

/** Central surface brightness factor K of a unit-flux Sérsic: I(r) = K exp(−b (r/re)^{1/n}). */
export function sersicNorm(re: number, n: number): number {
  const b = sersicB(n);
  return Math.pow(b, 2 * n) / (2 * Math.PI * n * gamma(2 * n) * re * re);
}

/** Analytic surface brightness of the (untruncated) model at elliptical radius² s. */
export function profileAt(p: GalaxyParams, s: number): number {
  const r = Math.sqrt(s);
  const bb = sersicB(p.bulge_n);
  const bd = sersicB(1);
  return (
    p.flux * p.bulge_fraction * sersicNorm(p.bulge_re, p.bulge_n) *
      Math.exp(-bb * Math.pow(r / p.bulge_re, 1 / p.bulge_n)) +
    p.flux * (1 - p.bulge_fraction) * sersicNorm(p.disk_re, 1) * Math.exp((-bd * r) / p.disk_re)
  );
}

/** Coefficients of s = A dx² + B dx dy + C dy². */
function quadForm(q: number, theta: number): [number, number, number] {
  const c = Math.cos(theta);
  const sn = Math.sin(theta);
  return [q * c * c + (sn * sn) / q, 2 * c * sn * (q - 1 / q), q * sn * sn + (c * c) / q];
}

/**
 * Stamp taper at squared distance d2 from the galaxy centre: 1 inside r1 = 0.75·half,
 * 0 beyond r2 = half + 1, and a smoothstep in d² in between (C¹, no sqrt/cos needed).
 */
export function taper(d2: number, half: number): number {
  const r1 = 0.75 * half;
  const r2 = half + 1;
  if (d2 <= r1 * r1) return 1;
  if (d2 >= r2 * r2) return 0;
  const t = (d2 - r1 * r1) / (r2 * r2 - r1 * r1);
  return 1 - t * t * (3 - 2 * t);
}

/**
 * Adaptive pixel integration. Let e(h) = h·½√(A + C + |B|) bound the elliptical radius of
 * the offsets within a cell of side h. A cell whose centre has elliptical radius
 * r ≥ (1 + KAPPA)·e(h) (the profile is smooth over it) gets a 3×3 Gauss–Legendre rule;
 * otherwise it is split 2×2, down to MIN_CELL px. In the fast path a whole pixel with
 * r ≥ (1 + KAPPA2)·e(1) gets the centre value + ∇²f/24 (`tabulatedPixel`).
 */
export const KAPPA = 0.5;
export const KAPPA2 = 5;
const MIN_CELL = 1 / 256;
const G3X = [-0.3872983346207417, 0, 0.3872983346207417]; // ±sqrt(3/5)/2, unit cell
const G3W = [5 / 18, 8 / 18, 5 / 18];

type Profile = (dx: number, dy: number) => number;

/** Mean of f over the cell [cx ± h/2] × [cy ± h/2]; `crit2` = ((1 + KAPPA)·e(1))². */
function cellMean(f: Profile, A: number, B: number, C: number, cx: number, cy: number,
  h: number, crit2: number): number {
  const s = A * cx * cx + B * cx * cy + C * cy * cy;
  if (s >= crit2 * h * h || h <= MIN_CELL) {
    let v = 0;
    for (let a = 0; a < 3; a++) {
      const dy = cy + G3X[a]! * h;
      let row = 0;
      for (let b = 0; b < 3; b++) row += G3W[b]! * f(cx + G3X[b]! * h, dy);
      v += G3W[a]! * row;
    }
    return v;
  }
  const o = 0.25 * h;
  const h2 = 0.5 * h;
  return 0.25 * (cellMean(f, A, B, C, cx - o, cy - o, h2, crit2) +
    cellMean(f, A, B, C, cx + o, cy - o, h2, crit2) +
    cellMean(f, A, B, C, cx - o, cy + o, h2, crit2) +
    cellMean(f, A, B, C, cx + o, cy + o, h2, crit2));
}

// Profile tables (per unit flux), rebuilt per object.
//  - outer, used where r ≥ 1: cubic Hermite table against r on [0, rmax] (values and
//    analytic slopes), one sqrt per lookup;
//  - inner, used where r < 1 (an n ≤ 4 cusp is steep there): linear table against
//    τ = r^{1/4}, in which exp(−b r^{1/n}) = exp(−b τ^{4/n}) has no infinite slope.
const OUTER_N = 256;
const INNER_N = 256;
const outerV = new Float64Array(OUTER_N + 2);
const outerD = new Float64Array(OUTER_N + 2); // h · df/dr
const outerS = new Float64Array(OUTER_N + 2); // d²f/dr²
const inner = new Float64Array(INNER_N + 2);
/** log j, j = 0 … max(OUTER_N, INNER_N) + 1 (so that (j·h)^e = exp(e·(log j + log h))
 *  costs one exp instead of a much slower Math.pow). */
const LOGJ = Float64Array.from({ length: Math.max(OUTER_N, INNER_N) + 2 }, (_, j) => Math.log(j));
/** A term below e^-CUT of its central value is dropped (zero) from the table on. */
const CUT = 60;

interface Components { kb: number; kd: number; cb: number; cd: number; inv_n: number }

function components(p: GalaxyParams): Components {
  return {
    kb: p.bulge_fraction * sersicNorm(p.bulge_re, p.bulge_n),
    kd: (1 - p.bulge_fraction) * sersicNorm(p.disk_re, 1),
    cb: sersicB(p.bulge_n) / Math.pow(p.bulge_re, 1 / p.bulge_n),
    cd: sersicB(1) / p.disk_re,
    inv_n: 1 / p.bulge_n,
  };
}

/** outerV[j] = f(r_j), outerD[j] = h·f'(r_j), outerS[j] = f''(r_j), r_j = j·h. */
function fillOuter(k: Components, h: number): void {
  const { kb, kd, cb, cd, inv_n } = k;
  // (the bulge derivatives at r = 0 are unused: r < 1 uses the inner table)
  outerV[0] = kb + kd;
  outerD[0] = -kd * cd * h;
  outerS[0] = kd * cd * cd;
  let bulgeOn = kb > 0;
  let diskOn = kd > 0;
  const logh = Math.log(h);
  for (let j = 1; j < OUTER_N + 2; j++) {
    const r = j * h;
    let v = 0;
    let d = 0;
    let dd = 0;
    if (bulgeOn) {
      // f = e^{-x}, x = b (r/re)^{1/n}: f' = −f x/(n r), f'' = f [(x/(n r))² + x (n−1)/(n² r²)]
      const x = cb * Math.exp(inv_n * (LOGJ[j]! + logh));
      if (x > CUT) bulgeOn = false;
      else {
        const e = kb * Math.exp(-x);
        const g = (x * inv_n) / r;
        v += e;
        d -= e * g;
        dd += e * (g * g + (g * (1 - inv_n)) / r);
      }
    }
    if (diskOn) {
      const x = cd * r;
      if (x > CUT) diskOn = false;
      else {
        const e = kd * Math.exp(-x);
        v += e;
        d -= e * cd;
        dd += e * cd * cd;
      }
    }
    outerV[j] = v;
    outerD[j] = d * h;
    outerS[j] = dd;
  }
}

/** inner[j] = f(r = τ_j⁴), τ_j = j / INNER_N. */
function fillInner(k: Components): void {
  const { kb, kd, cb, cd, inv_n } = k;
  const e4n = 4 * inv_n;
  const logh = -Math.log(INNER_N);
  inner[0] = kb + kd;
  for (let j = 1; j < INNER_N + 2; j++) {
    const t = j / INNER_N;
    const t2 = t * t;
    inner[j] = kb * Math.exp(-cb * Math.exp(e4n * (LOGJ[j]! + logh))) + kd * Math.exp(-cd * t2 * t2);
  }
}

// scratch image, reused across calls (the simulator is single-threaded)
let img = new Float64Array(0);

/**
 * Integrates the point profile f over every pixel into img, tapers, and writes the
 * result scaled to p.flux into out. `far`, if given, computes the far pixels.
 */
function integrate(p: GalaxyParams, ny: number, nx: number, f: Profile, far: Profile | null,
  kappa: number, out: Float32Array | Float64Array, offset: number): void {
  const npix = ny * nx;
  if (img.length < npix) img = new Float64Array(npix);
  const im = img;
  const [A, B, C] = quadForm(p.q, p.theta);
  const e1 = 0.5 * Math.sqrt(A + C + Math.abs(B));
  const crit2 = ((1 + kappa) * e1) ** 2;
  const far2 = far ? ((1 + KAPPA2) * e1) ** 2 : Infinity;
  const half = Math.min(ny, nx) >> 1;
  const g = G3X[2]!;
  const w0 = G3W[0]!;
  const w1 = G3W[1]!;
  let sum = 0;
  for (let i = 0; i < ny; i++) {
    const dy0 = i - p.yc;
    for (let j = 0; j < nx; j++) {
      const dx0 = j - p.xc;
      const sc = A * dx0 * dx0 + B * dx0 * dy0 + C * dy0 * dy0;
      let v: number;
      if (sc >= far2) {
        v = far!(dx0, dy0);
      } else if (sc >= crit2) {
        const ym = dy0 - g;
        const yp = dy0 + g;
        const xm = dx0 - g;
        const xp = dx0 + g;
        v =
          w0 * (w0 * f(xm, ym) + w1 * f(dx0, ym) + w0 * f(xp, ym)) +
          w1 * (w0 * f(xm, dy0) + w1 * f(dx0, dy0) + w0 * f(xp, dy0)) +
          w0 * (w0 * f(xm, yp) + w1 * f(dx0, yp) + w0 * f(xp, yp));
      } else {
        v = cellMean(f, A, B, C, dx0, dy0, 1, crit2);
      }
      v *= taper(dx0 * dx0 + dy0 * dy0, half);
      im[i * nx + j] = v;
      sum += v;
    }
  }
  const scale = p.flux / sum;
  for (let k = 0; k < npix; k++) out[offset + k] = im[k]! * scale;
}

/** Geometry of the object being rendered by `renderGalaxy` (read by `tabulated`). */
const cur = { A: 1, B: 0, C: 1, invO: 1 };

/** The tabulated profile at offset (dx, dy) from the centre of the current object. A
 *  single top-level function, so that the hot call sites stay monomorphic and inline. */
function tabulated(dx: number, dy: number): number {
  const s = cur.A * dx * dx + cur.B * dx * dy + cur.C * dy * dy;
  if (s >= 1) {
    const t = Math.sqrt(s) * cur.invO;
    let i = t | 0;
    if (i > OUTER_N) i = OUTER_N;
    const w = t - i;
    const u = 1 - w;
    // cubic Hermite on [r_i, r_i+1]
    return u * u * ((1 + 2 * w) * outerV[i]! + w * outerD[i]!) +
      w * w * ((3 - 2 * w) * outerV[i + 1]! - u * outerD[i + 1]!);
  }
  const t = Math.sqrt(Math.sqrt(Math.sqrt(s))) * INNER_N;
  const i = t | 0;
  const w = t - i;
  const a = inner[i]!;
  return a + w * (inner[i + 1]! - a);
}

/**
 * Pixel mean for a far pixel (smooth profile, r ≥ 1): the centre value plus the
 * Euler–Maclaurin term ∇²f/24, with f', f'' from the tables:
 *     ∇²f = f''·|∇r|² + f'·∇²r,   |∇r|² = G/(4s),   ∇²r = (A + C)/r − G/(4 s r),
 * G = |∇s|². Error O(∂⁴f), like a 2×2 Gauss rule, at a quarter of the lookups.
 */
function tabulatedPixel(dx: number, dy: number): number {
  const { A, B, C, invO } = cur;
  const s = A * dx * dx + B * dx * dy + C * dy * dy;
  const r = Math.sqrt(s);
  const t = r * invO;
  let i = t | 0;
  if (i > OUTER_N) i = OUTER_N;
  const w = t - i;
  const u = 1 - w;
  const d0 = outerD[i]!;
  const d1 = outerD[i + 1]!;
  const f = u * u * ((1 + 2 * w) * outerV[i]! + w * d0) + w * w * ((3 - 2 * w) * outerV[i + 1]! - u * d1);
  const f1 = (u * d0 + w * d1) * invO;
  const f2 = u * outerS[i]! + w * outerS[i + 1]!;
  const gx = 2 * A * dx + B * dy;
  const gy = B * dx + 2 * C * dy;
  const g4s = (gx * gx + gy * gy) / (4 * s);
  return f + (f2 * g4s + f1 * ((A + C) - g4s) / r) / 24;
}

/**
 * Renders one galaxy into `out[offset … offset + ny·nx)` (row-major), summing to p.flux.
 */
export function renderGalaxy(
  p: GalaxyParams, ny: number, nx: number, out: Float32Array | Float64Array, offset = 0,
): void {
  const [A, B, C] = quadForm(p.q, p.theta);
  const { xc, yc } = p;
  let sMax = 1;
  for (const X of [-0.5 - xc, nx - 0.5 - xc]) {
    for (const Y of [-0.5 - yc, ny - 0.5 - yc]) sMax = Math.max(sMax, A * X * X + B * X * Y + C * Y * Y);
  }
  const comp = components(p);
  const hO = (Math.sqrt(sMax) * 1.0001) / OUTER_N;
  const invO = 1 / hO;
  fillOuter(comp, hO);
  fillInner(comp);
  cur.A = A;
  cur.B = B;
  cur.C = C;
  cur.invO = invO;
  integrate(p, ny, nx, tabulated, tabulatedPixel, KAPPA, out, offset);
}

/**
 * Reference rendering for checks: the same adaptive integration with direct profile
 * evaluation (no tables), no 2×2 shortcut, and a stricter criterion `kappa`. Slow.
 */
export function renderGalaxyReference(p: GalaxyParams, ny: number, nx: number, kappa = 3): Float64Array {
  const [A, B, C] = quadForm(p.q, p.theta);
  const out = new Float64Array(ny * nx);
  const f = (dx: number, dy: number): number => profileAt(p, A * dx * dx + B * dx * dy + C * dy * dy);
  integrate(p, ny, nx, f, null, kappa, out, 0);
  return out;
}

/** K×K midpoint sub-sampling of every pixel (the make_synthetic.py scheme), for comparison. */
export function renderGalaxyMidpoint(p: GalaxyParams, ny: number, nx: number, k = 5): Float64Array {
  const [A, B, C] = quadForm(p.q, p.theta);
  const half = Math.min(ny, nx) >> 1;
  const out = new Float64Array(ny * nx);
  const step = 1 / k;
  const o = -0.5 + 0.5 * step;
  let sum = 0;
  for (let i = 0; i < ny; i++) {
    for (let j = 0; j < nx; j++) {
      const dx0 = j - p.xc;
      const dy0 = i - p.yc;
      let v = 0;
      for (let a = 0; a < k; a++) {
        const dy = dy0 + o + a * step;
        for (let b = 0; b < k; b++) {
          const dx = dx0 + o + b * step;
          v += profileAt(p, A * dx * dx + B * dx * dy + C * dy * dy);
        }
      }
      v = (v / (k * k)) * taper(dx0 * dx0 + dy0 * dy0, half);
      out[i * nx + j] = v;
      sum += v;
    }
  }
  for (let q = 0; q < out.length; q++) out[q] = (out[q]! * p.flux) / sum;
  return out;
}

/**
 * Draws galaxy parameters for a `size`-pixel square stamp (radii scale with size/41).
 *
 * Distribution (at size 41):
 *  - flux: log-uniform in [0.5, 2] (median 1; the noise default 3e-4 assumes flux ~1);
 *  - 25 % bulge-dominated: B/T U(0.6, 1), bulge n U(2.5, 4), bulge re log-U(1.3, 2.6) px,
 *    disk re = bulge re × U(1.3, 2), q U(0.55, 1);
 *  - 75 % disk-dominated: disk re log-U(1.8, 4.8) px, B/T U(0, 0.4), bulge n U(1, 3),
 *    bulge re = disk re × U(0.2, 0.5), q U(qmin, 1) with qmin = max(0.25, (3.2·re/19)²)
 *    so that 97 % of the disk light fits within 19 px along the major axis (large disks
 *    must be rounder to fit the fixed stamp, as in a real postage-stamp selection);
 *  - θ U(0, π); centre (size>>1) + U(−0.5, 0.5) on both axes.
 * Uses only uniform/logUniform draws (cross-platform deterministic values).
 */
export function drawGalaxy(rng: Rng, size: number): GalaxyParams {
  const k = size / 41;
  const flux = rng.logUniform(0.5, 2);
  const early = rng.uniform() < 0.25;
  let bulge_fraction: number;
  let bulge_n: number;
  let bulge_re: number;
  let disk_re: number;
  let q: number;
  if (early) {
    bulge_fraction = rng.range(0.6, 1);
    bulge_n = rng.range(2.5, 4);
    bulge_re = rng.logUniform(1.3, 2.6) * k;
    disk_re = bulge_re * rng.range(1.3, 2);
    q = rng.range(0.55, 1);
  } else {
    disk_re = rng.logUniform(1.8, 4.8) * k;
    bulge_fraction = rng.range(0, 0.4);
    bulge_n = rng.range(1, 3);
    bulge_re = disk_re * rng.range(0.2, 0.5);
    const t = (3.2 * disk_re) / (19 * k);
    const qmin = Math.max(0.25, t * t);
    q = rng.range(qmin, 1);
  }
  const theta = rng.range(0, Math.PI);
  const c = size >> 1;
  const xc = c + rng.range(-0.5, 0.5);
  const yc = c + rng.range(-0.5, 0.5);
  return { flux, bulge_re, bulge_n, disk_re, bulge_fraction, q, theta, xc, yc };
}
