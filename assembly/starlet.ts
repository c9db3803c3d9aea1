// The à trous wavelet transform Φ (3 detail bands, coarse band dropped, periodic) and
// its exact adjoint, for one group of 4 objects. Smoothing S_s at scale s is the
// separable kernel h with holes of 2^s pixels; S_s is symmetric, so Φᵀ is the Horner form
//   Φᵀ(u) = u₀ + S₀(u₁ + S₁(u₂ − S₂u₂ − u₁) − u₀).

import {
  NY, NX, NPIX, TAP0, TAP1, TAP2, REACH, PIX_C, PIX_D, PIX_T, ROW_EDGES, EDGE_MAX, EDGE_BYTES, EDGE_COUNTS,
} from './plan';
import { BANDS } from './layout';

// The smoothing kernel as a type parameter K, so that each kernel gets its own copy of the
// pixel loops with its taps known when AssemblyScript compiles them. (A boolean argument
// was merged by Binaryen into one copy of Φ's column pass that tested it at every pixel.)
type Linear = u8; // 3 taps
type B3 = u16;    // 5 taps

@inline function at(base: usize, i: i32): usize {
  return base + ((<usize>i) << 4);
}

@inline function wrap(i: i32, n: i32): i32 {
  while (i < 0) i += n; // |i| is at most a few n: cheaper than a division
  while (i >= n) i -= n;
  return i;
}

// Why the pixel loops take 4 pixels per step through cell functions with a constant byte
// offset k: Binaryen folds "pointer + k" into the load's immediate offset, so V8 computes
// each pointer once per 4 pixels instead of once per pixel (address arithmetic was about
// a third of the instructions). V8 unrolls an innermost loop only if it is small (at most
// (nesting depth + 1) · 50 graph nodes); taking 4 pixels by hand makes that moot.

// The linear kernel's row pass leaves out its factor ¼ and the column pass applies 1/16
// for both: 2c + m + p takes three adds where ½c + ¼(m + p) took four operations, and
// scaling by powers of two commutes with rounding, so every value has the same bits.

/** The row pass of kernel K at one pixel: centre c, taps m/p at ∓1 step, m2/p2 at ∓2 (b3). */
@inline function rowTaps<K>(c: usize, m: usize, p: usize, m2: usize, p2: usize, k: usize, t0: v128, t1: v128, t2: v128): v128 {
  if (sizeof<K>() == sizeof<Linear>()) {
    const vc = v128.load(c + k);
    return f32x4.add(f32x4.add(vc, vc), f32x4.add(v128.load(m + k), v128.load(p + k))); // 4 × the smoothed value
  }
  return tapsAt<K>(c, m, p, m2, p2, k, t0, t1, t2);
}

/** The column pass of kernel K at one pixel, on the row pass's output. */
@inline function colTaps<K>(c: usize, m: usize, p: usize, m2: usize, p2: usize, k: usize, t0: v128, t1: v128, t2: v128): v128 {
  if (sizeof<K>() == sizeof<Linear>()) {
    const vc = v128.load(c + k);
    return f32x4.mul(f32x4.splat(0.0625), f32x4.add(f32x4.add(vc, vc), f32x4.add(v128.load(m + k), v128.load(p + k))));
  }
  return tapsAt<K>(c, m, p, m2, p2, k, t0, t1, t2);
}

/** Kernel K with its taps t0..t2 at one pixel. */
@inline function tapsAt<K>(c: usize, m: usize, p: usize, m2: usize, p2: usize, k: usize, t0: v128, t1: v128, t2: v128): v128 {
  let v = f32x4.add(
    f32x4.mul(t0, v128.load(c + k)),
    f32x4.mul(t1, f32x4.add(v128.load(m + k), v128.load(p + k))),
  );
  if (sizeof<K>() == sizeof<B3>()) v = f32x4.add(v, f32x4.mul(t2, f32x4.add(v128.load(m2 + k), v128.load(p2 + k))));
  return v;
}

/** One pixel of the row pass, at byte offset k from the given pointers. */
@inline function rowCell<K>(
  c: usize, m: usize, p: usize, m2: usize, p2: usize, t: usize, k: usize,
  t0: v128, t1: v128, t2: v128,
): void {
  v128.store(t + k, rowTaps<K>(c, m, p, m2, p2, k, t0, t1, t2));
}

/** PIX_T = inp smoothed along rows at scale s (periodic), with kernel K. */
@inline function smoothRows<K>(inp: usize, s: i32): void {
  const nx = NX, st = 1 << s;
  const off = REACH * st; // ≤ 8 ≤ NX: one wrap at most
  const t0 = f32x4.splat(TAP0), t1 = f32x4.splat(TAP1), t2 = f32x4.splat(TAP2);
  const d = (<usize>st) << 4;
  const lo = min(off, nx), hi = max(off, nx - off);
  const edgeTab = ROW_EDGES + <usize>(s * EDGE_MAX * EDGE_BYTES);
  const edgeCount = load<i32>(ROW_EDGES + <usize>(EDGE_COUNTS + 4 * s));
  for (let r = 0; r < NY; r++) {
    const row = at(inp, r * nx);
    const dst = at(PIX_T, r * nx);
    // interior: every tap inside the row; 4 pixels per step (see tapsAt)
    const lm = row - d, lp = row + d, lm2 = row - 2 * d, lp2 = row + 2 * d;
    let o = (<usize>lo) << 4;
    const e = (<usize>hi) << 4;
    for (; o + 64 <= e; o += 64) {
      const c = row + o, m = lm + o, p = lp + o, m2 = lm2 + o, p2 = lp2 + o, t = dst + o;
      rowCell<K>(c, m, p, m2, p2, t, 0, t0, t1, t2);
      rowCell<K>(c, m, p, m2, p2, t, 16, t0, t1, t2);
      rowCell<K>(c, m, p, m2, p2, t, 32, t0, t1, t2);
      rowCell<K>(c, m, p, m2, p2, t, 48, t0, t1, t2);
    }
    for (; o < e; o += 16) rowCell<K>(row + o, lm + o, lp + o, lm2 + o, lp2 + o, dst + o, 0, t0, t1, t2);
    // edges: taps wrap around (byte offsets from plan.ts ROW_EDGES)
    for (let j = 0; j < edgeCount; j++) {
      const t = edgeTab + <usize>(j * EDGE_BYTES);
      rowCell<K>(row + load<i32>(t), row + load<i32>(t, 4), row + load<i32>(t, 8), row + load<i32>(t, 12),
        row + load<i32>(t, 16), dst + load<i32>(t), 0, t0, t1, t2);
    }
  }
}

// What the column pass writes, with S the smoothed image:
const SMOOTH_AND_DETAIL = 0; // out = S, band = a − S          (Φ: c_{s+1} and w_s)
const A_MINUS_S_MINUS_B = 1; // out = a − S − b                 (Φᵀ steps)
const A_PLUS_S_MINUS_B = 2;  // out = a + S − b
const A_PLUS_S = 3;          // out = a + S

/**
 * Smooths `inp` at scale s (rows, then columns) and writes the combination `mode` of the
 * result with images a and b. `out` may be `inp` or `a`.
 */
// Inlined at each call site so that `mode` is a constant and its branches fold away: the
// inner loops carry no tests.
@inline function smooth(inp: usize, s: i32, mode: i32, out: usize, a: usize, b: usize, band: usize): void {
  if (REACH == 2) smoothWith<B3>(inp, s, mode, out, a, b, band);
  else smoothWith<Linear>(inp, s, mode, out, a, b, band);
}

@inline function smoothWith<K>(inp: usize, s: i32, mode: i32, out: usize, a: usize, b: usize, band: usize): void {
  smoothRows<K>(inp, s);
  const nx = NX, ny = NY, st = 1 << s;
  const t0 = f32x4.splat(TAP0), t1 = f32x4.splat(TAP1), t2 = f32x4.splat(TAP2);
  const rowBytes = (<usize>nx) << 4;
  for (let r = 0; r < ny; r++) {
    // Row pointers once per row; the inner loop steps one byte offset, 4 pixels at a time.
    const c0 = at(PIX_T, r * nx);
    const m1 = at(PIX_T, wrap(r - st, ny) * nx);
    const p1 = at(PIX_T, wrap(r + st, ny) * nx);
    const b3 = sizeof<K>() == sizeof<B3>();
    const m2: usize = b3 ? at(PIX_T, wrap(r - 2 * st, ny) * nx) : 0;
    const p2: usize = b3 ? at(PIX_T, wrap(r + 2 * st, ny) * nx) : 0;
    const row = <usize>r * rowBytes;
    const ar = a + row, br = b + row, or = out + row, wr = band + row;
    let o: usize = 0;
    for (; o + 64 <= rowBytes; o += 64) {
      const c = c0 + o, m = m1 + o, p = p1 + o, mm = m2 + o, pp = p2 + o;
      const aa = ar + o, bb = br + o, oo = or + o, ww = wr + o;
      colCell<K>(c, m, p, mm, pp, aa, bb, oo, ww, 0, t0, t1, t2, mode);
      colCell<K>(c, m, p, mm, pp, aa, bb, oo, ww, 16, t0, t1, t2, mode);
      colCell<K>(c, m, p, mm, pp, aa, bb, oo, ww, 32, t0, t1, t2, mode);
      colCell<K>(c, m, p, mm, pp, aa, bb, oo, ww, 48, t0, t1, t2, mode);
    }
    for (; o < rowBytes; o += 16) {
      colCell<K>(c0 + o, m1 + o, p1 + o, m2 + o, p2 + o, ar + o, br + o, or + o, wr + o, 0, t0, t1, t2, mode);
    }
  }
}

/** One pixel of the column pass and its combination `mode`, at byte offset k. */
@inline function colCell<K>(
  c: usize, m: usize, p: usize, m2: usize, p2: usize, a: usize, b: usize, out: usize, band: usize, k: usize,
  t0: v128, t1: v128, t2: v128, mode: i32,
): void {
  const v = colTaps<K>(c, m, p, m2, p2, k, t0, t1, t2);
  if (mode == SMOOTH_AND_DETAIL) {
    v128.store(band + k, f32x4.sub(v128.load(a + k), v));
    v128.store(out + k, v);
  } else if (mode == A_MINUS_S_MINUS_B) {
    v128.store(out + k, f32x4.sub(f32x4.sub(v128.load(a + k), v), v128.load(b + k)));
  } else if (mode == A_PLUS_S_MINUS_B) {
    v128.store(out + k, f32x4.sub(f32x4.add(v128.load(a + k), v), v128.load(b + k)));
  } else {
    v128.store(out + k, f32x4.add(v128.load(a + k), v));
  }
}

/** bands = Φ(x) for one group: w_s = c_s − c_{s+1}, c_0 = x, c_{s+1} = S_s c_s. */
export function starletGroup(x: usize, bands: usize): void {
  let cur = x;
  for (let s = 0; s < BANDS; s++) {
    const next = (s & 1) == 0 ? PIX_C : PIX_D;
    smooth(cur, s, SMOOTH_AND_DETAIL, next, cur, 0, at(bands, s * NPIX));
    cur = next;
  }
}

/** out = Φᵀ(bands) for one group (Horner form); out must not be PIX_C or PIX_D. */
export function starletAdjointGroup(bands: usize, out: usize): void {
  const u0 = bands, u1 = at(bands, NPIX), u2 = at(bands, 2 * NPIX);
  // (a loop over the steps measured 1–3 % faster than three straight-line steps)
  for (let s = BANDS - 1; s >= 0; s--) {
    if (s == 2) smooth(u2, 2, A_MINUS_S_MINUS_B, PIX_C, u2, u1, 0);         // (I − S₂)u₂ − u₁
    else if (s == 1) smooth(PIX_C, 1, A_PLUS_S_MINUS_B, PIX_D, u1, u0, 0);  // q − u₀, q = u₁ + S₁(·)
    else smooth(PIX_D, 0, A_PLUS_S, out, u0, 0, 0);                         // u₀ + S₀(q − u₀)
  }
}
