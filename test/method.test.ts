// The method's named operators (src/solver/method.ts) on a resident partition, against
// the float64 oracle: H, Hᵀ, the data gradient Hᵀ(Hx − y), Φ and Φᵀ, object by object.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  KernelModule, BANDS, groupsFor, interleave, interleavePsfs, deinterleave, deinterleaveBands,
} from '../src/kernels/index.ts';
import { method } from '../src/solver/index.ts';
import * as ref from '../src/reference/index.ts';
import { randomArray, relL2 } from './helpers.ts';

for (const [ny, nx, ky, kx] of [[16, 24, 5, 4], [41, 41, 41, 41]] as const) {
  test(`method: H, Hᵀ, ∇, Φ, Φᵀ match the oracle (${ny}×${nx}, PSFs ${ky}×${kx}, 5 objects)`, () => {
    const n = 5, npix = ny * nx, groups = groupsFor(n);
    const x = randomArray(n * npix, 1), y = randomArray(n * npix, 2);
    const psfs = randomArray(n * ky * kx, 3);
    const m = new KernelModule();
    m.configure({ ny, nx, wavelet: 'b3' });
    const s = m.allocResident(groups);
    interleavePsfs(psfs, n, ky, kx, 0, n, ny, nx, m.f32(s.x));
    m.dft(s.x, s.ph, groups);
    interleave(y, 0, n, npix, m.f32(s.x));
    m.dft(s.x, s.yh, groups);
    interleave(x, 0, n, npix, m.f32(s.x));
    m.dft(s.x, s.xh, groups);
    const out = m.alloc('f32', KernelModule.pixels(ny, nx, groups));
    const bands = m.alloc('f32', KernelModule.bands(ny, nx, groups));
    const images = () => {
      const v = new Float32Array(n * npix);
      deinterleave(m.f32(out), n, npix, v);
      return v;
    };
    const each = (f: (i: number) => Float64Array, per = npix) => {
      const v = new Float64Array(n * per);
      for (let i = 0; i < n; i++) v.set(f(i), i * per);
      return v;
    };
    const xi = (i: number) => x.subarray(i * npix, (i + 1) * npix);
    const pi = (i: number) => psfs.subarray(i * ky * kx, (i + 1) * ky * kx);
    const errors: Record<string, number> = {};

    method.blur(m, s.ph, s.xh, out, groups);
    errors.H = relL2(images(), each((i) => ref.convolveDirect(xi(i), ny, nx, pi(i), ky, kx)));
    method.blurAdjoint(m, s.ph, s.xh, out, groups);
    errors.Ht = relL2(images(), each((i) => ref.correlateDirect(xi(i), ny, nx, pi(i), ky, kx)));
    method.dataGradient(m, s, out);
    errors.gradient = relL2(images(), each((i) => {
      const r = ref.convolveDirect(xi(i), ny, nx, pi(i), ky, kx);
      for (let p = 0; p < npix; p++) r[p] -= y[i * npix + p];
      return ref.correlateDirect(r, ny, nx, pi(i), ky, kx);
    }));
    method.phi(m, s.x, bands, groups);
    const got = new Float32Array(n * BANDS * npix);
    deinterleaveBands(m.f32(bands), n, npix, got, 0);
    const want = each((i) => ref.starlet(xi(i), ny, nx, 'b3'), BANDS * npix);
    errors.phi = relL2(got, want);
    method.phiAdjoint(m, bands, out, groups);
    errors.phiT = relL2(images(), each((i) => ref.starletAdjoint(want.subarray(i * BANDS * npix, (i + 1) * BANDS * npix), ny, nx, 'b3')));

    // float32 against float64: achieved ≈ 3e-7 through the DFT, 5e-8 for Φ and Φᵀ
    const limit: Record<string, number> = { H: 1e-6, Ht: 1e-6, gradient: 1e-6, phi: 3e-7, phiT: 3e-7 };
    for (const [k, e] of Object.entries(errors)) assert.ok(e < limit[k], `${k}: relative L2 error ${e}`);
  });
}
