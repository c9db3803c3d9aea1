// The coupled part of the low-rank prior (ALGORITHM §10): λ, the singular value
// thresholding of the whole stack's matrix M(Z) = [vec z_0 … vec z_{N−1}] and its
// nuclear norm. Every object's update is local; these need the spectrum of M, which the
// driver computes through the smaller of its two Gram matrices:
//
//   N ≤ ny·nx: G = MᵀM (N × N), G = V diag(s²) Vᵀ, U_r = M V_r diag(1/s_r), from all the
//              objects' columns gathered in object order (at most ny·nx of them);
//   N > ny·nx: G = MMᵀ (ny·nx × ny·nx), G = U diag(s²) Uᵀ, U_r its top eigenvectors; the
//              partitions reduce G in exact fixed point (pixel-gram.ts), no columns travel;
//
// G in float64 in a fixed order (KernelModule.gram, pixel-gram.ts), eigen.ts for its
// spectrum; kept: s_k ≥ λ (hard) or > λ (soft). The driver holds at most ny·nx × ny·nx
// values, whatever N.
//
// The result depends only on the columns, never on how objects were grouped into
// partitions, so distributed runs get the same bits as local ones. The map broadcast to
// the partitions is (U_r, c): ỹ = ỹt − U_r diag(c) U_rᵀ ỹt with c = 1 (hard) or
// c = 1 − λ/s (soft) — that is ỹt − σ_d·SVT(ỹt/σ_d, λ/σ_d), since scaling M scales s.
//
// Singular values come from the Gram's eigenvalues: s = √max(μ, 0). The absolute error
// of μ is ~ε‖G‖ = ε s₁², so s_k carries an error of ~ε s₁²/(2 s_k), at most √ε s₁ ≈
// 1.5e-8 s₁ for the smallest. Measured on the §10 reference primals (s₁/s_N ≈ 1e5): the
// nuclear norm within 6e-12 of the exact SVD's, 5e-12 of the cost (test/lowrank.test.ts).

import type { Block, KernelModule } from '../kernels/index.ts';
import { symmetricEigen, symmetricEigenTop } from './eigen.ts';
import { svtRule } from './method.ts';
import { PixelGram, gramBlock } from './pixel-gram.ts';
import type { Batch } from './batch.ts';

export type Prior = 'sparse' | 'lowrank' | 'both';
export const PRIORS: readonly Prior[] = ['sparse', 'lowrank', 'both'];
export type LowrankThreshold = 'hard' | 'soft';
export const LOWRANK_THRESHOLDS: readonly LowrankThreshold[] = ['hard', 'soft'];

/**
 * β = max_i max_k |P̂_i[k]|² = ‖H‖², float64, from the PSFs (count × ky × kx, origin at
 * (ky//2, kx//2), zero-embedded in ny × nx). The modulus does not depend on where the
 * origin is, so the kernels are transformed where they lie.
 */
export function psfGain(psfs: ArrayLike<number>, count: number, ky: number, kx: number, ny: number, nx: number): number {
  const cy = new Float64Array(ny * ky), sy = new Float64Array(ny * ky);
  for (let u = 0; u < ny; u++) for (let a = 0; a < ky; a++) {
    cy[u * ky + a] = Math.cos((2 * Math.PI * ((u * a) % ny)) / ny);
    sy[u * ky + a] = Math.sin((2 * Math.PI * ((u * a) % ny)) / ny);
  }
  const cx = new Float64Array(nx * kx), sx = new Float64Array(nx * kx);
  for (let v = 0; v < nx; v++) for (let b = 0; b < kx; b++) {
    cx[v * kx + b] = Math.cos((2 * Math.PI * ((v * b) % nx)) / nx);
    sx[v * kx + b] = Math.sin((2 * Math.PI * ((v * b) % nx)) / nx);
  }
  // rows first: R[a, v] = Σ_b p[a, b] e^{−2πi vb/nx}; then columns: P̂[u, v] = Σ_a R[a, v] e^{−2πi ua/ny}
  const rr = new Float64Array(ky * nx), ri = new Float64Array(ky * nx);
  const half = (nx >> 1) + 1; // |P̂[u, v]| = |P̂[−u, −v]|: half the columns suffice
  let beta = 0;
  for (let i = 0; i < count; i++) {
    const base = i * ky * kx;
    for (let a = 0; a < ky; a++) for (let v = 0; v < half; v++) {
      let re = 0, im = 0;
      for (let b = 0; b < kx; b++) {
        const p = psfs[base + a * kx + b];
        re += p * cx[v * kx + b];
        im -= p * sx[v * kx + b];
      }
      rr[a * nx + v] = re;
      ri[a * nx + v] = im;
    }
    for (let u = 0; u < ny; u++) for (let v = 0; v < half; v++) {
      let re = 0, im = 0;
      for (let a = 0; a < ky; a++) {
        const c = cy[u * ky + a], s = sy[u * ky + a];
        const xr = rr[a * nx + v], xi = ri[a * nx + v];
        re += xr * c + xi * s;
        im += xi * c - xr * s;
      }
      beta = Math.max(beta, re * re + im * im);
    }
  }
  return beta;
}

/** What the partitions apply: ỹ = ỹt − U diag(c) Uᵀ ỹt. */
export interface SvtMap {
  /** Kept left singular vectors, npix × rank, row-major. */
  u: Float64Array;
  /** Shrink factor per kept vector. */
  c: Float64Array;
  rank: number;
}


/**
 * What a spectrum is taken of: the objects' columns (float32, object-major n × npix), or,
 * past npix objects, the pixels' Gram MMᵀ (float64 npix × npix, pixel-gram.ts), which
 * the partitions reduce so that no one holds all the columns.
 */
export type StackSource = Float32Array | Float64Array;

export class StackSpectrum {
  private gram: Block | undefined;
  private cols: Block | undefined;

  constructor(
    private readonly module: KernelModule,
    readonly n: number,
    readonly npix: number,
  ) {}

  /** Whether the Gram is the pixels' (npix × npix, more objects than pixels) rather than the objects'. */
  get byPixels(): boolean {
    return this.n > this.npix;
  }

  /** Side of the Gram matrix: min(n, npix). */
  get side(): number {
    return Math.min(this.n, this.npix);
  }

  /**
   * The Gram matrix (float64) of the stack: given (`StackSource` a Float64Array: the
   * pixels' Gram MMᵀ, reduced by pixel-gram.ts), or of the object-major columns `m` (n ×
   * npix): MᵀM, or MMᵀ when there are more objects than pixels (then from M laid out by pixel).
   */
  gramOf(m: StackSource): Float64Array {
    const { n, npix, side } = this;
    if (m instanceof Float64Array) {
      if (!this.byPixels || m.length !== npix * npix) throw new RangeError(`a Gram of ${m.length} values for ${n} objects of ${npix} pixels`);
      return m;
    }
    if (m.length !== n * npix) throw new RangeError(`${m.length} values do not make ${n} columns of ${npix}`);
    const mod = this.module;
    this.cols ??= mod.alloc('f32', n * npix);
    this.gram ??= mod.alloc('f64', side * side);
    const cols = mod.f32(this.cols);
    if (this.byPixels) {
      for (let i = 0; i < n; i++) for (let p = 0; p < npix; p++) cols[p * n + i] = m[i * npix + p];
      mod.gram(this.cols, npix, n, this.gram);
    } else {
      cols.set(m);
      mod.gram(this.cols, n, npix, this.gram);
    }
    // a copy: the eigensolver's workspace in the same memory may grow it (detaching views)
    return mod.f64(this.gram).slice();
  }

  /** Singular values of M, largest first (√ of the Gram's eigenvalues, clamped at 0). */
  singularValues(m: StackSource): Float64Array {
    return symmetricEigen(this.gramOf(m), this.side, { vectors: false, module: this.module }).values.map((v) => Math.sqrt(Math.max(v, 0)));
  }

  /** ‖M‖_* = Σ_k s_k, summed from the smallest. */
  nuclearNorm(m: StackSource): number {
    const s = this.singularValues(m);
    let sum = 0;
    for (let k = s.length - 1; k >= 0; k--) sum += s[k];
    return sum;
  }

  /** The SVT map of M at threshold t (keep s ≥ t: hard; shrink s > t by t: soft). */
  svt(m: StackSource, t: number, threshold: LowrankThreshold): SvtMap {
    const { n, npix, side } = this;
    const s: number[] = [];
    // only the kept eigenvectors of the Gram are computed (inverse iteration, eigen.ts)
    const { vectors } = symmetricEigenTop(this.gramOf(m), side, (values) => {
      for (let k = 0; k < side; k++) {
        const sk = Math.sqrt(Math.max(values[k], 0));
        if (!svtRule(sk, t, threshold).kept) break;
        s.push(sk);
      }
      return s.length;
    }, this.module);
    const r = s.length;
    const c = Float64Array.from(s, (sk) => svtRule(sk, t, threshold).c);
    // the pixels' Gram gives U_r itself
    if (this.byPixels) return { u: vectors, c, rank: r };
    if (m instanceof Float64Array) throw new RangeError('the objects\' Gram needs the columns');
    // U_r = M V_r / s_r, float64, pixel by pixel in object order
    const u = new Float64Array(npix * r);
    for (let i = 0; i < n; i++) {
      const col = i * npix;
      for (let k = 0; k < r; k++) {
        const w = vectors[i * r + k] / s[k];
        for (let p = 0; p < npix; p++) u[p * r + k] += m[col + p] * w;
      }
    }
    return { u, c, rank: r };
  }

  dispose(): void {
    if (this.cols) this.module.free(this.cols);
    if (this.gram) this.module.free(this.gram);
    this.cols = this.gram = undefined;
  }
}

/** The driver's side of the low-rank prior for one run: λ, the SVT maps and the nuclear norm, and the rank kept at each iteration. */
export class LowrankCoupling {
  /** Rank kept by the SVT at each iteration so far. */
  readonly ranks: number[] = [];
  private readonly spectrum: StackSpectrum;
  /** Past ny·nx objects: the partitions' Gram parts are summed here, in blocks of `block` objects. */
  private readonly gram: PixelGram | undefined;
  readonly block: number;

  constructor(
    private readonly module: KernelModule, n: number, ny: number, nx: number,
    readonly lambda: number,
    private readonly threshold: LowrankThreshold,
  ) {
    this.spectrum = new StackSpectrum(module, n, ny * nx);
    this.block = gramBlock(n);
    if (this.byPixels) this.gram = new PixelGram(module, ny * nx);
  }

  /** Whether the partitions send their parts of the pixels' Gram (pixel-gram.ts) rather than columns. */
  get byPixels(): boolean {
    return this.spectrum.byPixels;
  }

  /** The pixels' Gram: the exact sum of the partitions' parts (PixelGram.words), or of a batch's in this module. */
  gramOf(parts: Iterable<BigInt64Array> | { batch: Batch; which: 'yt' | 'x' }): Float64Array {
    if (!this.gram) throw new Error(`a stack of ${this.spectrum.n} objects of ${this.spectrum.npix} pixels uses the objects' Gram`);
    this.gram.clear();
    if ('batch' in parts) this.gram.addBatch(parts.batch, parts.which, this.block);
    else for (const part of parts) this.gram.add(part);
    return this.gram.matrix();
  }

  /**
   * The map of ỹ = ỹt − σ_d·SVT(ỹt/σ_d, λ/σ_d) for the gathered ỹt (object order) or
   * its pixels' Gram: the
   * singular values of ỹt/σ_d against λ/σ_d are those of ỹt against λ.
   */
  map(yt: StackSource): SvtMap {
    const map = this.spectrum.svt(yt, this.lambda, this.threshold);
    this.ranks.push(map.rank);
    return map;
  }

  /** ‖M(x)‖_* for the gathered x (object order) or its pixels' Gram. */
  nuclearNorm(x: StackSource): number {
    return this.spectrum.nuclearNorm(x);
  }

  dispose(): void {
    this.spectrum.dispose();
    this.gram?.dispose();
  }
}
