// Real 2-D DFT of any size (41 is prime: no power-of-two assumption), for one group of
// 4 objects at a time. Separable: a real→half-complex pass along rows, then a complex
// pass along columns. Each 1-D transform pairs samples n and N−n so that the cosine and
// sine sums run over half the terms: about N²/2 multiply–adds per line instead of 2N².

import {
  NY, NX, NHX, NSPEC, HCX, HCY, MX, MY, COS_X, SIN_X, COS_Y, SIN_Y, ROW_A, ROW_B, SPEC_A, SPEC_B,
} from './plan';

@inline function at(base: usize, i: i32): usize {
  return base + ((<usize>i) << 4);
}

/** Rows: pix (NY × NX reals) → spec (NY × NHX complex). */
function rowsForward(pix: usize, spec: usize): void {
  const nx = NX, hc = HCX, even = (nx & 1) == 0;
  const zero = f32x4.splat(0);
  for (let r = 0; r < NY; r++) {
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
    for (let k = 0; k <= MX; k++) {
      let re = x0;
      let im = zero;
      const tc = at(COS_X, k * hc);
      const ts = at(SIN_X, k * hc);
      for (let c = 0; c < hc; c++) {
        re = f32x4.add(re, f32x4.mul(v128.load(at(ROW_A, c)), v128.load(at(tc, c))));
        im = f32x4.sub(im, f32x4.mul(v128.load(at(ROW_B, c)), v128.load(at(ts, c))));
      }
      if (even) re = (k & 1) != 0 ? f32x4.sub(re, mid) : f32x4.add(re, mid);
      v128.store(out + ((<usize>k) << 5), re);
      v128.store(out + ((<usize>k) << 5) + 16, im);
    }
  }
}

/** Rows, inverse: spec (NY × NHX complex) → pix (NY × NX reals), times `scale`. */
function rowsInverse(spec: usize, pix: usize, scale: f32): void {
  const nx = NX, hc = HCX, even = (nx & 1) == 0;
  const zero = f32x4.splat(0);
  const two = f32x4.splat(2);
  const s = f32x4.splat(scale);
  for (let r = 0; r < NY; r++) {
    const inp = spec + ((<usize>(r * NHX)) << 5);
    for (let k = 1; k <= hc; k++) {
      v128.store(at(ROW_A, k - 1), v128.load(inp + ((<usize>k) << 5)));
      v128.store(at(ROW_B, k - 1), v128.load(inp + ((<usize>k) << 5) + 16));
    }
    const x0 = v128.load(inp);
    const mid = even ? v128.load(inp + ((<usize>MX) << 5)) : zero;
    const row = at(pix, r * nx);
    for (let c = 0; c <= MX; c++) {
      let e = zero;
      let o = zero;
      const tc = at(COS_X, c * hc);
      const ts = at(SIN_X, c * hc);
      for (let k = 0; k < hc; k++) {
        e = f32x4.add(e, f32x4.mul(v128.load(at(ROW_A, k)), v128.load(at(tc, k))));
        o = f32x4.add(o, f32x4.mul(v128.load(at(ROW_B, k)), v128.load(at(ts, k))));
      }
      let ev = f32x4.add(x0, f32x4.mul(two, e));
      if (even) ev = (c & 1) != 0 ? f32x4.sub(ev, mid) : f32x4.add(ev, mid);
      const od = f32x4.mul(two, o); // x[c] = E − O', x[N−c] = E + O' with O' = 2 Σ Im·sin
      v128.store(at(row, c), f32x4.mul(f32x4.sub(ev, od), s));
      if (c != 0 && c != nx - c) v128.store(at(row, nx - c), f32x4.mul(f32x4.add(ev, od), s));
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

/**
 * Columns: complex DFT of length NY on every column of a paired spectrum (see
 * columnPairs), forward (e^{−i}) or inverse (e^{+i}, unscaled). src → dst, distinct.
 */
function columns(src: usize, dst: usize, inverse: bool): void {
  const len = NHX * 2, hc = HCY, even = (NY & 1) == 0;
  // m = 0: the plain sum of all rows (the paired rows already hold r + (NY − r)).
  for (let j = 0; j < len; j++) {
    let acc = v128.load(at(src, j));
    for (let r = 1; r <= hc; r++) acc = f32x4.add(acc, v128.load(at(src, r * len + j)));
    if (even) acc = f32x4.add(acc, v128.load(at(src, MY * len + j)));
    v128.store(at(dst, j), acc);
  }
  for (let m = 1; m <= MY; m++) {
    const tc = at(COS_Y, m * hc);
    const ts = at(SIN_Y, m * hc);
    const mirror = NY - m;
    const outA = at(dst, m * len);
    const outB = at(dst, mirror * len);
    for (let k = 0; k < NHX; k++) {
      const o = (<usize>k) << 5;
      let cre = v128.load(src + o);
      let cim = v128.load(src + o + 16);
      let sre = f32x4.splat(0);
      let sim = f32x4.splat(0);
      for (let r = 1; r <= hc; r++) {
        const c = v128.load(at(tc, r - 1));
        const s = v128.load(at(ts, r - 1));
        const pa = at(src, r * len) + o;
        const pb = at(src, (NY - r) * len) + o;
        cre = f32x4.add(cre, f32x4.mul(v128.load(pa), c));
        cim = f32x4.add(cim, f32x4.mul(v128.load(pa + 16), c));
        sre = f32x4.add(sre, f32x4.mul(v128.load(pb), s));
        sim = f32x4.add(sim, f32x4.mul(v128.load(pb + 16), s));
      }
      if (even) {
        const mre = v128.load(at(src, MY * len) + o);
        const mim = v128.load(at(src, MY * len) + o + 16);
        if ((m & 1) != 0) { cre = f32x4.sub(cre, mre); cim = f32x4.sub(cim, mim); }
        else { cre = f32x4.add(cre, mre); cim = f32x4.add(cim, mim); }
      }
      // forward: Z[m] = C − iS, Z[NY−m] = C + iS; inverse: the other way round.
      const aRe = f32x4.add(cre, sim), aIm = f32x4.sub(cim, sre);
      const bRe = f32x4.sub(cre, sim), bIm = f32x4.add(cim, sre);
      v128.store(outA + o, inverse ? bRe : aRe);
      v128.store(outA + o + 16, inverse ? bIm : aIm);
      if (mirror != m) {
        v128.store(outB + o, inverse ? aRe : bRe);
        v128.store(outB + o + 16, inverse ? aIm : bIm);
      }
    }
  }
}

/** Forward real 2-D DFT of one group: pix → spec (half spectrum). Uses SPEC_A. */
export function rfft2Group(pix: usize, spec: usize): void {
  rowsForward(pix, SPEC_A);
  columnPairs(SPEC_A);
  columns(SPEC_A, spec, false);
}

/**
 * Inverse real 2-D DFT of one group, normalised by 1/(NY·NX). The input must be SPEC_A
 * (it is overwritten); uses SPEC_B.
 */
export function irfft2FromScratch(pix: usize): void {
  columnPairs(SPEC_A);
  columns(SPEC_A, SPEC_B, true);
  rowsInverse(SPEC_B, pix, <f32>(1.0 / (<f64>NY * <f64>NX)));
}

/** Copies one group's half spectrum into SPEC_A. */
export function loadScratchSpectrum(spec: usize): void {
  memory.copy(SPEC_A, spec, (<usize>NSPEC) << 5);
}
