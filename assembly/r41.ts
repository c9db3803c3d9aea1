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

export const RN: i32 = 41;
const LSTR: usize = 1280; // bytes per line in W: 40 complex
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
let W: usize = 0;    // work lines
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

const H8: f32 = 0.7071067811865476;
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

// BEGIN GENERATED by scripts/gen-r41.mjs (primitive root 6); do not edit by hand.

/** P1, forward rows: line b = pix rows (base + tab[b], +656), element e at 16e. */
function p1RowsL(base: usize, tab: usize, nb: i32): void {
  const h = f32x4.splat(H8), sign = i32x4.splat(i32.MIN_VALUE);
  {
    let w = W + 0;
    let t = tab;
    for (let b = 0; b < nb; b++) {
      const p = base + <usize>load<u32>(t);
      const b0r = f32x4.add(v128.load(p, 16), v128.load(p, 640)), b0i = f32x4.add(v128.load(p, 672), v128.load(p, 1296)), b2r = f32x4.add(v128.load(p, 144), v128.load(p, 512)), b2i = f32x4.add(v128.load(p, 800), v128.load(p, 1168));
      const s0r = f32x4.add(b0r, b2r), s0i = f32x4.add(b0i, b2i), d0r = f32x4.sub(b0r, b2r), d0i = f32x4.sub(b0i, b2i);
      const b1r = f32x4.add(v128.load(p, 48), v128.load(p, 608)), b1i = f32x4.add(v128.load(p, 704), v128.load(p, 1264)), b3r = f32x4.add(v128.load(p, 432), v128.load(p, 224)), b3i = f32x4.add(v128.load(p, 1088), v128.load(p, 880));
      const s1r = f32x4.add(b1r, b3r), s1i = f32x4.add(b1i, b3i), d1r = f32x4.sub(b1r, b3r), d1i = f32x4.sub(b1i, b3i);
      v128.store(w, f32x4.add(s0r, s1r), 0); v128.store(w, f32x4.add(s0i, s1i), 16);
      v128.store(w, f32x4.sub(s0r, s1r), 640); v128.store(w, f32x4.sub(s0i, s1i), 656);
      v128.store(w, f32x4.add(d0r, d1i), 320); v128.store(w, f32x4.sub(d0i, d1r), 336);
      v128.store(w, f32x4.sub(d0r, d1i), 960); v128.store(w, f32x4.add(d0i, d1r), 976);
      const e0r = f32x4.sub(v128.load(p, 16), v128.load(p, 640)), e0i = f32x4.sub(v128.load(p, 672), v128.load(p, 1296)), e2r = f32x4.sub(v128.load(p, 144), v128.load(p, 512)), e2i = f32x4.sub(v128.load(p, 800), v128.load(p, 1168));
      const t0r = f32x4.add(e0r, e2i), t0i = f32x4.sub(e0i, e2r), u0r = f32x4.sub(e0r, e2i), u0i = f32x4.add(e0i, e2r);
      const e1r = f32x4.sub(v128.load(p, 48), v128.load(p, 608)), e1i = f32x4.sub(v128.load(p, 704), v128.load(p, 1264)), e3r = f32x4.sub(v128.load(p, 432), v128.load(p, 224)), e3i = f32x4.sub(v128.load(p, 1088), v128.load(p, 880));
      const p1 = f32x4.mul(h, f32x4.add(e1r, e1i)), q1 = f32x4.mul(h, f32x4.sub(e1i, e1r));
      const p3 = f32x4.mul(h, f32x4.sub(e3i, e3r)), m3 = f32x4.mul(h, f32x4.add(e3r, e3i));
      const t1r = f32x4.add(p1, p3), t1i = f32x4.sub(q1, m3), u1r = f32x4.sub(p1, p3), u1i = f32x4.add(q1, m3);
      v128.store(w, f32x4.add(t0r, t1r), 160); v128.store(w, f32x4.add(t0i, t1i), 176);
      v128.store(w, f32x4.sub(t0r, t1r), 800); v128.store(w, f32x4.sub(t0i, t1i), 816);
      v128.store(w, f32x4.add(u0r, u1i), 480); v128.store(w, f32x4.sub(u0i, u1r), 496);
      v128.store(w, f32x4.sub(u0r, u1i), 1120); v128.store(w, f32x4.add(u0i, u1r), 1136);
      w += LSTR;
      t += 4;
    }
  }
  {
    let w = W + 32;
    let t = tab;
    for (let b = 0; b < nb; b++) {
      const p = base + <usize>load<u32>(t);
      const b0r = f32x4.add(v128.load(p, 256), v128.load(p, 400)), b0i = f32x4.add(v128.load(p, 912), v128.load(p, 1056)), b2r = f32x4.add(v128.load(p, 336), v128.load(p, 320)), b2i = f32x4.add(v128.load(p, 992), v128.load(p, 976));
      const s0r = f32x4.add(b0r, b2r), s0i = f32x4.add(b0i, b2i), d0r = f32x4.sub(b0r, b2r), d0i = f32x4.sub(b0i, b2i);
      const b1r = f32x4.add(v128.load(p, 112), v128.load(p, 544)), b1i = f32x4.add(v128.load(p, 768), v128.load(p, 1200)), b3r = f32x4.add(v128.load(p, 352), v128.load(p, 304)), b3i = f32x4.add(v128.load(p, 1008), v128.load(p, 960));
      const s1r = f32x4.add(b1r, b3r), s1i = f32x4.add(b1i, b3i), d1r = f32x4.sub(b1r, b3r), d1i = f32x4.sub(b1i, b3i);
      v128.store(w, f32x4.add(s0r, s1r), 0); v128.store(w, f32x4.add(s0i, s1i), 16);
      v128.store(w, f32x4.sub(s0r, s1r), 640); v128.store(w, f32x4.sub(s0i, s1i), 656);
      v128.store(w, f32x4.add(d0r, d1i), 320); v128.store(w, f32x4.sub(d0i, d1r), 336);
      v128.store(w, f32x4.sub(d0r, d1i), 960); v128.store(w, f32x4.add(d0i, d1r), 976);
      const e0r = f32x4.sub(v128.load(p, 256), v128.load(p, 400)), e0i = f32x4.sub(v128.load(p, 912), v128.load(p, 1056)), e2r = f32x4.sub(v128.load(p, 336), v128.load(p, 320)), e2i = f32x4.sub(v128.load(p, 992), v128.load(p, 976));
      const t0r = f32x4.add(e0r, e2i), t0i = f32x4.sub(e0i, e2r), u0r = f32x4.sub(e0r, e2i), u0i = f32x4.add(e0i, e2r);
      const e1r = f32x4.sub(v128.load(p, 112), v128.load(p, 544)), e1i = f32x4.sub(v128.load(p, 768), v128.load(p, 1200)), e3r = f32x4.sub(v128.load(p, 352), v128.load(p, 304)), e3i = f32x4.sub(v128.load(p, 1008), v128.load(p, 960));
      const p1 = f32x4.mul(h, f32x4.add(e1r, e1i)), q1 = f32x4.mul(h, f32x4.sub(e1i, e1r));
      const p3 = f32x4.mul(h, f32x4.sub(e3i, e3r)), m3 = f32x4.mul(h, f32x4.add(e3r, e3i));
      const t1r = f32x4.add(p1, p3), t1i = f32x4.sub(q1, m3), u1r = f32x4.sub(p1, p3), u1i = f32x4.add(q1, m3);
      v128.store(w, f32x4.add(t0r, t1r), 160); v128.store(w, f32x4.add(t0i, t1i), 176);
      v128.store(w, f32x4.sub(t0r, t1r), 800); v128.store(w, f32x4.sub(t0i, t1i), 816);
      v128.store(w, f32x4.add(u0r, u1i), 480); v128.store(w, f32x4.sub(u0i, u1r), 496);
      v128.store(w, f32x4.sub(u0r, u1i), 1120); v128.store(w, f32x4.add(u0i, u1r), 1136);
      w += LSTR;
      t += 4;
    }
  }
  {
    let w = W + 64;
    let t = tab;
    for (let b = 0; b < nb; b++) {
      const p = base + <usize>load<u32>(t);
      const b0r = f32x4.add(v128.load(p, 160), v128.load(p, 496)), b0i = f32x4.add(v128.load(p, 816), v128.load(p, 1152)), b2r = f32x4.add(v128.load(p, 128), v128.load(p, 528)), b2i = f32x4.add(v128.load(p, 784), v128.load(p, 1184));
      const s0r = f32x4.add(b0r, b2r), s0i = f32x4.add(b0i, b2i), d0r = f32x4.sub(b0r, b2r), d0i = f32x4.sub(b0i, b2i);
      const b1r = f32x4.add(v128.load(p, 480), v128.load(p, 176)), b1i = f32x4.add(v128.load(p, 1136), v128.load(p, 832)), b3r = f32x4.add(v128.load(p, 384), v128.load(p, 272)), b3i = f32x4.add(v128.load(p, 1040), v128.load(p, 928));
      const s1r = f32x4.add(b1r, b3r), s1i = f32x4.add(b1i, b3i), d1r = f32x4.sub(b1r, b3r), d1i = f32x4.sub(b1i, b3i);
      v128.store(w, f32x4.add(s0r, s1r), 0); v128.store(w, f32x4.add(s0i, s1i), 16);
      v128.store(w, f32x4.sub(s0r, s1r), 640); v128.store(w, f32x4.sub(s0i, s1i), 656);
      v128.store(w, f32x4.add(d0r, d1i), 320); v128.store(w, f32x4.sub(d0i, d1r), 336);
      v128.store(w, f32x4.sub(d0r, d1i), 960); v128.store(w, f32x4.add(d0i, d1r), 976);
      const e0r = f32x4.sub(v128.load(p, 160), v128.load(p, 496)), e0i = f32x4.sub(v128.load(p, 816), v128.load(p, 1152)), e2r = f32x4.sub(v128.load(p, 128), v128.load(p, 528)), e2i = f32x4.sub(v128.load(p, 784), v128.load(p, 1184));
      const t0r = f32x4.add(e0r, e2i), t0i = f32x4.sub(e0i, e2r), u0r = f32x4.sub(e0r, e2i), u0i = f32x4.add(e0i, e2r);
      const e1r = f32x4.sub(v128.load(p, 480), v128.load(p, 176)), e1i = f32x4.sub(v128.load(p, 1136), v128.load(p, 832)), e3r = f32x4.sub(v128.load(p, 384), v128.load(p, 272)), e3i = f32x4.sub(v128.load(p, 1040), v128.load(p, 928));
      const p1 = f32x4.mul(h, f32x4.add(e1r, e1i)), q1 = f32x4.mul(h, f32x4.sub(e1i, e1r));
      const p3 = f32x4.mul(h, f32x4.sub(e3i, e3r)), m3 = f32x4.mul(h, f32x4.add(e3r, e3i));
      const t1r = f32x4.add(p1, p3), t1i = f32x4.sub(q1, m3), u1r = f32x4.sub(p1, p3), u1i = f32x4.add(q1, m3);
      v128.store(w, f32x4.add(t0r, t1r), 160); v128.store(w, f32x4.add(t0i, t1i), 176);
      v128.store(w, f32x4.sub(t0r, t1r), 800); v128.store(w, f32x4.sub(t0i, t1i), 816);
      v128.store(w, f32x4.add(u0r, u1i), 480); v128.store(w, f32x4.sub(u0i, u1r), 496);
      v128.store(w, f32x4.sub(u0r, u1i), 1120); v128.store(w, f32x4.add(u0i, u1r), 1136);
      w += LSTR;
      t += 4;
    }
  }
  {
    let w = W + 96;
    let t = tab;
    for (let b = 0; b < nb; b++) {
      const p = base + <usize>load<u32>(t);
      const b0r = f32x4.add(v128.load(p, 592), v128.load(p, 64)), b0i = f32x4.add(v128.load(p, 1248), v128.load(p, 720)), b2r = f32x4.add(v128.load(p, 80), v128.load(p, 576)), b2i = f32x4.add(v128.load(p, 736), v128.load(p, 1232));
      const s0r = f32x4.add(b0r, b2r), s0i = f32x4.add(b0i, b2i), d0r = f32x4.sub(b0r, b2r), d0i = f32x4.sub(b0i, b2i);
      const b1r = f32x4.add(v128.load(p, 464), v128.load(p, 192)), b1i = f32x4.add(v128.load(p, 1120), v128.load(p, 848)), b3r = f32x4.add(v128.load(p, 240), v128.load(p, 416)), b3i = f32x4.add(v128.load(p, 896), v128.load(p, 1072));
      const s1r = f32x4.add(b1r, b3r), s1i = f32x4.add(b1i, b3i), d1r = f32x4.sub(b1r, b3r), d1i = f32x4.sub(b1i, b3i);
      v128.store(w, f32x4.add(s0r, s1r), 0); v128.store(w, f32x4.add(s0i, s1i), 16);
      v128.store(w, f32x4.sub(s0r, s1r), 640); v128.store(w, f32x4.sub(s0i, s1i), 656);
      v128.store(w, f32x4.add(d0r, d1i), 320); v128.store(w, f32x4.sub(d0i, d1r), 336);
      v128.store(w, f32x4.sub(d0r, d1i), 960); v128.store(w, f32x4.add(d0i, d1r), 976);
      const e0r = f32x4.sub(v128.load(p, 592), v128.load(p, 64)), e0i = f32x4.sub(v128.load(p, 1248), v128.load(p, 720)), e2r = f32x4.sub(v128.load(p, 80), v128.load(p, 576)), e2i = f32x4.sub(v128.load(p, 736), v128.load(p, 1232));
      const t0r = f32x4.add(e0r, e2i), t0i = f32x4.sub(e0i, e2r), u0r = f32x4.sub(e0r, e2i), u0i = f32x4.add(e0i, e2r);
      const e1r = f32x4.sub(v128.load(p, 464), v128.load(p, 192)), e1i = f32x4.sub(v128.load(p, 1120), v128.load(p, 848)), e3r = f32x4.sub(v128.load(p, 240), v128.load(p, 416)), e3i = f32x4.sub(v128.load(p, 896), v128.load(p, 1072));
      const p1 = f32x4.mul(h, f32x4.add(e1r, e1i)), q1 = f32x4.mul(h, f32x4.sub(e1i, e1r));
      const p3 = f32x4.mul(h, f32x4.sub(e3i, e3r)), m3 = f32x4.mul(h, f32x4.add(e3r, e3i));
      const t1r = f32x4.add(p1, p3), t1i = f32x4.sub(q1, m3), u1r = f32x4.sub(p1, p3), u1i = f32x4.add(q1, m3);
      v128.store(w, f32x4.add(t0r, t1r), 160); v128.store(w, f32x4.add(t0i, t1i), 176);
      v128.store(w, f32x4.sub(t0r, t1r), 800); v128.store(w, f32x4.sub(t0i, t1i), 816);
      v128.store(w, f32x4.add(u0r, u1i), 480); v128.store(w, f32x4.sub(u0i, u1r), 496);
      v128.store(w, f32x4.sub(u0r, u1i), 1120); v128.store(w, f32x4.add(u0i, u1r), 1136);
      w += LSTR;
      t += 4;
    }
  }
  {
    let w = W + 128;
    let t = tab;
    for (let b = 0; b < nb; b++) {
      const p = base + <usize>load<u32>(t);
      const b0r = f32x4.add(v128.load(p, 288), v128.load(p, 368)), b0i = f32x4.add(v128.load(p, 944), v128.load(p, 1024)), b2r = f32x4.add(v128.load(p, 624), v128.load(p, 32)), b2i = f32x4.add(v128.load(p, 1280), v128.load(p, 688));
      const s0r = f32x4.add(b0r, b2r), s0i = f32x4.add(b0i, b2i), d0r = f32x4.sub(b0r, b2r), d0i = f32x4.sub(b0i, b2i);
      const b1r = f32x4.add(v128.load(p, 208), v128.load(p, 448)), b1i = f32x4.add(v128.load(p, 864), v128.load(p, 1104)), b3r = f32x4.add(v128.load(p, 560), v128.load(p, 96)), b3i = f32x4.add(v128.load(p, 1216), v128.load(p, 752));
      const s1r = f32x4.add(b1r, b3r), s1i = f32x4.add(b1i, b3i), d1r = f32x4.sub(b1r, b3r), d1i = f32x4.sub(b1i, b3i);
      v128.store(w, f32x4.add(s0r, s1r), 0); v128.store(w, f32x4.add(s0i, s1i), 16);
      v128.store(w, f32x4.sub(s0r, s1r), 640); v128.store(w, f32x4.sub(s0i, s1i), 656);
      v128.store(w, f32x4.add(d0r, d1i), 320); v128.store(w, f32x4.sub(d0i, d1r), 336);
      v128.store(w, f32x4.sub(d0r, d1i), 960); v128.store(w, f32x4.add(d0i, d1r), 976);
      const e0r = f32x4.sub(v128.load(p, 288), v128.load(p, 368)), e0i = f32x4.sub(v128.load(p, 944), v128.load(p, 1024)), e2r = f32x4.sub(v128.load(p, 624), v128.load(p, 32)), e2i = f32x4.sub(v128.load(p, 1280), v128.load(p, 688));
      const t0r = f32x4.add(e0r, e2i), t0i = f32x4.sub(e0i, e2r), u0r = f32x4.sub(e0r, e2i), u0i = f32x4.add(e0i, e2r);
      const e1r = f32x4.sub(v128.load(p, 208), v128.load(p, 448)), e1i = f32x4.sub(v128.load(p, 864), v128.load(p, 1104)), e3r = f32x4.sub(v128.load(p, 560), v128.load(p, 96)), e3i = f32x4.sub(v128.load(p, 1216), v128.load(p, 752));
      const p1 = f32x4.mul(h, f32x4.add(e1r, e1i)), q1 = f32x4.mul(h, f32x4.sub(e1i, e1r));
      const p3 = f32x4.mul(h, f32x4.sub(e3i, e3r)), m3 = f32x4.mul(h, f32x4.add(e3r, e3i));
      const t1r = f32x4.add(p1, p3), t1i = f32x4.sub(q1, m3), u1r = f32x4.sub(p1, p3), u1i = f32x4.add(q1, m3);
      v128.store(w, f32x4.add(t0r, t1r), 160); v128.store(w, f32x4.add(t0i, t1i), 176);
      v128.store(w, f32x4.sub(t0r, t1r), 800); v128.store(w, f32x4.sub(t0i, t1i), 816);
      v128.store(w, f32x4.add(u0r, u1i), 480); v128.store(w, f32x4.sub(u0i, u1r), 496);
      v128.store(w, f32x4.sub(u0r, u1i), 1120); v128.store(w, f32x4.add(u0i, u1r), 1136);
      w += LSTR;
      t += 4;
    }
  }
}

/** P1, forward columns (NHX = 21): element e at 672e, re +0, im +16. */
function p1ColsL(base: usize, tab: usize, nb: i32): void {
  const h = f32x4.splat(H8), sign = i32x4.splat(i32.MIN_VALUE);
  {
    let w = W + 0;
    let t = tab;
    for (let b = 0; b < nb; b++) {
      const p = base + <usize>load<u32>(t);
      const b0r = f32x4.add(v128.load(p, 672), v128.load(p, 26880)), b0i = f32x4.add(v128.load(p, 688), v128.load(p, 26896)), b2r = f32x4.add(v128.load(p, 6048), v128.load(p, 21504)), b2i = f32x4.add(v128.load(p, 6064), v128.load(p, 21520));
      const s0r = f32x4.add(b0r, b2r), s0i = f32x4.add(b0i, b2i), d0r = f32x4.sub(b0r, b2r), d0i = f32x4.sub(b0i, b2i);
      const b1r = f32x4.add(v128.load(p, 2016), v128.load(p, 25536)), b1i = f32x4.add(v128.load(p, 2032), v128.load(p, 25552)), b3r = f32x4.add(v128.load(p, 18144), v128.load(p, 9408)), b3i = f32x4.add(v128.load(p, 18160), v128.load(p, 9424));
      const s1r = f32x4.add(b1r, b3r), s1i = f32x4.add(b1i, b3i), d1r = f32x4.sub(b1r, b3r), d1i = f32x4.sub(b1i, b3i);
      v128.store(w, f32x4.add(s0r, s1r), 0); v128.store(w, f32x4.add(s0i, s1i), 16);
      v128.store(w, f32x4.sub(s0r, s1r), 640); v128.store(w, f32x4.sub(s0i, s1i), 656);
      v128.store(w, f32x4.add(d0r, d1i), 320); v128.store(w, f32x4.sub(d0i, d1r), 336);
      v128.store(w, f32x4.sub(d0r, d1i), 960); v128.store(w, f32x4.add(d0i, d1r), 976);
      const e0r = f32x4.sub(v128.load(p, 672), v128.load(p, 26880)), e0i = f32x4.sub(v128.load(p, 688), v128.load(p, 26896)), e2r = f32x4.sub(v128.load(p, 6048), v128.load(p, 21504)), e2i = f32x4.sub(v128.load(p, 6064), v128.load(p, 21520));
      const t0r = f32x4.add(e0r, e2i), t0i = f32x4.sub(e0i, e2r), u0r = f32x4.sub(e0r, e2i), u0i = f32x4.add(e0i, e2r);
      const e1r = f32x4.sub(v128.load(p, 2016), v128.load(p, 25536)), e1i = f32x4.sub(v128.load(p, 2032), v128.load(p, 25552)), e3r = f32x4.sub(v128.load(p, 18144), v128.load(p, 9408)), e3i = f32x4.sub(v128.load(p, 18160), v128.load(p, 9424));
      const p1 = f32x4.mul(h, f32x4.add(e1r, e1i)), q1 = f32x4.mul(h, f32x4.sub(e1i, e1r));
      const p3 = f32x4.mul(h, f32x4.sub(e3i, e3r)), m3 = f32x4.mul(h, f32x4.add(e3r, e3i));
      const t1r = f32x4.add(p1, p3), t1i = f32x4.sub(q1, m3), u1r = f32x4.sub(p1, p3), u1i = f32x4.add(q1, m3);
      v128.store(w, f32x4.add(t0r, t1r), 160); v128.store(w, f32x4.add(t0i, t1i), 176);
      v128.store(w, f32x4.sub(t0r, t1r), 800); v128.store(w, f32x4.sub(t0i, t1i), 816);
      v128.store(w, f32x4.add(u0r, u1i), 480); v128.store(w, f32x4.sub(u0i, u1r), 496);
      v128.store(w, f32x4.sub(u0r, u1i), 1120); v128.store(w, f32x4.add(u0i, u1r), 1136);
      w += LSTR;
      t += 4;
    }
  }
  {
    let w = W + 32;
    let t = tab;
    for (let b = 0; b < nb; b++) {
      const p = base + <usize>load<u32>(t);
      const b0r = f32x4.add(v128.load(p, 10752), v128.load(p, 16800)), b0i = f32x4.add(v128.load(p, 10768), v128.load(p, 16816)), b2r = f32x4.add(v128.load(p, 14112), v128.load(p, 13440)), b2i = f32x4.add(v128.load(p, 14128), v128.load(p, 13456));
      const s0r = f32x4.add(b0r, b2r), s0i = f32x4.add(b0i, b2i), d0r = f32x4.sub(b0r, b2r), d0i = f32x4.sub(b0i, b2i);
      const b1r = f32x4.add(v128.load(p, 4704), v128.load(p, 22848)), b1i = f32x4.add(v128.load(p, 4720), v128.load(p, 22864)), b3r = f32x4.add(v128.load(p, 14784), v128.load(p, 12768)), b3i = f32x4.add(v128.load(p, 14800), v128.load(p, 12784));
      const s1r = f32x4.add(b1r, b3r), s1i = f32x4.add(b1i, b3i), d1r = f32x4.sub(b1r, b3r), d1i = f32x4.sub(b1i, b3i);
      v128.store(w, f32x4.add(s0r, s1r), 0); v128.store(w, f32x4.add(s0i, s1i), 16);
      v128.store(w, f32x4.sub(s0r, s1r), 640); v128.store(w, f32x4.sub(s0i, s1i), 656);
      v128.store(w, f32x4.add(d0r, d1i), 320); v128.store(w, f32x4.sub(d0i, d1r), 336);
      v128.store(w, f32x4.sub(d0r, d1i), 960); v128.store(w, f32x4.add(d0i, d1r), 976);
      const e0r = f32x4.sub(v128.load(p, 10752), v128.load(p, 16800)), e0i = f32x4.sub(v128.load(p, 10768), v128.load(p, 16816)), e2r = f32x4.sub(v128.load(p, 14112), v128.load(p, 13440)), e2i = f32x4.sub(v128.load(p, 14128), v128.load(p, 13456));
      const t0r = f32x4.add(e0r, e2i), t0i = f32x4.sub(e0i, e2r), u0r = f32x4.sub(e0r, e2i), u0i = f32x4.add(e0i, e2r);
      const e1r = f32x4.sub(v128.load(p, 4704), v128.load(p, 22848)), e1i = f32x4.sub(v128.load(p, 4720), v128.load(p, 22864)), e3r = f32x4.sub(v128.load(p, 14784), v128.load(p, 12768)), e3i = f32x4.sub(v128.load(p, 14800), v128.load(p, 12784));
      const p1 = f32x4.mul(h, f32x4.add(e1r, e1i)), q1 = f32x4.mul(h, f32x4.sub(e1i, e1r));
      const p3 = f32x4.mul(h, f32x4.sub(e3i, e3r)), m3 = f32x4.mul(h, f32x4.add(e3r, e3i));
      const t1r = f32x4.add(p1, p3), t1i = f32x4.sub(q1, m3), u1r = f32x4.sub(p1, p3), u1i = f32x4.add(q1, m3);
      v128.store(w, f32x4.add(t0r, t1r), 160); v128.store(w, f32x4.add(t0i, t1i), 176);
      v128.store(w, f32x4.sub(t0r, t1r), 800); v128.store(w, f32x4.sub(t0i, t1i), 816);
      v128.store(w, f32x4.add(u0r, u1i), 480); v128.store(w, f32x4.sub(u0i, u1r), 496);
      v128.store(w, f32x4.sub(u0r, u1i), 1120); v128.store(w, f32x4.add(u0i, u1r), 1136);
      w += LSTR;
      t += 4;
    }
  }
  {
    let w = W + 64;
    let t = tab;
    for (let b = 0; b < nb; b++) {
      const p = base + <usize>load<u32>(t);
      const b0r = f32x4.add(v128.load(p, 6720), v128.load(p, 20832)), b0i = f32x4.add(v128.load(p, 6736), v128.load(p, 20848)), b2r = f32x4.add(v128.load(p, 5376), v128.load(p, 22176)), b2i = f32x4.add(v128.load(p, 5392), v128.load(p, 22192));
      const s0r = f32x4.add(b0r, b2r), s0i = f32x4.add(b0i, b2i), d0r = f32x4.sub(b0r, b2r), d0i = f32x4.sub(b0i, b2i);
      const b1r = f32x4.add(v128.load(p, 20160), v128.load(p, 7392)), b1i = f32x4.add(v128.load(p, 20176), v128.load(p, 7408)), b3r = f32x4.add(v128.load(p, 16128), v128.load(p, 11424)), b3i = f32x4.add(v128.load(p, 16144), v128.load(p, 11440));
      const s1r = f32x4.add(b1r, b3r), s1i = f32x4.add(b1i, b3i), d1r = f32x4.sub(b1r, b3r), d1i = f32x4.sub(b1i, b3i);
      v128.store(w, f32x4.add(s0r, s1r), 0); v128.store(w, f32x4.add(s0i, s1i), 16);
      v128.store(w, f32x4.sub(s0r, s1r), 640); v128.store(w, f32x4.sub(s0i, s1i), 656);
      v128.store(w, f32x4.add(d0r, d1i), 320); v128.store(w, f32x4.sub(d0i, d1r), 336);
      v128.store(w, f32x4.sub(d0r, d1i), 960); v128.store(w, f32x4.add(d0i, d1r), 976);
      const e0r = f32x4.sub(v128.load(p, 6720), v128.load(p, 20832)), e0i = f32x4.sub(v128.load(p, 6736), v128.load(p, 20848)), e2r = f32x4.sub(v128.load(p, 5376), v128.load(p, 22176)), e2i = f32x4.sub(v128.load(p, 5392), v128.load(p, 22192));
      const t0r = f32x4.add(e0r, e2i), t0i = f32x4.sub(e0i, e2r), u0r = f32x4.sub(e0r, e2i), u0i = f32x4.add(e0i, e2r);
      const e1r = f32x4.sub(v128.load(p, 20160), v128.load(p, 7392)), e1i = f32x4.sub(v128.load(p, 20176), v128.load(p, 7408)), e3r = f32x4.sub(v128.load(p, 16128), v128.load(p, 11424)), e3i = f32x4.sub(v128.load(p, 16144), v128.load(p, 11440));
      const p1 = f32x4.mul(h, f32x4.add(e1r, e1i)), q1 = f32x4.mul(h, f32x4.sub(e1i, e1r));
      const p3 = f32x4.mul(h, f32x4.sub(e3i, e3r)), m3 = f32x4.mul(h, f32x4.add(e3r, e3i));
      const t1r = f32x4.add(p1, p3), t1i = f32x4.sub(q1, m3), u1r = f32x4.sub(p1, p3), u1i = f32x4.add(q1, m3);
      v128.store(w, f32x4.add(t0r, t1r), 160); v128.store(w, f32x4.add(t0i, t1i), 176);
      v128.store(w, f32x4.sub(t0r, t1r), 800); v128.store(w, f32x4.sub(t0i, t1i), 816);
      v128.store(w, f32x4.add(u0r, u1i), 480); v128.store(w, f32x4.sub(u0i, u1r), 496);
      v128.store(w, f32x4.sub(u0r, u1i), 1120); v128.store(w, f32x4.add(u0i, u1r), 1136);
      w += LSTR;
      t += 4;
    }
  }
  {
    let w = W + 96;
    let t = tab;
    for (let b = 0; b < nb; b++) {
      const p = base + <usize>load<u32>(t);
      const b0r = f32x4.add(v128.load(p, 24864), v128.load(p, 2688)), b0i = f32x4.add(v128.load(p, 24880), v128.load(p, 2704)), b2r = f32x4.add(v128.load(p, 3360), v128.load(p, 24192)), b2i = f32x4.add(v128.load(p, 3376), v128.load(p, 24208));
      const s0r = f32x4.add(b0r, b2r), s0i = f32x4.add(b0i, b2i), d0r = f32x4.sub(b0r, b2r), d0i = f32x4.sub(b0i, b2i);
      const b1r = f32x4.add(v128.load(p, 19488), v128.load(p, 8064)), b1i = f32x4.add(v128.load(p, 19504), v128.load(p, 8080)), b3r = f32x4.add(v128.load(p, 10080), v128.load(p, 17472)), b3i = f32x4.add(v128.load(p, 10096), v128.load(p, 17488));
      const s1r = f32x4.add(b1r, b3r), s1i = f32x4.add(b1i, b3i), d1r = f32x4.sub(b1r, b3r), d1i = f32x4.sub(b1i, b3i);
      v128.store(w, f32x4.add(s0r, s1r), 0); v128.store(w, f32x4.add(s0i, s1i), 16);
      v128.store(w, f32x4.sub(s0r, s1r), 640); v128.store(w, f32x4.sub(s0i, s1i), 656);
      v128.store(w, f32x4.add(d0r, d1i), 320); v128.store(w, f32x4.sub(d0i, d1r), 336);
      v128.store(w, f32x4.sub(d0r, d1i), 960); v128.store(w, f32x4.add(d0i, d1r), 976);
      const e0r = f32x4.sub(v128.load(p, 24864), v128.load(p, 2688)), e0i = f32x4.sub(v128.load(p, 24880), v128.load(p, 2704)), e2r = f32x4.sub(v128.load(p, 3360), v128.load(p, 24192)), e2i = f32x4.sub(v128.load(p, 3376), v128.load(p, 24208));
      const t0r = f32x4.add(e0r, e2i), t0i = f32x4.sub(e0i, e2r), u0r = f32x4.sub(e0r, e2i), u0i = f32x4.add(e0i, e2r);
      const e1r = f32x4.sub(v128.load(p, 19488), v128.load(p, 8064)), e1i = f32x4.sub(v128.load(p, 19504), v128.load(p, 8080)), e3r = f32x4.sub(v128.load(p, 10080), v128.load(p, 17472)), e3i = f32x4.sub(v128.load(p, 10096), v128.load(p, 17488));
      const p1 = f32x4.mul(h, f32x4.add(e1r, e1i)), q1 = f32x4.mul(h, f32x4.sub(e1i, e1r));
      const p3 = f32x4.mul(h, f32x4.sub(e3i, e3r)), m3 = f32x4.mul(h, f32x4.add(e3r, e3i));
      const t1r = f32x4.add(p1, p3), t1i = f32x4.sub(q1, m3), u1r = f32x4.sub(p1, p3), u1i = f32x4.add(q1, m3);
      v128.store(w, f32x4.add(t0r, t1r), 160); v128.store(w, f32x4.add(t0i, t1i), 176);
      v128.store(w, f32x4.sub(t0r, t1r), 800); v128.store(w, f32x4.sub(t0i, t1i), 816);
      v128.store(w, f32x4.add(u0r, u1i), 480); v128.store(w, f32x4.sub(u0i, u1r), 496);
      v128.store(w, f32x4.sub(u0r, u1i), 1120); v128.store(w, f32x4.add(u0i, u1r), 1136);
      w += LSTR;
      t += 4;
    }
  }
  {
    let w = W + 128;
    let t = tab;
    for (let b = 0; b < nb; b++) {
      const p = base + <usize>load<u32>(t);
      const b0r = f32x4.add(v128.load(p, 12096), v128.load(p, 15456)), b0i = f32x4.add(v128.load(p, 12112), v128.load(p, 15472)), b2r = f32x4.add(v128.load(p, 26208), v128.load(p, 1344)), b2i = f32x4.add(v128.load(p, 26224), v128.load(p, 1360));
      const s0r = f32x4.add(b0r, b2r), s0i = f32x4.add(b0i, b2i), d0r = f32x4.sub(b0r, b2r), d0i = f32x4.sub(b0i, b2i);
      const b1r = f32x4.add(v128.load(p, 8736), v128.load(p, 18816)), b1i = f32x4.add(v128.load(p, 8752), v128.load(p, 18832)), b3r = f32x4.add(v128.load(p, 23520), v128.load(p, 4032)), b3i = f32x4.add(v128.load(p, 23536), v128.load(p, 4048));
      const s1r = f32x4.add(b1r, b3r), s1i = f32x4.add(b1i, b3i), d1r = f32x4.sub(b1r, b3r), d1i = f32x4.sub(b1i, b3i);
      v128.store(w, f32x4.add(s0r, s1r), 0); v128.store(w, f32x4.add(s0i, s1i), 16);
      v128.store(w, f32x4.sub(s0r, s1r), 640); v128.store(w, f32x4.sub(s0i, s1i), 656);
      v128.store(w, f32x4.add(d0r, d1i), 320); v128.store(w, f32x4.sub(d0i, d1r), 336);
      v128.store(w, f32x4.sub(d0r, d1i), 960); v128.store(w, f32x4.add(d0i, d1r), 976);
      const e0r = f32x4.sub(v128.load(p, 12096), v128.load(p, 15456)), e0i = f32x4.sub(v128.load(p, 12112), v128.load(p, 15472)), e2r = f32x4.sub(v128.load(p, 26208), v128.load(p, 1344)), e2i = f32x4.sub(v128.load(p, 26224), v128.load(p, 1360));
      const t0r = f32x4.add(e0r, e2i), t0i = f32x4.sub(e0i, e2r), u0r = f32x4.sub(e0r, e2i), u0i = f32x4.add(e0i, e2r);
      const e1r = f32x4.sub(v128.load(p, 8736), v128.load(p, 18816)), e1i = f32x4.sub(v128.load(p, 8752), v128.load(p, 18832)), e3r = f32x4.sub(v128.load(p, 23520), v128.load(p, 4032)), e3i = f32x4.sub(v128.load(p, 23536), v128.load(p, 4048));
      const p1 = f32x4.mul(h, f32x4.add(e1r, e1i)), q1 = f32x4.mul(h, f32x4.sub(e1i, e1r));
      const p3 = f32x4.mul(h, f32x4.sub(e3i, e3r)), m3 = f32x4.mul(h, f32x4.add(e3r, e3i));
      const t1r = f32x4.add(p1, p3), t1i = f32x4.sub(q1, m3), u1r = f32x4.sub(p1, p3), u1i = f32x4.add(q1, m3);
      v128.store(w, f32x4.add(t0r, t1r), 160); v128.store(w, f32x4.add(t0i, t1i), 176);
      v128.store(w, f32x4.sub(t0r, t1r), 800); v128.store(w, f32x4.sub(t0i, t1i), 816);
      v128.store(w, f32x4.add(u0r, u1i), 480); v128.store(w, f32x4.sub(u0i, u1r), 496);
      v128.store(w, f32x4.sub(u0r, u1i), 1120); v128.store(w, f32x4.add(u0i, u1r), 1136);
      w += LSTR;
      t += 4;
    }
  }
}

/** P1, inverse columns (NHX = 21): as p1ColsL with re and im exchanged. */
function p1ColsIL(base: usize, tab: usize, nb: i32): void {
  const h = f32x4.splat(H8), sign = i32x4.splat(i32.MIN_VALUE);
  {
    let w = W + 0;
    let t = tab;
    for (let b = 0; b < nb; b++) {
      const p = base + <usize>load<u32>(t);
      const b0r = f32x4.add(v128.load(p, 688), v128.load(p, 26896)), b0i = f32x4.add(v128.load(p, 672), v128.load(p, 26880)), b2r = f32x4.add(v128.load(p, 6064), v128.load(p, 21520)), b2i = f32x4.add(v128.load(p, 6048), v128.load(p, 21504));
      const s0r = f32x4.add(b0r, b2r), s0i = f32x4.add(b0i, b2i), d0r = f32x4.sub(b0r, b2r), d0i = f32x4.sub(b0i, b2i);
      const b1r = f32x4.add(v128.load(p, 2032), v128.load(p, 25552)), b1i = f32x4.add(v128.load(p, 2016), v128.load(p, 25536)), b3r = f32x4.add(v128.load(p, 18160), v128.load(p, 9424)), b3i = f32x4.add(v128.load(p, 18144), v128.load(p, 9408));
      const s1r = f32x4.add(b1r, b3r), s1i = f32x4.add(b1i, b3i), d1r = f32x4.sub(b1r, b3r), d1i = f32x4.sub(b1i, b3i);
      v128.store(w, f32x4.add(s0r, s1r), 0); v128.store(w, f32x4.add(s0i, s1i), 16);
      v128.store(w, f32x4.sub(s0r, s1r), 640); v128.store(w, f32x4.sub(s0i, s1i), 656);
      v128.store(w, f32x4.add(d0r, d1i), 320); v128.store(w, f32x4.sub(d0i, d1r), 336);
      v128.store(w, f32x4.sub(d0r, d1i), 960); v128.store(w, f32x4.add(d0i, d1r), 976);
      const e0r = f32x4.sub(v128.load(p, 688), v128.load(p, 26896)), e0i = f32x4.sub(v128.load(p, 672), v128.load(p, 26880)), e2r = f32x4.sub(v128.load(p, 6064), v128.load(p, 21520)), e2i = f32x4.sub(v128.load(p, 6048), v128.load(p, 21504));
      const t0r = f32x4.add(e0r, e2i), t0i = f32x4.sub(e0i, e2r), u0r = f32x4.sub(e0r, e2i), u0i = f32x4.add(e0i, e2r);
      const e1r = f32x4.sub(v128.load(p, 2032), v128.load(p, 25552)), e1i = f32x4.sub(v128.load(p, 2016), v128.load(p, 25536)), e3r = f32x4.sub(v128.load(p, 18160), v128.load(p, 9424)), e3i = f32x4.sub(v128.load(p, 18144), v128.load(p, 9408));
      const p1 = f32x4.mul(h, f32x4.add(e1r, e1i)), q1 = f32x4.mul(h, f32x4.sub(e1i, e1r));
      const p3 = f32x4.mul(h, f32x4.sub(e3i, e3r)), m3 = f32x4.mul(h, f32x4.add(e3r, e3i));
      const t1r = f32x4.add(p1, p3), t1i = f32x4.sub(q1, m3), u1r = f32x4.sub(p1, p3), u1i = f32x4.add(q1, m3);
      v128.store(w, f32x4.add(t0r, t1r), 160); v128.store(w, f32x4.add(t0i, t1i), 176);
      v128.store(w, f32x4.sub(t0r, t1r), 800); v128.store(w, f32x4.sub(t0i, t1i), 816);
      v128.store(w, f32x4.add(u0r, u1i), 480); v128.store(w, f32x4.sub(u0i, u1r), 496);
      v128.store(w, f32x4.sub(u0r, u1i), 1120); v128.store(w, f32x4.add(u0i, u1r), 1136);
      w += LSTR;
      t += 4;
    }
  }
  {
    let w = W + 32;
    let t = tab;
    for (let b = 0; b < nb; b++) {
      const p = base + <usize>load<u32>(t);
      const b0r = f32x4.add(v128.load(p, 10768), v128.load(p, 16816)), b0i = f32x4.add(v128.load(p, 10752), v128.load(p, 16800)), b2r = f32x4.add(v128.load(p, 14128), v128.load(p, 13456)), b2i = f32x4.add(v128.load(p, 14112), v128.load(p, 13440));
      const s0r = f32x4.add(b0r, b2r), s0i = f32x4.add(b0i, b2i), d0r = f32x4.sub(b0r, b2r), d0i = f32x4.sub(b0i, b2i);
      const b1r = f32x4.add(v128.load(p, 4720), v128.load(p, 22864)), b1i = f32x4.add(v128.load(p, 4704), v128.load(p, 22848)), b3r = f32x4.add(v128.load(p, 14800), v128.load(p, 12784)), b3i = f32x4.add(v128.load(p, 14784), v128.load(p, 12768));
      const s1r = f32x4.add(b1r, b3r), s1i = f32x4.add(b1i, b3i), d1r = f32x4.sub(b1r, b3r), d1i = f32x4.sub(b1i, b3i);
      v128.store(w, f32x4.add(s0r, s1r), 0); v128.store(w, f32x4.add(s0i, s1i), 16);
      v128.store(w, f32x4.sub(s0r, s1r), 640); v128.store(w, f32x4.sub(s0i, s1i), 656);
      v128.store(w, f32x4.add(d0r, d1i), 320); v128.store(w, f32x4.sub(d0i, d1r), 336);
      v128.store(w, f32x4.sub(d0r, d1i), 960); v128.store(w, f32x4.add(d0i, d1r), 976);
      const e0r = f32x4.sub(v128.load(p, 10768), v128.load(p, 16816)), e0i = f32x4.sub(v128.load(p, 10752), v128.load(p, 16800)), e2r = f32x4.sub(v128.load(p, 14128), v128.load(p, 13456)), e2i = f32x4.sub(v128.load(p, 14112), v128.load(p, 13440));
      const t0r = f32x4.add(e0r, e2i), t0i = f32x4.sub(e0i, e2r), u0r = f32x4.sub(e0r, e2i), u0i = f32x4.add(e0i, e2r);
      const e1r = f32x4.sub(v128.load(p, 4720), v128.load(p, 22864)), e1i = f32x4.sub(v128.load(p, 4704), v128.load(p, 22848)), e3r = f32x4.sub(v128.load(p, 14800), v128.load(p, 12784)), e3i = f32x4.sub(v128.load(p, 14784), v128.load(p, 12768));
      const p1 = f32x4.mul(h, f32x4.add(e1r, e1i)), q1 = f32x4.mul(h, f32x4.sub(e1i, e1r));
      const p3 = f32x4.mul(h, f32x4.sub(e3i, e3r)), m3 = f32x4.mul(h, f32x4.add(e3r, e3i));
      const t1r = f32x4.add(p1, p3), t1i = f32x4.sub(q1, m3), u1r = f32x4.sub(p1, p3), u1i = f32x4.add(q1, m3);
      v128.store(w, f32x4.add(t0r, t1r), 160); v128.store(w, f32x4.add(t0i, t1i), 176);
      v128.store(w, f32x4.sub(t0r, t1r), 800); v128.store(w, f32x4.sub(t0i, t1i), 816);
      v128.store(w, f32x4.add(u0r, u1i), 480); v128.store(w, f32x4.sub(u0i, u1r), 496);
      v128.store(w, f32x4.sub(u0r, u1i), 1120); v128.store(w, f32x4.add(u0i, u1r), 1136);
      w += LSTR;
      t += 4;
    }
  }
  {
    let w = W + 64;
    let t = tab;
    for (let b = 0; b < nb; b++) {
      const p = base + <usize>load<u32>(t);
      const b0r = f32x4.add(v128.load(p, 6736), v128.load(p, 20848)), b0i = f32x4.add(v128.load(p, 6720), v128.load(p, 20832)), b2r = f32x4.add(v128.load(p, 5392), v128.load(p, 22192)), b2i = f32x4.add(v128.load(p, 5376), v128.load(p, 22176));
      const s0r = f32x4.add(b0r, b2r), s0i = f32x4.add(b0i, b2i), d0r = f32x4.sub(b0r, b2r), d0i = f32x4.sub(b0i, b2i);
      const b1r = f32x4.add(v128.load(p, 20176), v128.load(p, 7408)), b1i = f32x4.add(v128.load(p, 20160), v128.load(p, 7392)), b3r = f32x4.add(v128.load(p, 16144), v128.load(p, 11440)), b3i = f32x4.add(v128.load(p, 16128), v128.load(p, 11424));
      const s1r = f32x4.add(b1r, b3r), s1i = f32x4.add(b1i, b3i), d1r = f32x4.sub(b1r, b3r), d1i = f32x4.sub(b1i, b3i);
      v128.store(w, f32x4.add(s0r, s1r), 0); v128.store(w, f32x4.add(s0i, s1i), 16);
      v128.store(w, f32x4.sub(s0r, s1r), 640); v128.store(w, f32x4.sub(s0i, s1i), 656);
      v128.store(w, f32x4.add(d0r, d1i), 320); v128.store(w, f32x4.sub(d0i, d1r), 336);
      v128.store(w, f32x4.sub(d0r, d1i), 960); v128.store(w, f32x4.add(d0i, d1r), 976);
      const e0r = f32x4.sub(v128.load(p, 6736), v128.load(p, 20848)), e0i = f32x4.sub(v128.load(p, 6720), v128.load(p, 20832)), e2r = f32x4.sub(v128.load(p, 5392), v128.load(p, 22192)), e2i = f32x4.sub(v128.load(p, 5376), v128.load(p, 22176));
      const t0r = f32x4.add(e0r, e2i), t0i = f32x4.sub(e0i, e2r), u0r = f32x4.sub(e0r, e2i), u0i = f32x4.add(e0i, e2r);
      const e1r = f32x4.sub(v128.load(p, 20176), v128.load(p, 7408)), e1i = f32x4.sub(v128.load(p, 20160), v128.load(p, 7392)), e3r = f32x4.sub(v128.load(p, 16144), v128.load(p, 11440)), e3i = f32x4.sub(v128.load(p, 16128), v128.load(p, 11424));
      const p1 = f32x4.mul(h, f32x4.add(e1r, e1i)), q1 = f32x4.mul(h, f32x4.sub(e1i, e1r));
      const p3 = f32x4.mul(h, f32x4.sub(e3i, e3r)), m3 = f32x4.mul(h, f32x4.add(e3r, e3i));
      const t1r = f32x4.add(p1, p3), t1i = f32x4.sub(q1, m3), u1r = f32x4.sub(p1, p3), u1i = f32x4.add(q1, m3);
      v128.store(w, f32x4.add(t0r, t1r), 160); v128.store(w, f32x4.add(t0i, t1i), 176);
      v128.store(w, f32x4.sub(t0r, t1r), 800); v128.store(w, f32x4.sub(t0i, t1i), 816);
      v128.store(w, f32x4.add(u0r, u1i), 480); v128.store(w, f32x4.sub(u0i, u1r), 496);
      v128.store(w, f32x4.sub(u0r, u1i), 1120); v128.store(w, f32x4.add(u0i, u1r), 1136);
      w += LSTR;
      t += 4;
    }
  }
  {
    let w = W + 96;
    let t = tab;
    for (let b = 0; b < nb; b++) {
      const p = base + <usize>load<u32>(t);
      const b0r = f32x4.add(v128.load(p, 24880), v128.load(p, 2704)), b0i = f32x4.add(v128.load(p, 24864), v128.load(p, 2688)), b2r = f32x4.add(v128.load(p, 3376), v128.load(p, 24208)), b2i = f32x4.add(v128.load(p, 3360), v128.load(p, 24192));
      const s0r = f32x4.add(b0r, b2r), s0i = f32x4.add(b0i, b2i), d0r = f32x4.sub(b0r, b2r), d0i = f32x4.sub(b0i, b2i);
      const b1r = f32x4.add(v128.load(p, 19504), v128.load(p, 8080)), b1i = f32x4.add(v128.load(p, 19488), v128.load(p, 8064)), b3r = f32x4.add(v128.load(p, 10096), v128.load(p, 17488)), b3i = f32x4.add(v128.load(p, 10080), v128.load(p, 17472));
      const s1r = f32x4.add(b1r, b3r), s1i = f32x4.add(b1i, b3i), d1r = f32x4.sub(b1r, b3r), d1i = f32x4.sub(b1i, b3i);
      v128.store(w, f32x4.add(s0r, s1r), 0); v128.store(w, f32x4.add(s0i, s1i), 16);
      v128.store(w, f32x4.sub(s0r, s1r), 640); v128.store(w, f32x4.sub(s0i, s1i), 656);
      v128.store(w, f32x4.add(d0r, d1i), 320); v128.store(w, f32x4.sub(d0i, d1r), 336);
      v128.store(w, f32x4.sub(d0r, d1i), 960); v128.store(w, f32x4.add(d0i, d1r), 976);
      const e0r = f32x4.sub(v128.load(p, 24880), v128.load(p, 2704)), e0i = f32x4.sub(v128.load(p, 24864), v128.load(p, 2688)), e2r = f32x4.sub(v128.load(p, 3376), v128.load(p, 24208)), e2i = f32x4.sub(v128.load(p, 3360), v128.load(p, 24192));
      const t0r = f32x4.add(e0r, e2i), t0i = f32x4.sub(e0i, e2r), u0r = f32x4.sub(e0r, e2i), u0i = f32x4.add(e0i, e2r);
      const e1r = f32x4.sub(v128.load(p, 19504), v128.load(p, 8080)), e1i = f32x4.sub(v128.load(p, 19488), v128.load(p, 8064)), e3r = f32x4.sub(v128.load(p, 10096), v128.load(p, 17488)), e3i = f32x4.sub(v128.load(p, 10080), v128.load(p, 17472));
      const p1 = f32x4.mul(h, f32x4.add(e1r, e1i)), q1 = f32x4.mul(h, f32x4.sub(e1i, e1r));
      const p3 = f32x4.mul(h, f32x4.sub(e3i, e3r)), m3 = f32x4.mul(h, f32x4.add(e3r, e3i));
      const t1r = f32x4.add(p1, p3), t1i = f32x4.sub(q1, m3), u1r = f32x4.sub(p1, p3), u1i = f32x4.add(q1, m3);
      v128.store(w, f32x4.add(t0r, t1r), 160); v128.store(w, f32x4.add(t0i, t1i), 176);
      v128.store(w, f32x4.sub(t0r, t1r), 800); v128.store(w, f32x4.sub(t0i, t1i), 816);
      v128.store(w, f32x4.add(u0r, u1i), 480); v128.store(w, f32x4.sub(u0i, u1r), 496);
      v128.store(w, f32x4.sub(u0r, u1i), 1120); v128.store(w, f32x4.add(u0i, u1r), 1136);
      w += LSTR;
      t += 4;
    }
  }
  {
    let w = W + 128;
    let t = tab;
    for (let b = 0; b < nb; b++) {
      const p = base + <usize>load<u32>(t);
      const b0r = f32x4.add(v128.load(p, 12112), v128.load(p, 15472)), b0i = f32x4.add(v128.load(p, 12096), v128.load(p, 15456)), b2r = f32x4.add(v128.load(p, 26224), v128.load(p, 1360)), b2i = f32x4.add(v128.load(p, 26208), v128.load(p, 1344));
      const s0r = f32x4.add(b0r, b2r), s0i = f32x4.add(b0i, b2i), d0r = f32x4.sub(b0r, b2r), d0i = f32x4.sub(b0i, b2i);
      const b1r = f32x4.add(v128.load(p, 8752), v128.load(p, 18832)), b1i = f32x4.add(v128.load(p, 8736), v128.load(p, 18816)), b3r = f32x4.add(v128.load(p, 23536), v128.load(p, 4048)), b3i = f32x4.add(v128.load(p, 23520), v128.load(p, 4032));
      const s1r = f32x4.add(b1r, b3r), s1i = f32x4.add(b1i, b3i), d1r = f32x4.sub(b1r, b3r), d1i = f32x4.sub(b1i, b3i);
      v128.store(w, f32x4.add(s0r, s1r), 0); v128.store(w, f32x4.add(s0i, s1i), 16);
      v128.store(w, f32x4.sub(s0r, s1r), 640); v128.store(w, f32x4.sub(s0i, s1i), 656);
      v128.store(w, f32x4.add(d0r, d1i), 320); v128.store(w, f32x4.sub(d0i, d1r), 336);
      v128.store(w, f32x4.sub(d0r, d1i), 960); v128.store(w, f32x4.add(d0i, d1r), 976);
      const e0r = f32x4.sub(v128.load(p, 12112), v128.load(p, 15472)), e0i = f32x4.sub(v128.load(p, 12096), v128.load(p, 15456)), e2r = f32x4.sub(v128.load(p, 26224), v128.load(p, 1360)), e2i = f32x4.sub(v128.load(p, 26208), v128.load(p, 1344));
      const t0r = f32x4.add(e0r, e2i), t0i = f32x4.sub(e0i, e2r), u0r = f32x4.sub(e0r, e2i), u0i = f32x4.add(e0i, e2r);
      const e1r = f32x4.sub(v128.load(p, 8752), v128.load(p, 18832)), e1i = f32x4.sub(v128.load(p, 8736), v128.load(p, 18816)), e3r = f32x4.sub(v128.load(p, 23536), v128.load(p, 4048)), e3i = f32x4.sub(v128.load(p, 23520), v128.load(p, 4032));
      const p1 = f32x4.mul(h, f32x4.add(e1r, e1i)), q1 = f32x4.mul(h, f32x4.sub(e1i, e1r));
      const p3 = f32x4.mul(h, f32x4.sub(e3i, e3r)), m3 = f32x4.mul(h, f32x4.add(e3r, e3i));
      const t1r = f32x4.add(p1, p3), t1i = f32x4.sub(q1, m3), u1r = f32x4.sub(p1, p3), u1i = f32x4.add(q1, m3);
      v128.store(w, f32x4.add(t0r, t1r), 160); v128.store(w, f32x4.add(t0i, t1i), 176);
      v128.store(w, f32x4.sub(t0r, t1r), 800); v128.store(w, f32x4.sub(t0i, t1i), 816);
      v128.store(w, f32x4.add(u0r, u1i), 480); v128.store(w, f32x4.sub(u0i, u1r), 496);
      v128.store(w, f32x4.sub(u0r, u1i), 1120); v128.store(w, f32x4.add(u0i, u1r), 1136);
      w += LSTR;
      t += 4;
    }
  }
}

/** P1, inverse rows: the Hermitian line X_2b + i·X_2b+1 from half-spectrum rows (base + tab[b], +672). */
function p1TangleL(base: usize, tab: usize, nb: i32): void {
  const h = f32x4.splat(H8), sign = i32x4.splat(i32.MIN_VALUE);
  {
    let w = W + 0;
    let t = tab;
    for (let b = 0; b < nb; b++) {
      const p = base + <usize>load<u32>(t);
      const b0r = v128.load(p, 704), b0i = v128.load(p, 32), b2r = v128.load(p, 960), b2i = v128.load(p, 288);
      const s0r = f32x4.add(b0r, b2r), s0i = f32x4.add(b0i, b2i), d0r = f32x4.sub(b0r, b2r), d0i = f32x4.sub(b0i, b2i);
      const b1r = v128.load(p, 768), b1i = v128.load(p, 96), b3r = v128.load(p, 1120), b3i = v128.load(p, 448);
      const s1r = f32x4.add(b1r, b3r), s1i = f32x4.add(b1i, b3i), d1r = f32x4.sub(b1r, b3r), d1i = f32x4.sub(b1i, b3i);
      v128.store(w, f32x4.add(s0r, s1r), 0); v128.store(w, f32x4.add(s0i, s1i), 16);
      v128.store(w, f32x4.sub(s0r, s1r), 640); v128.store(w, f32x4.sub(s0i, s1i), 656);
      v128.store(w, f32x4.add(d0r, d1i), 320); v128.store(w, f32x4.sub(d0i, d1r), 336);
      v128.store(w, f32x4.sub(d0r, d1i), 960); v128.store(w, f32x4.add(d0i, d1r), 976);
      const e0r = v128.load(p, 48), e0i = v128.xor(v128.load(p, 720), sign), e2r = v128.load(p, 304), e2i = v128.xor(v128.load(p, 976), sign);
      const t0r = f32x4.add(e0r, e2i), t0i = f32x4.sub(e0i, e2r), u0r = f32x4.sub(e0r, e2i), u0i = f32x4.add(e0i, e2r);
      const e1r = v128.load(p, 112), e1i = v128.xor(v128.load(p, 784), sign), e3r = v128.xor(v128.load(p, 464), sign), e3i = v128.load(p, 1136);
      const p1 = f32x4.mul(h, f32x4.add(e1r, e1i)), q1 = f32x4.mul(h, f32x4.sub(e1i, e1r));
      const p3 = f32x4.mul(h, f32x4.sub(e3i, e3r)), m3 = f32x4.mul(h, f32x4.add(e3r, e3i));
      const t1r = f32x4.add(p1, p3), t1i = f32x4.sub(q1, m3), u1r = f32x4.sub(p1, p3), u1i = f32x4.add(q1, m3);
      v128.store(w, f32x4.add(t0r, t1r), 160); v128.store(w, f32x4.add(t0i, t1i), 176);
      v128.store(w, f32x4.sub(t0r, t1r), 800); v128.store(w, f32x4.sub(t0i, t1i), 816);
      v128.store(w, f32x4.add(u0r, u1i), 480); v128.store(w, f32x4.sub(u0i, u1r), 496);
      v128.store(w, f32x4.sub(u0r, u1i), 1120); v128.store(w, f32x4.add(u0i, u1r), 1136);
      w += LSTR;
      t += 4;
    }
  }
  {
    let w = W + 32;
    let t = tab;
    for (let b = 0; b < nb; b++) {
      const p = base + <usize>load<u32>(t);
      const b0r = v128.load(p, 1184), b0i = v128.load(p, 512), b2r = v128.load(p, 1312), b2i = v128.load(p, 640);
      const s0r = f32x4.add(b0r, b2r), s0i = f32x4.add(b0i, b2i), d0r = f32x4.sub(b0r, b2r), d0i = f32x4.sub(b0i, b2i);
      const b1r = v128.load(p, 896), b1i = v128.load(p, 224), b3r = v128.load(p, 1280), b3i = v128.load(p, 608);
      const s1r = f32x4.add(b1r, b3r), s1i = f32x4.add(b1i, b3i), d1r = f32x4.sub(b1r, b3r), d1i = f32x4.sub(b1i, b3i);
      v128.store(w, f32x4.add(s0r, s1r), 0); v128.store(w, f32x4.add(s0i, s1i), 16);
      v128.store(w, f32x4.sub(s0r, s1r), 640); v128.store(w, f32x4.sub(s0i, s1i), 656);
      v128.store(w, f32x4.add(d0r, d1i), 320); v128.store(w, f32x4.sub(d0i, d1r), 336);
      v128.store(w, f32x4.sub(d0r, d1i), 960); v128.store(w, f32x4.add(d0i, d1r), 976);
      const e0r = v128.load(p, 528), e0i = v128.xor(v128.load(p, 1200), sign), e2r = v128.xor(v128.load(p, 656), sign), e2i = v128.load(p, 1328);
      const t0r = f32x4.add(e0r, e2i), t0i = f32x4.sub(e0i, e2r), u0r = f32x4.sub(e0r, e2i), u0i = f32x4.add(e0i, e2r);
      const e1r = v128.load(p, 240), e1i = v128.xor(v128.load(p, 912), sign), e3r = v128.xor(v128.load(p, 624), sign), e3i = v128.load(p, 1296);
      const p1 = f32x4.mul(h, f32x4.add(e1r, e1i)), q1 = f32x4.mul(h, f32x4.sub(e1i, e1r));
      const p3 = f32x4.mul(h, f32x4.sub(e3i, e3r)), m3 = f32x4.mul(h, f32x4.add(e3r, e3i));
      const t1r = f32x4.add(p1, p3), t1i = f32x4.sub(q1, m3), u1r = f32x4.sub(p1, p3), u1i = f32x4.add(q1, m3);
      v128.store(w, f32x4.add(t0r, t1r), 160); v128.store(w, f32x4.add(t0i, t1i), 176);
      v128.store(w, f32x4.sub(t0r, t1r), 800); v128.store(w, f32x4.sub(t0i, t1i), 816);
      v128.store(w, f32x4.add(u0r, u1i), 480); v128.store(w, f32x4.sub(u0i, u1r), 496);
      v128.store(w, f32x4.sub(u0r, u1i), 1120); v128.store(w, f32x4.add(u0i, u1r), 1136);
      w += LSTR;
      t += 4;
    }
  }
  {
    let w = W + 64;
    let t = tab;
    for (let b = 0; b < nb; b++) {
      const p = base + <usize>load<u32>(t);
      const b0r = v128.load(p, 992), b0i = v128.load(p, 320), b2r = v128.load(p, 928), b2i = v128.load(p, 256);
      const s0r = f32x4.add(b0r, b2r), s0i = f32x4.add(b0i, b2i), d0r = f32x4.sub(b0r, b2r), d0i = f32x4.sub(b0i, b2i);
      const b1r = v128.load(p, 1024), b1i = v128.load(p, 352), b3r = v128.load(p, 1216), b3i = v128.load(p, 544);
      const s1r = f32x4.add(b1r, b3r), s1i = f32x4.add(b1i, b3i), d1r = f32x4.sub(b1r, b3r), d1i = f32x4.sub(b1i, b3i);
      v128.store(w, f32x4.add(s0r, s1r), 0); v128.store(w, f32x4.add(s0i, s1i), 16);
      v128.store(w, f32x4.sub(s0r, s1r), 640); v128.store(w, f32x4.sub(s0i, s1i), 656);
      v128.store(w, f32x4.add(d0r, d1i), 320); v128.store(w, f32x4.sub(d0i, d1r), 336);
      v128.store(w, f32x4.sub(d0r, d1i), 960); v128.store(w, f32x4.add(d0i, d1r), 976);
      const e0r = v128.load(p, 336), e0i = v128.xor(v128.load(p, 1008), sign), e2r = v128.load(p, 272), e2i = v128.xor(v128.load(p, 944), sign);
      const t0r = f32x4.add(e0r, e2i), t0i = f32x4.sub(e0i, e2r), u0r = f32x4.sub(e0r, e2i), u0i = f32x4.add(e0i, e2r);
      const e1r = v128.xor(v128.load(p, 368), sign), e1i = v128.load(p, 1040), e3r = v128.xor(v128.load(p, 560), sign), e3i = v128.load(p, 1232);
      const p1 = f32x4.mul(h, f32x4.add(e1r, e1i)), q1 = f32x4.mul(h, f32x4.sub(e1i, e1r));
      const p3 = f32x4.mul(h, f32x4.sub(e3i, e3r)), m3 = f32x4.mul(h, f32x4.add(e3r, e3i));
      const t1r = f32x4.add(p1, p3), t1i = f32x4.sub(q1, m3), u1r = f32x4.sub(p1, p3), u1i = f32x4.add(q1, m3);
      v128.store(w, f32x4.add(t0r, t1r), 160); v128.store(w, f32x4.add(t0i, t1i), 176);
      v128.store(w, f32x4.sub(t0r, t1r), 800); v128.store(w, f32x4.sub(t0i, t1i), 816);
      v128.store(w, f32x4.add(u0r, u1i), 480); v128.store(w, f32x4.sub(u0i, u1r), 496);
      v128.store(w, f32x4.sub(u0r, u1i), 1120); v128.store(w, f32x4.add(u0i, u1r), 1136);
      w += LSTR;
      t += 4;
    }
  }
  {
    let w = W + 96;
    let t = tab;
    for (let b = 0; b < nb; b++) {
      const p = base + <usize>load<u32>(t);
      const b0r = v128.load(p, 800), b0i = v128.load(p, 128), b2r = v128.load(p, 832), b2i = v128.load(p, 160);
      const s0r = f32x4.add(b0r, b2r), s0i = f32x4.add(b0i, b2i), d0r = f32x4.sub(b0r, b2r), d0i = f32x4.sub(b0i, b2i);
      const b1r = v128.load(p, 1056), b1i = v128.load(p, 384), b3r = v128.load(p, 1152), b3i = v128.load(p, 480);
      const s1r = f32x4.add(b1r, b3r), s1i = f32x4.add(b1i, b3i), d1r = f32x4.sub(b1r, b3r), d1i = f32x4.sub(b1i, b3i);
      v128.store(w, f32x4.add(s0r, s1r), 0); v128.store(w, f32x4.add(s0i, s1i), 16);
      v128.store(w, f32x4.sub(s0r, s1r), 640); v128.store(w, f32x4.sub(s0i, s1i), 656);
      v128.store(w, f32x4.add(d0r, d1i), 320); v128.store(w, f32x4.sub(d0i, d1r), 336);
      v128.store(w, f32x4.sub(d0r, d1i), 960); v128.store(w, f32x4.add(d0i, d1r), 976);
      const e0r = v128.xor(v128.load(p, 144), sign), e0i = v128.load(p, 816), e2r = v128.load(p, 176), e2i = v128.xor(v128.load(p, 848), sign);
      const t0r = f32x4.add(e0r, e2i), t0i = f32x4.sub(e0i, e2r), u0r = f32x4.sub(e0r, e2i), u0i = f32x4.add(e0i, e2r);
      const e1r = v128.xor(v128.load(p, 400), sign), e1i = v128.load(p, 1072), e3r = v128.load(p, 496), e3i = v128.xor(v128.load(p, 1168), sign);
      const p1 = f32x4.mul(h, f32x4.add(e1r, e1i)), q1 = f32x4.mul(h, f32x4.sub(e1i, e1r));
      const p3 = f32x4.mul(h, f32x4.sub(e3i, e3r)), m3 = f32x4.mul(h, f32x4.add(e3r, e3i));
      const t1r = f32x4.add(p1, p3), t1i = f32x4.sub(q1, m3), u1r = f32x4.sub(p1, p3), u1i = f32x4.add(q1, m3);
      v128.store(w, f32x4.add(t0r, t1r), 160); v128.store(w, f32x4.add(t0i, t1i), 176);
      v128.store(w, f32x4.sub(t0r, t1r), 800); v128.store(w, f32x4.sub(t0i, t1i), 816);
      v128.store(w, f32x4.add(u0r, u1i), 480); v128.store(w, f32x4.sub(u0i, u1r), 496);
      v128.store(w, f32x4.sub(u0r, u1i), 1120); v128.store(w, f32x4.add(u0i, u1r), 1136);
      w += LSTR;
      t += 4;
    }
  }
  {
    let w = W + 128;
    let t = tab;
    for (let b = 0; b < nb; b++) {
      const p = base + <usize>load<u32>(t);
      const b0r = v128.load(p, 1248), b0i = v128.load(p, 576), b2r = v128.load(p, 736), b2i = v128.load(p, 64);
      const s0r = f32x4.add(b0r, b2r), s0i = f32x4.add(b0i, b2i), d0r = f32x4.sub(b0r, b2r), d0i = f32x4.sub(b0i, b2i);
      const b1r = v128.load(p, 1088), b1i = v128.load(p, 416), b3r = v128.load(p, 864), b3i = v128.load(p, 192);
      const s1r = f32x4.add(b1r, b3r), s1i = f32x4.add(b1i, b3i), d1r = f32x4.sub(b1r, b3r), d1i = f32x4.sub(b1i, b3i);
      v128.store(w, f32x4.add(s0r, s1r), 0); v128.store(w, f32x4.add(s0i, s1i), 16);
      v128.store(w, f32x4.sub(s0r, s1r), 640); v128.store(w, f32x4.sub(s0i, s1i), 656);
      v128.store(w, f32x4.add(d0r, d1i), 320); v128.store(w, f32x4.sub(d0i, d1r), 336);
      v128.store(w, f32x4.sub(d0r, d1i), 960); v128.store(w, f32x4.add(d0i, d1r), 976);
      const e0r = v128.load(p, 592), e0i = v128.xor(v128.load(p, 1264), sign), e2r = v128.xor(v128.load(p, 80), sign), e2i = v128.load(p, 752);
      const t0r = f32x4.add(e0r, e2i), t0i = f32x4.sub(e0i, e2r), u0r = f32x4.sub(e0r, e2i), u0i = f32x4.add(e0i, e2r);
      const e1r = v128.load(p, 432), e1i = v128.xor(v128.load(p, 1104), sign), e3r = v128.xor(v128.load(p, 208), sign), e3i = v128.load(p, 880);
      const p1 = f32x4.mul(h, f32x4.add(e1r, e1i)), q1 = f32x4.mul(h, f32x4.sub(e1i, e1r));
      const p3 = f32x4.mul(h, f32x4.sub(e3i, e3r)), m3 = f32x4.mul(h, f32x4.add(e3r, e3i));
      const t1r = f32x4.add(p1, p3), t1i = f32x4.sub(q1, m3), u1r = f32x4.sub(p1, p3), u1i = f32x4.add(q1, m3);
      v128.store(w, f32x4.add(t0r, t1r), 160); v128.store(w, f32x4.add(t0i, t1i), 176);
      v128.store(w, f32x4.sub(t0r, t1r), 800); v128.store(w, f32x4.sub(t0i, t1i), 816);
      v128.store(w, f32x4.add(u0r, u1i), 480); v128.store(w, f32x4.sub(u0i, u1r), 496);
      v128.store(w, f32x4.sub(u0r, u1i), 1120); v128.store(w, f32x4.add(u0i, u1r), 1136);
      w += LSTR;
      t += 4;
    }
  }
}

/** P3, forward columns (NHX = 21): X[e] at 672e, re +0, im +16. */
function p3ColsL(base: usize, tab: usize, nb: i32): void {
  const h = f32x4.splat(H8), sign = i32x4.splat(i32.MIN_VALUE);
  {
    let w = W + 0;
    let t = tab;
    for (let b = 0; b < nb; b++) {
      const p = base + <usize>load<u32>(t);
      const b0r = f32x4.add(v128.load(w, 16), v128.load(w, 656)), b0i = f32x4.add(v128.load(w, 0), v128.load(w, 640)), b2r = f32x4.add(v128.load(w, 336), v128.load(w, 976)), b2i = f32x4.add(v128.load(w, 320), v128.load(w, 960));
      const s0r = f32x4.add(b0r, b2r), s0i = f32x4.add(b0i, b2i), d0r = f32x4.sub(b0r, b2r), d0i = f32x4.sub(b0i, b2i);
      const b1r = f32x4.add(v128.load(w, 176), v128.load(w, 816)), b1i = f32x4.add(v128.load(w, 160), v128.load(w, 800)), b3r = f32x4.add(v128.load(w, 496), v128.load(w, 1136)), b3i = f32x4.add(v128.load(w, 480), v128.load(w, 1120));
      const s1r = f32x4.add(b1r, b3r), s1i = f32x4.add(b1i, b3i), d1r = f32x4.sub(b1r, b3r), d1i = f32x4.sub(b1i, b3i);
      v128.store(p, f32x4.add(s0i, s1i), 672); v128.store(p, f32x4.add(s0r, s1r), 688);
      v128.store(p, f32x4.sub(s0i, s1i), 26880); v128.store(p, f32x4.sub(s0r, s1r), 26896);
      v128.store(p, f32x4.sub(d0i, d1r), 21504); v128.store(p, f32x4.add(d0r, d1i), 21520);
      v128.store(p, f32x4.add(d0i, d1r), 6048); v128.store(p, f32x4.sub(d0r, d1i), 6064);
      const e0r = f32x4.sub(v128.load(w, 16), v128.load(w, 656)), e0i = f32x4.sub(v128.load(w, 0), v128.load(w, 640)), e2r = f32x4.sub(v128.load(w, 336), v128.load(w, 976)), e2i = f32x4.sub(v128.load(w, 320), v128.load(w, 960));
      const t0r = f32x4.add(e0r, e2i), t0i = f32x4.sub(e0i, e2r), u0r = f32x4.sub(e0r, e2i), u0i = f32x4.add(e0i, e2r);
      const e1r = f32x4.sub(v128.load(w, 176), v128.load(w, 816)), e1i = f32x4.sub(v128.load(w, 160), v128.load(w, 800)), e3r = f32x4.sub(v128.load(w, 496), v128.load(w, 1136)), e3i = f32x4.sub(v128.load(w, 480), v128.load(w, 1120));
      const p1 = f32x4.mul(h, f32x4.add(e1r, e1i)), q1 = f32x4.mul(h, f32x4.sub(e1i, e1r));
      const p3 = f32x4.mul(h, f32x4.sub(e3i, e3r)), m3 = f32x4.mul(h, f32x4.add(e3r, e3i));
      const t1r = f32x4.add(p1, p3), t1i = f32x4.sub(q1, m3), u1r = f32x4.sub(p1, p3), u1i = f32x4.add(q1, m3);
      v128.store(p, f32x4.add(t0i, t1i), 9408); v128.store(p, f32x4.add(t0r, t1r), 9424);
      v128.store(p, f32x4.sub(t0i, t1i), 18144); v128.store(p, f32x4.sub(t0r, t1r), 18160);
      v128.store(p, f32x4.sub(u0i, u1r), 25536); v128.store(p, f32x4.add(u0r, u1i), 25552);
      v128.store(p, f32x4.add(u0i, u1r), 2016); v128.store(p, f32x4.sub(u0r, u1i), 2032);
      w += LSTR;
      t += 4;
    }
  }
  {
    let w = W + 32;
    let t = tab;
    for (let b = 0; b < nb; b++) {
      const p = base + <usize>load<u32>(t);
      const b0r = f32x4.add(v128.load(w, 16), v128.load(w, 656)), b0i = f32x4.add(v128.load(w, 0), v128.load(w, 640)), b2r = f32x4.add(v128.load(w, 336), v128.load(w, 976)), b2i = f32x4.add(v128.load(w, 320), v128.load(w, 960));
      const s0r = f32x4.add(b0r, b2r), s0i = f32x4.add(b0i, b2i), d0r = f32x4.sub(b0r, b2r), d0i = f32x4.sub(b0i, b2i);
      const b1r = f32x4.add(v128.load(w, 176), v128.load(w, 816)), b1i = f32x4.add(v128.load(w, 160), v128.load(w, 800)), b3r = f32x4.add(v128.load(w, 496), v128.load(w, 1136)), b3i = f32x4.add(v128.load(w, 480), v128.load(w, 1120));
      const s1r = f32x4.add(b1r, b3r), s1i = f32x4.add(b1i, b3i), d1r = f32x4.sub(b1r, b3r), d1i = f32x4.sub(b1i, b3i);
      v128.store(p, f32x4.add(s0i, s1i), 12096); v128.store(p, f32x4.add(s0r, s1r), 12112);
      v128.store(p, f32x4.sub(s0i, s1i), 15456); v128.store(p, f32x4.sub(s0r, s1r), 15472);
      v128.store(p, f32x4.sub(d0i, d1r), 1344); v128.store(p, f32x4.add(d0r, d1i), 1360);
      v128.store(p, f32x4.add(d0i, d1r), 26208); v128.store(p, f32x4.sub(d0r, d1i), 26224);
      const e0r = f32x4.sub(v128.load(w, 16), v128.load(w, 656)), e0i = f32x4.sub(v128.load(w, 0), v128.load(w, 640)), e2r = f32x4.sub(v128.load(w, 336), v128.load(w, 976)), e2i = f32x4.sub(v128.load(w, 320), v128.load(w, 960));
      const t0r = f32x4.add(e0r, e2i), t0i = f32x4.sub(e0i, e2r), u0r = f32x4.sub(e0r, e2i), u0i = f32x4.add(e0i, e2r);
      const e1r = f32x4.sub(v128.load(w, 176), v128.load(w, 816)), e1i = f32x4.sub(v128.load(w, 160), v128.load(w, 800)), e3r = f32x4.sub(v128.load(w, 496), v128.load(w, 1136)), e3i = f32x4.sub(v128.load(w, 480), v128.load(w, 1120));
      const p1 = f32x4.mul(h, f32x4.add(e1r, e1i)), q1 = f32x4.mul(h, f32x4.sub(e1i, e1r));
      const p3 = f32x4.mul(h, f32x4.sub(e3i, e3r)), m3 = f32x4.mul(h, f32x4.add(e3r, e3i));
      const t1r = f32x4.add(p1, p3), t1i = f32x4.sub(q1, m3), u1r = f32x4.sub(p1, p3), u1i = f32x4.add(q1, m3);
      v128.store(p, f32x4.add(t0i, t1i), 4032); v128.store(p, f32x4.add(t0r, t1r), 4048);
      v128.store(p, f32x4.sub(t0i, t1i), 23520); v128.store(p, f32x4.sub(t0r, t1r), 23536);
      v128.store(p, f32x4.sub(u0i, u1r), 18816); v128.store(p, f32x4.add(u0r, u1i), 18832);
      v128.store(p, f32x4.add(u0i, u1r), 8736); v128.store(p, f32x4.sub(u0r, u1i), 8752);
      w += LSTR;
      t += 4;
    }
  }
  {
    let w = W + 64;
    let t = tab;
    for (let b = 0; b < nb; b++) {
      const p = base + <usize>load<u32>(t);
      const b0r = f32x4.add(v128.load(w, 16), v128.load(w, 656)), b0i = f32x4.add(v128.load(w, 0), v128.load(w, 640)), b2r = f32x4.add(v128.load(w, 336), v128.load(w, 976)), b2i = f32x4.add(v128.load(w, 320), v128.load(w, 960));
      const s0r = f32x4.add(b0r, b2r), s0i = f32x4.add(b0i, b2i), d0r = f32x4.sub(b0r, b2r), d0i = f32x4.sub(b0i, b2i);
      const b1r = f32x4.add(v128.load(w, 176), v128.load(w, 816)), b1i = f32x4.add(v128.load(w, 160), v128.load(w, 800)), b3r = f32x4.add(v128.load(w, 496), v128.load(w, 1136)), b3i = f32x4.add(v128.load(w, 480), v128.load(w, 1120));
      const s1r = f32x4.add(b1r, b3r), s1i = f32x4.add(b1i, b3i), d1r = f32x4.sub(b1r, b3r), d1i = f32x4.sub(b1i, b3i);
      v128.store(p, f32x4.add(s0i, s1i), 24864); v128.store(p, f32x4.add(s0r, s1r), 24880);
      v128.store(p, f32x4.sub(s0i, s1i), 2688); v128.store(p, f32x4.sub(s0r, s1r), 2704);
      v128.store(p, f32x4.sub(d0i, d1r), 24192); v128.store(p, f32x4.add(d0r, d1i), 24208);
      v128.store(p, f32x4.add(d0i, d1r), 3360); v128.store(p, f32x4.sub(d0r, d1i), 3376);
      const e0r = f32x4.sub(v128.load(w, 16), v128.load(w, 656)), e0i = f32x4.sub(v128.load(w, 0), v128.load(w, 640)), e2r = f32x4.sub(v128.load(w, 336), v128.load(w, 976)), e2i = f32x4.sub(v128.load(w, 320), v128.load(w, 960));
      const t0r = f32x4.add(e0r, e2i), t0i = f32x4.sub(e0i, e2r), u0r = f32x4.sub(e0r, e2i), u0i = f32x4.add(e0i, e2r);
      const e1r = f32x4.sub(v128.load(w, 176), v128.load(w, 816)), e1i = f32x4.sub(v128.load(w, 160), v128.load(w, 800)), e3r = f32x4.sub(v128.load(w, 496), v128.load(w, 1136)), e3i = f32x4.sub(v128.load(w, 480), v128.load(w, 1120));
      const p1 = f32x4.mul(h, f32x4.add(e1r, e1i)), q1 = f32x4.mul(h, f32x4.sub(e1i, e1r));
      const p3 = f32x4.mul(h, f32x4.sub(e3i, e3r)), m3 = f32x4.mul(h, f32x4.add(e3r, e3i));
      const t1r = f32x4.add(p1, p3), t1i = f32x4.sub(q1, m3), u1r = f32x4.sub(p1, p3), u1i = f32x4.add(q1, m3);
      v128.store(p, f32x4.add(t0i, t1i), 17472); v128.store(p, f32x4.add(t0r, t1r), 17488);
      v128.store(p, f32x4.sub(t0i, t1i), 10080); v128.store(p, f32x4.sub(t0r, t1r), 10096);
      v128.store(p, f32x4.sub(u0i, u1r), 8064); v128.store(p, f32x4.add(u0r, u1i), 8080);
      v128.store(p, f32x4.add(u0i, u1r), 19488); v128.store(p, f32x4.sub(u0r, u1i), 19504);
      w += LSTR;
      t += 4;
    }
  }
  {
    let w = W + 96;
    let t = tab;
    for (let b = 0; b < nb; b++) {
      const p = base + <usize>load<u32>(t);
      const b0r = f32x4.add(v128.load(w, 16), v128.load(w, 656)), b0i = f32x4.add(v128.load(w, 0), v128.load(w, 640)), b2r = f32x4.add(v128.load(w, 336), v128.load(w, 976)), b2i = f32x4.add(v128.load(w, 320), v128.load(w, 960));
      const s0r = f32x4.add(b0r, b2r), s0i = f32x4.add(b0i, b2i), d0r = f32x4.sub(b0r, b2r), d0i = f32x4.sub(b0i, b2i);
      const b1r = f32x4.add(v128.load(w, 176), v128.load(w, 816)), b1i = f32x4.add(v128.load(w, 160), v128.load(w, 800)), b3r = f32x4.add(v128.load(w, 496), v128.load(w, 1136)), b3i = f32x4.add(v128.load(w, 480), v128.load(w, 1120));
      const s1r = f32x4.add(b1r, b3r), s1i = f32x4.add(b1i, b3i), d1r = f32x4.sub(b1r, b3r), d1i = f32x4.sub(b1i, b3i);
      v128.store(p, f32x4.add(s0i, s1i), 6720); v128.store(p, f32x4.add(s0r, s1r), 6736);
      v128.store(p, f32x4.sub(s0i, s1i), 20832); v128.store(p, f32x4.sub(s0r, s1r), 20848);
      v128.store(p, f32x4.sub(d0i, d1r), 22176); v128.store(p, f32x4.add(d0r, d1i), 22192);
      v128.store(p, f32x4.add(d0i, d1r), 5376); v128.store(p, f32x4.sub(d0r, d1i), 5392);
      const e0r = f32x4.sub(v128.load(w, 16), v128.load(w, 656)), e0i = f32x4.sub(v128.load(w, 0), v128.load(w, 640)), e2r = f32x4.sub(v128.load(w, 336), v128.load(w, 976)), e2i = f32x4.sub(v128.load(w, 320), v128.load(w, 960));
      const t0r = f32x4.add(e0r, e2i), t0i = f32x4.sub(e0i, e2r), u0r = f32x4.sub(e0r, e2i), u0i = f32x4.add(e0i, e2r);
      const e1r = f32x4.sub(v128.load(w, 176), v128.load(w, 816)), e1i = f32x4.sub(v128.load(w, 160), v128.load(w, 800)), e3r = f32x4.sub(v128.load(w, 496), v128.load(w, 1136)), e3i = f32x4.sub(v128.load(w, 480), v128.load(w, 1120));
      const p1 = f32x4.mul(h, f32x4.add(e1r, e1i)), q1 = f32x4.mul(h, f32x4.sub(e1i, e1r));
      const p3 = f32x4.mul(h, f32x4.sub(e3i, e3r)), m3 = f32x4.mul(h, f32x4.add(e3r, e3i));
      const t1r = f32x4.add(p1, p3), t1i = f32x4.sub(q1, m3), u1r = f32x4.sub(p1, p3), u1i = f32x4.add(q1, m3);
      v128.store(p, f32x4.add(t0i, t1i), 11424); v128.store(p, f32x4.add(t0r, t1r), 11440);
      v128.store(p, f32x4.sub(t0i, t1i), 16128); v128.store(p, f32x4.sub(t0r, t1r), 16144);
      v128.store(p, f32x4.sub(u0i, u1r), 7392); v128.store(p, f32x4.add(u0r, u1i), 7408);
      v128.store(p, f32x4.add(u0i, u1r), 20160); v128.store(p, f32x4.sub(u0r, u1i), 20176);
      w += LSTR;
      t += 4;
    }
  }
  {
    let w = W + 128;
    let t = tab;
    for (let b = 0; b < nb; b++) {
      const p = base + <usize>load<u32>(t);
      const b0r = f32x4.add(v128.load(w, 16), v128.load(w, 656)), b0i = f32x4.add(v128.load(w, 0), v128.load(w, 640)), b2r = f32x4.add(v128.load(w, 336), v128.load(w, 976)), b2i = f32x4.add(v128.load(w, 320), v128.load(w, 960));
      const s0r = f32x4.add(b0r, b2r), s0i = f32x4.add(b0i, b2i), d0r = f32x4.sub(b0r, b2r), d0i = f32x4.sub(b0i, b2i);
      const b1r = f32x4.add(v128.load(w, 176), v128.load(w, 816)), b1i = f32x4.add(v128.load(w, 160), v128.load(w, 800)), b3r = f32x4.add(v128.load(w, 496), v128.load(w, 1136)), b3i = f32x4.add(v128.load(w, 480), v128.load(w, 1120));
      const s1r = f32x4.add(b1r, b3r), s1i = f32x4.add(b1i, b3i), d1r = f32x4.sub(b1r, b3r), d1i = f32x4.sub(b1i, b3i);
      v128.store(p, f32x4.add(s0i, s1i), 10752); v128.store(p, f32x4.add(s0r, s1r), 10768);
      v128.store(p, f32x4.sub(s0i, s1i), 16800); v128.store(p, f32x4.sub(s0r, s1r), 16816);
      v128.store(p, f32x4.sub(d0i, d1r), 13440); v128.store(p, f32x4.add(d0r, d1i), 13456);
      v128.store(p, f32x4.add(d0i, d1r), 14112); v128.store(p, f32x4.sub(d0r, d1i), 14128);
      const e0r = f32x4.sub(v128.load(w, 16), v128.load(w, 656)), e0i = f32x4.sub(v128.load(w, 0), v128.load(w, 640)), e2r = f32x4.sub(v128.load(w, 336), v128.load(w, 976)), e2i = f32x4.sub(v128.load(w, 320), v128.load(w, 960));
      const t0r = f32x4.add(e0r, e2i), t0i = f32x4.sub(e0i, e2r), u0r = f32x4.sub(e0r, e2i), u0i = f32x4.add(e0i, e2r);
      const e1r = f32x4.sub(v128.load(w, 176), v128.load(w, 816)), e1i = f32x4.sub(v128.load(w, 160), v128.load(w, 800)), e3r = f32x4.sub(v128.load(w, 496), v128.load(w, 1136)), e3i = f32x4.sub(v128.load(w, 480), v128.load(w, 1120));
      const p1 = f32x4.mul(h, f32x4.add(e1r, e1i)), q1 = f32x4.mul(h, f32x4.sub(e1i, e1r));
      const p3 = f32x4.mul(h, f32x4.sub(e3i, e3r)), m3 = f32x4.mul(h, f32x4.add(e3r, e3i));
      const t1r = f32x4.add(p1, p3), t1i = f32x4.sub(q1, m3), u1r = f32x4.sub(p1, p3), u1i = f32x4.add(q1, m3);
      v128.store(p, f32x4.add(t0i, t1i), 12768); v128.store(p, f32x4.add(t0r, t1r), 12784);
      v128.store(p, f32x4.sub(t0i, t1i), 14784); v128.store(p, f32x4.sub(t0r, t1r), 14800);
      v128.store(p, f32x4.sub(u0i, u1r), 22848); v128.store(p, f32x4.add(u0r, u1i), 22864);
      v128.store(p, f32x4.add(u0i, u1r), 4704); v128.store(p, f32x4.sub(u0r, u1i), 4720);
      w += LSTR;
      t += 4;
    }
  }
}

/** P3, inverse columns (NHX = 21): as p3ColsL with re and im exchanged. */
function p3ColsIL(base: usize, tab: usize, nb: i32): void {
  const h = f32x4.splat(H8), sign = i32x4.splat(i32.MIN_VALUE);
  {
    let w = W + 0;
    let t = tab;
    for (let b = 0; b < nb; b++) {
      const p = base + <usize>load<u32>(t);
      const b0r = f32x4.add(v128.load(w, 16), v128.load(w, 656)), b0i = f32x4.add(v128.load(w, 0), v128.load(w, 640)), b2r = f32x4.add(v128.load(w, 336), v128.load(w, 976)), b2i = f32x4.add(v128.load(w, 320), v128.load(w, 960));
      const s0r = f32x4.add(b0r, b2r), s0i = f32x4.add(b0i, b2i), d0r = f32x4.sub(b0r, b2r), d0i = f32x4.sub(b0i, b2i);
      const b1r = f32x4.add(v128.load(w, 176), v128.load(w, 816)), b1i = f32x4.add(v128.load(w, 160), v128.load(w, 800)), b3r = f32x4.add(v128.load(w, 496), v128.load(w, 1136)), b3i = f32x4.add(v128.load(w, 480), v128.load(w, 1120));
      const s1r = f32x4.add(b1r, b3r), s1i = f32x4.add(b1i, b3i), d1r = f32x4.sub(b1r, b3r), d1i = f32x4.sub(b1i, b3i);
      v128.store(p, f32x4.add(s0i, s1i), 688); v128.store(p, f32x4.add(s0r, s1r), 672);
      v128.store(p, f32x4.sub(s0i, s1i), 26896); v128.store(p, f32x4.sub(s0r, s1r), 26880);
      v128.store(p, f32x4.sub(d0i, d1r), 21520); v128.store(p, f32x4.add(d0r, d1i), 21504);
      v128.store(p, f32x4.add(d0i, d1r), 6064); v128.store(p, f32x4.sub(d0r, d1i), 6048);
      const e0r = f32x4.sub(v128.load(w, 16), v128.load(w, 656)), e0i = f32x4.sub(v128.load(w, 0), v128.load(w, 640)), e2r = f32x4.sub(v128.load(w, 336), v128.load(w, 976)), e2i = f32x4.sub(v128.load(w, 320), v128.load(w, 960));
      const t0r = f32x4.add(e0r, e2i), t0i = f32x4.sub(e0i, e2r), u0r = f32x4.sub(e0r, e2i), u0i = f32x4.add(e0i, e2r);
      const e1r = f32x4.sub(v128.load(w, 176), v128.load(w, 816)), e1i = f32x4.sub(v128.load(w, 160), v128.load(w, 800)), e3r = f32x4.sub(v128.load(w, 496), v128.load(w, 1136)), e3i = f32x4.sub(v128.load(w, 480), v128.load(w, 1120));
      const p1 = f32x4.mul(h, f32x4.add(e1r, e1i)), q1 = f32x4.mul(h, f32x4.sub(e1i, e1r));
      const p3 = f32x4.mul(h, f32x4.sub(e3i, e3r)), m3 = f32x4.mul(h, f32x4.add(e3r, e3i));
      const t1r = f32x4.add(p1, p3), t1i = f32x4.sub(q1, m3), u1r = f32x4.sub(p1, p3), u1i = f32x4.add(q1, m3);
      v128.store(p, f32x4.add(t0i, t1i), 9424); v128.store(p, f32x4.add(t0r, t1r), 9408);
      v128.store(p, f32x4.sub(t0i, t1i), 18160); v128.store(p, f32x4.sub(t0r, t1r), 18144);
      v128.store(p, f32x4.sub(u0i, u1r), 25552); v128.store(p, f32x4.add(u0r, u1i), 25536);
      v128.store(p, f32x4.add(u0i, u1r), 2032); v128.store(p, f32x4.sub(u0r, u1i), 2016);
      w += LSTR;
      t += 4;
    }
  }
  {
    let w = W + 32;
    let t = tab;
    for (let b = 0; b < nb; b++) {
      const p = base + <usize>load<u32>(t);
      const b0r = f32x4.add(v128.load(w, 16), v128.load(w, 656)), b0i = f32x4.add(v128.load(w, 0), v128.load(w, 640)), b2r = f32x4.add(v128.load(w, 336), v128.load(w, 976)), b2i = f32x4.add(v128.load(w, 320), v128.load(w, 960));
      const s0r = f32x4.add(b0r, b2r), s0i = f32x4.add(b0i, b2i), d0r = f32x4.sub(b0r, b2r), d0i = f32x4.sub(b0i, b2i);
      const b1r = f32x4.add(v128.load(w, 176), v128.load(w, 816)), b1i = f32x4.add(v128.load(w, 160), v128.load(w, 800)), b3r = f32x4.add(v128.load(w, 496), v128.load(w, 1136)), b3i = f32x4.add(v128.load(w, 480), v128.load(w, 1120));
      const s1r = f32x4.add(b1r, b3r), s1i = f32x4.add(b1i, b3i), d1r = f32x4.sub(b1r, b3r), d1i = f32x4.sub(b1i, b3i);
      v128.store(p, f32x4.add(s0i, s1i), 12112); v128.store(p, f32x4.add(s0r, s1r), 12096);
      v128.store(p, f32x4.sub(s0i, s1i), 15472); v128.store(p, f32x4.sub(s0r, s1r), 15456);
      v128.store(p, f32x4.sub(d0i, d1r), 1360); v128.store(p, f32x4.add(d0r, d1i), 1344);
      v128.store(p, f32x4.add(d0i, d1r), 26224); v128.store(p, f32x4.sub(d0r, d1i), 26208);
      const e0r = f32x4.sub(v128.load(w, 16), v128.load(w, 656)), e0i = f32x4.sub(v128.load(w, 0), v128.load(w, 640)), e2r = f32x4.sub(v128.load(w, 336), v128.load(w, 976)), e2i = f32x4.sub(v128.load(w, 320), v128.load(w, 960));
      const t0r = f32x4.add(e0r, e2i), t0i = f32x4.sub(e0i, e2r), u0r = f32x4.sub(e0r, e2i), u0i = f32x4.add(e0i, e2r);
      const e1r = f32x4.sub(v128.load(w, 176), v128.load(w, 816)), e1i = f32x4.sub(v128.load(w, 160), v128.load(w, 800)), e3r = f32x4.sub(v128.load(w, 496), v128.load(w, 1136)), e3i = f32x4.sub(v128.load(w, 480), v128.load(w, 1120));
      const p1 = f32x4.mul(h, f32x4.add(e1r, e1i)), q1 = f32x4.mul(h, f32x4.sub(e1i, e1r));
      const p3 = f32x4.mul(h, f32x4.sub(e3i, e3r)), m3 = f32x4.mul(h, f32x4.add(e3r, e3i));
      const t1r = f32x4.add(p1, p3), t1i = f32x4.sub(q1, m3), u1r = f32x4.sub(p1, p3), u1i = f32x4.add(q1, m3);
      v128.store(p, f32x4.add(t0i, t1i), 4048); v128.store(p, f32x4.add(t0r, t1r), 4032);
      v128.store(p, f32x4.sub(t0i, t1i), 23536); v128.store(p, f32x4.sub(t0r, t1r), 23520);
      v128.store(p, f32x4.sub(u0i, u1r), 18832); v128.store(p, f32x4.add(u0r, u1i), 18816);
      v128.store(p, f32x4.add(u0i, u1r), 8752); v128.store(p, f32x4.sub(u0r, u1i), 8736);
      w += LSTR;
      t += 4;
    }
  }
  {
    let w = W + 64;
    let t = tab;
    for (let b = 0; b < nb; b++) {
      const p = base + <usize>load<u32>(t);
      const b0r = f32x4.add(v128.load(w, 16), v128.load(w, 656)), b0i = f32x4.add(v128.load(w, 0), v128.load(w, 640)), b2r = f32x4.add(v128.load(w, 336), v128.load(w, 976)), b2i = f32x4.add(v128.load(w, 320), v128.load(w, 960));
      const s0r = f32x4.add(b0r, b2r), s0i = f32x4.add(b0i, b2i), d0r = f32x4.sub(b0r, b2r), d0i = f32x4.sub(b0i, b2i);
      const b1r = f32x4.add(v128.load(w, 176), v128.load(w, 816)), b1i = f32x4.add(v128.load(w, 160), v128.load(w, 800)), b3r = f32x4.add(v128.load(w, 496), v128.load(w, 1136)), b3i = f32x4.add(v128.load(w, 480), v128.load(w, 1120));
      const s1r = f32x4.add(b1r, b3r), s1i = f32x4.add(b1i, b3i), d1r = f32x4.sub(b1r, b3r), d1i = f32x4.sub(b1i, b3i);
      v128.store(p, f32x4.add(s0i, s1i), 24880); v128.store(p, f32x4.add(s0r, s1r), 24864);
      v128.store(p, f32x4.sub(s0i, s1i), 2704); v128.store(p, f32x4.sub(s0r, s1r), 2688);
      v128.store(p, f32x4.sub(d0i, d1r), 24208); v128.store(p, f32x4.add(d0r, d1i), 24192);
      v128.store(p, f32x4.add(d0i, d1r), 3376); v128.store(p, f32x4.sub(d0r, d1i), 3360);
      const e0r = f32x4.sub(v128.load(w, 16), v128.load(w, 656)), e0i = f32x4.sub(v128.load(w, 0), v128.load(w, 640)), e2r = f32x4.sub(v128.load(w, 336), v128.load(w, 976)), e2i = f32x4.sub(v128.load(w, 320), v128.load(w, 960));
      const t0r = f32x4.add(e0r, e2i), t0i = f32x4.sub(e0i, e2r), u0r = f32x4.sub(e0r, e2i), u0i = f32x4.add(e0i, e2r);
      const e1r = f32x4.sub(v128.load(w, 176), v128.load(w, 816)), e1i = f32x4.sub(v128.load(w, 160), v128.load(w, 800)), e3r = f32x4.sub(v128.load(w, 496), v128.load(w, 1136)), e3i = f32x4.sub(v128.load(w, 480), v128.load(w, 1120));
      const p1 = f32x4.mul(h, f32x4.add(e1r, e1i)), q1 = f32x4.mul(h, f32x4.sub(e1i, e1r));
      const p3 = f32x4.mul(h, f32x4.sub(e3i, e3r)), m3 = f32x4.mul(h, f32x4.add(e3r, e3i));
      const t1r = f32x4.add(p1, p3), t1i = f32x4.sub(q1, m3), u1r = f32x4.sub(p1, p3), u1i = f32x4.add(q1, m3);
      v128.store(p, f32x4.add(t0i, t1i), 17488); v128.store(p, f32x4.add(t0r, t1r), 17472);
      v128.store(p, f32x4.sub(t0i, t1i), 10096); v128.store(p, f32x4.sub(t0r, t1r), 10080);
      v128.store(p, f32x4.sub(u0i, u1r), 8080); v128.store(p, f32x4.add(u0r, u1i), 8064);
      v128.store(p, f32x4.add(u0i, u1r), 19504); v128.store(p, f32x4.sub(u0r, u1i), 19488);
      w += LSTR;
      t += 4;
    }
  }
  {
    let w = W + 96;
    let t = tab;
    for (let b = 0; b < nb; b++) {
      const p = base + <usize>load<u32>(t);
      const b0r = f32x4.add(v128.load(w, 16), v128.load(w, 656)), b0i = f32x4.add(v128.load(w, 0), v128.load(w, 640)), b2r = f32x4.add(v128.load(w, 336), v128.load(w, 976)), b2i = f32x4.add(v128.load(w, 320), v128.load(w, 960));
      const s0r = f32x4.add(b0r, b2r), s0i = f32x4.add(b0i, b2i), d0r = f32x4.sub(b0r, b2r), d0i = f32x4.sub(b0i, b2i);
      const b1r = f32x4.add(v128.load(w, 176), v128.load(w, 816)), b1i = f32x4.add(v128.load(w, 160), v128.load(w, 800)), b3r = f32x4.add(v128.load(w, 496), v128.load(w, 1136)), b3i = f32x4.add(v128.load(w, 480), v128.load(w, 1120));
      const s1r = f32x4.add(b1r, b3r), s1i = f32x4.add(b1i, b3i), d1r = f32x4.sub(b1r, b3r), d1i = f32x4.sub(b1i, b3i);
      v128.store(p, f32x4.add(s0i, s1i), 6736); v128.store(p, f32x4.add(s0r, s1r), 6720);
      v128.store(p, f32x4.sub(s0i, s1i), 20848); v128.store(p, f32x4.sub(s0r, s1r), 20832);
      v128.store(p, f32x4.sub(d0i, d1r), 22192); v128.store(p, f32x4.add(d0r, d1i), 22176);
      v128.store(p, f32x4.add(d0i, d1r), 5392); v128.store(p, f32x4.sub(d0r, d1i), 5376);
      const e0r = f32x4.sub(v128.load(w, 16), v128.load(w, 656)), e0i = f32x4.sub(v128.load(w, 0), v128.load(w, 640)), e2r = f32x4.sub(v128.load(w, 336), v128.load(w, 976)), e2i = f32x4.sub(v128.load(w, 320), v128.load(w, 960));
      const t0r = f32x4.add(e0r, e2i), t0i = f32x4.sub(e0i, e2r), u0r = f32x4.sub(e0r, e2i), u0i = f32x4.add(e0i, e2r);
      const e1r = f32x4.sub(v128.load(w, 176), v128.load(w, 816)), e1i = f32x4.sub(v128.load(w, 160), v128.load(w, 800)), e3r = f32x4.sub(v128.load(w, 496), v128.load(w, 1136)), e3i = f32x4.sub(v128.load(w, 480), v128.load(w, 1120));
      const p1 = f32x4.mul(h, f32x4.add(e1r, e1i)), q1 = f32x4.mul(h, f32x4.sub(e1i, e1r));
      const p3 = f32x4.mul(h, f32x4.sub(e3i, e3r)), m3 = f32x4.mul(h, f32x4.add(e3r, e3i));
      const t1r = f32x4.add(p1, p3), t1i = f32x4.sub(q1, m3), u1r = f32x4.sub(p1, p3), u1i = f32x4.add(q1, m3);
      v128.store(p, f32x4.add(t0i, t1i), 11440); v128.store(p, f32x4.add(t0r, t1r), 11424);
      v128.store(p, f32x4.sub(t0i, t1i), 16144); v128.store(p, f32x4.sub(t0r, t1r), 16128);
      v128.store(p, f32x4.sub(u0i, u1r), 7408); v128.store(p, f32x4.add(u0r, u1i), 7392);
      v128.store(p, f32x4.add(u0i, u1r), 20176); v128.store(p, f32x4.sub(u0r, u1i), 20160);
      w += LSTR;
      t += 4;
    }
  }
  {
    let w = W + 128;
    let t = tab;
    for (let b = 0; b < nb; b++) {
      const p = base + <usize>load<u32>(t);
      const b0r = f32x4.add(v128.load(w, 16), v128.load(w, 656)), b0i = f32x4.add(v128.load(w, 0), v128.load(w, 640)), b2r = f32x4.add(v128.load(w, 336), v128.load(w, 976)), b2i = f32x4.add(v128.load(w, 320), v128.load(w, 960));
      const s0r = f32x4.add(b0r, b2r), s0i = f32x4.add(b0i, b2i), d0r = f32x4.sub(b0r, b2r), d0i = f32x4.sub(b0i, b2i);
      const b1r = f32x4.add(v128.load(w, 176), v128.load(w, 816)), b1i = f32x4.add(v128.load(w, 160), v128.load(w, 800)), b3r = f32x4.add(v128.load(w, 496), v128.load(w, 1136)), b3i = f32x4.add(v128.load(w, 480), v128.load(w, 1120));
      const s1r = f32x4.add(b1r, b3r), s1i = f32x4.add(b1i, b3i), d1r = f32x4.sub(b1r, b3r), d1i = f32x4.sub(b1i, b3i);
      v128.store(p, f32x4.add(s0i, s1i), 10768); v128.store(p, f32x4.add(s0r, s1r), 10752);
      v128.store(p, f32x4.sub(s0i, s1i), 16816); v128.store(p, f32x4.sub(s0r, s1r), 16800);
      v128.store(p, f32x4.sub(d0i, d1r), 13456); v128.store(p, f32x4.add(d0r, d1i), 13440);
      v128.store(p, f32x4.add(d0i, d1r), 14128); v128.store(p, f32x4.sub(d0r, d1i), 14112);
      const e0r = f32x4.sub(v128.load(w, 16), v128.load(w, 656)), e0i = f32x4.sub(v128.load(w, 0), v128.load(w, 640)), e2r = f32x4.sub(v128.load(w, 336), v128.load(w, 976)), e2i = f32x4.sub(v128.load(w, 320), v128.load(w, 960));
      const t0r = f32x4.add(e0r, e2i), t0i = f32x4.sub(e0i, e2r), u0r = f32x4.sub(e0r, e2i), u0i = f32x4.add(e0i, e2r);
      const e1r = f32x4.sub(v128.load(w, 176), v128.load(w, 816)), e1i = f32x4.sub(v128.load(w, 160), v128.load(w, 800)), e3r = f32x4.sub(v128.load(w, 496), v128.load(w, 1136)), e3i = f32x4.sub(v128.load(w, 480), v128.load(w, 1120));
      const p1 = f32x4.mul(h, f32x4.add(e1r, e1i)), q1 = f32x4.mul(h, f32x4.sub(e1i, e1r));
      const p3 = f32x4.mul(h, f32x4.sub(e3i, e3r)), m3 = f32x4.mul(h, f32x4.add(e3r, e3i));
      const t1r = f32x4.add(p1, p3), t1i = f32x4.sub(q1, m3), u1r = f32x4.sub(p1, p3), u1i = f32x4.add(q1, m3);
      v128.store(p, f32x4.add(t0i, t1i), 12784); v128.store(p, f32x4.add(t0r, t1r), 12768);
      v128.store(p, f32x4.sub(t0i, t1i), 14800); v128.store(p, f32x4.sub(t0r, t1r), 14784);
      v128.store(p, f32x4.sub(u0i, u1r), 22864); v128.store(p, f32x4.add(u0r, u1i), 22848);
      v128.store(p, f32x4.add(u0i, u1r), 4720); v128.store(p, f32x4.sub(u0r, u1i), 4704);
      w += LSTR;
      t += 4;
    }
  }
}

/** P3, inverse rows: x_2b (X.im) to pix row base + tab[b], x_2b+1 (X.re) at +656, element e at 16e. */
function p3RowsIL(base: usize, tab: usize, nb: i32): void {
  const h = f32x4.splat(H8), sign = i32x4.splat(i32.MIN_VALUE);
  {
    let w = W + 0;
    let t = tab;
    for (let b = 0; b < nb; b++) {
      const p = base + <usize>load<u32>(t);
      const b0r = f32x4.add(v128.load(w, 16), v128.load(w, 656)), b0i = f32x4.add(v128.load(w, 0), v128.load(w, 640)), b2r = f32x4.add(v128.load(w, 336), v128.load(w, 976)), b2i = f32x4.add(v128.load(w, 320), v128.load(w, 960));
      const s0r = f32x4.add(b0r, b2r), s0i = f32x4.add(b0i, b2i), d0r = f32x4.sub(b0r, b2r), d0i = f32x4.sub(b0i, b2i);
      const b1r = f32x4.add(v128.load(w, 176), v128.load(w, 816)), b1i = f32x4.add(v128.load(w, 160), v128.load(w, 800)), b3r = f32x4.add(v128.load(w, 496), v128.load(w, 1136)), b3i = f32x4.add(v128.load(w, 480), v128.load(w, 1120));
      const s1r = f32x4.add(b1r, b3r), s1i = f32x4.add(b1i, b3i), d1r = f32x4.sub(b1r, b3r), d1i = f32x4.sub(b1i, b3i);
      v128.store(p, f32x4.add(s0i, s1i), 672); v128.store(p, f32x4.add(s0r, s1r), 16);
      v128.store(p, f32x4.sub(s0i, s1i), 1296); v128.store(p, f32x4.sub(s0r, s1r), 640);
      v128.store(p, f32x4.sub(d0i, d1r), 1168); v128.store(p, f32x4.add(d0r, d1i), 512);
      v128.store(p, f32x4.add(d0i, d1r), 800); v128.store(p, f32x4.sub(d0r, d1i), 144);
      const e0r = f32x4.sub(v128.load(w, 16), v128.load(w, 656)), e0i = f32x4.sub(v128.load(w, 0), v128.load(w, 640)), e2r = f32x4.sub(v128.load(w, 336), v128.load(w, 976)), e2i = f32x4.sub(v128.load(w, 320), v128.load(w, 960));
      const t0r = f32x4.add(e0r, e2i), t0i = f32x4.sub(e0i, e2r), u0r = f32x4.sub(e0r, e2i), u0i = f32x4.add(e0i, e2r);
      const e1r = f32x4.sub(v128.load(w, 176), v128.load(w, 816)), e1i = f32x4.sub(v128.load(w, 160), v128.load(w, 800)), e3r = f32x4.sub(v128.load(w, 496), v128.load(w, 1136)), e3i = f32x4.sub(v128.load(w, 480), v128.load(w, 1120));
      const p1 = f32x4.mul(h, f32x4.add(e1r, e1i)), q1 = f32x4.mul(h, f32x4.sub(e1i, e1r));
      const p3 = f32x4.mul(h, f32x4.sub(e3i, e3r)), m3 = f32x4.mul(h, f32x4.add(e3r, e3i));
      const t1r = f32x4.add(p1, p3), t1i = f32x4.sub(q1, m3), u1r = f32x4.sub(p1, p3), u1i = f32x4.add(q1, m3);
      v128.store(p, f32x4.add(t0i, t1i), 880); v128.store(p, f32x4.add(t0r, t1r), 224);
      v128.store(p, f32x4.sub(t0i, t1i), 1088); v128.store(p, f32x4.sub(t0r, t1r), 432);
      v128.store(p, f32x4.sub(u0i, u1r), 1264); v128.store(p, f32x4.add(u0r, u1i), 608);
      v128.store(p, f32x4.add(u0i, u1r), 704); v128.store(p, f32x4.sub(u0r, u1i), 48);
      w += LSTR;
      t += 4;
    }
  }
  {
    let w = W + 32;
    let t = tab;
    for (let b = 0; b < nb; b++) {
      const p = base + <usize>load<u32>(t);
      const b0r = f32x4.add(v128.load(w, 16), v128.load(w, 656)), b0i = f32x4.add(v128.load(w, 0), v128.load(w, 640)), b2r = f32x4.add(v128.load(w, 336), v128.load(w, 976)), b2i = f32x4.add(v128.load(w, 320), v128.load(w, 960));
      const s0r = f32x4.add(b0r, b2r), s0i = f32x4.add(b0i, b2i), d0r = f32x4.sub(b0r, b2r), d0i = f32x4.sub(b0i, b2i);
      const b1r = f32x4.add(v128.load(w, 176), v128.load(w, 816)), b1i = f32x4.add(v128.load(w, 160), v128.load(w, 800)), b3r = f32x4.add(v128.load(w, 496), v128.load(w, 1136)), b3i = f32x4.add(v128.load(w, 480), v128.load(w, 1120));
      const s1r = f32x4.add(b1r, b3r), s1i = f32x4.add(b1i, b3i), d1r = f32x4.sub(b1r, b3r), d1i = f32x4.sub(b1i, b3i);
      v128.store(p, f32x4.add(s0i, s1i), 944); v128.store(p, f32x4.add(s0r, s1r), 288);
      v128.store(p, f32x4.sub(s0i, s1i), 1024); v128.store(p, f32x4.sub(s0r, s1r), 368);
      v128.store(p, f32x4.sub(d0i, d1r), 688); v128.store(p, f32x4.add(d0r, d1i), 32);
      v128.store(p, f32x4.add(d0i, d1r), 1280); v128.store(p, f32x4.sub(d0r, d1i), 624);
      const e0r = f32x4.sub(v128.load(w, 16), v128.load(w, 656)), e0i = f32x4.sub(v128.load(w, 0), v128.load(w, 640)), e2r = f32x4.sub(v128.load(w, 336), v128.load(w, 976)), e2i = f32x4.sub(v128.load(w, 320), v128.load(w, 960));
      const t0r = f32x4.add(e0r, e2i), t0i = f32x4.sub(e0i, e2r), u0r = f32x4.sub(e0r, e2i), u0i = f32x4.add(e0i, e2r);
      const e1r = f32x4.sub(v128.load(w, 176), v128.load(w, 816)), e1i = f32x4.sub(v128.load(w, 160), v128.load(w, 800)), e3r = f32x4.sub(v128.load(w, 496), v128.load(w, 1136)), e3i = f32x4.sub(v128.load(w, 480), v128.load(w, 1120));
      const p1 = f32x4.mul(h, f32x4.add(e1r, e1i)), q1 = f32x4.mul(h, f32x4.sub(e1i, e1r));
      const p3 = f32x4.mul(h, f32x4.sub(e3i, e3r)), m3 = f32x4.mul(h, f32x4.add(e3r, e3i));
      const t1r = f32x4.add(p1, p3), t1i = f32x4.sub(q1, m3), u1r = f32x4.sub(p1, p3), u1i = f32x4.add(q1, m3);
      v128.store(p, f32x4.add(t0i, t1i), 752); v128.store(p, f32x4.add(t0r, t1r), 96);
      v128.store(p, f32x4.sub(t0i, t1i), 1216); v128.store(p, f32x4.sub(t0r, t1r), 560);
      v128.store(p, f32x4.sub(u0i, u1r), 1104); v128.store(p, f32x4.add(u0r, u1i), 448);
      v128.store(p, f32x4.add(u0i, u1r), 864); v128.store(p, f32x4.sub(u0r, u1i), 208);
      w += LSTR;
      t += 4;
    }
  }
  {
    let w = W + 64;
    let t = tab;
    for (let b = 0; b < nb; b++) {
      const p = base + <usize>load<u32>(t);
      const b0r = f32x4.add(v128.load(w, 16), v128.load(w, 656)), b0i = f32x4.add(v128.load(w, 0), v128.load(w, 640)), b2r = f32x4.add(v128.load(w, 336), v128.load(w, 976)), b2i = f32x4.add(v128.load(w, 320), v128.load(w, 960));
      const s0r = f32x4.add(b0r, b2r), s0i = f32x4.add(b0i, b2i), d0r = f32x4.sub(b0r, b2r), d0i = f32x4.sub(b0i, b2i);
      const b1r = f32x4.add(v128.load(w, 176), v128.load(w, 816)), b1i = f32x4.add(v128.load(w, 160), v128.load(w, 800)), b3r = f32x4.add(v128.load(w, 496), v128.load(w, 1136)), b3i = f32x4.add(v128.load(w, 480), v128.load(w, 1120));
      const s1r = f32x4.add(b1r, b3r), s1i = f32x4.add(b1i, b3i), d1r = f32x4.sub(b1r, b3r), d1i = f32x4.sub(b1i, b3i);
      v128.store(p, f32x4.add(s0i, s1i), 1248); v128.store(p, f32x4.add(s0r, s1r), 592);
      v128.store(p, f32x4.sub(s0i, s1i), 720); v128.store(p, f32x4.sub(s0r, s1r), 64);
      v128.store(p, f32x4.sub(d0i, d1r), 1232); v128.store(p, f32x4.add(d0r, d1i), 576);
      v128.store(p, f32x4.add(d0i, d1r), 736); v128.store(p, f32x4.sub(d0r, d1i), 80);
      const e0r = f32x4.sub(v128.load(w, 16), v128.load(w, 656)), e0i = f32x4.sub(v128.load(w, 0), v128.load(w, 640)), e2r = f32x4.sub(v128.load(w, 336), v128.load(w, 976)), e2i = f32x4.sub(v128.load(w, 320), v128.load(w, 960));
      const t0r = f32x4.add(e0r, e2i), t0i = f32x4.sub(e0i, e2r), u0r = f32x4.sub(e0r, e2i), u0i = f32x4.add(e0i, e2r);
      const e1r = f32x4.sub(v128.load(w, 176), v128.load(w, 816)), e1i = f32x4.sub(v128.load(w, 160), v128.load(w, 800)), e3r = f32x4.sub(v128.load(w, 496), v128.load(w, 1136)), e3i = f32x4.sub(v128.load(w, 480), v128.load(w, 1120));
      const p1 = f32x4.mul(h, f32x4.add(e1r, e1i)), q1 = f32x4.mul(h, f32x4.sub(e1i, e1r));
      const p3 = f32x4.mul(h, f32x4.sub(e3i, e3r)), m3 = f32x4.mul(h, f32x4.add(e3r, e3i));
      const t1r = f32x4.add(p1, p3), t1i = f32x4.sub(q1, m3), u1r = f32x4.sub(p1, p3), u1i = f32x4.add(q1, m3);
      v128.store(p, f32x4.add(t0i, t1i), 1072); v128.store(p, f32x4.add(t0r, t1r), 416);
      v128.store(p, f32x4.sub(t0i, t1i), 896); v128.store(p, f32x4.sub(t0r, t1r), 240);
      v128.store(p, f32x4.sub(u0i, u1r), 848); v128.store(p, f32x4.add(u0r, u1i), 192);
      v128.store(p, f32x4.add(u0i, u1r), 1120); v128.store(p, f32x4.sub(u0r, u1i), 464);
      w += LSTR;
      t += 4;
    }
  }
  {
    let w = W + 96;
    let t = tab;
    for (let b = 0; b < nb; b++) {
      const p = base + <usize>load<u32>(t);
      const b0r = f32x4.add(v128.load(w, 16), v128.load(w, 656)), b0i = f32x4.add(v128.load(w, 0), v128.load(w, 640)), b2r = f32x4.add(v128.load(w, 336), v128.load(w, 976)), b2i = f32x4.add(v128.load(w, 320), v128.load(w, 960));
      const s0r = f32x4.add(b0r, b2r), s0i = f32x4.add(b0i, b2i), d0r = f32x4.sub(b0r, b2r), d0i = f32x4.sub(b0i, b2i);
      const b1r = f32x4.add(v128.load(w, 176), v128.load(w, 816)), b1i = f32x4.add(v128.load(w, 160), v128.load(w, 800)), b3r = f32x4.add(v128.load(w, 496), v128.load(w, 1136)), b3i = f32x4.add(v128.load(w, 480), v128.load(w, 1120));
      const s1r = f32x4.add(b1r, b3r), s1i = f32x4.add(b1i, b3i), d1r = f32x4.sub(b1r, b3r), d1i = f32x4.sub(b1i, b3i);
      v128.store(p, f32x4.add(s0i, s1i), 816); v128.store(p, f32x4.add(s0r, s1r), 160);
      v128.store(p, f32x4.sub(s0i, s1i), 1152); v128.store(p, f32x4.sub(s0r, s1r), 496);
      v128.store(p, f32x4.sub(d0i, d1r), 1184); v128.store(p, f32x4.add(d0r, d1i), 528);
      v128.store(p, f32x4.add(d0i, d1r), 784); v128.store(p, f32x4.sub(d0r, d1i), 128);
      const e0r = f32x4.sub(v128.load(w, 16), v128.load(w, 656)), e0i = f32x4.sub(v128.load(w, 0), v128.load(w, 640)), e2r = f32x4.sub(v128.load(w, 336), v128.load(w, 976)), e2i = f32x4.sub(v128.load(w, 320), v128.load(w, 960));
      const t0r = f32x4.add(e0r, e2i), t0i = f32x4.sub(e0i, e2r), u0r = f32x4.sub(e0r, e2i), u0i = f32x4.add(e0i, e2r);
      const e1r = f32x4.sub(v128.load(w, 176), v128.load(w, 816)), e1i = f32x4.sub(v128.load(w, 160), v128.load(w, 800)), e3r = f32x4.sub(v128.load(w, 496), v128.load(w, 1136)), e3i = f32x4.sub(v128.load(w, 480), v128.load(w, 1120));
      const p1 = f32x4.mul(h, f32x4.add(e1r, e1i)), q1 = f32x4.mul(h, f32x4.sub(e1i, e1r));
      const p3 = f32x4.mul(h, f32x4.sub(e3i, e3r)), m3 = f32x4.mul(h, f32x4.add(e3r, e3i));
      const t1r = f32x4.add(p1, p3), t1i = f32x4.sub(q1, m3), u1r = f32x4.sub(p1, p3), u1i = f32x4.add(q1, m3);
      v128.store(p, f32x4.add(t0i, t1i), 928); v128.store(p, f32x4.add(t0r, t1r), 272);
      v128.store(p, f32x4.sub(t0i, t1i), 1040); v128.store(p, f32x4.sub(t0r, t1r), 384);
      v128.store(p, f32x4.sub(u0i, u1r), 832); v128.store(p, f32x4.add(u0r, u1i), 176);
      v128.store(p, f32x4.add(u0i, u1r), 1136); v128.store(p, f32x4.sub(u0r, u1i), 480);
      w += LSTR;
      t += 4;
    }
  }
  {
    let w = W + 128;
    let t = tab;
    for (let b = 0; b < nb; b++) {
      const p = base + <usize>load<u32>(t);
      const b0r = f32x4.add(v128.load(w, 16), v128.load(w, 656)), b0i = f32x4.add(v128.load(w, 0), v128.load(w, 640)), b2r = f32x4.add(v128.load(w, 336), v128.load(w, 976)), b2i = f32x4.add(v128.load(w, 320), v128.load(w, 960));
      const s0r = f32x4.add(b0r, b2r), s0i = f32x4.add(b0i, b2i), d0r = f32x4.sub(b0r, b2r), d0i = f32x4.sub(b0i, b2i);
      const b1r = f32x4.add(v128.load(w, 176), v128.load(w, 816)), b1i = f32x4.add(v128.load(w, 160), v128.load(w, 800)), b3r = f32x4.add(v128.load(w, 496), v128.load(w, 1136)), b3i = f32x4.add(v128.load(w, 480), v128.load(w, 1120));
      const s1r = f32x4.add(b1r, b3r), s1i = f32x4.add(b1i, b3i), d1r = f32x4.sub(b1r, b3r), d1i = f32x4.sub(b1i, b3i);
      v128.store(p, f32x4.add(s0i, s1i), 912); v128.store(p, f32x4.add(s0r, s1r), 256);
      v128.store(p, f32x4.sub(s0i, s1i), 1056); v128.store(p, f32x4.sub(s0r, s1r), 400);
      v128.store(p, f32x4.sub(d0i, d1r), 976); v128.store(p, f32x4.add(d0r, d1i), 320);
      v128.store(p, f32x4.add(d0i, d1r), 992); v128.store(p, f32x4.sub(d0r, d1i), 336);
      const e0r = f32x4.sub(v128.load(w, 16), v128.load(w, 656)), e0i = f32x4.sub(v128.load(w, 0), v128.load(w, 640)), e2r = f32x4.sub(v128.load(w, 336), v128.load(w, 976)), e2i = f32x4.sub(v128.load(w, 320), v128.load(w, 960));
      const t0r = f32x4.add(e0r, e2i), t0i = f32x4.sub(e0i, e2r), u0r = f32x4.sub(e0r, e2i), u0i = f32x4.add(e0i, e2r);
      const e1r = f32x4.sub(v128.load(w, 176), v128.load(w, 816)), e1i = f32x4.sub(v128.load(w, 160), v128.load(w, 800)), e3r = f32x4.sub(v128.load(w, 496), v128.load(w, 1136)), e3i = f32x4.sub(v128.load(w, 480), v128.load(w, 1120));
      const p1 = f32x4.mul(h, f32x4.add(e1r, e1i)), q1 = f32x4.mul(h, f32x4.sub(e1i, e1r));
      const p3 = f32x4.mul(h, f32x4.sub(e3i, e3r)), m3 = f32x4.mul(h, f32x4.add(e3r, e3i));
      const t1r = f32x4.add(p1, p3), t1i = f32x4.sub(q1, m3), u1r = f32x4.sub(p1, p3), u1i = f32x4.add(q1, m3);
      v128.store(p, f32x4.add(t0i, t1i), 960); v128.store(p, f32x4.add(t0r, t1r), 304);
      v128.store(p, f32x4.sub(t0i, t1i), 1008); v128.store(p, f32x4.sub(t0r, t1r), 352);
      v128.store(p, f32x4.sub(u0i, u1r), 1200); v128.store(p, f32x4.add(u0r, u1i), 544);
      v128.store(p, f32x4.add(u0i, u1r), 768); v128.store(p, f32x4.sub(u0r, u1i), 112);
      w += LSTR;
      t += 4;
    }
  }
}

/** P3, forward rows: the half spectra X_2b, X_2b+1 to rows base + tab[b], +672. */
function p3UntangleL(base: usize, tab: usize, nb: i32): void {
  const h = f32x4.splat(H8), sign = i32x4.splat(i32.MIN_VALUE);
  {
    let w = W + 0;
    let t = tab;
    for (let b = 0; b < nb; b++) {
      const p = base + <usize>load<u32>(t);
      const b0r = f32x4.add(v128.load(w, 16), v128.load(w, 656)), b0i = f32x4.add(v128.load(w, 0), v128.load(w, 640)), b2r = f32x4.add(v128.load(w, 336), v128.load(w, 976)), b2i = f32x4.add(v128.load(w, 320), v128.load(w, 960));
      const s0r = f32x4.add(b0r, b2r), s0i = f32x4.add(b0i, b2i), d0r = f32x4.sub(b0r, b2r), d0i = f32x4.sub(b0i, b2i);
      const b1r = f32x4.add(v128.load(w, 176), v128.load(w, 816)), b1i = f32x4.add(v128.load(w, 160), v128.load(w, 800)), b3r = f32x4.add(v128.load(w, 496), v128.load(w, 1136)), b3i = f32x4.add(v128.load(w, 480), v128.load(w, 1120));
      const s1r = f32x4.add(b1r, b3r), s1i = f32x4.add(b1i, b3i), d1r = f32x4.sub(b1r, b3r), d1i = f32x4.sub(b1i, b3i);
      v128.store(p, s0i, 32); v128.store(p, s1r, 48);
      v128.store(p, s0r, 704); v128.store(p, v128.xor(s1i, sign), 720);
      v128.store(p, d0i, 288); v128.store(p, v128.xor(d1i, sign), 304);
      v128.store(p, d0r, 960); v128.store(p, v128.xor(d1r, sign), 976);
      const e0r = f32x4.sub(v128.load(w, 16), v128.load(w, 656)), e0i = f32x4.sub(v128.load(w, 0), v128.load(w, 640)), e2r = f32x4.sub(v128.load(w, 336), v128.load(w, 976)), e2i = f32x4.sub(v128.load(w, 320), v128.load(w, 960));
      const t0r = f32x4.add(e0r, e2i), t0i = f32x4.sub(e0i, e2r), u0r = f32x4.sub(e0r, e2i), u0i = f32x4.add(e0i, e2r);
      const e1r = f32x4.sub(v128.load(w, 176), v128.load(w, 816)), e1i = f32x4.sub(v128.load(w, 160), v128.load(w, 800)), e3r = f32x4.sub(v128.load(w, 496), v128.load(w, 1136)), e3i = f32x4.sub(v128.load(w, 480), v128.load(w, 1120));
      const p1 = f32x4.mul(h, f32x4.add(e1r, e1i)), q1 = f32x4.mul(h, f32x4.sub(e1i, e1r));
      const p3 = f32x4.mul(h, f32x4.sub(e3i, e3r)), m3 = f32x4.mul(h, f32x4.add(e3r, e3i));
      const t1r = f32x4.add(p1, p3), t1i = f32x4.sub(q1, m3), u1r = f32x4.sub(p1, p3), u1i = f32x4.add(q1, m3);
      v128.store(p, t0i, 448); v128.store(p, t1r, 464);
      v128.store(p, t0r, 1120); v128.store(p, v128.xor(t1i, sign), 1136);
      v128.store(p, u0i, 96); v128.store(p, v128.xor(u1i, sign), 112);
      v128.store(p, u0r, 768); v128.store(p, v128.xor(u1r, sign), 784);
      w += LSTR;
      t += 4;
    }
  }
  {
    let w = W + 32;
    let t = tab;
    for (let b = 0; b < nb; b++) {
      const p = base + <usize>load<u32>(t);
      const b0r = f32x4.add(v128.load(w, 16), v128.load(w, 656)), b0i = f32x4.add(v128.load(w, 0), v128.load(w, 640)), b2r = f32x4.add(v128.load(w, 336), v128.load(w, 976)), b2i = f32x4.add(v128.load(w, 320), v128.load(w, 960));
      const s0r = f32x4.add(b0r, b2r), s0i = f32x4.add(b0i, b2i), d0r = f32x4.sub(b0r, b2r), d0i = f32x4.sub(b0i, b2i);
      const b1r = f32x4.add(v128.load(w, 176), v128.load(w, 816)), b1i = f32x4.add(v128.load(w, 160), v128.load(w, 800)), b3r = f32x4.add(v128.load(w, 496), v128.load(w, 1136)), b3i = f32x4.add(v128.load(w, 480), v128.load(w, 1120));
      const s1r = f32x4.add(b1r, b3r), s1i = f32x4.add(b1i, b3i), d1r = f32x4.sub(b1r, b3r), d1i = f32x4.sub(b1i, b3i);
      v128.store(p, s0i, 576); v128.store(p, s1r, 592);
      v128.store(p, s0r, 1248); v128.store(p, v128.xor(s1i, sign), 1264);
      v128.store(p, d0i, 64); v128.store(p, d1i, 80);
      v128.store(p, d0r, 736); v128.store(p, d1r, 752);
      const e0r = f32x4.sub(v128.load(w, 16), v128.load(w, 656)), e0i = f32x4.sub(v128.load(w, 0), v128.load(w, 640)), e2r = f32x4.sub(v128.load(w, 336), v128.load(w, 976)), e2i = f32x4.sub(v128.load(w, 320), v128.load(w, 960));
      const t0r = f32x4.add(e0r, e2i), t0i = f32x4.sub(e0i, e2r), u0r = f32x4.sub(e0r, e2i), u0i = f32x4.add(e0i, e2r);
      const e1r = f32x4.sub(v128.load(w, 176), v128.load(w, 816)), e1i = f32x4.sub(v128.load(w, 160), v128.load(w, 800)), e3r = f32x4.sub(v128.load(w, 496), v128.load(w, 1136)), e3i = f32x4.sub(v128.load(w, 480), v128.load(w, 1120));
      const p1 = f32x4.mul(h, f32x4.add(e1r, e1i)), q1 = f32x4.mul(h, f32x4.sub(e1i, e1r));
      const p3 = f32x4.mul(h, f32x4.sub(e3i, e3r)), m3 = f32x4.mul(h, f32x4.add(e3r, e3i));
      const t1r = f32x4.add(p1, p3), t1i = f32x4.sub(q1, m3), u1r = f32x4.sub(p1, p3), u1i = f32x4.add(q1, m3);
      v128.store(p, t0i, 192); v128.store(p, t1r, 208);
      v128.store(p, t0r, 864); v128.store(p, v128.xor(t1i, sign), 880);
      v128.store(p, u0i, 416); v128.store(p, v128.xor(u1i, sign), 432);
      v128.store(p, u0r, 1088); v128.store(p, v128.xor(u1r, sign), 1104);
      w += LSTR;
      t += 4;
    }
  }
  {
    let w = W + 64;
    let t = tab;
    for (let b = 0; b < nb; b++) {
      const p = base + <usize>load<u32>(t);
      const b0r = f32x4.add(v128.load(w, 16), v128.load(w, 656)), b0i = f32x4.add(v128.load(w, 0), v128.load(w, 640)), b2r = f32x4.add(v128.load(w, 336), v128.load(w, 976)), b2i = f32x4.add(v128.load(w, 320), v128.load(w, 960));
      const s0r = f32x4.add(b0r, b2r), s0i = f32x4.add(b0i, b2i), d0r = f32x4.sub(b0r, b2r), d0i = f32x4.sub(b0i, b2i);
      const b1r = f32x4.add(v128.load(w, 176), v128.load(w, 816)), b1i = f32x4.add(v128.load(w, 160), v128.load(w, 800)), b3r = f32x4.add(v128.load(w, 496), v128.load(w, 1136)), b3i = f32x4.add(v128.load(w, 480), v128.load(w, 1120));
      const s1r = f32x4.add(b1r, b3r), s1i = f32x4.add(b1i, b3i), d1r = f32x4.sub(b1r, b3r), d1i = f32x4.sub(b1i, b3i);
      v128.store(p, s0i, 128); v128.store(p, v128.xor(s1r, sign), 144);
      v128.store(p, s0r, 800); v128.store(p, s1i, 816);
      v128.store(p, d0i, 160); v128.store(p, v128.xor(d1i, sign), 176);
      v128.store(p, d0r, 832); v128.store(p, v128.xor(d1r, sign), 848);
      const e0r = f32x4.sub(v128.load(w, 16), v128.load(w, 656)), e0i = f32x4.sub(v128.load(w, 0), v128.load(w, 640)), e2r = f32x4.sub(v128.load(w, 336), v128.load(w, 976)), e2i = f32x4.sub(v128.load(w, 320), v128.load(w, 960));
      const t0r = f32x4.add(e0r, e2i), t0i = f32x4.sub(e0i, e2r), u0r = f32x4.sub(e0r, e2i), u0i = f32x4.add(e0i, e2r);
      const e1r = f32x4.sub(v128.load(w, 176), v128.load(w, 816)), e1i = f32x4.sub(v128.load(w, 160), v128.load(w, 800)), e3r = f32x4.sub(v128.load(w, 496), v128.load(w, 1136)), e3i = f32x4.sub(v128.load(w, 480), v128.load(w, 1120));
      const p1 = f32x4.mul(h, f32x4.add(e1r, e1i)), q1 = f32x4.mul(h, f32x4.sub(e1i, e1r));
      const p3 = f32x4.mul(h, f32x4.sub(e3i, e3r)), m3 = f32x4.mul(h, f32x4.add(e3r, e3i));
      const t1r = f32x4.add(p1, p3), t1i = f32x4.sub(q1, m3), u1r = f32x4.sub(p1, p3), u1i = f32x4.add(q1, m3);
      v128.store(p, t0i, 480); v128.store(p, v128.xor(t1r, sign), 496);
      v128.store(p, t0r, 1152); v128.store(p, t1i, 1168);
      v128.store(p, u0i, 384); v128.store(p, u1i, 400);
      v128.store(p, u0r, 1056); v128.store(p, u1r, 1072);
      w += LSTR;
      t += 4;
    }
  }
  {
    let w = W + 96;
    let t = tab;
    for (let b = 0; b < nb; b++) {
      const p = base + <usize>load<u32>(t);
      const b0r = f32x4.add(v128.load(w, 16), v128.load(w, 656)), b0i = f32x4.add(v128.load(w, 0), v128.load(w, 640)), b2r = f32x4.add(v128.load(w, 336), v128.load(w, 976)), b2i = f32x4.add(v128.load(w, 320), v128.load(w, 960));
      const s0r = f32x4.add(b0r, b2r), s0i = f32x4.add(b0i, b2i), d0r = f32x4.sub(b0r, b2r), d0i = f32x4.sub(b0i, b2i);
      const b1r = f32x4.add(v128.load(w, 176), v128.load(w, 816)), b1i = f32x4.add(v128.load(w, 160), v128.load(w, 800)), b3r = f32x4.add(v128.load(w, 496), v128.load(w, 1136)), b3i = f32x4.add(v128.load(w, 480), v128.load(w, 1120));
      const s1r = f32x4.add(b1r, b3r), s1i = f32x4.add(b1i, b3i), d1r = f32x4.sub(b1r, b3r), d1i = f32x4.sub(b1i, b3i);
      v128.store(p, s0i, 320); v128.store(p, s1r, 336);
      v128.store(p, s0r, 992); v128.store(p, v128.xor(s1i, sign), 1008);
      v128.store(p, d0i, 256); v128.store(p, v128.xor(d1i, sign), 272);
      v128.store(p, d0r, 928); v128.store(p, v128.xor(d1r, sign), 944);
      const e0r = f32x4.sub(v128.load(w, 16), v128.load(w, 656)), e0i = f32x4.sub(v128.load(w, 0), v128.load(w, 640)), e2r = f32x4.sub(v128.load(w, 336), v128.load(w, 976)), e2i = f32x4.sub(v128.load(w, 320), v128.load(w, 960));
      const t0r = f32x4.add(e0r, e2i), t0i = f32x4.sub(e0i, e2r), u0r = f32x4.sub(e0r, e2i), u0i = f32x4.add(e0i, e2r);
      const e1r = f32x4.sub(v128.load(w, 176), v128.load(w, 816)), e1i = f32x4.sub(v128.load(w, 160), v128.load(w, 800)), e3r = f32x4.sub(v128.load(w, 496), v128.load(w, 1136)), e3i = f32x4.sub(v128.load(w, 480), v128.load(w, 1120));
      const p1 = f32x4.mul(h, f32x4.add(e1r, e1i)), q1 = f32x4.mul(h, f32x4.sub(e1i, e1r));
      const p3 = f32x4.mul(h, f32x4.sub(e3i, e3r)), m3 = f32x4.mul(h, f32x4.add(e3r, e3i));
      const t1r = f32x4.add(p1, p3), t1i = f32x4.sub(q1, m3), u1r = f32x4.sub(p1, p3), u1i = f32x4.add(q1, m3);
      v128.store(p, t0i, 544); v128.store(p, t1r, 560);
      v128.store(p, t0r, 1216); v128.store(p, v128.xor(t1i, sign), 1232);
      v128.store(p, u0i, 352); v128.store(p, u1i, 368);
      v128.store(p, u0r, 1024); v128.store(p, u1r, 1040);
      w += LSTR;
      t += 4;
    }
  }
  {
    let w = W + 128;
    let t = tab;
    for (let b = 0; b < nb; b++) {
      const p = base + <usize>load<u32>(t);
      const b0r = f32x4.add(v128.load(w, 16), v128.load(w, 656)), b0i = f32x4.add(v128.load(w, 0), v128.load(w, 640)), b2r = f32x4.add(v128.load(w, 336), v128.load(w, 976)), b2i = f32x4.add(v128.load(w, 320), v128.load(w, 960));
      const s0r = f32x4.add(b0r, b2r), s0i = f32x4.add(b0i, b2i), d0r = f32x4.sub(b0r, b2r), d0i = f32x4.sub(b0i, b2i);
      const b1r = f32x4.add(v128.load(w, 176), v128.load(w, 816)), b1i = f32x4.add(v128.load(w, 160), v128.load(w, 800)), b3r = f32x4.add(v128.load(w, 496), v128.load(w, 1136)), b3i = f32x4.add(v128.load(w, 480), v128.load(w, 1120));
      const s1r = f32x4.add(b1r, b3r), s1i = f32x4.add(b1i, b3i), d1r = f32x4.sub(b1r, b3r), d1i = f32x4.sub(b1i, b3i);
      v128.store(p, s0i, 512); v128.store(p, s1r, 528);
      v128.store(p, s0r, 1184); v128.store(p, v128.xor(s1i, sign), 1200);
      v128.store(p, d0i, 640); v128.store(p, d1i, 656);
      v128.store(p, d0r, 1312); v128.store(p, d1r, 1328);
      const e0r = f32x4.sub(v128.load(w, 16), v128.load(w, 656)), e0i = f32x4.sub(v128.load(w, 0), v128.load(w, 640)), e2r = f32x4.sub(v128.load(w, 336), v128.load(w, 976)), e2i = f32x4.sub(v128.load(w, 320), v128.load(w, 960));
      const t0r = f32x4.add(e0r, e2i), t0i = f32x4.sub(e0i, e2r), u0r = f32x4.sub(e0r, e2i), u0i = f32x4.add(e0i, e2r);
      const e1r = f32x4.sub(v128.load(w, 176), v128.load(w, 816)), e1i = f32x4.sub(v128.load(w, 160), v128.load(w, 800)), e3r = f32x4.sub(v128.load(w, 496), v128.load(w, 1136)), e3i = f32x4.sub(v128.load(w, 480), v128.load(w, 1120));
      const p1 = f32x4.mul(h, f32x4.add(e1r, e1i)), q1 = f32x4.mul(h, f32x4.sub(e1i, e1r));
      const p3 = f32x4.mul(h, f32x4.sub(e3i, e3r)), m3 = f32x4.mul(h, f32x4.add(e3r, e3i));
      const t1r = f32x4.add(p1, p3), t1i = f32x4.sub(q1, m3), u1r = f32x4.sub(p1, p3), u1i = f32x4.add(q1, m3);
      v128.store(p, t0i, 608); v128.store(p, t1r, 624);
      v128.store(p, t0r, 1280); v128.store(p, v128.xor(t1i, sign), 1296);
      v128.store(p, u0i, 224); v128.store(p, v128.xor(u1i, sign), 240);
      v128.store(p, u0r, 896); v128.store(p, v128.xor(u1r, sign), 912);
      w += LSTR;
      t += 4;
    }
  }
}

// END GENERATED

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
