// The 41-point DFT (the production stamp size) as a fused Rader transform in three passes
// over a set of lines, instead of the generic plan's five (fft.ts: two stages forward, the
// x0 fix-up, two stages back) plus the separate tangle/untangle passes of dft.ts.
//
// Rader: with g a primitive root of 41, a[q] = x[g^−q], b[m] = ω^{g^m} (ω = e^{−2πi/41}),
// X[g^m] = x0 + (a ⊛ b)[m] and X[0] = x0 + Σ a. The length-40 cyclic convolution is a 2-D
// 8 × 5 cyclic convolution under the CRT map q ↔ (q mod 8, q mod 5) (φ(u, v) = 25u + 16v
// mod 40), done as
//   P1: DFT8 along u of the gathered a (5 butterflies, one per v),
//   P2: per k8, DFT5 along v, times K[k8][k5] = (2-D DFT of b)/40, inverse DFT5 (8 butterflies),
//       with X[0] = x0 + A[0][0] and C[0][0] += x0 (which adds x0 to every output),
//   P3: inverse DFT8 along k8 and scatter to X[g^φ(u, v)] (5 butterflies).
// The 8 × 5 split has no twiddles, and P2 keeps a line in registers between its two DFT5s.
// Inverse DFTs use IDFT(z) = swap(DFT(swap(z))) (re ↔ im), which costs nothing.
//
// φ(u + 4, v) = φ(u, v) + 20 and g^20 = −1: the inputs u, u + 4 of a P1 butterfly are the
// mirror elements e, 41 − e, and so are the outputs u, u + 4 of a P3 butterfly. For the
// row pass (two real rows as one complex line z = x_2p + i·x_2p+1) this lets P3 separate
// the two half spectra inside its last radix-2 layer (untangle) and lets the inverse P1
// build the Hermitian lines inside its first radix-2 layer (tangle), for free.
//
// P2's butterflies k8 = 0 and 4 have a real 5-point kernel (K Hermitian in k5), so their
// real and imaginary parts are convolved separately with real coefficients (p2Half).
//
// Lines: line b of a pass starts at base + tab[b] (byte offsets, one u32 per line; P2 and
// the generic passes take two per line, the "re" and "im" places). The odd last row of an
// odd-height image is a line built in scratch: its row copied to SCR_P / SCR_S, whose
// second row is zeros, and its output written to SCR_O and copied back. Work layout:
// W + b·1280 + (k8·5 + v)·32, so a butterfly's elements sit at immediate offsets from one
// pointer. The innermost loop is over lines, with loop-invariant values (K, constants)
// read before it. The P1 / P3 passes of the 41 × 41 geometry (row strides 41·16 and 21·32)
// are generated with literal element offsets (scripts/gen-r41.mjs); p1Gather / p3Scatter are the
// same passes for other column strides (41 × nx stamps, nx ≠ 40, 41).

import { powMod, primitiveRoot } from './fft';
import {
  p1RowsL, p1ColsL, p1ColsIL, p1TangleL, p3ColsL, p3ColsIL, p3RowsIL, p3UntangleL,
} from './r41.generated';

export const RN: i32 = 41;
export const LSTR: usize = 1280; // bytes per line in W: 40 complex
const PROW: usize = 41 * 16; // a pixel row
const SROW: usize = 21 * 32; // a half-spectrum row

let mem: usize = 0;
/** Element maps (i32): GATHER[v·8 + u] = g^−φ(u,v) mod 41, SCATTER[v·8 + u] = g^φ(u,v) mod 41. */
let GATHER: usize = 0;
let SCATTER: usize = 0;
let OFFS: usize = 0; // the map of the current pass times its element stride
/** K[k8·5 + k5] (re, im splatted) and the same times `kscale` (row-inverse pass). */
let KT0: usize = 0;
let KTS: usize = 0;
// Row scratch for the odd last row: a pixel row then zeros, a spectrum row then zeros (the
// tails are never written), and a two-row output.
let SCR_P: usize = 0;
let SCR_S: usize = 0;
let SCR_O: usize = 0;
export let W: usize = 0;    // work lines
// Line tables: TAB_S / TAB_D one u32 per line (generated passes), TAB_X / TAB_Y two (P2,
// generic passes): byte offsets from the pass's base.
let TAB_S: usize = 0;
let TAB_D: usize = 0;
let TAB_X: usize = 0;
let TAB_Y: usize = 0;
export let R41X: bool = false; // rows (length NX) use this path
export let R41Y: bool = false; // columns (length NY) use this path

/** Tables for ny × nx stamps (only if a side is 41). kscale: factor of the KTS kernel. */
export function configureR41(ny: i32, nx: i32, kscale: f64): void {
  if (mem != 0) { heap.free(mem); mem = 0; }
  R41X = nx == RN;
  R41Y = ny == RN;
  if (!R41X && !R41Y) return;
  const maxLines = max((ny + 1) >> 1, (nx >> 1) + 1);
  const tab: usize = ((<usize>(maxLines + 1)) << 3) + 16;
  const bytes: usize = 16 + 160 * 3 + 1280 * 2 + SROW * 6 + <usize>maxLines * LSTR + tab * 4;
  mem = heap.alloc(bytes);
  let p = (mem + 15) & ~(<usize>15);
  GATHER = p; p += 160;
  SCATTER = p; p += 160;
  OFFS = p; p += 160;
  KT0 = p; p += 1280;
  KTS = p; p += 1280;
  SCR_P = p; p += SROW * 2;
  SCR_S = p; p += SROW * 2;
  SCR_O = p; p += SROW * 2;
  memory.fill(SCR_P, 0, SROW * 4);
  W = p; p += <usize>maxLines * LSTR;
  TAB_S = p; p += tab & ~(<usize>15);
  TAB_D = p; p += tab & ~(<usize>15);
  TAB_X = p; p += tab & ~(<usize>15);
  TAB_Y = p;
  // the smallest primitive root, as scripts/gen-r41.mjs chooses it for the generated passes
  const g = primitiveRoot(RN);
  const ginv = powMod(g, RN - 2, RN);
  for (let v = 0; v < 5; v++) {
    for (let u = 0; u < 8; u++) {
      const q = (25 * u + 16 * v) % 40;
      store<i32>(GATHER + (<usize>(v * 8 + u) << 2), powMod(ginv, q, RN));
      store<i32>(SCATTER + (<usize>(v * 8 + u) << 2), powMod(g, q, RN));
    }
  }
  for (let k8 = 0; k8 < 8; k8++) {
    for (let k5 = 0; k5 < 5; k5++) {
      let re = 0.0, im = 0.0;
      for (let m = 0; m < 40; m++) {
        const a = -2.0 * Math.PI * <f64>powMod(g, m, RN) / <f64>RN
          - 2.0 * Math.PI * <f64>((m * k8) % 8) / 8.0
          - 2.0 * Math.PI * <f64>((m * k5) % 5) / 5.0;
        re += Math.cos(a);
        im += Math.sin(a);
      }
      const o: usize = <usize>(k8 * 5 + k5) << 5;
      v128.store(KT0 + o, f32x4.splat(<f32>(re / 40.0)));
      v128.store(KT0 + o, f32x4.splat(<f32>(im / 40.0)), 16);
      v128.store(KTS + o, f32x4.splat(<f32>(re * kscale / 40.0)));
      v128.store(KTS + o, f32x4.splat(<f32>(im * kscale / 40.0)), 16);
    }
  }
}

/** Line table entry b: (re place, im place), byte offsets from base. */
@inline function setLine(tab: usize, b: i32, re: usize, im: usize): void {
  store<u32>(tab + (<usize>b << 3), <u32>re);
  store<u32>(tab + (<usize>b << 3), <u32>im, 4);
}

export const H8: f32 = 0.7071067811865476;
const KAPPA: f32 = 0.5590169943749475; // (cos 2π/5 − cos 4π/5)/2
const S51: f32 = 0.9510565162951535;   // sin 2π/5
const S52: f32 = 0.5877852522924732;   // sin 4π/5

// ---------------------------------------------------------------------------------------
// Generic P1 / P3 (any column stride): element e of line b at base + tab[b].re|im + e·es.
// P1: DFT8 along u of the gathered elements, to W.

function p1Gather(src: usize, tab: usize, es: usize, nb: i32): void {
  const h = f32x4.splat(H8);
  for (let i = 0; i < 40; i++) store<u32>(OFFS + (<usize>i << 2), <u32>(<usize>load<i32>(GATHER + (<usize>i << 2)) * es));
  for (let v = 0; v < 5; v++) {
    // Offsets precomputed (products of a map and es here would be sunk into the loop).
    const om = OFFS + (<usize>(v * 8) << 2);
    const o0 = <usize>load<u32>(om), o1 = <usize>load<u32>(om, 4), o2 = <usize>load<u32>(om, 8);
    const o3 = <usize>load<u32>(om, 12), o4 = <usize>load<u32>(om, 16), o5 = <usize>load<u32>(om, 20);
    const o6 = <usize>load<u32>(om, 24), o7 = <usize>load<u32>(om, 28);
    let w = W + (<usize>v << 5);
    let t = tab;
    for (let b = 0; b < nb; b++) {
      const pr = src + <usize>load<u32>(t), pi = src + <usize>load<u32>(t, 4);
      // even outputs: b_n = a_n + a_{n+4}
      const b0r = f32x4.add(v128.load(pr + o0), v128.load(pr + o4));
      const b0i = f32x4.add(v128.load(pi + o0), v128.load(pi + o4));
      const b2r = f32x4.add(v128.load(pr + o2), v128.load(pr + o6));
      const b2i = f32x4.add(v128.load(pi + o2), v128.load(pi + o6));
      const s0r = f32x4.add(b0r, b2r), s0i = f32x4.add(b0i, b2i);
      const d0r = f32x4.sub(b0r, b2r), d0i = f32x4.sub(b0i, b2i);
      const b1r = f32x4.add(v128.load(pr + o1), v128.load(pr + o5));
      const b1i = f32x4.add(v128.load(pi + o1), v128.load(pi + o5));
      const b3r = f32x4.add(v128.load(pr + o3), v128.load(pr + o7));
      const b3i = f32x4.add(v128.load(pi + o3), v128.load(pi + o7));
      const s1r = f32x4.add(b1r, b3r), s1i = f32x4.add(b1i, b3i);
      const d1r = f32x4.sub(b1r, b3r), d1i = f32x4.sub(b1i, b3i);
      v128.store(w, f32x4.add(s0r, s1r)); v128.store(w, f32x4.add(s0i, s1i), 16);
      v128.store(w, f32x4.sub(s0r, s1r), 640); v128.store(w, f32x4.sub(s0i, s1i), 656);
      v128.store(w, f32x4.add(d0r, d1i), 320); v128.store(w, f32x4.sub(d0i, d1r), 336);
      v128.store(w, f32x4.sub(d0r, d1i), 960); v128.store(w, f32x4.add(d0i, d1r), 976);
      // odd outputs: c_n = (a_n − a_{n+4})·ω8^n
      const e0r = f32x4.sub(v128.load(pr + o0), v128.load(pr + o4));
      const e0i = f32x4.sub(v128.load(pi + o0), v128.load(pi + o4));
      const e2r = f32x4.sub(v128.load(pr + o2), v128.load(pr + o6));
      const e2i = f32x4.sub(v128.load(pi + o2), v128.load(pi + o6));
      const t0r = f32x4.add(e0r, e2i), t0i = f32x4.sub(e0i, e2r); // c0 + c2, c2 = −i e2
      const u0r = f32x4.sub(e0r, e2i), u0i = f32x4.add(e0i, e2r); // c0 − c2
      const e1r = f32x4.sub(v128.load(pr + o1), v128.load(pr + o5));
      const e1i = f32x4.sub(v128.load(pi + o1), v128.load(pi + o5));
      const e3r = f32x4.sub(v128.load(pr + o3), v128.load(pr + o7));
      const e3i = f32x4.sub(v128.load(pi + o3), v128.load(pi + o7));
      const p1 = f32x4.mul(h, f32x4.add(e1r, e1i)), q1 = f32x4.mul(h, f32x4.sub(e1i, e1r)); // c1
      const p3 = f32x4.mul(h, f32x4.sub(e3i, e3r)), m3 = f32x4.mul(h, f32x4.add(e3r, e3i)); // c3 = (p3, −m3)
      const t1r = f32x4.add(p1, p3), t1i = f32x4.sub(q1, m3);
      const u1r = f32x4.sub(p1, p3), u1i = f32x4.add(q1, m3);
      v128.store(w, f32x4.add(t0r, t1r), 160); v128.store(w, f32x4.add(t0i, t1i), 176);
      v128.store(w, f32x4.sub(t0r, t1r), 800); v128.store(w, f32x4.sub(t0i, t1i), 816);
      v128.store(w, f32x4.add(u0r, u1i), 480); v128.store(w, f32x4.sub(u0i, u1r), 496);
      v128.store(w, f32x4.sub(u0r, u1i), 1120); v128.store(w, f32x4.add(u0i, u1r), 1136);
      w += LSTR;
      t += 8;
    }
  }
}

// ---------------------------------------------------------------------------------------
// P2: DFT5 along v, ×K, inverse DFT5, in place; p2Loop is one butterfly (k8 ≠ 0, 4) on
// all lines.

@inline function p2Loop(w: usize, nb: i32, k: usize): void {
  const k0r = v128.load(k), k0i = v128.load(k, 16), k1r = v128.load(k, 32), k1i = v128.load(k, 48);
  const k2r = v128.load(k, 64), k2i = v128.load(k, 80), k3r = v128.load(k, 96), k3i = v128.load(k, 112);
  const k4r = v128.load(k, 128), k4i = v128.load(k, 144);
  const qq = f32x4.splat(0.25), kap = f32x4.splat(KAPPA), s1 = f32x4.splat(S51), s2 = f32x4.splat(S52);
  for (let b = 0; b < nb; b++) {
    // forward DFT5
    const a1r = v128.load(w, 32), a1i = v128.load(w, 48), a4r = v128.load(w, 128), a4i = v128.load(w, 144);
    const t1r = f32x4.add(a1r, a4r), t1i = f32x4.add(a1i, a4i);
    const t3r = f32x4.sub(a1r, a4r), t3i = f32x4.sub(a1i, a4i);
    const a2r = v128.load(w, 64), a2i = v128.load(w, 80), a3r = v128.load(w, 96), a3i = v128.load(w, 112);
    const t2r = f32x4.add(a2r, a3r), t2i = f32x4.add(a2i, a3i);
    const t4r = f32x4.sub(a2r, a3r), t4i = f32x4.sub(a2i, a3i);
    const a0r = v128.load(w), a0i = v128.load(w, 16);
    const sr = f32x4.add(t1r, t2r), si = f32x4.add(t1i, t2i);
    const y0r = f32x4.add(a0r, sr), y0i = f32x4.add(a0i, si);
    const mr = f32x4.sub(a0r, f32x4.mul(qq, sr)), mi = f32x4.sub(a0i, f32x4.mul(qq, si));
    const er = f32x4.mul(kap, f32x4.sub(t1r, t2r)), ei = f32x4.mul(kap, f32x4.sub(t1i, t2i));
    const b1r = f32x4.add(mr, er), b1i = f32x4.add(mi, ei);
    const b2r = f32x4.sub(mr, er), b2i = f32x4.sub(mi, ei);
    const d1r = f32x4.add(f32x4.mul(s1, t3r), f32x4.mul(s2, t4r));
    const d1i = f32x4.add(f32x4.mul(s1, t3i), f32x4.mul(s2, t4i));
    const d2r = f32x4.sub(f32x4.mul(s2, t3r), f32x4.mul(s1, t4r));
    const d2i = f32x4.sub(f32x4.mul(s2, t3i), f32x4.mul(s1, t4i));
    // y1 = b1 − i d1, y4 = b1 + i d1; times K; T1 = z1 + z4, T3 = z1 − z4
    let yr = f32x4.add(b1r, d1i), yi = f32x4.sub(b1i, d1r);
    const z1r = f32x4.sub(f32x4.mul(yr, k1r), f32x4.mul(yi, k1i));
    const z1i = f32x4.add(f32x4.mul(yr, k1i), f32x4.mul(yi, k1r));
    yr = f32x4.sub(b1r, d1i); yi = f32x4.add(b1i, d1r);
    const z4r = f32x4.sub(f32x4.mul(yr, k4r), f32x4.mul(yi, k4i));
    const z4i = f32x4.add(f32x4.mul(yr, k4i), f32x4.mul(yi, k4r));
    const T1r = f32x4.add(z1r, z4r), T1i = f32x4.add(z1i, z4i);
    const T3r = f32x4.sub(z1r, z4r), T3i = f32x4.sub(z1i, z4i);
    yr = f32x4.add(b2r, d2i); yi = f32x4.sub(b2i, d2r);
    const z2r = f32x4.sub(f32x4.mul(yr, k2r), f32x4.mul(yi, k2i));
    const z2i = f32x4.add(f32x4.mul(yr, k2i), f32x4.mul(yi, k2r));
    yr = f32x4.sub(b2r, d2i); yi = f32x4.add(b2i, d2r);
    const z3r = f32x4.sub(f32x4.mul(yr, k3r), f32x4.mul(yi, k3i));
    const z3i = f32x4.add(f32x4.mul(yr, k3i), f32x4.mul(yi, k3r));
    const T2r = f32x4.add(z2r, z3r), T2i = f32x4.add(z2i, z3i);
    const T4r = f32x4.sub(z2r, z3r), T4i = f32x4.sub(z2i, z3i);
    const z0r = f32x4.sub(f32x4.mul(y0r, k0r), f32x4.mul(y0i, k0i));
    const z0i = f32x4.add(f32x4.mul(y0r, k0i), f32x4.mul(y0i, k0r));
    // w_k = B ± i D: the forward signs of the sine terms flipped
    const Sr = f32x4.add(T1r, T2r), Si = f32x4.add(T1i, T2i);
    v128.store(w, f32x4.add(z0r, Sr)); v128.store(w, f32x4.add(z0i, Si), 16);
    const Mr = f32x4.sub(z0r, f32x4.mul(qq, Sr)), Mi = f32x4.sub(z0i, f32x4.mul(qq, Si));
    const Er = f32x4.mul(kap, f32x4.sub(T1r, T2r)), Ei = f32x4.mul(kap, f32x4.sub(T1i, T2i));
    const B1r = f32x4.add(Mr, Er), B1i = f32x4.add(Mi, Ei);
    const D1r = f32x4.add(f32x4.mul(s1, T3r), f32x4.mul(s2, T4r));
    const D1i = f32x4.add(f32x4.mul(s1, T3i), f32x4.mul(s2, T4i));
    v128.store(w, f32x4.sub(B1r, D1i), 32); v128.store(w, f32x4.add(B1i, D1r), 48);
    v128.store(w, f32x4.add(B1r, D1i), 128); v128.store(w, f32x4.sub(B1i, D1r), 144);
    const B2r = f32x4.sub(Mr, Er), B2i = f32x4.sub(Mi, Ei);
    const D2r = f32x4.sub(f32x4.mul(s2, T3r), f32x4.mul(s1, T4r));
    const D2i = f32x4.sub(f32x4.mul(s2, T3i), f32x4.mul(s1, T4i));
    v128.store(w, f32x4.sub(B2r, D2i), 64); v128.store(w, f32x4.add(B2i, D2r), 80);
    v128.store(w, f32x4.add(B2r, D2i), 96); v128.store(w, f32x4.sub(B2i, D2r), 112);
    w += LSTR;
  }
}

/**
 * The k8 = 0 and k8 = 4 butterflies: there K[k8][−k5] = conj K[k8][k5] (b[m + 20] =
 * conj b[m], and m + 20 ↔ (u + 4, v)), so the 5-point convolution has a real kernel and
 * the real and imaginary parts go separately, each with real coefficients: T1 = α1·b1 +
 * β1·d1, T3 = i·(β1·b1 − α1·d1) (α = 2 Re K, β = 2 Im K; likewise T2, T4 from b2, d2
 * and K2) and z0 = K0·y0, K0 real. One component (re: c = 0, im: c = 16) per call.
 * X0 (k8 = 0) also writes X[0] = α·x0 + β·A[0] (x0 of line b at x0src + x0tab[b].re|im;
 * X[0] to dst + dtab[b].re|im, zeroing the imaginary slot at +16 if ZI) and adds α·x0 to
 * C[0], which adds it to every output.
 */
@inline function p2Half(
  w: usize, nb: i32, k: usize, c: usize, X0: bool, ZI: bool,
  x0src: usize, x0tab: usize, alpha: v128, beta: v128, dst: usize, dtab: usize,
): void {
  const k0 = v128.load(k);
  const al1 = f32x4.add(v128.load(k, 32), v128.load(k, 32)), be1 = f32x4.add(v128.load(k, 48), v128.load(k, 48));
  const al2 = f32x4.add(v128.load(k, 64), v128.load(k, 64)), be2 = f32x4.add(v128.load(k, 80), v128.load(k, 80));
  const qq = f32x4.splat(0.25), kap = f32x4.splat(KAPPA), s1 = f32x4.splat(S51), s2 = f32x4.splat(S52);
  let p = w + c, t = x0tab + (c >> 2), td = dtab + (c >> 2);
  for (let b = 0; b < nb; b++) {
    const a1 = v128.load(p, 32), a4 = v128.load(p, 128), a2 = v128.load(p, 64), a3 = v128.load(p, 96);
    const t1 = f32x4.add(a1, a4), t3 = f32x4.sub(a1, a4), t2 = f32x4.add(a2, a3), t4 = f32x4.sub(a2, a3);
    const a0 = v128.load(p);
    const sm = f32x4.add(t1, t2);
    const y0 = f32x4.add(a0, sm);
    const m = f32x4.sub(a0, f32x4.mul(qq, sm)), e = f32x4.mul(kap, f32x4.sub(t1, t2));
    const b1 = f32x4.add(m, e), b2 = f32x4.sub(m, e);
    const d1 = f32x4.add(f32x4.mul(s1, t3), f32x4.mul(s2, t4));
    const d2 = f32x4.sub(f32x4.mul(s2, t3), f32x4.mul(s1, t4));
    const T1 = f32x4.add(f32x4.mul(al1, b1), f32x4.mul(be1, d1));
    const U3 = f32x4.sub(f32x4.mul(be1, b1), f32x4.mul(al1, d1)); // T3 = i·U3
    const T2 = f32x4.add(f32x4.mul(al2, b2), f32x4.mul(be2, d2));
    const U4 = f32x4.sub(f32x4.mul(be2, b2), f32x4.mul(al2, d2)); // T4 = i·U4
    let z0 = f32x4.mul(k0, y0);
    if (X0) {
      const x0 = f32x4.mul(alpha, v128.load(x0src + <usize>load<u32>(t)));
      const pd = dst + <usize>load<u32>(td);
      v128.store(pd, f32x4.add(x0, f32x4.mul(beta, y0)));
      if (ZI) v128.store(pd, f32x4.splat(0), 16);
      z0 = f32x4.add(z0, x0);
      t += 8;
      td += 8;
    }
    const S = f32x4.add(T1, T2);
    v128.store(p, f32x4.add(z0, S));
    const M = f32x4.sub(z0, f32x4.mul(qq, S)), E = f32x4.mul(kap, f32x4.sub(T1, T2));
    const B1 = f32x4.add(M, E), B2 = f32x4.sub(M, E);
    // D1 = i·(s1·U3 + s2·U4), D2 = i·(s2·U3 − s1·U4); w1,4 = B1 ± i·D1, w2,3 = B2 ± i·D2
    const V1 = f32x4.add(f32x4.mul(s1, U3), f32x4.mul(s2, U4));
    const V2 = f32x4.sub(f32x4.mul(s2, U3), f32x4.mul(s1, U4));
    v128.store(p, f32x4.sub(B1, V1), 32); v128.store(p, f32x4.add(B1, V1), 128);
    v128.store(p, f32x4.sub(B2, V2), 64); v128.store(p, f32x4.add(B2, V2), 96);
    p += LSTR;
  }
}

function p2(
  nb: i32, kt: usize, ZI: bool, x0src: usize, x0tab: usize, alpha: f32, beta: f32, dst: usize, dtab: usize,
): void {
  const al = f32x4.splat(alpha), be = f32x4.splat(beta);
  for (let c: usize = 0; c < 32; c += 16) {
    if (ZI) p2Half(W, nb, kt, c, true, true, x0src, x0tab, al, be, dst, dtab);
    else p2Half(W, nb, kt, c, true, false, x0src, x0tab, al, be, dst, dtab);
    p2Half(W + 640, nb, kt + 640, c, false, false, 0, 0, al, be, 0, 0);
  }
  for (let k8 = 1; k8 < 8; k8++) {
    if (k8 != 4) p2Loop(W + <usize>k8 * 160, nb, kt + <usize>k8 * 160);
  }
}

// ---------------------------------------------------------------------------------------
// P3: inverse DFT8 along k8 (forward DFT8 of the swapped values), in two halves.

/** Generic: X[e] of line b to dst + dtab[b].re|im + e·es. */
/** P3: inverse DFT8 along k8 (the forward DFT8 of swapped values) and scatter, swapped back. */
function p3Scatter(dst: usize, tab: usize, es: usize, nb: i32): void {
  const h = f32x4.splat(H8);
  for (let i = 0; i < 40; i++) store<u32>(OFFS + (<usize>i << 2), <u32>(<usize>load<i32>(SCATTER + (<usize>i << 2)) * es));
  for (let v = 0; v < 5; v++) {
    // Offsets precomputed (products of a map and es here would be sunk into the loop).
    const om = OFFS + (<usize>(v * 8) << 2);
    const o0 = <usize>load<u32>(om), o1 = <usize>load<u32>(om, 4), o2 = <usize>load<u32>(om, 8);
    const o3 = <usize>load<u32>(om, 12), o4 = <usize>load<u32>(om, 16), o5 = <usize>load<u32>(om, 20);
    const o6 = <usize>load<u32>(om, 24), o7 = <usize>load<u32>(om, 28);
    let w = W + (<usize>v << 5);
    let t = tab;
    for (let b = 0; b < nb; b++) {
      const pr = dst + <usize>load<u32>(t), pi = dst + <usize>load<u32>(t, 4);
      // swapped inputs: re ← im
      const b0r = f32x4.add(v128.load(w, 16), v128.load(w, 656)), b0i = f32x4.add(v128.load(w), v128.load(w, 640));
      const b2r = f32x4.add(v128.load(w, 336), v128.load(w, 976)), b2i = f32x4.add(v128.load(w, 320), v128.load(w, 960));
      const s0r = f32x4.add(b0r, b2r), s0i = f32x4.add(b0i, b2i);
      const d0r = f32x4.sub(b0r, b2r), d0i = f32x4.sub(b0i, b2i);
      const b1r = f32x4.add(v128.load(w, 176), v128.load(w, 816)), b1i = f32x4.add(v128.load(w, 160), v128.load(w, 800));
      const b3r = f32x4.add(v128.load(w, 496), v128.load(w, 1136)), b3i = f32x4.add(v128.load(w, 480), v128.load(w, 1120));
      const s1r = f32x4.add(b1r, b3r), s1i = f32x4.add(b1i, b3i);
      const d1r = f32x4.sub(b1r, b3r), d1i = f32x4.sub(b1i, b3i);
      // outputs swapped back: X.re = y.im, X.im = y.re
      v128.store(pr + o0, f32x4.add(s0i, s1i)); v128.store(pi + o0, f32x4.add(s0r, s1r));
      v128.store(pr + o4, f32x4.sub(s0i, s1i)); v128.store(pi + o4, f32x4.sub(s0r, s1r));
      v128.store(pr + o2, f32x4.sub(d0i, d1r)); v128.store(pi + o2, f32x4.add(d0r, d1i));
      v128.store(pr + o6, f32x4.add(d0i, d1r)); v128.store(pi + o6, f32x4.sub(d0r, d1i));
      const e0r = f32x4.sub(v128.load(w, 16), v128.load(w, 656)), e0i = f32x4.sub(v128.load(w), v128.load(w, 640));
      const e2r = f32x4.sub(v128.load(w, 336), v128.load(w, 976)), e2i = f32x4.sub(v128.load(w, 320), v128.load(w, 960));
      const t0r = f32x4.add(e0r, e2i), t0i = f32x4.sub(e0i, e2r);
      const u0r = f32x4.sub(e0r, e2i), u0i = f32x4.add(e0i, e2r);
      const e1r = f32x4.sub(v128.load(w, 176), v128.load(w, 816)), e1i = f32x4.sub(v128.load(w, 160), v128.load(w, 800));
      const e3r = f32x4.sub(v128.load(w, 496), v128.load(w, 1136)), e3i = f32x4.sub(v128.load(w, 480), v128.load(w, 1120));
      const p1 = f32x4.mul(h, f32x4.add(e1r, e1i)), q1 = f32x4.mul(h, f32x4.sub(e1i, e1r));
      const p3 = f32x4.mul(h, f32x4.sub(e3i, e3r)), m3 = f32x4.mul(h, f32x4.add(e3r, e3i));
      const t1r = f32x4.add(p1, p3), t1i = f32x4.sub(q1, m3);
      const u1r = f32x4.sub(p1, p3), u1i = f32x4.add(q1, m3);
      v128.store(pr + o1, f32x4.add(t0i, t1i)); v128.store(pi + o1, f32x4.add(t0r, t1r));
      v128.store(pr + o5, f32x4.sub(t0i, t1i)); v128.store(pi + o5, f32x4.sub(t0r, t1r));
      v128.store(pr + o3, f32x4.sub(u0i, u1r)); v128.store(pi + o3, f32x4.add(u0r, u1i));
      v128.store(pr + o7, f32x4.add(u0i, u1r)); v128.store(pi + o7, f32x4.sub(u0r, u1i));
      w += LSTR;
      t += 8;
    }
  }
}

// The literal-offset P1 / P3 passes (p1RowsL … p3UntangleL) are generated into
// r41.generated.ts by scripts/gen-r41.mjs.

// ---------------------------------------------------------------------------------------
// Whole passes (dft.ts). Tables are rebuilt per call (a few dozen stores).

/** Forward row pass: pix (ny rows of 41 reals) → half-spectrum rows of spec. */
export function rowsForward41(pix: usize, spec: usize, ny: i32): void {
  const nb = (ny + 1) >> 1, odd = (ny & 1) != 0;
  for (let b = 0; b < nb; b++) {
    const r = <usize>(2 * b);
    store<u32>(TAB_S + (<usize>b << 2), <u32>(r * PROW));
    store<u32>(TAB_D + (<usize>b << 2), <u32>(r * SROW));
    setLine(TAB_X, b, r * PROW, (r + 1) * PROW);
    setLine(TAB_Y, b, r * SROW, (r + 1) * SROW);
  }
  if (odd) {
    // the last row pairs with a zero row (SCR_P's tail) and writes its partner to SCR_O
    const last = nb - 1;
    memory.copy(SCR_P, pix + <usize>(ny - 1) * PROW, PROW);
    store<u32>(TAB_S + (<usize>last << 2), <u32>(SCR_P - pix));
    store<u32>(TAB_D + (<usize>last << 2), <u32>(SCR_O - spec));
    setLine(TAB_X, last, SCR_P - pix, SCR_P + PROW - pix);
    setLine(TAB_Y, last, SCR_O - spec, SCR_O + SROW - spec);
  }
  p1RowsL(pix, TAB_S, nb);
  p2(nb, KT0, true, pix, TAB_X, 1, 1, spec, TAB_Y);
  p3UntangleL(spec, TAB_D, nb);
  if (odd) memory.copy(spec + <usize>(ny - 1) * SROW, SCR_O, SROW);
}

/**
 * Inverse row pass: half-spectrum rows of spec → pix (ny rows of 41 reals), times `scale`,
 * which must be kscale/2 of configureR41 (the kernel KTS also undoes p1TangleL's halving).
 */
export function rowsInverse41(spec: usize, pix: usize, ny: i32, scale: f32): void {
  const nb = (ny + 1) >> 1, odd = (ny & 1) != 0;
  for (let b = 0; b < nb; b++) {
    const r = <usize>(2 * b);
    store<u32>(TAB_S + (<usize>b << 2), <u32>(r * SROW));
    store<u32>(TAB_D + (<usize>b << 2), <u32>(r * PROW));
    setLine(TAB_X, b, (r + 1) * SROW, r * SROW); // x0 swapped: (X_2b+1[0], X_2b[0])
    setLine(TAB_Y, b, (r + 1) * PROW, r * PROW); // X[0] swapped back: re → row 2b+1
  }
  if (odd) {
    const last = nb - 1;
    memory.copy(SCR_S, spec + <usize>(ny - 1) * SROW, SROW);
    store<u32>(TAB_S + (<usize>last << 2), <u32>(SCR_S - spec));
    store<u32>(TAB_D + (<usize>last << 2), <u32>(SCR_O - pix));
    setLine(TAB_X, last, SCR_S + SROW - spec, SCR_S - spec);
    setLine(TAB_Y, last, SCR_O + PROW - pix, SCR_O - pix);
  }
  p1TangleL(spec, TAB_S, nb);
  p2(nb, KTS, false, spec, TAB_X, scale, 2 * scale, pix, TAB_Y);
  p3RowsIL(pix, TAB_D, nb);
  if (odd) memory.copy(pix + <usize>(ny - 1) * PROW, SCR_O, PROW);
}

/**
 * Column pass on nb columns of a spectrum (row stride nb·32, 41 rows): src → dst. Inverse:
 * the unscaled inverse DFT (re and im places exchanged on both sides).
 */
export function columns41(src: usize, dst: usize, nb: i32, inverse: bool): void {
  const ro: usize = inverse ? 16 : 0, io: usize = inverse ? 0 : 16;
  for (let b = 0; b < nb; b++) {
    store<u32>(TAB_S + (<usize>b << 2), <u32>(<usize>b << 5));
    setLine(TAB_X, b, (<usize>b << 5) + ro, (<usize>b << 5) + io);
  }
  const es = <usize>nb << 5;
  if (nb == 21) {
    if (inverse) p1ColsIL(src, TAB_S, nb); else p1ColsL(src, TAB_S, nb);
  } else {
    p1Gather(src, TAB_X, es, nb);
  }
  p2(nb, KT0, false, src, TAB_X, 1, 1, dst, TAB_X);
  if (nb == 21) {
    if (inverse) p3ColsIL(dst, TAB_S, nb); else p3ColsL(dst, TAB_S, nb);
  } else {
    p3Scatter(dst, TAB_X, es, nb);
  }
}
