// Per-pixel work of the low-rank and combined priors (ALGORITHM §10), in the lane =
// object group layout of plan.ts. The coupling of all objects (the SVD of the stack) is
// the driver's; here are the local halves of an iteration and the products it needs:
//   lowrankStep   x̃ = Pos(x − τ(g + y₂ [+ Φᵀy₁])),  ỹt = y₂ + σ_d(2x̃ − x),  x ← ρx̃ + (1 − ρ)x
//   sparseDual    the ℓ1 dual step of the combined prior on Φx̃ (prox.ts dualCell)
//   svtProject    ỹ = ỹt − U_r diag(c) U_rᵀ ỹt,  y₂ ← ρỹ + (1 − ρ)y₂   (c = 1: hard threshold)
//   gramObjects   G = MᵀM of object-major columns (the driver's N × N Gram)
//   pixelRows, gramFixed, fixedAdd, fixedSymmetric   the pixels' Gram Σ_i m_i m_iᵀ reduced
//                 over blocks of objects in exact fixed point (src/solver/pixel-gram.ts)
// Products that decide the rank are accumulated in float64.

import { NPIX, pixOf } from './plan';
import { BANDS } from './layout';
import { dualCell, low, high } from './prox';

/**
 * One pass over `groups` groups: x̃ → xt, ỹt → yt, x relaxed in place. g is the data
 * gradient Hᵀ(Hx − y); adj (if ≠ 0) is Φᵀy₁, added for the combined prior.
 */
export function lowrankStep(
  x: usize, g: usize, adj: usize, y2: usize, xt: usize, yt: usize, groups: i32,
  tau: f32, sigmaD: f32, rho: f32, positivity: bool,
): void {
  const vt = f32x4.splat(tau), vs = f32x4.splat(sigmaD), vr = f32x4.splat(rho), vq = f32x4.splat(<f32>1 - rho);
  const zero = f32x4.splat(0);
  const e = (<usize>groups * <usize>NPIX) << 4;
  for (let o: usize = 0; o < e; o += 16) {
    const xo = v128.load(x + o), y = v128.load(y2 + o);
    let grad = f32x4.add(v128.load(g + o), y);
    if (adj != 0) grad = f32x4.add(grad, v128.load(adj + o));
    let t = f32x4.sub(xo, f32x4.mul(vt, grad));
    if (positivity) t = f32x4.pmax(t, zero);
    v128.store(xt + o, t);
    v128.store(yt + o, f32x4.add(y, f32x4.mul(vs, f32x4.sub(f32x4.add(t, t), xo))));
    v128.store(x + o, f32x4.add(f32x4.mul(vr, t), f32x4.mul(vq, xo)));
  }
}

/** The ℓ1 dual step on `groups` groups' bands, with Φx̃ in phit and Φx carried in phix (see condat.ts). */
export function sparseDual(dual: usize, w: usize, phix: usize, phit: usize, groups: i32, sigma: f32, rho: f32): void {
  const vs = f32x4.splat(sigma), vr = f32x4.splat(rho), vq = f32x4.splat(<f32>1 - rho);
  const e = (<usize>groups * <usize>(BANDS * NPIX)) << 4;
  for (let o: usize = 0; o < e; o += 16) dualCell(dual + o, w + o, phix + o, v128.load(phit + o), vs, vr, vq);
}

/**
 * The low-rank dual step on `groups` groups: with U (NPIX × r, row-major float64, the
 * kept left singular vectors of M(ỹt)) and c (r float64 shrink factors),
 * a = diag(c) Uᵀ ỹt per object, ỹ = ỹt − U a, y₂ ← ρỹ + (1 − ρ)y₂. acc: r × 4 float64 scratch.
 */
export function svtProject(yt: usize, y2: usize, u: usize, c: usize, r: i32, groups: i32, rho: f32, acc: usize): void {
  const vr = f64x2.splat(<f64>rho), vq = f64x2.splat(<f64>1 - <f64>rho);
  const rowBytes = (<usize>r) << 3;
  for (let gi = 0; gi < groups; gi++) {
    const pt = pixOf(yt, gi), py = pixOf(y2, gi);
    memory.fill(acc, 0, rowBytes << 2);
    // a_k = Σ_p U[p, k] ỹt[p], float64, in pixel order
    for (let p = 0; p < NPIX; p++) {
      const v = v128.load(pt + ((<usize>p) << 4));
      const lo = low(v), hi = high(v);
      const up = u + <usize>p * rowBytes;
      for (let k = 0; k < r; k++) {
        const uk = f64x2.splat(load<f64>(up + ((<usize>k) << 3)));
        const ak = acc + ((<usize>k) << 5);
        v128.store(ak, f64x2.add(v128.load(ak), f64x2.mul(uk, lo)));
        v128.store(ak, f64x2.add(v128.load(ak, 16), f64x2.mul(uk, hi)), 16);
      }
    }
    for (let k = 0; k < r; k++) {
      const ck = f64x2.splat(load<f64>(c + ((<usize>k) << 3)));
      const ak = acc + ((<usize>k) << 5);
      v128.store(ak, f64x2.mul(ck, v128.load(ak)));
      v128.store(ak, f64x2.mul(ck, v128.load(ak, 16)), 16);
    }
    // ỹ = ỹt − U a;  y₂ ← ρỹ + (1 − ρ)y₂
    for (let p = 0; p < NPIX; p++) {
      const o = (<usize>p) << 4;
      const v = v128.load(pt + o);
      let lo = low(v), hi = high(v);
      const up = u + <usize>p * rowBytes;
      for (let k = 0; k < r; k++) {
        const uk = f64x2.splat(load<f64>(up + ((<usize>k) << 3)));
        const ak = acc + ((<usize>k) << 5);
        lo = f64x2.sub(lo, f64x2.mul(uk, v128.load(ak)));
        hi = f64x2.sub(hi, f64x2.mul(uk, v128.load(ak, 16)));
      }
      const y = v128.load(py + o);
      const ylo = low(y), yhi = high(y);
      const nlo = f64x2.add(f64x2.mul(vr, lo), f64x2.mul(vq, ylo));
      const nhi = f64x2.add(f64x2.mul(vr, hi), f64x2.mul(vq, yhi));
      const f = f32x4.demote_f64x2_zero(nlo), h = f32x4.demote_f64x2_zero(nhi);
      v128.store(py + o, v128.shuffle<f32>(f, h, 0, 1, 4, 5));
    }
  }
}

/**
 * out (n × n float64, row-major) = MᵀM for n object-major float32 columns of length p at
 * cols: out[i, j] = Σ_k cols[i, k] cols[j, k], products and sums in float64, pixels in
 * order (2 partial sums per entry, combined in a fixed order), so the result depends only
 * on the columns. Tiles of two rows i by four columns j share each load (bench/gram-ab.mts:
 * 0.77× the time of one row by four, the same bits).
 */
export function gramObjects(cols: usize, n: i32, p: i32, out: usize): void {
  gramLower(cols, n, p, out, false);
}

/**
 * The same Gram's lower triangle (entry (i, j ≤ i) at i(i + 1)/2 + j), each entry's
 * float64 sum added exactly to the 128-bit fixed-point accumulator `acc` (see fixedAdd).
 * Returns false if an entry was too large for it (|G[i, j]| ≥ 2⁶²: a diverged iteration).
 */
export function gramFixed(cols: usize, n: i32, p: i32, acc: usize): bool {
  fixedOverflow = false;
  gramLower(cols, n, p, acc, true);
  return !fixedOverflow;
}

function gramLower(cols: usize, n: i32, p: i32, out: usize, fixed: bool): void {
  const pb = (<usize>p) << 2;
  const body = (<usize>(p & ~3)) << 2;
  // Rows two at a time against four columns: each load of a column serves both rows. Every
  // entry keeps its own two partial sums in pixel order, so the tiling does not change a bit.
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const ci = cols + <usize>i * pb, cn = ci + pb;
    let j = 0;
    for (; j + 3 <= i; j += 4) {
      const c0 = cols + <usize>j * pb, c1 = c0 + pb, c2 = c1 + pb, c3 = c2 + pb;
      let a0 = f64x2.splat(0), b0 = f64x2.splat(0), a1 = f64x2.splat(0), b1 = f64x2.splat(0);
      let a2 = f64x2.splat(0), b2 = f64x2.splat(0), a3 = f64x2.splat(0), b3 = f64x2.splat(0);
      let d0 = f64x2.splat(0), e0 = f64x2.splat(0), d1 = f64x2.splat(0), e1 = f64x2.splat(0);
      let d2 = f64x2.splat(0), e2 = f64x2.splat(0), d3 = f64x2.splat(0), e3 = f64x2.splat(0);
      for (let o: usize = 0; o < body; o += 16) {
        const v = v128.load(ci + o), u = v128.load(cn + o);
        const lo = low(v), hi = high(v), ulo = low(u), uhi = high(u);
        let w = v128.load(c0 + o), wl = low(w), wh = high(w);
        a0 = mac(a0, lo, wl); b0 = mac(b0, hi, wh); d0 = mac(d0, ulo, wl); e0 = mac(e0, uhi, wh);
        w = v128.load(c1 + o); wl = low(w); wh = high(w);
        a1 = mac(a1, lo, wl); b1 = mac(b1, hi, wh); d1 = mac(d1, ulo, wl); e1 = mac(e1, uhi, wh);
        w = v128.load(c2 + o); wl = low(w); wh = high(w);
        a2 = mac(a2, lo, wl); b2 = mac(b2, hi, wh); d2 = mac(d2, ulo, wl); e2 = mac(e2, uhi, wh);
        w = v128.load(c3 + o); wl = low(w); wh = high(w);
        a3 = mac(a3, lo, wl); b3 = mac(b3, hi, wh); d3 = mac(d3, ulo, wl); e3 = mac(e3, uhi, wh);
      }
      gramStore(out, n, i, j, ci, c0, body, pb, a0, b0, fixed);
      gramStore(out, n, i, j + 1, ci, c1, body, pb, a1, b1, fixed);
      gramStore(out, n, i, j + 2, ci, c2, body, pb, a2, b2, fixed);
      gramStore(out, n, i, j + 3, ci, c3, body, pb, a3, b3, fixed);
      gramStore(out, n, i + 1, j, cn, c0, body, pb, d0, e0, fixed);
      gramStore(out, n, i + 1, j + 1, cn, c1, body, pb, d1, e1, fixed);
      gramStore(out, n, i + 1, j + 2, cn, c2, body, pb, d2, e2, fixed);
      gramStore(out, n, i + 1, j + 3, cn, c3, body, pb, d3, e3, fixed);
    }
    gramRow(cols, n, p, out, fixed, i, j);
    gramRow(cols, n, p, out, fixed, i + 1, j);
  }
  if (i < n) gramRow(cols, n, p, out, fixed, i, 0);
}

/** acc + x·w, lane by lane (float64: a multiply, then an add, as the oracles do). */
@inline function mac(acc: v128, x: v128, w: v128): v128 {
  return f64x2.add(acc, f64x2.mul(x, w));
}

/** Entries (i, j) for j from `from` to i: four columns at a time, then one. */
function gramRow(cols: usize, n: i32, p: i32, out: usize, fixed: bool, i: i32, from: i32): void {
  const pb = (<usize>p) << 2;
  const body = (<usize>(p & ~3)) << 2;
  const ci = cols + <usize>i * pb;
  let j = from;
  for (; j + 3 <= i; j += 4) {
    const c0 = cols + <usize>j * pb, c1 = c0 + pb, c2 = c1 + pb, c3 = c2 + pb;
    let a0 = f64x2.splat(0), b0 = f64x2.splat(0), a1 = f64x2.splat(0), b1 = f64x2.splat(0);
    let a2 = f64x2.splat(0), b2 = f64x2.splat(0), a3 = f64x2.splat(0), b3 = f64x2.splat(0);
    for (let o: usize = 0; o < body; o += 16) {
      const v = v128.load(ci + o);
      const lo = low(v), hi = high(v);
      let w = v128.load(c0 + o);
      a0 = f64x2.add(a0, f64x2.mul(lo, low(w)));
      b0 = f64x2.add(b0, f64x2.mul(hi, high(w)));
      w = v128.load(c1 + o);
      a1 = f64x2.add(a1, f64x2.mul(lo, low(w)));
      b1 = f64x2.add(b1, f64x2.mul(hi, high(w)));
      w = v128.load(c2 + o);
      a2 = f64x2.add(a2, f64x2.mul(lo, low(w)));
      b2 = f64x2.add(b2, f64x2.mul(hi, high(w)));
      w = v128.load(c3 + o);
      a3 = f64x2.add(a3, f64x2.mul(lo, low(w)));
      b3 = f64x2.add(b3, f64x2.mul(hi, high(w)));
    }
    gramStore(out, n, i, j, ci, c0, body, pb, a0, b0, fixed);
    gramStore(out, n, i, j + 1, ci, c1, body, pb, a1, b1, fixed);
    gramStore(out, n, i, j + 2, ci, c2, body, pb, a2, b2, fixed);
    gramStore(out, n, i, j + 3, ci, c3, body, pb, a3, b3, fixed);
  }
  for (; j <= i; j++) {
    const cj = cols + <usize>j * pb;
    let a0 = f64x2.splat(0), b0 = f64x2.splat(0);
    for (let o: usize = 0; o < body; o += 16) {
      const v = v128.load(ci + o), w = v128.load(cj + o);
      a0 = f64x2.add(a0, f64x2.mul(low(v), low(w)));
      b0 = f64x2.add(b0, f64x2.mul(high(v), high(w)));
    }
    gramStore(out, n, i, j, ci, cj, body, pb, a0, b0, fixed);
  }
}

/**
 * Combines an entry's partial sums in a fixed order, adds the last p mod 4 products, and
 * stores G[i, j] and G[j, i] (float64, n × n) or adds it to entry i(i + 1)/2 + j of a
 * fixed-point accumulator.
 */
@inline function gramStore(out: usize, n: i32, i: i32, j: i32, ci: usize, cj: usize, body: usize, pb: usize, a: v128, b: v128, fixed: bool): void {
  const s = f64x2.add(a, b);
  let t = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  for (let o = body; o < pb; o += 4) t += <f64>load<f32>(ci + o) * <f64>load<f32>(cj + o);
  if (fixed) {
    fixedAddValue(out + ((((<usize>i * (<usize>i + 1)) >> 1) + <usize>j) << 4), t);
    return;
  }
  store<f64>(out + ((<usize>i * <usize>n + <usize>j) << 3), t);
  store<f64>(out + ((<usize>j * <usize>n + <usize>i) << 3), t);
}

// Exact, order-free sums of float64 values (the pixel Gram's partial sums over blocks of
// objects, so the total cannot depend on the partitioning): 128-bit fixed point, one
// entry = (lo: u64, hi: i64) = hi + lo·2⁻⁶⁴, two's complement with the carry from lo to
// hi. A value is rounded once, down to a multiple of 2⁻⁶⁴; integer sums are exact in any
// order while |total| < 2⁶³.

let fixedOverflow = false;
const TWO64: f64 = 18446744073709551616.0;
const LIMIT: f64 = 4611686018427387904.0; // 2⁶²

/** Adds one float64 value to the entry at `at`. */
@inline function fixedAddValue(at: usize, t: f64): void {
  if (!(Math.abs(t) < LIMIT)) {
    fixedOverflow = true;
    return;
  }
  const whole = Math.floor(t);
  const lo = <u64>((t - whole) * TWO64); // t − ⌊t⌋ ∈ [0, 1) is exact
  addEntry(at, lo, <i64>whole);
}

@inline function addEntry(at: usize, lo: u64, hi: i64): void {
  const a = load<u64>(at);
  const s = a + lo;
  store<u64>(at, s);
  store<i64>(at, load<i64>(at, 8) + hi + <i64>(s < a), 8);
}

/** acc[k] += src[k] for `count` fixed-point entries (exact). */
export function fixedAdd(acc: usize, src: usize, count: i32): void {
  const e = (<usize>count) << 4;
  for (let o: usize = 0; o < e; o += 16) addEntry(acc + o, load<u64>(src + o), load<i64>(src + o, 8));
}

/** The n × n symmetric float64 matrix of a fixed-point lower triangle (entry (i, j) at i(i + 1)/2 + j). */
export function fixedSymmetric(acc: usize, n: i32, out: usize): void {
  let at = acc;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++, at += 16) {
      const v = <f64>load<i64>(at, 8) + <f64>load<u64>(at) / TWO64;
      store<f64>(out + ((<usize>i * <usize>n + <usize>j) << 3), v);
      store<f64>(out + ((<usize>j * <usize>n + <usize>i) << 3), v);
    }
  }
}

/**
 * Pixel-major rows of `groups` groups of images in the group layout (src: the first
 * group): rows[p, 4g + l] = object 4g + l's pixel p (row length 4·groups, float32), 0
 * for lanes at or past `count` objects, so padding lanes add nothing to a Gram.
 */
export function pixelRows(src: usize, groups: i32, count: i32, rows: usize): void {
  const rowBytes = (<usize>groups) << 4;
  const pix = <usize>NPIX << 4;
  for (let g = 0; g < groups; g++) {
    const lanes = min(count - (g << 2), 4);
    const keep = i32x4.lt_s(i32x4(0, 1, 2, 3), i32x4.splat(lanes));
    const from = src + <usize>g * pix;
    const to = rows + ((<usize>g) << 4);
    for (let p = 0; p < NPIX; p++) {
      v128.store(to + <usize>p * rowBytes, v128.and(v128.load(from + ((<usize>p) << 4)), keep));
    }
  }
}

// The O(n³) loops of the Householder tridiagonalisation (src/solver/eigen.ts, tred2 on
// the transposed matrix: row j holds what JAMA keeps in column j), float64, for step i of
// the reduction. v is n × n row-major, d and e length n.

/** e = A·d on the leading i × i block (its upper triangle), and row i ← d (the reflection's vector). */
export function tridiagSymv(v: usize, n: i32, i: i32, d: usize, e: usize): void {
  const rowBytes = (<usize>n) << 3;
  for (let j = 0; j < i; j++) {
    const jb = (<usize>j) << 3;
    const row = v + <usize>j * rowBytes;
    const f = load<f64>(d + jb);
    store<f64>(v + <usize>i * rowBytes + jb, f);
    let g = load<f64>(e + jb) + load<f64>(row + jb) * f;
    const vf = f64x2.splat(f);
    let acc = f64x2.splat(0);
    let k = j + 1;
    for (; k + 1 < i; k += 2) {
      const kb = (<usize>k) << 3;
      const a = v128.load(row + kb);
      acc = f64x2.add(acc, f64x2.mul(a, v128.load(d + kb)));
      v128.store(e + kb, f64x2.add(v128.load(e + kb), f64x2.mul(a, vf)));
    }
    g += f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
    for (; k < i; k++) {
      const kb = (<usize>k) << 3;
      const a = load<f64>(row + kb);
      g += a * load<f64>(d + kb);
      store<f64>(e + kb, load<f64>(e + kb) + a * f);
    }
    store<f64>(e + jb, g);
  }
}

/** A ← A − d eᵀ − e dᵀ on the leading i × i block (upper triangle); d[j] ← A[j, i−1], A[j, i] ← 0. */
export function tridiagRank2(v: usize, n: i32, i: i32, d: usize, e: usize): void {
  const rowBytes = (<usize>n) << 3;
  for (let j = 0; j < i; j++) {
    const jb = (<usize>j) << 3;
    const row = v + <usize>j * rowBytes;
    const f = load<f64>(d + jb), g = load<f64>(e + jb);
    const vf = f64x2.splat(f), vg = f64x2.splat(g);
    let k = j;
    for (; k + 1 < i; k += 2) {
      const kb = (<usize>k) << 3;
      const upd = f64x2.add(f64x2.mul(vf, v128.load(e + kb)), f64x2.mul(vg, v128.load(d + kb)));
      v128.store(row + kb, f64x2.sub(v128.load(row + kb), upd));
    }
    for (; k < i; k++) {
      const kb = (<usize>k) << 3;
      store<f64>(row + kb, load<f64>(row + kb) - (f * load<f64>(e + kb) + g * load<f64>(d + kb)));
    }
    store<f64>(d + jb, load<f64>(row + (((<usize>i) - 1) << 3)));
    store<f64>(row + ((<usize>i) << 3), 0);
  }
}
