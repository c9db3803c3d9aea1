// Random access to a stack in a FITS or .npy file: objects [first, first + count) are read
// by offset when they are needed — uncompressed FITS images and C-order .npy keep each
// object's pixels contiguous, and a binary-table column of fixed size keeps each object's
// cell at a fixed place in its row — so a reader never holds the stack. The values are
// exactly those `readArray` gives (same decoding, same BSCALE/BZERO/BLANK, TSCAL/TZERO/TNULL).
//
// Only the headers are parsed here. Anything the header walk does not recognise as a plain
// image or a fixed-size numeric column (and Fortran-order .npy, whose objects are not
// contiguous) is read whole by `readArray` instead, which also gives the usual one-line
// error for a malformed file or a wrong address.

import { open, type FileHandle } from 'node:fs/promises';
import type { StackSource } from '../common/types.ts';
import { valuesPerObject, objectsOf } from '../common/types.ts';
import { BLOCK, findCard, parseCard, scaleImage, type FitsCard, type ImageScaling } from './fits.ts';
import { readArray, formatOf, parseAddress, type Address, type ReadResult } from './index.ts';
import { decodeCells, numericColumn, type TableColumn } from './fits-table.ts';
import { DTYPE_BYTES, decodeOwned, sizeOf, type DType } from './ndarray.ts';
import { parseNpyHeader } from './npy.ts';

export interface StackFile extends StackSource {
  readonly path: string;
  readonly shape: number[];
  readonly dtype: DType;
  /** Whether the file is read by offset (false: it was read whole into memory). */
  readonly streamed: boolean;
  /** FITS primary header (empty for .npy). */
  readonly header: FitsCard[];
  close(): Promise<void>;
}

interface Layout {
  shape: number[];
  dtype: DType;
  littleEndian: boolean;
  dataOffset: number;
  scaling?: ImageScaling;
  header: FitsCard[];
  /** A binary-table column: each object is a cell of a row of `rowBytes` bytes. */
  column?: TableColumn & { dtype: DType; rowBytes: number };
}

/** Opens a stack file for reading by objects (FITS: the first HDU with image data, or the one addressed). */
export async function openStack(path: string): Promise<StackFile> {
  const address = parseAddress(path);
  const format = formatOf(address.file, 'read');
  let fh: FileHandle;
  try {
    fh = await open(address.file, 'r');
  } catch {
    return wholeFile(path); // readArray gives the file-system error
  }
  let layout: Layout | undefined;
  try {
    const st = await fh.stat();
    // Not a regular file (a directory, a device): readArray gives the one-line error.
    layout = !st.isFile() ? undefined : format === 'npy' ? await npyLayout(fh, path, st.size) : await fitsLayout(fh, st.size, address, path);
  } catch (e) {
    await fh.close();
    throw e;
  }
  if (!layout) {
    await fh.close();
    return wholeFile(path);
  }
  const { shape, dtype, littleEndian, dataOffset, scaling, header, column } = layout;
  const per = valuesPerObject(shape);
  const objects = objectsOf(shape);
  // An object's bytes: its pixels, or its table row (the cell gathered from it).
  const stride = column ? column.rowBytes : per * DTYPE_BYTES[dtype];
  return {
    path, shape, dtype, streamed: true, header,
    async read(first, count) {
      if (first < 0 || count < 0 || first + count > objects) throw new RangeError(`${path}: objects ${first}..${first + count} of ${objects}`);
      // A buffer of its own: the values are decoded in it, not copied out of it.
      const bytes = new Uint8Array(count * stride);
      const { bytesRead } = await fh.read(bytes, 0, bytes.length, dataOffset + first * stride);
      if (bytesRead !== bytes.length) throw new Error(`${path}: short read (${bytesRead} of ${bytes.length} bytes): was the file changed during the run?`);
      if (column) return decodeCells(bytes, count, column.rowBytes, column);
      const values = decodeOwned(bytes, count * per, dtype, littleEndian);
      return scaling ? scaleImage(values, scaling) : values;
    },
    close: () => fh.close(),
  };
}

async function wholeFile(path: string): Promise<StackFile> {
  return wholeStack(path, await readArray(path));
}

/** A stack already read whole, as a StackFile (its `data` kept, e.g. to be masked in place). */
function wholeStack(path: string, a: ReadResult): StackFile & { data: ReadResult['data'] } {
  const per = valuesPerObject(a.shape);
  return {
    path, shape: a.shape, dtype: a.dtype, streamed: false, header: a.header, data: a.data,
    read: async (first, count) => a.data.subarray(first * per, (first + count) * per),
    close: async () => {},
  };
}

async function readAt(fh: FileHandle, at: number, length: number): Promise<Buffer> {
  const b = Buffer.alloc(length);
  const { bytesRead } = await fh.read(b, 0, length, at);
  return b.subarray(0, bytesRead);
}

/** The .npy layout (errors as parseNpy's); undefined for Fortran order. */
export async function npyLayout(fh: FileHandle, path: string, size: number): Promise<Layout | undefined> {
  const pre = await readAt(fh, 0, 12);
  const hlen = pre.length >= 10 && pre[6] === 1 ? pre.readUInt16LE(8) : pre.length >= 12 ? pre.readUInt32LE(8) : 0;
  const head = await readAt(fh, 0, Math.min(size, 12 + hlen));
  const h = parseNpyHeader(head, path, size);
  if (h.fortranOrder && h.shape.length > 1) return undefined;
  return { shape: h.shape, dtype: h.dtype, littleEndian: h.littleEndian, dataOffset: h.dataOffset, header: [] };
}

const BITPIX_DTYPE: Record<number, DType> = { 8: 'uint8', 16: 'int16', 32: 'int32', 64: 'int64', [-32]: 'float32', [-64]: 'float64' };

/** An HDU the header walk found: its header (and the primary's), where its data start, its BITPIX and axes (NAXIS1 first). */
export interface HduAt {
  header: FitsCard[];
  primary: FitsCard[];
  dataOffset: number;
  bitpix: number;
  axes: number[];
  /** XTENSION, upper case (null for the primary HDU). */
  xtension: string | null;
  image: boolean;
}

/**
 * The HDU readArray would read — the addressed one, else the first image HDU with data —
 * when the headers up to it are plain; undefined otherwise (the caller then reads the file
 * whole, which reports what is wrong).
 */
export async function findHdu(fh: FileHandle, size: number, address: Address): Promise<HduAt | undefined> {
  let offset = 0;
  let primary: FitsCard[] = [];
  for (let idx = 0; offset < size && idx < 1000; idx++) {
    const header: FitsCard[] = [];
    let pos = offset;
    let ended = false;
    while (!ended) {
      const block = await readAt(fh, pos, BLOCK);
      if (block.length < BLOCK) return undefined;
      pos += BLOCK;
      for (let at = 0; at < BLOCK && !ended; at += 80) {
        const line = block.toString('latin1', at, at + 80);
        if (line.startsWith('END     ')) ended = true;
        else header.push(parseCard(line));
      }
    }
    const first = header[0];
    if (idx === 0) primary = header;
    if (idx === 0 ? first?.key !== 'SIMPLE' || first.value !== true : first?.key !== 'XTENSION') return undefined;
    const int = (key: string, def?: number): number | undefined => {
      const v = findCard(header, key)?.value ?? def;
      return typeof v === 'number' && Number.isInteger(v) ? v : undefined;
    };
    const bitpix = int('BITPIX');
    const naxis = int('NAXIS');
    if (bitpix === undefined || !(bitpix in BITPIX_DTYPE) || naxis === undefined || naxis < 0 || naxis > 999) return undefined;
    const axes: number[] = [];
    for (let k = 1; k <= naxis; k++) {
      const n = int(`NAXIS${k}`);
      if (n === undefined || n < 0) return undefined;
      axes.push(n);
    }
    const pcount = idx === 0 ? 0 : int('PCOUNT', 0);
    const gcount = idx === 0 ? 1 : int('GCOUNT', 1);
    if (pcount === undefined || gcount === undefined) return undefined;
    const nElem = naxis === 0 ? 0 : sizeOf(axes);
    const dataBytes = (Math.abs(bitpix) / 8) * gcount * (pcount + nElem);
    if (pos + dataBytes > size) return undefined;
    const xtension = idx === 0 ? null : String(first.value ?? '').trim().toUpperCase();
    const image = (idx === 0 || xtension === 'IMAGE') && naxis > 0;
    if (address.hdu === undefined ? image : isAddressed(header, idx, address.hdu)) {
      if (idx === 0 && findCard(header, 'GROUPS')?.value === true) return undefined;
      return { header, primary, dataOffset: pos, bitpix, axes, xtension, image };
    }
    offset = pos + Math.ceil(dataBytes / BLOCK) * BLOCK;
  }
  return undefined;
}

/** The layout of the HDU (or table column) an address names, when it is a plain image or a column of stamps. */
async function fitsLayout(fh: FileHandle, size: number, address: Address, path: string): Promise<Layout | undefined> {
  const h = await findHdu(fh, size, address);
  if (!h) return undefined;
  const { header, primary, dataOffset, bitpix, axes, image } = h;
  if (address.column !== undefined) return h.xtension === 'BINTABLE' && axes.length === 2 ? columnLayout(header, primary, dataOffset, address.column, path) : undefined;
  if (!image || axes.length > 3 || axes.some((n) => n < 1)) return undefined;
  const num = (key: string, def: number): number | undefined => {
    const v = findCard(header, key)?.value ?? def;
    return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
  };
  const bscale = num('BSCALE', 1);
  const bzero = num('BZERO', 0);
  if (bscale === undefined || bzero === undefined) return undefined;
  const blankCard = bitpix > 0 ? findCard(header, 'BLANK')?.value : undefined;
  const blank = typeof blankCard === 'number' ? blankCard : undefined;
  const scaled = bscale !== 1 || bzero !== 0 || blank !== undefined;
  return {
    shape: axes.slice().reverse(), dtype: BITPIX_DTYPE[bitpix], littleEndian: false, dataOffset,
    scaling: scaled ? { bitpix, bscale, bzero, blank } : undefined, header: primary,
  };
}

/** Whether HDU `idx` is the one an address names (readArray's selectHdu: the first that matches). */
function isAddressed(header: FitsCard[], idx: number, sel: NonNullable<Address['hdu']>): boolean {
  if (typeof sel === 'number') return idx === sel;
  const name = String(findCard(header, 'EXTNAME')?.value ?? '').trim().toUpperCase();
  return name === sel.name.toUpperCase() && (sel.ver === undefined || Number(findCard(header, 'EXTVER')?.value ?? 1) === sel.ver);
}

/** A numeric column of fixed size whose cells are stamps (rows, ny, nx); undefined otherwise. */
function columnLayout(header: FitsCard[], primary: FitsCard[], dataOffset: number, column: string, path: string): Layout | undefined {
  let c: TableColumn & { dtype: DType };
  try {
    c = numericColumn({ header }, column, path);
  } catch {
    return undefined; // readArray says what is wrong with the column
  }
  const rows = findCard(header, 'NAXIS2')?.value;
  const rowBytes = findCard(header, 'NAXIS1')?.value;
  // Stamps only (rows, ny, nx): a scalar or vector column is read whole.
  if (typeof rows !== 'number' || typeof rowBytes !== 'number' || rows < 1 || c.cell.length !== 2) return undefined;
  return { shape: [rows, ...c.cell], dtype: c.dtype, littleEndian: false, dataOffset, header: primary, column: { ...c, rowBytes } };
}
