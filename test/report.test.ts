import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import * as zlib from 'node:zlib';
import { ellipticity, median, objectMetrics, summarize, type Metrics } from '../src/report/metrics.ts';
import { crc32, encodePng } from '../src/report/png.ts';
import { costPlotSvg } from '../src/report/svg.ts';
import { STRETCHES, colourOf, evenSample, mosaicPng, stretchOf } from '../src/report/mosaic.ts';
import { buildReport } from '../src/report/report.ts';
import { Catalog } from '../src/report/catalog.ts';
import { InputError } from '../src/errors.ts';

const FIX = new URL('./fixtures/synthetic/', import.meta.url);

/** Minimal .npy reader: format 1.x/2.x, '<f8', C order. */
function readNpyF8(url: URL): { data: Float64Array; shape: number[] } {
  const buf = readFileSync(url);
  assert.equal(buf.toString('latin1', 1, 6), 'NUMPY');
  const major = buf[6];
  const hlen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', start, start + hlen);
  assert.match(header, /'descr':\s*'<f8'/);
  assert.match(header, /'fortran_order':\s*False/);
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)![1].split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const off = start + hlen;
  const count = shape.reduce((a, b) => a * b, 1);
  const data = new Float64Array(count);
  for (let i = 0; i < count; i++) data[i] = buf.readDoubleLE(off + 8 * i);
  return { data, shape };
}

function assertRel(actual: number, expected: number, tol: number, what: string): void {
  const rel = Math.abs(actual - expected) / Math.abs(expected);
  assert.ok(rel <= tol, `${what}: ${actual} vs ${expected} (rel ${rel})`);
}

test('summarize reproduces metrics.json (reference and noisy baseline)', () => {
  const clean = readNpyF8(new URL('clean.npy', FIX));
  const noisy = readNpyF8(new URL('noisy.npy', FIX));
  const primal = readNpyF8(new URL('reference/default_primal.npy', FIX));
  const ref = JSON.parse(readFileSync(new URL('reference/metrics.json', FIX), 'utf8'));
  const [n, ny, nx] = clean.shape;
  const check = (m: Metrics, r: Record<string, number>, label: string) => {
    assertRel(m.nmse_median, r.pixel_err_nmse_median, 1e-9, `${label} nmse_median`);
    assertRel(m.nmse_mean, r.pixel_err_nmse_mean, 1e-9, `${label} nmse_mean`);
    assertRel(m.ellipticity_error_median, r.shape_err_median, 1e-9, `${label} shape_err_median`);
    assertRel(m.ellipticity_error_mean, r.shape_err_mean, 1e-9, `${label} shape_err_mean`);
    assertRel(m.psnr_median, r.psnr_median, 1e-9, `${label} psnr_median`);
    assertRel(m.psnr_mean, r.psnr_mean, 1e-9, `${label} psnr_mean`);
    assertRel(m.rel_err_global, r.rel_err_global, 1e-9, `${label} rel_err_global`);
    assert.equal(m.objects, n);
    assert.equal(m.excluded_objects, 0);
    assert.equal(m.ellipticity_undefined, 0);
  };
  check(summarize(clean.data, primal.data, n, ny, nx), ref.reference, 'reference');
  check(summarize(clean.data, noisy.data, n, ny, nx), ref.noisy_baseline, 'noisy');
  // float32 input gives the same numbers to float32 precision
  const m32 = summarize(new Float32Array(clean.data), new Float32Array(primal.data), n, ny, nx);
  assertRel(m32.nmse_median, ref.reference.pixel_err_nmse_median, 1e-4, 'f32 nmse_median');
});

function gaussian(ny: number, nx: number, sk: number, sl: number, rho: number, ck = 20, cl = 20): Float64Array {
  // covariance [[sk², rho sk sl], [rho sk sl, sl²]] in (k, l)
  const a = new Float64Array(ny * nx);
  const det = sk * sk * sl * sl * (1 - rho * rho);
  for (let k = 0; k < ny; k++) {
    for (let l = 0; l < nx; l++) {
      const dk = k - ck, dl = l - cl;
      const q = (sl * sl * dk * dk - 2 * rho * sk * sl * dk * dl + sk * sk * dl * dl) / det;
      a[k * nx + l] = Math.exp(-0.5 * q);
    }
  }
  return a;
}

test('catalogue rows computed by chunks of objects (uneven, out of order) are the whole stacks\' rows, bit for bit; partition and iterations per row from the ranges', () => {
  const truth = readNpyF8(new URL('clean.npy', FIX));
  const observed = readNpyF8(new URL('noisy.npy', FIX));
  const estimate = readNpyF8(new URL('reference/default_primal.npy', FIX));
  const [n, ny, nx] = truth.shape as [number, number, number];
  const npix = ny * nx;
  // Partitions of 3, 3, …; stream iterations per partition, listed out of order.
  const partitions = Array.from({ length: Math.ceil(n / 3) }, (_, p) => ({ first: 3 * p, n: Math.min(3, n - 3 * p) }));
  const iterations = partitions.map((r, p) => ({ ...r, iterations: 10 + ((p * 7) % 5) })).reverse();
  const ids = Array.from({ length: n }, (_, i) => `obj,${i}`);
  const catalog = new Catalog([n, ny, nx], { observed: true, truth: true, ids: { width: 6 }, sigma: 0.5, partitions, iterations });
  assert.deepEqual(catalog.columns.map((c) => c.name), [
    'id', 'partition', 'iterations', 'sigma', 'flux_in', 'flux_out', 'x_out', 'y_out', 'e1_in', 'e2_in', 'e1_out', 'e2_out', 'nmse', 'ellipticity_error', 'psnr',
  ]);
  const whole = catalog.rows(0, n, { estimate: estimate.data, observed: observed.data, truth: truth.data, ids });
  const chunked: unknown[][] = catalog.columns.map(() => new Array(n));
  const chunks: [number, number][] = [];
  for (let first = 0, size = 1; first < n; first += size, size = size % 4 + 1) chunks.push([first, Math.min(size, n - first)]);
  for (const [first, count] of chunks.reverse()) {
    const part = (a: Float64Array) => a.slice(first * npix, (first + count) * npix);
    const rows = catalog.rows(first, count, { estimate: part(estimate.data), observed: part(observed.data), truth: part(truth.data), ids: ids.slice(first, first + count) });
    rows.forEach((v, k) => Array.from(v as ArrayLike<unknown>).forEach((x, j) => { chunked[k][first + j] = x; }));
  }
  for (const [k, c] of catalog.columns.entries()) assert.deepEqual(chunked[k], Array.from(whole[k] as ArrayLike<unknown>), c.name);
  // The per-object arrays the catalogue used to fill.
  const partition = new Int32Array(n);
  partitions.forEach((r, p) => partition.fill(p, r.first, r.first + r.n));
  const its = new Int32Array(n);
  for (const r of iterations) its.fill(r.iterations, r.first, r.first + r.n);
  assert.deepEqual(whole[1], partition);
  assert.deepEqual(whole[2], its);
  assert.deepEqual(new Catalog([n, ny, nx], { observed: false, truth: false, iterations: 7 }).rows(2, 3, { estimate: estimate.data.slice(2 * npix, 5 * npix) }).slice(0, 2),
    [Int32Array.from([2, 3, 4]), Int32Array.from([7, 7, 7])]);
  assert.ok(Array.from(whole[12] as Float64Array).every((v) => v > 0), 'nmse computed');
});

test('ellipticity of analytic Gaussians: signs and values', () => {
  const [e1r, e2r] = ellipticity(gaussian(41, 41, 3, 3, 0), 0, 41, 41);
  assert.ok(Math.abs(e1r) < 1e-6 && Math.abs(e2r) < 1e-6, `round: ${e1r}, ${e2r}`);
  // offset within a stack and an off-centre position do not matter
  const stack = new Float64Array(2 * 41 * 41);
  stack.set(gaussian(41, 41, 2.5, 2.5, 0, 18, 23), 41 * 41);
  const [e1o, e2o] = ellipticity(stack, 41 * 41, 41, 41);
  assert.ok(Math.abs(e1o) < 1e-6 && Math.abs(e2o) < 1e-6, `round off-centre: ${e1o}, ${e2o}`);

  // extended along a row (in l, the column index): e1 < 0; along a column (in k): e1 > 0
  // (σ ≤ 3 so that the 41-px stamp truncates nothing that matters at 1e-6)
  const [e1c, e2c] = ellipticity(gaussian(41, 41, 2, 3, 0), 0, 41, 41);
  const [e1k, e2k] = ellipticity(gaussian(41, 41, 3, 2, 0), 0, 41, 41);
  assert.ok(e1c < 0 && e1k > 0, `${e1c} ${e1k}`);
  const expected = (4 - 9) / (4 + 9);
  assert.ok(Math.abs(e1c - expected) < 1e-6 && Math.abs(e1k + expected) < 1e-6, `e1 ${e1c} ${e1k} vs ∓${-expected}`);
  assert.ok(Math.abs(e2c) < 1e-9 && Math.abs(e2k) < 1e-9, `e2 ${e2c} ${e2k}`);

  // 45°: k and l grow together → e2 = 2 cov / (sk² + sl²) > 0, e1 = 0
  const [e1d, e2d] = ellipticity(gaussian(41, 41, 3, 3, 0.5), 0, 41, 41);
  assert.ok(Math.abs(e1d) < 1e-6, `45° e1 ${e1d}`);
  assert.ok(Math.abs(e2d - 0.5) < 1e-6, `45° e2 ${e2d}`);
  const [, e2m] = ellipticity(gaussian(41, 41, 3, 3, -0.5), 0, 41, 41);
  assert.ok(Math.abs(e2m + 0.5) < 1e-6, `-45° e2 ${e2m}`);

  // degenerate: all zero or a single pixel → undefined
  assert.ok(ellipticity(new Float64Array(25), 0, 5, 5).every(Number.isNaN), 'all-zero image: undefined');
  const dot = new Float64Array(25);
  dot[12] = 1;
  assert.ok(ellipticity(dot, 0, 5, 5).every(Number.isNaN), 'single pixel: undefined');
});

test('median convention, degenerate objects, shape checks', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.ok(Number.isNaN(median([])), 'median of nothing');

  const ny = 9, nx = 9, size = 81;
  const truth = new Float64Array(3 * size);
  const est = new Float64Array(3 * size);
  truth.set(gaussian(9, 9, 1.5, 1.2, 0.1, 4, 4), 0);
  truth.set(gaussian(9, 9, 1.5, 1.5, 0, 4, 4), 2 * size); // object 1 all zero
  for (let i = 0; i < truth.length; i++) est[i] = truth[i] * 1.1;
  est.fill(0, 2 * size); // object 2 estimated as zero: ellipticity undefined
  const om = objectMetrics(truth, est, 3, ny, nx);
  assert.ok(Math.abs(om.nmse[0] - 0.01) < 1e-12, `nmse[0] ${om.nmse[0]}`);
  assert.ok(Number.isNaN(om.nmse[1]) && Number.isNaN(om.psnr[1]), 'zero truth: NaN');
  assert.equal(om.nmse[2], 1);
  assert.ok(Number.isNaN(om.ellipticityError[2]), 'zero estimate: NaN shape error');
  const m = summarize(truth, est, 3, ny, nx);
  assert.equal(m.objects, 2);
  assert.equal(m.excluded_objects, 1);
  assert.equal(m.ellipticity_undefined, 1);
  assert.ok(Math.abs(m.nmse_median - 0.505) < 1e-12, `nmse_median ${m.nmse_median}`);
  assert.ok(Math.abs(m.ellipticity_error_median) < 1e-12, `ellipticity_error_median ${m.ellipticity_error_median}`); // scaling keeps the shape
  assert.throws(() => summarize(new Float64Array(size), new Float64Array(size), 1, ny, nx), InputError);
  assert.throws(() => summarize(truth, est.subarray(1), 3, ny, nx), InputError);
});

// ---- PNG helpers (independent decoder for the test) ----
interface Chunk { type: string; data: Buffer; crc: number }
function pngChunks(png: Uint8Array): Chunk[] {
  const b = Buffer.from(png);
  assert.deepEqual([...b.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const out: Chunk[] = [];
  let o = 8;
  while (o < b.length) {
    const len = b.readUInt32BE(o);
    const type = b.toString('latin1', o + 4, o + 8);
    const data = b.subarray(o + 8, o + 8 + len);
    const crc = b.readUInt32BE(o + 8 + len);
    out.push({ type, data, crc });
    o += 12 + len;
  }
  assert.equal(o, b.length);
  return out;
}
function decodePng(png: Uint8Array): { w: number; h: number; ch: number; raw: Buffer; pixels: Buffer } {
  const chunks = pngChunks(png);
  const ihdr = chunks[0];
  assert.equal(ihdr.type, 'IHDR');
  const w = ihdr.data.readUInt32BE(0), h = ihdr.data.readUInt32BE(4);
  const ch = ihdr.data[9] === 0 ? 1 : 3;
  const raw = inflateSync(Buffer.concat(chunks.filter((c) => c.type === 'IDAT').map((c) => c.data)));
  const stride = w * ch;
  assert.equal(raw.length, (stride + 1) * h);
  const pixels = Buffer.alloc(stride * h);
  for (let y = 0; y < h; y++) {
    assert.equal(raw[y * (stride + 1)], 0, 'filter type None');
    raw.copy(pixels, y * stride, y * (stride + 1) + 1, (y + 1) * (stride + 1));
  }
  return { w, h, ch, raw, pixels };
}

test('encodePng: signature, chunk CRCs, IDAT scanlines, tiny images', () => {
  assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
  const grey = Uint8Array.of(0, 255, 128, 64);
  const png = encodePng(2, 2, grey, 1);
  const chunks = pngChunks(png);
  assert.deepEqual(chunks.map((c) => c.type), ['IHDR', 'IDAT', 'IEND']);
  const zcrc = (zlib as unknown as { crc32?: (d: Uint8Array) => number }).crc32;
  for (const c of chunks) {
    const typed = Buffer.concat([Buffer.from(c.type, 'latin1'), c.data]);
    assert.equal(c.crc, crc32(typed), `crc of ${c.type}`);
    if (zcrc) assert.equal(c.crc, zcrc(typed) >>> 0, `node crc of ${c.type}`);
  }
  assert.equal(chunks[2].crc, 0xae426082); // the well-known IEND CRC
  assert.deepEqual([...chunks[0].data], [0, 0, 0, 2, 0, 0, 0, 2, 8, 0, 0, 0, 0]);
  const d = decodePng(png);
  assert.deepEqual([...d.raw], [0, 0, 255, 0, 128, 64]);
  assert.deepEqual([...d.pixels], [...grey]);

  const rgb = Uint8Array.of(255, 0, 0, 0, 255, 0, 0, 0, 255);
  const d3 = decodePng(encodePng(3, 1, rgb, 3));
  assert.equal(d3.ch, 3);
  assert.deepEqual([...d3.pixels], [...rgb]);
  assert.throws(() => encodePng(2, 2, new Uint8Array(3), 1), RangeError);
  assert.throws(() => encodePng(0, 2, new Uint8Array(0), 1), RangeError);
});

test('mosaicPng: columns, zero at black, row scale shared by the residual, PSF on its own scale', () => {
  assert.deepEqual(evenSample(5), [0, 1, 2, 3, 4]);
  assert.deepEqual(evenSample(100), [0, 14, 28, 42, 57, 71, 85, 99]);
  for (const st of STRETCHES) {
    const f = stretchOf(st);
    assert.equal(f(0), 0, st);
    assert.ok(Math.abs(f(1) - 1) < 1e-12 && Math.abs(f(-1) + 1) < 1e-12, st);
    assert.ok(f(0.01) < f(0.1) && f(0.1) < f(0.5), `${st} is not increasing`);
  }
  assert.deepEqual(colourOf(0), [0, 0, 0]);
  assert.deepEqual(colourOf(1), [255, 255, 255]);
  const neg = colourOf(-0.5);
  assert.ok(neg[2] > neg[0], `negative values are blue, got ${neg}`);
  const ny = 6, nx = 5, size = ny * nx;
  const obs = new Float64Array(size).map((_, i) => i / (size - 1)); // 0 … 1, peak at the last pixel
  const est = obs.map((v) => v * 0.5);
  est[7] = NaN;
  const zero = new Float64Array(size);
  const psf = { data: Float64Array.of(0, 2, 0, 2, 8, 2, 0, 2, 0), ky: 3, kx: 3 };
  const row = { id: 42, observed: obs, estimate: est, residual: zero, psf, nmse: 0.0123, ellipticityError: 0.045 };
  const png = mosaicPng([row], ny, nx, { scale: 20, stretch: 'linear', title: 'test' });
  const d = decodePng(png);
  assert.equal(d.ch, 3);
  const px = (x: number, y: number) => [...d.pixels.subarray((y * d.w + x) * 3, (y * d.w + x) * 3 + 3)];
  // Find the stamps: the observed stamp's peak (bottom-right) is white, its first pixel (0) black.
  let found: [number, number] | undefined;
  for (let y = 0; y < d.h && !found; y++) for (let x = 0; x < d.w; x++) {
    const a = px(x, y);
    if (a[0] === 0 && a[1] === 0 && a[2] === 0 && px(x + 99, y + 119).every((c) => c === 255)) { found = [x, y]; break; }
  }
  assert.ok(found, 'observed stamp not found');
  const [x0, y0] = found;
  const cols = 4; // observed, deconvolved, residual, PSF (no truth given)
  const step = (d.w - x0) / cols; // stamp + separator
  assert.equal(step, 100 + 4);
  // deconvolved: half the peak under the row's (linear) scale; NaN pixel magenta
  assert.deepEqual(px(x0 + step + 90, y0 + 110), colourOf(0.5 * (size - 1) / (size - 1)));
  assert.deepEqual(px(x0 + step + 2 * 20 + 5, y0 + 1 * 20 + 5), [255, 0, 255]);
  // residual of zeros is black: zero has a fixed colour
  assert.deepEqual(px(x0 + 2 * step + 50, y0 + 50), [0, 0, 0]);
  // PSF centred in its cell, scaled by its own peak: its centre is white
  assert.deepEqual(px(x0 + 3 * step + 50, y0 + 50), [255, 255, 255]);
  assert.throws(() => mosaicPng([{ id: 0, observed: new Float64Array(3) }], ny, nx), RangeError);
  assert.throws(() => mosaicPng([], ny, nx), RangeError);
  assert.throws(() => mosaicPng([{ id: 0, psf: { data: new Float64Array(64), ky: 8, kx: 8 } }], ny, nx), RangeError);
});

function balanced(xml: string): boolean {
  const stack: string[] = [];
  const body = xml.replace(/<\?xml[^>]*\?>/, '');
  for (const m of body.matchAll(/<(\/?)([A-Za-z][\w:-]*)[^>]*?(\/?)>/g)) {
    if (m[3] === '/') continue;
    if (m[1] === '/') {
      if (stack.pop() !== m[2]) return false;
    } else stack.push(m[2]);
  }
  return stack.length === 0 && !/<(?![?/A-Za-z])/.test(body) && !/&(?!amp;|lt;|gt;|quot;|apos;|#)/.test(body);
}

test('costPlotSvg: well-formed, reweight marker, degenerate series', () => {
  const cost = Array.from({ length: 212 }, (_, i) => 3e4 * Math.pow(0.9, i * 1.0) + 6e-3);
  const svg = costPlotSvg({
    cost,
    cost_iterations: cost.map((_, i) => i + 1),
    cost_time_s: cost.map((_, i) => 0.01 * (i + 1)),
    reweight_iterations: [150],
  }, { title: 'a <title> & more' });
  assert.match(svg, /^<\?xml[^>]*\?>\s*<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.ok(balanced(svg), 'balanced tags');
  assert.ok(!/NaN|Infinity|undefined/.test(svg), 'no NaN');
  assert.equal((svg.match(/class="reweight"/g) ?? []).length, 2); // one per panel
  assert.match(svg, /stroke-dasharray/);
  assert.match(svg, /&lt;title&gt; &amp; more/);

  const cases = [
    { cost: [5], cost_iterations: [1], cost_time_s: [0.1], reweight_iterations: [] },
    { cost: [0], cost_iterations: [1], cost_time_s: [0], reweight_iterations: [] },
    { cost: [3, 0, 1, NaN, 0.5], cost_iterations: [1, 2, 3, 4, 5], cost_time_s: [], reweight_iterations: [2] },
    { cost: [], cost_iterations: [], cost_time_s: [], reweight_iterations: [] },
    { cost: [1, 1, 1], cost_iterations: [1, 2, 3], cost_time_s: [0, 0, 0], reweight_iterations: [1] },
  ];
  for (const c of cases) {
    const s = costPlotSvg(c);
    assert.ok(balanced(s), JSON.stringify(c));
    assert.ok(!/NaN|Infinity|undefined/.test(s), JSON.stringify(c));
  }
});

test('buildReport: contract fields, metrics from truth, JSON round trip, null for non-finite', () => {
  const ny = 9, nx = 9, size = 81, n = 2;
  const truth = new Float64Array(n * size);
  truth.set(gaussian(9, 9, 1.5, 1.2, 0.1, 4, 4), 0);
  truth.set(gaussian(9, 9, 1.3, 1.6, -0.2, 4, 4), size);
  const est = truth.map((v) => v * 0.95);
  const obs = truth.map((v, i) => v * 0.6 + 1e-3 * Math.sin(i));
  const r = buildReport({
    shape: [n, ny, nx],
    sigma: 3.9e-4,
    iterations: 212,
    converged: true,
    cost: new Float64Array([3e4, 1e2, 6e-3]),
    cost_iterations: [1, 2, 212],
    cost_time_s: [0.1, 0.2, NaN],
    reweight_iterations: [150],
    tests: [{ iteration: 4, diff: 6.7, converged: false }],
    timing: { total_s: 2, setup_s: 0.5, iterate_s: 1.5 },
    partitions: 4,
    agents: 2,
    options: { wavelet: 'linear', kappa: [3, 3, 4], noiseEst: undefined, bad: Infinity },
    truth,
    estimate: est,
    observed: obs,
    inputs: { input: 'noisy.npy' },
    output: 'out.npy',
    created: new Date(0),
  });
  for (const k of ['objects', 'sigma', 'iterations', 'converged', 'cost', 'timing', 'partitions', 'agents', 'metrics']) {
    assert.ok(k in r, k);
  }
  assert.equal(r.objects, 2);
  assert.deepEqual(r.shape, [2, 9, 9]);
  assert.ok(Array.isArray(r.cost) && r.cost.length === 3, 'cost array');
  for (const k of ['total_s', 'setup_s', 'iterate_s', 'per_iteration_s'] as const) assert.equal(typeof r.timing[k], 'number');
  assert.ok(Math.abs(r.timing.per_iteration_s - 1.5 / 212) < 1e-15, `per_iteration_s ${r.timing.per_iteration_s}`);
  for (const k of ['nmse_median', 'nmse_mean', 'ellipticity_error_median', 'ellipticity_error_mean', 'psnr_median', 'psnr_mean'] as const) {
    assert.equal(typeof r.metrics![k], 'number', k);
  }
  assert.ok(Math.abs(r.metrics!.nmse_median - 0.0025) < 1e-12, `nmse_median ${r.metrics!.nmse_median}`);
  assert.ok(r.baseline_metrics!.nmse_median > r.metrics!.nmse_median, 'baseline worse than estimate');
  assert.equal(r.cost_time_s[2], null);
  assert.equal(r.options.bad, null);
  assert.ok(!('noiseEst' in r.options), 'undefined option dropped');
  assert.equal(r.created, '1970-01-01T00:00:00.000Z');
  assert.equal(r.software.name, 'galdecon');
  const text = JSON.stringify(r);
  assert.deepEqual(JSON.parse(text), r);

  // perfect estimate: PSNR is +Infinity → null; no truth → no metrics; zero iterations
  const r2 = buildReport({
    shape: [n, ny, nx], sigma: 1, iterations: 0, converged: false, cost: [],
    timing: { total_s: 0, setup_s: 0, iterate_s: 0 }, partitions: 1, agents: 1, truth, estimate: truth,
  });
  assert.equal(r2.metrics!.psnr_median, null);
  assert.equal(r2.timing.per_iteration_s, null);
  assert.deepEqual(JSON.parse(JSON.stringify(r2)), r2);
  const r3 = buildReport({
    shape: [n, ny, nx], sigma: 1, iterations: 1, converged: false, cost: [1],
    timing: { total_s: 0, setup_s: 0, iterate_s: 0 }, partitions: 1, agents: 1,
  });
  assert.ok(!('metrics' in r3), 'no metrics without truth');
  assert.throws(() => buildReport({ ...r3, cost: [1, 2], cost_iterations: [1] }), RangeError);
});
