/**
 * File-level array I/O: picks FITS or .npy by extension, maps file-system failures to
 * FileError and writes atomically (temporary file in the target directory, then rename).
 */
import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { unlinkSync } from 'node:fs';
import { access, link, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { FileError, InputError, OptionError } from '../errors.ts';
import { encodeFits, findCard, parseFits, type Bitpix, type FitsCard, type FitsHdu } from './fits.ts';
import { readTableColumn } from './fits-table.ts';
import type { NdArray } from './ndarray.ts';
import { encodeNpy, parseNpy } from './npy.ts';

export type { DType, NdArray } from './ndarray.ts';
export type { Bitpix, FitsCard, FitsHdu, EncodeFitsOptions, IntScaling } from './fits.ts';
export { parseFits, encodeFits, encodeFitsImageExtension, chooseIntScaling, findCard } from './fits.ts';
export { parseNpy, encodeNpy } from './npy.ts';
export { encodeBinTable, binTableParts, readTableColumn, readTableStrings, tableColumns, type OutColumn } from './fits-table.ts';
export { openIds, readIds, type IdSource } from './ids.ts';

export type Format = 'fits' | 'npy';

const ACCEPTED = '.fits, .fit, .fts or .npy';

/**
 * The format of a path, from its extension (case-insensitive). An unsupported type is an
 * error in the data (exit 1) for a file to read, a usage error (exit 2) for one to write.
 */
export function formatOf(path: string, role: 'read' | 'write' = 'write'): Format {
  const lower = path.toLowerCase();
  if (/\.(fits|fit|fts)$/.test(lower)) return 'fits';
  if (lower.endsWith('.npy')) return 'npy';
  const E = role === 'read' ? InputError : OptionError;
  if (/\.(fits|fit|fts)\.(gz|bz2|z|zip|xz)$/.test(lower)) {
    throw new E(`${path}: compressed FITS not supported, gunzip first (accepted: ${ACCEPTED})`);
  }
  if (lower.endsWith('.fz')) {
    throw new E(`${path}: tile-compressed FITS (.fz) not supported, funpack it first (accepted: ${ACCEPTED})`);
  }
  if (lower.endsWith('.npz')) {
    throw new E(`${path}: .npz archives are not supported; save each array with numpy.save as .npy (accepted: ${ACCEPTED})`);
  }
  throw new E(`${path}: unknown file type; use a file name ending in ${ACCEPTED}`);
}

/**
 * A file and, for FITS, the part of it to read, astropy/CFITSIO style: `f.fits[1]` (HDU
 * index, 0 = primary), `f.fits[SCI]` (EXTNAME), `f.fits[SCI,2]` (EXTNAME and EXTVER),
 * and for a binary table a column: `f.fits[STAMPS][FLUX]` or `f.fits[1][FLUX]`.
 */
export interface Address {
  file: string;
  hdu?: number | { name: string; ver?: number };
  column?: string;
}

export function parseAddress(spec: string): Address {
  const m = /^(.*?\.(?:fits|fit|fts))(?:\[([^\][]*)\])?(?:\[([^\][]*)\])?$/i.exec(spec);
  if (!m || m[2] === undefined) return { file: spec };
  const sel = m[2].trim();
  let hdu: Address['hdu'];
  if (/^\d+$/.test(sel)) hdu = Number(sel);
  else {
    const [name, ver, ...rest] = sel.split(',').map((x) => x.trim());
    if (!name || rest.length > 0 || (ver !== undefined && !/^\d+$/.test(ver))) {
      throw new OptionError(`${spec}: cannot read the HDU selector [${sel}]; write file.fits[1], file.fits[SCI] or file.fits[SCI,2]`);
    }
    hdu = ver === undefined ? { name } : { name, ver: Number(ver) };
  }
  const column = m[3]?.trim();
  if (column === '') throw new OptionError(`${spec}: empty column name; write file.fits[EXT][COLUMN]`);
  return { file: m[1], hdu, ...(column ? { column } : {}) };
}

export function fsMessage(err: unknown, path: string, doing: 'read' | 'write'): FileError {
  const code = (err as NodeJS.ErrnoException)?.code;
  const what =
    code === 'ENOENT'
      ? doing === 'read'
        ? 'no such file'
        : 'the directory does not exist'
      : code === 'EISDIR'
        ? 'it is a directory, not a file'
        : code === 'ENOTDIR'
          ? 'a part of the path is not a directory'
          : code === 'EACCES' || code === 'EPERM'
            ? 'permission denied'
            : code === 'ENOSPC'
              ? 'no space left on the device'
              : code === 'EROFS'
                ? 'read-only file system'
                : ((err as Error)?.message ?? String(err));
  const fix = doing === 'read' ? 'check the path and permissions' : 'check the output path, its directory and permissions';
  return new FileError(`cannot ${doing} ${path}: ${what}; ${fix}`);
}

/** An array read from a file, with the FITS primary header (empty for .npy). */
export interface ReadResult extends NdArray {
  header: FitsCard[];
}

export async function readBytes(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (err) {
    throw fsMessage(err, path, 'read');
  }
}

export function selectHdu(hdus: FitsHdu[], sel: NonNullable<Address['hdu']>, spec: string): FitsHdu {
  if (typeof sel === 'number') {
    const h = hdus[sel];
    if (!h) throw new InputError(`${spec}: has no HDU ${sel} (it has ${hdus.length}: 0..${hdus.length - 1})`);
    return h;
  }
  const name = (h: FitsHdu) => String(findCard(h.header, 'EXTNAME')?.value ?? '').trim().toUpperCase();
  const ver = (h: FitsHdu) => Number(findCard(h.header, 'EXTVER')?.value ?? 1);
  const h = hdus.find((x) => name(x) === sel.name.toUpperCase() && (sel.ver === undefined || ver(x) === sel.ver));
  if (!h) {
    const names = hdus.map(name).filter((x) => x !== '');
    throw new InputError(`${spec}: no HDU named ${sel.name}${sel.ver !== undefined ? ` with EXTVER ${sel.ver}` : ''} (named HDUs: ${names.join(', ') || 'none'})`);
  }
  return h;
}

/**
 * Reads an array from a FITS or .npy file. FITS: the HDU (and table column) named in the
 * address (see `Address`), else the first HDU with image data (primary, else the first
 * IMAGE extension).
 */
export async function readArray(spec: string): Promise<ReadResult> {
  const addr = parseAddress(spec);
  const format = formatOf(addr.file, 'read');
  const buf = await readBytes(addr.file);
  if (format === 'npy') return { ...parseNpy(buf, spec), header: [] };
  const hdus = parseFits(buf, addr.file);
  const header = hdus[0].header;
  if (addr.hdu === undefined) {
    const found = hdus.find((h) => h.data !== null);
    if (!found?.data) {
      const table = hdus.findIndex((h) => h.table !== undefined);
      const hint = table >= 0 ? `; HDU ${table} is a binary table: name its column, e.g. ${addr.file}[${table}][COLUMN]` : '';
      throw new InputError(`${spec}: no HDU holds image data (${hdus.length} HDU${hdus.length === 1 ? '' : 's'} read)${hint}`);
    }
    return { ...found.data, header };
  }
  const h = selectHdu(hdus, addr.hdu, spec);
  if (addr.column !== undefined) return { ...readTableColumn(h, addr.column, spec), header };
  if (!h.data) {
    const kind = String(findCard(h.header, 'XTENSION')?.value ?? 'primary').trim();
    const hint = h.table ? '; it is a binary table: name the column, file.fits[EXT][COLUMN]' : '; choose another HDU';
    throw new InputError(`${spec}: that HDU (${kind}) holds no image data${hint}`);
  }
  return { ...h.data, header };
}

/**
 * A vector of numbers (e.g. one noise level per object): every value of a FITS or .npy
 * array (any shape, C order), or a text/CSV file with one number per line (a header line
 * that is not a number is skipped).
 */
export async function readValues(spec: string): Promise<Float64Array> {
  if (/\.(fits|fit|fts|npy)(\[.*\])?$/i.test(spec)) return Float64Array.from((await readArray(spec)).data);
  const lines = new TextDecoder().decode(await readBytes(spec)).split(/\r?\n/).map((l) => l.split(',')[0].trim());
  while (lines.length > 0 && lines.at(-1) === '') lines.pop();
  if (lines.length > 0 && !/^[+-]?(\d|\.\d)/.test(lines[0])) lines.shift();
  const out = new Float64Array(lines.length);
  lines.forEach((l, i) => {
    const v = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(l) ? Number(l) : NaN;
    if (!Number.isFinite(v)) throw new InputError(`${spec}: line ${i + 1} is not a number (${JSON.stringify(l.slice(0, 40))}); give one number per line`);
    out[i] = v;
  });
  return out;
}

export interface WriteArrayOptions {
  /** Replace an existing file (default: refuse with FileError). */
  overwrite?: boolean;
  /** FITS only: extra header cards. */
  cards?: FitsCard[];
  /** FITS only: HISTORY lines. */
  history?: string[];
  /** FITS only: -32 (default for Float32Array) or -64. */
  bitpix?: Bitpix;
  /** FITS only: extension HDUs (encoded) to append after the image. */
  extensions?: Uint8Array[];
}

/**
 * Writes an array as FITS (BITPIX -32 for Float32Array, -64 for Float64Array) or .npy,
 * by extension, atomically (see `writeBytesAtomic`). FITS cards/history are ignored for
 * .npy.
 */
export async function writeArray(
  path: string,
  data: Float32Array | Float64Array,
  shape: number[],
  opts: WriteArrayOptions = {},
): Promise<void> {
  await writeBytesAtomic(path, encodeArray(path, data, shape, opts), opts.overwrite === true);
}

/** The bytes `writeArray` would write (FITS or .npy by extension). */
export function encodeArray(path: string, data: Float32Array | Float64Array, shape: number[], opts: WriteArrayOptions = {}): Uint8Array {
  if (formatOf(path) === 'npy') return encodeNpy(opts.bitpix === -64 && data instanceof Float32Array ? Float64Array.from(data) : data, shape);
  const main = encodeFits(data, shape, { cards: opts.cards, history: opts.history, bitpix: opts.bitpix });
  if (!opts.extensions?.length) return main;
  const all = new Uint8Array(main.length + opts.extensions.reduce((n, e) => n + e.length, 0));
  all.set(main);
  let at = main.length;
  for (const e of opts.extensions) {
    all.set(e, at);
    at += e.length;
  }
  return all;
}

/** Writes UTF-8 text (e.g. a JSON report) atomically; see `writeBytesAtomic`. */
export async function writeTextAtomic(path: string, text: string, overwrite = false): Promise<void> {
  await writeBytesAtomic(path, new TextEncoder().encode(text), overwrite);
}

const refuse = (path: string): FileError =>
  new FileError(`refusing to overwrite ${path}: it already exists; use --overwrite to replace it`);

async function checkDir(path: string): Promise<string> {
  const dir = dirname(path);
  let st;
  try {
    st = await stat(dir);
  } catch {
    throw new FileError(`cannot write ${path}: directory ${dir} does not exist; create it first`);
  }
  if (!st.isDirectory()) throw new FileError(`cannot write ${path}: ${dir} is not a directory; check the output path`);
  return dir;
}

/** True if `path` exists; FileError if it is a directory. */
async function existsAsFile(path: string): Promise<boolean> {
  let st;
  try {
    st = await stat(path);
  } catch {
    return false;
  }
  if (st.isDirectory()) throw new FileError(`cannot write ${path}: it is a directory; choose a file name`);
  return true;
}

/**
 * Checks, before any long computation, that `path` could be written now: its directory
 * exists and is writable, it is not a directory, and it does not exist unless
 * `overwrite`. Throws FileError otherwise.
 */
export async function requireWritable(path: string, overwrite = false): Promise<void> {
  const dir = await checkDir(path);
  if ((await existsAsFile(path)) && !overwrite) throw refuse(path);
  try {
    await access(dir, fsConstants.W_OK);
  } catch (err) {
    throw fsMessage(err, path, 'write');
  }
}

/** Temporary files being written now: removed by `removeTempFiles` (e.g. on SIGINT). */
const pendingTemps = new Set<string>();

/** Removes, synchronously, every temporary file a write in progress has created (for signal handlers). */
export function removeTempFiles(): void {
  for (const t of pendingTemps) {
    try {
      unlinkSync(t);
    } catch {
      /* already gone */
    }
  }
  pendingTemps.clear();
}

/** A file to write: its bytes, or already staged. */
export type OutFile = { path: string; bytes: Uint8Array } | StagedFile;

/** A file written to a temporary name, waiting to be moved into place. */
export interface StagedFile {
  path: string;
  /** Moves the file into place (FileError if `path` appeared meanwhile without overwrite). */
  commit(): Promise<void>;
  /** Removes the temporary file. */
  abort(): Promise<void>;
}

/**
 * Writes `bytes` to a temporary file in `path`'s directory, to be committed or aborted
 * (see `stageFile`).
 */
export async function stageBytes(path: string, bytes: Uint8Array, overwrite = false): Promise<StagedFile> {
  const staged = await stageFile(path, overwrite);
  try {
    const fh = await open(staged.temp, 'wx');
    try {
      await fh.writeFile(bytes);
    } finally {
      await fh.close();
    }
  } catch (err) {
    await staged.abort();
    throw fsMessage(err, path, 'write');
  }
  return staged;
}

/**
 * A temporary file's name in `path`'s directory (not created yet), registered for
 * `removeTempFiles`, to be committed (renamed over `path` with overwrite, else hard-linked
 * to it so that a file created meanwhile is never replaced) or aborted. FileError if the
 * directory is missing or not writable, or `path` exists and `overwrite` is false.
 */
export async function stageFile(path: string, overwrite = false): Promise<StagedFile & { temp: string }> {
  const dir = await checkDir(path);
  if ((await existsAsFile(path)) && !overwrite) throw refuse(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  pendingTemps.add(tmp);
  const drop = async (): Promise<void> => {
    if (!pendingTemps.delete(tmp)) return;
    await unlink(tmp).catch(() => undefined);
  };
  return {
    path,
    temp: tmp,
    abort: drop,
    async commit() {
      try {
        if (overwrite) {
          await rename(tmp, path);
        } else {
          // link() fails with EEXIST instead of replacing a file created meanwhile.
          try {
            await link(tmp, path);
          } catch (err) {
            const code = (err as NodeJS.ErrnoException).code;
            if (code === 'EEXIST') throw refuse(path);
            if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV' && code !== 'EMLINK') throw err;
            // File system without hard links: fall back to check-then-rename.
            if (await existsAsFile(path)) throw refuse(path);
            await rename(tmp, path);
          }
        }
      } catch (err) {
        if (err instanceof FileError) throw err;
        throw fsMessage(err, path, 'write');
      } finally {
        await drop();
      }
    },
  };
}

/**
 * Writes `bytes` to `path` atomically for readers and against crashes of this process
 * (see `stageBytes`). Not fsync'ed (for a 134 MB cube that would add ~0.3 s).
 */
export async function writeBytesAtomic(path: string, bytes: Uint8Array, overwrite = false): Promise<void> {
  await writeFilesAtomic([{ path, bytes }], overwrite);
}

/**
 * Writes several files all or nothing, as far as a file system allows: every file is
 * staged first; only when all are staged are they moved into place. On a failure the
 * staged files are removed and the files already moved into place by this call are
 * removed again (only those this call created; a replaced file cannot be restored).
 */
export async function writeFilesAtomic(files: OutFile[], overwrite = false): Promise<void> {
  // Files already staged (e.g. a stack written by parts) are this call's to commit or abort.
  const given = files.filter((f): f is StagedFile => 'commit' in f);
  const staged: StagedFile[] = [];
  const created: string[] = [];
  try {
    for (const f of files) staged.push('commit' in f ? f : await stageBytes(f.path, f.bytes, overwrite));
    for (const s of staged) {
      const existed = await existsAsFile(s.path);
      await s.commit();
      if (!existed) created.push(s.path);
    }
  } catch (err) {
    await Promise.all([...staged, ...given].map((s) => s.abort()));
    await Promise.all(created.map((p) => unlink(p).catch(() => undefined)));
    throw err;
  }
}
