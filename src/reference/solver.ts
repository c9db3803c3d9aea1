// docs/ALGORITHM.md §6–§8: the Condat–Vũ iteration, the cost and stopping rule, the reweighting,
// object by object in float64, in the exact order of the text.

import { InputError, OptionError } from '../errors.ts';
import type { ConvergenceTest } from '../common/types.ts';
import type { SolverOptions } from '../solver/index.ts';
import { BANDS, checkImageSize } from './common.ts';
import { irdft2, psfSpectrum, rdft2 } from './convolution.ts';
import { starlet, starletAdjoint } from './starlet.ts';
import { noiseSigma, weights0 } from './weights.ts';

/** The solver's option type (shared: a type, not code). */
export type ReferenceOptions = SolverOptions;
/** The defaults of the contract (§5–§8), written from the text; a test checks the solver's match. */
export const defaultReferenceOptions: Readonly<ReferenceOptions> = {
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
  // §10: the sparse prior of Eq. 1 by default; the low-rank ones are checked against the
  // shared exact-SVD references instead (test/lowrank.test.ts), not by this oracle
  prior: 'sparse',
  lowrankThreshold: 'hard',
  lowrankFactor: 1,
};

export type ReferenceTest = ConvergenceTest;

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
  readonly noiseSigma: number;
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
    if (opts.prior !== 'sparse') throw new OptionError(`the reference solver implements the sparse prior only (got ${opts.prior})`);
    if (!(opts.costWindow >= 1)) throw new OptionError('costWindow must be >= 1');

    this.n = n;
    this.ny = ny;
    this.nx = nx;
    this.opts = { ...opts, kappa: [...opts.kappa] };
    this.y = Float64Array.from(y);
    this.noiseSigma = opts.noiseEst ?? noiseSigma(this.y);
    this.w0 = weights0(psfs, n, ky, kx, ny, nx, this.noiseSigma, opts.kappa, opts.wavelet, shared);

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
