/**
 * FITS binary tables (BINTABLE, FITS Standard 4.0 §7.3), the subset surveys use for
 * stamps and catalogues: fixed-width columns of L, B, I, J, K, E, D (with a repeat count,
 * TDIMn, TSCALn/TZEROn, TNULLn) and A (strings). Variable-length (P/Q), complex and bit
 * columns are listed but cannot be read.
 *
 * Reading a numeric column gives an NdArray of shape (rows, ...cell), the cell shape from
 * TDIMn (C order: TDIM '(nx,ny)' gives (ny, nx)); without TDIMn a square cell of s² values
 * is read as (s, s) — the usual way stamps are flattened. Writing makes one BINTABLE
 * extension of scalar columns (a catalogue).
 */
import { InputError } from '../errors.ts';
import { BLOCK, findCard, formatCard, type FitsCard, type FitsHdu } from './fits.ts';
import { decodeOwned, type DType, type NdArray } from './ndarray.ts';

export interface TableColumn {
  name: string;
  /** TFORM type code. */
  code: string;
  repeat: number;
  /** Byte offset of the column in a row. */
  offset: number;
  /** Bytes per row. */
  width: number;
  /** C-order cell shape (empty for a scalar). */
  cell: number[];
  scale: number;
  zero: number;
  tnull?: number;
}

const WIDTH: Record<string, number> = { L: 1, X: 1, B: 1, I: 2, J: 4, K: 8, A: 1, E: 4, D: 8, C: 8, M: 16, P: 8, Q: 16 };
const NUMERIC: Record<string, DType> = { B: 'uint8', I: 'int16', J: 'int32', K: 'int64', E: 'float32', D: 'float64' };

/** The columns of a BINTABLE HDU. */
export function tableColumns(hdu: Pick<FitsHdu, 'header'>, name: string): TableColumn[] {
  const card = (k: string) => findCard(hdu.header, k)?.value;
  const count = Number(card('TFIELDS') ?? 0);
  const rowBytes = Number(card('NAXIS1'));
  const cols: TableColumn[] = [];
  let offset = 0;
  for (let i = 1; i <= count; i++) {
    const form = String(card(`TFORM${i}`) ?? '').trim().toUpperCase();
    const m = /^(\d*)([LXBIJKAEDCMPQ])/.exec(form);
    if (!m) throw new InputError(`${name}: column ${i} has TFORM${i} = '${form}', which is not a valid binary-table format`);
    const repeat = m[1] === '' ? 1 : Number(m[1]);
    const code = m[2];
    const width = code === 'X' ? Math.ceil(repeat / 8) : code === 'P' || code === 'Q' ? WIDTH[code] : repeat * WIDTH[code];
    const tdim = card(`TDIM${i}`);
    let cell: number[] = repeat === 1 ? [] : [repeat];
    if (typeof tdim === 'string' && /^\(\s*\d+(\s*,\s*\d+)*\s*\)$/.test(tdim.trim())) {
      cell = tdim.replace(/[()\s]/g, '').split(',').map(Number).reverse();
    } else if (repeat > 1 && Number.isInteger(Math.sqrt(repeat)) && code !== 'A') {
      cell = [Math.sqrt(repeat), Math.sqrt(repeat)];
    }
    const tnull = card(`TNULL${i}`);
    cols.push({
      name: String(card(`TTYPE${i}`) ?? `COL${i}`).trim(),
      code, repeat, offset, width, cell,
      scale: typeof card(`TSCAL${i}`) === 'number' ? (card(`TSCAL${i}`) as number) : 1,
      zero: typeof card(`TZERO${i}`) === 'number' ? (card(`TZERO${i}`) as number) : 0,
      ...(typeof tnull === 'number' ? { tnull } : {}),
    });
    offset += width;
  }
  if (offset !== rowBytes) throw new InputError(`${name}: the columns take ${offset} bytes per row but NAXIS1 = ${rowBytes}; the table header is not valid FITS`);
  return cols;
}

/** The column named `column` (exact name first, then case-insensitive). */
export function findColumn(hdu: Pick<FitsHdu, 'header'>, column: string, name: string): TableColumn {
  const cols = tableColumns(hdu, name);
  const c = cols.find((x) => x.name === column) ?? cols.find((x) => x.name.toLowerCase() === column.toLowerCase());
  if (!c) throw new InputError(`${name}: no column "${column}" (columns: ${cols.map((x) => x.name).join(', ') || 'none'})`);
  return c;
}

function rowsOf(hdu: Pick<FitsHdu, 'header'>): { rows: number; rowBytes: number } {
  return { rows: Number(findCard(hdu.header, 'NAXIS2')?.value ?? 0), rowBytes: Number(findCard(hdu.header, 'NAXIS1')?.value ?? 0) };
}

/** A numeric column as an array of shape (rows, ...cell), physical values (TSCAL/TZERO applied, TNULL → NaN). */
export function readTableColumn(hdu: FitsHdu, column: string, name: string): NdArray {
  if (!hdu.table) throw new InputError(`${name}: this HDU is not a binary table; a column can only be read from a BINTABLE`);
  const c = numericColumn(hdu, column, name);
  const { rows, rowBytes } = rowsOf(hdu);
  return { data: decodeCells(hdu.table, rows, rowBytes, c), shape: [rows, ...c.cell], dtype: c.dtype };
}

/** A column of numbers (B, I, J, K, E or D), with its element type. */
export function numericColumn(hdu: Pick<FitsHdu, 'header'>, column: string, name: string): TableColumn & { dtype: DType } {
  const c = findColumn(hdu, column, name);
  const dtype = NUMERIC[c.code];
  if (!dtype) throw new InputError(`${name}: column "${c.name}" has type ${c.code}, not a numeric array (B, I, J, K, E or D)`);
  return { ...c, dtype };
}

/** The physical values of column `c` in `rows` rows of `rowBytes` bytes (a whole table, or some rows of it). */
export function decodeCells(table: Uint8Array, rows: number, rowBytes: number, c: TableColumn & { dtype: DType }): Float32Array | Float64Array {
  const per = c.repeat;
  // Gather the cells into one contiguous big-endian block, then decode at once.
  const size = c.width;
  const packed = new Uint8Array(rows * size);
  for (let r = 0; r < rows; r++) packed.set(table.subarray(r * rowBytes + c.offset, r * rowBytes + c.offset + size), r * size);
  let data = decodeOwned(packed, rows * per, c.dtype, false);
  if (c.scale !== 1 || c.zero !== 0 || c.tnull !== undefined) {
    const out = data instanceof Float64Array ? data : new Float64Array(data);
    for (let i = 0; i < out.length; i++) out[i] = out[i] === c.tnull ? NaN : out[i] * c.scale + c.zero;
    data = out;
  }
  return data;
}

/** A column as one string per row: A columns trimmed, numeric scalars printed. */
export function readTableStrings(hdu: FitsHdu, column: string, name: string): string[] {
  if (!hdu.table) throw new InputError(`${name}: this HDU is not a binary table; a column can only be read from a BINTABLE`);
  const c = findColumn(hdu, column, name);
  const { rows, rowBytes } = rowsOf(hdu);
  if (c.code === 'A') return cellStrings(hdu.table, rows, rowBytes, c);
  const a = readTableColumn(hdu, column, name);
  if (a.shape.length !== 1) throw new InputError(`${name}: column "${c.name}" holds ${c.repeat} values per row; an ID column needs one`);
  return Array.from(a.data, (v) => String(v));
}

/** The strings of A column `c` in `rows` rows of `rowBytes` bytes: up to the first NUL, trimmed. */
export function cellStrings(table: Uint8Array, rows: number, rowBytes: number, c: TableColumn): string[] {
  const out: string[] = [];
  for (let r = 0; r < rows; r++) {
    const b = table.subarray(r * rowBytes + c.offset, r * rowBytes + c.offset + c.width);
    const end = b.indexOf(0);
    out.push(String.fromCharCode(...(end < 0 ? b : b.subarray(0, end))).trim());
  }
  return out;
}

export interface OutColumn {
  name: string;
  /** D: float64, J: int32, K: int64 (exact to 2^53), A: strings (width = longest). */
  format: 'D' | 'J' | 'K' | 'A';
  values: ArrayLike<number> | string[];
  unit?: string;
  /** Written as the comment of the TTYPEn card. */
  comment?: string;
}

/** A column of a table written by rows, before its values: an A column's `width` is its longest string (at least 1). */
export type OutColumnSpec = Omit<OutColumn, 'values'> & { width?: number };

/** Some rows of a table: one array of values per column, in the columns' order. */
export type TableRows = readonly (ArrayLike<number> | string[])[];

/**
 * One BINTABLE extension HDU of `rows` rows, written by rows: the header (NAXIS2 known
 * before a row is), then `encode`'s bytes of the rows in order, then `padding` to the
 * 2880-byte block.
 */
export interface BinTable {
  header: Uint8Array;
  rowBytes: number;
  encode(values: TableRows, count: number): Uint8Array;
  padding: Uint8Array;
}

export function binTable(columns: OutColumnSpec[], rows: number, opts: { extname?: string; cards?: FitsCard[] } = {}): BinTable {
  const widths = columns.map((c) => (c.format === 'A' ? Math.max(1, c.width ?? 1) : c.format === 'J' ? 4 : 8));
  const rowBytes = widths.reduce((a, b) => a + b, 0);
  const cards: FitsCard[] = [
    { key: 'XTENSION', value: 'BINTABLE', comment: 'binary table extension' },
    { key: 'BITPIX', value: 8 }, { key: 'NAXIS', value: 2 },
    { key: 'NAXIS1', value: rowBytes, comment: 'bytes per row' }, { key: 'NAXIS2', value: rows, comment: 'rows' },
    { key: 'PCOUNT', value: 0 }, { key: 'GCOUNT', value: 1 }, { key: 'TFIELDS', value: columns.length },
  ];
  if (opts.extname) cards.push({ key: 'EXTNAME', value: opts.extname });
  columns.forEach((c, i) => {
    cards.push({ key: `TTYPE${i + 1}`, value: c.name, ...(c.comment ? { comment: c.comment } : {}) });
    cards.push({ key: `TFORM${i + 1}`, value: c.format === 'A' ? `${widths[i]}A` : `1${c.format}` });
    if (c.unit) cards.push({ key: `TUNIT${i + 1}`, value: c.unit });
  });
  cards.push(...(opts.cards ?? []));
  const lines = cards.flatMap(formatCard);
  lines.push('END'.padEnd(80));
  const header = new Uint8Array(Math.ceil((lines.length * 80) / BLOCK) * BLOCK).fill(0x20);
  let p = 0;
  for (const l of lines) for (let i = 0; i < 80; i++) header[p++] = l.charCodeAt(i);
  const encode = (values: TableRows, count: number): Uint8Array => {
    values.forEach((v, i) => {
      if (v.length !== count) throw new RangeError(`binTable: column ${columns[i].name} has ${v.length} rows, not ${count}`);
    });
    const out = new Uint8Array(count * rowBytes);
    const dv = new DataView(out.buffer);
    let off = 0;
    for (let r = 0; r < count; r++) {
      columns.forEach((c, i) => {
        const v = values[i][r];
        if (c.format === 'A') {
          const s = String(v);
          for (let k = 0; k < widths[i]; k++) out[off + k] = k < s.length ? s.charCodeAt(k) & 0x7f : 0x20;
        } else if (c.format === 'D') dv.setFloat64(off, Number(v), false);
        else if (c.format === 'J') dv.setInt32(off, Number(v), false);
        else dv.setBigInt64(off, BigInt(Math.trunc(Number(v))), false);
        off += widths[i];
      });
    }
    return out;
  };
  // The data are padded with zeros.
  return { header, rowBytes, encode, padding: new Uint8Array((BLOCK - ((rows * rowBytes) % BLOCK)) % BLOCK) };
}

/** The length of the longest of `values` (at least 1): an A column's width. */
export function longest(values: ArrayLike<unknown>): number {
  let w = 1;
  for (let i = 0; i < values.length; i++) w = Math.max(w, String(values[i]).length);
  return w;
}

/** One BINTABLE extension HDU (to append to a primary HDU) holding scalar columns, encoded whole. */
export function encodeBinTable(columns: OutColumn[], opts: { extname?: string; cards?: FitsCard[] } = {}): Uint8Array {
  const rows = columns[0]?.values.length ?? 0;
  const t = binTable(columns.map((c) => ({ ...c, width: c.format === 'A' ? longest(c.values) : undefined })), rows, opts);
  const data = t.encode(columns.map((c) => c.values), rows);
  const out = new Uint8Array(t.header.length + data.length + t.padding.length);
  out.set(t.header);
  out.set(data, t.header.length);
  return out;
}

/** The bytes of a BINTABLE extension of `rows` rows whose values `read` gives by chunks, in order. */
export async function* binTableParts(
  columns: OutColumnSpec[], rows: number, read: (first: number, count: number) => Promise<TableRows>,
  opts: { extname?: string; chunk?: number } = {},
): AsyncGenerator<Uint8Array> {
  const t = binTable(columns, rows, opts);
  yield t.header;
  const chunk = opts.chunk ?? 4096;
  for (let first = 0; first < rows; first += chunk) {
    const count = Math.min(chunk, rows - first);
    yield t.encode(await read(first, count), count);
  }
  yield t.padding;
}
