import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { FileError, InputError, OptionError } from '../src/errors.ts';
import {
  chooseIntScaling,
  encodeFits,
  encodeFitsImageExtension,
  encodeNpy,
  findCard,
  formatOf,
  parseFits,
  parseNpy,
  readArray,
  readIds,
  readTableColumn,
  readTableStrings,
  requireWritable,
  writeArray,
  writeTextAtomic,
  type Bitpix,
  type FitsCard,
  type NdArray,
} from '../src/io/index.ts';
import { formatCard, parseCard } from '../src/io/fits.ts';
import { fortranToC } from '../src/io/ndarray.ts';

const FIX = fileURLToPath(new URL('./fixtures/', import.meta.url));
const IOFIX = join(FIX, 'io');
const tmp = mkdtempSync(join(tmpdir(), 'galdecon-io-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const fixture = (p: string): Uint8Array => readFileSync(join(FIX, p));
const ascii = (b: Uint8Array, from: number, to: number): string => String.fromCharCode(...b.subarray(from, to));
function range(n: number): number[];
function range<T>(n: number, f: (i: number) => T): T[];
function range(n: number, f: (i: number) => unknown = (i) => i): unknown[] {
  return Array.from({ length: n }, (_, i) => f(i));
}

/** Asserts that `fn` throws `cls` with a one-line message containing every `parts`. */
function throwsWith(fn: () => unknown, cls: new (...a: never[]) => Error, ...parts: (string | RegExp)[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
    assert.ok(!e.message.includes('\n'), `message has several lines: ${e.message}`);
    for (const p of parts) {
      if (typeof p === 'string') assert.ok(e.message.includes(p), `message ${JSON.stringify(e.message)} lacks ${JSON.stringify(p)}`);
      else assert.match(e.message, p);
    }
    return true;
  });
}
async function rejectsWith(p: Promise<unknown>, cls: new (...a: never[]) => Error, ...parts: string[]): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
    assert.ok(!e.message.includes('\n'), 'message has several lines');
    for (const s of parts) assert.ok(e.message.includes(s), `message ${JSON.stringify(e.message)} lacks ${JSON.stringify(s)}`);
    return true;
  });
}

function assertSameArray(a: NdArray, b: NdArray): void {
  assert.deepEqual(a.shape, b.shape);
  assert.equal(a.data.constructor, b.data.constructor);
  assert.equal(a.data.length, b.data.length);
  for (let i = 0; i < a.data.length; i++) {
    if (!Object.is(a.data[i], b.data[i])) assert.fail(`element ${i}: ${a.data[i]} !== ${b.data[i]}`);
  }
}

function headerLines(buf: Uint8Array): string[] {
  const out: string[] = [];
  for (let p = 0; p < buf.length; p += 80) {
    const l = ascii(buf, p, p + 80);
    out.push(l);
    if (l.startsWith('END     ')) break;
  }
  return out;
}

/** Patches a card of an encoded FITS file (keeps 80 columns). */
function patchCard(buf: Uint8Array, key: string, card: string): Uint8Array {
  const out = buf.slice();
  for (let p = 0; p < out.length; p += 80) {
    if (ascii(out, p, p + 8).trimEnd() === key) {
      const s = card.padEnd(80);
      for (let i = 0; i < 80; i++) out[p + i] = s.charCodeAt(i);
      return out;
    }
  }
  throw new Error(`no card ${key}`);
}

describe('FITS: astropy-written example data', () => {
  for (const [stem, cls, dtype] of [
    ['example_image_stack', Float64Array, 'float64'],
    ['example_psfs', Float32Array, 'float32'],
  ] as const) {
    test(`${stem}.fits equals ${stem}.npy exactly`, async () => {
      const fits = await readArray(join(FIX, 'example', `${stem}.fits`));
      const npy = await readArray(join(FIX, 'example', `${stem}.npy`));
      assert.deepEqual(fits.shape, [100, 41, 41]);
      assert.equal(fits.dtype, dtype);
      assert.equal(npy.dtype, dtype);
      assert.ok(fits.data instanceof cls, 'data type');
      assert.equal(fits.data.byteOffset, 0);
      assert.equal(fits.data.buffer.byteLength, fits.data.byteLength);
      assertSameArray(fits, npy);
    });
  }

  test('the header is parsed into cards', () => {
    const [hdu] = parseFits(fixture('example/example_psfs.fits'), 'example_psfs.fits');
    assert.deepEqual(hdu!.header.slice(0, 3), [
      { key: 'SIMPLE', value: true, comment: 'conforms to FITS standard' },
      { key: 'BITPIX', value: -32, comment: 'array data type' },
      { key: 'NAXIS', value: 3, comment: 'number of array dimensions' },
    ]);
    assert.equal(findCard(hdu!.header, 'naxis3')?.value, 100);
  });
});

describe('FITS: encode/parse round trips', () => {
  const roundTrip = (data: Float32Array | Float64Array, shape: number[], bitpix?: Bitpix): NdArray => {
    const bytes = encodeFits(data, shape, bitpix === undefined ? {} : { bitpix });
    assert.equal(bytes.length % 2880, 0);
    const hdus = parseFits(bytes, 'rt.fits');
    assert.equal(hdus.length, 1);
    assert.ok(hdus[0]!.data, 'HDU 0 has data');
    return hdus[0]!.data;
  };

  test('float BITPIX -32/-64 are exact, with NaN and ±Infinity, NAXIS 1..3', () => {
    const vals = [0, -0, 1.5, -3.25e-30, 3.4e38, NaN, Infinity, -Infinity, Math.PI, 1e-300];
    for (const shape of [[10], [2, 5], [5, 1, 2]]) {
      const f64 = Float64Array.from(vals);
      const f32 = Float32Array.from(vals);
      const a = roundTrip(f64, shape);
      assert.deepEqual(a.shape, shape);
      assert.equal(a.dtype, 'float64');
      assertSameArray(a, { data: f64, shape, dtype: 'float64' });
      const b = roundTrip(f32, shape);
      assert.equal(b.dtype, 'float32');
      assertSameArray(b, { data: f32, shape, dtype: 'float32' });
      // Cross conversions
      assertSameArray(roundTrip(f64, shape, -32), { data: Float32Array.from(f64), shape, dtype: 'float32' });
      assertSameArray(roundTrip(f32, shape, -64), { data: Float64Array.from(f32), shape, dtype: 'float64' });
    }
  });

  test('integer data round-trip exactly through every integer BITPIX', () => {
    const cases: [8 | 16 | 32 | 64, number[], number | undefined][] = [
      [8, [0, 1, 128, 255], undefined],
      [8, [-128, -1, 0, 127], -128], // signed bytes: standard BZERO
      [8, [1000, 1100, 1255], 1000], // narrow range: offset by the minimum
      [16, [-32768, -1, 0, 32767], undefined],
      [16, [0, 1, 40000, 65535], 32768], // unsigned 16-bit convention
      [32, [-2147483648, -5, 0, 2147483647], undefined],
      [32, [0, 4294967295, 3e9], 2147483648],
      [64, [-(2 ** 53), -1, 0, 2 ** 53, 123456789012345], undefined],
    ];
    for (const [bitpix, vals, bzero] of cases) {
      for (const ctor of [Float64Array, Float32Array]) {
        if (ctor === Float32Array && vals.some((v) => Math.fround(v) !== v)) continue;
        const data = ctor.from(vals);
        const bytes = encodeFits(data, [1, vals.length], { bitpix });
        const [hdu] = parseFits(bytes, 'int.fits');
        assert.equal(findCard(hdu!.header, 'BITPIX')?.value, bitpix);
        assert.equal(findCard(hdu!.header, 'BZERO')?.value, bzero, `BITPIX ${bitpix} ${vals}`);
        assert.equal(hdu!.data!.dtype, ({ 8: 'uint8', 16: 'int16', 32: 'int32', 64: 'int64' } as const)[bitpix]);
        assert.ok(hdu!.data!.data instanceof Float64Array, 'Float64Array');
        assert.deepEqual(Array.from(hdu!.data!.data), vals, `BITPIX ${bitpix}`);
      }
    }
  });

  test('float data into integer BITPIX: error within BSCALE/2, NaN via BLANK', () => {
    let seed = 7;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 15.8 - 3.7;
    const data = Float64Array.from(range(2 * 7 * 9, rnd));
    data[5] = NaN;
    data[6] = -3.7; // exact extremes
    data[7] = 12.1;
    for (const bitpix of [8, 16, 32, 64] as const) {
      const s = chooseIntScaling(data, bitpix);
      assert.equal(s.exact, false);
      assert.ok(s.blank !== undefined, 'BLANK chosen');
      const bytes = encodeFits(data, [2, 7, 9], { bitpix });
      const [hdu] = parseFits(bytes, 'q.fits');
      const h = hdu!.header;
      const bscale = findCard(h, 'BSCALE')!.value as number;
      assert.equal(bscale, s.bscale);
      assert.equal(findCard(h, 'BLANK')!.value, s.blank);
      const documented = (12.1 - -3.7) / (2 * (bitpix === 64 ? 2 ** 54 : 2 ** bitpix - 2));
      assert.ok(Math.abs(bscale / 2 - documented) <= documented * 1e-12, `BITPIX ${bitpix}: BSCALE ${bscale}`);
      const back = hdu!.data!.data;
      assert.deepEqual(hdu!.data!.shape, [2, 7, 9]);
      for (let i = 0; i < data.length; i++) {
        if (Number.isNaN(data[i])) assert.ok(Number.isNaN(back[i]), `element ${i} should be NaN`);
        else {
          const err = Math.abs(back[i]! - data[i]!);
          assert.ok(err <= bscale / 2 + 1e-14 * 16, `BITPIX ${bitpix} element ${i}: error ${err} > BSCALE/2 = ${bscale / 2}`);
        }
      }
    }
    throwsWith(() => encodeFits(Float64Array.from([1, Infinity]), [2], { bitpix: 16 }), InputError, 'BITPIX -32 or -64');
  });

  test('constant and all-NaN data into integer BITPIX', () => {
    const c = Float64Array.from([0.3, 0.3, 0.3]);
    const back = parseFits(encodeFits(c, [3], { bitpix: 16 }), 'c.fits')[0]!.data!.data;
    for (const v of back) assert.ok(Math.abs(v - 0.3) < 1e-9, `constant: ${v}`);
    const n = Float32Array.from([NaN, NaN]);
    const nb = parseFits(encodeFits(n, [2], { bitpix: 32 }), 'n.fits')[0]!.data!.data;
    assert.ok(Number.isNaN(nb[0]) && Number.isNaN(nb[1]), 'all NaN');
    // Integer data with NaN stay exact when the range leaves a code for BLANK.
    for (const [bitpix, vals] of [
      [8, [0, 254, NaN]],
      [16, [0, 65534, NaN, 7]],
    ] as const) {
      const d = Float64Array.from(vals);
      assert.equal(chooseIntScaling(d, bitpix).exact, true);
      const [hdu] = parseFits(encodeFits(d, [vals.length], { bitpix }), 'i.fits');
      assert.deepEqual(Array.from(hdu!.data!.data), vals);
    }
  });

  test('header layout: fixed format, 80 columns, blocks padded with spaces, data with zeros', () => {
    const bytes = encodeFits(Float32Array.from([1, 2, 3]), [3], {
      cards: [
        { key: 'object', value: "O'Brien's galaxy", comment: 'name with quotes' },
        { key: 'EXPTIME', value: 1.5 },
        { key: 'NITER', value: -42, comment: 'iterations' },
        { key: 'FLAG', value: false },
        { key: 'TINY', value: 1e-7 },
        { key: 'BIG', value: 6.02e23 },
        { key: 'LONGNUM', value: -1.2345678901234567e-100 },
        { key: 'NOVALUE', comment: 'undefined value' },
        { key: 'COMMENT', value: 'a comment card' },
        { key: 'BITPIX', value: 8 }, // structural: dropped
      ],
      history: ['first step'],
    });
    const lines = headerLines(bytes);
    assert.deepEqual(
      lines.slice(0, 5).map((l) => l.trimEnd()),
      [
        'SIMPLE  =                    T / conforms to FITS standard',
        'BITPIX  =                  -32 / array data type',
        'NAXIS   =                    1 / number of array dimensions',
        'NAXIS1  =                    3',
        'EXTEND  =                    T',
      ],
    );
    assert.equal(lines[5]!.trimEnd(), "OBJECT  = 'O''Brien''s galaxy' / name with quotes");
    assert.equal(lines[6]!.trimEnd(), 'EXPTIME =                  1.5');
    assert.equal(lines[7]!.trimEnd(), 'NITER   =                  -42 / iterations');
    assert.equal(lines[8]!.trimEnd(), 'FLAG    =                    F');
    assert.equal(lines[9]!.trimEnd(), 'TINY    =               1.0E-7');
    assert.equal(lines[10]!.trimEnd(), 'BIG     =             6.02E+23');
    assert.equal(lines[11]!.slice(10, 30).trim().length <= 20, true);
    assert.equal(lines[12]!.trimEnd(), 'NOVALUE =                      / undefined value');
    assert.equal(lines[13]!.trimEnd(), 'COMMENT a comment card');
    assert.equal(lines[14]!.trimEnd(), 'HISTORY first step');
    assert.equal(lines[15]!.trimEnd(), 'END');
    assert.equal(lines.length, 16);
    for (const l of lines) {
      assert.equal(l.length, 80);
      assert.match(l, /^[\x20-\x7e]{80}$/);
      assert.match(l.slice(0, 8), /^[A-Z0-9_-]* *$/);
    }
    assert.match(ascii(bytes, 16 * 80, 2880), /^ *$/);
    assert.equal(bytes.length, 2 * 2880);
    assert.ok(bytes.subarray(2880 + 12).every((b) => b === 0), 'data padding is zeros');

    const [hdu] = parseFits(bytes, 'cards.fits');
    const v = (k: string): unknown => findCard(hdu!.header, k)?.value;
    assert.equal(v('OBJECT'), "O'Brien's galaxy");
    assert.equal(findCard(hdu!.header, 'OBJECT')?.comment, 'name with quotes');
    assert.equal(v('EXPTIME'), 1.5);
    assert.equal(v('NITER'), -42);
    assert.equal(v('FLAG'), false);
    assert.equal(v('TINY'), 1e-7);
    assert.equal(v('BIG'), 6.02e23);
    assert.ok(Math.abs((v('LONGNUM') as number) / -1.2345678901234567e-100 - 1) < 1e-12, `LONGNUM ${v('LONGNUM')}`);
    assert.equal(v('NOVALUE'), undefined);
    assert.equal(v('HISTORY'), 'first step');
    assert.equal(hdu!.header.filter((c) => c.key === 'BITPIX').length, 1);
  });

  test('long strings are truncated to one card; embedded quotes are never split', () => {
    const long = "x'".repeat(50);
    const [line] = formatCard({ key: 'LONG', value: long, comment: 'dropped' });
    assert.equal(line!.length, 80);
    assert.equal(line!.slice(8, 11), "= '");
    assert.equal(line!.slice(77), "x' "); // 22 "x'" pairs and an 'x' = 67 columns; a 68th would split a ''
    assert.equal(parseCard(line!).value, long.slice(0, 45));
    const full = formatCard({ key: 'LONG', value: 'a'.repeat(100) })[0]!;
    assert.equal(full, `LONG    = '${'a'.repeat(68)}'`);
    assert.equal(parseCard(formatCard({ key: 'S', value: 'ab' })[0]!).value, 'ab');
    assert.equal(formatCard({ key: 'S', value: 'ab' })[0]!.trimEnd(), "S       = 'ab      '");
    assert.equal(parseCard(formatCard({ key: 'U', value: 'héllo' })[0]!).value, 'h?llo');
    throwsWith(() => formatCard({ key: 'TOOLONGKEY', value: 1 }), OptionError, 'TOOLONGKEY');
    throwsWith(() => formatCard({ key: 'NAN', value: NaN }), OptionError, 'NAN');
  });

  test('HISTORY text is wrapped over several cards at spaces', () => {
    const text = range(40, (i) => `word${i}`).join(' '); // ~270 characters
    const bytes = encodeFits(new Float64Array(4), [2, 2], { history: [text, 'short', 'x'.repeat(100)] });
    const [hdu] = parseFits(bytes, 'h.fits');
    const hist = hdu!.header.filter((c) => c.key === 'HISTORY').map((c) => String(c.value));
    assert.ok(hist.length >= 4 + 1 + 2, `${hist.length} HISTORY cards`);
    const lines = headerLines(bytes).filter((l) => l.startsWith('HISTORY '));
    for (const l of lines) assert.equal(l.length, 80);
    const n = hist.indexOf('short');
    assert.equal(hist.slice(0, n).join(' '), text);
    assert.equal(hist.slice(n + 1).join(''), 'x'.repeat(100));
  });

  test('multi-block headers (many cards)', () => {
    const cards: FitsCard[] = range(150, (i) => ({ key: `K${i}`, value: i % 3 === 0 ? `s${i}` : i % 3 === 1 ? i * 0.25 : i % 2 === 0, comment: `c${i}` }));
    const data = Float32Array.from(range(60, (i) => i - 30));
    const bytes = encodeFits(data, [3, 4, 5], { cards });
    assert.equal(bytes.length, 5 * 2880 + 2880); // 6+150+1 = 157 cards -> 5 header blocks, 1 data block
    const [hdu] = parseFits(bytes, 'many.fits');
    for (const c of cards) assert.deepEqual(findCard(hdu!.header, c.key), c);
    assertSameArray(hdu!.data!, { data, shape: [3, 4, 5], dtype: 'float32' });
  });

  test('IMAGE extensions are appended and read; readArray picks the first with data', async () => {
    const img = Float32Array.from(range(6));
    const bytes = new Uint8Array([
      ...encodeFits(new Float32Array(0), []),
      ...encodeFitsImageExtension(img, [2, 3], { extname: 'SCI' }),
      ...encodeFitsImageExtension(Float64Array.from([7, 8]), [2], { bitpix: 16 }),
    ]);
    const hdus = parseFits(bytes, 'ext.fits');
    assert.equal(hdus.length, 3);
    assert.equal(hdus[0]!.data, null);
    assert.equal(findCard(hdus[1]!.header, 'XTENSION')?.value, 'IMAGE');
    assert.equal(findCard(hdus[1]!.header, 'EXTNAME')?.value, 'SCI');
    assertSameArray(hdus[1]!.data!, { data: img, shape: [2, 3], dtype: 'float32' });
    assert.deepEqual(Array.from(hdus[2]!.data!.data), [7, 8]);
    const p = join(tmp, 'ext.fits');
    writeFileSync(p, bytes);
    assertSameArray(await readArray(p), { data: img, shape: [2, 3], dtype: 'float32' });
    assert.deepEqual(Array.from((await readArray(`${p}[2]`)).data), [7, 8]);
    await rejectsWith(readArray(`${p}[0]`), InputError, p, 'that HDU (primary) holds no image data');
    assert.deepEqual(Array.from((await readArray(`${p}[SCI]`)).data), Array.from(img));
    await rejectsWith(readArray(`${p}[SCI,2]`), InputError, 'no HDU named SCI with EXTVER 2');
    await rejectsWith(readArray(`${p}[3]`), InputError, p, 'no HDU 3');
  });

  test('extensions other than IMAGE are skipped using PCOUNT/GCOUNT (hand-made file)', async () => {
    const p = join(IOFIX, 'multi_ext.fits');
    const hdus = parseFits(readFileSync(p), 'multi_ext.fits');
    assert.equal(hdus.length, 3);
    assert.equal(hdus[1]!.data, null);
    assert.equal(findCard(hdus[1]!.header, 'XTENSION')?.value, 'BINTABLE');
    const img = hdus[2]!.data!;
    assert.equal(img.dtype, 'int16');
    assert.deepEqual(img.shape, [3, 4]);
    const expected = range(12, (i) => i * 5000);
    expected[1] = NaN; // BLANK
    assert.deepEqual(Array.from(img.data), expected);
    assert.equal(findCard(hdus[2]!.header, 'EXTNAME')?.value, "IMG'S");
    assert.deepEqual(Array.from((await readArray(p)).data), expected);
    await rejectsWith(readArray(`${p}[1]`), InputError, 'that HDU (BINTABLE) holds no image data');
  });

  test('fitsjs reads a float32 file we wrote (independent reader)', async () => {
    const shape = [3, 5, 7];
    const data = Float32Array.from(range(105, (i) => Math.sin(i) * 1e3 + i / 7));
    const p = join(tmp, 'for-fitsjs.fits');
    await writeArray(p, data, shape, { history: ['written for fitsjs'] });
    const FITS = loadFitsjs();
    const frames = await new Promise<Float32Array[]>((resolve, reject) => {
      new FITS(p, function (this: any) {
        try {
          const image = this.getDataUnit(0);
          assert.deepEqual([image.depth, image.height, image.width], shape);
          const out: Float32Array[] = [];
          image.getFrames(0, image.depth, (arr: Float32Array) => {
            out.push(arr);
            if (out.length === image.depth) resolve(out);
          });
        } catch (e) {
          reject(e);
        }
      });
    });
    const all = new Float32Array(105);
    frames.forEach((f, k) => {
      assert.equal((f as object).constructor.name, 'Float32Array');
      all.set(f, k * 35);
    });
    assert.deepEqual(Array.from(all), Array.from(data));
  });
});

/**
 * fitsjs 0.6.6 is browser code: feed it an XMLHttpRequest that reads local files, a
 * global-free `astro` namespace, and replace its Web-Worker frame decoder by a direct
 * call of the same function.
 */
function loadFitsjs(): any {
  const require = createRequire(import.meta.url);
  const src = readFileSync(require.resolve('fitsjs'), 'utf8');
  class LocalXhr {
    response: ArrayBuffer | null = null;
    status = 0;
    responseType = '';
    onload: (() => void) | null = null;
    private url = '';
    open(_method: string, url: string): void {
      this.url = url;
    }
    send(): void {
      setImmediate(() => {
        const b = readFileSync(this.url);
        this.response = b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
        this.status = 200;
        this.onload?.();
      });
    }
  }
  const astro: any = {};
  new Function('XMLHttpRequest', 'astro', 'window', src).call({ astro }, LocalXhr, astro, {});
  astro.FITS.Image.prototype._getFrameAsync = function (this: any, buffers: ArrayBuffer[], callback: unknown, opts: unknown) {
    this.invoke(callback, opts, this._getFrame(buffers[0], this.bitpix, this.bzero, this.bscale));
  };
  return astro.FITS;
}

describe('FITS binary tables: an astropy-written file (fixtures/io/make_table_fixture.py)', () => {
  const path = join(IOFIX, 'table.fits');
  test('a cell column with TDIM, a square one without, TZERO, TSCAL/TZERO/TNULL, strings', async () => {
    const stamp = await readArray(`${path}[STAMPS][STAMP]`);
    assert.deepEqual(stamp.shape, [3, 4, 5]);
    assert.equal(stamp.dtype, 'float32');
    for (let r = 0; r < 3; r++) for (let y = 0; y < 4; y++) for (let x = 0; x < 5; x++) {
      assert.equal(stamp.data[(r * 4 + y) * 5 + x], r * 100 + y * 10 + x);
    }
    const flat = await readArray(`${path}[1][flat]`);
    assert.deepEqual(flat.shape, [3, 3, 3]);
    assert.deepEqual(Array.from(flat.data), Array.from({ length: 27 }, (_, i) => Math.floor(i / 9) * 10 + (i % 9)));
    const [hdu] = parseFits(readFileSync(path), path).slice(1);
    assert.deepEqual(Array.from(readTableColumn(hdu!, 'U16', path).data), [0, 40000, 65535]);
    assert.deepEqual(Array.from(readTableColumn(hdu!, 'SCALED', path).data), [11, NaN, 13]);
    assert.deepEqual(readTableStrings(hdu!, 'OBJ_ID', path), ['a', 'bb', 'ccc']);
    assert.deepEqual(readTableStrings(hdu!, 'U16', path), ['0', '40000', '65535']);
    assert.deepEqual(await readIds(`${path}[STAMPS][OBJ_ID]`), ['a', 'bb', 'ccc']);
    await rejectsWith(readArray(`${path}[STAMPS][OBJ_ID]`), InputError, 'has type A, not a numeric array');
    await rejectsWith(readIds(`${path}[STAMPS][FLAT]`), InputError, 'holds 9 values per row');
  });
});

describe('FITS: bad input', () => {
  const good = encodeFits(Float32Array.from(range(24)), [2, 3, 4]);

  test('truncated data says expected vs actual bytes', () => {
    throwsWith(() => parseFits(good.subarray(0, 2880 + 50), 'cut.fits'), InputError, 'cut.fits', 'HDU 0', 'needs 96 data bytes', 'only 50 remain');
  });
  test('not FITS', () => {
    throwsWith(() => parseFits(fixture('io/f8_2x2.npy'), 'x.fits'), InputError, 'x.fits', 'not a FITS file');
    throwsWith(() => parseFits(new Uint8Array(0), 'empty.fits'), InputError, 'empty.fits', 'not a FITS file');
    throwsWith(() => parseFits(patchCard(good, 'SIMPLE', 'SIMPLE  =                    F'), 's.fits'), InputError, 's.fits', 'SIMPLE');
  });
  test('header without END', () => {
    const noEnd = patchCard(good, 'END', 'COMMENT no end here');
    throwsWith(() => parseFits(noEnd, 'noend.fits'), InputError, 'noend.fits', 'no END card');
    throwsWith(() => parseFits(good.subarray(0, 400), 'short.fits'), InputError, 'short.fits', 'no END card');
  });
  test('unsupported BITPIX', () => {
    const bad = patchCard(good, 'BITPIX', 'BITPIX  =                   12');
    throwsWith(() => parseFits(bad, 'b.fits'), InputError, 'b.fits', 'unsupported BITPIX = 12', 'HDU 0');
  });
  test('NAXIS > 3, empty or negative axes, missing keywords', () => {
    const four = patchCard(patchCard(good, 'NAXIS', 'NAXIS   =                    4'), 'EXTEND', 'NAXIS4  =                    1');
    throwsWith(() => parseFits(four, 'four.fits'), InputError, 'four.fits', 'NAXIS = 4');
    throwsWith(() => parseFits(patchCard(good, 'NAXIS2', 'NAXIS2  =                    0'), 'z.fits'), InputError, 'z.fits', 'NAXIS2 = 0');
    throwsWith(() => parseFits(patchCard(good, 'NAXIS2', 'NAXIS2  =                   -3'), 'n.fits'), InputError, 'n.fits', 'NAXIS2 = -3');
    throwsWith(() => parseFits(patchCard(good, 'NAXIS3', 'COMMENT'), 'm.fits'), InputError, 'm.fits', 'NAXIS3 is missing');
  });
  test('bad extension after a good primary names the HDU', () => {
    const ext = encodeFitsImageExtension(Float64Array.from([1, 2]), [2]);
    const both = new Uint8Array([...good, ...ext]);
    throwsWith(() => parseFits(both.subarray(0, both.length - 2880), 'e.fits'), InputError, 'e.fits', 'HDU 1', 'needs 16 data bytes');
  });
  test('encoder rejects bad shapes as caller bugs', () => {
    assert.throws(() => encodeFits(new Float32Array(5), [2, 3]), RangeError);
    assert.throws(() => encodeFits(new Float32Array(16), [2, 2, 2, 2]), RangeError);
  });
});

describe('.npy', () => {
  test('encodeNpy writes exactly what numpy.save writes', () => {
    const cases: [string, Float32Array | Float64Array, number[]][] = [
      ['f8_2x2.npy', Float64Array.from([0, 1, 2, 3]), [2, 2]],
      ['f4_3x1x2.npy', Float32Array.from(range(6, (i) => i - 2.5)), [3, 1, 2]],
      ['f8_1d.npy', Float64Array.from([0, 1, 2]), [3]],
    ];
    for (const [f, data, shape] of cases) assert.deepEqual(encodeNpy(data, shape), new Uint8Array(fixture(`io/${f}`)), f);
  });

  test('f4/f8 round trip, including 0-d and empty arrays', () => {
    for (const [data, shape] of [
      [Float32Array.from([1.5, NaN, -Infinity, 3e-45]), [2, 2]],
      [Float64Array.from(range(30, (i) => i / 3)), [2, 3, 5]],
      [Float64Array.from([42]), []],
      [new Float32Array(0), [0, 3]],
    ] as const) {
      const bytes = encodeNpy(data, shape as unknown as number[]);
      assert.equal((bytes[8]! | (bytes[9]! << 8)) + 10, 64 * Math.ceil(((bytes[8]! | (bytes[9]! << 8)) + 10) / 64));
      const back = parseNpy(bytes, 'rt.npy');
      assertSameArray(back, { data, shape: shape as unknown as number[], dtype: data instanceof Float32Array ? 'float32' : 'float64' });
    }
  });

  test('reads numpy-written integer, big-endian, Fortran-order and v2/v3 files', () => {
    const read = (f: string): NdArray => parseNpy(fixture(`io/${f}`), f);
    const check = (f: string, dtype: string, shape: number[], values: number[], cls: Function = Float64Array): void => {
      const a = read(f);
      assert.equal(a.dtype, dtype, f);
      assert.deepEqual(a.shape, shape, f);
      assert.ok(a.data instanceof cls, `${f}: ${a.data.constructor.name}`);
      assert.deepEqual(Array.from(a.data), values, f);
    };
    check('i2.npy', 'int16', [3, 4], range(12, (i) => (i - 6) * 1000));
    check('u1.npy', 'uint8', [5], [0, 1, 127, 128, 255]);
    check('i4_be.npy', 'int32', [2, 2, 3], range(12, (i) => i - 6));
    check('i8.npy', 'int64', [5], [-(2 ** 40), -1, 0, 2 ** 53, 7]);
    check('f4_be.npy', 'float32', [2, 3], range(6, (i) => i * 0.5 - 1), Float32Array);
    check('f8_be.npy', 'float64', [5], range(5, (i) => i * 0.1), Float64Array);
    check('f4_fortran.npy', 'float32', [2, 3, 4], range(24), Float32Array);
    check('f8_be_fortran.npy', 'float64', [2, 3], range(6), Float64Array);
    check('f8_v2.npy', 'float64', [2, 2], [0, 1, 2, 3]);
    check('f8_v3.npy', 'float64', [2, 2], [0, 1, 2, 3]);
    check('f8_scalar.npy', 'float64', [], [2.5]);
  });

  test('the reference data read as documented (old 16-byte-aligned header, 4-d)', async () => {
    const psf = parseNpy(fixture('example/example_psfs.npy'), 'example_psfs.npy');
    assert.equal(psf.data.byteOffset, 0);
    assert.ok(psf.data instanceof Float32Array, 'psf type');
    const dual = await readArray(join(FIX, 'example/reference/iter1_dual_first10.npy'));
    assert.deepEqual(dual.shape, [10, 3, 41, 41]);
  });

  test('fortranToC on a 4-d array', () => {
    const shape = [2, 3, 1, 4];
    // Fortran layout: element (a,b,c,d) at a + 2*(b + 3*(c + 1*d)); value = its C index.
    const f = new Float64Array(24);
    for (let a = 0; a < 2; a++)
      for (let b = 0; b < 3; b++)
        for (let d = 0; d < 4; d++) f[a + 2 * (b + 3 * d)] = ((a * 3 + b) * 1 + 0) * 4 + d;
    assert.deepEqual(Array.from(fortranToC(f, shape)), range(24));
  });

  test('bad .npy input', () => {
    const good = encodeNpy(Float64Array.from([1, 2, 3, 4]), [2, 2]);
    throwsWith(() => parseNpy(encodeFits(new Float32Array(1), [1]), 'x.npy'), InputError, 'x.npy', 'not a .npy file');
    const v4 = good.slice();
    v4[6] = 4;
    throwsWith(() => parseNpy(v4, 'v.npy'), InputError, 'v.npy', 'version 4.0');
    for (const [f, what] of [
      ['bool.npy', "bool dtype '|b1'"],
      ['c8.npy', "complex dtype '<c8'"],
      ['unicode.npy', 'unicode string dtype'],
      ['structured.npy', 'structured dtype'],
    ]) {
      throwsWith(() => parseNpy(fixture(`io/${f}`), f), InputError, f, what);
    }
    const garbled = good.slice();
    garbled[10] = '!'.charCodeAt(0); // the dict literal's '{'
    throwsWith(() => parseNpy(garbled, 'g.npy'), InputError, 'g.npy', 'cannot parse the .npy header');
    throwsWith(() => parseNpy(good.subarray(0, good.length - 8), 't.npy'), InputError, 't.npy', 'needs 32 bytes', 'has 24');
    throwsWith(() => parseNpy(good.subarray(0, 40), 'h.npy'), InputError, 'h.npy', 'truncated .npy header');
  });
});

describe('readArray / writeArray / formatOf', () => {
  test('formatOf', () => {
    assert.equal(formatOf('a/b.FITS'), 'fits');
    assert.equal(formatOf('b.fit'), 'fits');
    assert.equal(formatOf('b.Fts'), 'fits');
    assert.equal(formatOf('b.npy'), 'npy');
    throwsWith(() => formatOf('x.fits.gz'), OptionError, 'x.fits.gz', 'compressed FITS not supported, gunzip first');
    throwsWith(() => formatOf('data/x.txt'), OptionError, 'data/x.txt', '.fits, .fit, .fts or .npy');
    throwsWith(() => formatOf('x.npz'), OptionError, 'x.npz');
  });

  test('read errors: missing file, directory, bad extension', async () => {
    await rejectsWith(readArray(join(tmp, 'missing.fits')), FileError, 'missing.fits', 'no such file');
    const dir = join(tmp, 'adir.npy');
    rmSync(dir, { recursive: true, force: true });
    (await import('node:fs')).mkdirSync(dir);
    await rejectsWith(readArray(dir), FileError, 'adir.npy', 'is a directory');
    await rejectsWith(readArray(join(tmp, 'x.csv')), InputError, 'x.csv');
    await rejectsWith(readArray(join(FIX, 'example/example_psfs.npy') + '[1]'), InputError, 'unknown file type');
    throwsWith(() => formatOf('x.fits.gz', 'read'), InputError, 'x.fits.gz', 'gunzip first');
  });

  test('write: refuse existing, overwrite, missing directory, no temp files left', async () => {
    const dir = mkdtempSync(join(tmp, 'w-'));
    const p = join(dir, 'out.npy');
    const a = Float64Array.from([1, 2, 3, 4, 5, 6]);
    await writeArray(p, a, [2, 3]);
    assertSameArray(await readArray(p), { data: a, shape: [2, 3], dtype: 'float64' });
    await rejectsWith(writeArray(p, a, [2, 3]), FileError, p, 'already exists', '--overwrite');
    const b = Float32Array.from([9, 8]);
    await writeArray(p, b, [2], { overwrite: true });
    assertSameArray(await readArray(p), { data: b, shape: [2], dtype: 'float32' });
    const fp = join(dir, 'out.fits');
    await writeArray(fp, b, [1, 2], { cards: [{ key: 'ORIGIN', value: 'galdecon' }], history: ['test'] });
    assertSameArray(await readArray(fp), { data: b, shape: [1, 2], dtype: 'float32' });
    await rejectsWith(writeArray(join(dir, 'nodir', 'x.fits'), b, [2]), FileError, 'nodir', 'does not exist');
    await rejectsWith(writeArray(dir + '/', b, [2]), OptionError);
    (await import('node:fs')).mkdirSync(join(dir, 'sub.fits'));
    await rejectsWith(writeArray(join(dir, 'sub.fits'), b, [2], { overwrite: true }), FileError, 'is a directory');
    assert.deepEqual(readdirSync(dir).sort(), ['out.fits', 'out.npy', 'sub.fits']);
  });

  test('requireWritable and writeTextAtomic', async () => {
    const dir = mkdtempSync(join(tmp, 't-'));
    const p = join(dir, 'report.json');
    await requireWritable(p);
    await writeTextAtomic(p, '{"a": 1}\n');
    assert.equal(readFileSync(p, 'utf8'), '{"a": 1}\n');
    await rejectsWith(requireWritable(p), FileError, p, 'already exists');
    await requireWritable(p, true);
    await rejectsWith(writeTextAtomic(p, 'x'), FileError, 'already exists');
    await writeTextAtomic(p, 'é', true);
    assert.equal(readFileSync(p, 'utf8'), 'é');
    await rejectsWith(requireWritable(join(dir, 'no', 'r.json')), FileError, 'does not exist');
    await rejectsWith(requireWritable(dir, true), FileError, 'is a directory');
    assert.deepEqual(readdirSync(dir), ['report.json']);
  });

  test('a 10000 x 41 x 41 cube writes and reads in well under a few seconds (sanity bound)', async (t) => {
    const shape = [10000, 41, 41];
    const n = 10000 * 41 * 41;
    for (const Ctor of [Float32Array, Float64Array]) {
      const data = new Ctor(n);
      for (let i = 0; i < n; i++) data[i] = (i % 9973) * 0.125 - 7;
      for (const ext of ['fits', 'npy']) {
        const p = join(tmp, `big.${ext}`);
        const t0 = performance.now();
        await writeArray(p, data, shape, { overwrite: true });
        const t1 = performance.now();
        const back = await readArray(p);
        const t2 = performance.now();
        t.diagnostic(`${Ctor.name} .${ext}: write ${(t1 - t0).toFixed(0)} ms, read ${(t2 - t1).toFixed(0)} ms`);
        assert.equal(back.data.length, n);
        assert.equal(back.data[n - 1], data[n - 1]);
        assert.equal(back.data[12345], data[12345]);
        assert.ok(t1 - t0 < 3000 && t2 - t1 < 3000, `too slow: write ${t1 - t0} ms, read ${t2 - t1} ms`);
        rmSync(p);
      }
    }
  });
});
