// The à trous wavelet transform Φ (3 detail bands, coarse band dropped, periodic) and
// its exact adjoint, for one group of 4 objects. Smoothing S_s at scale s is the
// separable kernel h with holes of 2^s pixels; S_s is symmetric, so Φᵀ is the Horner form
//   Φᵀ(u) = u₀ + S₀(u₁ + S₁(u₂ − S₂u₂ − u₁) − u₀).

import {
  NY, NX, NPIX, BANDS, TAP0, TAP1, TAP2, REACH, PIX_C, PIX_D, PIX_T, ROW_A,
} from './plan';

@inline function at(base: usize, i: i32): usize {
  return base + ((<usize>i) << 4);
}

@inline function wrap(i: i32, n: i32): i32 {
  const m = i % n;
  return m < 0 ? m + n : m;
}

/** out = S_s(inp); out may equal inp. Uses PIX_T and ROW_A. */
function smooth(inp: usize, out: usize, s: i32): void {
  const nx = NX, ny = NY, st = 1 << s;
  const off = REACH * st;
  const t0 = f32x4.splat(TAP0), t1 = f32x4.splat(TAP1), t2 = f32x4.splat(TAP2);
  const b3 = REACH == 2;
  // Along each row, through a periodically padded copy so the taps need no modulo.
  for (let r = 0; r < ny; r++) {
    const row = at(inp, r * nx);
    for (let p = 0; p < nx + 2 * off; p++) {
      v128.store(at(ROW_A, p), v128.load(at(row, wrap(p - off, nx))));
    }
    const dst = at(PIX_T, r * nx);
    for (let c = 0; c < nx; c++) {
      const q = at(ROW_A, c + off);
      const d = (<usize>st) << 4;
      let v = f32x4.add(
        f32x4.mul(t0, v128.load(q)),
        f32x4.mul(t1, f32x4.add(v128.load(q - d), v128.load(q + d))),
      );
      if (b3) v = f32x4.add(v, f32x4.mul(t2, f32x4.add(v128.load(q - 2 * d), v128.load(q + 2 * d))));
      v128.store(at(dst, c), v);
    }
  }
  // Along each column, whole rows at a time.
  for (let r = 0; r < ny; r++) {
    const c0 = at(PIX_T, r * nx);
    const m1 = at(PIX_T, wrap(r - st, ny) * nx);
    const p1 = at(PIX_T, wrap(r + st, ny) * nx);
    const m2 = at(PIX_T, wrap(r - 2 * st, ny) * nx);
    const p2 = at(PIX_T, wrap(r + 2 * st, ny) * nx);
    const dst = at(out, r * nx);
    for (let c = 0; c < nx; c++) {
      let v = f32x4.add(
        f32x4.mul(t0, v128.load(at(c0, c))),
        f32x4.mul(t1, f32x4.add(v128.load(at(m1, c)), v128.load(at(p1, c)))),
      );
      if (b3) v = f32x4.add(v, f32x4.mul(t2, f32x4.add(v128.load(at(m2, c)), v128.load(at(p2, c)))));
      v128.store(at(dst, c), v);
    }
  }
}

/** dst = a − b over one image. */
function difference(a: usize, b: usize, dst: usize): void {
  for (let i = 0; i < NPIX; i++) {
    v128.store(at(dst, i), f32x4.sub(v128.load(at(a, i)), v128.load(at(b, i))));
  }
}

/** dst = a + b over one image. */
function sum(a: usize, b: usize, dst: usize): void {
  for (let i = 0; i < NPIX; i++) {
    v128.store(at(dst, i), f32x4.add(v128.load(at(a, i)), v128.load(at(b, i))));
  }
}

/** bands = Φ(x) for one group: w_s = c_s − c_{s+1}, c_0 = x, c_{s+1} = S_s c_s. */
export function starletGroup(x: usize, bands: usize): void {
  let cur = x;
  for (let s = 0; s < BANDS; s++) {
    const next = (s & 1) == 0 ? PIX_C : PIX_D;
    smooth(cur, next, s);
    difference(cur, next, at(bands, s * NPIX));
    cur = next;
  }
}

/** out = Φᵀ(bands) for one group (Horner form); out must not be PIX_C or PIX_D. */
export function starletAdjointGroup(bands: usize, out: usize): void {
  const u0 = bands, u1 = at(bands, NPIX), u2 = at(bands, 2 * NPIX);
  smooth(u2, PIX_C, 2);
  difference(u2, PIX_C, PIX_C);  // (I − S₂) u₂
  difference(PIX_C, u1, PIX_C);
  smooth(PIX_C, PIX_D, 1);
  sum(u1, PIX_D, PIX_D);         // q = (I − S₁) u₁ + S₁ (I − S₂) u₂
  difference(PIX_D, u0, PIX_D);
  smooth(PIX_D, PIX_C, 0);
  sum(u0, PIX_C, out);           // (I − S₀) u₀ + S₀ q
}
