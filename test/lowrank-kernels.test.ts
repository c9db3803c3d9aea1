// The SIMD kernels of the low-rank and combined priors (assembly/lowrank.ts) against
// scalar float64 oracles written from ALGORITHM §10.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KernelModule, BANDS, LANES, type Resident } from '../src/kernels/index.ts';
import { randomArray } from './helpers.ts';

const NY = 13, NX = 11, NPIX = NY * NX, GROUPS = 3;

function module(): KernelModule {
  const m = new KernelModule();
  m.configure({ ny: NY, nx: NX, wavelet: 'linear' });
  return m;
}

function filled(m: KernelModule, values: ArrayLike<number>, kind: 'f32' | 'f64' = 'f32') {
  const b = m.alloc(kind, values.length);
  (kind === 'f32' ? m.f32(b) : m.f64(b)).set(values);
  return b;
}

const f = Math.fround;
const maxRel = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let e = 0, s = 0;
  for (let i = 0; i < b.length; i++) {
    e = Math.max(e, Math.abs(a[i] - b[i]));
    s = Math.max(s, Math.abs(b[i]));
  }
  return e / s;
};

test('lowrankStep: x̃, ỹt and the relaxed x against a scalar oracle, with and without Φᵀy₁', () => {
  const m = module();
  const len = GROUPS * NPIX * LANES;
  const X = randomArray(len, 1), G = randomArray(len, 2), A = randomArray(len, 3), Y2 = randomArray(len, 4);
  const [tau, sd, rho] = [0.5, 0.5, 0.8];
  for (const withAdj of [false, true]) {
    for (const positivity of [true, false]) {
      const x = filled(m, X), g = filled(m, G), adj = filled(m, A), y2 = filled(m, Y2);
      const xt = m.alloc('f32', len), yt = m.alloc('f32', len);
      m.lowrankStep({ x, g, adj: withAdj ? adj : undefined, y2, xt, yt }, GROUPS, { tau, dualStep: sd, rho, positivity });
      const wantXt = new Float64Array(len), wantYt = new Float64Array(len), wantX = new Float64Array(len);
      for (let i = 0; i < len; i++) {
        const [x0, y] = [f(X[i]), f(Y2[i])];
        let t = x0 - tau * (f(G[i]) + y + (withAdj ? f(A[i]) : 0));
        if (positivity) t = Math.max(t, 0);
        wantXt[i] = t;
        wantYt[i] = y + sd * (2 * t - x0);
        wantX[i] = rho * t + (1 - rho) * x0;
      }
      assert.ok(maxRel(m.f32(xt), wantXt) < 5e-7, `x̃ ${withAdj} ${positivity}: ${maxRel(m.f32(xt), wantXt)}`);
      assert.ok(maxRel(m.f32(yt), wantYt) < 5e-7, `ỹt: ${maxRel(m.f32(yt), wantYt)}`);
      assert.ok(maxRel(m.f32(x), wantX) < 5e-7, `x: ${maxRel(m.f32(x), wantX)}`);
      if (positivity) assert.ok(m.f32(xt).every((v) => v >= 0));
      for (const b of [x, g, adj, y2, xt, yt]) m.free(b);
    }
  }
});

test('sparseDual: clip(y + σ(2Φx̃ − Φx), −W, W), relaxed, and Φx carried, against a scalar oracle', () => {
  const m = module();
  const len = GROUPS * BANDS * NPIX * LANES;
  const D = randomArray(len, 5), W = randomArray(len, 6).map(Math.abs), P = randomArray(len, 7), T = randomArray(len, 8);
  const [sd, rho] = [0.5, 0.8];
  const dual = filled(m, D), w = filled(m, W), phix = filled(m, P), phit = filled(m, T);
  m.sparseDual({ groups: GROUPS, dual, w, phix } as Resident, phit, { tau: 0.5, dualStep: sd, rho, positivity: true });
  const wantD = new Float64Array(len), wantP = new Float64Array(len);
  for (let i = 0; i < len; i++) {
    const [y, wv, b, a] = [f(D[i]), f(W[i]), f(P[i]), f(T[i])];
    const yc = Math.min(Math.max(y + sd * (2 * a - b), -wv), wv);
    wantD[i] = rho * yc + (1 - rho) * y;
    wantP[i] = rho * a + (1 - rho) * b;
  }
  assert.ok(maxRel(m.f32(dual), wantD) < 5e-7, `dual: ${maxRel(m.f32(dual), wantD)}`);
  assert.ok(maxRel(m.f32(phix), wantP) < 5e-7, `Φx: ${maxRel(m.f32(phix), wantP)}`);
});

test('svtProject: ỹ = ỹt − U diag(c) Uᵀỹt per object and y₂ relaxed, against a scalar float64 oracle', () => {
  const m = module();
  const len = GROUPS * NPIX * LANES;
  const r = 5;
  const YT = randomArray(len, 9), Y2 = randomArray(len, 10), U = randomArray(NPIX * r, 11), C = [1, 0.5, 0.9, 1, 0.25];
  const rho = 0.8;
  const yt = filled(m, YT), y2 = filled(m, Y2), u = filled(m, U, 'f64'), c = filled(m, C, 'f64');
  const acc = m.alloc('f64', r * LANES);
  m.svtProject(yt, y2, u, c, r, GROUPS, rho, acc);
  const want = new Float64Array(len);
  for (let g = 0; g < GROUPS; g++) {
    for (let lane = 0; lane < LANES; lane++) {
      const at = (p: number): number => (g * NPIX + p) * LANES + lane;
      const a = new Float64Array(r);
      for (let k = 0; k < r; k++) {
        for (let p = 0; p < NPIX; p++) a[k] += U[p * r + k] * f(YT[at(p)]);
        a[k] *= C[k];
      }
      for (let p = 0; p < NPIX; p++) {
        let v = f(YT[at(p)]);
        for (let k = 0; k < r; k++) v -= U[p * r + k] * a[k];
        want[at(p)] = rho * v + (1 - rho) * f(Y2[at(p)]);
      }
    }
  }
  assert.ok(maxRel(m.f32(y2), want) < 2e-7, `y₂: ${maxRel(m.f32(y2), want)}`);
  // r = 0 keeps nothing: y₂ ← ρỹt + (1 − ρ)y₂
  const y2b = filled(m, Y2);
  m.svtProject(yt, y2b, u, c, 0, GROUPS, rho, acc);
  const plain = Array.from({ length: len }, (_, i) => rho * f(YT[i]) + (1 - rho) * f(Y2[i]));
  assert.ok(maxRel(m.f32(y2b), plain) < 2e-7);
});

/**
 * The kernels' order for one Gram entry, scalar: four lane sums over the pixels' groups of
 * 4 (products of float32 are exact in float64), combined as (l₀ + l₂) + (l₁ + l₃), then
 * the last p mod 4 products. The same bits whatever tiles the kernel computes entries in.
 */
function gramEntryInOrder(M: Float32Array, p: number, i: number, j: number): number {
  const lane = [0, 0, 0, 0], body = p & ~3;
  for (let k = 0; k < body; k++) lane[k & 3] += M[i * p + k] * M[j * p + k];
  let t = (lane[0] + lane[2]) + (lane[1] + lane[3]);
  for (let k = body; k < p; k++) t += M[i * p + k] * M[j * p + k];
  return t;
}

test('gramObjects: MᵀM in float64 against a scalar oracle, bit for bit in the kernels\' order, symmetric, for a length not a multiple of 4', () => {
  const m = module();
  const n = 11, p = 143; // rows in pairs and one alone, tiles of 4 columns and single columns
  const M = Float32Array.from(randomArray(n * p, 12));
  const cols = filled(m, M), out = m.alloc('f64', n * n);
  m.gram(cols, n, p, out);
  const got = m.f64(out);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < p; k++) s += M[i * p + k] * M[j * p + k];
      assert.ok(Math.abs(got[i * n + j] - s) <= 1e-14 * p, `G[${i},${j}] = ${got[i * n + j]} vs ${s}`);
      assert.equal(got[i * n + j], gramEntryInOrder(M, p, Math.max(i, j), Math.min(i, j)), `G[${i},${j}] in the kernels' order`);
      assert.equal(got[i * n + j], got[j * n + i]);
    }
  }
});
