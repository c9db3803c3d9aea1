// Real 2-D DFT of any size (41 is prime: no power-of-two assumption), for one group of
// 4 objects at a time. Separable: a real→half-complex pass along rows, then a complex
// pass along columns. Each dimension uses the plan chosen in configure (plan.ts FFT_X /
// FFT_Y, fft.ts): a mixed-radix or Rader FFT, or this file's exact direct DFT, which pairs
// samples n and N−n so that the cosine and sine sums run over half the terms (about N²/2
// multiply–adds per line instead of 2N²) and is the fastest for small or awkward sizes.
// A side of 41 (the production size) instead takes the fused Rader passes of r41.ts.

import {
  NY, NX, NHX, NSPEC, HCX, HCY, MX, MY, COS_X, SIN_X, COS_Y, SIN_Y, ROW_A, ROW_B, SPEC_A,
  FFT_X, FFT_Y, FFT_W1, FFT_W2, FFT_W3,
} from './plan';
import { fftLines } from './fft';
import { R41X, R41Y, rowsForward41, rowsInverse41, columns41 } from './r41';

@inline function at(base: usize, i: i32): usize {
  return base + ((<usize>i) << 4);
}

/** Rows r0..r1−1: pix (NY × NX reals) → spec (NY × NHX complex). Four outputs k at a time. */
function rowsForward(pix: usize, spec: usize, r0: i32, r1: i32): void {
  const nx = NX, hc = HCX, even = (nx & 1) == 0;
  const zero = f32x4.splat(0);
  const stride = (<usize>hc) << 4;
  for (let r = r0; r < r1; r++) {
    const row = at(pix, r * nx);
    for (let c = 1; c <= hc; c++) {
      const a = v128.load(at(row, c));
      const b = v128.load(at(row, nx - c));
      v128.store(at(ROW_A, c - 1), f32x4.add(a, b));
      v128.store(at(ROW_B, c - 1), f32x4.sub(a, b));
    }
    const x0 = v128.load(row);
    const mid = even ? v128.load(at(row, MX)) : zero;
    const out = spec + ((<usize>(r * NHX)) << 5);
    for (let k = 0; k <= MX; k += 4) {
      let re0 = x0, re1 = x0, re2 = x0, re3 = x0;
      let im0 = zero, im1 = zero, im2 = zero, im3 = zero;
      const tc = COS_X + <usize>k * stride;
      const ts = SIN_X + <usize>k * stride;
      for (let c = 0; c < hc; c++) {
        const a = v128.load(at(ROW_A, c));
        const b = v128.load(at(ROW_B, c));
        const o = (<usize>c) << 4;
        re0 = f32x4.add(re0, f32x4.mul(a, v128.load(tc + o)));
        re1 = f32x4.add(re1, f32x4.mul(a, v128.load(tc + stride + o)));
        re2 = f32x4.add(re2, f32x4.mul(a, v128.load(tc + 2 * stride + o)));
        re3 = f32x4.add(re3, f32x4.mul(a, v128.load(tc + 3 * stride + o)));
        im0 = f32x4.sub(im0, f32x4.mul(b, v128.load(ts + o)));
        im1 = f32x4.sub(im1, f32x4.mul(b, v128.load(ts + stride + o)));
        im2 = f32x4.sub(im2, f32x4.mul(b, v128.load(ts + 2 * stride + o)));
        im3 = f32x4.sub(im3, f32x4.mul(b, v128.load(ts + 3 * stride + o)));
      }
      if (even) {
        // x[N/2]·e^{−iπk} = ±x[N/2]
        re0 = (k & 1) != 0 ? f32x4.sub(re0, mid) : f32x4.add(re0, mid);
        re1 = (k & 1) == 0 ? f32x4.sub(re1, mid) : f32x4.add(re1, mid);
        re2 = (k & 1) != 0 ? f32x4.sub(re2, mid) : f32x4.add(re2, mid);
        re3 = (k & 1) == 0 ? f32x4.sub(re3, mid) : f32x4.add(re3, mid);
      }
      const o = out + ((<usize>k) << 5);
      v128.store(o, re0);
      v128.store(o, im0, 16);
      if (k + 1 <= MX) { v128.store(o, re1, 32); v128.store(o, im1, 48); }
      if (k + 2 <= MX) { v128.store(o, re2, 64); v128.store(o, im2, 80); }
      if (k + 3 <= MX) { v128.store(o, re3, 96); v128.store(o, im3, 112); }
    }
  }
}

/** Writes x[c] = (E − O)·s and its mirror x[N−c] = (E + O)·s of an inverse row. */
@inline function storePair(row: usize, c: i32, ev: v128, od: v128, s: v128): void {
  if (c > MX) return;
  v128.store(at(row, c), f32x4.mul(f32x4.sub(ev, od), s));
  if (c != 0 && c != NX - c) v128.store(at(row, NX - c), f32x4.mul(f32x4.add(ev, od), s));
}

/** Rows r0..r1−1, inverse: spec (NY × NHX complex) → pix (NY × NX reals), times `scale`. */
function rowsInverse(spec: usize, pix: usize, scale: f32, r0: i32, r1: i32): void {
  const nx = NX, hc = HCX, even = (nx & 1) == 0;
  const zero = f32x4.splat(0);
  const two = f32x4.splat(2);
  const s = f32x4.splat(scale);
  const stride = (<usize>hc) << 4;
  for (let r = r0; r < r1; r++) {
    const inp = spec + ((<usize>(r * NHX)) << 5);
    for (let k = 1; k <= hc; k++) {
      v128.store(at(ROW_A, k - 1), v128.load(inp + ((<usize>k) << 5)));
      v128.store(at(ROW_B, k - 1), v128.load(inp + ((<usize>k) << 5) + 16));
    }
    const x0 = v128.load(inp);
    const mid = even ? v128.load(inp + ((<usize>MX) << 5)) : zero;
    const midNeg = f32x4.neg(mid);
    const row = at(pix, r * nx);
    for (let c = 0; c <= MX; c += 4) {
      let e0 = zero, e1 = zero, e2 = zero, e3 = zero;
      let o0 = zero, o1 = zero, o2 = zero, o3 = zero;
      const tc = COS_X + <usize>c * stride;
      const ts = SIN_X + <usize>c * stride;
      for (let k = 0; k < hc; k++) {
        const re = v128.load(at(ROW_A, k));
        const im = v128.load(at(ROW_B, k));
        const o = (<usize>k) << 4;
        e0 = f32x4.add(e0, f32x4.mul(re, v128.load(tc + o)));
        e1 = f32x4.add(e1, f32x4.mul(re, v128.load(tc + stride + o)));
        e2 = f32x4.add(e2, f32x4.mul(re, v128.load(tc + 2 * stride + o)));
        e3 = f32x4.add(e3, f32x4.mul(re, v128.load(tc + 3 * stride + o)));
        o0 = f32x4.add(o0, f32x4.mul(im, v128.load(ts + o)));
        o1 = f32x4.add(o1, f32x4.mul(im, v128.load(ts + stride + o)));
        o2 = f32x4.add(o2, f32x4.mul(im, v128.load(ts + 2 * stride + o)));
        o3 = f32x4.add(o3, f32x4.mul(im, v128.load(ts + 3 * stride + o)));
      }
      // x[c] = X₀ + 2Σ Re·cos − 2Σ Im·sin (+ (−1)^c X_{N/2} for even N)
      const even0 = f32x4.add(x0, (c & 1) != 0 ? midNeg : mid);
      const even1 = f32x4.add(x0, (c & 1) == 0 ? midNeg : mid);
      storePair(row, c, f32x4.add(even0, f32x4.mul(two, e0)), f32x4.mul(two, o0), s);
      storePair(row, c + 1, f32x4.add(even1, f32x4.mul(two, e1)), f32x4.mul(two, o1), s);
      storePair(row, c + 2, f32x4.add(even0, f32x4.mul(two, e2)), f32x4.mul(two, o2), s);
      storePair(row, c + 3, f32x4.add(even1, f32x4.mul(two, e3)), f32x4.mul(two, o3), s);
    }
  }
}

/** In place: row r ← row r + row NY−r, row NY−r ← row r − row NY−r, for r = 1..HCY. */
function columnPairs(spec: usize): void {
  const len = NHX * 2;
  for (let r = 1; r <= HCY; r++) {
    const a = at(spec, r * len);
    const b = at(spec, (NY - r) * len);
    for (let j = 0; j < len; j++) {
      const u = v128.load(at(a, j));
      const v = v128.load(at(b, j));
      v128.store(at(a, j), f32x4.add(u, v));
      v128.store(at(b, j), f32x4.sub(u, v));
    }
  }
}

/** Stores Z[m] = C ∓ iS and Z[NY−m] = C ± iS (forward: upper signs). */
@inline function storeColumn(
  dst: usize, len: i32, m: i32, o: usize, cre: v128, cim: v128, sre: v128, sim: v128, inverse: bool,
): void {
  if (m > MY) return;
  const aRe = f32x4.add(cre, sim), aIm = f32x4.sub(cim, sre); // C − iS
  const bRe = f32x4.sub(cre, sim), bIm = f32x4.add(cim, sre); // C + iS
  const outA = at(dst, m * len) + o;
  v128.store(outA, inverse ? bRe : aRe);
  v128.store(outA, inverse ? bIm : aIm, 16);
  if (NY - m != m) {
    const outB = at(dst, (NY - m) * len) + o;
    v128.store(outB, inverse ? aRe : bRe);
    v128.store(outB, inverse ? aIm : bIm, 16);
  }
}

/**
 * Columns: complex DFT of length NY on every column of a paired spectrum (see
 * columnPairs), forward (e^{−i}) or inverse (e^{+i}, unscaled). src → dst, distinct.
 * Two output rows m at a time.
 */
function columns(src: usize, dst: usize, inverse: bool): void {
  const len = NHX * 2, hc = HCY, even = (NY & 1) == 0;
  const stride = (<usize>hc) << 4;
  const rowBytes = (<usize>len) << 4;
  // m = 0: the plain sum of all rows (the paired rows already hold r + (NY − r)).
  for (let j = 0; j < len; j++) {
    let acc = v128.load(at(src, j));
    for (let r = 1; r <= hc; r++) acc = f32x4.add(acc, v128.load(at(src, r * len + j)));
    if (even) acc = f32x4.add(acc, v128.load(at(src, MY * len + j)));
    v128.store(at(dst, j), acc);
  }
  for (let m = 1; m <= MY; m += 2) {
    const tc = COS_Y + <usize>m * stride;
    const ts = SIN_Y + <usize>m * stride;
    for (let k = 0; k < NHX; k++) {
      const o = (<usize>k) << 5;
      const zr = v128.load(src + o), zi = v128.load(src + o, 16);
      let cre0 = zr, cim0 = zi, cre1 = zr, cim1 = zi;
      let sre0 = f32x4.splat(0), sim0 = sre0, sre1 = sre0, sim1 = sre0;
      let pa = src + rowBytes + o;
      let pb = src + <usize>(NY - 1) * rowBytes + o;
      for (let r = 0; r < hc; r++) {
        const ar = v128.load(pa), ai = v128.load(pa, 16);
        const br = v128.load(pb), bi = v128.load(pb, 16);
        const q = (<usize>r) << 4;
        const c0 = v128.load(tc + q), c1 = v128.load(tc + stride + q);
        const s0 = v128.load(ts + q), s1 = v128.load(ts + stride + q);
        cre0 = f32x4.add(cre0, f32x4.mul(ar, c0));
        cim0 = f32x4.add(cim0, f32x4.mul(ai, c0));
        sre0 = f32x4.add(sre0, f32x4.mul(br, s0));
        sim0 = f32x4.add(sim0, f32x4.mul(bi, s0));
        cre1 = f32x4.add(cre1, f32x4.mul(ar, c1));
        cim1 = f32x4.add(cim1, f32x4.mul(ai, c1));
        sre1 = f32x4.add(sre1, f32x4.mul(br, s1));
        sim1 = f32x4.add(sim1, f32x4.mul(bi, s1));
        pa += rowBytes;
        pb -= rowBytes;
      }
      if (even) {
        // row N/2 enters with (−1)^m
        const mid = at(src, MY * len) + o;
        const mre = v128.load(mid), mim = v128.load(mid, 16);
        if ((m & 1) != 0) {
          cre0 = f32x4.sub(cre0, mre); cim0 = f32x4.sub(cim0, mim);
          cre1 = f32x4.add(cre1, mre); cim1 = f32x4.add(cim1, mim);
        } else {
          cre0 = f32x4.add(cre0, mre); cim0 = f32x4.add(cim0, mim);
          cre1 = f32x4.sub(cre1, mre); cim1 = f32x4.sub(cim1, mim);
        }
      }
      storeColumn(dst, len, m, o, cre0, cim0, sre0, sim0, inverse);
      storeColumn(dst, len, m + 1, o, cre1, cim1, sre1, sim1, inverse);
    }
  }
}

// FFT path (fft.ts). Rows: two real rows 2p, 2p+1 are one complex line z = x_2p + i·x_2p+1,
// transformed straight from the pixel layout (element c at +16c, line p at +32·NX·p); the
// spectra are then separated (untangle). An odd last row takes the direct path.

/** W (element k, P lines) → spec rows 2p, 2p+1: X_2p = (Z_k + conj Z_−k)/2, X_2p+1 = (Z_k − conj Z_−k)/2i. */
function untangle(w: usize, spec: usize, lines: i32): void {
  const half = f32x4.splat(0.5);
  const es = (<usize>lines) << 5;
  const rowBytes = (<usize>NHX) << 5;
  for (let k = 0; k <= MX; k++) {
    const a = w + <usize>k * es, b = w + <usize>((NX - k) % NX) * es;
    let out = spec + ((<usize>k) << 5);
    for (let p = 0; p < lines; p++) {
      const o = (<usize>p) << 5;
      const zr = v128.load(a + o), zi = v128.load(a + o, 16);
      const wr = v128.load(b + o), wi = v128.load(b + o, 16);
      v128.store(out, f32x4.mul(half, f32x4.add(zr, wr)));
      v128.store(out, f32x4.mul(half, f32x4.sub(zi, wi)), 16);
      v128.store(out + rowBytes, f32x4.mul(half, f32x4.add(zi, wi)));
      v128.store(out + rowBytes, f32x4.mul(half, f32x4.sub(wr, zr)), 16);
      out += rowBytes << 1;
    }
  }
}

/**
 * spec rows 2p, 2p+1 (half spectra) → W (element k = 0..NX−1, P lines): Z_k = X_2p[k] + i·X_2p+1[k]
 * over the full Hermitian spectrum, times `scale`; imaginary parts at k = 0 and k = NX/2 are dropped.
 */
function tangle(spec: usize, w: usize, lines: i32, scale: f32): void {
  const s = f32x4.splat(scale), zero = f32x4.splat(0);
  const es = (<usize>lines) << 5;
  const rowBytes = (<usize>NHX) << 5;
  const even = (NX & 1) == 0;
  for (let k = 0; k < NX; k++) {
    const mirror = k > MX;
    const kk = mirror ? NX - k : k;
    const real = kk == 0 || (even && kk == MX);
    let inp = spec + ((<usize>kk) << 5);
    const out = w + <usize>k * es;
    for (let p = 0; p < lines; p++) {
      const er = v128.load(inp), orr = v128.load(inp + rowBytes);
      let ei = v128.load(inp, 16), oi = v128.load(inp + rowBytes, 16);
      if (real) { ei = zero; oi = zero; } else if (mirror) { ei = f32x4.neg(ei); oi = f32x4.neg(oi); }
      const o = out + ((<usize>p) << 5);
      v128.store(o, f32x4.mul(s, f32x4.sub(er, oi)));
      v128.store(o, f32x4.mul(s, f32x4.add(ei, orr)), 16);
      inp += rowBytes << 1;
    }
  }
}

/** Forward real 2-D DFT of one group: pix → spec (half spectrum). Uses SPEC_A. */
export function rfft2Group(pix: usize, spec: usize): void {
  const lines = NY >> 1;
  if (R41X) {
    rowsForward41(pix, SPEC_A, NY);
  } else if (FFT_X.kind != 0) {
    if (lines > 0) {
      fftLines(
        FFT_X, lines, pix, 16, (<usize>NX) << 5, 0, (<usize>NX) << 4,
        FFT_W3, (<usize>lines) << 5, 32, 0, 16, FFT_W1, FFT_W2,
      );
      untangle(FFT_W3, SPEC_A, lines);
    }
    if (NY & 1) rowsForward(pix, SPEC_A, NY - 1, NY);
  } else {
    rowsForward(pix, SPEC_A, 0, NY);
  }
  if (R41Y) {
    columns41(SPEC_A, spec, NHX, false);
  } else if (FFT_Y.kind != 0) {
    const es = (<usize>NHX) << 5;
    fftLines(FFT_Y, NHX, SPEC_A, es, 32, 0, 16, spec, es, 32, 0, 16, FFT_W1, FFT_W2);
  } else {
    columnPairs(SPEC_A);
    columns(SPEC_A, spec, false);
  }
}

/**
 * Inverse real 2-D DFT of one group, normalised by 1/(NY·NX). The input must be SPEC_A
 * (it is overwritten).
 */
export function irfft2FromScratch(pix: usize): void {
  const es = (<usize>NHX) << 5;
  if (R41Y) {
    columns41(SPEC_A, FFT_W3, NHX, true);
  } else if (FFT_Y.kind != 0) {
    fftLines(FFT_Y, NHX, SPEC_A, es, 32, 16, 0, FFT_W3, es, 32, 16, 0, FFT_W1, FFT_W2);
  } else {
    columnPairs(SPEC_A);
    columns(SPEC_A, FFT_W3, true);
  }
  rowsFrom(pix);
}

/** The row half of the inverse: FFT_W3 (column-transformed half spectrum) → pix, normalised. */
function rowsFrom(pix: usize): void {
  const scale = <f32>(1.0 / (<f64>NY * <f64>NX));
  const lines = NY >> 1;
  if (R41X) {
    rowsInverse41(FFT_W3, pix, NY, scale);
  } else if (FFT_X.kind != 0) {
    if (lines > 0) {
      tangle(FFT_W3, SPEC_A, lines, scale);
      fftLines(
        FFT_X, lines, SPEC_A, (<usize>lines) << 5, 32, 16, 0,
        pix, 16, (<usize>NX) << 5, (<usize>NX) << 4, 0, FFT_W1, FFT_W2,
      );
    }
    if (NY & 1) rowsInverse(FFT_W3, pix, scale, NY - 1, NY);
  } else {
    rowsInverse(FFT_W3, pix, scale, 0, NY);
  }
}

/** Copies one group's half spectrum into SPEC_A. */
export function loadScratchSpectrum(spec: usize): void {
  memory.copy(SPEC_A, spec, (<usize>NSPEC) << 5);
}

/**
 * Inverse real 2-D DFT of the half spectrum at `spec` (left unchanged), normalised; as
 * loadScratchSpectrum + irfft2FromScratch, without the copy when the 41-point column
 * pass can read `spec` in place.
 */
export function irfft2Group(spec: usize, pix: usize): void {
  if (R41Y) {
    columns41(spec, FFT_W3, NHX, true);
    rowsFrom(pix);
  } else {
    loadScratchSpectrum(spec);
    irfft2FromScratch(pix);
  }
}
