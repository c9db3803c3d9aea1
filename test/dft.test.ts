// The Wasm real 2-D DFT (assembly/dft.ts, fft.ts: direct, mixed-radix and Rader paths)
// against the float64 reference (src/kernels/reference.ts rdft2 / irdft2) over many sizes:
// small, prime, composite, odd/even and non-square. GALDECON_WASM=path tests another build.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { instantiateSync } from '@assemblyscript/loader';
import { KernelModule, groupsFor, interleave, deinterleave } from '../src/kernels/index.ts';
import * as ref from '../src/reference/index.ts';
import { relL2, randomArray } from './helpers.ts';

function module(): KernelModule {
  const path = process.env.GALDECON_WASM;
  if (!path) return new KernelModule();
  const inst = instantiateSync(new WebAssembly.Module(readFileSync(path)), { env: { abort() { throw new Error('abort'); } } });
  return new KernelModule(inst.exports as any);
}

const m = module();

/** Forward and inverse of n objects; worst relative L2 errors per object. */
function roundTrip(ny: number, nx: number, n: number, seed: number): { fwd: number; inv: number } {
  m.configure({ ny, nx, wavelet: 'linear' });
  const npix = ny * nx, nspec = ny * ((nx >> 1) + 1) * 2;
  const groups = groupsFor(n);
  const x = randomArray(n * npix, seed);
  // A spectrum with non-Hermitian junk at k = 0 / Nyquist (the imaginary parts a c2r drops).
  const sp = randomArray(n * nspec, seed + 1);
  const pix = m.alloc('f32', KernelModule.pixels(ny, nx, groups));
  const spec = m.alloc('f32', KernelModule.spectrum(ny, nx, groups));
  const out = m.alloc('f32', KernelModule.pixels(ny, nx, groups));
  try {
    interleave(x, 0, n, npix, m.f32(pix));
    m.dft(pix, spec, groups);
    const got = new Float32Array(n * nspec);
    deinterleave(m.f32(spec), n, nspec, got, 0);
    interleave(sp, 0, n, nspec, m.f32(spec));
    m.inverseDft(spec, out, groups);
    const back = new Float32Array(n * npix);
    deinterleave(m.f32(out), n, npix, back, 0);
    let fwd = 0, inv = 0;
    for (let i = 0; i < n; i++) {
      const want = ref.rdft2(x.subarray(i * npix, (i + 1) * npix), ny, nx);
      fwd = Math.max(fwd, relL2(got.subarray(i * nspec, (i + 1) * nspec), want));
      const wantInv = ref.irdft2(sp.subarray(i * nspec, (i + 1) * nspec), ny, nx);
      inv = Math.max(inv, relL2(back.subarray(i * npix, (i + 1) * npix), wantInv));
    }
    return { fwd, inv };
  } finally {
    for (const b of [pix, spec, out]) m.free(b);
  }
}

const SQUARE = [8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 19, 20, 21, 23, 24, 25, 27, 29, 31, 32, 37, 40, 41, 43, 45, 47, 48, 49, 53, 59, 61, 64, 67, 70];
// 41 on one side takes the fused 41-point passes (assembly/r41.ts) for that side only, with
// literal offsets where the other side is 40 or 41 and table offsets elsewhere.
const RECT: [number, number][] = [
  [16, 24], [24, 16], [41, 64], [64, 41], [9, 12], [13, 8], [45, 40], [17, 53], [8, 70],
  [41, 9], [9, 41], [41, 40], [40, 41], [41, 13], [13, 41], [41, 8], [8, 41],
];

test('rfft2 / irfft2 match the float64 reference at many sizes', () => {
  const sizes: [number, number][] = [...SQUARE.map((s) => [s, s] as [number, number]), ...RECT];
  for (const [ny, nx] of sizes) {
    const { fwd, inv } = roundTrip(ny, nx, 6, ny * 1000 + nx);
    if (process.env.DFT_VERBOSE) console.log(`${ny}×${nx}: forward ${fwd.toExponential(2)}, inverse ${inv.toExponential(2)}`);
    assert.ok(fwd < 1e-6, `${ny}×${nx} forward: relative L2 error ${fwd}`);
    assert.ok(inv < 1e-6, `${ny}×${nx} inverse: relative L2 error ${inv}`);
  }
});

test('rfft2 / irfft2 accuracy at 41×41 and 64×64 stays within 5e-7', () => {
  for (const s of [41, 64]) {
    const { fwd, inv } = roundTrip(s, s, 16, 77 + s);
    assert.ok(fwd < 5e-7, `${s}×${s} forward: ${fwd}`);
    assert.ok(inv < 5e-7, `${s}×${s} inverse: ${inv}`);
  }
});

test('irfft2 inverts rfft2', () => {
  for (const [ny, nx] of [[41, 41], [40, 40], [16, 24], [41, 64], [13, 17]] as [number, number][]) {
    m.configure({ ny, nx, wavelet: 'linear' });
    const n = 5, npix = ny * nx, groups = groupsFor(n);
    const x = randomArray(n * npix, 3 * ny + nx);
    const pix = m.alloc('f32', KernelModule.pixels(ny, nx, groups));
    const spec = m.alloc('f32', KernelModule.spectrum(ny, nx, groups));
    try {
      interleave(x, 0, n, npix, m.f32(pix));
      m.dft(pix, spec, groups);
      m.inverseDft(spec, pix, groups);
      const back = new Float32Array(n * npix);
      deinterleave(m.f32(pix), n, npix, back, 0);
      const err = relL2(back, x);
      assert.ok(err < 1e-6, `${ny}×${nx}: ${err}`);
    } finally {
      m.free(pix);
      m.free(spec);
    }
  }
});

test('assembly/r41.generated.ts is what scripts/gen-r41.mjs writes', () => {
  const r = spawnSync(process.execPath, [new URL('../scripts/gen-r41.mjs', import.meta.url).pathname, '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});
