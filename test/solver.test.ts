// The solver against the reference data (shared/data, copied into test/fixtures):
// σ, W⁽⁰⁾, the first iterations, full runs, the stopping rule, the synthetic set's
// quality, and invariance of the result under partitioning.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KernelModule } from '../src/kernels/index.ts';
import { xorVarintBound, xorVarintDecode, xorVarintEncode } from '../src/common/xor-varint.ts';
import {
  solve, Batch, resolveOptions, noiseSigma, fromFixed, fixedSum, type Stack,
} from '../src/solver/index.ts';
import { InputError, OptionError } from '../src/errors.ts';
import { summarize } from '../src/report/metrics.ts';
import { loadNpy, loadJson, relL2 } from './helpers.ts';

const Y = loadNpy('example/example_image_stack.npy');
const P = loadNpy('example/example_psfs.npy');
const SHAPE = { n: 100, ny: 41, nx: 41 };
const NPIX = 41 * 41;
const SIGMA = 3.1169931950657725e-4;

test('σ = 1.4826·MAD over the whole stack', () => {
  const s = noiseSigma(Y.data);
  assert.ok(Math.abs(s / SIGMA - 1) <= 1e-7, `σ = ${s}`);
});

test('W⁽⁰⁾ in the corrected object order, both wavelets', () => {
  for (const [wavelet, file] of [['linear', 'weights0.npy'], ['b3', 'b3_weights0.npy']] as const) {
    const b = new Batch(new KernelModule(), {
      y: Y.data, psfs: P.data, shape: SHAPE, psf: { n: 100, ky: 41, kx: 41 }, noiseSigma: SIGMA,
      options: resolveOptions({ wavelet }),
    });
    const want = loadNpy(`example/reference/${file}`).data;
    assert.ok(relL2(b.weights0(), want) <= 1e-5, `${wavelet}: ${relL2(b.weights0(), want)}`);
    // each row individually too: a reversed order would pass a global norm only by luck
    const got = b.weights0();
    for (let i = 0; i < 100; i++) {
      assert.ok(Math.abs(got[i * 3] / want[i * 3] - 1) < 1e-5, `${wavelet} object ${i}`);
    }
    b.dispose();
  }
});

test('x and y after 1 and 2 iterations, and their costs', () => {
  const b = new Batch(new KernelModule(), {
    y: Y.data, psfs: P.data, shape: SHAPE, psf: { n: 100, ky: 41, kx: 41 }, noiseSigma: SIGMA,
    options: resolveOptions({}),
  });
  for (const it of [1, 2]) {
    b.step(1);
    const x = loadNpy(`example/reference/iter${it}_primal.npy`).data;
    assert.ok(relL2(b.primal(), x) <= 1e-5, `x after ${it}: ${relL2(b.primal(), x)}`);
    const dual = loadNpy(`example/reference/iter${it}_dual_first10.npy`).data;
    const got = b.dualVariable().subarray(0, 10 * 3 * NPIX);
    assert.ok(relL2(got, dual) <= 1e-5, `dual after ${it}: ${relL2(got, dual)}`);
    const cost = loadJson(`example/reference/iter${it}_info.json`).cost.at(-1) as number;
    assert.ok(Math.abs(fromFixed(b.costSum()) / cost - 1) < 1e-5, `cost after ${it}`);
  }
  b.dispose();
});

test('full runs with the stopping rule disabled: exactly 150 + 150 iterations', async () => {
  for (const [wavelet, file] of [['linear', 'default_primal.npy'], ['b3', 'b3_primal.npy']] as const) {
    const r = await solve(Y, P, { wavelet, tolerance: 0 });
    assert.equal(r.iterations, 300);
    assert.deepEqual(r.phaseIterations, [150, 150]);
    const want = loadNpy(`example/reference/${file}`).data;
    assert.ok(relL2(r.x, want) <= 1e-4, `${wavelet}: ${relL2(r.x, want)}`);
  }
});

test('default run: the stopping rule stops within one test window of the reference', async () => {
  const info = loadJson('example/reference/default_info.json');
  const r = await solve(Y, P, {});
  assert.ok(Math.abs(r.iterations - info.n_iterations) <= 4, `${r.iterations} vs ${info.n_iterations}`);
  assert.equal(r.cost.length, r.iterations);
  // the costs follow the reference wherever both ran
  const k = Math.min(r.cost.length, info.cost.length);
  assert.ok(relL2(r.cost.slice(0, k), info.cost.slice(0, k)) < 1e-5);
  assert.ok(Math.abs(r.cost[149] / info.cost[149] - 1) < 1e-4, 'cost at 150');
  // tests at every 4th iteration, carried over the reweight
  assert.deepEqual(r.tests.map((t) => t.iteration), info.conv_tests.slice(0, r.tests.length).map((t: any) => t.iteration));
  assert.equal(r.reweightIterations[0], 150);
});

test('synthetic set: quality within 2 % of the reference', async () => {
  const noisy = loadNpy('synthetic/noisy.npy');
  const psfs = loadNpy('synthetic/psfs.npy');
  const clean = loadNpy('synthetic/clean.npy').data;
  const ref = loadJson('synthetic/reference/metrics.json').reference;
  const info = loadJson('synthetic/reference/default_info.json');
  const r = await solve(noisy, psfs, {});
  assert.ok(Math.abs(r.iterations - info.n_iterations) <= 4, `${r.iterations} vs ${info.n_iterations}`);
  const m = summarize(clean, r.x, 100, 41, 41);
  assert.ok(Math.abs(m.nmse_median / ref.pixel_err_nmse_median - 1) <= 0.02, `NMSE ${m.nmse_median}`);
  assert.ok(Math.abs(m.ellipticity_error_median / ref.shape_err_median - 1) <= 0.02, `e ${m.ellipticity_error_median}`);
});

test('partitioning changes no bit: per-object state and exact cost sums', () => {
  const options = resolveOptions({});
  const whole = new Batch(new KernelModule(), {
    y: Y.data, psfs: P.data, shape: SHAPE, psf: { n: 100, ky: 41, kx: 41 }, noiseSigma: SIGMA, options,
  });
  const cuts = [0, 7, 30, 33, 100]; // parts of 7, 23, 3 and 67 objects
  const module = new KernelModule();
  const parts = cuts.slice(0, -1).map((first, i) => new Batch(module, {
    y: Y.data, psfs: P.data, first, shape: { ...SHAPE, n: cuts[i + 1] - first },
    psf: { n: 100, ky: 41, kx: 41 }, noiseSigma: SIGMA, options,
  }));
  for (let it = 0; it < 3; it++) {
    whole.step(2);
    for (const p of parts) p.step(2);
    const sumParts = parts.reduce((s, p) => s + p.costSum(), 0n);
    assert.equal(sumParts, whole.costSum());
  }
  whole.reweight();
  for (const p of parts) p.reweight();
  whole.step(1);
  for (const p of parts) p.step(1);
  const joined = new Float32Array(100 * NPIX);
  parts.forEach((p, i) => joined.set(p.primal(), cuts[i] * NPIX));
  assert.deepEqual(Buffer.from(joined.buffer), Buffer.from(whole.primal().buffer));
  // and the fixed-point sum does not depend on order
  const c = whole.costs();
  assert.equal(fixedSum(c), fixedSum(Float64Array.from(c).reverse()));
});

test('bad input through the API: typed errors naming the problem', async () => {
  const stack = (shape: number[], fill = 0.1): Stack => ({
    data: new Float64Array(shape.reduce((a, b) => a * b, 1)).fill(fill), shape,
  });
  await assert.rejects(solve(stack([3, 41, 41]), stack([2, 41, 41])), (e: Error) => e instanceof InputError && /2 PSFs for 3 objects/.test(e.message));
  await assert.rejects(solve(stack([3, 7, 7]), stack([3, 7, 7])), (e: Error) => e instanceof InputError && /minimum is 8×8/.test(e.message));
  await assert.rejects(solve(stack([3, 20, 20]), stack([3, 21, 21])), (e: Error) => e instanceof InputError && /larger than the stamps/.test(e.message));
  await assert.rejects(solve(stack([0, 20, 20]), stack([20, 20])), (e: Error) => e instanceof InputError && /empty/.test(e.message));
  const nan = stack([4, 16, 16]);
  nan.data[2 * 256 + 17] = NaN;
  await assert.rejects(solve(nan, stack([16, 16])), (e: Error) => e instanceof InputError && /object 2/.test(e.message));
  const inf = stack([4, 16, 16]);
  inf.data[3 * 256] = Infinity;
  await assert.rejects(solve(stack([4, 16, 16]), inf), (e: Error) => e instanceof InputError && /psf: object 3/.test(e.message));
  await assert.rejects(solve(stack([2, 16, 16]), stack([16, 16]), { kappa: [1, 2] }), OptionError);
  await assert.rejects(solve(stack([2, 16, 16]), stack([16, 16]), { nIter: 0 }), OptionError);
});

test('a 2-D PSF is shared by every object', async () => {
  const one = { data: P.data.slice(0, NPIX), shape: [41, 41] };
  const same = { data: new Float32Array(4 * NPIX), shape: [4, 41, 41] };
  for (let i = 0; i < 4; i++) same.data.set(P.data.subarray(0, NPIX), i * NPIX);
  const y = { data: Y.data.slice(0, 4 * NPIX), shape: [4, 41, 41] };
  const a = await solve(y, one, { nIter: 5, nReweights: 0, noiseEst: SIGMA });
  const b = await solve(y, same, { nIter: 5, nReweights: 0, noiseEst: SIGMA });
  assert.deepEqual(a.x, b.x);
});

/** A batch's checkpoint state as restore takes it (copied out of Wasm memory). */
function snapshotOf(b: Batch): Map<string, Uint8Array> {
  return new Map(b.snapshot().map((p) => [p.name, p.bytes.slice()]));
}

for (const reweighted of [false, true]) {
  test(`a snapshot restores a batch bit for bit (checkpoints; ${reweighted ? 'after' : 'before'} a reweight)`, () => {
    const options = resolveOptions({});
    const n = 9;
    const input = { y: Y.data, psfs: P.data, first: 10, shape: { ...SHAPE, n }, psf: { n: 100, ky: 41, kx: 41 }, noiseSigma: SIGMA, options };
    const a = new Batch(new KernelModule(), input);
    a.step(3);
    if (reweighted) a.reweight();
    a.step(2);
    const snap = snapshotOf(a);
    // X̂ and W⁽⁰⁾ are recomputed: only x, the dual, Φx (coded against Φ(x)) and, once reweighted, W are saved.
    const image = 4 * 41 * 41 * 4 * Math.ceil(n / 4); // bytes of one float32 image per object, padded to whole groups
    assert.deepEqual([...snap.keys()], reweighted ? ['x', 'dual', 'phix', 'w'] : ['x', 'dual', 'phix']);
    assert.equal(snap.get('x')!.byteLength, image);
    assert.equal(snap.get('dual')!.byteLength, 3 * image);
    assert.ok(snap.get('phix')!.byteLength < 0.5 * snap.get('dual')!.byteLength, `Φx takes ${snap.get('phix')!.byteLength} bytes`);
    // Restored into a batch whose state differs everywhere (also W, when the snapshot has none).
    const b = new Batch(new KernelModule(), input);
    b.step(7);
    b.reweight();
    b.restore(snap);
    a.step(4);
    b.step(4);
    a.reweight();
    b.reweight();
    a.step(3);
    b.step(3);
    assert.deepEqual(b.primal(), a.primal());
    assert.deepEqual(b.dualVariable(), a.dualVariable());
    assert.deepEqual(b.weights(), a.weights());
    assert.equal(b.costSum(), a.costSum());
    // Parts that do not fit are refused, and leave the batch as it was.
    const after = snapshotOf(b);
    assert.throws(() => b.restore(new Map([...snap].map(([k, v]) => [k, v.subarray(1)]))), RangeError);
    assert.throws(() => b.restore(new Map([...snap].slice(1))), RangeError);
    assert.throws(() => b.restore(new Map([...snap].map(([k, v]) => [k, k === 'phix' ? v.subarray(0, v.byteLength - 1) : v]))), RangeError);
    assert.deepEqual(snapshotOf(b), after);
  });
}

test('a converged dual is stored coded against copysign(W, Φx), restores bit for bit, and a malformed code leaves no trace', () => {
  const options = resolveOptions({});
  const n = 9;
  const input = { y: Y.data, psfs: P.data, first: 20, shape: { ...SHAPE, n }, psf: { n: 100, ky: 41, kx: 41 }, noiseSigma: SIGMA, options };
  const a = new Batch(new KernelModule(), input);
  a.step(40);
  a.reweight();
  a.step(40);
  const snap = snapshotOf(a);
  const image = 4 * 41 * 41 * 4 * Math.ceil(n / 4);
  assert.deepEqual([...snap.keys()], ['x', 'dualx', 'phix', 'w']);
  const ratio = snap.get('dualx')!.byteLength / (3 * image);
  assert.ok(ratio < 0.8, `the coded dual takes ${ratio.toFixed(2)} of its raw bytes`);
  const b = new Batch(new KernelModule(), input);
  b.step(11);
  const untouched = snapshotOf(b);
  const longer = (v: Uint8Array) => Uint8Array.from([...v, 0]); // a word too many
  assert.throws(() => b.restore(new Map([...snap].map(([k, v]) => [k, k === 'dualx' ? v.subarray(0, v.byteLength - 1) : v]))), RangeError);
  assert.throws(() => b.restore(new Map([...snap].map(([k, v]) => [k, k === 'dualx' ? longer(v) : v]))), RangeError);
  assert.deepEqual(snapshotOf(b), untouched);
  b.restore(snap);
  a.step(5);
  b.step(5);
  assert.deepEqual(b.primal(), a.primal());
  assert.deepEqual(b.dualVariable(), a.dualVariable());
  assert.equal(b.costSum(), a.costSum());
});

test('signedWeights: the SIMD kernel is the scalar copysign(w, Φx), ±0 and padding included', () => {
  const m = new KernelModule();
  const len = 4 * 37;
  const w = m.alloc('f32', len), phix = m.alloc('f32', len), out = m.alloc('f32', len);
  const wv = m.f32(w), pv = m.f32(phix);
  for (let i = 0; i < len; i++) {
    wv[i] = i % 9 === 0 ? 0 : (i * 0.37) % 3;
    pv[i] = i % 7 === 0 ? (i % 2 ? -0 : 0) : Math.sin(i) * 10 ** ((i % 11) - 5);
  }
  m.signedWeights(w, phix, out);
  const got = m.f32(out);
  for (let i = 0; i < len; i++) {
    const want = Object.is(pv[i], -0) || pv[i] < 0 ? -wv[i] : wv[i];
    assert.ok(Object.is(got[i], want), `${i}: copysign(${wv[i]}, ${pv[i]}) = ${got[i]}`);
  }
  assert.throws(() => m.signedWeights(w, out, m.alloc('f32', len - 4)), RangeError);
});

for (const prior of ['lowrank', 'both'] as const) {
  test(`a snapshot restores a ${prior} batch bit for bit: x and y₂ (and for both the ℓ1 dual, Φx and W)`, () => {
    const options = resolveOptions({ prior });
    const n = 9;
    const input = { y: Y.data, psfs: P.data, first: 10, shape: { ...SHAPE, n }, psf: { n: 100, ky: 41, kx: 41 }, noiseSigma: SIGMA, options };
    // One iteration with a rank-0 SVT map (ỹ = ỹt): enough to move every part of the state.
    const iterate = (b: Batch, times: number) => {
      for (let t = 0; t < times; t++) {
        b.lowrankHalf();
        b.lowrankProject(new Float64Array(0), new Float64Array(0));
      }
    };
    const a = new Batch(new KernelModule(), input);
    iterate(a, 3);
    if (prior === 'both') a.reweight();
    iterate(a, 2);
    const snap = snapshotOf(a);
    assert.deepEqual([...snap.keys()], prior === 'both' ? ['x', 'dual', 'phix', 'w', 'y2'] : ['x', 'y2']);
    const b = new Batch(new KernelModule(), input);
    iterate(b, 6);
    b.restore(snap);
    iterate(a, 3);
    iterate(b, 3);
    assert.deepEqual(b.primal(), a.primal());
    assert.deepEqual(b.lowrankDual(), a.lowrankDual());
    assert.equal(b.lowrankLocalCost(), a.lowrankLocalCost());
  });
}

test('xor-varint: words coded against a prediction round-trip; a close prediction costs about a byte a word', () => {
  const words = new Uint32Array(1000).map((_, i) => (i * 2654435761) >>> 0);
  const near = words.map((w, i) => (w ^ (i % 200)) >>> 0); // differs in the low 8 bits at most
  for (const prediction of [near, new Uint32Array(1000), words]) {
    const out = new Uint8Array(xorVarintBound(words.length));
    const used = xorVarintEncode(words, prediction, out);
    const back = prediction.slice();
    xorVarintDecode(out.subarray(0, used), back);
    assert.deepEqual(back, words);
    if (prediction === words) assert.equal(used, 1000);
    if (prediction === near) assert.ok(used <= 1400, `${used} bytes`);
    assert.throws(() => xorVarintDecode(out.subarray(0, used - 1), prediction.slice()), RangeError);
    assert.throws(() => xorVarintDecode(out.subarray(0, used + 1), prediction.slice()), RangeError);
  }
});

test('xor-varint: the Wasm coder writes the bytes of the scalar oracle, for differences of every length (0 to 32 bits)', () => {
  const m = new KernelModule();
  const n = 4099; // not a multiple of 4
  let seed = 12345;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0));
  const words = new Uint32Array(n).map(() => rand());
  // prediction = word XOR a difference of i mod 33 significant bits (0: exact, 32: the sign bit too)
  const prediction = words.map((w, i) => (w ^ ((i % 33) === 0 ? 0 : ((rand() | 0x80000000) >>> (32 - (i % 33))))) >>> 0);
  const wb = m.alloc('f32', n), pb = m.alloc('f32', n);
  const room = m.alloc('f32', Math.ceil(KernelModule.xorVarintRoom(n) / 4));
  new Uint32Array(m.f32(wb).buffer, wb.ptr, n).set(words);
  new Uint32Array(m.f32(pb).buffer, pb.ptr, n).set(prediction);
  const used = m.xorVarint(wb, pb, n, room);
  const oracle = new Uint8Array(xorVarintBound(n));
  const expected = xorVarintEncode(words, prediction, oracle);
  assert.equal(used, expected);
  assert.deepEqual(new Uint8Array(m.f32(room).buffer, room.ptr, used), oracle.subarray(0, expected));
  assert.throws(() => m.xorVarint(wb, pb, n + 1, room), RangeError);
});

test('cost window: costs every 3rd iteration (counter carried over the reweight), same x as stepping one by one', async () => {
  const n = 6;
  const y = { data: Y.data.slice(0, n * NPIX), shape: [n, 41, 41] };
  const p = { data: P.data.slice(0, n * NPIX), shape: [n, 41, 41] };
  const r = await solve(y, p, { nIter: 10, nReweights: 1, costWindow: 3, tolerance: 0, noiseEst: SIGMA });
  assert.deepEqual(r.costIterations, [3, 6, 9, 12, 15, 18]);
  assert.deepEqual(r.phaseIterations, [10, 10]);
  const b = new Batch(new KernelModule(), {
    y: y.data, psfs: p.data, shape: { n, ny: 41, nx: 41 }, psf: { n, ky: 41, kx: 41 }, noiseSigma: SIGMA, options: resolveOptions({}),
  });
  for (let i = 0; i < 10; i++) b.step(1);
  b.reweight();
  for (let i = 0; i < 10; i++) b.step(1);
  assert.deepEqual(Buffer.from(b.primal().buffer), Buffer.from(r.x.buffer), 'chunked iterations changed bits');
  b.dispose();
});

test('costs of a multi-iteration barrier: the same bits as one iteration per call, on every costWindow-th iteration back from the last', () => {
  const n = 9;
  const mk = (costWindow: number) => new Batch(new KernelModule(), {
    y: Y.data, psfs: P.data, shape: { n, ny: 41, nx: 41 }, psf: { n, ky: 41, kx: 41 }, noiseSigma: SIGMA,
    options: resolveOptions({ costWindow }),
  });
  const together = mk(1), single = mk(1);
  const four = together.advance(4, true);
  const ones = [1, 2, 3, 4].map(() => single.advance(1, true)[0]);
  assert.deepEqual(four, ones);
  // the sums read in place equal the cost computed afresh by the separate cost kernel
  assert.equal(single.costSum(), ones[3]);
  assert.deepEqual(together.advance(3, false), []);
  // costWindow 3 over 7 iterations: costs after iterations 1, 4 and 7
  const w3 = mk(3), ref = mk(3);
  const got = w3.advance(7, true);
  const want = [ref.advance(1, true)[0], ...ref.advance(3, true), ...ref.advance(3, true)];
  assert.equal(got.length, 3);
  assert.deepEqual(got, want);
  assert.deepEqual(Buffer.from(w3.primal().buffer), Buffer.from(ref.primal().buffer));
  for (const b of [together, single, w3, ref]) b.dispose();
});
