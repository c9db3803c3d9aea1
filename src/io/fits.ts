/**
 * Minimal FITS image reader and writer (FITS Standard 4.0 subset).
 *
 * Reads: the primary HDU and IMAGE extensions with BITPIX 8/16/32/64/-32/-64 and NAXIS
 * 0..3; other extensions (BINTABLE, TABLE, ...) are listed with their header and
 * `data: null`, and skipped using PCOUNT/GCOUNT. BSCALE/BZERO are applied (physical
 * values), BLANK of integer images becomes NaN. Shapes are returned in C order
 * `[NAXIS3, NAXIS2, NAXIS1]`.
 *
 * Writes: a primary HDU (and, with `encodeFitsImageExtension`, IMAGE extensions to
 * append to it) with standard-conformant fixed-format cards.
 *
 * Quantisation when writing float data with an integer BITPIX: see `chooseIntScaling`.
 */
import { InputError, OptionError } from '../errors.ts';
import { checkShape, decodeElements, sizeOf, swapBytesInPlace, HOST_LITTLE_ENDIAN, type DType, type NdArray } from './ndarray.ts';

export const BLOCK = 2880;
const CARD = 80;

export type Bitpix = 8 | 16 | 32 | 64 | -32 | -64;

export interface FitsCard {
  key: string;
  /** Commentary cards (COMMENT, HISTORY, blank key) carry their text here. */
  value?: string | number | boolean;
  comment?: string;
}

export interface FitsHdu {
  header: FitsCard[];
  /** Image data (physical values); null for NAXIS = 0 and for non-image extensions. */
  data: NdArray | null;
  /** BINTABLE extensions: the raw rows (NAXIS2 rows of NAXIS1 bytes), read with fits-table.ts. */
  table?: Uint8Array;
}

const BITPIX_DTYPE: Record<string, DType> = {
  '8': 'uint8',
  '16': 'int16',
  '32': 'int32',
  '64': 'int64',
  '-32': 'float32',
  '-64': 'float64',
};

const COMMENTARY = new Set(['COMMENT', 'HISTORY', '']);

/** Keywords the writer sets itself; given in `cards` they are dropped. */
const STRUCTURAL = /^(SIMPLE|XTENSION|BITPIX|NAXIS\d*|EXTEND|PCOUNT|GCOUNT|GROUPS|BSCALE|BZERO|BLANK|END)$/;

// ---------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------

/** First card with this key (keys are compared upper-case), or undefined. */
export function findCard(header: readonly FitsCard[], key: string): FitsCard | undefined {
  const k = key.toUpperCase();
  return header.find((c) => c.key === k);
}

/** Parses one 80-character card image. */
export function parseCard(line: string): FitsCard {
  const key = line.slice(0, 8).trimEnd();
  if (COMMENTARY.has(key) || line.slice(8, 10) !== '= ') {
    // Commentary card (or a keyword without value indicator): the text after col 8.
    const text = line.slice(8).trimEnd();
    return text ? { key, value: text } : { key };
  }
  const rest = line.slice(10);
  let i = 0;
  while (i < rest.length && rest[i] === ' ') i++;
  let value: string | number | boolean | undefined;
  let after: string;
  if (rest[i] === "'") {
    let s = '';
    let j = i + 1;
    for (; j < rest.length; j++) {
      if (rest[j] === "'") {
        if (rest[j + 1] === "'") {
          s += "'";
          j++;
        } else break;
      } else s += rest[j];
    }
    value = s.trimEnd(); // trailing blanks in FITS strings are not significant
    after = rest.slice(j + 1);
  } else {
    const slash = rest.indexOf('/', i);
    const text = (slash < 0 ? rest.slice(i) : rest.slice(i, slash)).trim();
    after = slash < 0 ? '' : rest.slice(slash);
    if (text === '') value = undefined;
    else if (text === 'T') value = true;
    else if (text === 'F') value = false;
    else if (/^[+-]?\d+$/.test(text)) value = Number(text);
    else if (/^[+-]?(\d+\.?\d*|\.\d+)([EeDd][+-]?\d+)?$/.test(text)) value = Number(text.replace(/[Dd]/, 'E'));
    else value = text; // complex or malformed: keep the text
  }
  const slash = after.indexOf('/');
  const comment = slash < 0 ? '' : after.slice(slash + 1).trim();
  const card: FitsCard = { key };
  if (value !== undefined) card.value = value;
  if (comment) card.comment = comment;
  return card;
}

function cardText(buf: Uint8Array, at: number): string {
  return String.fromCharCode(...buf.subarray(at, at + CARD));
}

/**
 * Parses every HDU of a FITS file. `name` (usually the file name) is used in error
 * messages. Image HDUs get their data decoded; other extensions get `data: null`.
 */
export function parseFits(buf: Uint8Array, name: string): FitsHdu[] {
  const first = buf.length >= 10 ? String.fromCharCode(...buf.subarray(0, 10)) : '';
  if (first !== 'SIMPLE  = ') {
    throw new InputError(`${name}: not a FITS file (the first card is not 'SIMPLE  = T'); expected a FITS image (.fits/.fit/.fts)`);
  }
  const hdus: FitsHdu[] = [];
  let offset = 0;
  while (offset < buf.length) {
    const idx = hdus.length;
    if (idx > 0) {
      // Anything after the last HDU that is not an extension header is ignored
      // (astropy does the same, with a warning): padding, garbage, a short tail.
      if (buf.length - offset < CARD || String.fromCharCode(...buf.subarray(offset, offset + 10)) !== 'XTENSION= ') break;
    }
    // Header: 80-character cards up to END, in 2880-byte blocks.
    const header: FitsCard[] = [];
    let pos = offset;
    let ended = false;
    for (; pos + CARD <= buf.length; pos += CARD) {
      const line = cardText(buf, pos);
      if (line.startsWith('END     ')) {
        ended = true;
        pos += CARD;
        break;
      }
      header.push(parseCard(line));
    }
    if (!ended) {
      throw new InputError(
        `${name}: header of HDU ${idx} has no END card before the end of the file (${buf.length} bytes); the file is truncated or not FITS`,
      );
    }
    const dataStart = offset + Math.ceil((pos - offset) / BLOCK) * BLOCK;
    const where = `HDU ${idx} of ${name}`;
    const h = new Map<string, FitsCard>();
    for (const c of header) if (!h.has(c.key)) h.set(c.key, c);
    const intKey = (key: string, def?: number): number => {
      const v = h.get(key)?.value;
      if (v === undefined && def !== undefined) return def;
      if (typeof v !== 'number' || !Number.isInteger(v)) {
        throw new InputError(`${name}: ${key} is ${v === undefined ? 'missing' : `not an integer (${JSON.stringify(v)})`} in HDU ${idx}; the header is not valid FITS`);
      }
      return v;
    };
    const numKey = (key: string, def: number): number => {
      const v = h.get(key)?.value;
      if (v === undefined) return def;
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new InputError(`${name}: ${key} = ${JSON.stringify(v)} is not a number in HDU ${idx}; fix or remove that card`);
      }
      return v;
    };

    const xtension = idx === 0 ? null : String(h.get('XTENSION')?.value ?? '').trim().toUpperCase();
    if (idx === 0 && h.get('SIMPLE')?.value !== true) {
      throw new InputError(`${name}: SIMPLE is not T: the file says it does not conform to the FITS standard`);
    }
    const isImage = idx === 0 || xtension === 'IMAGE';
    const bitpix = intKey('BITPIX');
    if (!(String(bitpix) in BITPIX_DTYPE)) {
      throw new InputError(`${name}: unsupported BITPIX = ${bitpix} in HDU ${idx} (expected 8, 16, 32, 64, -32 or -64)`);
    }
    const naxis = intKey('NAXIS');
    if (naxis < 0 || naxis > 999) throw new InputError(`${name}: invalid NAXIS = ${naxis} in HDU ${idx} (must be 0..999)`);
    const axes: number[] = [];
    for (let k = 1; k <= naxis; k++) {
      const n = intKey(`NAXIS${k}`);
      if (n < 0) throw new InputError(`${name}: NAXIS${k} = ${n} is negative in HDU ${idx}`);
      axes.push(n);
    }
    if (idx === 0 && naxis > 0 && axes[0] === 0 && h.get('GROUPS')?.value === true) {
      throw new InputError(`${name}: random-groups FITS (GROUPS = T) is not supported; convert it to an image or table`);
    }
    const pcount = idx === 0 ? 0 : intKey('PCOUNT', 0);
    const gcount = idx === 0 ? 1 : intKey('GCOUNT', 1);
    const nElem = naxis === 0 ? 0 : sizeOf(axes);
    const dataBytes = (Math.abs(bitpix) / 8) * gcount * (pcount + nElem);
    const avail = Math.max(0, buf.length - dataStart);
    if (dataBytes > avail) {
      throw new InputError(
        `${name}: truncated: ${where} needs ${dataBytes} data bytes but only ${avail} remain after its header (file is ${buf.length} bytes); re-copy or re-create the file`,
      );
    }

    let data: NdArray | null = null;
    if (isImage && naxis > 0) {
      if (naxis > 3) {
        throw new InputError(`${name}: NAXIS = ${naxis} in HDU ${idx}: only 1- to 3-dimensional images are supported; reshape it to (N, ny, nx)`);
      }
      const bad = axes.findIndex((n) => n < 1);
      if (bad >= 0) {
        throw new InputError(`${name}: NAXIS${bad + 1} = ${axes[bad]} in HDU ${idx}: every image axis must be at least 1`);
      }
      const dtype = BITPIX_DTYPE[String(bitpix)]!;
      const bscale = numKey('BSCALE', 1);
      const bzero = numKey('BZERO', 0);
      const blankCard = bitpix > 0 ? h.get('BLANK')?.value : undefined;
      const blank = typeof blankCard === 'number' ? blankCard : undefined;
      const values = scaleImage(decodeElements(buf, dataStart, nElem, dtype, false), { bitpix, bscale, bzero, blank });
      data = { data: values, shape: axes.slice().reverse(), dtype };
    }
    const hdu: FitsHdu = { header, data };
    if (!isImage && h.get('XTENSION')?.value === 'BINTABLE' && naxis === 2) {
      hdu.table = buf.subarray(dataStart, dataStart + axes[0] * axes[1]);
    }
    hdus.push(hdu);
    offset = dataStart + Math.ceil(dataBytes / BLOCK) * BLOCK;
  }
  return hdus;
}

/** How an image HDU's stored values map to physical ones. */
export interface ImageScaling {
  bitpix: number;
  bscale: number;
  bzero: number;
  /** Stored value of NaN pixels (integer images). */
  blank?: number;
}

/**
 * Stored values (as decoded) → physical values: v · BSCALE + BZERO, BLANK → NaN. Float
 * images are returned as they are when unscaled, else scaled into a new Float64Array;
 * integer images (already a Float64Array of ours) are scaled in place.
 */
export function scaleImage(values: Float32Array | Float64Array, s: ImageScaling): Float32Array | Float64Array {
  const { bitpix, bscale, bzero, blank } = s;
  const n = values.length;
  if (bitpix < 0 && (bscale !== 1 || bzero !== 0)) {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = values[i]! * bscale + bzero;
    return out;
  }
  if (bitpix > 0 && (bscale !== 1 || bzero !== 0 || blank !== undefined)) {
    const b = blank ?? NaN; // NaN never equals: no blank test
    for (let i = 0; i < n; i++) {
      const r = values[i]!;
      values[i] = r === b ? NaN : r * bscale + bzero;
    }
  }
  return values;
}

// ---------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------

function ascii(s: string): string {
  return s.replace(/\t/g, ' ').replace(/[^\x20-\x7e]/g, '?');
}

/**
 * Formats a number for a FITS value field (at most 20 characters, right-justified by
 * the caller). Integers are written as integers; other values as the shortest decimal
 * that reads back to the same double, with 'E' exponents, shortened if longer than 20
 * characters (then precision drops to what fits: at least 13 significant digits).
 */
export function formatFitsNumber(v: number, key = 'value'): string {
  if (!Number.isFinite(v)) throw new OptionError(`FITS card ${key}: ${v} cannot be written in a FITS header; use a finite number`);
  if (Number.isInteger(v)) {
    const s = Math.abs(v) >= 2 ** 53 ? BigInt(v).toString() : String(v);
    if (s.length <= 20) return s;
  }
  const norm = (t: string): string => {
    const [mant, exp] = t.split('e') as [string, string | undefined];
    const m = mant.includes('.') ? mant : `${mant}.0`;
    return exp === undefined ? m : `${m}E${exp}`;
  };
  let s = norm(String(v));
  for (let p = 16; s.length > 20 && p > 0; p--) s = norm(v.toExponential(p));
  return s;
}

function quoteString(v: string, maxInner: number): string {
  let inner = '';
  let len = 0;
  for (const ch of ascii(v)) {
    const add = ch === "'" ? 2 : 1;
    if (len + add > maxInner) break;
    inner += ch === "'" ? "''" : ch;
    len += add;
  }
  return `'${inner.padEnd(8)}'`;
}

/** Splits commentary text into pieces of at most `width` characters, at spaces when possible. */
export function wrapText(text: string, width = 72): string[] {
  const out: string[] = [];
  for (const para of ascii(text.replace(/\r/g, '')).split('\n')) {
    let rest = para;
    if (rest === '') {
      out.push('');
      continue;
    }
    while (rest.length > width) {
      let cut = rest.lastIndexOf(' ', width);
      if (cut <= 0) cut = width;
      out.push(rest.slice(0, cut));
      rest = rest.slice(cut).replace(/^ /, '');
    }
    out.push(rest);
  }
  return out;
}

/**
 * Formats one card as 80-character card images (several for long commentary text).
 * Keys are upper-cased; a key must be 0..8 characters of A-Z 0-9 _ -. Strings are
 * quoted from column 11 with `'` doubled, padded to at least 8 characters and truncated
 * to fit the card; numbers and logicals are right-justified in columns 11-30; the
 * comment follows ` / ` and is truncated at column 80. Non-ASCII characters become '?'.
 */
export function formatCard(card: FitsCard): string[] {
  const key = card.key.trim().toUpperCase();
  if (!/^[A-Z0-9_-]{0,8}$/.test(key)) {
    throw new OptionError(`FITS card key ${JSON.stringify(card.key)} is invalid: use at most 8 characters from A-Z, 0-9, '_' and '-'`);
  }
  if (COMMENTARY.has(key)) {
    const text = String(card.value ?? card.comment ?? '');
    return wrapText(text).map((t) => key.padEnd(8) + t.padEnd(72));
  }
  let line = `${key.padEnd(8)}= `;
  const v = card.value;
  if (typeof v === 'string') line += quoteString(v, 68);
  else if (typeof v === 'boolean') line += (v ? 'T' : 'F').padStart(20);
  else if (typeof v === 'number') line += formatFitsNumber(v, key).padStart(20);
  else line += ' '.repeat(20);
  if (line.length < 30) line = line.padEnd(30);
  if (card.comment && line.length <= CARD - 4) line += ` / ${ascii(card.comment)}`;
  return [line.slice(0, CARD).padEnd(CARD)];
}

/** Integer scaling chosen for writing data with an integer BITPIX. */
export interface IntScaling {
  bscale: number;
  bzero: number;
  /** Stored value that marks NaN pixels (written as BLANK), if any pixel is NaN. */
  blank?: number;
  /** Range of stored values used for data (BLANK excluded). */
  min: number;
  max: number;
  /** True when every finite value is stored exactly (integer data within range). */
  exact: boolean;
}

const INT_RANGE: Record<number, [number, number, number]> = {
  // [min stored, max stored, conventional BZERO for the unsigned/signed variant]
  8: [0, 255, -128],
  16: [-32768, 32767, 32768],
  32: [-2147483648, 2147483647, 2147483648],
  64: [-(2 ** 63), 2 ** 63 - 1024, 2 ** 63], // 2^63-1024: largest double below 2^63
};

/**
 * Chooses BSCALE/BZERO (and BLANK) for storing `data` with integer `bitpix`.
 *
 * - Integer data whose range fits the stored type are stored exactly with BSCALE = 1:
 *   BZERO = 0 if they fit as they are, else the standard offset (BITPIX 8: -128 for
 *   signed bytes; 16: 32768, 32: 2^31 for unsigned), else BZERO = min - (lowest stored
 *   value). For BITPIX 64, exact storage needs |values| <= 2^63 with BZERO = 0.
 * - Anything else (fractional values, or a range too wide) is quantised linearly so
 *   that [min, max] spans the stored range: `physical = BZERO + BSCALE * stored`, with
 *   BSCALE and BZERO exactly as written in the header. The error is at most BSCALE / 2
 *   (plus float64 rounding), BSCALE = (max - min) / L with L = 2^BITPIX - 1 (2^BITPIX - 2
 *   when a BLANK code is reserved) for BITPIX 8/16/32; for BITPIX 64 the stored range is
 *   limited to ±2^53 so stored values stay exact doubles (L = 2^54, or 2^54 - 1).
 *   E.g. BITPIX 16 over [0, 1]: error <= 7.6e-6; BITPIX 8: <= 2.0e-3.
 * - NaN pixels are stored as BLANK, a stored code kept out of the data range: the type
 *   minimum (-2^53 for BITPIX 64 when quantising), but 255 for BITPIX 8 (astropy 5.2
 *   ignores BLANK = 0). Infinite values cannot be stored (InputError).
 */
export function chooseIntScaling(data: Float32Array | Float64Array, bitpix: 8 | 16 | 32 | 64): IntScaling {
  const [smin, smax, conv] = INT_RANGE[bitpix]!;
  let dmin = Infinity;
  let dmax = -Infinity;
  let hasNaN = false;
  let allInt = true;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v !== v) {
      hasNaN = true;
      continue;
    }
    if (v === Infinity || v === -Infinity) {
      throw new InputError(`cannot store infinite values with BITPIX ${bitpix} (element ${i}); write with BITPIX -32 or -64`);
    }
    if (v < dmin) dmin = v;
    if (v > dmax) dmax = v;
    if (allInt && Math.floor(v) !== v) allInt = false;
  }
  // BLANK code: the type minimum, except for BITPIX 8 where the minimum is 0 and
  // astropy (5.x) ignores BLANK = 0: there it is 255.
  const top = hasNaN && bitpix === 8;
  const lo = hasNaN && !top ? smin + 1 : smin;
  const hi = top ? smax - 1 : smax;
  const blank = hasNaN ? { blank: top ? smax : smin } : {};
  if (dmin > dmax) return { bscale: 1, bzero: 0, ...blank, min: lo, max: hi, exact: true }; // no finite value
  if (allInt && dmax - dmin <= hi - lo) {
    const ok = (z: number): boolean => dmin - z >= lo && dmax - z <= hi;
    const safe = dmin >= -(2 ** 53) && dmax <= 2 ** 53; // v - z exact
    const bzero = ok(0) ? 0 : safe && ok(conv) ? conv : safe && ok(dmin - lo) ? dmin - lo : undefined;
    if (bzero !== undefined) return { bscale: 1, bzero, ...blank, min: lo, max: hi, exact: true };
  }
  // Linear scaling over [dmin, dmax]; BSCALE and BZERO as they will read back.
  const [qmin, qmax] = bitpix === 64 ? [-(2 ** 53) + (hasNaN ? 1 : 0), 2 ** 53] : [lo, hi];
  const blank2 = hasNaN ? { blank: bitpix === 64 ? qmin - 1 : blank.blank } : {};
  let bscale = dmax > dmin ? (dmax - dmin) / (qmax - qmin) : 1;
  bscale = Number(formatFitsNumber(bscale));
  const bzero = Number(formatFitsNumber(dmin - bscale * qmin));
  return { bscale, bzero, ...blank2, min: qmin, max: qmax, exact: false };
}

export interface EncodeFitsOptions {
  /** Default: -32 for Float32Array, -64 for Float64Array. */
  bitpix?: Bitpix;
  /** Extra header cards, after the structural ones. Structural keywords are dropped. */
  cards?: FitsCard[];
  /** HISTORY lines; long lines are wrapped over several cards. */
  history?: string[];
}

/**
 * Encodes a primary HDU holding `data` (C order, `shape` = [NAXIS3, NAXIS2, NAXIS1],
 * 1 to 3 axes; `[]` with empty data gives a data-less primary HDU, NAXIS = 0).
 */
export function encodeFits(data: Float32Array | Float64Array, shape: number[], opts: EncodeFitsOptions = {}): Uint8Array {
  return encodeHdu(data, shape, opts, true);
}

/** Encodes an IMAGE extension HDU, to be appended to the bytes of `encodeFits`. */
export function encodeFitsImageExtension(
  data: Float32Array | Float64Array,
  shape: number[],
  opts: EncodeFitsOptions & { extname?: string } = {},
): Uint8Array {
  const cards = opts.extname === undefined ? opts.cards : [{ key: 'EXTNAME', value: opts.extname, comment: 'extension name' }, ...(opts.cards ?? [])];
  return encodeHdu(data, shape, { ...opts, cards }, false);
}

function encodeHdu(data: Float32Array | Float64Array, shape: number[], opts: EncodeFitsOptions, primary: boolean): Uint8Array {
  if (shape.length > 0) checkShape(shape, data.length, 'encodeFits');
  if (shape.length > 3 || (shape.length === 0 && data.length !== 0)) {
    throw new RangeError(`encodeFits: shape [${shape.join(', ')}] is not supported: use 1 to 3 axes`);
  }
  if (shape.some((d) => d < 1)) throw new RangeError(`encodeFits: shape [${shape.join(', ')}] has an empty axis`);
  const bitpix: Bitpix = opts.bitpix ?? (data instanceof Float32Array ? -32 : -64);
  if (!(String(bitpix) in BITPIX_DTYPE)) throw new OptionError(`unsupported BITPIX ${bitpix}: use 8, 16, 32, 64, -32 or -64`);
  const scaling = bitpix > 0 && data.length > 0 ? chooseIntScaling(data, bitpix as 8 | 16 | 32 | 64) : undefined;

  const cards = hduCards(shape, bitpix, opts, primary, scaling);
  const header = headerBytes(cards);
  const headerLen = header.length;
  const n = data.length;
  const width = Math.abs(bitpix) / 8;
  const dataLen = Math.ceil((n * width) / BLOCK) * BLOCK;
  const out = new Uint8Array(headerLen + dataLen); // data padding: zeros
  out.set(header);

  if (n === 0) return out;
  const ab = out.buffer;
  const at = headerLen; // multiple of 2880, hence of 8: views are aligned
  switch (bitpix) {
    case -32:
      new Float32Array(ab, at, n).set(data);
      break;
    case -64:
      new Float64Array(ab, at, n).set(data);
      break;
    default: {
      const { bscale, bzero, blank, min: qlo, max: qhi, exact } = scaling!;
      const nanCode = blank ?? 0;
      const q = (v: number): number => {
        if (v !== v) return nanCode;
        const r = exact ? v - bzero : Math.round((v - bzero) / bscale);
        return r < qlo ? qlo : r > qhi ? qhi : r;
      };
      if (bitpix === 8) {
        const a = new Uint8Array(ab, at, n);
        for (let i = 0; i < n; i++) a[i] = q(data[i]!);
      } else if (bitpix === 16) {
        const a = new Int16Array(ab, at, n);
        for (let i = 0; i < n; i++) a[i] = q(data[i]!);
      } else if (bitpix === 32) {
        const a = new Int32Array(ab, at, n);
        for (let i = 0; i < n; i++) a[i] = q(data[i]!);
      } else {
        const a = new Int32Array(ab, at, 2 * n);
        const l = HOST_LITTLE_ENDIAN ? 0 : 1;
        for (let i = 0; i < n; i++) {
          const r = q(data[i]!);
          const hi = Math.floor(r / 4294967296);
          a[2 * i + 1 - l] = hi;
          a[2 * i + l] = r - hi * 4294967296; // 0..2^32-1, wraps into int32
        }
      }
    }
  }
  if (HOST_LITTLE_ENDIAN) swapBytesInPlace(out.subarray(at, at + n * width), width as 1 | 2 | 4 | 8);
  return out;
}

function hduCards(shape: number[], bitpix: Bitpix, opts: EncodeFitsOptions, primary: boolean, scaling?: IntScaling): FitsCard[] {
  const cards: FitsCard[] = primary
    ? [{ key: 'SIMPLE', value: true, comment: 'conforms to FITS standard' }]
    : [{ key: 'XTENSION', value: 'IMAGE', comment: 'Image extension' }];
  cards.push({ key: 'BITPIX', value: bitpix, comment: 'array data type' });
  cards.push({ key: 'NAXIS', value: shape.length, comment: 'number of array dimensions' });
  shape
    .slice()
    .reverse()
    .forEach((n, k) => cards.push({ key: `NAXIS${k + 1}`, value: n }));
  if (primary) cards.push({ key: 'EXTEND', value: true });
  else cards.push({ key: 'PCOUNT', value: 0, comment: 'number of parameters' }, { key: 'GCOUNT', value: 1, comment: 'number of groups' });
  if (scaling && (scaling.bscale !== 1 || scaling.bzero !== 0)) {
    cards.push({ key: 'BSCALE', value: scaling.bscale }, { key: 'BZERO', value: scaling.bzero });
  }
  if (scaling?.blank !== undefined) cards.push({ key: 'BLANK', value: scaling.blank, comment: 'stored value of NaN pixels' });
  for (const c of opts.cards ?? []) if (!STRUCTURAL.test(c.key.trim().toUpperCase())) cards.push(c);
  for (const h of opts.history ?? []) cards.push({ key: 'HISTORY', value: h });

  return cards;
}

/**
 * The header of a primary HDU of float data (BITPIX −32 or −64) of `shape`, padded with
 * blank cards to `minBlocks` blocks of 2880 bytes at least: with the data written after
 * it, a file `encodeFits` would write (a writer can reserve a header's room first).
 */
export function encodeFitsHeader(shape: number[], bitpix: -32 | -64, opts: EncodeFitsOptions = {}, minBlocks = 0): Uint8Array {
  return headerBytes(hduCards(shape, bitpix, opts, true), minBlocks);
}

/** Cards, blank cards up to `minBlocks` blocks, END, space padding to the block. */
function headerBytes(cards: FitsCard[], minBlocks = 0): Uint8Array {
  const lines = cards.flatMap(formatCard);
  while ((lines.length + 1) * CARD < minBlocks * BLOCK) lines.push(''.padEnd(CARD));
  lines.push('END'.padEnd(CARD));
  const out = new Uint8Array(Math.ceil((lines.length * CARD) / BLOCK) * BLOCK).fill(0x20);
  let p = 0;
  for (const l of lines) for (let i = 0; i < CARD; i++) out[p++] = l.charCodeAt(i);
  return out;
}
