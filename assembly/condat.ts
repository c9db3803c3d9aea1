// The Condat–Vũ iteration of ALGORITHM.md §6–§8 for one group of 4 objects, with the
// partition's state resident in memory. Per group and iteration: one inverse and one
// forward DFT, one Φ and one Φᵀ, cost included; X̂ and Φx are carried through the
// relaxation by linearity.

import {
  NY, NX, NPIX, NSPEC, NHX, MX, BANDS, PIX_A, PIX_B, SPEC_A, SPEC_B, BAND_S,
} from './plan';
import { rfft2Group, irfft2FromScratch } from './dft';
import { starletGroup, starletAdjointGroup } from './starlet';

// Elementwise loops are nested in blocks of CHUNK elements: V8's TurboFan unrolls an
// innermost loop only up to (nesting depth + 1) · 50 graph nodes, so a flat loop at depth
// 1 is often not unrolled at all (and keeps a stack check per element).
const CHUNK: i32 = 32;

@inline function at(base: usize, i: i32): usize {
  return base + ((<usize>i) << 4);
}

/** SPEC_A = conj(P̂)·(P̂·X̂ − Ŷ), the spectrum of the data-term gradient Hᵀ(Hx − y). */
export function gradientSpectrum(xh: usize, ph: usize, yh: usize): void {
  for (let i = 0; i < NSPEC; i++) {
    const o = (<usize>i) << 5;
    const pr = v128.load(ph + o), pi = v128.load(ph + o + 16);
    const xr = v128.load(xh + o), xi = v128.load(xh + o + 16);
    const rr = f32x4.sub(f32x4.sub(f32x4.mul(pr, xr), f32x4.mul(pi, xi)), v128.load(yh + o));
    const ri = f32x4.sub(f32x4.add(f32x4.mul(pr, xi), f32x4.mul(pi, xr)), v128.load(yh + o + 16));
    v128.store(SPEC_A + o, f32x4.add(f32x4.mul(pr, rr), f32x4.mul(pi, ri)));
    v128.store(SPEC_A + o + 16, f32x4.sub(f32x4.mul(pr, ri), f32x4.mul(pi, rr)));
  }
}

/**
 * One Condat–Vũ iteration on one group (ALGORITHM §6, in that order). Φx is carried in
 * `phix` through the relaxation, like X̂: Φ(2x̃ − x) = 2Φx̃ − Φx and
 * Φx₊ = ρΦx̃ + (1 − ρ)Φx, so one Φ (of x̃) serves the dual step, the next cost and the
 * reweight. With costOut ≠ 0 the cost of the new x is written there (see costGroup).
 */
export function stepGroup(
  x: usize, xh: usize, ph: usize, yh: usize, dual: usize, w: usize, phix: usize,
  tau: f32, sigma: f32, rho: f32, positivity: bool, costOut: usize,
): void {
  // g = Hᵀ(Hx − y) → PIX_A;  Φᵀy → PIX_B
  gradientSpectrum(xh, ph, yh);
  irfft2FromScratch(PIX_A);
  starletAdjointGroup(dual, PIX_B);
  // x̃ = max(x − τg − τΦᵀy, 0) → PIX_A, and x ← ρx̃ + (1 − ρ)x in the same pass (nothing
  // below needs the old x)
  const vt = f32x4.splat(tau), zero = f32x4.splat(0);
  const vr = f32x4.splat(rho), vq = f32x4.splat(<f32>1 - rho);
  if (positivity) relaxPixels(x, vt, vr, vq, zero, true);
  else relaxPixels(x, vt, vr, vq, zero, false);
  // Φx̃ → BAND_S; then the dual step and Φx ← ρΦx̃ + (1 − ρ)Φx in one pass
  starletGroup(PIX_A, BAND_S);
  if (costOut != 0) dualStep(dual, w, phix, sigma, rho, true, costOut + 32);
  else dualStep(dual, w, phix, sigma, rho, false, 0);
  // X̂ ← ρ DFT(x̃) + (1 − ρ) X̂ (x was relaxed above)
  rfft2Group(PIX_A, SPEC_B);
  const ns = NSPEC * 2;
  for (let i0 = 0; i0 < ns; i0 += 4 * CHUNK) {
    const i1e = min(i0 + 4 * CHUNK, ns);
    for (let i1 = i0; i1 < i1e; i1 += CHUNK) {
      const ie = min(i1 + CHUNK, i1e);
      for (let i = i1; i < ie; i++) {
        v128.store(at(xh, i), f32x4.add(f32x4.mul(vr, v128.load(at(SPEC_B, i))), f32x4.mul(vq, v128.load(at(xh, i)))));
      }
    }
  }
  if (costOut != 0) dataTerm(xh, ph, yh, costOut);
}

/** x̃ = x − τ(PIX_A + PIX_B) (clamped at 0 with `positivity`) → PIX_A; x ← ρx̃ + (1 − ρ)x. */
@inline function relaxPixels(x: usize, vt: v128, vr: v128, vq: v128, zero: v128, positivity: bool): void {
  const n = NPIX;
  for (let i0 = 0; i0 < n; i0 += 4 * CHUNK) {
    const i1e = min(i0 + 4 * CHUNK, n);
    for (let i1 = i0; i1 < i1e; i1 += CHUNK) {
      const ie = min(i1 + CHUNK, i1e);
      for (let i = i1; i < ie; i++) {
        const xo = v128.load(at(x, i));
        let xt = f32x4.sub(xo, f32x4.mul(vt, f32x4.add(v128.load(at(PIX_A, i)), v128.load(at(PIX_B, i)))));
        if (positivity) xt = f32x4.max(xt, zero);
        v128.store(at(PIX_A, i), xt);
        v128.store(at(x, i), f32x4.add(f32x4.mul(vr, xt), f32x4.mul(vq, xo)));
      }
    }
  }
}

/**
 * ỹ = clip(y + σ(2Φx̃ − Φx), −W, W);  y ← ρỹ + (1 − ρ)y;  Φx ← ρΦx̃ + (1 − ρ)Φx, with Φx̃
 * in BAND_S. With `evaluate` (a constant after inlining), also sums |W ⊙ Φx₊| into out.
 */
@inline function dualStep(dual: usize, w: usize, phix: usize, sigma: f32, rho: f32, evaluate: bool, out: usize): void {
  const vs = f32x4.splat(sigma), vr = f32x4.splat(rho), vq = f32x4.splat(<f32>1 - rho), two = f32x4.splat(2);
  let lo = f64x2.splat(0), hi = f64x2.splat(0);
  const nb = BANDS * NPIX;
  for (let i0 = 0; i0 < nb; i0 += 4 * CHUNK) {
  const i1e = min(i0 + 4 * CHUNK, nb);
  for (let i1 = i0; i1 < i1e; i1 += CHUNK) {
  const ie = min(i1 + CHUNK, i1e);
  for (let i = i1; i < ie; i++) {
    const y = v128.load(at(dual, i));
    const wv = v128.load(at(w, i));
    const a = v128.load(at(BAND_S, i));
    const b = v128.load(at(phix, i));
    const yt = f32x4.add(y, f32x4.mul(vs, f32x4.sub(f32x4.mul(two, a), b)));
    const yc = f32x4.min(f32x4.max(yt, f32x4.neg(wv)), wv);
    v128.store(at(dual, i), f32x4.add(f32x4.mul(vr, yc), f32x4.mul(vq, y)));
    const bn = f32x4.add(f32x4.mul(vr, a), f32x4.mul(vq, b));
    v128.store(at(phix, i), bn);
    if (evaluate) {
      const v = f32x4.abs(f32x4.mul(wv, bn));
      lo = f64x2.add(lo, low(v));
      hi = f64x2.add(hi, high(v));
    }
  }
  }
  }
  if (evaluate) {
    v128.store(out, lo);
    v128.store(out, hi, 16);
  }
}

// Float64 sums of the 4 lanes of a stream of f32x4 values: two f64x2 accumulators kept
// in locals (lanes 0–1 and 2–3), stored once at the end.
@inline function low(v: v128): v128 {
  return f64x2.promote_low_f32x4(v);
}
@inline function high(v: v128): v128 {
  return f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1));
}

/** out[0..3] = ½‖y − Hx‖² per lane, from the residual spectrum P̂X̂ − Ŷ (Parseval). */
function dataTerm(xh: usize, ph: usize, yh: usize, out: usize): void {
  const even = (NX & 1) == 0;
  let lo = f64x2.splat(0), hi = f64x2.splat(0);
  let i = 0;
  for (let r = 0; r < NY; r++) {
    for (let k = 0; k < NHX; k++, i++) {
      const o = (<usize>i) << 5;
      const pr = v128.load(ph + o), pi = v128.load(ph + o + 16);
      const xr = v128.load(xh + o), xi = v128.load(xh + o + 16);
      const rr = f32x4.sub(f32x4.sub(f32x4.mul(pr, xr), f32x4.mul(pi, xi)), v128.load(yh + o));
      const ri = f32x4.sub(f32x4.add(f32x4.mul(pr, xi), f32x4.mul(pi, xr)), v128.load(yh + o + 16));
      let e = f32x4.add(f32x4.mul(rr, rr), f32x4.mul(ri, ri));
      // Columns 1..⌈NX/2⌉−1 of the half spectrum stand for two columns of the full one.
      if (k != 0 && !(even && k == MX)) e = f32x4.add(e, e);
      lo = f64x2.add(lo, low(e));
      hi = f64x2.add(hi, high(e));
    }
  }
  const scale = f64x2.splat(0.5 / <f64>NPIX);
  v128.store(out, f64x2.mul(lo, scale));
  v128.store(out, f64x2.mul(hi, scale), 16);
}

/** out[0..3] = Σ|W ⊙ Φx| per lane, with Φx as carried in `phix`. */
function sparsityTerm(phix: usize, w: usize, out: usize): void {
  let lo = f64x2.splat(0), hi = f64x2.splat(0);
  const nb = BANDS * NPIX;
  for (let i = 0; i < nb; i++) {
    const v = f32x4.abs(f32x4.mul(v128.load(at(w, i)), v128.load(at(phix, i))));
    lo = f64x2.add(lo, low(v));
    hi = f64x2.add(hi, high(v));
  }
  v128.store(out, lo);
  v128.store(out, hi, 16);
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
