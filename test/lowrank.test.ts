// The low-rank and combined priors (ALGORITHM §10): conformance with the float64
// exact-SVD references of the synthetic set, the stack spectrum (Gram + eigen) against
// known singular values, and the options.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KernelModule } from '../src/kernels/index.ts';
import { solve, resolveOptions, StackSpectrum, psfGain, lowrankLambda } from '../src/solver/index.ts';
import { OptionError } from '../src/errors.ts';
import { loadNpy, loadJson, relL2, orthonormalColumns, scaledProduct } from './helpers.ts';

const Y = loadNpy('synthetic/noisy.npy');
const P = loadNpy('synthetic/psfs.npy');

for (const [prior, iterations] of [['lowrank', 60], ['both', 120]] as const) {
  test(`${prior}, tolerance 0, 60 iterations per phase: primal, every cost and every kept rank match the reference`, async () => {
    const info = loadJson(`synthetic/reference/${prior}_fixed60_info.json`);
    const r = await solve(Y, P, { prior, tolerance: 0, nIter: 60 });
    assert.equal(r.iterations, iterations);
    assert.equal(r.lowrank!.lambda, info.lam); // σ, β and √1681 in float64: the same bits
    assert.ok(Math.abs(r.lowrank!.beta - info.spec_rad) < 1e-15);
    assert.deepEqual(r.lowrank!.ranks, info.dual_rank);
    const rel = relL2(r.x, loadNpy(`synthetic/reference/${prior}_fixed60_primal.npy`).data);
    assert.ok(rel <= 5e-6, `primal: ${rel}`); // measured 9.0e-7 (lowrank), 3.5e-7 (both)
    assert.equal(r.cost.length, iterations);
    const worst = Math.max(...r.cost.map((c, i) => Math.abs(c / info.cost[i] - 1)));
    assert.ok(worst <= 3e-5, `cost: ${worst}`); // measured 3.3e-6, 3.2e-6
    assert.equal(r.tests.length, iterations / 4);
    assert.equal(r.reweightIterations.length, prior === 'both' ? 1 : 0);
  });
}

/** M = U diag(s) Vᵀ (npix × n, stored object-major: column i = M[:, i]) with orthonormal U, V (q = s.length ≤ min(n, npix) columns). */
function withSingularValues(n: number, npix: number, s: number[], seed: number): Float32Array {
  const u = orthonormalColumns(npix, s.length, seed), v = orthonormalColumns(n, s.length, seed + 1);
  return Float32Array.from(scaledProduct(v, s, u, n, npix));
}

test('stack spectrum: singular values and the nuclear norm through the Gram, against a known spectrum', () => {
  const n = 40, npix = 300;
  // a galaxy-stack-like spectrum: a few large values, then a noise floor 1e-4 of the largest
  const s = Array.from({ length: n }, (_, k) => (k < 7 ? 100 / (k + 1) : 1e-2 * (1 + 0.01 * k)));
  const m = withSingularValues(n, npix, s, 3);
  const spec = new StackSpectrum(new KernelModule(), n, npix);
  const got = spec.singularValues(m);
  const sorted = [...s].sort((a, b) => b - a);
  // M is rounded to float32 (entries up to 4.4, so ~2.6e-7 each): that bounds what any method sees
  let worst = 0;
  for (let k = 0; k < n; k++) worst = Math.max(worst, Math.abs(got[k] - sorted[k]));
  assert.ok(worst < 3e-7, `max |Δs| = ${worst}`); // measured 1.4e-7, of which the Gram's share is < 1e-10
  const nuc = spec.nuclearNorm(m), want = s.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(nuc / want - 1) < 1e-6, `‖M‖_*: ${nuc} vs ${want} (${Math.abs(nuc / want - 1)})`);
  spec.dispose();
});

test('nuclear norm of the reference primal through the Gram: within 3e-11 of the exact SVD (small values lose only √ε·s₁)', () => {
  // exact values: numpy.linalg.svd of the float32-rounded reference primals (float64 SVD)
  for (const [prior, exact] of [['lowrank', 2.030116746284128], ['both', 2.0972858443256666]] as const) {
    const x = Float32Array.from(loadNpy(`synthetic/reference/${prior}_fixed60_primal.npy`).data);
    const spec = new StackSpectrum(new KernelModule(), 100, 1681);
    const rel = Math.abs(spec.nuclearNorm(x) / exact - 1);
    assert.ok(rel < 3e-11, `${prior}: ${rel}`); // measured 2.8e-12, 2.0e-13 (NumPy's own Gram route: 5.8e-12, 2.6e-12)
    spec.dispose();
  }
});

test('stack spectrum: hard and soft SVT maps keep the values above the threshold, with the right shrink', () => {
  const n = 12, npix = 64;
  const s = [9, 5, 3, 2.5, 1, 0.5, 0.25, 0.1, 0.05, 0.02, 0.01, 0.005];
  const m = withSingularValues(n, npix, s, 7);
  const spec = new StackSpectrum(new KernelModule(), n, npix);
  const hard = spec.svt(m, 2.4, 'hard');
  assert.equal(hard.rank, 4);
  assert.deepEqual([...hard.c], [1, 1, 1, 1]);
  assert.equal(spec.svt(m, 2.75, 'hard').rank, 3);
  const soft = spec.svt(m, 2.4, 'soft');
  assert.equal(soft.rank, 4);
  [9, 5, 3, 2.5].forEach((sk, k) => assert.ok(Math.abs(soft.c[k] - (1 - 2.4 / sk)) < 1e-6, `c${k} = ${soft.c[k]}`));
  // U_r is orthonormal and spans M's leading left singular vectors: ‖U_rᵀ M‖_F² = Σ_{k<r} s_k²
  let orth = 0, energy = 0;
  for (let a = 0; a < 4; a++) {
    for (let b = 0; b < 4; b++) {
      let d = 0;
      for (let p = 0; p < npix; p++) d += hard.u[p * 4 + a] * hard.u[p * 4 + b];
      orth = Math.max(orth, Math.abs(d - (a === b ? 1 : 0)));
    }
    for (let i = 0; i < n; i++) {
      let d = 0;
      for (let p = 0; p < npix; p++) d += hard.u[p * 4 + a] * m[i * npix + p];
      energy += d * d;
    }
  }
  assert.ok(orth < 1e-6, `orthogonality ${orth}`);
  assert.ok(Math.abs(energy / (81 + 25 + 9 + 6.25) - 1) < 1e-6);
  assert.equal(spec.svt(m, 10, 'hard').rank, 0);
  spec.dispose();
});

test('λ = F·σ·√max(N + 1, ny·nx)·β, and β = max |P̂|² of the PSFs', () => {
  assert.equal(lowrankLambda(2, 3, 4, 4, 0.5, 1), 2 * 4 * 0.5);
  assert.equal(lowrankLambda(2, 99, 4, 4, 0.5, 3), 3 * 2 * 10 * 0.5);
  // a Dirac has |P̂| = 1 everywhere; two taps ½, ½ have max |P̂|² = 1 (at frequency 0); a shifted PSF the same
  const dirac = new Float64Array(9); dirac[4] = 1;
  assert.ok(Math.abs(psfGain(dirac, 1, 3, 3, 8, 8) - 1) < 1e-15);
  assert.ok(Math.abs(psfGain([0.5, -0.5], 1, 1, 2, 8, 8) - 1) < 1e-15); // max at the Nyquist frequency
});

test('options: the default prior is sparse; lowrank has no reweighting; bad values are refused', () => {
  const d = resolveOptions({});
  assert.equal(d.prior, 'sparse');
  assert.equal(d.lowrankThreshold, 'hard');
  assert.equal(d.lowrankFactor, 1);
  assert.equal(resolveOptions({ prior: 'lowrank', nReweights: 3 }).nReweights, 0);
  assert.equal(resolveOptions({ prior: 'both', nReweights: 3 }).nReweights, 3);
  assert.throws(() => resolveOptions({ prior: 'nuclear' as never }), OptionError);
  assert.throws(() => resolveOptions({ lowrankThreshold: 'medium' as never }), OptionError);
  assert.throws(() => resolveOptions({ lowrankFactor: 0 }), OptionError);
});

test('soft thresholding on 24 objects matches the float64 exact-SVD peer (fixture made by make_soft.py)', async () => {
  const y = { data: Y.data.subarray(0, 24 * 1681), shape: [24, 41, 41] };
  const p = { data: P.data.subarray(0, 24 * 1681), shape: [24, 41, 41] };
  const info = loadJson('synthetic/reference/soft24_fixed12_info.json');
  const soft = await solve(y, p, { prior: 'lowrank', tolerance: 0, nIter: 12, lowrankThreshold: 'soft' });
  assert.ok(Math.abs(soft.lowrank!.lambda / info.lam - 1) < 1e-15);
  assert.deepEqual(soft.lowrank!.ranks, info.dual_rank);
  const worst = Math.max(...soft.cost.map((c, i) => Math.abs(c / info.cost[i] - 1)));
  const rel = relL2(soft.x, loadNpy('synthetic/reference/soft24_fixed12_primal.npy').data);
  assert.ok(worst <= 3e-5 && rel <= 5e-6, `cost ${worst}, primal ${rel}`);
  // a larger λ keeps fewer
  const big = await solve(y, p, { prior: 'lowrank', tolerance: 0, nIter: 12, lowrankFactor: 4 });
  assert.equal(big.lowrank!.lambda, 4 * soft.lowrank!.lambda);
  assert.ok(big.lowrank!.ranks.at(-1)! < info.dual_rank.at(-1));
});

test('more objects than pixels: the pixels\' Gram gives the same spectrum and SVT map', () => {
  const n = 150, npix = 64;
  const s = [40, 20, 10, 5, 2.5, 1, 0.5, 0.25, ...Array.from({ length: 40 }, (_, k) => 1e-3 * (40 - k))];
  const m = withSingularValues(n, npix, s, 17);
  const spec = new StackSpectrum(new KernelModule(), n, npix);
  assert.ok(spec.byPixels);
  const got = spec.singularValues(m);
  assert.equal(got.length, npix);
  let worst = 0;
  for (let k = 0; k < npix; k++) worst = Math.max(worst, Math.abs(got[k] - (s[k] ?? 0)));
  assert.ok(worst < 1e-5, `max |Δs| = ${worst}`);
  const map = spec.svt(m, 2, 'hard');
  assert.equal(map.rank, 5);
  // the kept subspace holds Σ_{k<5} s_k² of M's energy
  let energy = 0;
  for (let a = 0; a < 5; a++) {
    for (let i = 0; i < n; i++) {
      let d = 0;
      for (let p = 0; p < npix; p++) d += map.u[p * 5 + a] * m[i * npix + p];
      energy += d * d;
    }
  }
  assert.ok(Math.abs(energy / (1600 + 400 + 100 + 25 + 6.25) - 1) < 1e-6, `energy ${energy}`);
  spec.dispose();
});

test('more objects than pixels, data the references were not made from (90 simulated 8×8 stamps): the exact-SVD peer\'s costs, ranks and primal', async () => {
  const y = loadNpy('sim8/observed.npy'), p = loadNpy('sim8/psfs.npy');
  for (const [prior, threshold, nReweights] of [['both', 'hard', 1], ['lowrank', 'soft', 0]] as const) {
    const info = loadJson(`sim8/${prior}_${threshold}_info.json`);
    const r = await solve(y, p, { prior, lowrankThreshold: threshold, nIter: 8, nReweights, tolerance: 0 });
    assert.ok(Math.abs(r.lowrank!.lambda / info.lam - 1) < 1e-14);
    assert.deepEqual(r.lowrank!.ranks, info.dual_rank);
    const worst = Math.max(...r.cost.map((c, i) => Math.abs(c / info.cost[i] - 1)));
    const rel = relL2(r.x, loadNpy(`sim8/${prior}_${threshold}_primal.npy`).data);
    // measured: costs 9.0e-8, primal 1.1e-7 (both) and 3.1e-7 (lowrank, soft)
    assert.ok(worst <= 1e-6 && rel <= 3e-6, `${prior}: cost ${worst}, primal ${rel}`);
  }
});

test('per-object σ_i: λ uses their median (lowrank alone: the same bits as that one σ); both weights each object by its σ_i; a mask is refused', async () => {
  const n = 12;
  const y = { data: Y.data.subarray(0, n * 1681), shape: [n, 41, 41] };
  const p = { data: P.data.subarray(0, n * P.shape[1] * P.shape[2]), shape: [n, P.shape[1], P.shape[2]] };
  // σ_i spread over two decades; their median (NumPy's: the mean of the two middle values) is 3e-4
  const sigma = Array.from({ length: n }, (_, i) => (i < n / 2 ? 2.5e-4 - i * 1e-5 : 3.5e-4 + (i - n / 2) * 1e-3));
  const med = (2.5e-4 + 3.5e-4) / 2; // the two middle values: the largest of the low half, the smallest of the high half
  // enough iterations for x to leave the duals' start at ones (x̃ = 0 for the first few)
  const opts = { prior: 'lowrank' as const, tolerance: 0, nIter: 40 };
  const per = await solve(y, p, opts, { perObject: { sigma } });
  const one = await solve(y, p, { ...opts, noiseEst: med });
  assert.equal(per.noiseSigma, med);
  assert.equal(per.lowrank!.lambda, lowrankLambda(med, n, 41, 41, per.lowrank!.beta, 1));
  assert.equal(per.lowrank!.lambda, one.lowrank!.lambda);
  assert.deepEqual(per.x, one.x);
  assert.deepEqual(per.cost, one.cost);
  assert.ok(per.lowrank!.ranks.at(-1)! > 0);
  // both: the same λ, but the wavelet weights follow each σ_i, so the estimate differs
  const bothPer = await solve(y, p, { ...opts, prior: 'both', nReweights: 0 }, { perObject: { sigma } });
  const bothOne = await solve(y, p, { ...opts, prior: 'both', nReweights: 0, noiseEst: med });
  assert.equal(bothPer.lowrank!.lambda, bothOne.lowrank!.lambda);
  assert.notDeepEqual(bothPer.x, bothOne.x);
  await assert.rejects(solve(y, p, opts, { perObject: { mask: new Float32Array(y.data.length).fill(1) } }),
    (e: Error) => e instanceof OptionError && /mask cannot be combined with prior lowrank/.test(e.message));
});
