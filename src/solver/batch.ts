// A batch (partition) of objects whose whole solver state lives in one Wasm instance
// (a kernels `Resident`: x, X̂, P̂, Ŷ, the dual variable, W, W⁽⁰⁾, Φx). Set up once;
// each iteration then hands pointers to the kernels, with no allocation or copying
// (DESIGN.md). The formulas are method.ts's; this file holds the state and its layout.

import {
  BANDS, LANES, COST_TERMS, KernelModule, groupsFor, costIndex, interleave, interleavePsfs, deinterleave, deinterleaveBands,
  type Block, type Resident, type StackShape, type PsfShape,
} from '../kernels/index.ts';
import type { SolverOptions } from './options.ts';
import { fixedSum, toFixed } from './exact-sum.ts';
import { gramEntries } from './pixel-gram.ts';
import { xorVarintDecode } from '../common/xor-varint.ts';
import {
  condatSteps, cost, costTerms, dataGradient, dataTerms, initialWeight, lowrankPrimalStep, phi, phiAdjoint, reweight,
  sparseDualStep, svtProjection,
} from './method.ts';

/** Groups whose Φ(x) a snapshot computes and codes at a time (scratch: 5043 float32 and up to 25 KB of code per object at 41×41). */
const SNAPSHOT_GROUPS = 64;

export interface BatchInput {
  /** Observed stamps, object-major; objects [first, first + shape.n) of `y` are used. */
  y: ArrayLike<number>;
  /** PSFs, object-major, `psf.n` = objects in `y` or 1 (shared). */
  psfs: ArrayLike<number>;
  shape: StackShape;
  psf: PsfShape;
  /** Index of the batch's first object in `y` and `psfs` (default 0). */
  first?: number;
  /** The noise level σ (§4): one for all, or one per object of the batch (σ_i in W⁽⁰⁾). */
  noiseSigma: number | ArrayLike<number>;
  /**
   * Pixel weights in [0, 1], object-major like `y` (objects [first, first + shape.n)):
   * the data term becomes ½‖√w ⊙ (y − Hx)‖² (0 drops a pixel). Two more DFTs per iteration.
   */
  mask?: ArrayLike<number>;
  options: SolverOptions;
}

/** The low-rank prior's blocks (§10): y₂ and ỹt evolve; the others are work space. */
interface LowrankBlocks {
  y2: Block;
  yt: Block;
  xt: Block;
  g: Block;
  /** Φᵀy₁ (the combined prior; a placeholder for low-rank alone). */
  adj: Block;
  /** Φx̃ (the combined prior; a placeholder for low-rank alone). */
  phit: Block;
  data: Block;
  /** Capacity (kept vectors) of u, c, acc. */
  rank: number;
  u?: Block;
  c?: Block;
  acc?: Block;
  /** The pixels' Gram: pixel-major rows of one block of objects. */
  rows?: Block;
}

/** A named part of the state a checkpoint holds (Batch.snapshot). */
export type StatePart = 'x' | 'dual' | 'dualx' | 'phix' | 'w' | 'y2';

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
  /** The noise level σ_i of each object of the batch. */
  readonly noiseSigma: Float64Array;
  private readonly m: KernelModule;
  private readonly options: SolverOptions;
  private readonly s: Resident;
  /** Cost terms, `costSlots` cost slots per group (layout: kernels' costIndex); grown on demand. */
  private costOut: Block;
  private costSlots = 1;
  /** ‖Φ p_i‖ per group, band and lane (float64), for W⁽⁰⁾. */
  private readonly norms: Float64Array;
  /** The low-rank prior's state (§10), if it is on. */
  private readonly lr: LowrankBlocks | undefined;
  private disposed = false;
  /** Whether W has left W⁽⁰⁾ (a reweight happened): checkpoints then hold W. */
  private reweighted = false;

  constructor(module: KernelModule, input: BatchInput) {
    const { shape, psf, options, noiseSigma } = input;
    const first = input.first ?? 0;
    this.m = module;
    this.options = options;
    this.noiseSigma = typeof noiseSigma === 'number' ? new Float64Array(shape.n).fill(noiseSigma) : Float64Array.from(noiseSigma);
    if (this.noiseSigma.length !== shape.n) throw new RangeError(`Batch: ${this.noiseSigma.length} noise levels for ${shape.n} objects`);
    this.n = shape.n;
    this.ny = shape.ny;
    this.nx = shape.nx;
    const { ny, nx } = shape;
    const groups = (this.groups = groupsFor(shape.n));
    const m = this.m;
    m.configure({ ny, nx, wavelet: options.wavelet });
    // the low-rank prior alone has no wavelet dual, weights nor Φx
    const wavelets = options.prior !== 'lowrank';
    const s = (this.s = m.allocResident(groups, { masked: input.mask !== undefined, wavelets }));
    // Block by block, freeing those already taken if one does not fit (an instance too full
    // for this batch stays usable).
    const taken: Block[] = [];
    const take = (b: Block): Block => {
      taken.push(b);
      return b;
    };
    let normsOut: Block;
    try {
      this.costOut = take(m.allocCosts(groups, 1));
      normsOut = take(m.alloc('f64', groups * BANDS * LANES));
      if (options.prior !== 'sparse') {
        // y₂, ỹt, x̃, the gradient, Φᵀy₁ and Φx̃ (§10)
        const pixels = KernelModule.pixels(ny, nx, groups);
        const both = options.prior === 'both';
        const f32 = (length: number): Block => take(m.alloc('f32', length));
        this.lr = {
          y2: f32(pixels), yt: f32(pixels), xt: f32(pixels), g: f32(pixels),
          adj: f32(both ? pixels : LANES), phit: f32(both ? KernelModule.bands(ny, nx, groups) : LANES),
          data: take(m.alloc('f64', groups * LANES)), rank: 0,
        };
      }
    } catch (e) {
      for (const b of taken) m.free(b);
      m.freeResident(s);
      throw e;
    }
    if (s.mask) interleave(input.mask!, first, shape.n, ny * nx, m.f32(s.mask));

    // P̂ and the band norms ‖Φ p_i‖ (norms are shift-invariant, so the origin-shifted PSF serves).
    interleavePsfs(input.psfs, psf.n, psf.ky, psf.kx, psf.n === 1 ? 0 : first, shape.n, ny, nx, m.f32(s.x));
    m.dft(s.x, s.ph, groups);
    m.bandNorms(s.x, normsOut, groups);
    this.norms = Float64Array.from(m.f64(normsOut));
    m.free(normsOut);

    // Ŷ; pixels the mask drops are zeroed first, so what lies under them (garbage, NaN)
    // does not reach the spectrum at all.
    interleave(input.y, first, shape.n, ny * nx, m.f32(s.x));
    if (s.mask) {
      const yv = m.f32(s.x), mv = m.f32(s.mask);
      for (let q = 0; q < mv.length; q++) if (mv[q] === 0) yv[q] = 0;
    }
    m.dft(s.x, s.yh, groups);

    // W⁽⁰⁾ (§5), stored float32; padding lanes stay 0. W starts as W⁽⁰⁾.
    const w0 = m.f32(s.w0);
    w0.fill(0);
    this.eachWeight0((k, v) => { w0[k] = v; });
    if (wavelets) m.fillWeights(s);

    // x₀ = 1, dual₀ = 1 (§6); X̂₀ and Φx₀ to match.
    m.f32(s.x).fill(1);
    m.f32(s.dual).fill(1);
    m.dft(s.x, s.xh, groups);
    if (wavelets) phi(m, s.x, s.phix, groups);

    if (this.lr) {
      // y₂₀ = 1 (§10); ỹt starts at 0, the others are work space
      m.f32(this.lr.y2).fill(1);
      m.f32(this.lr.yt).fill(0);
    }
  }

  /**
   * Bytes a batch of `n` objects of ny × nx takes in its kernels' instance: its resident
   * state and its cost slots (up to 4 per group: one barrier's costs); with a low-rank
   * prior also its low-rank blocks, the SVT map at the largest rank the stack can have
   * (U: ny·nx × ny·nx float64, c and the projection's sums) and, with `gramBlock`, the pixel
   * rows of one Gram block. Affine in `n`: the map and the rows do not grow with the batch.
   */
  static bytes(n: number, ny: number, nx: number, opts: { masked?: boolean; prior?: SolverOptions['prior']; gramBlock?: number } = {}): number {
    const groups = groupsFor(n);
    const prior = opts.prior ?? 'sparse';
    const resident = KernelModule.residentBytes(ny, nx, groups, { masked: opts.masked, wavelets: prior !== 'lowrank' });
    let bytes = resident + 8 * (groups * 4 * COST_TERMS * LANES + groups * BANDS * LANES);
    if (prior !== 'sparse') {
      // the low-rank blocks (see the constructor, lowrankProject and addLowrankGram)
      const pixels = KernelModule.pixels(ny, nx, groups);
      const both = prior === 'both';
      bytes += 4 * (4 * pixels + (both ? pixels + KernelModule.bands(ny, nx, groups) : 2 * LANES)) + 8 * groups * LANES;
      const npix = ny * nx, rank = npix;
      bytes += 8 * (npix * rank + rank + rank * LANES) + 4 * npix * (opts.gramBlock ?? 0);
    }
    return bytes;
  }

  /** Runs `iterations` Condat–Vũ iterations on every object. */
  step(iterations = 1): void {
    this.run(iterations);
  }

  /**
   * Runs `iterations` iterations and, if `evaluate`, returns the batch's cost after every
   * costWindow-th of them counted back from the last (⌈iterations / costWindow⌉ costs, the
   * earliest first; docs/ALGORITHM.md §7), each an exact fixed-point sum. The costs are computed
   * per group while its state is in cache, so several iterations with costs cost no
   * more memory traffic than one.
   */
  advance(iterations: number, evaluate: boolean): bigint[] {
    if (!evaluate) {
      this.run(iterations);
      return [];
    }
    const slots = Math.ceil(iterations / this.options.costWindow);
    if (slots > this.costSlots) {
      this.m.free(this.costOut);
      this.costOut = this.m.allocCosts(this.groups, slots);
      this.costSlots = slots;
    }
    this.run(iterations, this.costOut);
    const sums: bigint[] = [];
    for (let s = 0; s < slots; s++) sums.push(this.slotSum(s, slots));
    return sums;
  }

  /** Exact sum of the per-object costs in slot `slot` of `slots`, read in place (no copies). */
  private slotSum(slot: number, slots: number): bigint {
    const v = this.m.f64(this.costOut);
    let sum = 0n;
    for (let i = 0; i < this.n; i++) {
      const at = costIndex(i, slot, slots);
      sum += toFixed(cost(v[at], v[at + LANES]));
    }
    return sum;
  }

  /** Per-object data term ½‖y_i − H x_i‖² and sparsity term Σ|W ⊙ Φ x_i|. */
  costParts(): CostParts {
    this.live();
    this.wavelets();
    this.configure();
    costTerms(this.m, this.s, this.costOut);
    const v = this.m.f64(this.costOut);
    const data = new Float64Array(this.n);
    const sparsity = new Float64Array(this.n);
    for (let i = 0; i < this.n; i++) {
      const at = costIndex(i, 0, 1);
      data[i] = v[at];
      sparsity[i] = v[at + LANES];
    }
    return { data, sparsity };
  }

  /** Per-object total cost, float64. */
  costs(): Float64Array {
    const { data, sparsity } = this.costParts();
    for (let i = 0; i < data.length; i++) data[i] = cost(data[i], sparsity[i]);
    return data;
  }

  /** The batch's cost as an exact fixed-point sum (see exact-sum.ts). */
  costSum(): bigint {
    return fixedSum(this.costs());
  }

  /** W ← W / (1 + |Φx| / W⁽⁰⁾) (§8). */
  reweight(): void {
    this.live();
    this.wavelets();
    this.configure();
    reweight(this.m, this.s);
    this.reweighted = true;
  }

  /** The current primal x, object-major (n, ny, nx). */
  primal(): Float32Array {
    this.live();
    const out = new Float32Array(this.n * this.ny * this.nx);
    deinterleave(this.m.f32(this.s.x), this.n, this.ny * this.nx, out);
    return out;
  }

  /** The current x of object i alone (ny, nx): read in place, cheap enough to watch a run. */
  primalOf(i: number): Float32Array {
    this.live();
    if (!(Number.isInteger(i) && i >= 0 && i < this.n)) throw new RangeError(`object ${i} is not in this batch of ${this.n}`);
    const npix = this.ny * this.nx;
    const out = new Float32Array(npix);
    const x = this.m.f32(this.s.x);
    let from = ((i / LANES) | 0) * npix * LANES + (i % LANES);
    for (let p = 0; p < npix; p++, from += LANES) out[p] = x[from];
    return out;
  }

  /** The current dual variable, object-major (n, 3, ny, nx). */
  dualVariable(): Float32Array {
    return this.bandsOut(this.s.dual);
  }

  /** The current weights W, object-major (n, 3, ny, nx). */
  weights(): Float32Array {
    return this.bandsOut(this.s.w);
  }

  /** W⁽⁰⁾ as (n, 3), float64 (before the float32 store). */
  weights0(): Float64Array {
    const out = new Float64Array(this.n * BANDS);
    this.eachWeight0((_, v, i, b) => { out[i * BANDS + b] = v; });
    return out;
  }

  /** W⁽⁰⁾ of each object i and band b, with its index k in the kernels' layout. */
  private eachWeight0(f: (k: number, v: number, i: number, b: number) => void): void {
    for (let i = 0; i < this.n; i++) {
      const g = (i / LANES) | 0;
      for (let b = 0; b < BANDS; b++) {
        const k = (g * BANDS + b) * LANES + (i % LANES);
        f(k, initialWeight(this.options.kappa[b], this.noiseSigma[i], this.norms[k]), i, b);
      }
    }
  }

  /**
   * The local half of a low-rank or combined iteration (§10), up to the coupling: the
   * gradient, x̃, for `both` the ℓ1 dual step, ỹt = y₂ + σ_d(2x̃ − x), and x relaxed.
   * Then `lowrankColumns('yt')` goes to the driver, and its SVT map comes back to
   * `lowrankProject`.
   */
  lowrankHalf(): void {
    const lr = this.lowrank();
    const m = this.m, s = this.s, o = this.options;
    this.configure();
    dataGradient(m, s, lr.g);
    const both = o.prior === 'both';
    if (both) phiAdjoint(m, s.dual, lr.adj, this.groups);
    lowrankPrimalStep(m, { x: s.x, g: lr.g, adj: both ? lr.adj : undefined, y2: lr.y2, xt: lr.xt, yt: lr.yt }, this.groups, o);
    if (both) {
      phi(m, lr.xt, lr.phit, this.groups);
      sparseDualStep(m, s, lr.phit, o);
    }
    m.dft(s.x, s.xh, this.groups);
  }

  /** ỹt (the low-rank dual before thresholding) or x, object-major (n, ny·nx). */
  lowrankColumns(which: 'yt' | 'x'): Float32Array {
    const lr = this.lowrank();
    const out = new Float32Array(this.n * this.ny * this.nx);
    deinterleave(this.m.f32(which === 'yt' ? lr.yt : this.s.x), this.n, this.ny * this.nx, out);
    return out;
  }

  /**
   * Adds the batch's part of the pixels' Gram Σ_i m_i m_iᵀ of ỹt or x to the fixed-point
   * accumulator `acc` (pixel-gram.ts): float64 sums over consecutive blocks of `block`
   * objects from the batch's first, each rounded once to fixed point and added exactly.
   */
  addLowrankGram(which: 'yt' | 'x', block: number, acc: Block): void {
    const lr = this.lowrank();
    if (!(Number.isInteger(block) && block > 0 && block % LANES === 0)) throw new RangeError(`a Gram block of ${block} objects is not a multiple of ${LANES}`);
    const m = this.m, npix = this.ny * this.nx;
    if (acc.length !== 2 * gramEntries(npix)) throw new RangeError(`a Gram accumulator of ${acc.length} words for ${npix} pixels`);
    if (lr.rows && lr.rows.length < npix * block) {
      m.free(lr.rows);
      lr.rows = undefined;
    }
    lr.rows ??= m.alloc('f32', npix * block);
    this.configure();
    const src = which === 'yt' ? lr.yt : this.s.x;
    for (let first = 0; first < this.n; first += block) {
      const count = Math.min(block, this.n - first);
      const groups = Math.ceil(count / LANES);
      m.pixelRows(src, first / LANES, groups, count, lr.rows);
      m.gramFixed(lr.rows, npix, groups * LANES, acc);
    }
  }

  /** Completes the iteration with the driver's SVT map: ỹ = ỹt − U diag(c) Uᵀỹt, y₂ ← ρỹ + (1 − ρ)y₂. */
  lowrankProject(u: Float64Array, c: Float64Array): void {
    const lr = this.lowrank();
    const r = c.length, npix = this.ny * this.nx;
    if (u.length !== npix * r) throw new RangeError(`SVT map: ${u.length} values do not make ${npix} × ${r}`);
    const m = this.m;
    if (!lr.u || !lr.c || !lr.acc || r > lr.rank) {
      for (const b of [lr.u, lr.c, lr.acc]) if (b) m.free(b);
      lr.rank = Math.max(r, 1);
      lr.u = m.alloc('f64', npix * lr.rank);
      lr.c = m.alloc('f64', lr.rank);
      lr.acc = m.alloc('f64', lr.rank * LANES);
    }
    m.f64(lr.u).set(u);
    m.f64(lr.c).set(c);
    this.configure();
    svtProjection(m, { yt: lr.yt, y2: lr.y2, u: lr.u, c: lr.c, acc: lr.acc }, r, this.groups, this.options);
  }

  /**
   * The local part of the cost of the current x: Σ_i ½‖y_i − Hx_i‖² (+ Σ|W ⊙ Φx_i| for
   * `both`), as an exact fixed-point sum; the driver adds λ‖M(x)‖_*.
   */
  lowrankLocalCost(): bigint {
    const lr = this.lowrank();
    if (this.options.prior === 'both') return fixedSum(this.costs());
    this.configure();
    dataTerms(this.m, this.s, lr.data);
    return fixedSum(this.m.f64(lr.data), 0, this.n);
  }

  /** The low-rank dual y₂, object-major (n, ny, nx). */
  lowrankDual(): Float32Array {
    const lr = this.lowrank();
    const out = new Float32Array(this.n * this.ny * this.nx);
    deinterleave(this.m.f32(lr.y2), this.n, this.ny * this.nx, out);
    return out;
  }

  /** Whether the batch's prior couples all objects (low-rank or both, §10). */
  get coupled(): boolean {
    return this.lr !== undefined;
  }

  private lowrank(): LowrankBlocks {
    this.live();
    if (!this.lr) throw new Error(`the ${this.options.prior} prior has no low-rank state`);
    return this.lr;
  }

  private wavelets(): void {
    if (this.options.prior === 'lowrank') throw new Error('the lowrank prior has no wavelet dual, weights nor sparsity term');
  }

  /**
   * The state a checkpoint must hold to `restore` the batch bit for bit, as named parts
   * (bytes, in the kernels' layout): x; with the wavelet prior (sparse, both) Φx, which the
   * kernels carry through the relaxation (ρΦx̃ + (1 − ρ)Φx is not Φ(x) to the bit, but
   * close: stored as its XOR difference from Φ(x), about 1 byte a value instead of 4), the
   * dual variable (which tends to ±W wherever Φx ≠ 0, the clip of §6: stored as its XOR
   * difference from copysign(W, Φx) as `dualx`, 2.4–3.1 bytes a value, or as it is, `dual`,
   * when that is smaller, as right after a reweight), and W once a reweight has made it
   * differ from W⁽⁰⁾; with the low-rank prior (lowrank, both) its dual y₂. Recomputed on
   * restore: X̂ = DFT(x) (as every step leaves it) and W⁽⁰⁾ (from the inputs); ỹt and the
   * other low-rank blocks are work space that each iteration writes before it reads them.
   * The parts are views of Wasm memory or scratch, valid until the next call on the batch:
   * copy them.
   */
  snapshot(): { name: StatePart; bytes: Uint8Array }[] {
    this.live();
    this.configure();
    const s = this.s, m = this.m;
    const wavelets = this.options.prior !== 'lowrank';
    const phix = wavelets ? this.coded(s.phix, (g, n, out) => phi(m, this.chunkOf(s.x, g, n), out, n)) : undefined;
    const dual = wavelets ? this.coded(s.dual, (g, n, out) => m.signedWeights(this.chunkOf(s.w, g, n), this.chunkOf(s.phix, g, n), out)) : undefined;
    // Views of Wasm memory only now: the scratch above may have grown it (detaching older views).
    const parts: { name: StatePart; bytes: Uint8Array }[] = [{ name: 'x', bytes: this.bytesOf(s.x) }];
    if (phix && dual) {
      parts.push(dual.byteLength < 4 * s.dual.length ? { name: 'dualx', bytes: dual } : { name: 'dual', bytes: this.bytesOf(s.dual) });
      parts.push({ name: 'phix', bytes: phix });
    }
    if (this.reweighted) parts.push({ name: 'w', bytes: this.bytesOf(s.w) });
    if (this.lr) parts.push({ name: 'y2', bytes: this.bytesOf(this.lr.y2) });
    return parts;
  }

  /**
   * Restores the state `snapshot` gave on a batch with the same inputs and options (any
   * batch: W falls back to W⁽⁰⁾ when the snapshot has none). Throws RangeError, changing
   * nothing, if the parts do not fit this batch.
   */
  restore(parts: ReadonlyMap<string, Uint8Array>): void {
    this.live();
    this.configure();
    const s = this.s, m = this.m;
    const wavelets = this.options.prior !== 'lowrank';
    const reweighted = parts.has('w');
    const codedDual = parts.has('dualx');
    const raw: [StatePart, Block][] = [['x', s.x]];
    if (wavelets && !codedDual) raw.push(['dual', s.dual]);
    if (reweighted) raw.push(['w', s.w]);
    if (this.lr) raw.push(['y2', this.lr.y2]);
    const names = [...raw.map(([n]) => n), ...(wavelets ? ['phix'] : []), ...(wavelets && codedDual ? ['dualx'] : [])];
    if (parts.size !== names.length || !names.every((n) => parts.has(n)) || (reweighted && !wavelets)) {
      throw new RangeError(`snapshot has parts ${[...parts.keys()].join(', ')}, this batch needs ${names.join(', ')}`);
    }
    for (const [name, b] of raw) {
      const got = parts.get(name)!.byteLength;
      if (got !== 4 * b.length) throw new RangeError(`snapshot part ${name} has ${got} bytes, this batch needs ${4 * b.length}`);
    }
    // The coded parts are decoded against predictions from the restored state (Φx against
    // Φ(x), the dual against copysign(W, Φx)): a malformed one must leave no trace.
    const touched = [s.x, ...(wavelets ? [s.phix, s.dual, s.w] : [])];
    const before = touched.map((b) => this.bytesOf(b).slice());
    try {
      for (const [name, b] of raw) this.bytesOf(b).set(parts.get(name)!);
      if (wavelets) {
        m.phi(s.x, s.phix, this.groups);
        xorVarintDecode(parts.get('phix')!, this.wordsOf(s.phix));
        if (!reweighted) m.fillWeights(s);
        if (codedDual) {
          m.signedWeights(s.w, s.phix, s.dual);
          xorVarintDecode(parts.get('dualx')!, this.wordsOf(s.dual));
        }
      }
    } catch (e) {
      touched.forEach((b, i) => this.bytesOf(b).set(before[i]));
      throw e;
    }
    m.dft(s.x, s.xh, this.groups); // as the step leaves it: X̂ = DFT(x₊)
    this.reweighted = reweighted;
  }

  /** Groups [g, g + n) of a block of whole groups. */
  private chunkOf(b: Block, g: number, n: number): Block {
    const per = b.length / this.groups;
    return { ptr: b.ptr + 4 * g * per, length: n * per, kind: b.kind };
  }

  /**
   * `words` (a band block) as its XOR difference from a prediction that `predict(g, n, out)`
   * writes for groups [g, g + n), a chunk of groups at a time (the prediction and the coded
   * chunk in scratch Wasm memory, so that a checkpoint needs little more memory than the
   * batch), coded by the kernels in common/xor-varint.ts's format.
   */
  private coded(words: Block, predict: (g: number, n: number, out: Block) => void): Uint8Array {
    const m = this.m;
    const per = words.length / this.groups;
    const chunk = Math.min(this.groups, SNAPSHOT_GROUPS);
    // room for the worst case; only the pages written become resident
    const out = new Uint8Array(KernelModule.xorVarintRoom(words.length));
    let used = 0;
    const predicted = m.alloc('f32', chunk * per);
    let room: Block | undefined;
    try {
      room = m.alloc('f32', Math.ceil(KernelModule.xorVarintRoom(chunk * per) / 4));
      for (let g = 0; g < this.groups; g += chunk) {
        const n = Math.min(chunk, this.groups - g);
        predict(g, n, predicted);
        const bytes = m.xorVarint(this.chunkOf(words, g, n), predicted, n * per, room);
        out.set(new Uint8Array(m.f32(room).buffer, room.ptr, bytes), used);
        used += bytes;
      }
    } finally {
      m.free(predicted);
      if (room) m.free(room);
    }
    return out.subarray(0, used);
  }

  private wordsOf(b: Block): Uint32Array {
    return new Uint32Array(this.m.f32(b).buffer, b.ptr, b.length);
  }

  private bytesOf(b: Block): Uint8Array {
    const v = this.m.f32(b);
    return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  }

  /** Frees the batch's Wasm memory. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.m.freeResident(this.s);
    this.m.free(this.costOut);
    const lr = this.lr;
    if (lr) for (const b of [lr.y2, lr.yt, lr.xt, lr.g, lr.adj, lr.phit, lr.data, lr.u, lr.c, lr.acc, lr.rows]) if (b) this.m.free(b);
  }

  private run(iterations: number, costs?: Block): void {
    this.live();
    if (this.lr) throw new Error(`the ${this.options.prior} prior steps with lowrankHalf and lowrankProject`);
    this.configure();
    condatSteps(this.m, this.s, this.options, iterations, costs);
  }

  private configure(): void {
    this.m.configure({ ny: this.ny, nx: this.nx, wavelet: this.options.wavelet });
  }

  private bandsOut(block: Block): Float32Array {
    this.live();
    this.wavelets();
    const out = new Float32Array(this.n * BANDS * this.ny * this.nx);
    deinterleaveBands(this.m.f32(block), this.n, this.ny * this.nx, out, 0);
    return out;
  }

  private live(): void {
    if (this.disposed) throw new Error('this batch has been disposed');
  }
}
