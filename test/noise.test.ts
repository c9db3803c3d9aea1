// σ and medians by exact multi-pass selection (src/common/select.ts) against a plain sort.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { median, medianOf } from '../src/common/median.ts';
import { selectRanks } from '../src/common/select.ts';
import { noiseSigma as madSigma, noiseSigmaOf } from '../src/solver/method.ts';
import { loadNpy } from './helpers.ts';

/** The oracle: NumPy's median by a full sort. */
function sortedMedian(values: ArrayLike<number>): number {
  const a = Float64Array.from(values).sort();
  const n = a.length;
  return n % 2 ? a[n >> 1] : (a[(n >> 1) - 1] + a[n >> 1]) / 2;
}
function sortedMad(values: ArrayLike<number>): number {
  const m = sortedMedian(values);
  return 1.4826 * sortedMedian(Float64Array.from(values, (v) => Math.abs(v - m)));
}

/** A deterministic generator (xorshift) of normal-ish values. */
function gauss(n: number, seed: number, scale = 1, offset = 0): Float64Array {
  let s = seed >>> 0 || 1;
  const u = () => ((s ^= s << 13), (s ^= s >>> 17), (s ^= s << 5), (s >>> 0) / 4294967296);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = offset + scale * (u() + u() + u() + u() - 2);
  return out;
}

/** Streams `a` in chunks of `size`, visiting the chunks in a scrambled but fixed order. */
function chunked(a: ArrayLike<number>, size: number) {
  const starts: number[] = [];
  for (let s = 0; s < a.length; s += size) starts.push(s);
  starts.reverse();
  return (visit: (c: ArrayLike<number>) => void) => {
    for (const s of starts) visit(Array.prototype.slice.call(a, s, Math.min(s + size, a.length)) as number[]);
  };
}

test('median and σ equal a full sort, bit for bit, on awkward data', () => {
  const cases: [string, Float64Array | Float32Array][] = [
    ['odd', gauss(10001, 1, 3e-4)],
    ['even', gauss(10000, 2, 3e-4, 1e-5)],
    ['one value', new Float64Array([4.5])],
    ['two values', new Float64Array([-1, 3])],
    ['constant', new Float64Array(1000).fill(0.25)],
    ['zeros of both signs', Float64Array.from({ length: 999 }, (_, i) => (i % 3 === 0 ? -0 : i % 3 === 1 ? 0 : i - 500))],
    ['float32 input', Float32Array.from(gauss(4096, 3, 1e-3))],
    ['heavy duplicates', Float64Array.from(gauss(5000, 4), (v) => Math.round(v * 4) / 4)],
    ['huge and tiny', Float64Array.from([1e308, -1e308, 5e-324, -5e-324, 0, 1, -1, 2.5e-310])],
  ];
  for (const [name, a] of cases) {
    assert.equal(Object.is(median(a), sortedMedian(a)) || median(a) === sortedMedian(a), true, `${name}: median`);
    assert.equal(madSigma(a), sortedMad(a), `${name}: σ`);
  }
  assert.ok(Number.isNaN(median([])), 'median of nothing');
  // NaN sorts last, whatever its sign bit: the metrics' convention.
  const negNaN = new Float64Array(1);
  new Uint32Array(negNaN.buffer)[1] = 0xfff80000;
  assert.equal(median([1, NaN, 2]), 2);
  assert.equal(median([1, negNaN[0], 2]), 2);
  assert.ok(Number.isNaN(median([1, NaN, NaN])));
});

test('counting passes: every key level, any chunking, the same bits', () => {
  // Values packed into one 2^-40-wide range share their top 32 key bits, so with a small
  // collection budget the selection needs counting passes on all four 16-bit levels.
  const n = 20001;
  const g = gauss(n, 5);
  const dense = Float64Array.from(g, (v) => 1 + Math.round(v * 1e6) * 2 ** -40);
  for (const a of [dense, gauss(n, 6, 2)]) {
    const want = Float64Array.from(a).sort();
    for (const budget of [1, 16, 1000, 1 << 22]) {
      for (const size of [1, 97, 4096, n]) {
        const pass = chunked(a, size);
        const ranks = [0, 1, n >> 1, n - 2, n - 1];
        assert.deepEqual(selectRanks(pass, n, ranks, { maxCollect: budget }), ranks.map((r) => want[r]), `budget ${budget}, chunks of ${size}`);
      }
    }
  }
  // Many equal values down to the last key bit: resolved without collecting them.
  const flat = new Float64Array(50000).fill(7.25);
  flat[3] = -1;
  assert.deepEqual(selectRanks((v) => v(flat), flat.length, [0, 1, 49999], { maxCollect: 10 }), [-1, 7.25, 7.25]);
});

test('σ streamed from chunks equals σ of the array (example stack), async too', async () => {
  const y = loadNpy('example/example_image_stack.npy').data;
  const want = madSigma(y);
  assert.equal(want, 3.1169931950657725e-4, 'the contract value for the example data');
  assert.equal(want, sortedMad(y));
  const m = medianOf(chunked(y, 1681 * 7), y.length);
  assert.equal(1.4826 * medianOf(chunked(y, 1681 * 7), y.length, { deviationsFrom: m }), want);
  let passes = 0;
  const asyncPass = async (visit: (c: ArrayLike<number>) => void) => {
    passes++;
    for (let o = 0; o < y.length; o += 1681 * 13) {
      await Promise.resolve();
      visit(y.subarray(o, Math.min(o + 1681 * 13, y.length)));
    }
  };
  assert.equal(await noiseSigmaOf(asyncPass, y.length), want);
  assert.equal(passes, 2, 'a stack this small is collected in one pass per median');
});

test('a stream that changes between passes is refused', () => {
  const a = gauss(1000, 7);
  let calls = 0;
  const pass = (visit: (c: ArrayLike<number>) => void) => visit(calls++ === 0 ? a : a.subarray(0, 999));
  assert.throws(() => selectRanks(pass, 1000, [500], { maxCollect: 10 }), /stream/);
});
