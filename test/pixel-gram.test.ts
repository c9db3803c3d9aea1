// The pixels' Gram of the low-rank prior past ny·nx objects (src/solver/pixel-gram.ts,
// assembly/lowrank.ts): the fixed-point kernels against a BigInt oracle, the transposition
// against a scalar one, and a batch's Gram the same bits however its objects are split.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KernelModule, BANDS, COST_TERMS, LANES, interleave } from '../src/kernels/index.ts';
import { Batch, PixelGram, gramBlock, gramEntries, resolveOptions, MAX_GRAM_BLOCKS } from '../src/solver/index.ts';
import { randomArray } from './helpers.ts';

const TWO64 = 2n ** 64n;
/** The fixed-point format's meaning: ⌊v·2⁶⁴⌋ as an exact integer (v·2⁶⁴ is exact in float64). */
const fixedOf = (v: number): bigint => BigInt(Math.floor(v * 2 ** 64));
/** Entry k of a (lo: u64, hi: i64) word array as an integer. */
const entry = (w: BigInt64Array, k: number): bigint => w[2 * k + 1] * TWO64 + BigInt.asUintN(64, w[2 * k]);

test('gramFixed: each entry of MᵀM rounded once to fixed point and added exactly, against gramObjects and a BigInt oracle', () => {
  const m = new KernelModule();
  const n = 7, p = 23; // a length not a multiple of 4
  const cols = m.alloc('f32', n * p);
  m.f32(cols).set(Float32Array.from(randomArray(n * p, 5), (v) => v * 3));
  const direct = m.alloc('f64', n * n), acc = m.alloc('f64', 2 * gramEntries(n));
  m.gram(cols, n, p, direct);
  m.f64(acc).fill(0);
  m.gramFixed(cols, n, p, acc); // twice: the accumulator sums
  m.gramFixed(cols, n, p, acc);
  const g = m.f64(direct), w = m.i64(acc);
  for (let i = 0, k = 0; i < n; i++) {
    for (let j = 0; j <= i; j++, k++) assert.equal(entry(w, k), 2n * fixedOf(g[i * n + j]), `entry (${i}, ${j})`);
  }
  const sym = m.alloc('f64', n * n);
  m.fixedSymmetric(acc, n, sym);
  const s = m.f64(sym);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) assert.ok(Math.abs(s[i * n + j] - 2 * g[i * n + j]) <= 2 ** -62 + 2 ** -52 * Math.abs(g[i * n + j]), `(${i}, ${j})`);
  }
  // an entry at 2⁶² cannot be held: the run has diverged
  m.f32(cols).fill(2 ** 30);
  assert.throws(() => m.gramFixed(cols, n, p, acc), /diverged/);
});

test('fixedAdd: sums of values from 1e-12 to 1e12, both signs, carries both ways: exact, the same in any order', () => {
  const m = new KernelModule();
  const count = 64, parts = 5;
  const values = Array.from({ length: parts }, (_, q) => Float64Array.from(randomArray(count, 40 + q), (v, k) => v * 10 ** (((k + q) % 25) - 12)));
  const words = values.map((vs) => {
    const w = new BigInt64Array(2 * count);
    vs.forEach((v, k) => {
      const f = fixedOf(v);
      w[2 * k] = BigInt.asIntN(64, f % TWO64 < 0n ? f % TWO64 + TWO64 : f % TWO64);
      w[2 * k + 1] = (f - BigInt.asUintN(64, w[2 * k])) / TWO64;
    });
    return w;
  });
  const sum = (order: number[]): BigInt64Array => {
    const g = new PixelGramWords(m, count);
    for (const q of order) g.add(words[q]);
    return g.words();
  };
  const a = sum([0, 1, 2, 3, 4]), b = sum([4, 2, 0, 3, 1]);
  assert.deepEqual(a, b);
  for (let k = 0; k < count; k++) {
    const want = values.reduce((s, vs) => s + fixedOf(vs[k]), 0n);
    assert.equal(entry(a, k), want, `entry ${k}`);
  }
});

/** fixedAdd on raw entries (PixelGram adds whole triangles; this adds any count). */
class PixelGramWords {
  private readonly acc;
  private readonly part;
  constructor(private readonly m: KernelModule, private readonly count: number) {
    this.acc = m.alloc('f64', 2 * count);
    this.part = m.alloc('f64', 2 * count);
    m.f64(this.acc).fill(0);
  }
  add(w: BigInt64Array): void {
    this.m.i64(this.part).set(w);
    this.m.fixedAdd(this.acc, this.part, this.count);
  }
  words(): BigInt64Array {
    return this.m.i64(this.acc).slice();
  }
}

test('pixelRows: the group layout transposed to pixel-major rows, lanes past the count zeroed', () => {
  const m = new KernelModule();
  const ny = 5, nx = 3, npix = ny * nx, n = 11, groups = Math.ceil(n / LANES);
  m.configure({ ny, nx, wavelet: 'linear' });
  const cols = Float32Array.from(randomArray(n * npix, 9));
  const src = m.alloc('f32', groups * npix * LANES);
  m.f32(src).fill(7); // padding lanes hold garbage
  interleave(cols, 0, n, npix, m.f32(src));
  // groups 1 and 2 (objects 4..10), 6 objects counted: objects 4..9
  const rows = m.alloc('f32', npix * 8);
  m.pixelRows(src, 1, 2, 6, rows);
  const r = m.f32(rows);
  for (let p = 0; p < npix; p++) {
    for (let l = 0; l < 8; l++) assert.equal(r[p * 8 + l], l < 6 ? cols[(4 + l) * npix + p] : 0, `row ${p}, lane ${l}`);
  }
});

test('blocks: a multiple of 4, at most MAX_GRAM_BLOCKS of them', () => {
  for (const n of [1, 4, 90, 127, 128, 129, 300, 10_000, 1_000_000]) {
    const b = gramBlock(n);
    assert.equal(b % 4, 0);
    assert.ok(Math.ceil(n / b) <= MAX_GRAM_BLOCKS, `${n}: ${b}`);
  }
  assert.equal(gramBlock(10_000), 316);
});

test('Batch.addLowrankGram: Σ_i m_i m_iᵀ of ỹt and x within float64 rounding, and the same bits from batches split at block boundaries', () => {
  const ny = 6, nx = 5, npix = ny * nx, n = 45, block = 8;
  const y = Float32Array.from(randomArray(n * npix, 21), (v) => 0.5 + v);
  const psfs = new Float32Array(9).fill(0);
  psfs[4] = 1;
  const options = resolveOptions({ prior: 'lowrank' });
  const m = new KernelModule();
  const batch = (first: number, count: number) => new Batch(m, {
    y, psfs, shape: { n: count, ny, nx }, psf: { n: 1, ky: 3, kx: 3 }, first, noiseSigma: 1e-2, options,
  });
  const whole = batch(0, n);
  const parts = [batch(0, 16), batch(16, 24), batch(40, 5)];
  for (const b of [whole, ...parts]) b.lowrankHalf();
  for (const which of ['yt', 'x'] as const) {
    const one = new PixelGram(m, npix), split = new PixelGram(m, npix), wire = new PixelGram(m, npix);
    one.addBatch(whole, which, block);
    for (const b of parts) {
      split.addBatch(b, which, block);
      const own = new PixelGram(m, npix); // as an agent sends it
      own.addBatch(b, which, block);
      wire.add(own.words());
      own.dispose();
    }
    const g = one.matrix();
    assert.deepEqual(split.matrix(), g, which);
    assert.deepEqual(wire.matrix(), g, which);
    const cols = whole.lowrankColumns(which);
    for (let p = 0; p < npix; p++) {
      for (let q = 0; q < npix; q++) {
        let s = 0;
        for (let i = 0; i < n; i++) s += cols[i * npix + p] * cols[i * npix + q];
        assert.ok(Math.abs(g[p * npix + q] - s) <= 1e-14 * n * 4, `${which} G[${p}, ${q}] = ${g[p * npix + q]} vs ${s}`);
      }
    }
    for (const s of [one, split, wire]) s.dispose();
  }
  for (const b of [whole, ...parts]) b.dispose();
});

test('Batch.bytes with a low-rank prior: what the batch allocates, the SVT map at full rank and a Gram block\'s rows included', () => {
  const ny = 6, nx = 5, npix = ny * nx, block = 8;
  for (const [prior, n] of [['lowrank', 45], ['both', 13]] as const) {
    const y = Float32Array.from(randomArray(n * npix, 22), (v) => 0.5 + v);
    const psfs = new Float32Array(9).fill(0);
    psfs[4] = 1;
    const m = new KernelModule();
    const acc = new PixelGram(m, npix);
    // the live bytes of the batch's own blocks, from the allocator's calls (sizes as asked)
    const live = new Map<number, number>();
    const alloc = m.alloc.bind(m), free = m.free.bind(m);
    m.alloc = (kind, length) => {
      const b = alloc(kind, length);
      live.set(b.ptr, length * (kind === 'f32' ? 4 : 8));
      return b;
    };
    m.free = (b) => {
      live.delete(b.ptr);
      free(b);
    };
    const batch = new Batch(m, { y, psfs, shape: { n, ny, nx }, psf: { n: 1, ky: 3, kx: 3 }, noiseSigma: 1e-2, options: resolveOptions({ prior }) });
    batch.lowrankHalf();
    batch.lowrankLocalCost();
    acc.addBatch(batch, 'x', block);
    let peak = 0;
    for (const r of [1, npix]) {
      batch.lowrankProject(new Float64Array(npix * r), new Float64Array(r));
      peak = Math.max(peak, [...live.values()].reduce((s, b) => s + b, 0));
    }
    const bytes = Batch.bytes(n, ny, nx, { prior, gramBlock: block });
    assert.ok(peak <= bytes, `${prior}: ${peak} bytes held, ${bytes} counted`);
    // the count's slack: cost slots not in use and the band norms held while the batch is built
    const slack = 8 * Math.ceil(n / LANES) * LANES * (4 * COST_TERMS + BANDS);
    assert.ok(bytes - peak <= slack, `${prior}: ${bytes - peak} bytes counted but not held`);
    batch.dispose();
  }
});
