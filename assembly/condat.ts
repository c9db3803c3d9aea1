// The Condat–Vũ iteration of docs/ALGORITHM.md §6–§8 for one group of 4 objects, with the
// partition's state resident in memory. Names: yh is the observation's spectrum Ŷ,
// dual the dual variable (y in the paper), dualStep its step σ_d. Per group and iteration: one inverse and one
// forward DFT, one Φ and one Φᵀ, cost included; Φx is carried through the relaxation by
// linearity.

import {
  NY, NX, NPIX, NSPEC, NHX, HCX, MX, PIX_A, PIX_B, SPEC_A, BAND_S, maskScratch,
} from './plan';
import { BANDS } from './layout';
import { rfft2Group, irfft2FromScratch } from './dft';
import { starletGroup, starletAdjointGroup } from './starlet';
import { low, high, dualCell, primalCell } from './prox';

@inline function at(base: usize, i: i32): usize {
  return base + ((<usize>i) << 4);
}

// The residual spectrum R = P̂X̂ − Ŷ at the complex element at byte offset k from the
// given pointers (half spectra: re and im v128 one after the other).
@inline function residualRe(x: usize, p: usize, y: usize, k: usize): v128 {
  return f32x4.sub(f32x4.sub(
    f32x4.mul(v128.load(p + k), v128.load(x + k)), f32x4.mul(v128.load(p + k + 16), v128.load(x + k + 16))),
  v128.load(y + k));
}
@inline function residualIm(x: usize, p: usize, y: usize, k: usize): v128 {
  return f32x4.sub(f32x4.add(
    f32x4.mul(v128.load(p + k), v128.load(x + k + 16)), f32x4.mul(v128.load(p + k + 16), v128.load(x + k))),
  v128.load(y + k + 16));
}

// What a pass over the half spectrum computes, as a type parameter (so each gets its own
// loop; see starlet.ts): the gradient spectrum, ½‖y − Hx‖² (the data term), or both.
type GradientOnly = u8;
type GradientAndData = u16;
type DataOnly = u32;
type ResidualOnly = u64;

/** One element of a spectrum pass at byte offset k: conj(P̂)·R → g + k; returns |R|². */
@inline function spectrumCell<M>(x: usize, p: usize, y: usize, g: usize, k: usize): v128 {
  const rr = residualRe(x, p, y, k), ri = residualIm(x, p, y, k);
  if (sizeof<M>() == sizeof<ResidualOnly>()) {
    v128.store(g + k, rr);
    v128.store(g + k + 16, ri);
    return rr; // not used
  }
  if (sizeof<M>() != sizeof<DataOnly>()) {
    const pr = v128.load(p + k), pi = v128.load(p + k + 16);
    v128.store(g + k, f32x4.add(f32x4.mul(pr, rr), f32x4.mul(pi, ri)));
    v128.store(g + k + 16, f32x4.sub(f32x4.mul(pr, ri), f32x4.mul(pi, rr)));
  }
  if (sizeof<M>() == sizeof<GradientOnly>()) return rr; // not used
  return f32x4.add(f32x4.mul(rr, rr), f32x4.mul(ri, ri));
}

/**
 * One pass over a group's half spectra: SPEC_A = conj(P̂)·(P̂X̂ − Ŷ), the spectrum of the
 * data-term gradient Hᵀ(Hx − y), and/or ½‖y − Hx‖² per lane (Parseval, float64) → data.
 * The data term is summed in the same order either way, so it has the same bits whether
 * it comes with the next iteration's gradient or from a pass of its own.
 */
@inline function spectrumPass<M>(xh: usize, ph: usize, yh: usize, data: usize): void {
  const withData = sizeof<M>() == sizeof<GradientAndData>() || sizeof<M>() == sizeof<DataOnly>();
  const out = SPEC_A; // a local: V8 reloads a global at every use
  const even = (NX & 1) == 0;
  // Column 0 and, for even NX, column NX/2 stand for one column of the full spectrum
  // (summed in lo/hi); columns 1..HCX for two (in lo2/hi2 and lo3/hi3: two sets, so the
  // adds do not chain).
  let lo = f64x2.splat(0), hi = f64x2.splat(0);
  let lo2 = f64x2.splat(0), hi2 = f64x2.splat(0), lo3 = f64x2.splat(0), hi3 = f64x2.splat(0);
  const pairsEnd = (<usize>(HCX + 1)) << 5;
  for (let r = 0; r < NY; r++) {
    const row = (<usize>(r * NHX)) << 5;
    const x = xh + row, p = ph + row, y = yh + row, g = out + row;
    let e = spectrumCell<M>(x, p, y, g, 0);
    if (withData) {
      lo = f64x2.add(lo, low(e));
      hi = f64x2.add(hi, high(e));
    }
    if (even) {
      const m = (<usize>MX) << 5;
      e = spectrumCell<M>(x + m, p + m, y + m, g + m, 0);
      if (withData) {
        lo = f64x2.add(lo, low(e));
        hi = f64x2.add(hi, high(e));
      }
    }
    let o: usize = 32;
    for (; o + 64 <= pairsEnd; o += 64) {
      const xo = x + o, po = p + o, yo = y + o, go = g + o;
      const e0 = spectrumCell<M>(xo, po, yo, go, 0), e1 = spectrumCell<M>(xo, po, yo, go, 32);
      if (withData) {
        lo2 = f64x2.add(lo2, low(e0));
        hi2 = f64x2.add(hi2, high(e0));
        lo3 = f64x2.add(lo3, low(e1));
        hi3 = f64x2.add(hi3, high(e1));
      }
    }
    if (o < pairsEnd) {
      e = spectrumCell<M>(x + o, p + o, y + o, g + o, 0);
      if (withData) {
        lo2 = f64x2.add(lo2, low(e));
        hi2 = f64x2.add(hi2, high(e));
      }
    }
  }
  if (withData) {
    const two = f64x2.splat(2), scale = f64x2.splat(0.5 / <f64>NPIX);
    lo = f64x2.add(lo, f64x2.mul(two, f64x2.add(lo2, lo3)));
    hi = f64x2.add(hi, f64x2.mul(two, f64x2.add(hi2, hi3)));
    v128.store(data, f64x2.mul(lo, scale));
    v128.store(data, f64x2.mul(hi, scale), 16);
  }
}

/** SPEC_A = conj(P̂)·(P̂·X̂ − Ŷ), the spectrum of the data-term gradient Hᵀ(Hx − y). */
export function gradientSpectrum(xh: usize, ph: usize, yh: usize): void {
  spectrumPass<GradientOnly>(xh, ph, yh, 0);
}

/** out[0..3] = ½‖y − Hx‖² per lane, from the residual spectrum P̂X̂ − Ŷ (Parseval). */
export function dataTerm(xh: usize, ph: usize, yh: usize, out: usize): void {
  spectrumPass<DataOnly>(xh, ph, yh, out);
}

/**
 * One Condat–Vũ iteration on one group (docs/ALGORITHM.md §6, in that order). Φx is carried in
 * `phix` through the relaxation: Φ(2x̃ − x) = 2Φx̃ − Φx and Φx₊ = ρΦx̃ + (1 − ρ)Φx, so one
 * Φ (of x̃) serves the dual step, the next cost and the reweight. With costOut ≠ 0 the
 * cost of the new x is written there (see costGroup).
 */
export function stepGroup<K>(
  x: usize, xh: usize, ph: usize, yh: usize, dual: usize, w: usize, phix: usize, mask: usize,
  tau: f32, dualStep: f32, rho: f32, positivity: bool, costOut: usize, prevData: usize, last: bool,
): void {
  const vr = f32x4.splat(rho), vq = f32x4.splat(<f32>1 - rho);
  // g = Hᵀ(Hx − y) (masked: Hᵀ(w ⊙ (Hx − y))) → PIX_A;  Φᵀ(dual) → PIX_B
  // (with prevData ≠ 0, the previous iteration's data term comes from the same pass)
  if (sizeof<K>() == sizeof<Masked>()) {
    maskedGradient(xh, ph, yh, mask, prevData);
  } else {
    if (prevData != 0) spectrumPass<GradientAndData>(xh, ph, yh, prevData);
    else spectrumPass<GradientOnly>(xh, ph, yh, 0);
    irfft2FromScratch(PIX_A);
  }
  starletAdjointGroup(dual, PIX_B);
  // x̃ → PIX_A, x ← ρx̃ + (1 − ρ)x
  if (positivity) primalStep<Clamped>(x, f32x4.splat(tau), vr, vq);
  else primalStep<Free>(x, f32x4.splat(tau), vr, vq);
  // Φx̃ → BAND_S; then the dual step and Φx ← ρΦx̃ + (1 − ρ)Φx (and the sparsity sum)
  starletGroup(PIX_A, BAND_S);
  if (costOut != 0) bandsPass<DualAndSum>(dual, w, phix, f32x4.splat(dualStep), vr, vq, costOut + 32);
  else bandsPass<DualOnly>(dual, w, phix, f32x4.splat(dualStep), vr, vq, 0);
  // X̂ = DFT(x₊)
  rfft2Group(x, xh);
  // the data term of this x comes with the next iteration's gradient, if there is one
  if (costOut != 0 && last) {
    if (sizeof<K>() == sizeof<Masked>()) maskedDataTerm(xh, ph, yh, mask, costOut);
    else dataTerm(xh, ph, yh, costOut);
  }
}

// Masked data term ½‖√w ⊙ (y − Hx)‖² (w per pixel, in [0, 1]): its gradient
// Hᵀ(w ⊙ (Hx − y)) needs the residual in pixel space, so a masked iteration takes two
// more DFTs than an unmasked one (R̂ → r, and w ⊙ r → its spectrum): four instead of two.
// The kind is a type parameter, so the unmasked step's code is what it was.
export type Unmasked = u8;
export type Masked = u16;

// What a pass over the residual pixels does: weight them, weight them and sum the data
// term, or only sum it.
type WeightOnly = u8;
type WeightAndData = u16;
type DataOfWeighted = u32;

/** One pixel (f32x4) of a mask pass at byte offset k: r ← w·r (unless only summing); returns w·r². */
@inline function maskCell<M>(r: usize, w: usize, k: usize): v128 {
  const rv = v128.load(r + k);
  const wr = f32x4.mul(v128.load(w + k), rv);
  if (sizeof<M>() != sizeof<DataOfWeighted>()) v128.store(r + k, wr);
  return f32x4.mul(wr, rv);
}

/** A pass over a group's residual r (in place) with its mask w; the data term ½Σ w·r² per lane (float64) → data. */
@inline function maskPass<M>(r: usize, w: usize, data: usize): void {
  const summing = sizeof<M>() != sizeof<WeightOnly>();
  let lo = f64x2.splat(0), hi = f64x2.splat(0), lo1 = f64x2.splat(0), hi1 = f64x2.splat(0);
  const e = (<usize>NPIX) << 4;
  let o: usize = 0;
  for (; o + 64 <= e; o += 64) {
    const ro = r + o, wo = w + o;
    const e0 = maskCell<M>(ro, wo, 0), e1 = maskCell<M>(ro, wo, 16), e2 = maskCell<M>(ro, wo, 32), e3 = maskCell<M>(ro, wo, 48);
    if (summing) {
      lo = f64x2.add(lo, f64x2.add(low(e0), low(e2)));
      hi = f64x2.add(hi, f64x2.add(high(e0), high(e2)));
      lo1 = f64x2.add(lo1, f64x2.add(low(e1), low(e3)));
      hi1 = f64x2.add(hi1, f64x2.add(high(e1), high(e3)));
    }
  }
  for (; o < e; o += 16) {
    const e0 = maskCell<M>(r + o, w + o, 0);
    if (summing) {
      lo = f64x2.add(lo, low(e0));
      hi = f64x2.add(hi, high(e0));
    }
  }
  if (summing) {
    const half = f64x2.splat(0.5);
    v128.store(data, f64x2.mul(f64x2.add(lo, lo1), half));
    v128.store(data, f64x2.mul(f64x2.add(hi, hi1), half), 16);
  }
}

/** PIX_A = Hᵀ(w ⊙ (Hx − y)) for one group; with data ≠ 0 also ½‖√w ⊙ (y − Hx)‖² per lane → data. */
function maskedGradient(xh: usize, ph: usize, yh: usize, mask: usize, data: usize): void {
  spectrumPass<ResidualOnly>(xh, ph, yh, 0); // SPEC_A = P̂X̂ − Ŷ
  irfft2FromScratch(PIX_A); // r = Hx − y
  if (data != 0) maskPass<WeightAndData>(PIX_A, mask, data);
  else maskPass<WeightOnly>(PIX_A, mask, 0);
  const m = maskScratch();
  rfft2Group(PIX_A, m);
  // SPEC_A = conj(P̂)·DFT(w ⊙ r)
  const out = SPEC_A;
  const e = (<usize>NSPEC) << 5;
  for (let k: usize = 0; k < e; k += 32) {
    const pr = v128.load(ph + k), pi = v128.load(ph + k + 16);
    const mr = v128.load(m + k), mi = v128.load(m + k + 16);
    v128.store(out + k, f32x4.add(f32x4.mul(pr, mr), f32x4.mul(pi, mi)));
    v128.store(out + k + 16, f32x4.sub(f32x4.mul(pr, mi), f32x4.mul(pi, mr)));
  }
  irfft2FromScratch(PIX_A);
}

/** out[0..3] = ½‖√w ⊙ (y − Hx)‖² per lane (uses PIX_A). */
function maskedDataTerm(xh: usize, ph: usize, yh: usize, mask: usize, out: usize): void {
  spectrumPass<ResidualOnly>(xh, ph, yh, 0);
  irfft2FromScratch(PIX_A);
  maskPass<DataOfWeighted>(PIX_A, mask, out);
}

// The element-wise loops below take 4 elements per step through cell functions with a
// constant byte offset, which Binaryen folds into the loads' immediate offsets (see
// starlet.ts); a remainder loop takes the last NPIX mod 4.

// Positivity as a type parameter, so each case gets its own loop (as a boolean argument,
// Binaryen merged both into one loop with a select per pixel; see starlet.ts).
type Clamped = u16;
type Free = u8;

/** The primal step (prox.ts primalCell) over a group, with g in PIX_A and Φᵀ(dual) in PIX_B. */
@inline function primalStep<P>(x: usize, vt: v128, vr: v128, vq: v128): void {
  const positivity = sizeof<P>() == sizeof<Clamped>();
  const pa = PIX_A, pb = PIX_B; // locals: V8 reloads a global at every use
  const e = (<usize>NPIX) << 4;
  let o: usize = 0;
  for (; o + 64 <= e; o += 64) {
    const xo = x + o, ao = pa + o, bo = pb + o;
    primalCell(xo + 0, ao + 0, v128.load(ao + 0), v128.load(bo + 0), vt, vr, vq, positivity);
    primalCell(xo + 16, ao + 16, v128.load(ao + 16), v128.load(bo + 16), vt, vr, vq, positivity);
    primalCell(xo + 32, ao + 32, v128.load(ao + 32), v128.load(bo + 32), vt, vr, vq, positivity);
    primalCell(xo + 48, ao + 48, v128.load(ao + 48), v128.load(bo + 48), vt, vr, vq, positivity);
  }
  for (; o < e; o += 16) primalCell(x + o, pa + o, v128.load(pa + o), v128.load(pb + o), vt, vr, vq, positivity);
}

// What a pass over a group's wavelet bands does, as a type parameter (see starlet.ts):
// the dual step, the dual step and the sparsity sum, or the sum alone (the cost kernel).
// One loop for all three, so the sum has the same bits wherever it is taken.
type DualOnly = u8;
type DualAndSum = u16;
type SumOnly = u32;

/** One coefficient of a bands pass at byte offset k; returns W ⊙ Φx₊ (or W ⊙ Φx). */
@inline function bandsCell<M>(
  dual: usize, w: usize, phix: usize, b: usize, k: usize, vs: v128, vr: v128, vq: v128,
): v128 {
  if (sizeof<M>() == sizeof<SumOnly>()) return f32x4.mul(v128.load(w + k), v128.load(phix + k));
  return dualCell(dual + k, w + k, phix + k, v128.load(b + k), vs, vr, vq);
}

/**
 * A pass over a group's bands: the dual step (prox.ts dualCell) with Φx̃ in BAND_S,
 * and/or Σ|W ⊙ Φx| per lane (float64) into out.
 */
@inline function bandsPass<M>(
  dual: usize, w: usize, phix: usize, vs: v128, vr: v128, vq: v128, out: usize,
): void {
  const summing = sizeof<M>() != sizeof<DualOnly>();
  const bs = BAND_S; // a local: V8 reloads a global at every use
  // |v| as v & mask with the mask in a local (f32x4.abs rebuilds its mask every time)
  const mask = i32x4.splat(0x7fffffff);
  // two sets of float64 accumulators, so the adds do not chain on one
  let lo = f64x2.splat(0), hi = f64x2.splat(0), lo1 = f64x2.splat(0), hi1 = f64x2.splat(0);
  const e = (<usize>(BANDS * NPIX)) << 4;
  let o: usize = 0;
  for (; o + 64 <= e; o += 64) {
    const d = dual + o, ww = w + o, p = phix + o, b = bs + o;
    const e0 = bandsCell<M>(d, ww, p, b, 0, vs, vr, vq);
    const e1 = bandsCell<M>(d, ww, p, b, 16, vs, vr, vq);
    const e2 = bandsCell<M>(d, ww, p, b, 32, vs, vr, vq);
    const e3 = bandsCell<M>(d, ww, p, b, 48, vs, vr, vq);
    if (summing) {
      const a0 = v128.and(e0, mask), a1 = v128.and(e1, mask), a2 = v128.and(e2, mask), a3 = v128.and(e3, mask);
      lo = f64x2.add(lo, f64x2.add(low(a0), low(a2)));
      hi = f64x2.add(hi, f64x2.add(high(a0), high(a2)));
      lo1 = f64x2.add(lo1, f64x2.add(low(a1), low(a3)));
      hi1 = f64x2.add(hi1, f64x2.add(high(a1), high(a3)));
    }
  }
  for (; o < e; o += 16) {
    const e0 = bandsCell<M>(dual + o, w + o, phix + o, bs + o, 0, vs, vr, vq);
    if (summing) {
      const a0 = v128.and(e0, mask);
      lo = f64x2.add(lo, low(a0));
      hi = f64x2.add(hi, high(a0));
    }
  }
  if (summing) {
    v128.store(out, f64x2.add(lo, lo1));
    v128.store(out, f64x2.add(hi, hi1), 16);
  }
}

/** out[0..3] = Σ|W ⊙ Φx| per lane, with Φx as carried in `phix`. */
function sparsityTerm(phix: usize, w: usize, out: usize): void {
  const z = f32x4.splat(0);
  bandsPass<SumOnly>(0, w, phix, z, z, z, out);
}

/** Cost terms of one group, float64 per lane: out[0..3] data term, out[4..7] sparsity term. */
export function costGroup<K>(xh: usize, ph: usize, yh: usize, w: usize, phix: usize, mask: usize, out: usize): void {
  if (sizeof<K>() == sizeof<Masked>()) maskedDataTerm(xh, ph, yh, mask, out);
  else dataTerm(xh, ph, yh, out);
  sparsityTerm(phix, w, out + 32);
}

/** W ← W / (1 + |Φx| / W⁰) per pixel (docs/ALGORITHM.md §8), Φx as carried; lanes with W⁰ = 0 get W = 0. */
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

/** out[b*4 + lane] = ‖Φ(p)_b‖_F per lane, float64 (for W⁰; see docs/ALGORITHM.md §5). */
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
