import { test } from 'node:test';
import assert from 'node:assert/strict';

import { InputError, OptionError } from '../src/errors.ts';
import { Rng, STREAM_NOISE, STREAM_TRUTH, detExp, detLog, seedWords } from '../src/sim/random.ts';
import {
  drawGalaxy, renderGalaxy, renderGalaxyMidpoint, renderGalaxyReference, sersicB, type GalaxyParams,
} from '../src/sim/galaxy.ts';
import { DEFAULT_PSF_FIELD, psfAt, renderPsf, renderPsfReference } from '../src/sim/psf.ts';
import { observe, simulate, simulateObject, simulateTruth, type Convolver } from '../src/sim/simulate.ts';

/** Direct periodic convolution, docs/ALGORITHM.md §2: (x ⊛ k)[p] = Σ_q k[c + q] · x[(p − q) mod n]. */
const directConvolve: Convolver = (images, psfs, n, ny, nx) => {
  const out = new Float32Array(n * ny * nx);
  const cy = ny >> 1;
  const cx = nx >> 1;
  for (let o = 0; o < n; o++) {
    const b = o * ny * nx;
    for (let py = 0; py < ny; py++) {
      for (let px = 0; px < nx; px++) {
        let s = 0;
        for (let ky = 0; ky < ny; ky++) {
          const y = (((py - (ky - cy)) % ny) + ny) % ny;
          for (let kx = 0; kx < nx; kx++) {
            const x = (((px - (kx - cx)) % nx) + nx) % nx;
            s += psfs[b + ky * nx + kx]! * images[b + y * nx + x]!;
          }
        }
        out[b + py * nx + px] = s;
      }
    }
  }
  return out;
};

const bitsEqual = (a: Float32Array, b: Float32Array): boolean =>
  a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength));

function stats(a: ArrayLike<number>): { mean: number; std: number } {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  const mean = s / a.length;
  let v = 0;
  for (let i = 0; i < a.length; i++) v += (a[i]! - mean) ** 2;
  return { mean, std: Math.sqrt(v / (a.length - 1)) };
}

/** Gaussian-weighted quadrupole moments about (cy, cx): size² and ellipticity, with x =
 *  column, y = row (χ1 > 0: elongated along the columns). */
function moments(img: ArrayLike<number>, ny: number, nx: number, cy: number, cx: number, sigma = 2.5) {
  let m0 = 0;
  let xx = 0;
  let yy = 0;
  let xy = 0;
  for (let i = 0; i < ny; i++) {
    for (let j = 0; j < nx; j++) {
      const dx = j - cx;
      const dy = i - cy;
      const w = img[i * nx + j]! * Math.exp(-(dx * dx + dy * dy) / (2 * sigma * sigma));
      m0 += w;
      xx += w * dx * dx;
      yy += w * dy * dy;
      xy += w * dx * dy;
    }
  }
  const t = xx + yy;
  return { size2: t / m0, e1: (xx - yy) / t, e2: (2 * xy) / t };
}

// ---------------------------------------------------------------------------------------
// random.ts

test('xoshiro128** matches the reference sequence', () => {
  const r = new Rng(1, 2, 3, 4);
  const got = Array.from({ length: 6 }, () => r.nextU32());
  assert.deepEqual(got, [11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
});

test('streams: deterministic, distinct per (seed, stream, index), uniform in [0, 1)', () => {
  const a = Rng.forStream(42, STREAM_TRUTH, 7);
  const b = Rng.forStream(42, STREAM_TRUTH, 7);
  const seqA = Array.from({ length: 100 }, () => a.uniform());
  assert.deepEqual(Array.from({ length: 100 }, () => b.uniform()), seqA);
  for (const other of [Rng.forStream(43, STREAM_TRUTH, 7), Rng.forStream(42, STREAM_NOISE, 7),
    Rng.forStream(42, STREAM_TRUTH, 8), Rng.forStream(42 + 2 ** 32, STREAM_TRUTH, 7)]) {
    assert.notDeepEqual(Array.from({ length: 100 }, () => other.uniform()), seqA);
  }
  assert.ok(seqA.every((x) => x >= 0 && x < 1));
  assert.deepEqual(seedWords(-1), [0xffffffff, 0xffffffff]);
  assert.deepEqual(seedWords(2 ** 40 + 5), [5, 256]);
  assert.throws(() => seedWords(1.5), OptionError);
});

test('detLog / detExp agree with Math.log / Math.exp to ~1 ulp', () => {
  const r = Rng.forStream(1, 2, 3);
  for (let i = 0; i < 20000; i++) {
    const x = r.uniform() * 10 ** (r.uniform() * 40 - 20) + 1e-300;
    assert.ok(Math.abs(detLog(x) - Math.log(x)) <= 4e-16 * Math.max(1, Math.abs(Math.log(x))), `log ${x}`);
    const y = (r.uniform() - 0.5) * 1400;
    assert.ok(Math.abs(detExp(y) - Math.exp(y)) <= 4e-16 * Math.exp(y), `exp ${y}`);
  }
  assert.equal(detLog(1), 0);
  assert.equal(detExp(0), 1);
});

test('normal(): mean 0, variance 1, symmetric tails', () => {
  const r = Rng.forStream(5, STREAM_NOISE, 0);
  const n = 200000;
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) z[i] = r.normal();
  const { mean, std } = stats(z);
  assert.ok(Math.abs(mean) < 5 / Math.sqrt(n), `mean ${mean}`);
  assert.ok(Math.abs(std - 1) < 0.01, `std ${std}`);
  const tail = z.filter((x) => Math.abs(x) > 2).length / n; // 0.0455 for N(0, 1)
  assert.ok(Math.abs(tail - 0.0455) < 0.003, `P(|z| > 2) = ${tail}`);
});

// ---------------------------------------------------------------------------------------
// galaxy.ts and psf.ts

test('Ciotti–Bertin b(n): half-light property of the Sérsic profile', () => {
  // γ(2n, b) = Γ(2n)/2 ⇔ P(2n, b) = ½; for n = 1: 1 − (1 + b)e^{−b} = ½
  // (the expansion is asymptotic in n: ~3e-5 relative at n = 1, better above)
  const b1 = sersicB(1);
  assert.ok(Math.abs(b1 - 1.678347) < 5e-5);
  assert.ok(Math.abs(1 - (1 + b1) * Math.exp(-b1) - 0.5) < 2e-5);
  assert.ok(Math.abs(sersicB(4) - 7.669249) < 1e-5);
});

test('fast galaxy rendering matches the adaptive direct reference (cusps included)', () => {
  const cases: GalaxyParams[] = [
    { flux: 1, bulge_re: 1.3, bulge_n: 4, disk_re: 1.7, bulge_fraction: 1, q: 0.55, theta: 0.3, xc: 20.2, yc: 19.7 },
    { flux: 2, bulge_re: 0.36, bulge_n: 3, disk_re: 1.8, bulge_fraction: 0.4, q: 0.25, theta: 1, xc: 20, yc: 20 },
    drawGalaxy(Rng.forStream(7, STREAM_TRUTH, 0), 41),
  ];
  for (const p of cases) {
    const fast = new Float64Array(41 * 41);
    renderGalaxy(p, 41, 41, fast);
    const ref = renderGalaxyReference(p, 41, 41, 2);
    const peak = Math.max(...ref);
    let err = 0;
    for (let k = 0; k < ref.length; k++) err = Math.max(err, Math.abs(fast[k]! - ref[k]!));
    assert.ok(err < 2e-4 * peak, `max error ${err / peak} of the peak`);
    // the 5×5 midpoint sampling of make_synthetic.py agrees away from the centre
    const mid = renderGalaxyMidpoint(p, 41, 41, 5);
    let far = 0;
    for (let i = 0; i < 41; i++) {
      for (let j = 0; j < 41; j++) {
        if (Math.hypot(i - p.yc, j - p.xc) > 4) far = Math.max(far, Math.abs(mid[i * 41 + j]! - ref[i * 41 + j]!));
      }
    }
    assert.ok(far < 3e-2 * peak, `5×5 midpoint off by ${far / peak} of the peak`);
  }
});

test('fast PSF rendering matches the direct reference', () => {
  for (const [u, v] of [[0, 0], [1, 1], [-1, 0.5]] as const) {
    const p = psfAt(u, v);
    const fast = new Float64Array(41 * 41);
    renderPsf(p, 41, 41, fast);
    const ref = renderPsfReference(p, 41, 41, 3);
    const peak = Math.max(...ref);
    let err = 0;
    for (let k = 0; k < ref.length; k++) err = Math.max(err, Math.abs(fast[k]! - ref[k]!));
    assert.ok(err < 1e-4 * peak, `max error ${err / peak} of the peak`);
  }
});

test('PSF field: parameters in range, varying, and smooth across the focal plane', () => {
  const g = 51;
  const F: number[][] = [];
  const E1: number[][] = [];
  const E2: number[][] = [];
  let fwMin = Infinity, fwMax = -Infinity, bMin = Infinity, bMax = -Infinity, eMax = 0;
  for (let a = 0; a < g; a++) {
    F.push([]); E1.push([]); E2.push([]);
    for (let b = 0; b < g; b++) {
      const p = psfAt(-1 + (2 * b) / (g - 1), -1 + (2 * a) / (g - 1));
      F[a]!.push(p.fwhm); E1[a]!.push(p.e1); E2[a]!.push(p.e2);
      fwMin = Math.min(fwMin, p.fwhm); fwMax = Math.max(fwMax, p.fwhm);
      bMin = Math.min(bMin, p.beta); bMax = Math.max(bMax, p.beta);
      eMax = Math.max(eMax, Math.hypot(p.e1, p.e2));
    }
  }
  assert.ok(fwMin >= 2 && fwMax <= 3.5 && fwMax - fwMin > 0.8, `FWHM ${fwMin}…${fwMax}`);
  assert.ok(bMin >= 2.5 && bMax <= 4.5 && bMax - bMin > 1, `β ${bMin}…${bMax}`);
  assert.ok(eMax <= 0.1 && eMax > 0.05, `|e| max ${eMax}`);
  const range = (m: number[][]) => Math.max(...m.flat()) - Math.min(...m.flat());
  for (const m of [F, E1, E2]) {
    let step = 0;
    for (let a = 0; a < g; a++) {
      for (let b = 0; b < g; b++) {
        if (b + 1 < g) step = Math.max(step, Math.abs(m[a]![b + 1]! - m[a]![b]!));
        if (a + 1 < g) step = Math.max(step, Math.abs(m[a + 1]![b]! - m[a]![b]!));
      }
    }
    // neighbours (Δu = 0.04) differ by a small part of the variation over the field
    assert.ok(step < 0.06 * range(m), `step ${step}, range ${range(m)}`);
  }
  assert.equal(DEFAULT_PSF_FIELD.fwhm[0], psfAt(0, 0).fwhm);
});

test('rendered PSFs: sum 1, positive, peak at the origin, measured size/shape follow the field', () => {
  const { psfs, params } = simulateTruth({ n: 40, seed: 3 });
  const N = 41;
  const size2: number[] = [];
  for (let i = 0; i < 40; i++) {
    const k = psfs.subarray(i * N * N, (i + 1) * N * N);
    let s = 0;
    let arg = 0;
    for (let j = 0; j < k.length; j++) {
      assert.ok(k[j]! > 0);
      s += k[j]!;
      if (k[j]! > k[arg]!) arg = j;
    }
    assert.ok(Math.abs(s - 1) < 1e-6, `sum ${s}`);
    assert.equal(arg, 20 * N + 20, 'peak at (ny>>1, nx>>1)');
    const m = moments(k, N, N, 20, 20);
    const o = params.objects[i]!;
    size2.push(m.size2);
    // measured ellipticity has the sign and rough size of the model's (|e| small, χ ≈ 2e
    // unweighted; the Gaussian weight shrinks it)
    assert.ok(Math.abs(m.e1 - 2 * o.psf_e1 * 0.8) < 0.6 * Math.abs(o.psf_e1) + 0.006, `e1 ${m.e1} vs ${o.psf_e1}`);
    assert.ok(Math.abs(m.e2 - 2 * o.psf_e2 * 0.8) < 0.6 * Math.abs(o.psf_e2) + 0.006, `e2 ${m.e2} vs ${o.psf_e2}`);
  }
  // measured size increases with the model FWHM
  const fw = params.objects.map((o) => o.psf_fwhm);
  const order = fw.map((_, i) => i).sort((a, b) => fw[a]! - fw[b]!);
  assert.ok(size2[order[39]!]! > 1.3 * size2[order[0]!]!);
  for (let t = 1; t < 40; t++) {
    if (fw[order[t]!]! - fw[order[t - 1]!]! > 0.05) assert.ok(size2[order[t]!]! > size2[order[t - 1]!]! * 0.98);
  }
});

test('non-default sizes: even and odd stamps, PSF origin at (ny>>1, nx>>1)', () => {
  for (const size of [16, 25]) {
    const { truth, psfs, params } = simulateTruth({ n: 3, seed: 9, size });
    const N = size;
    for (let i = 0; i < 3; i++) {
      const k = psfs.subarray(i * N * N, (i + 1) * N * N);
      let arg = 0;
      let s = 0;
      for (let j = 0; j < k.length; j++) { s += k[j]!; if (k[j]! > k[arg]!) arg = j; }
      assert.equal(arg, (N >> 1) * N + (N >> 1));
      assert.ok(Math.abs(s - 1) < 1e-6);
      let t = 0;
      for (const v of truth.subarray(i * N * N, (i + 1) * N * N)) t += v;
      assert.ok(Math.abs(t - params.objects[i]!.flux) < 1e-5 * t);
    }
  }
});

// ---------------------------------------------------------------------------------------
// simulate.ts

test('truth galaxies: positive, flux as drawn, centred, compact, ~0 at the edges', () => {
  const n = 60;
  const N = 41;
  const { truth, params } = simulateTruth({ n, seed: 2024 });
  assert.equal(truth.length, n * N * N);
  const hlrs: number[] = [];
  for (let i = 0; i < n; i++) {
    const o = params.objects[i]!;
    const img = truth.subarray(i * N * N, (i + 1) * N * N);
    let tot = 0;
    let edge = 0;
    let mx = 0;
    let my = 0;
    const rings: [number, number][] = [];
    for (let y = 0; y < N; y++) {
      for (let x = 0; x < N; x++) {
        const v = img[y * N + x]!;
        assert.ok(v >= 0);
        tot += v;
        mx += v * x;
        my += v * y;
        if (x === 0 || y === 0 || x === N - 1 || y === N - 1) edge += v;
        rings.push([Math.hypot(x - o.xc, y - o.yc), v]);
      }
    }
    assert.ok(o.flux > 0 && Math.abs(tot - o.flux) < 1e-5 * o.flux, `flux ${tot} vs ${o.flux}`);
    assert.ok(edge < 0.01 * tot, `edge fraction ${edge / tot}`);
    assert.ok(Math.abs(o.xc - 20) <= 0.5 && Math.abs(o.yc - 20) <= 0.5);
    assert.ok(Math.abs(mx / tot - o.xc) < 0.02 && Math.abs(my / tot - o.yc) < 0.02, 'centroid');
    rings.sort((a, b) => a[0] - b[0]);
    let c = 0;
    for (const [r, v] of rings) {
      c += v;
      if (c >= tot / 2) { hlrs.push(r); break; }
    }
  }
  assert.ok(Math.min(...hlrs) > 1 && Math.max(...hlrs) < 6, `half-light radii ${Math.min(...hlrs)}…${Math.max(...hlrs)}`);
  const fl = params.objects.map((o) => o.flux);
  assert.ok(Math.min(...fl) >= 0.5 && Math.max(...fl) <= 2);
});

test('deterministic per seed: bit-identical repeats, different for another seed', () => {
  const a = simulate({ n: 3, seed: 77, size: 21 }, directConvolve);
  const b = simulate({ n: 3, seed: 77, size: 21 }, directConvolve);
  for (const k of ['observed', 'truth', 'psfs'] as const) assert.ok(bitsEqual(a[k], b[k]), k);
  assert.deepEqual(a.params, b.params);
  const c = simulate({ n: 3, seed: 78, size: 21 }, directConvolve);
  for (const k of ['observed', 'truth', 'psfs'] as const) assert.ok(!bitsEqual(a[k], c[k]), k);
  assert.notDeepEqual(a.params.objects, c.params.objects);
  assert.equal(a.params.seed, 77);
  assert.equal(a.params.noise, 3e-4);
  assert.equal(a.params.size, 21);
  assert.equal(a.params.n, 3);
});

test('object i does not depend on n (truth, PSF, parameters and noise)', () => {
  const N = 21;
  const conv: Convolver = (im) => new Float32Array(im); // identity: isolates the noise
  const a = simulate({ n: 5, seed: 11, size: N }, conv);
  const b = simulate({ n: 12, seed: 11, size: N }, conv);
  const m = 5 * N * N;
  assert.ok(bitsEqual(a.truth, b.truth.subarray(0, m)));
  assert.ok(bitsEqual(a.psfs, b.psfs.subarray(0, m)));
  assert.ok(bitsEqual(a.observed, b.observed.subarray(0, m)));
  assert.deepEqual(a.params.objects, b.params.objects.slice(0, 5));
  assert.deepEqual(simulateObject(11, 9, N), b.params.objects[9]);
});

test('observe(): noise has the requested std and zero mean, independent of the truth stream', () => {
  const n = 200;
  const N = 41;
  const zero = new Float32Array(n * N * N);
  const sigma = 3e-4;
  const y = observe(zero, zero, n, N, sigma, 5, (im) => new Float32Array(im));
  const { mean, std } = stats(y);
  const cnt = y.length;
  assert.ok(Math.abs(std / sigma - 1) < 0.01, `std ${std}`);
  assert.ok(Math.abs(mean) < (5 * sigma) / Math.sqrt(cnt), `mean ${mean}`);
  // neighbouring pixels uncorrelated
  let c = 0;
  for (let k = 0; k + 1 < cnt; k++) c += y[k]! * y[k + 1]!;
  assert.ok(Math.abs(c / (cnt - 1) / (std * std)) < 0.01);
  // noise 0: exactly the convolution; convolver output is not modified
  const conv = new Float32Array(n * N * N).fill(0.25);
  const y0 = observe(zero, zero, n, N, 0, 5, () => conv);
  assert.ok(bitsEqual(y0, conv));
  assert.notEqual(y0, conv);
});

test('observed = periodic convolution of the truth + noise of the requested level', () => {
  const N = 21;
  const n = 4;
  const noise = 1e-3;
  const r = simulate({ n, seed: 123, size: N, noise }, directConvolve);
  const conv = directConvolve(r.truth, r.psfs, n, N, N);
  const res = r.observed.map((v, k) => v - conv[k]!);
  const { mean, std } = stats(res);
  assert.ok(Math.abs(std / noise - 1) < 0.08, `residual std ${std}`);
  assert.ok(Math.abs(mean) < (5 * noise) / Math.sqrt(res.length));
  // blurred flux is conserved (periodic convolution with unit-sum kernels)
  for (let i = 0; i < n; i++) {
    let a = 0;
    let b = 0;
    for (let k = i * N * N; k < (i + 1) * N * N; k++) { a += conv[k]!; b += r.truth[k]!; }
    assert.ok(Math.abs(a - b) < 1e-5 * b);
  }
});

test('option and input validation', () => {
  assert.throws(() => simulateTruth({ n: 0, seed: 1 }), OptionError);
  assert.throws(() => simulateTruth({ n: 2.5, seed: 1 }), OptionError);
  assert.throws(() => simulateTruth({ n: 2, seed: 1, size: 7 }), OptionError);
  assert.throws(() => simulateTruth({ n: 2, seed: 0.5 }), OptionError);
  assert.throws(() => simulateTruth({ n: 2, seed: 1, noise: -1 }), OptionError);
  assert.throws(() => simulateTruth({ n: 2, seed: 1, noise: NaN }), OptionError);
  const a = new Float32Array(2 * 8 * 8);
  assert.throws(() => observe(a, a, 3, 8, 1e-3, 1, (im) => im), InputError);
  assert.throws(() => observe(a, a, 2, 8, 1e-3, 1, () => new Float32Array(5)), InputError);
});
