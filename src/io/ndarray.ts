/**
 * The in-memory array type shared by the FITS and .npy readers and writers.
 *
 * Conventions (see shared/data/README.md §1): `shape` is in C order (slowest axis first),
 * so a stack of N images of ny rows and nx columns has shape `[N, ny, nx]`, and
 * `data[(i * ny + y) * nx + x]` is pixel (y, x) of object i.
 *
 * Arrays returned by the readers own their buffer: `data.byteOffset === 0` and
 * `data.buffer.byteLength === data.byteLength`, so `data.buffer` may be transferred to a
 * worker or copied into Wasm memory without dragging other bytes along.
 */

/** Element type as stored in the file. */
export type DType = 'uint8' | 'int16' | 'int32' | 'int64' | 'float32' | 'float64';

export interface NdArray {
  /** Values in C order. Float32Array only for float32 data stored without scaling. */
  data: Float32Array | Float64Array;
  /** Axis lengths, slowest first (C order). `[]` is a 0-d scalar (npy only). */
  shape: number[];
  /** The element type as stored in the file (before BSCALE/BZERO for FITS). */
  dtype: DType;
}

/** Bytes per element of each dtype. */
export const DTYPE_BYTES: Readonly<Record<DType, number>> = {
  uint8: 1,
  int16: 2,
  int32: 4,
  int64: 8,
  float32: 4,
  float64: 8,
};

/** Number of elements of an array with this shape (1 for `[]`). */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * Checks that `shape` is a list of non-negative integers whose product is `length`.
 * Throws a RangeError (a caller bug, not a user error) otherwise.
 */
export function checkShape(shape: readonly number[], length: number, what: string): void {
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new RangeError(`${what}: shape [${shape.join(', ')}] has an axis that is not a non-negative integer`);
    }
  }
  const n = sizeOf(shape);
  if (n !== length) {
    throw new RangeError(`${what}: shape [${shape.join(', ')}] holds ${n} values but the data has ${length}`);
  }
}

/** True when this machine stores multi-byte numbers little-endian (every Node target today). */
export const HOST_LITTLE_ENDIAN: boolean = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const NodeBuffer: typeof Buffer | undefined = (globalThis as { Buffer?: typeof Buffer }).Buffer;

/**
 * Reverses the byte order of every `width`-byte element of `bytes`, in place.
 * `bytes.byteOffset` must be a multiple of `width` when width is 2 or 4 (fast path),
 * otherwise a plain byte loop is used.
 */
export function swapBytesInPlace(bytes: Uint8Array, width: 1 | 2 | 4 | 8): void {
  if (width === 1) return;
  const n = bytes.length;
  if (n % width !== 0) throw new RangeError(`swapBytesInPlace: ${n} bytes is not a multiple of ${width}`);
  if (NodeBuffer !== undefined && n >= 4096) {
    // Node's native swap is 5-8x faster than the loops below on large arrays.
    const b = NodeBuffer.from(bytes.buffer, bytes.byteOffset, n);
    if (width === 2) b.swap16();
    else if (width === 4) b.swap32();
    else b.swap64();
    return;
  }
  const aligned = bytes.byteOffset % 4 === 0;
  if (width === 2 && bytes.byteOffset % 2 === 0) {
    const u = new Uint16Array(bytes.buffer, bytes.byteOffset, n >> 1);
    for (let i = 0; i < u.length; i++) {
      const x = u[i]!;
      u[i] = ((x & 0xff) << 8) | (x >>> 8);
    }
    return;
  }
  if ((width === 4 || width === 8) && aligned) {
    const u = new Uint32Array(bytes.buffer, bytes.byteOffset, n >> 2);
    if (width === 4) {
      for (let i = 0; i < u.length; i++) {
        const x = u[i]!;
        u[i] = ((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);
      }
    } else {
      for (let i = 0; i < u.length; i += 2) {
        const a = u[i]!;
        const b = u[i + 1]!;
        u[i] = ((b & 0xff) << 24) | ((b & 0xff00) << 8) | ((b >>> 8) & 0xff00) | (b >>> 24);
        u[i + 1] = ((a & 0xff) << 24) | ((a & 0xff00) << 8) | ((a >>> 8) & 0xff00) | (a >>> 24);
      }
    }
    return;
  }
  for (let i = 0; i < n; i += width) {
    for (let a = i, b = i + width - 1; a < b; a++, b--) {
      const t = bytes[a]!;
      bytes[a] = bytes[b]!;
      bytes[b] = t;
    }
  }
}

/**
 * Copies `len` bytes of `src` starting at `offset` into a fresh ArrayBuffer (so typed
 * array views of it are aligned and own their memory).
 */
export function copyBytes(src: Uint8Array, offset: number, len: number): Uint8Array {
  const out = new Uint8Array(len);
  out.set(src.subarray(offset, offset + len));
  return out;
}

/**
 * Decodes `count` elements of `dtype` from `src` at `offset` into an owned
 * Float32Array (float32) or Float64Array (every other dtype). `littleEndian` is the
 * byte order in `src`. 64-bit integers are converted as `hi * 2^32 + lo`: exact up to
 * 2^53 in magnitude, correctly rounded beyond.
 */
export function decodeElements(
  src: Uint8Array,
  offset: number,
  count: number,
  dtype: DType,
  littleEndian: boolean,
): Float32Array | Float64Array {
  return decodeOwned(copyBytes(src, offset, count * DTYPE_BYTES[dtype]), count, dtype, littleEndian);
}

/**
 * decodeElements of `bytes` itself, which must be a whole ArrayBuffer (offset 0) that
 * nothing else uses: it is byte-swapped in place if need be, and float32 and float64 come
 * back as views of it, with no copy (reads into a fresh buffer, e.g. stack-source.ts).
 */
export function decodeOwned(bytes: Uint8Array, count: number, dtype: DType, littleEndian: boolean): Float32Array | Float64Array {
  const width = DTYPE_BYTES[dtype];
  if (bytes.byteOffset !== 0 || bytes.byteLength !== bytes.buffer.byteLength || bytes.length !== count * width) {
    throw new RangeError('decodeOwned: the bytes must be a whole buffer of the elements');
  }
  if (littleEndian !== HOST_LITTLE_ENDIAN) swapBytesInPlace(bytes, width as 1 | 2 | 4 | 8);
  const buf = bytes.buffer;
  switch (dtype) {
    case 'float32':
      return new Float32Array(buf);
    case 'float64':
      return new Float64Array(buf);
    case 'uint8':
      return widen(bytes);
    case 'int16':
      return widen(new Int16Array(buf));
    case 'int32':
      return widen(new Int32Array(buf));
    case 'int64': {
      const out = new Float64Array(count);
      const lo = new Uint32Array(buf);
      const hi = new Int32Array(buf);
      const l = HOST_LITTLE_ENDIAN ? 0 : 1;
      const h = 1 - l;
      for (let i = 0; i < count; i++) out[i] = hi[2 * i + h]! * 4294967296 + lo[2 * i + l]!;
      return out;
    }
  }
}

function widen(a: Uint8Array | Int16Array | Int32Array): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]!;
  return out;
}

/**
 * Converts an array stored in Fortran order (first axis fastest) to C order; `shape` is
 * the logical shape (as numpy reports it). Returns a new array of the same type.
 */
export function fortranToC<T extends Float32Array | Float64Array>(src: T, shape: readonly number[]): T {
  const nd = shape.length;
  const n = src.length;
  const out = new (src.constructor as { new (n: number): T })(n);
  if (nd <= 1 || n === 0) {
    out.set(src);
    return out;
  }
  // C-order strides of the output.
  const cStride = new Array<number>(nd);
  cStride[nd - 1] = 1;
  for (let k = nd - 2; k >= 0; k--) cStride[k] = cStride[k + 1]! * shape[k + 1]!;
  // Walk the source linearly: axis 0 fastest. Innermost axis 0 is a strided copy.
  const idx = new Array<number>(nd).fill(0);
  const n0 = shape[0]!;
  const s0 = cStride[0]!;
  let dst = 0;
  for (let i = 0; i < n; i += n0) {
    for (let j = 0, d = dst; j < n0; j++, d += s0) out[d] = src[i + j]!;
    // Odometer over axes 1..nd-1.
    for (let k = 1; k < nd; k++) {
      idx[k]!++;
      dst += cStride[k]!;
      if (idx[k]! < shape[k]!) break;
      dst -= cStride[k]! * shape[k]!;
      idx[k] = 0;
    }
  }
  return out;
}
