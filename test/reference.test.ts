/**
 * Proof of the scalar float64 reference implementation (src/kernels/reference.ts) against
 * ALGORITHM.md and the reference data in test/fixtures/example/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  BANDS,
  convolveDirect,
  correlateDirect,
  defaultReferenceOptions,
  irdft2,
  noiseSigma,
  psfSpectrum,
  rdft2,
  ReferenceSolver,
  starlet,
  starletAdjoint,
  starletFilters,
  weights0,
  type ReferenceOptions,
  type Wavelet,
} from '../src/reference/index.ts';

const EXAMPLE = fileURLToPath(new URL('./fixtures/example/', import.meta.url));
const REF = `${EXAMPLE}reference/`;

// ---------------------------------------------------------------------------------------
// Minimal .npy reader (NumPy format 1.0, little-endian '<f8' / '<f4', C order), test only.
// ---------------------------------------------------------------------------------------
interface Npy { data: Float64Array; shape: number[] }

function readNpy(path: string): Npy {
  const buf = readFileSync(path);
  assert.equal(buf.subarray(0, 6).toString('latin1'), '\x93NUMPY', `${path}: not a .npy file`);
  assert.equal(buf[6], 1, `${path}: only format 1.0 is supported`);
  const headerLen = buf.readUInt16LE(8);
  const header = buf.subarray(10, 10 + headerLen).toString('latin1');
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  assert.match(header, /'fortran_order':\s*False/, `${path}: Fortran order`);
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? '';
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s.length > 0).map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const offset = 10 + headerLen;
  const data = new Float64Array(count);
  if (descr === '<f8') {
    for (let p = 0; p < count; p++) data[p] = buf.readDoubleLE(offset + 8 * p);
  } else if (descr === '<f4') {
    for (let p = 0; p < count; p++) data[p] = buf.readFloatLE(offset + 4 * p);
  } else {
    assert.fail(`${path}: unsupported dtype ${descr}`);
  }
  return { data, shape };
}

function readJson(path: string): any {
  return JSON.parse(readFileSync(path, 'utf8'));
}

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/** Deterministic uniform(-1, 1) numbers (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  };
}

function random(n: number, r: () => number): Float64Array {
  const a = new Float64Array(n);
  for (let p = 0; p < n; p++) a[p] = r();
  return a;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let p = 0; p < a.length; p++) s += a[p] * b[p];
  return s;
}

function norm(a: ArrayLike<number>): number {
  return Math.sqrt(dot(a, a));
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let p = 0; p < a.length; p++) m = Math.max(m, Math.abs(a[p] - b[p]));
  return m;
}

function relL2(a: ArrayLike<number>, ref: ArrayLike<number>): number {
  assert.equal(a.length, ref.length);
  let num = 0;
  for (let p = 0; p < a.length; p++) num += (a[p] - ref[p]) ** 2;
  return Math.sqrt(num) / norm(ref);
}

function relClose(actual: number, expected: number, tol: number, what: string): void {
  const rel = Math.abs(actual - expected) / Math.abs(expected);
  assert.ok(rel <= tol, `${what}: ${actual} vs ${expected} (rel ${rel.toExponential(2)} > ${tol})`);
}

const SIZES: [number, number][] = [[41, 41], [40, 40], [25, 25], [16, 24], [8, 8]];
const WAVELETS: Wavelet[] = ['linear', 'b3'];

// Example data (loaded once) and the first 10 objects of it.
const Y = readNpy(`${EXAMPLE}example_image_stack.npy`);
const PSF = readNpy(`${EXAMPLE}example_psfs.npy`);
const [N, NY, NX] = Y.shape;
const NPIX = NY * NX;
const SIGMA_REF = 3.1169931950657725e-4;
const shape10 = { n: 10, ny: NY, nx: NX };
const psfShape10 = { n: 10, ky: NY, kx: NX };
const y10 = Y.data.subarray(0, 10 * NPIX);
const psf10 = PSF.data.subarray(0, 10 * NPIX);

// ---------------------------------------------------------------------------------------
// §2 Convolution
// ---------------------------------------------------------------------------------------

test('convolveDirect equals DFT-based convolution (odd, even, non-square sizes, small PSF)', () => {
  const r = rng(1);
  const cases: [number, number, number, number][] = [
    [41, 41, 41, 41], [40, 40, 40, 40], [25, 25, 25, 25], [16, 24, 16, 24],
    [41, 41, 7, 5], [40, 40, 6, 9], [16, 24, 5, 8],
  ];
  for (const [ny, nx, ky, kx] of cases) {
    const x = random(ny * nx, r);
    const k = random(ky * kx, r);
    const direct = convolveDirect(x, ny, nx, k, ky, kx);
    const X = rdft2(x, ny, nx);
    const P = psfSpectrum(k, ky, kx, ny, nx);
    const prod = new Float64Array(X.length);
    for (let f = 0; f < X.length / 2; f++) {
      prod[2 * f] = P[2 * f] * X[2 * f] - P[2 * f + 1] * X[2 * f + 1];
      prod[2 * f + 1] = P[2 * f] * X[2 * f + 1] + P[2 * f + 1] * X[2 * f];
    }
    const spectral = irdft2(prod, ny, nx);
    const err = maxAbsDiff(direct, spectral) / Math.max(...direct.map(Math.abs));
    assert.ok(err <= 1e-12, `${ny}x${nx} kernel ${ky}x${kx}: ${err}`);
  }
});

test('rdft2/irdft2 round trip and a hand-checked convolution', () => {
  const r = rng(2);
  for (const [ny, nx] of SIZES) {
    const x = random(ny * nx, r);
    assert.ok(maxAbsDiff(irdft2(rdft2(x, ny, nx), ny, nx), x) <= 1e-13, `${ny}x${nx}`);
  }
  // 3x3 kernel with origin (1,1): a Dirac at (0,0) is mapped to the kernel centred at (0,0)
  const x = new Float64Array(8 * 8);
  x[0] = 1;
  const k = [1, 2, 3, 4, 5, 6, 7, 8, 9];
  const out = convolveDirect(x, 8, 8, k, 3, 3);
  assert.equal(out[0], 5); // k[c]
  assert.equal(out[1], 6); // (0,1): k[1, 2]
  assert.equal(out[8], 8); // (1,0): k[2, 1]
  assert.equal(out[7 * 8 + 7], 1); // (-1,-1): k[0, 0]
});

test('correlateDirect is the exact adjoint of convolveDirect', () => {
  const r = rng(3);
  for (const [ny, nx] of SIZES) {
    for (const [ky, kx] of [[ny, nx], [5, 4], [3, 6]]) {
      const a = random(ny * nx, r);
      const b = random(ny * nx, r);
      const k = random(ky * kx, r);
      const Aa = convolveDirect(a, ny, nx, k, ky, kx);
      const Atb = correlateDirect(b, ny, nx, k, ky, kx);
      const gap = Math.abs(dot(Aa, b) - dot(a, Atb));
      assert.ok(gap <= 1e-12 * norm(Aa) * norm(b), `${ny}x${nx} kernel ${ky}x${kx}: ${gap}`);
    }
  }
});

// ---------------------------------------------------------------------------------------
// §3 Wavelets
// ---------------------------------------------------------------------------------------

test('starletAdjoint is the exact adjoint of starlet (both wavelets, several sizes)', () => {
  const r = rng(4);
  for (const wavelet of WAVELETS) {
    for (const [ny, nx] of SIZES) {
      const a = random(ny * nx, r);
      const z = random(BANDS * ny * nx, r);
      const Pa = starlet(a, ny, nx, wavelet);
      const Ptz = starletAdjoint(z, ny, nx, wavelet);
      const gap = Math.abs(dot(Pa, z) - dot(a, Ptz));
      assert.ok(gap <= 1e-12 * norm(Pa) * norm(z), `${wavelet} ${ny}x${nx}: ${gap}`);
    }
  }
});

test('starlet equals the filter bank of the reference data, and the table of docs/ALGORITHM.md §3', () => {
  const table = {
    linear: { l1: [1.5, 1.21875, 1.072266], l2: [0.800391, 0.272879, 0.119779], centre: [0.75, 0.1875, 0.046875] },
    b3: { l2: [0.890796, 0.200664, 0.085508], centre: [0.859375, 0.111084, 0.022488] },
  };
  for (const wavelet of WAVELETS) {
    const filters = starletFilters(41, 41, wavelet);
    const ref = readNpy(`${REF}filters_${wavelet}_41.npy`);
    assert.deepEqual(ref.shape, [3, 41, 41]);
    assert.ok(maxAbsDiff(filters, ref.data) <= 1e-12, wavelet);
    for (let j = 0; j < BANDS; j++) {
      const h = filters.subarray(j * 41 * 41, (j + 1) * 41 * 41);
      const t = table[wavelet];
      assert.ok(Math.abs(norm(h) - t.l2[j]) <= 1e-6, `${wavelet} band ${j} l2`);
      assert.ok(Math.abs(h[20 * 41 + 20] - t.centre[j]) <= 1e-6, `${wavelet} band ${j} centre`);
      if ('l1' in table[wavelet]) {
        const l1 = h.reduce((s, v) => s + Math.abs(v), 0);
        assert.ok(Math.abs(l1 - table.linear.l1[j]) <= 1e-6, `${wavelet} band ${j} l1`);
      }
      assert.ok(Math.abs(h.reduce((s, v) => s + v, 0)) <= 1e-15, `${wavelet} band ${j} sums to 0`);
    }
    // Φ applied to an image equals periodic convolution with the filter bank
    const x = random(41 * 41, rng(5));
    const bands = starlet(x, 41, 41, wavelet);
    for (let j = 0; j < BANDS; j++) {
      const viaFilter = convolveDirect(x, 41, 41, filters.subarray(j * 1681, (j + 1) * 1681), 41, 41);
      assert.ok(maxAbsDiff(bands.subarray(j * 1681, (j + 1) * 1681), viaFilter) <= 1e-13, `${wavelet} band ${j}`);
    }
  }
});

// ---------------------------------------------------------------------------------------
// §4 Noise, §5 weights
// ---------------------------------------------------------------------------------------

test('noiseSigma of the example stack', () => {
  relClose(noiseSigma(Y.data), SIGMA_REF, 1e-12, 'sigma');
  // numpy's median averages the two middle values
  assert.equal(noiseSigma([1, 2, 3, 10]), 1.4826 * 1);
});

test('weights0 equals weights0.npy and b3_weights0.npy (corrected order)', () => {
  for (const [wavelet, file] of [['linear', 'weights0.npy'], ['b3', 'b3_weights0.npy']] as const) {
    const ref = readNpy(`${REF}${file}`);
    assert.deepEqual(ref.shape, [N, 3]);
    const w = weights0(PSF.data, N, NY, NX, NY, NX, SIGMA_REF, [3, 3, 4], wavelet);
    for (let q = 0; q < w.length; q++) relClose(w[q], ref.data[q], 1e-10, `${wavelet} W0[${q}]`);
  }
  // a shared PSF gives the same row for every object
  const shared = weights0(PSF.data.subarray(0, NPIX), 3, NY, NX, NY, NX, SIGMA_REF, [3, 3, 4], 'linear', true);
  const own = weights0(PSF.data, 1, NY, NX, NY, NX, SIGMA_REF, [3, 3, 4], 'linear');
  for (let i = 0; i < 3; i++) assert.deepEqual(shared.subarray(3 * i, 3 * i + 3), own);
});

// ---------------------------------------------------------------------------------------
// §6 The first iterations
// ---------------------------------------------------------------------------------------

test('state after 1 and 2 iterations (all 100 objects; duals of objects 0-9)', () => {
  const solver = new ReferenceSolver(Y.data, PSF.data, { n: N, ny: NY, nx: NX }, { n: N, ky: NY, kx: NX }, defaultReferenceOptions);
  relClose(solver.noiseSigma, SIGMA_REF, 1e-12, 'sigma');
  for (const it of [1, 2]) {
    solver.step();
    const primal = readNpy(`${REF}iter${it}_primal.npy`);
    const dual = readNpy(`${REF}iter${it}_dual_first10.npy`);
    const info = readJson(`${REF}iter${it}_info.json`);
    const ePrimal = relL2(solver.x, primal.data);
    assert.ok(ePrimal <= 1e-10, `iteration ${it} primal: ${ePrimal}`);
    const eDual = relL2(solver.dual.subarray(0, dual.data.length), dual.data);
    assert.ok(eDual <= 1e-8, `iteration ${it} dual: ${eDual}`);
    relClose(solver.cost(), info.cost[it - 1], 1e-10, `iteration ${it} cost`);
  }
});

test('one step and the cost equal the formulas of §6-§7 with direct convolutions (16x24, shared 5x4 PSF)', () => {
  const r = rng(6);
  const [n, ny, nx, ky, kx] = [2, 16, 24, 5, 4];
  const npix = ny * nx;
  const y = random(n * npix, r);
  const psf = random(ky * kx, r).map((v) => v + 1);
  for (const positivity of [true, false]) {
    const opts: ReferenceOptions = { ...defaultReferenceOptions, positivity, tau: 0.3, sigmaD: 0.7, rho: 0.9, noiseEst: 0.1 };
    const solver = new ReferenceSolver(y, psf, { n, ny, nx }, { n: 1, ky, kx }, opts);
    solver.x = random(n * npix, r);
    solver.dual = random(n * BANDS * npix, r);
    solver.w = random(n * BANDS * npix, r).map((v) => 0.2 + Math.abs(v));
    const [x0, dual0, w] = [solver.x.slice(), solver.dual.slice(), solver.w.slice()];

    // The cost, directly
    let expectedCost = 0;
    for (let i = 0; i < n; i++) {
      const xi = x0.subarray(i * npix, (i + 1) * npix);
      const hx = convolveDirect(xi, ny, nx, psf, ky, kx);
      const phi = starlet(xi, ny, nx, 'linear');
      for (let p = 0; p < npix; p++) expectedCost += 0.5 * (y[i * npix + p] - hx[p]) ** 2;
      for (let q = 0; q < BANDS * npix; q++) expectedCost += Math.abs(w[i * BANDS * npix + q] * phi[q]);
    }
    relClose(solver.cost(), expectedCost, 1e-12, 'cost');

    // One iteration, directly
    solver.step();
    for (let i = 0; i < n; i++) {
      const xn = x0.subarray(i * npix, (i + 1) * npix);
      const yn = dual0.subarray(i * BANDS * npix, (i + 1) * BANDS * npix);
      const wi = w.subarray(i * BANDS * npix, (i + 1) * BANDS * npix);
      const residual = convolveDirect(xn, ny, nx, psf, ky, kx).map((v, p) => v - y[i * npix + p]);
      const g = correlateDirect(residual, ny, nx, psf, ky, kx);
      const phiTy = starletAdjoint(yn, ny, nx, 'linear');
      const xt = xn.map((v, p) => v - opts.tau * g[p] - opts.tau * phiTy[p]).map((v) => (positivity ? Math.max(v, 0) : v));
      const phi = starlet(xt.map((v, p) => 2 * v - xn[p]), ny, nx, 'linear');
      const yt = yn.map((v, q) => Math.min(Math.max(v + opts.sigmaD * phi[q], -wi[q]), wi[q]));
      const x1 = xt.map((v, p) => opts.rho * v + (1 - opts.rho) * xn[p]);
      const y1 = yt.map((v, q) => opts.rho * v + (1 - opts.rho) * yn[q]);
      assert.ok(maxAbsDiff(solver.x.subarray(i * npix, (i + 1) * npix), x1) <= 1e-12, `x of object ${i}`);
      assert.ok(maxAbsDiff(solver.dual.subarray(i * BANDS * npix, (i + 1) * BANDS * npix), y1) <= 1e-12, `dual of object ${i}`);
    }
  }
});

test('stopping rule: cost window, test list of 4 carried over a reweight, convergence ends a phase', () => {
  const r = rng(7);
  const [n, ny, nx] = [2, 8, 8];
  const y = random(n * ny * nx, r);
  const psf = [0, 0.1, 0, 0.1, 0.6, 0.1, 0, 0.1, 0];
  const make = (o: Partial<ReferenceOptions>) =>
    new ReferenceSolver(y, psf, { n, ny, nx }, { n: 1, ky: 3, kx: 3 }, { ...defaultReferenceOptions, noiseEst: 0.01, ...o });

  // Window 3, rule off: costs at 3, 6, ..., 18; one test (at 12) mixing both phases.
  let res = make({ nIter: 10, costWindow: 3, tolerance: 0 }).run();
  assert.equal(res.iterations, 20);
  assert.equal(res.cost.length, 6);
  assert.deepEqual(res.tests.map((t) => t.iteration), [12]);
  assert.equal(res.converged, false);

  // Partly filled list carried over: phases of 6 give tests at 4, 8, 12 (not 4, 10).
  res = make({ nIter: 6, tolerance: 0 }).run();
  assert.equal(res.iterations, 12);
  assert.deepEqual(res.tests.map((t) => t.iteration), [4, 8, 12]);
  const c = res.cost;
  const mean = (a: number, b: number) => (a + b) / 2;
  assert.equal(res.tests[1].diff, Math.abs(mean(c[6], c[7]) - mean(c[4], c[5])) / Math.abs(mean(c[6], c[7])));

  // Every test passes: each phase ends at its first test; the reweights still happen.
  res = make({ nIter: 10, nReweights: 2, tolerance: 1e9 }).run();
  assert.equal(res.iterations, 12);
  assert.deepEqual(res.tests.map((t) => [t.iteration, t.converged]), [[4, true], [8, true], [12, true]]);
  assert.equal(res.converged, true);

  // The reweight itself: W ← W / (1 + |Φ(x)| / W0)
  const s = make({});
  for (let k = 0; k < 3; k++) s.step();
  const before = s.w.slice();
  s.reweight();
  const npix = ny * nx;
  for (let i = 0; i < n; i++) {
    const phi = starlet(s.x.subarray(i * npix, (i + 1) * npix), ny, nx, 'linear');
    for (let q = 0; q < BANDS * npix; q++) {
      const w0 = before[i * BANDS * npix + q]; // W = W0 before the first reweight
      relClose(s.w[i * BANDS * npix + q], w0 / (1 + Math.abs(phi[q]) / w0), 1e-15, 'reweight');
    }
  }
});

// ---------------------------------------------------------------------------------------
// §7-§8 Full runs
// ---------------------------------------------------------------------------------------

test('full run, tolerance 0 (150 + 150 iterations), objects 0-9 vs default_primal.npy', () => {
  const opts: ReferenceOptions = { ...defaultReferenceOptions, tolerance: 0, noiseEst: SIGMA_REF };
  const solver = new ReferenceSolver(y10, psf10, shape10, psfShape10, opts);
  const result = solver.run();
  assert.equal(result.iterations, 300);
  assert.equal(result.converged, false);
  assert.equal(result.cost.length, 300);
  assert.equal(result.tests.length, 75);
  const ref = readNpy(`${REF}default_primal.npy`);
  const err = relL2(result.x, ref.data.subarray(0, 10 * NPIX));
  assert.ok(err <= 1e-9, `primal: ${err}`);
});

test('full run with the b3 wavelet, tolerance 0, objects 0-4 vs b3_primal.npy', () => {
  const opts: ReferenceOptions = { ...defaultReferenceOptions, wavelet: 'b3', tolerance: 0, noiseEst: SIGMA_REF };
  const result = new ReferenceSolver(Y.data.subarray(0, 5 * NPIX), PSF.data.subarray(0, 5 * NPIX), { n: 5, ny: NY, nx: NX }, { n: 5, ky: NY, kx: NX }, opts).run();
  assert.equal(result.iterations, 300);
  const ref = readNpy(`${REF}b3_primal.npy`);
  const err = relL2(result.x, ref.data.subarray(0, 5 * NPIX));
  assert.ok(err <= 1e-9, `primal: ${err}`);
});

// About 45-100 s in scalar float64 on this project's machine: opt-in.
const FULL = process.env.GALDECON_REFERENCE_FULL === '1';
test('full default run on all 100 objects: 300 iterations, cost list and tests of default_info.json (GALDECON_REFERENCE_FULL=1)', { skip: !FULL }, () => {
  const info = readJson(`${REF}default_info.json`);
  const solver = new ReferenceSolver(Y.data, PSF.data, { n: N, ny: NY, nx: NX }, { n: N, ky: NY, kx: NX }, defaultReferenceOptions);
  const result = solver.run();
  assert.equal(result.iterations, info.n_iterations);
  assert.equal(result.converged, info.converged_last_phase);
  assert.equal(result.cost.length, info.cost.length);
  for (let t = 0; t < info.cost.length; t++) relClose(result.cost[t], info.cost[t], 1e-10, `cost ${t + 1}`);
  relClose(result.cost.at(-1)!, info.final_cost, 1e-10, 'final cost');
  assert.equal(result.tests.length, info.conv_tests.length);
  for (let t = 0; t < info.conv_tests.length; t++) {
    const [got, want] = [result.tests[t], info.conv_tests[t]];
    assert.equal(got.iteration, want.iteration);
    assert.equal(got.converged, want.converged, `test at ${want.iteration}`);
    assert.ok(Math.abs(got.diff - want.diff) <= 1e-8 * Math.max(1, Math.abs(want.diff)), `diff at ${want.iteration}`);
  }
  const ref = readNpy(`${REF}default_primal.npy`);
  const err = relL2(result.x, ref.data);
  assert.ok(err <= 1e-9, `primal: ${err}`);
});
