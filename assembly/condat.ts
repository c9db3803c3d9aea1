// The Condat–Vũ iteration of ALGORITHM.md §6–§8 for one group of 4 objects, with the
// partition's state resident in memory. Per group and iteration: one inverse and one
// forward DFT, one Φ and one Φᵀ, cost included; Φx is carried through the relaxation by
// linearity.

import {
  NY, NX, NPIX, NSPEC, NHX, HCX, MX, BANDS, PIX_A, PIX_B, SPEC_A, BAND_S,
} from './plan';
import { rfft2Group, irfft2FromScratch } from './dft';
import { starletGroup, starletAdjointGroup } from './starlet';
import { low, high, dualCell, primalCell } from './prox';

// Elementwise loops are nested in blocks of CHUNK elements: V8's TurboFan unrolls an
// innermost loop only up to (nesting depth + 1) · 50 graph nodes, so a flat loop at depth
// 1 is often not unrolled at all (and keeps a stack check per element).
const CHUNK: i32 = 32;

@inline function at(base: usize, i: i32): usize {
  return base + ((<usize>i) << 4);
}

/** SPEC_A = conj(P̂)·(P̂·X̂ − Ŷ), the spectrum of the data-term gradient Hᵀ(Hx − y). */
export function gradientSpectrum(xh: usize, ph: usize, yh: usize): void {
  const out = SPEC_A; // a local: V8 reloads a global at every use
  for (let i = 0; i < NSPEC; i++) {
    const o = (<usize>i) << 5;
    const pr = v128.load(ph + o), pi = v128.load(ph + o + 16);
    const xr = v128.load(xh + o), xi = v128.load(xh + o + 16);
    const rr = f32x4.sub(f32x4.sub(f32x4.mul(pr, xr), f32x4.mul(pi, xi)), v128.load(yh + o));
    const ri = f32x4.sub(f32x4.add(f32x4.mul(pr, xi), f32x4.mul(pi, xr)), v128.load(yh + o + 16));
    v128.store(out + o, f32x4.add(f32x4.mul(pr, rr), f32x4.mul(pi, ri)));
    v128.store(out + o + 16, f32x4.sub(f32x4.mul(pr, ri), f32x4.mul(pi, rr)));
  }
}

/**
 * One Condat–Vũ iteration on one group (ALGORITHM §6, in that order). Φx is carried in
 * `phix` through the relaxation: Φ(2x̃ − x) = 2Φx̃ − Φx and Φx₊ = ρΦx̃ + (1 − ρ)Φx, so one
 * Φ (of x̃) serves the dual step, the next cost and the reweight. With costOut ≠ 0 the
 * cost of the new x is written there (see costGroup).
 */
export function stepGroup(
  x: usize, xh: usize, ph: usize, yh: usize, dual: usize, w: usize, phix: usize,
  tau: f32, sigma: f32, rho: f32, positivity: bool, costOut: usize,
): void {
  const vr = f32x4.splat(rho), vq = f32x4.splat(<f32>1 - rho);
  // g = Hᵀ(Hx − y) → PIX_A;  Φᵀy → PIX_B
  gradientSpectrum(xh, ph, yh);
  irfft2FromScratch(PIX_A);
  starletAdjointGroup(dual, PIX_B);
  // x̃ → PIX_A, x ← ρx̃ + (1 − ρ)x
  if (positivity) primalStep(x, f32x4.splat(tau), vr, vq, true);
  else primalStep(x, f32x4.splat(tau), vr, vq, false);
  // Φx̃ → BAND_S; then the dual step and Φx ← ρΦx̃ + (1 − ρ)Φx (and the sparsity sum)
  starletGroup(PIX_A, BAND_S);
  if (costOut != 0) dualStep(dual, w, phix, f32x4.splat(sigma), vr, vq, true, costOut + 32);
  else dualStep(dual, w, phix, f32x4.splat(sigma), vr, vq, false, 0);
  // X̂ = DFT(x₊)
  rfft2Group(x, xh);
  if (costOut != 0) dataTerm(xh, ph, yh, costOut);
}

/** The primal step (prox.ts primalCell) over a group, with g in PIX_A and Φᵀy in PIX_B. */
@inline function primalStep(x: usize, vt: v128, vr: v128, vq: v128, positivity: bool): void {
  const pa = PIX_A, pb = PIX_B; // locals: V8 reloads a global at every use
  const n = NPIX;
  for (let i0 = 0; i0 < n; i0 += 4 * CHUNK) {
    const i1e = min(i0 + 4 * CHUNK, n);
    for (let i1 = i0; i1 < i1e; i1 += CHUNK) {
      const ie = min(i1 + CHUNK, i1e);
      for (let i = i1; i < ie; i++) {
        primalCell(at(x, i), at(pa, i), v128.load(at(pa, i)), v128.load(at(pb, i)), vt, vr, vq, positivity);
      }
    }
  }
}

/**
 * The dual step (prox.ts dualCell) over a group's bands, with Φx̃ in BAND_S. With
 * `evaluate` (a constant after inlining), also sums |W ⊙ Φx₊| into out.
 */
@inline function dualStep(
  dual: usize, w: usize, phix: usize, vs: v128, vr: v128, vq: v128, evaluate: bool, out: usize,
): void {
  const bs = BAND_S; // a local: V8 reloads a global at every use
  // two sets of float64 accumulators (even and odd elements), so the adds do not chain
  let lo = f64x2.splat(0), hi = f64x2.splat(0), lo1 = f64x2.splat(0), hi1 = f64x2.splat(0);
  const nb = BANDS * NPIX;
  for (let i0 = 0; i0 < nb; i0 += 4 * CHUNK) {
  const i1e = min(i0 + 4 * CHUNK, nb);
  for (let i1 = i0; i1 < i1e; i1 += CHUNK) {
  const ie = min(i1 + CHUNK, i1e);
  let i = i1;
  for (; i + 1 < ie; i += 2) {
    const e0 = dualCell(at(dual, i), at(w, i), at(phix, i), v128.load(at(bs, i)), vs, vr, vq);
    const e1 = dualCell(at(dual, i + 1), at(w, i + 1), at(phix, i + 1), v128.load(at(bs, i + 1)), vs, vr, vq);
    if (evaluate) {
      lo = f64x2.add(lo, low(e0));
      hi = f64x2.add(hi, high(e0));
      lo1 = f64x2.add(lo1, low(e1));
      hi1 = f64x2.add(hi1, high(e1));
    }
  }
  if (i < ie) {
    const e0 = dualCell(at(dual, i), at(w, i), at(phix, i), v128.load(at(bs, i)), vs, vr, vq);
    if (evaluate) {
      lo = f64x2.add(lo, low(e0));
      hi = f64x2.add(hi, high(e0));
    }
  }
  }
  }
  if (evaluate) {
    v128.store(out, f64x2.add(lo, lo1));
    v128.store(out, f64x2.add(hi, hi1), 16);
  }
}

/** |P̂X̂ − Ŷ|² at half-spectrum element i (byte offset o = 32 i). */
@inline function residualEnergy(xh: usize, ph: usize, yh: usize, o: usize): v128 {
  const pr = v128.load(ph + o), pi = v128.load(ph + o + 16);
  const xr = v128.load(xh + o), xi = v128.load(xh + o + 16);
  const rr = f32x4.sub(f32x4.sub(f32x4.mul(pr, xr), f32x4.mul(pi, xi)), v128.load(yh + o));
  const ri = f32x4.sub(f32x4.add(f32x4.mul(pr, xi), f32x4.mul(pi, xr)), v128.load(yh + o + 16));
  return f32x4.add(f32x4.mul(rr, rr), f32x4.mul(ri, ri));
}

/** out[0..3] = ½‖y − Hx‖² per lane, from the residual spectrum P̂X̂ − Ŷ (Parseval). */
function dataTerm(xh: usize, ph: usize, yh: usize, out: usize): void {
  // Columns 1..HCX of the half spectrum stand for two columns of the full one (summed in
  // `lo2/hi2`, in two sets so the adds do not chain); column 0 and, for even NX, column
  // NX/2 stand for one (`lo/hi`).
  const even = (NX & 1) == 0;
  let lo = f64x2.splat(0), hi = f64x2.splat(0);
  let lo2 = f64x2.splat(0), hi2 = f64x2.splat(0), lo3 = f64x2.splat(0), hi3 = f64x2.splat(0);
  for (let r = 0; r < NY; r++) {
    const row = (<usize>(r * NHX)) << 5;
    let e = residualEnergy(xh, ph, yh, row);
    lo = f64x2.add(lo, low(e));
    hi = f64x2.add(hi, high(e));
    if (even) {
      e = residualEnergy(xh, ph, yh, row + ((<usize>MX) << 5));
      lo = f64x2.add(lo, low(e));
      hi = f64x2.add(hi, high(e));
    }
    let k = 1;
    for (; k + 1 <= HCX; k += 2) {
      const e0 = residualEnergy(xh, ph, yh, row + ((<usize>k) << 5));
      const e1 = residualEnergy(xh, ph, yh, row + ((<usize>(k + 1)) << 5));
      lo2 = f64x2.add(lo2, low(e0));
      hi2 = f64x2.add(hi2, high(e0));
      lo3 = f64x2.add(lo3, low(e1));
      hi3 = f64x2.add(hi3, high(e1));
    }
    if (k <= HCX) {
      e = residualEnergy(xh, ph, yh, row + ((<usize>k) << 5));
      lo2 = f64x2.add(lo2, low(e));
      hi2 = f64x2.add(hi2, high(e));
    }
  }
  const two = f64x2.splat(2), scale = f64x2.splat(0.5 / <f64>NPIX);
  lo = f64x2.add(lo, f64x2.mul(two, f64x2.add(lo2, lo3)));
  hi = f64x2.add(hi, f64x2.mul(two, f64x2.add(hi2, hi3)));
  v128.store(out, f64x2.mul(lo, scale));
  v128.store(out, f64x2.mul(hi, scale), 16);
}

/** out[0..3] = Σ|W ⊙ Φx| per lane, with Φx as carried in `phix`. */
function sparsityTerm(phix: usize, w: usize, out: usize): void {
  let lo = f64x2.splat(0), hi = f64x2.splat(0), lo1 = f64x2.splat(0), hi1 = f64x2.splat(0);
  const nb = BANDS * NPIX;
  let i = 0;
  for (; i + 1 < nb; i += 2) {
    const v0 = f32x4.abs(f32x4.mul(v128.load(at(w, i)), v128.load(at(phix, i))));
    const v1 = f32x4.abs(f32x4.mul(v128.load(at(w, i + 1)), v128.load(at(phix, i + 1))));
    lo = f64x2.add(lo, low(v0));
    hi = f64x2.add(hi, high(v0));
    lo1 = f64x2.add(lo1, low(v1));
    hi1 = f64x2.add(hi1, high(v1));
  }
  if (i < nb) {
    const v0 = f32x4.abs(f32x4.mul(v128.load(at(w, i)), v128.load(at(phix, i))));
    lo = f64x2.add(lo, low(v0));
    hi = f64x2.add(hi, high(v0));
  }
  v128.store(out, f64x2.add(lo, lo1));
  v128.store(out, f64x2.add(hi, hi1), 16);
}

/** Cost terms of one group, float64 per lane: out[0..3] data term, out[4..7] sparsity term. */
export function costGroup(xh: usize, ph: usize, yh: usize, w: usize, phix: usize, out: usize): void {
  dataTerm(xh, ph, yh, out);
  sparsityTerm(phix, w, out + 32);
}

/** W ← W / (1 + |Φx| / W⁰) per pixel (ALGORITHM §8), Φx as carried; lanes with W⁰ = 0 get W = 0. */
export function reweightGroup(phix: usize, w: usize, w0: usize): void {
  const one = f32x4.splat(1), zero = f32x4.splat(0);
  for (let b = 0; b < BANDS; b++) {
    const base = v128.load(at(w0, b));
    const live = f32x4.ne(base, zero);
    for (let i = b * NPIX; i < (b + 1) * NPIX; i++) {
      const q = f32x4.div(f32x4.abs(v128.load(at(phix, i))), base);
      const nw = f32x4.div(v128.load(at(w, i)), f32x4.add(one, q));
      v128.store(at(w, i), v128.and(nw, live));
    }
  }
}

/** out[b*4 + lane] = ‖Φ(p)_b‖_F per lane, float64 (for W⁰; see ALGORITHM §5). */
export function bandNormsGroup(p: usize, out: usize): void {
  starletGroup(p, BAND_S);
  for (let b = 0; b < BANDS; b++) {
    let lo = f64x2.splat(0), hi = f64x2.splat(0);
    for (let i = b * NPIX; i < (b + 1) * NPIX; i++) {
      const v = v128.load(at(BAND_S, i));
      const sq = f32x4.mul(v, v);
      lo = f64x2.add(lo, low(sq));
      hi = f64x2.add(hi, high(sq));
    }
    const acc = out + ((<usize>b) << 5);
    v128.store(acc, f64x2.sqrt(lo));
    v128.store(acc, f64x2.sqrt(hi), 16);
  }
}
