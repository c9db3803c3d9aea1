// One instance of the Wasm kernels, typed: memory blocks, the stamp geometry, and the
// kernels' operations by name over blocks (the only code that calls the raw exports).
// A partition's solver state lives in a `Resident` set of blocks, so each iteration hands
// pointers to the kernels with no allocation or copying. Typed-array views are made fresh
// at each use because growing Wasm memory detaches every existing view.

import { instantiateKernels, type KernelExports } from './wasm.ts';
import { LANES, BANDS, COST_TERMS } from './layout.ts';
import { KEY_BIN_BITS, KEY_SUBHISTOGRAMS } from './exports.generated.ts';
import { DivergedError, GaldeconError } from '../errors.ts';
import type { PassRequest } from '../common/select.ts';

export type Wavelet = 'linear' | 'b3';
export const WAVELETS: readonly Wavelet[] = ['linear', 'b3'];
export { BANDS };

export interface Geometry {
  ny: number;
  nx: number;
  wavelet: Wavelet;
}

/** A block of Wasm memory holding `length` elements of float32 or float64. */
export interface Block {
  readonly ptr: number;
  readonly length: number;
  readonly kind: 'f32' | 'f64';
}

/**
 * A partition's state, resident in one instance (docs/ALGORITHM.md §6–§8): the primal x and its
 * spectrum X̂, the spectra P̂ and Ŷ, the dual variable, the weights W and W⁽⁰⁾, and Φx
 * (carried through the relaxation by the kernels). All in the group layout of layout.ts.
 */
export interface Resident {
  readonly groups: number;
  readonly x: Block;
  readonly xh: Block;
  readonly ph: Block;
  readonly yh: Block;
  readonly dual: Block;
  readonly w: Block;
  readonly phix: Block;
  /** One f32x4 per group and band. */
  readonly w0: Block;
  /**
   * Pixel weights in [0, 1] of the masked data term ½‖√w ⊙ (y − Hx)‖² (layout of x), if
   * the partition has a mask: its steps then take two more DFTs (assembly stepMasked).
   */
  readonly mask?: Block;
}

/** Parameters of the Condat–Vũ step (§6). */
export interface StepParams {
  /** Primal step τ. */
  tau: number;
  /** Dual step σ_d. */
  dualStep: number;
  /** Relaxation ρ. */
  rho: number;
  positivity: boolean;
}

export class KernelModule {
  /** The raw exports: only the operations below call them. */
  private readonly raw: KernelExports;
  private geometry: Geometry | undefined;

  constructor(raw: KernelExports = instantiateKernels()) {
    this.raw = raw;
  }

  /** Prepares the kernels for ny × nx stamps and a wavelet (no-op if already so). */
  configure(g: Geometry): void {
    const cur = this.geometry;
    if (cur && cur.ny === g.ny && cur.nx === g.nx && cur.wavelet === g.wavelet) return;
    this.raw.configure(g.ny, g.nx, g.wavelet === 'b3' ? 1 : 0);
    this.geometry = { ...g };
  }

  alloc(kind: 'f32' | 'f64', length: number): Block {
    const bytes = length * (kind === 'f32' ? 4 : 8);
    let ptr: number;
    try {
      // Wasm returns addresses as i32: past 2 GiB they read as negative numbers.
      ptr = this.raw.alloc(Math.max(bytes, 16)) >>> 0;
    } catch {
      const inUse = (this.raw.memory.buffer.byteLength / 2 ** 30).toFixed(2);
      throw new GaldeconError('E_MEMORY',
        `out of WebAssembly memory allocating ${(bytes / 2 ** 20).toFixed(0)} MiB (${inUse} GiB in use; one agent holds ` +
        'at most 4 GiB, about 45,000 stamps of 41×41): spread the stack over more agents or hosts');
    }
    if (ptr % 16 !== 0) throw new Error(`kernel allocator returned an unaligned block (${ptr})`);
    return { ptr, length, kind };
  }

  free(block: Block): void {
    this.raw.release(block.ptr);
  }

  /** Bytes of Wasm memory this instance holds (it only grows). */
  get memoryBytes(): number {
    return this.raw.memory.buffer.byteLength;
  }

  f32(block: Block): Float32Array {
    return new Float32Array(this.raw.memory.buffer, block.ptr, block.length);
  }

  f64(block: Block): Float64Array {
    return new Float64Array(this.raw.memory.buffer, block.ptr, block.length);
  }

  /** The 64-bit integer words of a block allocated as float64 (the fixed-point sums: 2 words an entry). */
  i64(block: Block): BigInt64Array {
    return new BigInt64Array(this.raw.memory.buffer, block.ptr, block.length);
  }

  /**
   * The state of `groups` groups of the configured geometry (contents undefined), with a mask
   * block if `masked`. Without `wavelets` (the low-rank prior alone, §10) the dual, W and Φx
   * are placeholders.
   */
  allocResident(groups: number, opts: { masked?: boolean; wavelets?: boolean } = {}): Resident {
    const g = this.configured();
    const pixels = KernelModule.pixels(g.ny, g.nx, groups);
    const spectrum = KernelModule.spectrum(g.ny, g.nx, groups);
    const bands = opts.wavelets === false ? LANES : KernelModule.bands(g.ny, g.nx, groups);
    // Block by block, freeing those already taken if one does not fit (the instance stays usable).
    const taken: Block[] = [];
    const take = (length: number): Block => {
      const b = this.alloc('f32', length);
      taken.push(b);
      return b;
    };
    try {
      return {
        groups, x: take(pixels), xh: take(spectrum), ph: take(spectrum), yh: take(spectrum),
        dual: take(bands), w: take(bands), phix: take(bands), w0: take(groups * BANDS * LANES),
        ...(opts.masked ? { mask: take(pixels) } : {}),
      };
    } catch (e) {
      for (const b of taken) this.free(b);
      throw e;
    }
  }

  /** Bytes of `allocResident(groups, opts)` at ny × nx (what one resident partition takes in an instance). */
  static residentBytes(ny: number, nx: number, groups: number, opts: { masked?: boolean; wavelets?: boolean } = {}): number {
    const f = KernelModule;
    const pixels = f.pixels(ny, nx, groups) * (opts.masked ? 2 : 1);
    const bands = opts.wavelets === false ? LANES : f.bands(ny, nx, groups);
    return 4 * (pixels + 3 * f.spectrum(ny, nx, groups) + 3 * bands + groups * BANDS * LANES);
  }

  freeResident(s: Resident): void {
    for (const b of [s.x, s.xh, s.ph, s.yh, s.dual, s.w, s.phix, s.w0, s.mask]) if (b) this.free(b);
  }

  /** A float64 block for the cost terms of `slots` cost slots per group (see costIndex). */
  allocCosts(groups: number, slots: number): Block {
    return this.alloc('f64', groups * slots * COST_TERMS * LANES);
  }

  // The operations. Blocks are in the group layout; `groups` counts groups of LANES objects.

  /** Real 2-D DFT: images → half spectra (§2). */
  dft(pix: Block, spec: Block, groups: number): void {
    this.raw.rfft2(pix.ptr, spec.ptr, groups);
  }

  /** Inverse real 2-D DFT, normalised. */
  inverseDft(spec: Block, pix: Block, groups: number): void {
    this.raw.irfft2(spec.ptr, pix.ptr, groups);
  }

  /** H x = IDFT(P̂ · X̂), or with `adjoint` Hᵀ r = IDFT(conj(P̂) · R̂) (§2), into `out` (images). */
  blur(ph: Block, spec: Block, out: Block, groups: number, adjoint: boolean): void {
    this.raw.convolveSpectra(ph.ptr, spec.ptr, out.ptr, groups, adjoint);
  }

  /** The data term's gradient Hᵀ(Hx − y) of the state's x, into `out` (images; §2). */
  gradient(s: Resident, out: Block): void {
    this.raw.gradient(s.xh.ptr, s.ph.ptr, s.yh.ptr, out.ptr, s.groups);
  }

  /** Φ: images → their 3 detail bands (§3). */
  phi(pix: Block, bands: Block, groups: number): void {
    this.raw.starlet(pix.ptr, bands.ptr, groups);
  }

  /** Φᵀ: bands → images, the exact adjoint of `phi` (§3). */
  phiAdjoint(bands: Block, pix: Block, groups: number): void {
    this.raw.starletAdjoint(bands.ptr, pix.ptr, groups);
  }

  /** ‖Φ(p)_j‖_F per image and band, float64, one f64 per lane (the norms of W⁽⁰⁾, §5). */
  bandNorms(pix: Block, out: Block, groups: number): void {
    this.raw.bandNorms(pix.ptr, out.ptr, groups);
  }

  /** W ← W⁽⁰⁾ over every pixel of each band (§5). */
  fillWeights(s: Resident): void {
    this.raw.fillWeights(s.w.ptr, s.w0.ptr, s.groups);
  }

  /**
   * `iterations` Condat–Vũ iterations on every group (§6); with a cost block, the cost
   * terms after every `costEvery`-th of them counted back from the last, one cost slot
   * each (⌈iterations / costEvery⌉ slots per group; see costIndex).
   */
  step(s: Resident, p: StepParams, iterations: number, costs?: { out: Block; every: number }): void {
    if (s.mask) {
      this.raw.stepMasked(
        s.x.ptr, s.xh.ptr, s.ph.ptr, s.yh.ptr, s.dual.ptr, s.w.ptr, s.phix.ptr, s.mask.ptr,
        0, s.groups, iterations, p.tau, p.dualStep, p.rho, p.positivity, costs?.out.ptr ?? 0, costs?.every ?? 1,
      );
    } else {
      this.raw.step(
        s.x.ptr, s.xh.ptr, s.ph.ptr, s.yh.ptr, s.dual.ptr, s.w.ptr, s.phix.ptr,
        0, s.groups, iterations, p.tau, p.dualStep, p.rho, p.positivity, costs?.out.ptr ?? 0, costs?.every ?? 1,
      );
    }
  }

  /**
   * The cost terms ½‖y − Hx‖² (masked: ½‖√w ⊙ (y − Hx)‖²) and Σ|W ⊙ Φx| of the current x,
   * one cost slot per group (§7).
   */
  costTerms(s: Resident, out: Block): void {
    this.raw.cost(s.xh.ptr, s.ph.ptr, s.yh.ptr, s.w.ptr, s.phix.ptr, out.ptr, s.groups, s.mask?.ptr ?? 0);
  }

  /** W ← W / (1 + |Φx| / W⁽⁰⁾) (§8). */
  reweight(s: Resident): void {
    this.raw.reweight(s.phix.ptr, s.w.ptr, s.w0.ptr, s.groups);
  }

  /** ½‖y − Hx‖² of the state's x per object, float64, one f64 per lane (§7). */
  dataTerms(s: Resident, out: Block): void {
    this.raw.dataTerms(s.xh.ptr, s.ph.ptr, s.yh.ptr, out.ptr, s.groups);
  }

  // The low-rank and combined priors (§10; assembly/lowrank.ts). Blocks in the group layout.

  /**
   * The local half of a low-rank iteration: with g = Hᵀ(Hx − y) and adj = Φᵀy₁ (the
   * combined prior; none for low-rank alone), x̃ = Pos(x − τ(g + y₂ + adj)) → xt,
   * ỹt = y₂ + σ_d(2x̃ − x) → yt, and x ← ρx̃ + (1 − ρ)x.
   */
  lowrankStep(
    b: { x: Block; g: Block; adj?: Block; y2: Block; xt: Block; yt: Block }, groups: number, p: StepParams,
  ): void {
    this.raw.lowrankStep(b.x.ptr, b.g.ptr, b.adj?.ptr ?? 0, b.y2.ptr, b.xt.ptr, b.yt.ptr, groups, p.tau, p.dualStep, p.rho, p.positivity);
  }

  /** The combined prior's ℓ1 dual step on the state, with Φx̃ in `phit` (bands). */
  sparseDual(s: Resident, phit: Block, p: StepParams): void {
    this.raw.sparseDual(s.dual.ptr, s.w.ptr, s.phix.ptr, phit.ptr, s.groups, p.dualStep, p.rho);
  }

  /**
   * The low-rank dual step: ỹ = ỹt − U diag(c) Uᵀỹt per object, y₂ ← ρỹ + (1 − ρ)y₂, for
   * U (ny·nx × rank, float64, row-major) and c (rank float64); acc: rank × LANES float64.
   */
  svtProject(yt: Block, y2: Block, u: Block, c: Block, rank: number, groups: number, rho: number, acc: Block): void {
    this.raw.svtProject(yt.ptr, y2.ptr, u.ptr, c.ptr, rank, groups, rho, acc.ptr);
  }

  /** out (n × n float64) = MᵀM for n object-major float32 columns of length p (float64 sums, fixed order). */
  gram(cols: Block, n: number, p: number, out: Block): void {
    this.raw.gramObjects(cols.ptr, n, p, out.ptr);
  }

  /**
   * Adds the lower triangle of MᵀM for n pixel-major float32 rows of length p (cols) to the
   * fixed-point accumulator `acc` (n(n + 1)/2 entries of 2 words; see fixedAdd). Throws
   * if an entry is too large for it.
   */
  gramFixed(cols: Block, n: number, p: number, acc: Block): void {
    if (!this.raw.gramFixed(cols.ptr, n, p, acc.ptr)) throw new DivergedError('the iteration diverged (a Gram entry reached 2⁶²): check the data\'s scale and the PSFs');
  }

  /** acc += src, `count` fixed-point entries (exact, so in any order). */
  fixedAdd(acc: Block, src: Block, count: number): void {
    this.raw.fixedAdd(acc.ptr, src.ptr, count);
  }

  /** out (n × n float64) = the symmetric matrix of a fixed-point lower triangle. */
  fixedSymmetric(acc: Block, n: number, out: Block): void {
    this.raw.fixedSymmetric(acc.ptr, n, out.ptr);
  }

  /**
   * rows (configured ny·nx × 4·groups, float32) = pixel-major rows of `groups` groups of
   * `src` from group `first`; lanes at or past `count` objects are 0.
   */
  pixelRows(src: Block, first: number, groups: number, count: number, rows: Block): void {
    const npix = this.configured().ny * this.configured().nx;
    this.raw.pixelRows(src.ptr + first * npix * LANES * 4, groups, count, rows.ptr);
  }

  /** The Householder tridiagonalisation's O(n³) loops at step i (float64 n × n v, d, e; solver/eigen.ts). */
  tridiagonalStep(v: Block, d: Block, e: Block, n: number, i: number, part: 'symv' | 'rank2'): void {
    if (part === 'symv') this.raw.tridiagSymv(v.ptr, n, i, d.ptr, e.ptr);
    else this.raw.tridiagRank2(v.ptr, n, i, d.ptr, e.ptr);
  }

  /**
   * The 32-bit words of `words` XOR those of `prediction` (both `count` words from their
   * starts) as varints into `out`, which needs room for xorVarintRoom(count) bytes; returns
   * the bytes written (the format of common/xor-varint.ts).
   */
  xorVarint(words: Block, prediction: Block, count: number, out: Block): number {
    const words32 = (b: Block) => b.length * (b.kind === 'f32' ? 1 : 2); // 32-bit words of a block
    if (count > words32(words) || count > words32(prediction) || 4 * words32(out) < KernelModule.xorVarintRoom(count)) {
      throw new RangeError(`xorVarint: ${count} words do not fit the blocks given`);
    }
    return this.raw.xorVarintEncode(words.ptr, prediction.ptr, count, out.ptr);
  }

  /** out = copysign(w, phix) elementwise (float32 blocks of one length, a multiple of 4). */
  signedWeights(w: Block, phix: Block, out: Block): void {
    if (w.length !== phix.length || out.length < w.length || w.length % LANES !== 0) throw new RangeError('signedWeights: w and phix of one length (a multiple of 4), out at least as long');
    this.raw.signedWeights(w.ptr, phix.ptr, out.ptr, w.length);
  }

  /** Bytes xorVarint may write for `count` words (each word is stored as 8 bytes, of which up to 5 count). */
  static xorVarintRoom(count: number): number {
    return 5 * count + 3;
  }

  // Exact selection's passes (common/select.ts; assembly/select.ts): the first `count`
  // values of a float32 or float64 block, each taken as |v − deviationsFrom| if that is given.

  /** Adds the values under the request's key prefix to `hist` (keyCountsLength() u64 counts, KEY_SUBHISTOGRAMS per bin). */
  countKeys(values: Block, count: number, deviationsFrom: number | undefined, r: PassRequest, hist: Block): void {
    if (count > values.length || hist.length !== KernelModule.keyCountsLength()) throw new RangeError('countKeys: blocks too small');
    this.raw.countKeys(values.ptr, count, values.kind === 'f32', deviationsFrom !== undefined, deviationsFrom ?? 0, r.prefixHi, r.prefixLo, r.fixed, hist.ptr);
  }

  /**
   * Appends the values under the request's key prefix, as float64, to out[filled..] (out:
   * a float64 block with one spare slot); returns the new filled count, which stops at
   * out.length (past the request's values: the stream changed).
   */
  collectKeys(values: Block, count: number, deviationsFrom: number | undefined, r: PassRequest, out: Block, filled: number): number {
    if (count > values.length || out.kind !== 'f64' || filled > out.length) throw new RangeError('collectKeys: blocks too small');
    return this.raw.collectKeys(
      values.ptr, count, values.kind === 'f32', deviationsFrom !== undefined, deviationsFrom ?? 0, r.prefixHi, r.prefixLo, r.fixed,
      out.ptr, filled, out.length - 1,
    );
  }

  /** Float64-sized entries of a countKeys histogram. */
  static keyCountsLength(): number {
    return KEY_SUBHISTOGRAMS << KEY_BIN_BITS;
  }

  private configured(): Geometry {
    if (!this.geometry) throw new Error('configure the kernels before allocating state');
    return this.geometry;
  }

  /** Float32 elements of `groups` interleaved images / spectra / band stacks. */
  static pixels(ny: number, nx: number, groups: number): number {
    return groups * ny * nx * LANES;
  }
  static spectrum(ny: number, nx: number, groups: number): number {
    return groups * ny * ((nx >> 1) + 1) * 2 * LANES;
  }
  static bands(ny: number, nx: number, groups: number): number {
    return groups * BANDS * ny * nx * LANES;
  }
}
