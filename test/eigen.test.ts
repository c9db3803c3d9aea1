// The dense symmetric eigensolver of the low-rank prior against known spectra.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { symmetricEigen, symmetricEigenTop } from '../src/solver/eigen.ts';
import { orthonormalColumns, scaledProduct } from './helpers.ts';
import { KernelModule } from '../src/kernels/index.ts';

/** A random orthogonal n × n matrix, row-major. */
const orthogonal = (n: number, seed: number): Float64Array => orthonormalColumns(n, n, seed);

/** Q diag(lambda) Qᵀ. */
const withSpectrum = (q: Float64Array, lambda: number[]): Float64Array => scaledProduct(q, lambda, q, lambda.length, lambda.length);

/** max |A v_k − λ_k v_k| and max |VᵀV − I|. */
function residuals(a: Float64Array, n: number, values: Float64Array, v: Float64Array): { res: number; orth: number } {
  let res = 0, orth = 0;
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += a[i * n + j] * v[j * n + k];
      res = Math.max(res, Math.abs(s - values[k] * v[i * n + k]));
    }
    for (let l = 0; l < n; l++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += v[i * n + k] * v[i * n + l];
      orth = Math.max(orth, Math.abs(s - (k === l ? 1 : 0)));
    }
  }
  return { res, orth };
}

test('eigen: a diagonal matrix gives its diagonal, largest first, and unit vectors', () => {
  const diag = [3, -1, 7, 0, 2];
  const a = new Float64Array(25);
  diag.forEach((x, i) => { a[i * 5 + i] = x; });
  const { values, vectors } = symmetricEigen(a, 5);
  assert.deepEqual([...values], [7, 3, 2, 0, -1]);
  const { orth } = residuals(a, 5, values, vectors);
  assert.equal(orth, 0);
});

test('eigen: the 1-D Laplacian, λ_k = 2 − 2cos(kπ/(n+1))', () => {
  const n = 60;
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    a[i * n + i] = 2;
    if (i > 0) a[i * n + i - 1] = a[(i - 1) * n + i] = -1;
  }
  const { values, vectors } = symmetricEigen(a, n);
  for (let k = 0; k < n; k++) {
    const want = 2 - 2 * Math.cos(((n - k) * Math.PI) / (n + 1));
    assert.ok(Math.abs(values[k] - want) < 1e-14, `λ${k}: ${values[k]} vs ${want}`);
  }
  const { res, orth } = residuals(a, n, values, vectors);
  assert.ok(res < 2e-14 && orth < 2e-14, `residual ${res}, orthogonality ${orth}`);
});

test('eigen: Q diag(λ) Qᵀ with a wide spread, repeated and zero eigenvalues (a Gram-like spectrum)', () => {
  const n = 80;
  const lambda = Array.from({ length: n }, (_, k) => (k < 7 ? 1e4 / (k + 1) : k < 10 ? 5 : k < 40 ? 1e-6 * k : 0));
  const a = withSpectrum(orthogonal(n, 11), lambda);
  const { values, vectors } = symmetricEigen(a, n);
  const sorted = [...lambda].sort((x, y) => y - x);
  for (let k = 0; k < n; k++) {
    // backward stable: absolute error a few ε‖A‖
    assert.ok(Math.abs(values[k] - sorted[k]) < 1e-10, `λ${k}: ${values[k]} vs ${sorted[k]}`);
  }
  const { res, orth } = residuals(a, n, values, vectors);
  assert.ok(res < 1e-10 && orth < 1e-13, `residual ${res}, orthogonality ${orth}`);
  // the top eigenvectors are those of Q (up to sign)
  const q = orthogonal(n, 11);
  for (let k = 0; k < 7; k++) {
    let d = 0;
    for (let i = 0; i < n; i++) d += q[i * n + k] * vectors[i * n + k];
    assert.ok(Math.abs(Math.abs(d) - 1) < 1e-12, `vector ${k}: |⟨q, v⟩| = ${Math.abs(d)}`);
  }
});

test('eigen: 1×1, the same bits on every call, and bad sizes refused', () => {
  assert.deepEqual([...symmetricEigen([4], 1).values], [4]);
  const a = withSpectrum(orthogonal(30, 5), Array.from({ length: 30 }, (_, k) => k * k));
  const r1 = symmetricEigen(a, 30), r2 = symmetricEigen(a, 30);
  assert.deepEqual(r1.values, r2.values);
  assert.deepEqual(r1.vectors, r2.vectors);
  assert.throws(() => symmetricEigen([1, 2, 3], 2), RangeError);
});

test('eigen: values only are the values of the full decomposition', () => {
  for (const n of [1, 2, 7, 50]) {
    const a = withSpectrum(orthogonal(n, 21 + n), Array.from({ length: n }, (_, k) => Math.sin(k + 1) * 10 ** (k % 5)));
    const full = symmetricEigen(a, n), only = symmetricEigen(a, n, { vectors: false });
    assert.equal(only.vectors.length, 0);
    for (let k = 0; k < n; k++) assert.ok(Math.abs(only.values[k] - full.values[k]) <= 1e-12 * Math.abs(full.values[0]), `n ${n} λ${k}`);
  }
});

test('eigen: the top eigenvectors by inverse iteration match the full decomposition, close eigenvalues included', () => {
  const n = 120;
  // 7/8 kept like the SVT: close pairs at the top, a repeated value, a wide floor
  const lambda = Array.from({ length: n }, (_, k) => (k < 6 ? 1e4 / (k + 1) : k === 6 ? 1000.001 : k === 7 ? 1000 : k < 12 ? 3 : 1e-3 / k));
  const a = withSpectrum(orthogonal(n, 31), lambda);
  const full = symmetricEigen(a, n);
  const top = symmetricEigenTop(a, n, 8);
  for (let k = 0; k < n; k++) assert.ok(Math.abs(top.values[k] - full.values[k]) <= 1e-11 * full.values[0]);
  let res = 0, orth = 0;
  for (let k = 0; k < 8; k++) {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += a[i * n + j] * top.vectors[j * 8 + k];
      res = Math.max(res, Math.abs(s - top.values[k] * top.vectors[i * 8 + k]));
    }
    for (let l = 0; l < 8; l++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += top.vectors[i * 8 + k] * top.vectors[i * 8 + l];
      orth = Math.max(orth, Math.abs(s - (k === l ? 1 : 0)));
    }
  }
  assert.ok(res < 1e-9 * full.values[0] && orth < 1e-10, `residual ${res}, orthogonality ${orth}`);
  assert.deepEqual(symmetricEigenTop(a, n, 0).vectors.length, 0);
});

test('eigen: the SIMD reduction (kernel module) gives the JavaScript one\'s values and vectors to rounding', () => {
  const module = new KernelModule();
  for (const n of [1, 2, 3, 9, 64]) {
    const a = withSpectrum(orthogonal(n, 40 + n), Array.from({ length: n }, (_, k) => 100 / (k + 1) + (k % 3)));
    const js = symmetricEigen(a, n), simd = symmetricEigen(a, n, { module });
    const top = symmetricEigenTop(a, n, Math.min(n, 3), module), topJs = symmetricEigenTop(a, n, Math.min(n, 3));
    for (let k = 0; k < n; k++) {
      assert.ok(Math.abs(simd.values[k] - js.values[k]) <= 1e-12 * js.values[0], `n ${n} λ${k}`);
      assert.ok(Math.abs(top.values[k] - js.values[k]) <= 1e-12 * js.values[0]);
    }
    for (let k = 0; k < Math.min(n, 3); k++) {
      let d = 0, dt = 0;
      for (let i = 0; i < n; i++) {
        d += simd.vectors[i * n + k] * js.vectors[i * n + k];
        dt += top.vectors[i * Math.min(n, 3) + k] * topJs.vectors[i * Math.min(n, 3) + k];
      }
      assert.ok(Math.abs(Math.abs(d) - 1) < 1e-12 && Math.abs(Math.abs(dt) - 1) < 1e-12, `n ${n} vector ${k}: ${d}, ${dt}`);
    }
  }
});
