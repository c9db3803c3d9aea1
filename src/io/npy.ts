/**
 * NumPy `.npy` reader and writer (format versions 1.0, 2.0 and 3.0).
 *
 * Layout: magic `\x93NUMPY`, major and minor version bytes, header length (uint16 LE for
 * 1.0, uint32 LE for 2.0/3.0), then an ASCII (3.0: UTF-8) Python dict literal
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (100, 41, 41), }` padded with spaces
 * and a newline, then the raw data.
 */
import { InputError } from '../errors.ts';
import {
  checkShape,
  decodeElements,
  fortranToC,
  HOST_LITTLE_ENDIAN,
  sizeOf,
  swapBytesInPlace,
  DTYPE_BYTES,
  type DType,
  type NdArray,
} from './ndarray.ts';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** numpy type code (kind + item size) -> our dtype. */
const NPY_TYPES: Record<string, DType> = {
  u1: 'uint8',
  i2: 'int16',
  i4: 'int32',
  i8: 'int64',
  f4: 'float32',
  f8: 'float64',
};

const KIND_NAMES: Record<string, string> = {
  b: 'bool',
  '?': 'bool',
  c: 'complex',
  O: 'object',
  U: 'unicode string',
  S: 'byte string',
  a: 'byte string',
  V: 'void/structured',
  M: 'datetime',
  m: 'timedelta',
  f: 'float',
  i: 'signed integer',
  u: 'unsigned integer',
};

const SUPPORTED = "'<f4', '<f8', '|u1', '<i2', '<i4', '<i8' (or big-endian '>')";

/** Where and how a `.npy` file's data are stored, from its header. */
export interface NpyLayout {
  dtype: DType;
  shape: number[];
  littleEndian: boolean;
  fortranOrder: boolean;
  dataOffset: number;
}

/**
 * Parses the header of a `.npy` file whose first bytes are `buf` (the whole header, not
 * necessarily the data) and checks that a file of `fileBytes` holds all its data.
 */
export function parseNpyHeader(buf: Uint8Array, name: string, fileBytes = buf.length): NpyLayout {
  if (buf.length < 10 || MAGIC.some((b, i) => buf[i] !== b)) {
    throw new InputError(`${name}: not a .npy file (missing the \\x93NUMPY magic string at the start); save it with numpy.save`);
  }
  const major = buf[6]!;
  const minor = buf[7]!;
  if (!(major === 1 || major === 2 || major === 3) || minor !== 0) {
    throw new InputError(`${name}: unsupported .npy format version ${major}.${minor} (supported: 1.0, 2.0, 3.0); re-save it with numpy.save`);
  }
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const pre = major === 1 ? 10 : 12;
  if (buf.length < pre) throw new InputError(`${name}: truncated .npy file (${buf.length} bytes, the preamble alone needs ${pre})`);
  const hlen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  const dataOffset = pre + hlen;
  if (buf.length < dataOffset) {
    throw new InputError(`${name}: truncated .npy header (header says ${hlen} bytes, file has only ${buf.length - pre} after the preamble)`);
  }
  const headerBytes = buf.subarray(pre, dataOffset);
  const header = major === 3 ? new TextDecoder('utf-8').decode(headerBytes) : latin1(headerBytes);

  let dict: unknown;
  try {
    dict = new PyLiteralParser(header).parseTop();
  } catch (e) {
    throw new InputError(`${name}: cannot parse the .npy header ${JSON.stringify(header.trim().slice(0, 120))}: ${(e as Error).message}`);
  }
  if (!(dict instanceof Map)) throw new InputError(`${name}: .npy header is not a dict: ${JSON.stringify(header.trim().slice(0, 120))}`);
  const descr = dict.get('descr');
  const fortran = dict.get('fortran_order');
  const shape = dict.get('shape');
  if (typeof descr !== 'string') {
    const what = Array.isArray(descr) ? 'a structured dtype' : 'no dtype string';
    throw new InputError(`${name}: unsupported .npy dtype (${what} in 'descr'); supported: ${SUPPORTED}`);
  }
  if (typeof fortran !== 'boolean') throw new InputError(`${name}: .npy header has no boolean 'fortran_order'`);
  if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) {
    throw new InputError(`${name}: .npy header 'shape' is not a tuple of non-negative integers`);
  }
  const dims = shape as number[];

  const m = /^([<>|=])?([a-zA-Z?])(\d*)$/.exec(descr);
  const kind = m?.[2] ?? '';
  const code = m ? `${m[2]}${m[3]}` : '';
  const dtype = NPY_TYPES[code];
  if (!m || dtype === undefined) {
    const kindName = KIND_NAMES[kind];
    const what = kindName ? `${kindName} dtype '${descr}'` : `dtype '${descr}'`;
    throw new InputError(`${name}: unsupported .npy ${what}; supported: ${SUPPORTED}; convert with arr.astype('<f8')`);
  }
  const order = m[1] ?? '|';
  const little = order === '>' ? false : order === '<' ? true : HOST_LITTLE_ENDIAN; // '|' and '=': native

  const count = sizeOf(dims);
  const need = count * DTYPE_BYTES[dtype];
  const have = fileBytes - dataOffset;
  if (have < need) {
    throw new InputError(
      `${name}: truncated .npy data: shape (${dims.join(', ')}) of ${descr} needs ${need} bytes, file has ${have} after the header`,
    );
  }
  return { dtype, shape: dims, littleEndian: little, fortranOrder: fortran, dataOffset };
}

/** Parses a `.npy` file held in `buf`; `name` is used in error messages. */
export function parseNpy(buf: Uint8Array, name: string): NdArray {
  const { dtype, shape: dims, littleEndian: little, fortranOrder: fortran, dataOffset } = parseNpyHeader(buf, name);
  const count = sizeOf(dims);
  let data = decodeElements(buf, dataOffset, count, dtype, little);
  if (fortran && dims.length > 1) data = fortranToC(data, dims);
  return { data, shape: dims.slice(), dtype };
}

/**
 * Encodes a C-order array as `.npy` format 1.0, little-endian, with the header padded
 * so that the data start at a multiple of 64 bytes, as current numpy writes.
 */
export function encodeNpy(data: Float32Array | Float64Array, shape: number[]): Uint8Array {
  checkShape(shape, data.length, 'encodeNpy');
  const head = encodeNpyHeader(shape, data instanceof Float32Array ? 'float32' : 'float64');
  const out = new Uint8Array(head.length + data.byteLength);
  out.set(head);
  const body = out.subarray(head.length);
  body.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  if (!HOST_LITTLE_ENDIAN) swapBytesInPlace(body, DTYPE_BYTES[data instanceof Float32Array ? 'float32' : 'float64'] as 4 | 8);
  return out;
}

/** The header of a little-endian C-order float .npy of `shape` (the data follow it). */
export function encodeNpyHeader(shape: number[], dtype: 'float32' | 'float64'): Uint8Array {
  const descr = dtype === 'float32' ? '<f4' : '<f8';
  const shapeStr = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeStr}, }`;
  let version = 1;
  let pre = 10;
  let total = pre + header.length + 1;
  let pad = (64 - (total % 64)) % 64;
  if (header.length + 1 + pad > 0xffff) {
    version = 2;
    pre = 12;
    total = pre + header.length + 1;
    pad = (64 - (total % 64)) % 64;
  }
  header = header + ' '.repeat(pad) + '\n';
  const hlen = header.length;
  const out = new Uint8Array(pre + hlen);
  out.set(MAGIC, 0);
  out[6] = version;
  out[7] = 0;
  const dv = new DataView(out.buffer);
  if (version === 1) dv.setUint16(8, hlen, true);
  else dv.setUint32(8, hlen, true);
  for (let i = 0; i < hlen; i++) out[pre + i] = header.charCodeAt(i);
  return out;
}

function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 4096) s += String.fromCharCode(...b.subarray(i, i + 4096));
  return s;
}

type PyValue = string | number | boolean | null | PyValue[] | Map<string, PyValue>;

/**
 * Parser for the Python literal subset numpy writes in headers: dicts, tuples, lists,
 * strings, integers (with an optional legacy `L` suffix), True/False/None.
 */
class PyLiteralParser {
  private pos = 0;
  constructor(private readonly s: string) {}

  parseTop(): PyValue {
    const v = this.value();
    this.ws();
    if (this.pos !== this.s.length) throw new Error(`unexpected ${JSON.stringify(this.s[this.pos])} at offset ${this.pos}`);
    return v;
  }

  private ws(): void {
    while (this.pos < this.s.length && /\s/.test(this.s[this.pos]!)) this.pos++;
  }

  private value(): PyValue {
    this.ws();
    const c = this.s[this.pos];
    if (c === undefined) throw new Error('unexpected end of header');
    if (c === '{') return this.dict();
    if (c === '(') return this.seq('(', ')');
    if (c === '[') return this.seq('[', ']');
    if (c === "'" || c === '"') return this.str();
    const m = /^(?:True|False|None|[+-]?\d+L?)/.exec(this.s.slice(this.pos));
    if (!m) throw new Error(`unexpected ${JSON.stringify(c)} at offset ${this.pos}`);
    this.pos += m[0].length;
    if (m[0] === 'True') return true;
    if (m[0] === 'False') return false;
    if (m[0] === 'None') return null;
    return Number.parseInt(m[0], 10);
  }

  private expect(ch: string): void {
    this.ws();
    if (this.s[this.pos] !== ch) throw new Error(`expected ${JSON.stringify(ch)} at offset ${this.pos}`);
    this.pos++;
  }

  private dict(): Map<string, PyValue> {
    this.expect('{');
    const out = new Map<string, PyValue>();
    for (;;) {
      this.ws();
      if (this.s[this.pos] === '}') {
        this.pos++;
        return out;
      }
      const k = this.value();
      if (typeof k !== 'string') throw new Error('dict key is not a string');
      this.expect(':');
      out.set(k, this.value());
      this.ws();
      if (this.s[this.pos] === ',') this.pos++;
      else if (this.s[this.pos] !== '}') throw new Error(`expected ',' or '}' at offset ${this.pos}`);
    }
  }

  private seq(open: string, close: string): PyValue[] {
    this.expect(open);
    const out: PyValue[] = [];
    for (;;) {
      this.ws();
      if (this.s[this.pos] === close) {
        this.pos++;
        return out;
      }
      out.push(this.value());
      this.ws();
      if (this.s[this.pos] === ',') this.pos++;
      else if (this.s[this.pos] !== close) throw new Error(`expected ',' or '${close}' at offset ${this.pos}`);
    }
  }

  private str(): string {
    const q = this.s[this.pos++]!;
    let out = '';
    while (this.pos < this.s.length) {
      const c = this.s[this.pos++]!;
      if (c === q) return out;
      if (c === '\\') {
        const n = this.s[this.pos++];
        if (n === undefined) break;
        out += n === 'n' ? '\n' : n === 't' ? '\t' : n;
      } else out += c;
    }
    throw new Error('unterminated string');
  }
}
