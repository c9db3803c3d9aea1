/**
 * Plain-TypeScript scalar reference implementation of the sparse deconvolution method
 * (docs ALGORITHM.md, sections 2-8), in float64.
 *
 * This file is meant to be read as the specification in code: it favours the literal
 * formulas of ALGORITHM.md over speed. It is the oracle for the SIMD WebAssembly kernels
 * and the "plain scalar TypeScript" baseline of the benchmark.
 *
 * Layout (object-major, C order):
 *   image stack   stack[(i*ny + r)*nx + c]
 *   band stack    bands[((i*J + j)*ny + r)*nx + c]      with J = BANDS = 3
 *   PSF stack     psfs[(i*ky + a)*kx + b]
 *   half spectra  spec[(u*(nx/2+1) + k)*2 + {0: re, 1: im}],  u in 0..ny-1, k in 0..nx>>1
 */
import { InputError, OptionError } from '../errors.ts';

export type Wavelet = 'linear' | 'b3';

/** Number of wavelet detail bands kept (4 scales, coarse scale dropped). */
export const BANDS = 3;

/** Smallest image side accepted (ALGORITHM §3). */
const MIN_SIZE = 8;

/** Python-style modulo: result in 0..n-1 for any integer a. */
function mod(a: number, n: number): number {
  if (a >= 0 && a < n) return a;
  const m = a % n;
  return m < 0 ? m + n : m;
}

function checkKernel(ny: number, nx: number, ky: number, kx: number, k: ArrayLike<number>): void {
  if (ky > ny || kx > nx) {
    throw new InputError(`kernel ${ky}x${kx} is larger than the image ${ny}x${nx}`);
  }
  if (k.length < ky * kx) throw new InputError(`kernel has ${k.length} values, expected ${ky * kx}`);
}

// ---------------------------------------------------------------------------------------
// §2 Convolution, direct (pixel domain)
// ---------------------------------------------------------------------------------------

/**
 * Periodic convolution of one ny×nx image with a ky×kx kernel whose origin is
 * (cy, cx) = (ky>>1, kx>>1):
 *
 *     out[p] = Σ_q k[c + q] · x[(p − q) mod n]
 *
 * Written as: for each kernel tap (a, b) with q = (a − cy, b − cx), add k[a,b] times x
 * shifted by q.
 */
export function convolveDirect(
  x: Float64Array, ny: number, nx: number,
  k: ArrayLike<number>, ky: number, kx: number,
): Float64Array {
  checkKernel(ny, nx, ky, kx, k);
  const cy = ky >> 1;
  const cx = kx >> 1;
  const out = new Float64Array(ny * nx);
  for (let a = 0; a < ky; a++) {
    for (let b = 0; b < kx; b++) {
      const kv = k[a * kx + b];
      if (kv === 0) continue;
      const qy = a - cy;
      const qx = b - cx;
      for (let r = 0; r < ny; r++) {
        const rowIn = mod(r - qy, ny) * nx;
        for (let c = 0; c < nx; c++) {
          out[r * nx + c] += kv * x[rowIn + mod(c - qx, nx)];
        }
      }
    }
  }
  return out;
}

/**
 * Exact adjoint of convolveDirect (periodic correlation with the same origin), for any
 * image size, even or odd:
 *
 *     out[s] = Σ_q k[c + q] · x[(s + q) mod n]
 */
export function correlateDirect(
  x: Float64Array, ny: number, nx: number,
  k: ArrayLike<number>, ky: number, kx: number,
): Float64Array {
  checkKernel(ny, nx, ky, kx, k);
  const cy = ky >> 1;
  const cx = kx >> 1;
  const out = new Float64Array(ny * nx);
  for (let a = 0; a < ky; a++) {
    for (let b = 0; b < kx; b++) {
      const kv = k[a * kx + b];
      if (kv === 0) continue;
      const qy = a - cy;
      const qx = b - cx;
      for (let s = 0; s < ny; s++) {
        const rowIn = mod(s + qy, ny) * nx;
        for (let c = 0; c < nx; c++) {
          out[s * nx + c] += kv * x[rowIn + mod(c + qx, nx)];
        }
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// §2 Convolution, spectral: plain O(n²)-per-axis real 2-D DFT (any size)
// ---------------------------------------------------------------------------------------

interface DftTable { cos: Float64Array; sin: Float64Array }
const dftTables = new Map<number, DftTable>();

/**
 * The DFT matrix of size n as two n×n tables: cos[k*n + t] = cos(2π k t/n) and
 * sin[k*n + t] = sin(2π k t/n), computed from the reduced angle 2π ((k·t) mod n)/n.
 */
function dftTable(n: number): DftTable {
  let table = dftTables.get(n);
  if (table === undefined) {
    const cos = new Float64Array(n * n);
    const sin = new Float64Array(n * n);
    for (let k = 0; k < n; k++) {
      for (let t = 0; t < n; t++) {
        const angle = (2 * Math.PI * ((k * t) % n)) / n;
        cos[k * n + t] = Math.cos(angle);
        sin[k * n + t] = Math.sin(angle);
      }
    }
    table = { cos, sin };
    dftTables.set(n, table);
  }
  return table;
}

/**
 * Forward real 2-D DFT, X[u,k] = Σ_{r,c} x[r,c] · exp(−2πi (u r/ny + k c/nx)),
 * returned as the half spectrum k = 0..nx>>1 (complex interleaved, [u][k] layout).
 * First a real DFT of every row (along columns c), then a complex DFT along rows r.
 */
export function rdft2(x: Float64Array, ny: number, nx: number): Float64Array {
  const nk = (nx >> 1) + 1;
  const { cos: cosX, sin: sinX } = dftTable(nx);
  const { cos: cosY, sin: sinY } = dftTable(ny);
  // Row transforms: rows[r][k] = Σ_c x[r,c] e^{−2πi k c/nx}
  const rows = new Float64Array(ny * nk * 2);
  for (let r = 0; r < ny; r++) {
    for (let k = 0; k < nk; k++) {
      let re = 0;
      let im = 0;
      for (let c = 0; c < nx; c++) {
        const v = x[r * nx + c];
        re += v * cosX[k * nx + c];
        im -= v * sinX[k * nx + c];
      }
      rows[(r * nk + k) * 2] = re;
      rows[(r * nk + k) * 2 + 1] = im;
    }
  }
  // Column transforms: out[u][k] = Σ_r rows[r][k] e^{−2πi u r/ny}
  const out = new Float64Array(ny * nk * 2);
  for (let u = 0; u < ny; u++) {
    for (let k = 0; k < nk; k++) {
      let re = 0;
      let im = 0;
      for (let r = 0; r < ny; r++) {
        const a = rows[(r * nk + k) * 2];
        const b = rows[(r * nk + k) * 2 + 1];
        const cs = cosY[u * ny + r];
        const sn = sinY[u * ny + r];
        // (a + ib)(cos − i sin)
        re += a * cs + b * sn;
        im += b * cs - a * sn;
      }
      out[(u * nk + k) * 2] = re;
      out[(u * nk + k) * 2 + 1] = im;
    }
  }
  return out;
}

/**
 * Inverse of rdft2: x[r,c] = 1/(ny·nx) Σ_{u,k} X[u,k] exp(+2πi (u r/ny + k c/nx)), where
 * the missing half of the spectrum is the Hermitian mirror X[u, nx−k] = conj X[−u, k].
 * After the inverse along rows, the imaginary parts that a real signal cannot carry
 * (k = 0 and, for even nx, k = nx/2) are ignored, as in every c2r transform.
 */
export function irdft2(spec: Float64Array, ny: number, nx: number): Float64Array {
  const nk = (nx >> 1) + 1;
  const { cos: cosX, sin: sinX } = dftTable(nx);
  const { cos: cosY, sin: sinY } = dftTable(ny);
  // Inverse along rows: rows[r][k] = Σ_u spec[u][k] e^{+2πi u r/ny}
  const rows = new Float64Array(ny * nk * 2);
  for (let r = 0; r < ny; r++) {
    for (let k = 0; k < nk; k++) {
      let re = 0;
      let im = 0;
      for (let u = 0; u < ny; u++) {
        const a = spec[(u * nk + k) * 2];
        const b = spec[(u * nk + k) * 2 + 1];
        const cs = cosY[r * ny + u];
        const sn = sinY[r * ny + u];
        // (a + ib)(cos + i sin)
        re += a * cs - b * sn;
        im += a * sn + b * cs;
      }
      rows[(r * nk + k) * 2] = re;
      rows[(r * nk + k) * 2 + 1] = im;
    }
  }
  // Complex-to-real along columns: x[r,c] = 1/(ny·nx) Σ_k m_k · Re(rows[r][k] e^{2πi k c/nx}),
  // with multiplicity m_k = 2 for the k that stand for themselves and their mirror nx − k,
  // and m_k = 1 for k = 0 and the Nyquist column k = nx/2 (even nx), whose imaginary
  // part is dropped.
  const out = new Float64Array(ny * nx);
  const scale = 1 / (ny * nx);
  for (let r = 0; r < ny; r++) {
    for (let k = 0; k < nk; k++) {
      const selfMirrored = k === 0 || 2 * k === nx;
      const weight = selfMirrored ? scale : 2 * scale;
      const a = rows[(r * nk + k) * 2];
      const b = selfMirrored ? 0 : rows[(r * nk + k) * 2 + 1];
      for (let c = 0; c < nx; c++) {
        out[r * nx + c] += weight * (a * cosX[k * nx + c] - b * sinX[k * nx + c]);
      }
    }
  }
  return out;
}

/**
 * Half spectrum of a ky×kx kernel zero-embedded in an ny×nx image with its origin
 * (ky>>1, kx>>1) moved to pixel (0, 0), so that x ⊛ k = irdft2(P̂ · rdft2(x)).
 */
export function psfSpectrum(psf: ArrayLike<number>, ky: number, kx: number, ny: number, nx: number): Float64Array {
  checkKernel(ny, nx, ky, kx, psf);
  const cy = ky >> 1;
  const cx = kx >> 1;
  const placed = new Float64Array(ny * nx);
  for (let a = 0; a < ky; a++) {
    for (let b = 0; b < kx; b++) {
      placed[mod(a - cy, ny) * nx + mod(b - cx, nx)] = psf[a * kx + b];
    }
  }
  return rdft2(placed, ny, nx);
}

// ---------------------------------------------------------------------------------------
// §3 Wavelet transform Φ (à trous, periodic, 3 detail bands)
// ---------------------------------------------------------------------------------------

/** 1-D à trous kernels h (symmetric, odd length, centre in the middle). */
const ATROUS_KERNELS: Record<Wavelet, readonly number[]> = {
  linear: [1 / 4, 1 / 2, 1 / 4],
  b3: [1 / 16, 1 / 4, 3 / 8, 1 / 4, 1 / 16],
};

function atrousKernel(wavelet: Wavelet): readonly number[] {
  const h = ATROUS_KERNELS[wavelet];
  if (h === undefined) throw new OptionError(`unknown wavelet '${String(wavelet)}' (expected linear or b3)`);
  return h;
}

function checkImageSize(ny: number, nx: number): void {
  if (ny < MIN_SIZE || nx < MIN_SIZE) {
    throw new InputError(`image ${ny}x${nx} is smaller than ${MIN_SIZE}x${MIN_SIZE}`);
  }
}

/**
 * S_s: the à trous smoothing at scale s (step 2^s), periodic:
 *   B(i,j)      = Σ_t h_t · c(i, j + t·step)      (along columns)
 *   S_s c (i,j) = Σ_t h_t · B(i + t·step, j)      (along rows)
 * with t running over −L..L for a kernel of 2L+1 taps. S_s is symmetric (h is).
 */
function smooth(c: Float64Array, ny: number, nx: number, h: readonly number[], step: number): Float64Array {
  const L = (h.length - 1) >> 1;
  // Along columns, tap by tap: B(i, j) += h_t · c(i, (j + t·step) mod nx)
  const B = new Float64Array(ny * nx);
  for (let t = -L; t <= L; t++) {
    const ht = h[t + L];
    for (let i = 0; i < ny; i++) {
      for (let j = 0; j < nx; j++) B[i * nx + j] += ht * c[i * nx + mod(j + t * step, nx)];
    }
  }
  // Along rows, tap by tap: out(i, j) += h_t · B((i + t·step) mod ny, j)
  const out = new Float64Array(ny * nx);
  for (let t = -L; t <= L; t++) {
    const ht = h[t + L];
    for (let i = 0; i < ny; i++) {
      const source = mod(i + t * step, ny) * nx;
      for (let j = 0; j < nx; j++) out[i * nx + j] += ht * B[source + j];
    }
  }
  return out;
}

/**
 * Φ(x) = [w_0, w_1, w_2] with c_0 = x, c_{s+1} = S_s c_s, w_s = c_s − c_{s+1}
 * (the coarse band c_3 is dropped). Returns 3·ny·nx values, band-major.
 */
export function starlet(x: Float64Array, ny: number, nx: number, wavelet: Wavelet): Float64Array {
  checkImageSize(ny, nx);
  const h = atrousKernel(wavelet);
  const npix = ny * nx;
  const out = new Float64Array(BANDS * npix);
  let c = x.subarray(0, npix);
  for (let s = 0; s < BANDS; s++) {
    const next = smooth(c, ny, nx, h, 1 << s);
    for (let p = 0; p < npix; p++) out[s * npix + p] = c[p] - next[p];
    c = next;
  }
  return out;
}

/**
 * Φᵀ(z) = Σ_j z_j ⊛ rot180(h_j), in Horner form (S_s symmetric):
 *   Φᵀ(z) = S₀( S₁( (I − S₂) z₂ ) + (I − S₁) z₁ ) + (I − S₀) z₀
 * i.e. acc = 0, then for s = 2, 1, 0:  acc = S_s(acc) + (I − S_s) z_s = z_s + S_s(acc − z_s).
 */
export function starletAdjoint(z: Float64Array, ny: number, nx: number, wavelet: Wavelet): Float64Array {
  checkImageSize(ny, nx);
  const h = atrousKernel(wavelet);
  const npix = ny * nx;
  let acc = new Float64Array(npix);
  for (let s = BANDS - 1; s >= 0; s--) {
    const zs = z.subarray(s * npix, (s + 1) * npix);
    const diff = new Float64Array(npix);
    for (let p = 0; p < npix; p++) diff[p] = acc[p] - zs[p];
    const smoothed = smooth(diff, ny, nx, h, 1 << s);
    acc = new Float64Array(npix);
    for (let p = 0; p < npix; p++) acc[p] = zs[p] + smoothed[p];
  }
  return acc;
}

/** The filter bank h_0, h_1, h_2: impulse responses of Φ to a Dirac at (ny>>1, nx>>1). */
export function starletFilters(ny: number, nx: number, wavelet: Wavelet): Float64Array {
  const dirac = new Float64Array(ny * nx);
  dirac[(ny >> 1) * nx + (nx >> 1)] = 1;
  return starlet(dirac, ny, nx, wavelet);
}

// ---------------------------------------------------------------------------------------
// §4 Noise level, §5 initial weights
// ---------------------------------------------------------------------------------------

/** Exact median; for an even count the average of the two middle values (as numpy). */
function median(values: Float64Array): number {
  const n = values.length;
  if (n === 0) throw new InputError('median of an empty array');
  const sorted = Float64Array.from(values).sort();
  const mid = n >> 1;
  return n % 2 === 1 ? sorted[mid] : 0.5 * (sorted[mid - 1] + sorted[mid]);
}

/** σ = 1.4826 · median(|Y − median(Y)|) over every value of the stack. */
export function noiseSigma(stack: ArrayLike<number>): number {
  const values = Float64Array.from(stack);
  const med = median(values);
  const dev = new Float64Array(values.length);
  for (let p = 0; p < values.length; p++) dev[p] = Math.abs(values[p] - med);
  return 1.4826 * median(dev);
}

/**
 * W⁽⁰⁾[i, j] = κ_j · σ · ‖rot180(p_i) ⊛ h_j‖_F, shape (n, 3), object i with its own PSF
 * (the corrected order). The convolution is periodic on the ny×nx grid, so it equals band
 * j of Φ applied to rot180(p_i) zero-embedded in an ny×nx image (the position of the
 * embedding does not change the norm). With `shared`, `psfs` holds one ky×kx PSF for all.
 */
export function weights0(
  psfs: ArrayLike<number>, n: number, ky: number, kx: number, ny: number, nx: number,
  sigma: number, kappa: number[], wavelet: Wavelet, shared = false,
): Float64Array {
  if (kappa.length !== BANDS) throw new OptionError(`kappa must have ${BANDS} values, got ${kappa.length}`);
  if (ky > ny || kx > nx) throw new InputError(`PSF ${ky}x${kx} is larger than the image ${ny}x${nx}`);
  const npix = ny * nx;
  const out = new Float64Array(n * BANDS);
  for (let i = 0; i < n; i++) {
    const base = (shared ? 0 : i) * ky * kx;
    // rot180(p_i), embedded at the top-left corner of an ny×nx image
    const img = new Float64Array(npix);
    for (let a = 0; a < ky; a++) {
      for (let b = 0; b < kx; b++) {
        img[a * nx + b] = psfs[base + (ky - 1 - a) * kx + (kx - 1 - b)];
      }
    }
    const bands = starlet(img, ny, nx, wavelet);
    for (let j = 0; j < BANDS; j++) {
      let ss = 0;
      for (let p = 0; p < npix; p++) ss += bands[j * npix + p] ** 2;
      out[i * BANDS + j] = kappa[j] * sigma * Math.sqrt(ss);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// §6-§8 The solver
// ---------------------------------------------------------------------------------------

export interface ReferenceOptions {
  wavelet: Wavelet;
  kappa: number[];
  nIter: number;
  nReweights: number;
  tolerance: number;
  costWindow: number;
  tau: number;
  sigmaD: number;
  rho: number;
  /** Overrides the MAD noise estimate σ when given. */
  noiseEst?: number;
  positivity: boolean;
}

export const defaultReferenceOptions: ReferenceOptions = {
  wavelet: 'linear',
  kappa: [3, 3, 4],
  nIter: 150,
  nReweights: 1,
  tolerance: 3e-4,
  costWindow: 1,
  tau: 0.5,
  sigmaD: 0.5,
  rho: 0.8,
  noiseEst: undefined,
  positivity: true,
};

export interface ReferenceTest { iteration: number; diff: number; converged: boolean }

export interface ReferenceRunResult {
  x: Float64Array;
  iterations: number;
  /** Whether the last phase ended by the stopping rule. */
  converged: boolean;
  /** Cost after every cost_window-th iteration. */
  cost: number[];
  tests: ReferenceTest[];
}

/** Scalar float64 Condat–Vũ solver for a stack of objects (§6-§8). */
export class ReferenceSolver {
  readonly n: number;
  readonly ny: number;
  readonly nx: number;
  readonly opts: ReferenceOptions;
  /** Noise level σ (§4), or opts.noiseEst. */
  readonly sigma: number;
  /** Observations Y, (n, ny, nx). */
  readonly y: Float64Array;
  /** Initial weights W⁽⁰⁾, (n, 3). */
  readonly w0: Float64Array;
  /** Primal iterate xₙ, (n, ny, nx). */
  x: Float64Array;
  /** Dual iterate yₙ, (n, 3, ny, nx). */
  dual: Float64Array;
  /** Current weights W, per pixel, (n, 3, ny, nx). */
  w: Float64Array;

  /** Per object: P̂_i (half spectrum), |P̂_i|² (one real per frequency), conj(P̂_i)·Ŷ_i. */
  private readonly psfHat: Float64Array[];
  private readonly psfHatAbs2: Float64Array[];
  private readonly psfHatConjYHat: Float64Array[];

  constructor(
    y: ArrayLike<number>,
    psfs: ArrayLike<number>,
    shape: { n: number; ny: number; nx: number },
    psfShape: { n: number; ky: number; kx: number },
    opts: ReferenceOptions,
  ) {
    const { n, ny, nx } = shape;
    const { ky, kx } = psfShape;
    checkImageSize(ny, nx);
    if (y.length !== n * ny * nx) throw new InputError(`stack has ${y.length} values, expected ${n * ny * nx}`);
    const shared = psfShape.n === 1 && n !== 1;
    if (!shared && psfShape.n !== n) throw new InputError(`${psfShape.n} PSFs for ${n} objects`);
    if (psfs.length !== psfShape.n * ky * kx) throw new InputError(`PSF stack has ${psfs.length} values, expected ${psfShape.n * ky * kx}`);
    if (opts.kappa.length !== BANDS) throw new OptionError(`kappa must have ${BANDS} values`);
    if (!(opts.costWindow >= 1)) throw new OptionError('costWindow must be >= 1');

    this.n = n;
    this.ny = ny;
    this.nx = nx;
    this.opts = { ...opts, kappa: [...opts.kappa] };
    this.y = Float64Array.from(y);
    this.sigma = opts.noiseEst ?? noiseSigma(this.y);
    this.w0 = weights0(psfs, n, ky, kx, ny, nx, this.sigma, opts.kappa, opts.wavelet, shared);

    const npix = ny * nx;
    this.x = new Float64Array(n * npix).fill(1);
    this.dual = new Float64Array(n * BANDS * npix).fill(1);
    this.w = new Float64Array(n * BANDS * npix);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < BANDS; j++) {
        this.w.fill(this.w0[i * BANDS + j], (i * BANDS + j) * npix, (i * BANDS + j + 1) * npix);
      }
    }

    this.psfHat = [];
    this.psfHatAbs2 = [];
    this.psfHatConjYHat = [];
    const psf64 = Float64Array.from(psfs);
    const sharedHat = shared ? psfSpectrum(psf64, ky, kx, ny, nx) : undefined;
    for (let i = 0; i < n; i++) {
      const P = sharedHat ?? psfSpectrum(psf64.subarray(i * ky * kx, (i + 1) * ky * kx), ky, kx, ny, nx);
      const Y = rdft2(this.object(this.y, i), ny, nx);
      const nf = P.length >> 1;
      const abs2 = new Float64Array(nf);
      const cpy = new Float64Array(P.length);
      for (let f = 0; f < nf; f++) {
        const pr = P[2 * f], pi = P[2 * f + 1];
        const yr = Y[2 * f], yi = Y[2 * f + 1];
        abs2[f] = pr * pr + pi * pi;
        // (pr − i pi)(yr + i yi)
        cpy[2 * f] = pr * yr + pi * yi;
        cpy[2 * f + 1] = pr * yi - pi * yr;
      }
      this.psfHat.push(P);
      this.psfHatAbs2.push(abs2);
      this.psfHatConjYHat.push(cpy);
    }
  }

  /** View of object i of an image stack. */
  private object(stack: Float64Array, i: number): Float64Array {
    const npix = this.ny * this.nx;
    return stack.subarray(i * npix, (i + 1) * npix);
  }

  /** View of the 3 bands of object i of a band stack. */
  private objectBands(stack: Float64Array, i: number): Float64Array {
    const nb = BANDS * this.ny * this.nx;
    return stack.subarray(i * nb, (i + 1) * nb);
  }

  /** Gradient of the data term for object i: Hᵀ(H x − y) = IDFT(|P̂|² X̂ − conj(P̂) Ŷ). */
  private gradient(i: number, xi: Float64Array): Float64Array {
    const { ny, nx } = this;
    const X = rdft2(xi, ny, nx);
    const abs2 = this.psfHatAbs2[i];
    const cpy = this.psfHatConjYHat[i];
    const G = new Float64Array(X.length);
    for (let f = 0; f < abs2.length; f++) {
      G[2 * f] = abs2[f] * X[2 * f] - cpy[2 * f];
      G[2 * f + 1] = abs2[f] * X[2 * f + 1] - cpy[2 * f + 1];
    }
    return irdft2(G, ny, nx);
  }

  /** H x_i = IDFT(P̂ X̂). */
  private forward(i: number, xi: Float64Array): Float64Array {
    const { ny, nx } = this;
    const X = rdft2(xi, ny, nx);
    const P = this.psfHat[i];
    const HX = new Float64Array(X.length);
    for (let f = 0; f < X.length >> 1; f++) {
      const pr = P[2 * f], pi = P[2 * f + 1];
      const xr = X[2 * f], xim = X[2 * f + 1];
      HX[2 * f] = pr * xr - pi * xim;
      HX[2 * f + 1] = pr * xim + pi * xr;
    }
    return irdft2(HX, ny, nx);
  }

  /** One Condat–Vũ iteration (§6), object by object, in the exact order of the text. */
  step(): void {
    const { ny, nx, opts } = this;
    const { tau, sigmaD, rho, positivity, wavelet } = opts;
    const npix = ny * nx;
    const nb = BANDS * npix;
    for (let i = 0; i < this.n; i++) {
      const xn = this.object(this.x, i);
      const yn = this.objectBands(this.dual, i);
      const wi = this.objectBands(this.w, i);

      // g = Hᵀ(H xₙ − Y)
      const g = this.gradient(i, xn);
      // x̃ = max(xₙ − τ g − τ Φᵀ yₙ, 0)
      const phiTy = starletAdjoint(yn, ny, nx, wavelet);
      const xt = new Float64Array(npix);
      for (let p = 0; p < npix; p++) {
        const v = xn[p] - tau * g[p] - tau * phiTy[p];
        xt[p] = positivity ? Math.max(v, 0) : v;
      }
      // ỹt = yₙ + σ_d Φ(2x̃ − xₙ);  ỹ = clip(ỹt, −W, W)
      const extrapolated = new Float64Array(npix);
      for (let p = 0; p < npix; p++) extrapolated[p] = 2 * xt[p] - xn[p];
      const phi = starlet(extrapolated, ny, nx, wavelet);
      const yt = new Float64Array(nb);
      for (let q = 0; q < nb; q++) {
        const v = yn[q] + sigmaD * phi[q];
        yt[q] = Math.min(Math.max(v, -wi[q]), wi[q]);
      }
      // xₙ₊₁ = ρ x̃ + (1 − ρ) xₙ;  yₙ₊₁ = ρ ỹ + (1 − ρ) yₙ
      for (let p = 0; p < npix; p++) xn[p] = rho * xt[p] + (1 - rho) * xn[p];
      for (let q = 0; q < nb; q++) yn[q] = rho * yt[q] + (1 - rho) * yn[q];
    }
  }

  /** Per object: ½‖y_i − H x_i‖² + Σ |W_i ⊙ Φ(x_i)| (§7), with the current W. */
  costPerObject(): Float64Array {
    const { ny, nx } = this;
    const npix = ny * nx;
    const nb = BANDS * npix;
    const out = new Float64Array(this.n);
    for (let i = 0; i < this.n; i++) {
      const xi = this.object(this.x, i);
      const yi = this.object(this.y, i);
      const hx = this.forward(i, xi);
      let data = 0;
      for (let p = 0; p < npix; p++) data += (yi[p] - hx[p]) ** 2;
      const phi = starlet(xi, ny, nx, this.opts.wavelet);
      const wi = this.objectBands(this.w, i);
      let l1 = 0;
      for (let q = 0; q < nb; q++) l1 += Math.abs(wi[q] * phi[q]);
      out[i] = 0.5 * data + l1;
    }
    return out;
  }

  /** Total cost C(X) of the current x over the whole stack. */
  cost(): number {
    let total = 0;
    for (const c of this.costPerObject()) total += c;
    return total;
  }

  /** §8: W ← W ⊙ 1 / (1 + |Φ(x)| / W⁽⁰⁾). */
  reweight(): void {
    const { ny, nx } = this;
    const npix = ny * nx;
    for (let i = 0; i < this.n; i++) {
      const phi = starlet(this.object(this.x, i), ny, nx, this.opts.wavelet);
      const wi = this.objectBands(this.w, i);
      for (let j = 0; j < BANDS; j++) {
        const w0 = this.w0[i * BANDS + j];
        for (let p = 0; p < npix; p++) {
          const q = j * npix + p;
          wi[q] = wi[q] * (1 / (1 + Math.abs(phi[q]) / w0));
        }
      }
    }
  }

  /**
   * The whole method: 1 + nReweights phases of up to nIter iterations each, with a reweight
   * before every phase but the first. The stopping rule of §7: the cost after every
   * costWindow-th iteration goes into a test list; when it holds 4 values, compare the mean
   * of the last two with the mean of the first two and empty it. A passed test ends the
   * current phase. The iteration counter and the partly filled list carry over a reweight.
   * A tolerance of 0 disables the rule.
   */
  run(): ReferenceRunResult {
    const { nIter, nReweights, tolerance, costWindow } = this.opts;
    const cost: number[] = [];
    const tests: ReferenceTest[] = [];
    let testList: number[] = [];
    let iterations = 0;
    let converged = false;
    for (let phase = 0; phase <= nReweights; phase++) {
      if (phase > 0) this.reweight();
      converged = false;
      for (let it = 0; it < nIter; it++) {
        this.step();
        iterations++;
        if (iterations % costWindow !== 0) continue;
        const c = this.cost();
        cost.push(c);
        testList.push(c);
        if (testList.length === 4) {
          const tNew = (testList[2] + testList[3]) / 2;
          const tOld = (testList[0] + testList[1]) / 2;
          const diff = tNew === 0 ? 0 : Math.abs(tNew - tOld) / Math.abs(tNew);
          const passed = tolerance > 0 && diff <= tolerance;
          tests.push({ iteration: iterations, diff, converged: passed });
          testList = [];
          if (passed) {
            converged = true;
            break;
          }
        }
      }
    }
    return { x: this.x, iterations, converged, cost, tests };
  }
}
