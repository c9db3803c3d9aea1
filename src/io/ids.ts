// Object IDs (--ids) read by chunks, so that a reader never holds a survey's IDs: a FITS
// table column and a .npy vector by offset, a text file by blocks. Opening makes one pass
// that counts them and finds the longest (a FITS A column's width is needed before its
// header is written); `read` then gives them in order, in chunks. The IDs are exactly
// those the whole-file reading gives: anything the header walk does not find plain (and
// a wrong address or a malformed file) is read whole, which gives the usual one-line error.

import { open, type FileHandle } from 'node:fs/promises';
import { InputError, OptionError } from '../errors.ts';
import { cellStrings, decodeCells, longest, numericColumn, findColumn, readTableStrings, type TableColumn } from './fits-table.ts';
import { parseFits } from './fits.ts';
import { fsMessage, readBytes, selectHdu, formatOf, parseAddress } from './index.ts';
import { decodeElements, DTYPE_BYTES } from './ndarray.ts';
import { parseNpy } from './npy.ts';
import { findHdu, npyLayout } from './stack-source.ts';

export interface IdSource {
  /** IDs in the file. */
  readonly length: number;
  /** Length of the longest ID (at least 1). */
  readonly width: number;
  /** IDs first … first + count - 1 (a text file is read on from the last call, or again from its start). */
  read(first: number, count: number): Promise<string[]>;
  close(): Promise<void>;
}

/** IDs read per pass of the opening and per block of a text file. */
const CHUNK = 65536;
const BLOCK_BYTES = 1 << 20;

/**
 * Opens object IDs, one per object: a FITS table column (`cat.fits[EXT][ID]`: an A column,
 * or numbers, printed), a .npy vector, or a text file with one ID per line (a CSV's first
 * column; a header line naming "id" is skipped).
 */
export async function openIds(spec: string): Promise<IdSource> {
  const addr = parseAddress(spec);
  if (addr.column !== undefined) {
    formatOf(addr.file, 'read');
    return withWidth(await byRows(spec, addr.file, addr.column, addr) ?? inMemory(await wholeColumn(spec)));
  }
  if (/\.(fits|fit|fts)$/i.test(addr.file)) throw new OptionError(`${spec}: name the ID column of the table, e.g. ${addr.file}[1][ID]`);
  if (addr.file.toLowerCase().endsWith('.npy')) return withWidth(await npyIds(spec));
  return TextIds.open(spec);
}

/** All the IDs (see openIds). */
export async function readIds(spec: string): Promise<string[]> {
  const ids = await openIds(spec);
  try {
    return await ids.read(0, ids.length);
  } finally {
    await ids.close();
  }
}

type Unsized = Omit<IdSource, 'width'>;

/** The source with its width, from a pass over it. */
async function withWidth(s: Unsized): Promise<IdSource> {
  let width = 1;
  try {
    for (let first = 0; first < s.length; first += CHUNK) width = Math.max(width, longest(await s.read(first, Math.min(CHUNK, s.length - first))));
  } catch (e) {
    await s.close();
    throw e;
  }
  return { ...s, width, read: (first, count) => s.read(first, count), close: () => s.close() };
}

function inMemory(ids: string[]): Unsized {
  return { length: ids.length, read: async (first, count) => ids.slice(first, first + count), close: async () => {} };
}

async function wholeColumn(spec: string): Promise<string[]> {
  const addr = parseAddress(spec);
  const hdus = parseFits(await readBytes(addr.file), addr.file);
  return readTableStrings(selectHdu(hdus, addr.hdu!, spec), addr.column!, spec);
}

/** Reads `count` records of `stride` bytes at `at + first · stride`. */
async function records(fh: FileHandle, spec: string, at: number, stride: number, first: number, count: number): Promise<Buffer> {
  const b = Buffer.allocUnsafe(count * stride);
  const { bytesRead } = await fh.read(b, 0, b.length, at + first * stride);
  if (bytesRead !== b.length) throw new InputError(`${spec}: short read (${bytesRead} of ${b.length} bytes): was the file changed during the run?`);
  return b;
}

/** A column of a plain BINTABLE read by rows: A (strings) or a numeric scalar; undefined for anything else. */
async function byRows(spec: string, file: string, column: string, addr: ReturnType<typeof parseAddress>): Promise<Unsized | undefined> {
  let fh: FileHandle;
  try {
    fh = await open(file, 'r');
  } catch {
    return undefined; // the whole read gives the file-system error
  }
  try {
    const st = await fh.stat();
    const h = st.isFile() ? await findHdu(fh, st.size, addr) : undefined;
    if (h?.xtension !== 'BINTABLE' || h.axes.length !== 2) return close(fh);
    let c: TableColumn;
    try {
      c = findColumn(h, column, spec);
    } catch {
      return close(fh);
    }
    const [rowBytes, rows] = h.axes;
    const numeric = c.code === 'A' ? undefined : safe(() => numericColumn(h, column, spec));
    if (c.code !== 'A' && (!numeric || numeric.repeat !== 1)) return close(fh);
    return {
      length: rows,
      async read(first, count) {
        const b = await records(fh, spec, h.dataOffset, rowBytes, first, count);
        return numeric ? Array.from(decodeCells(b, count, rowBytes, numeric), (v) => String(v)) : cellStrings(b, count, rowBytes, c);
      },
      close: () => fh.close(),
    };
  } catch (e) {
    await fh.close();
    throw e;
  }
}

async function close(fh: FileHandle): Promise<undefined> {
  await fh.close();
  return undefined;
}

function safe<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

/** A 1-D .npy read by offset (anything else read whole, which says what is wrong). */
async function npyIds(spec: string): Promise<Unsized> {
  const whole = async (): Promise<Unsized> => {
    const a = parseNpy(await readBytes(spec), spec);
    if (a.shape.length !== 1) throw new InputError(`${spec}: IDs must be a 1-D array, got shape (${a.shape.join(', ')})`);
    return inMemory(Array.from(a.data, (v) => String(v)));
  };
  const fh = await open(spec, 'r').catch(() => undefined);
  if (!fh) return whole();
  try {
    const st = await fh.stat();
    const h = st.isFile() ? await npyLayout(fh, spec, st.size) : undefined;
    if (!h || h.shape.length !== 1) {
      await fh.close();
      return whole();
    }
    const size = DTYPE_BYTES[h.dtype];
    return {
      length: h.shape[0],
      read: async (first, count) =>
        Array.from(decodeElements(await records(fh, spec, h.dataOffset, size, first, count), 0, count, h.dtype, h.littleEndian), (v) => String(v)),
      close: () => fh.close(),
    };
  } catch (e) {
    await fh.close();
    throw e;
  }
}

/**
 * A text file of IDs, one per line (the first comma-separated field, trimmed), read by
 * blocks. The opening pass checks it — no empty line before the last ID — and counts the
 * IDs; `read` goes on from where the last call stopped, or starts the file again.
 */
class TextIds implements IdSource {
  private cursor?: { at: number; lines: AsyncGenerator<string> };

  private constructor(private readonly spec: string, readonly length: number, readonly width: number, private readonly header: boolean) {}

  static async open(spec: string): Promise<TextIds> {
    let count = 0;
    let width = 1;
    let header = false;
    let gap = 0; // the first empty line since the last ID
    let line = 0;
    for await (const id of fields(spec)) {
      line++;
      if (line === 1 && /^(object_?)?id$/i.test(id)) {
        header = true;
        continue;
      }
      if (id === '') {
        if (gap === 0) gap = line;
        continue;
      }
      if (gap > 0) throw new InputError(`${spec}: line ${gap} has no ID; give one ID per line`);
      count++;
      width = Math.max(width, id.length);
    }
    return new TextIds(spec, count, width, header);
  }

  async read(first: number, count: number): Promise<string[]> {
    if (first < 0 || first + count > this.length) throw new RangeError(`${this.spec}: IDs ${first}..${first + count} of ${this.length}`);
    if (!this.cursor || this.cursor.at > first) {
      await this.cursor?.lines.return(undefined);
      this.cursor = { at: 0, lines: this.ids() };
    }
    const out: string[] = [];
    while (this.cursor.at < first + count) {
      const next = await this.cursor.lines.next();
      if (next.done) throw new InputError(`${this.spec}: fewer IDs than when it was opened: was the file changed during the run?`);
      if (this.cursor.at++ >= first) out.push(next.value);
    }
    return out;
  }

  async close(): Promise<void> {
    await this.cursor?.lines.return(undefined);
    this.cursor = undefined;
  }

  /** The IDs in order (the checks were made by `open`). */
  private async *ids(): AsyncGenerator<string> {
    let line = 0;
    for await (const id of fields(this.spec)) {
      if (line++ === 0 && this.header) continue;
      if (id !== '') yield id;
    }
  }
}

/** The first comma-separated field of each line of a UTF-8 text file, trimmed, read by blocks. */
async function* fields(spec: string): AsyncGenerator<string> {
  const fh = await open(spec, 'r').catch((e) => {
    throw fsMessage(e, spec, 'read');
  });
  try {
    const decoder = new TextDecoder();
    const block = Buffer.allocUnsafe(BLOCK_BYTES);
    let rest = '';
    for (;;) {
      const { bytesRead } = await fh.read(block, 0, block.length, null).catch((e) => {
        throw fsMessage(e, spec, 'read'); // e.g. a directory
      });
      const text = rest + decoder.decode(block.subarray(0, bytesRead), { stream: bytesRead > 0 });
      const lines = text.split('\n');
      rest = lines.pop()!;
      for (const l of lines) yield l.split(',')[0].trim();
      if (bytesRead === 0) break;
    }
    if (rest !== '') yield rest.split(',')[0].trim();
  } finally {
    await fh.close();
  }
}
