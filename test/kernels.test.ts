// The SIMD kernels against the independent scalar implementation (src/kernels/reference.ts),
// dot-product adjoint tests, and the filter bank of the reference data.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kernels, KernelModule, BANDS } from '../src/kernels/index.ts';
import * as ref from '../src/reference/index.ts';
import { Batch, resolveOptions } from '../src/solver/index.ts';
import { dot, norm, relL2, randomArray, loadNpy } from './helpers.ts';

const k = new Kernels();
const SIZES: [number, number][] = [[41, 41], [40, 40], [25, 25], [16, 24]];
const WAVELETS = ['linear', 'b3'] as const;

test('H and its adjoint pass the dot-product test', () => {
  for (const [ny, nx] of SIZES) {
    const n = 5;
    const a = randomArray(n * ny * nx, ny * 100 + nx);
    const b = randomArray(n * ny * nx, ny * 100 + nx + 1);
    const p = randomArray(n * ny * nx, 7).map(Math.abs);
    const Ha = k.convolve(a, { n, ny, nx }, p, { n, ky: ny, kx: nx });
    const Htb = k.convolve(b, { n, ny, nx }, p, { n, ky: ny, kx: nx }, { adjoint: true });
    const gap = Math.abs(dot(Ha, b) - dot(a, Htb));
    assert.ok(gap <= 1e-5 * norm(Ha) * norm(b), `${ny}×${nx}: gap ${gap}`);
  }
});

test('Φ and its adjoint pass the dot-product test (both wavelets)', () => {
  for (const wavelet of WAVELETS) {
    for (const [ny, nx] of [...SIZES, [8, 8] as [number, number]]) {
      const n = 6;
      const a = randomArray(n * ny * nx, 11 + ny);
      const z = randomArray(n * BANDS * ny * nx, 13 + nx);
      const Pa = k.starlet(a, { n, ny, nx }, wavelet);
      const Ptz = k.starletAdjoint(z, { n, ny, nx }, wavelet);
      const gap = Math.abs(dot(Pa, z) - dot(a, Ptz));
      assert.ok(gap <= 1e-5 * norm(Pa) * norm(z), `${wavelet} ${ny}×${nx}: gap ${gap}`);
    }
  }
});

test('Φ of a centred Dirac equals the reference filter bank (41×41)', () => {
  for (const wavelet of WAVELETS) {
    const dirac = new Float64Array(41 * 41);
    dirac[20 * 41 + 20] = 1;
    const bands = k.starlet(dirac, { n: 1, ny: 41, nx: 41 }, wavelet);
    const filters = loadNpy(`example/reference/filters_${wavelet}_41.npy`).data;
    let worst = 0;
    for (let i = 0; i < filters.length; i++) worst = Math.max(worst, Math.abs(bands[i] - filters[i]));
    assert.ok(worst <= 1e-6, `${wavelet}: max abs difference ${worst}`);
  }
});

test('SIMD kernels match the scalar implementation (sizes, object counts not multiples of 4)', () => {
  const cases: [number, number, number, number, number][] = [
    // ny, nx, n, ky, kx
    [41, 41, 7, 41, 41], [40, 40, 5, 40, 40], [16, 24, 3, 7, 5], [25, 25, 1, 25, 25], [9, 12, 6, 3, 4],
  ];
  for (const [ny, nx, n, ky, kx] of cases) {
    const npix = ny * nx;
    const x = randomArray(n * npix, n + ny);
    const p = randomArray(n * ky * kx, n + kx).map(Math.abs);
    const shape = { n, ny, nx };
    const label = `${ny}×${nx} n=${n}`;
    // forward DFT
    const spec = k.spectrum(x, shape);
    const nspec = ny * ((nx >> 1) + 1) * 2;
    for (let i = 0; i < n; i++) {
      const want = ref.rdft2(x.slice(i * npix, (i + 1) * npix), ny, nx);
      assert.ok(relL2(spec.subarray(i * nspec, (i + 1) * nspec), want) < 1e-6, `spectrum ${label}`);
    }
    // H, Hᵀ against direct pixel-domain sums
    for (const adjoint of [false, true]) {
      const got = k.convolve(x, shape, p, { n, ky, kx }, { adjoint });
      for (let i = 0; i < n; i++) {
        const xi = x.slice(i * npix, (i + 1) * npix);
        const pi = p.subarray(i * ky * kx, (i + 1) * ky * kx);
        const want = adjoint ? ref.correlateDirect(xi, ny, nx, pi, ky, kx) : ref.convolveDirect(xi, ny, nx, pi, ky, kx);
        assert.ok(relL2(got.subarray(i * npix, (i + 1) * npix), want) < 1e-6, `convolve adjoint=${adjoint} ${label}`);
      }
    }
    // Φ, Φᵀ, band norms
    for (const wavelet of WAVELETS) {
      const bands = k.starlet(x, shape, wavelet);
      const back = k.starletAdjoint(bands, shape, wavelet);
      const norms = k.bandNorms(p, { n, ky, kx }, ny, nx, wavelet);
      for (let i = 0; i < n; i++) {
        const xi = x.slice(i * npix, (i + 1) * npix);
        const want = ref.starlet(xi, ny, nx, wavelet);
        assert.ok(relL2(bands.subarray(i * BANDS * npix, (i + 1) * BANDS * npix), want) < 1e-6, `Φ ${wavelet} ${label}`);
        const wantBack = ref.starletAdjoint(want, ny, nx, wavelet);
        assert.ok(relL2(back.subarray(i * npix, (i + 1) * npix), wantBack) < 1e-6, `Φᵀ ${wavelet} ${label}`);
      }
      const w0 = ref.weights0(p, n, ky, kx, ny, nx, 1, [1, 1, 1], wavelet);
      assert.ok(relL2(norms, w0) < 1e-6, `band norms ${wavelet} ${label}`);
    }
  }
});

test('the Condat step, cost and reweight match the scalar solver', () => {
  const cases: [number, number, number, number, 'linear' | 'b3', boolean][] = [
    [41, 41, 7, 41, 'linear', true], [40, 40, 5, 40, 'b3', true], [16, 24, 3, 5, 'linear', false],
  ];
  for (const [ny, nx, n, kk, wavelet, positivity] of cases) {
    const npix = ny * nx;
    const truth = randomArray(n * npix, 3).map((v) => Math.max(0, v) * 0.01);
    const psfs = randomArray(n * kk * kk, 5).map((v) => Math.abs(v) + 0.1);
    // normalise PSFs so the default steps are stable
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < kk * kk; j++) s += psfs[i * kk * kk + j];
      for (let j = 0; j < kk * kk; j++) psfs[i * kk * kk + j] /= s;
    }
    const y = k.convolve(truth, { n, ny, nx }, psfs, { n, ky: kk, kx: kk });
    const noise = randomArray(n * npix, 9);
    const yn = Float64Array.from(y, (v, i) => v + 1e-3 * noise[i]);
    const options = resolveOptions({ wavelet, positivity });
    const sigma = 1e-3;
    const batch = new Batch(new KernelModule(), {
      y: yn, psfs, shape: { n, ny, nx }, psf: { n, ky: kk, kx: kk }, noiseSigma: sigma, options,
    });
    const scalar = new ref.ReferenceSolver(yn, psfs, { n, ny, nx }, { n, ky: kk, kx: kk }, {
      ...ref.defaultReferenceOptions, wavelet, positivity, noiseEst: sigma,
    });
    const label = `${ny}×${nx} n=${n} ${wavelet}`;
    assert.ok(relL2(batch.weights0(), scalar.w0) < 1e-6, `W0 ${label}`);
    // After the reweight W carries float32's error in Φx relative to W⁽⁰⁾ (checked exactly
    // above); the clip passes it on to y and x, so later states agree less tightly.
    let after = 1e-5;
    for (let it = 1; it <= 6; it++) {
      batch.step(1);
      scalar.step();
      if (it === 3) {
        // Reweight: against float64 arithmetic on the batch's own x. Φx is a difference of
        // smoothed images, so float32 gives it an absolute error of ~1e-7·max|x|; W inherits
        // that relative to W⁽⁰⁾ — the bound checked here.
        const x = Float64Array.from(batch.primal());
        const w0 = batch.weights0();
        const before = Float64Array.from(batch.weights());
        batch.reweight();
        scalar.reweight();
        const reweighted = batch.weights();
        after = 1e-3;
        const maxX = x.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
        for (let i = 0; i < n; i++) {
          const phi = ref.starlet(x.slice(i * npix, (i + 1) * npix), ny, nx, wavelet);
          for (let j = 0; j < BANDS; j++) {
            const wj = w0[i * BANDS + j];
            const bound = 1e-6 + 1e-6 * maxX / wj;
            for (let q = 0; q < npix; q++) {
              const at = (i * BANDS + j) * npix + q;
              const want = before[at] / (1 + Math.abs(phi[j * npix + q]) / wj);
              assert.ok(Math.abs(reweighted[at] - want) <= bound * want, `reweighted W ${label} object ${i} band ${j}`);
            }
          }
        }
      }
      assert.ok(relL2(batch.primal(), scalar.x) < after, `x after ${it} ${label}: ${relL2(batch.primal(), scalar.x)}`);
      assert.ok(relL2(batch.dualVariable(), scalar.dual) < after, `dual after ${it} ${label}: ${relL2(batch.dualVariable(), scalar.dual)}`);
      const got = batch.costs();
      const want = scalar.costPerObject();
      assert.ok(relL2(got, want) < after, `cost after ${it} ${label}: ${relL2(got, want)}`);
    }
    batch.dispose();
  }
});
