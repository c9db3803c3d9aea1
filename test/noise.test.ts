// σ and medians by exact multi-pass selection (src/common/select.ts) against a plain sort,
// and the selection's Wasm passes (assembly/select.ts) against its JavaScript ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { median, medianOf } from '../src/common/median.ts';
import { selectRanks, jsKeyCounting, BIN_BITS, type KeyCounting, type PassRequest } from '../src/common/select.ts';
import { WasmKeyCounting } from '../src/kernels/index.ts';
import { KEY_BIN_BITS } from '../src/kernels/exports.generated.ts';
import { noiseSigma as madSigma, noiseSigmaOf } from '../src/solver/method.ts';
import { eachChunk, CHUNK_OBJECTS } from '../src/solver/setup.ts';
import type { StackSource } from '../src/common/types.ts';
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
  assert.equal(madSigma(y, jsKeyCounting), want, 'the JavaScript passes');
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

test('a stream that changes between passes is refused, by either counting', () => {
  const a = gauss(1000, 7);
  for (const counting of [jsKeyCounting, new WasmKeyCounting()]) {
    let calls = 0;
    const fewer = (visit: (c: ArrayLike<number>) => void) => visit(calls++ === 0 ? a : a.subarray(0, 999));
    assert.throws(() => selectRanks(fewer, 1000, [500], { maxCollect: 10, counting }), /stream/);
    // as many values, but all of them under the prefix the first pass found for the rank:
    // the second pass (collecting: its bin holds few values) gets more than it may keep
    calls = 0;
    const same = (visit: (c: ArrayLike<number>) => void) => visit(calls++ === 0 ? a : new Float64Array(1000).fill(a[500]));
    assert.throws(() => selectRanks(same, 1000, [500], { maxCollect: 200, counting }), /stream/);
    assert.equal(calls, 2);
  }
});

/** A float64 of the given bits (high word, low word). */
function bits(hi: number, lo = 0): number {
  const f = new Float64Array(1);
  const u = new Uint32Array(f.buffer);
  u[1] = hi;
  u[0] = lo;
  return f[0];
}

/**
 * Values to trip a key: ties, both zeros, NaNs of every sign and payload, ±∞, subnormals,
 * the largest and smallest normals, values one ulp apart, and noise around them.
 */
function adversarial(n: number, seed: number): Float64Array {
  const special = [
    0, -0, NaN, bits(0xfff80000), bits(0x7ff00000, 1), bits(0xfff12345, 6789), Infinity, -Infinity,
    5e-324, -5e-324, 2.2250738585072014e-308, -2.2250738585072009e-308, 1.7976931348623157e308, -1.7976931348623157e308,
    1, bits(0x3ff00000, 1), bits(0x3fefffff, 0xffffffff), -1, 1.401298464324817e-45, -1.1754942106924411e-38, 3.4028234663852886e38,
  ];
  const g = gauss(n, seed, 1e-3);
  let s = seed;
  const pick = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0), s);
  return Float64Array.from(g, (v, i) => (i % 5 === 0 ? special[pick() % special.length] : i % 5 === 1 ? Math.round(v * 1e4) / 1e4 : v));
}

/** `a` in chunks of the given sizes, in turn, as Float32Array, Float64Array or a plain array by `kinds`. */
function chunks(a: Float64Array, sizes: number[], kinds: ('f32' | 'f64' | 'array')[]) {
  const out: ArrayLike<number>[] = [];
  for (let s = 0, k = 0; s < a.length; k++) {
    const part = a.subarray(s, Math.min(s + sizes[k % sizes.length], a.length));
    const kind = kinds[k % kinds.length];
    out.push(kind === 'f32' ? Float32Array.from(part) : kind === 'f64' ? Float64Array.from(part) : Array.from(part));
    s += part.length;
  }
  return (visit: (c: ArrayLike<number>) => void) => out.forEach((c) => visit(c));
}

test('the Wasm passes count and collect exactly what the JavaScript ones do', () => {
  assert.equal(KEY_BIN_BITS, BIN_BITS, 'assembly/layout.ts and common/select.ts agree on the bin width');
  const wasm = new WasmKeyCounting();
  const a = adversarial(70001, 11);
  // chunks across the Wasm staging piece (65,536 values) and around its 4-value blocks;
  // then chunks so small that most values fall in the kernels' tail loops
  const streams = [chunks(a, [1, 3, 66000, 97, 4099, 2], ['f64', 'f32', 'array', 'f64']), chunks(a, [1, 2, 3, 5, 6, 7], ['f64', 'f32'])];
  const keyHi = (v: number) => {
    const u = new Uint32Array(Float64Array.of(v === 0 ? 0 : v).buffer);
    return (u[1] & 0x80000000 ? ~u[1] : u[1] | 0x80000000) >>> 0;
  };
  const keyLo = (v: number) => {
    const u = new Uint32Array(Float64Array.of(v).buffer);
    return (u[1] & 0x80000000 ? ~u[0] : u[0]) >>> 0;
  };
  for (const deviationsFrom of [undefined, 1e-4, -0, Infinity]) {
    const map = (v: number) => (deviationsFrom === undefined ? v : Math.abs(v - deviationsFrom));
    // prefixes of some values' keys at every level, counted and collected
    const requests: PassRequest[] = [];
    for (const v of [a[7], a[12], 1e-3, -Infinity].map(map)) {
      for (const fixed of [0, 16, 32, 48]) {
        const prefixHi = fixed === 0 ? 0 : keyHi(v) >>> (32 - Math.min(fixed, 32));
        const prefixLo = fixed <= 32 ? 0 : keyLo(v) >>> (64 - fixed);
        requests.push({ fixed, prefixHi, prefixLo }, { fixed, prefixHi, prefixLo, collect: a.length });
      }
    }
    for (const [k, pass] of streams.entries()) {
      const [want, got] = [jsKeyCounting, wasm].map((c) => {
        const p = c.pass(requests, deviationsFrom);
        pass((chunk) => p.visit(chunk));
        return p.end().map((r) => ('counts' in r ? r : { matched: r.matched, values: r.values.subarray(0, r.matched).sort() }));
      });
      want.forEach((r, i) => assert.deepEqual(got[i], r, `request ${i}, deviations from ${deviationsFrom}, stream ${k}`));
      assert.ok(want.some((r) => 'matched' in r && r.matched > 100 && r.matched < a.length), 'a collection that is neither empty nor everything');
    }
  }
});

test('selections with the Wasm passes give the same bits, any total, chunking and budget', () => {
  const wasm = new WasmKeyCounting();
  for (const n of [1, 2, 4, 5, 9998, 9999]) {
    const a = adversarial(n, n);
    const want = Float64Array.from(a, (v) => (v === 0 ? 0 : v)).sort();
    const ranks = [...new Set([0, 1, (n >> 1) - 1, n >> 1, n - 2, n - 1].filter((r) => r >= 0 && r < n))];
    for (const maxCollect of [1, 100, 1 << 22]) { // 1: counting passes down to the last key bits
      for (const sizes of [[n], [1, 7, 4096]]) {
        const pass = chunks(a, sizes, ['f64', 'array']);
        const got = selectRanks(pass, n, ranks, { maxCollect, counting: wasm });
        assert.deepEqual(got, ranks.map((r) => want[r]), `n ${n}, budget ${maxCollect}, chunks ${sizes}`);
        const m = median(a, { maxCollect });
        assert.ok(Object.is(medianOf(pass, n, { maxCollect, counting: wasm }), m), `median, n ${n}, budget ${maxCollect}`);
        assert.ok(Object.is(
          medianOf(pass, n, { deviationsFrom: m, maxCollect, counting: wasm }), medianOf(pass, n, { deviationsFrom: m, maxCollect }),
        ), `MAD, n ${n}, budget ${maxCollect}`);
      }
    }
  }
});

test('σ of a float32 stack by the Wasm passes, with and without counting passes', () => {
  const y = Float32Array.from(loadNpy('example/example_image_stack.npy').data);
  const want = madSigma(y, jsKeyCounting);
  const wasm = new WasmKeyCounting();
  for (const maxCollect of [1 << 22, 5000]) { // 5000: the middle bins are split by a second counting pass
    const pass = chunked(y, 1681 * 3 + 1);
    const m = medianOf(pass, y.length, { maxCollect, counting: wasm });
    assert.equal(1.4826 * medianOf(pass, y.length, { deviationsFrom: m, maxCollect, counting: wasm }), want, `budget ${maxCollect}`);
  }
});

test("σ through the setup's chunked reads: every chunk in order, the next read while one is worked on", async () => {
  const y = loadNpy('example/example_image_stack.npy');
  const n = 1000; // more objects than one chunk: the example's 100 objects, ten times
  const data = new Float32Array(n * 1681);
  for (let i = 0; i < 10; i++) data.set(y.data, i * y.data.length);
  const events: string[] = [];
  const source: StackSource = {
    shape: [n, 41, 41],
    async read(first, count) {
      events.push(`read ${first}`);
      await new Promise((r) => setTimeout(r, 1));
      return data.subarray(first * 1681, (first + count) * 1681);
    },
  };
  await eachChunk(source, n, (chunk, first) => {
    events.push(`chunk ${first}`);
    assert.equal(chunk[0], data[first * 1681]);
  });
  const starts = Array.from({ length: Math.ceil(n / CHUNK_OBJECTS) }, (_, i) => i * CHUNK_OBJECTS);
  assert.deepEqual(events, ['read 0', ...starts.flatMap((s, i) => [...(i + 1 < starts.length ? [`read ${starts[i + 1]}`] : []), `chunk ${s}`])]);
  assert.equal(await noiseSigmaOf((visit) => eachChunk(source, n, visit), data.length), madSigma(data, jsKeyCounting));
  // A failing consumer stops the pass; its read ahead fails quietly (no unhandled rejection).
  const failing: StackSource = { shape: source.shape, read: async (first) => { if (first > 0) throw new Error('closed'); return data.subarray(0, CHUNK_OBJECTS * 1681); } };
  await assert.rejects(eachChunk(failing, n, () => { throw new Error('consumer'); }), /consumer/);
  await assert.rejects(eachChunk(failing, n, () => {}), /closed/);
  await new Promise((r) => setTimeout(r, 10));
});
