// galdecon's WebAssembly kernels. Every array is in the lane-interleaved group layout of
// plan.ts (LANES objects per f32x4); pointers come from `alloc`. Nothing here allocates
// except `alloc`, `configure` and the first masked step after it (its scratch spectrum).
// scripts/gen-bindings.mjs writes the TypeScript declaration of these exports
// (src/kernels/exports.generated.ts) from this file.

import {
  configure as configurePlan, NPIX, NSPEC, PIX_A, SPEC_A, pixOf, specOf, bandsOf,
} from './plan';
import { BANDS, COST_SLOT_BYTES } from './layout';

// Objects per group (one per f32x4 lane), for users of the module on its own.
export { LANES } from './layout';
import { rfft2Group, irfft2FromScratch, irfft2Group } from './dft';
import { starletGroup, starletAdjointGroup } from './starlet';
import { gradientSpectrum, stepGroup, costGroup, reweightGroup, bandNormsGroup, dataTerm, Masked, Unmasked } from './condat';
import * as lowrank from './lowrank';
import * as codec from './codec';
import * as selection from './select';

/** 16-byte aligned heap block of `bytes` bytes (contents undefined). */
export function alloc(bytes: usize): usize {
  return heap.alloc(bytes);
}

export function release(ptr: usize): void {
  heap.free(ptr);
}

/** Prepares tables and scratch for ny × nx stamps; wavelet 0 = linear, 1 = b3. */
export function configure(ny: i32, nx: i32, wavelet: i32): void {
  configurePlan(ny, nx, wavelet);
}

export function pixelsPerImage(): i32 { return NPIX; }
export function complexPerSpectrum(): i32 { return NSPEC; }

/** Forward real 2-D DFT: pix (groups × NPIX) → spec (groups × NSPEC complex). */
export function rfft2(pix: usize, spec: usize, groups: i32): void {
  for (let g = 0; g < groups; g++) rfft2Group(pixOf(pix, g), specOf(spec, g));
}

/** Inverse real 2-D DFT, normalised. */
export function irfft2(spec: usize, pix: usize, groups: i32): void {
  for (let g = 0; g < groups; g++) irfft2Group(specOf(spec, g), pixOf(pix, g));
}

/** out = IDFT(Â · B̂) or, with conjugate, IDFT(conj(Â) · B̂): H x and Hᵀ r for Â = P̂. */
export function convolveSpectra(a: usize, b: usize, out: usize, groups: i32, conjugate: bool): void {
  for (let g = 0; g < groups; g++) {
    const pa = specOf(a, g), pb = specOf(b, g);
    for (let i = 0; i < NSPEC; i++) {
      const o = (<usize>i) << 5;
      const ar = v128.load(pa + o);
      let ai = v128.load(pa + o + 16);
      if (conjugate) ai = f32x4.neg(ai);
      const br = v128.load(pb + o), bi = v128.load(pb + o + 16);
      v128.store(SPEC_A + o, f32x4.sub(f32x4.mul(ar, br), f32x4.mul(ai, bi)));
      v128.store(SPEC_A + o + 16, f32x4.add(f32x4.mul(ar, bi), f32x4.mul(ai, br)));
    }
    irfft2FromScratch(pixOf(out, g));
  }
}

/** out = Hᵀ(Hx − y) from the spectra X̂, P̂, Ŷ. */
export function gradient(xh: usize, ph: usize, yh: usize, out: usize, groups: i32): void {
  for (let g = 0; g < groups; g++) {
    gradientSpectrum(specOf(xh, g), specOf(ph, g), specOf(yh, g));
    irfft2FromScratch(pixOf(out, g));
  }
}

/** bands (groups × BANDS × NPIX) = Φ(pix). */
export function starlet(pix: usize, bands: usize, groups: i32): void {
  for (let g = 0; g < groups; g++) starletGroup(pixOf(pix, g), bandsOf(bands, g));
}

/** pix = Φᵀ(bands). */
export function starletAdjoint(bands: usize, pix: usize, groups: i32): void {
  for (let g = 0; g < groups; g++) {
    starletAdjointGroup(bandsOf(bands, g), PIX_A);
    memory.copy(pixOf(pix, g), PIX_A, (<usize>NPIX) << 4);
  }
}

/** out (float64, groups × BANDS × 4) = ‖Φ(p)_b‖ per object. */
export function bandNorms(pix: usize, out: usize, groups: i32): void {
  for (let g = 0; g < groups; g++) bandNormsGroup(pixOf(pix, g), out + ((<usize>(g * BANDS)) << 5));
}

/** w (groups × BANDS × NPIX) = w0 (groups × BANDS, one f32x4 per band) broadcast over pixels. */
export function fillWeights(w: usize, w0: usize, groups: i32): void {
  for (let g = 0; g < groups; g++) {
    for (let b = 0; b < BANDS; b++) {
      const v = v128.load(w0 + ((<usize>(g * BANDS + b)) << 4));
      const dst = bandsOf(w, g) + ((<usize>(b * NPIX)) << 4);
      for (let i = 0; i < NPIX; i++) v128.store(dst + ((<usize>i) << 4), v);
    }
  }
}

/**
 * `iterations` Condat–Vũ iterations (docs/ALGORITHM.md §6) over groups [first, first + count), a
 * group at a time (its state stays in cache); tau the primal step, dualStep σ_d, rho the
 * relaxation. If costOut ≠ 0, the cost terms (as in `cost`) after every costEvery-th
 * iteration counted back from the last, i.e. after iterations iterations,
 * iterations − costEvery, …: slots = ⌈iterations / costEvery⌉ of them, the earliest
 * first, at costOut + (g · slots + slot) · COST_SLOT_BYTES (src/kernels/layout.ts
 * costIndex reads them).
 */
export function step(
  x: usize, xh: usize, ph: usize, yh: usize, dual: usize, w: usize, phix: usize,
  first: i32, count: i32, iterations: i32, tau: f32, dualStep: f32, rho: f32, positivity: bool,
  costOut: usize, costEvery: i32,
): void {
  steps<Unmasked>(x, xh, ph, yh, dual, w, phix, 0, first, count, iterations, tau, dualStep, rho, positivity, costOut, costEvery);
}

/**
 * `step` with the masked data term ½‖√m ⊙ (y − Hx)‖²: `mask` (pixels, as x) holds each
 * pixel's weight m in [0, 1]. Two more DFTs per iteration than `step`.
 */
export function stepMasked(
  x: usize, xh: usize, ph: usize, yh: usize, dual: usize, w: usize, phix: usize, mask: usize,
  first: i32, count: i32, iterations: i32, tau: f32, dualStep: f32, rho: f32, positivity: bool,
  costOut: usize, costEvery: i32,
): void {
  steps<Masked>(x, xh, ph, yh, dual, w, phix, mask, first, count, iterations, tau, dualStep, rho, positivity, costOut, costEvery);
}

@inline function steps<K>(
  x: usize, xh: usize, ph: usize, yh: usize, dual: usize, w: usize, phix: usize, mask: usize,
  first: i32, count: i32, iterations: i32, tau: f32, dualStep: f32, rho: f32, positivity: bool,
  costOut: usize, costEvery: i32,
): void {
  const slots = (iterations + costEvery - 1) / costEvery;
  for (let g = first; g < first + count; g++) {
    const px = pixOf(x, g), pxh = specOf(xh, g), pph = specOf(ph, g), pyh = specOf(yh, g);
    const pd = bandsOf(dual, g), pw = bandsOf(w, g), pp = bandsOf(phix, g);
    const pm: usize = mask == 0 ? 0 : pixOf(mask, g);
    let prev: usize = 0; // the previous iteration's cost slot, if it had one
    for (let n = 0; n < iterations; n++) {
      const back = iterations - 1 - n; // iterations after this one
      let out: usize = 0;
      if (costOut != 0 && back % costEvery == 0) out = costOut + <usize>((g * slots + slots - 1 - back / costEvery) * COST_SLOT_BYTES);
      stepGroup<K>(px, pxh, pph, pyh, pd, pw, pp, pm, tau, dualStep, rho, positivity, out, prev, back == 0);
      prev = out;
    }
  }
}

/**
 * out (float64, one cost slot per group): per lane ½‖y − Hx‖² (with mask ≠ 0:
 * ½‖√m ⊙ (y − Hx)‖²), then Σ|W ⊙ Φx| (Φx as carried in phix; §7).
 */
export function cost(xh: usize, ph: usize, yh: usize, w: usize, phix: usize, out: usize, groups: i32, mask: usize): void {
  for (let g = 0; g < groups; g++) {
    const o = out + <usize>(g * COST_SLOT_BYTES);
    if (mask == 0) costGroup<Unmasked>(specOf(xh, g), specOf(ph, g), specOf(yh, g), bandsOf(w, g), bandsOf(phix, g), 0, o);
    else costGroup<Masked>(specOf(xh, g), specOf(ph, g), specOf(yh, g), bandsOf(w, g), bandsOf(phix, g), pixOf(mask, g), o);
  }
}

/** W ← W / (1 + |Φx| / W⁰), Φx as carried in phix; w0 as in fillWeights. */
export function reweight(phix: usize, w: usize, w0: usize, groups: i32): void {
  for (let g = 0; g < groups; g++) {
    reweightGroup(bandsOf(phix, g), bandsOf(w, g), w0 + ((<usize>(g * BANDS)) << 4));
  }
}

/** out (float64, groups × 4): per lane ½‖y − Hx‖² from the spectra X̂, P̂, Ŷ (§7). */
export function dataTerms(xh: usize, ph: usize, yh: usize, out: usize, groups: i32): void {
  for (let g = 0; g < groups; g++) dataTerm(specOf(xh, g), specOf(ph, g), specOf(yh, g), out + ((<usize>g) << 5));
}

// The low-rank and combined priors (docs/ALGORITHM.md §10): assembly/lowrank.ts.

/**
 * The local half of a low-rank iteration on `groups` groups: x̃ = Pos(x − τ(g + y₂ [+ adj]))
 * → xt, ỹt = y₂ + σ_d(2x̃ − x) → yt, x ← ρx̃ + (1 − ρ)x; g = Hᵀ(Hx − y), adj = Φᵀy₁ or 0.
 */
export function lowrankStep(
  x: usize, g: usize, adj: usize, y2: usize, xt: usize, yt: usize, groups: i32,
  tau: f32, dualStep: f32, rho: f32, positivity: bool,
): void {
  lowrank.lowrankStep(x, g, adj, y2, xt, yt, groups, tau, dualStep, rho, positivity);
}

/** The ℓ1 dual step of the combined prior, with Φx̃ in phit and Φx carried in phix. */
export function sparseDual(dual: usize, w: usize, phix: usize, phit: usize, groups: i32, dualStep: f32, rho: f32): void {
  lowrank.sparseDual(dual, w, phix, phit, groups, dualStep, rho);
}

/**
 * ỹ = ỹt − U diag(c) Uᵀỹt per object, y₂ ← ρỹ + (1 − ρ)y₂ (U: NPIX × r float64, row-major;
 * c: r float64; acc: r × 4 float64 scratch).
 */
export function svtProject(yt: usize, y2: usize, u: usize, c: usize, r: i32, groups: i32, rho: f32, acc: usize): void {
  lowrank.svtProject(yt, y2, u, c, r, groups, rho, acc);
}

/** out (n × n float64) = MᵀM of n object-major float32 columns of length p, float64 sums in a fixed order. */
export function gramObjects(cols: usize, n: i32, p: i32, out: usize): void {
  lowrank.gramObjects(cols, n, p, out);
}

/** The fixed-point lower triangle of MᵀM added to acc (16 bytes an entry); false on overflow (assembly/lowrank.ts). */
export function gramFixed(cols: usize, n: i32, p: i32, acc: usize): bool {
  return lowrank.gramFixed(cols, n, p, acc);
}

/** acc += src, `count` 128-bit fixed-point entries (exact). */
export function fixedAdd(acc: usize, src: usize, count: i32): void {
  lowrank.fixedAdd(acc, src, count);
}

/** The n × n symmetric float64 matrix of a fixed-point lower triangle. */
export function fixedSymmetric(acc: usize, n: i32, out: usize): void {
  lowrank.fixedSymmetric(acc, n, out);
}

/** Pixel-major float32 rows (row length 4·groups) of `groups` groups of images, lanes past `count` objects zeroed. */
export function pixelRows(src: usize, groups: i32, count: i32, rows: usize): void {
  lowrank.pixelRows(src, groups, count, rows);
}

/** Householder tridiagonalisation, step i: e = A·d on the leading block, row i ← d (float64; src/solver/eigen.ts). */
export function tridiagSymv(v: usize, n: i32, i: i32, d: usize, e: usize): void {
  lowrank.tridiagSymv(v, n, i, d, e);
}

/** Householder tridiagonalisation, step i: A ← A − d eᵀ − e dᵀ on the leading block; d[j] ← A[j, i−1]. */
export function tridiagRank2(v: usize, n: i32, i: i32, d: usize, e: usize): void {
  lowrank.tridiagRank2(v, n, i, d, e);
}

// Checkpoint coding (assembly/codec.ts).

/** words[i] XOR prediction[i] as varints at out (room for 5n + 3 bytes); returns the bytes written. */
export function xorVarintEncode(words: usize, prediction: usize, n: i32, out: usize): i32 {
  return codec.xorVarintEncode(words, prediction, n, out);
}

/** out = copysign(w, phix), n float32 (a multiple of 4): the dual's prediction in checkpoints. */
export function signedWeights(w: usize, phix: usize, out: usize, n: i32): void {
  codec.signedWeights(w, phix, out, n);
}

// The passes of exact selection (assembly/select.ts; src/common/select.ts is their oracle).

/**
 * Counts the `n` values at `values` (float32 if `single`, else float64; each mapped to
 * |v − center| if `deviation`) whose order-preserving key starts with the `fixed` bits
 * prefixHi (the first min(fixed, 32), right-aligned) and prefixLo (the rest), by their
 * next KEY_BIN_BITS key bits: hist holds 2^KEY_BIN_BITS × KEY_SUBHISTOGRAMS u64 counts, bin-major.
 */
export function countKeys(
  values: usize, n: i32, single: bool, deviation: bool, center: f64, prefixHi: u32, prefixLo: u32, fixed: i32, hist: usize,
): void {
  selection.countKeys(values, n, single, deviation, center, prefixHi, prefixLo, fixed, hist);
}

/**
 * The same values' canonical float64 bits appended to out[filled..] (room for capacity + 1);
 * returns the new filled count, at most capacity + 1 (more: the stream changed).
 */
export function collectKeys(
  values: usize, n: i32, single: bool, deviation: bool, center: f64, prefixHi: u32, prefixLo: u32, fixed: i32,
  out: usize, filled: i32, capacity: i32,
): i32 {
  return selection.collectKeys(values, n, single, deviation, center, prefixHi, prefixLo, fixed, out, filled, capacity);
}
