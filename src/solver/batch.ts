// A batch (partition) of objects whose whole solver state lives in one Wasm instance:
// x, X̂, P̂, Ŷ, the dual y, the weights W and W⁽⁰⁾. Set up once; each iteration then
// hands pointers to the kernels, with no allocation or copying (DESIGN.md).

import {
  KernelModule, BANDS, LANES, groupsFor, interleave, interleavePsfs, deinterleave, deinterleaveBands,
  type Block, type StackShape, type PsfShape,
} from '../kernels/index.ts';
import type { SolverOptions } from './options.ts';
import { fixedSum, toFixed } from './exact-sum.ts';

export interface BatchInput {
  /** Observed stamps, object-major; objects [first, first + shape.n) of `y` are used. */
  y: ArrayLike<number>;
  /** PSFs, object-major, `psf.n` = objects in `y` or 1 (shared). */
  psfs: ArrayLike<number>;
  shape: StackShape;
  psf: PsfShape;
  /** Index of the batch's first object in `y` and `psfs` (default 0). */
  first?: number;
  /** The global noise level σ (§4). */
  sigma: number;
  options: SolverOptions;
}

/** Per-object cost terms of the current x. */
export interface CostParts {
  data: Float64Array;
  sparsity: Float64Array;
}

export class Batch {
  readonly n: number;
  readonly ny: number;
  readonly nx: number;
  readonly groups: number;
  /** The global noise level σ this batch was set up with. */
  readonly sigma: number;
  private readonly m: KernelModule;
  private readonly options: SolverOptions;
  private readonly x: Block;
  private readonly xh: Block;
  private readonly ph: Block;
  private readonly yh: Block;
  private readonly dual: Block;
  private readonly w: Block;
  /** Φx, carried through the relaxation by the kernels. */
  private readonly phix: Block;
  private readonly w0: Block;
  /** Cost terms per group and cost slot (see the kernels' `step`); grown on demand. */
  private costOut: Block;
  private costSlots = 1;
  private readonly norms: Float64Array;
  private disposed = false;

  constructor(module: KernelModule, input: BatchInput) {
    const { shape, psf, options, sigma } = input;
    const first = input.first ?? 0;
    this.m = module;
    this.options = options;
    this.sigma = sigma;
    this.n = shape.n;
    this.ny = shape.ny;
    this.nx = shape.nx;
    const { ny, nx } = shape;
    const groups = (this.groups = groupsFor(shape.n));
    const m = this.m;
    m.configure({ ny, nx, wavelet: options.wavelet });
    const pixels = KernelModule.pixels(ny, nx, groups);
    const spectrum = KernelModule.spectrum(ny, nx, groups);
    const bands = KernelModule.bands(ny, nx, groups);
    this.x = m.alloc('f32', pixels);
    this.xh = m.alloc('f32', spectrum);
    this.ph = m.alloc('f32', spectrum);
    this.yh = m.alloc('f32', spectrum);
    this.dual = m.alloc('f32', bands);
    this.w = m.alloc('f32', bands);
    this.phix = m.alloc('f32', bands);
    this.w0 = m.alloc('f32', groups * BANDS * LANES);
    this.costOut = m.alloc('f64', groups * 2 * LANES);

    // P̂ and the band norms ‖Φ p_i‖ (norms are shift-invariant, so the origin-shifted PSF serves).
    const normsOut = m.alloc('f64', groups * BANDS * LANES);
    interleavePsfs(input.psfs, psf.n, psf.ky, psf.kx, psf.n === 1 ? 0 : first, shape.n, ny, nx, m.f32(this.x));
    m.raw.rfft2(this.x.ptr, this.ph.ptr, groups);
    m.raw.bandNorms(this.x.ptr, normsOut.ptr, groups);
    this.norms = Float64Array.from(m.f64(normsOut));
    m.free(normsOut);

    // Ŷ
    interleave(input.y, first, shape.n, ny * nx, m.f32(this.x));
    m.raw.rfft2(this.x.ptr, this.yh.ptr, groups);

    // W⁽⁰⁾[i, j] = κ_j σ ‖rot180(p_i) ⊛ h_j‖ (§5); padding lanes stay 0.
    const w0 = m.f32(this.w0);
    w0.fill(0);
    for (let i = 0; i < shape.n; i++) {
      const g = (i / LANES) | 0;
      for (let b = 0; b < BANDS; b++) {
        const k = (g * BANDS + b) * LANES + (i % LANES);
        w0[k] = options.kappa[b] * sigma * this.norms[k];
      }
    }
    m.raw.fillWeights(this.w.ptr, this.w0.ptr, groups);

    // x₀ = 1, y₀ = 1 (§6); X̂₀ and Φx₀ to match.
    m.f32(this.x).fill(1);
    m.f32(this.dual).fill(1);
    m.raw.rfft2(this.x.ptr, this.xh.ptr, groups);
    m.raw.starlet(this.x.ptr, this.phix.ptr, groups);
  }

  /** Runs `iterations` Condat–Vũ iterations on every object. */
  step(iterations = 1): void {
    this.run(iterations, 0);
  }

  /**
   * Runs `iterations` iterations and, if `evaluate`, returns the batch's cost after every
   * costWindow-th of them counted back from the last (⌈iterations / costWindow⌉ costs, the
   * earliest first; ALGORITHM §7), each an exact fixed-point sum. The costs are computed
   * per group while its state is in cache, so several iterations with costs cost no
   * more memory traffic than one.
   */
  advance(iterations: number, evaluate: boolean): bigint[] {
    if (!evaluate) {
      this.run(iterations, 0);
      return [];
    }
    const slots = Math.ceil(iterations / this.options.costWindow);
    if (slots > this.costSlots) {
      this.m.free(this.costOut);
      this.costOut = this.m.alloc('f64', this.groups * 2 * LANES * slots);
      this.costSlots = slots;
    }
    this.run(iterations, this.costOut.ptr);
    const sums: bigint[] = [];
    for (let s = 0; s < slots; s++) sums.push(this.slotSum(s, slots));
    return sums;
  }

  /** Exact sum of the per-object costs in slot `slot` of `slots`, read in place (no copies). */
  private slotSum(slot: number, slots: number): bigint {
    const v = this.m.f64(this.costOut);
    let sum = 0n;
    for (let i = 0; i < this.n; i++) {
      const base = this.costIndex(i, slot, slots);
      sum += toFixed(v[base] + v[base + LANES]);
    }
    return sum;
  }

  /** Where object i's data term sits in the cost block (layout of the kernels' `step`). */
  private costIndex(i: number, slot: number, slots: number): number {
    return (((i / LANES) | 0) * slots + slot) * 2 * LANES + (i % LANES);
  }

  /** Per-object data term ½‖y_i − H x_i‖² and sparsity term Σ|W ⊙ Φ x_i|. */
  costParts(): CostParts {
    this.live();
    this.m.configure({ ny: this.ny, nx: this.nx, wavelet: this.options.wavelet });
    this.m.raw.cost(this.xh.ptr, this.ph.ptr, this.yh.ptr, this.w.ptr, this.phix.ptr, this.costOut.ptr, this.groups);
    return this.readCosts(0, 1);
  }

  private run(iterations: number, costOut: number): void {
    this.live();
    const o = this.options;
    this.m.configure({ ny: this.ny, nx: this.nx, wavelet: o.wavelet });
    this.m.raw.step(
      this.x.ptr, this.xh.ptr, this.ph.ptr, this.yh.ptr, this.dual.ptr, this.w.ptr, this.phix.ptr,
      0, this.groups, iterations, o.tau, o.sigmaD, o.rho, o.positivity, costOut, o.costWindow,
    );
  }

  /** Cost terms of slot `slot` of `slots` (layout of the kernels' `step`). */
  private readCosts(slot: number, slots: number): CostParts {
    const v = this.m.f64(this.costOut);
    const data = new Float64Array(this.n);
    const sparsity = new Float64Array(this.n);
    for (let i = 0; i < this.n; i++) {
      const base = this.costIndex(i, slot, slots);
      data[i] = v[base];
      sparsity[i] = v[base + LANES];
    }
    return { data, sparsity };
  }

  /** Per-object total cost, float64. */
  costs(): Float64Array {
    return this.totals(this.costParts());
  }

  private totals({ data, sparsity }: CostParts): Float64Array {
    for (let i = 0; i < data.length; i++) data[i] += sparsity[i];
    return data;
  }

  /** The batch's cost as an exact fixed-point sum (see exact-sum.ts). */
  costSum(): bigint {
    return fixedSum(this.costs());
  }

  /** W ← W / (1 + |Φx| / W⁽⁰⁾) (§8). */
  reweight(): void {
    this.live();
    this.m.configure({ ny: this.ny, nx: this.nx, wavelet: this.options.wavelet });
    this.m.raw.reweight(this.phix.ptr, this.w.ptr, this.w0.ptr, this.groups);
  }

  /** The current primal x, object-major (n, ny, nx). */
  primal(): Float32Array {
    this.live();
    const out = new Float32Array(this.n * this.ny * this.nx);
    deinterleave(this.m.f32(this.x), this.n, this.ny * this.nx, out);
    return out;
  }

  /** The current dual y, object-major (n, 3, ny, nx). */
  dualVariable(): Float32Array {
    return this.bandsOut(this.dual);
  }

  /** The current weights W, object-major (n, 3, ny, nx). */
  weights(): Float32Array {
    return this.bandsOut(this.w);
  }

  /** W⁽⁰⁾ as (n, 3), float64 (κ_j σ times the band norm, before the float32 store). */
  weights0(): Float64Array {
    const out = new Float64Array(this.n * BANDS);
    for (let i = 0; i < this.n; i++) {
      const g = (i / LANES) | 0;
      for (let b = 0; b < BANDS; b++) {
        out[i * BANDS + b] = this.options.kappa[b] * this.sigma * this.norms[(g * BANDS + b) * LANES + (i % LANES)];
      }
    }
    return out;
  }

  /**
   * The evolving state (x, X̂, y, W, Φx) as one float32 array, in the kernels' layout: with
   * the inputs, enough to `restore` the batch bit for bit on another agent.
   */
  snapshot(): Float32Array {
    this.live();
    const parts = [this.x, this.xh, this.dual, this.w, this.phix];
    const out = new Float32Array(parts.reduce((s, b) => s + b.length, 0));
    let at = 0;
    for (const b of parts) {
      out.set(this.m.f32(b), at);
      at += b.length;
    }
    return out;
  }

  /** Restores a `snapshot` taken from a batch with the same inputs and options. */
  restore(state: Float32Array): void {
    this.live();
    const parts = [this.x, this.xh, this.dual, this.w, this.phix];
    const total = parts.reduce((s, b) => s + b.length, 0);
    if (state.length !== total) throw new RangeError(`snapshot has ${state.length} values, this batch needs ${total}`);
    let at = 0;
    for (const b of parts) {
      this.m.f32(b).set(state.subarray(at, at + b.length));
      at += b.length;
    }
  }

  /** Frees the batch's Wasm memory. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const b of [this.x, this.xh, this.ph, this.yh, this.dual, this.w, this.phix, this.w0, this.costOut]) this.m.free(b);
  }

  private bandsOut(block: Block): Float32Array {
    this.live();
    const out = new Float32Array(this.n * BANDS * this.ny * this.nx);
    deinterleaveBands(this.m.f32(block), this.n, this.ny * this.nx, out, 0);
    return out;
  }

  private live(): void {
    if (this.disposed) throw new Error('this batch has been disposed');
  }
}
