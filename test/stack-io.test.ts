// Stacks read and written by objects (src/io/stack-source.ts, stack-sink.ts): every read
// gives readArray's values, for FITS (float, scaled integers, an extension HDU) and .npy
// (both byte orders; Fortran order read whole); a stack written by chunks in any order is
// byte for byte what encodeNpy writes, and the FITS that parseFits and astropy read back,
// also when the header outgrows the room kept for it; an aborted write leaves nothing.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeFits, encodeFitsImageExtension, encodeNpy, parseFits, readArray } from '../src/io/index.ts';
import { openStack } from '../src/io/stack-source.ts';
import { createStackSink } from '../src/io/stack-sink.ts';
import { randomArray } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'galdecon-stackio-'));
const SHAPE = [7, 9, 10];
const N = SHAPE[0], PER = SHAPE[1] * SHAPE[2];

async function sameAsReadArray(path: string, streamed: boolean): Promise<void> {
  const whole = await readArray(path);
  const f = await openStack(path);
  try {
    assert.deepEqual(f.shape, whole.shape);
    assert.equal(f.streamed, streamed, path);
    for (const [first, count] of [[0, N], [0, 1], [3, 2], [6, 1]]) {
      const got = await f.read(first, count);
      assert.equal(got.constructor, whole.data.constructor, path);
      assert.deepEqual(Array.from(got), Array.from(whole.data.subarray(first * PER, (first + count) * PER)), `${path} ${first}+${count}`);
    }
  } finally {
    await f.close();
  }
}

test('openStack reads any objects as readArray reads them: FITS float/scaled int/extension, .npy LE/BE/Fortran', async () => {
  const v = randomArray(N * PER, 5);
  const f32 = Float32Array.from(v);
  const cases: [string, Uint8Array, boolean][] = [
    ['f32.fits', encodeFits(f32, SHAPE), true],
    ['f64.fits', encodeFits(v, SHAPE), true],
    ['i16.fits', encodeFits(Float64Array.from(v, (x, i) => (i % 17 === 0 ? NaN : x)), SHAPE, { bitpix: 16 }), true],
    ['ext.fits', concat(encodeFits(new Float32Array(0), []), encodeFitsImageExtension(f32, SHAPE, { extname: 'SCI' })), true],
    ['le.npy', encodeNpy(v, SHAPE), true],
  ];
  // Big-endian float32 .npy: the header's '<f4' → '>f4' and the data swapped.
  const be = encodeNpy(f32, SHAPE);
  const text = Buffer.from(be).toString('latin1');
  const at = text.indexOf("'<f4'") + 1;
  be[at] = '>'.charCodeAt(0);
  const start = be.length - f32.byteLength;
  for (let i = start; i < be.length; i += 4) be.subarray(i, i + 4).reverse();
  cases.push(['be.npy', be, true]);
  // Fortran order: objects are not contiguous, so the file is read whole.
  const fo = Buffer.from(encodeNpy(f32, SHAPE));
  fo.write("'fortran_order': True ", fo.indexOf("'fortran_order': False"), 'latin1');
  cases.push(['fortran.npy', fo, false]);
  for (const [name, bytes, streamed] of cases) {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    await sameAsReadArray(path, streamed);
  }
});

test('openStack reads an addressed HDU (index, EXTNAME, EXTVER) and a fixed-size table column by offset, as readArray does', async () => {
  const v = randomArray(N * PER, 7);
  const f32 = Float32Array.from(v);
  // A table: NAME 6A, FLUX 90E and RAW 90I (TSCAL, TZERO, TNULL) stamps with TDIM (10,9), MAG 1D.
  const rowBytes = 6 + PER * 4 + PER * 2 + 8;
  const rows = new Uint8Array(N * rowBytes);
  const dv = new DataView(rows.buffer);
  for (let i = 0; i < N; i++) {
    const at = i * rowBytes;
    for (let k = 0; k < 6; k++) rows[at + k] = 'GAL-00'.charCodeAt(k);
    for (let k = 0; k < PER; k++) {
      dv.setFloat32(at + 6 + 4 * k, f32[i * PER + k], false);
      dv.setInt16(at + 6 + 4 * PER + 2 * k, k % 13 === 0 ? -32768 : Math.round(v[i * PER + k] * 1000), false);
    }
    dv.setFloat64(at + 6 + 6 * PER, i / 3, false);
  }
  const cards = [
    "XTENSION= 'BINTABLE'", `BITPIX  = ${'8'.padStart(20)}`, `NAXIS   = ${'2'.padStart(20)}`, `NAXIS1  = ${String(rowBytes).padStart(20)}`,
    `NAXIS2  = ${String(N).padStart(20)}`, `PCOUNT  = ${'0'.padStart(20)}`, `GCOUNT  = ${'1'.padStart(20)}`, `TFIELDS = ${'4'.padStart(20)}`,
    "TTYPE1  = 'NAME    '", "TFORM1  = '6A      '", "TTYPE2  = 'FLUX    '", `TFORM2  = '${PER}E    '`, "TDIM2   = '(10,9)  '",
    "TTYPE3  = 'RAW     '", `TFORM3  = '${PER}I    '`, "TDIM3   = '(10,9)  '", `TSCAL3  = ${'0.001'.padStart(20)}`, `TZERO3  = ${'0.5'.padStart(20)}`,
    `TNULL3  = ${'-32768'.padStart(20)}`, "TTYPE4  = 'MAG     '", "TFORM4  = '1D      '", "EXTNAME = 'STAMPS  '", 'END',
  ].map((c) => c.padEnd(80)).join('');
  const head = new Uint8Array(2880).fill(32);
  for (let i = 0; i < cards.length; i++) head[i] = cards.charCodeAt(i);
  const body = new Uint8Array(Math.ceil(rows.length / 2880) * 2880);
  body.set(rows);
  const path = join(dir, 'mef.fits');
  writeFileSync(path, concat(
    encodeFits(new Float32Array(0), []),
    encodeFitsImageExtension(f32, SHAPE, { extname: 'SCI' }),
    encodeFitsImageExtension(Float64Array.from(v, (x) => x * 3), SHAPE, { extname: 'SCI', bitpix: 16, cards: [{ key: 'EXTVER', value: 2 }] }),
    head, body,
  ));
  for (const address of ['[1]', '[SCI]', '[sci,2]', '[2]', '[3][FLUX]', '[STAMPS][raw]']) await sameAsReadArray(`${path}${address}`, true);
  const mag = await openStack(`${path}[STAMPS][MAG]`); // a scalar column: read whole
  assert.equal(mag.streamed, false);
  await mag.close();
  await assert.rejects(openStack(`${path}[7]`), /has no HDU 7 \(it has 4: 0\.\.3\)/);
  await assert.rejects(openStack(`${path}[STAMPS][NOPE]`), /no column "NOPE" \(columns: NAME, FLUX, RAW, MAG\)/);
  await assert.rejects(openStack(`${path}[STAMPS][NAME]`), /column "NAME" has type A, not a numeric array/);
  await assert.rejects(openStack(`${path}[STAMPS]`), /that HDU \(BINTABLE\) holds no image data/);
});

test('openStack: a malformed or truncated file gives readArray\'s one-line error', async () => {
  const good = encodeNpy(Float32Array.from(randomArray(N * PER, 6)), SHAPE);
  const path = join(dir, 'short.npy');
  writeFileSync(path, good.subarray(0, good.length - 10));
  await assert.rejects(openStack(path), /truncated \.npy data/);
  const fits = encodeFits(Float32Array.from(randomArray(N * PER, 6)), SHAPE);
  const fpath = join(dir, 'short.fits');
  writeFileSync(fpath, fits.subarray(0, 2880 + 100));
  await assert.rejects(openStack(fpath), /truncated/);
  await assert.rejects(openStack(join(dir, 'missing.fits')), /no such file/);
});

test('a stack written by chunks in any order: .npy as encodeNpy writes it, FITS as parseFits and astropy read it', async () => {
  const x = Float32Array.from(randomArray(N * PER, 7));
  for (const name of ['x.npy', 'x.fits']) {
    const path = join(dir, name);
    const sink = await createStackSink(path, SHAPE);
    for (const [first, count] of [[5, 2], [0, 3], [3, 2]]) await sink.write(first, x.subarray(first * PER, (first + count) * PER));
    assert.ok(!readdirSync(dir).includes(name), 'visible before commit');
    assert.deepEqual(Array.from(await sink.read(2, 2)), Array.from(x.subarray(2 * PER, 4 * PER)));
    const history = name === 'x.fits' ? Array.from({ length: 400 }, (_, i) => `line ${i}: more history than the header room holds`) : [];
    await sink.commit({ cards: [{ key: 'NITER', value: 40 }], history });
    await sink.abort(); // harmless after a commit
    const bytes = readFileSync(path);
    if (name === 'x.npy') assert.ok(bytes.equals(encodeNpy(x, SHAPE)));
    else {
      const [hdu] = parseFits(bytes, path);
      assert.deepEqual(Array.from(hdu.data!.data), Array.from(x));
      assert.equal(hdu.header.filter((c) => c.key === 'HISTORY').length, 400);
      assert.equal(bytes.length % 2880, 0);
    }
  }
  // The usual header (few cards): the blank cards fill the room, and astropy reads it.
  const path = join(dir, 'small.fits');
  const sink = await createStackSink(path, SHAPE);
  await sink.write(0, x);
  await sink.commit({ cards: [{ key: 'NITER', value: 40 }] });
  writeFileSync(join(dir, 'raw.f32'), new Uint8Array(x.buffer));
  // The system Python, where Debian's python3-astropy lives (a pyenv shim may come first on PATH).
  const r = spawnSync(existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3', ['-c', `import sys, numpy as np; from astropy.io import fits
h = fits.open(sys.argv[1]); d = h[0].data; x = np.fromfile(sys.argv[2], dtype='<f4').reshape(d.shape)
assert h[0].header['NITER'] == 40; assert np.array_equal(d, x); print('ok')`, path, join(dir, 'raw.f32')], { encoding: 'utf8' });
  if (r.error || /No module named/.test(r.stderr)) {
    if (process.env.CI === 'true') assert.fail('astropy is needed under CI');
    console.log('# SKIPPED astropy check: python3 with astropy is not installed');
  } else {
    assert.equal(r.stdout.trim(), 'ok', r.stderr);
  }
});

test('an aborted write leaves no file, and an existing file is refused without overwrite', async () => {
  const sub = mkdtempSync(join(tmpdir(), 'galdecon-stackio-abort-'));
  const path = join(sub, 'x.fits');
  const sink = await createStackSink(path, SHAPE);
  await sink.write(0, new Float32Array(N * PER));
  await sink.abort();
  assert.deepEqual(readdirSync(sub), []);
  writeFileSync(path, 'exists');
  await assert.rejects(createStackSink(path, SHAPE), /refusing to overwrite .*--overwrite/);
});

function concat(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

test('galdecon simulate writes, chunk by chunk, exactly the survey simulate() makes in memory', async () => {
  const { simulate } = await import('../src/sim/simulate.ts');
  const { Kernels } = await import('../src/kernels/index.ts');
  const { galdecon } = await import('./helpers.ts');
  const out = join(dir, 'sim');
  const n = 4100; // more than one chunk of 4,096 objects
  const r = galdecon(['simulate', '--n', String(n), '--size', '16', '--seed', '3', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const want = simulate({ n, size: 16, seed: 3 }, new Kernels().convolveStamps);
  for (const [file, data] of [['observed.fits', want.observed], ['psfs.fits', want.psfs], ['truth.fits', want.truth]] as const) {
    const [hdu] = parseFits(readFileSync(join(out, file)), file);
    assert.deepEqual(hdu.data!.shape, [n, 16, 16]);
    assert.ok(Buffer.from((hdu.data!.data as Float32Array).buffer).equals(Buffer.from(data.buffer)), `${file} differs`);
  }
  assert.equal(readFileSync(join(out, 'params.json'), 'utf8'), JSON.stringify(want.params, null, 1) + '\n');
});
