/**
 * File-level array I/O: picks FITS or .npy by extension, maps file-system failures to
 * FileError and writes atomically (temporary file in the target directory, then rename).
 */
import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { access, link, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { FileError, InputError, OptionError } from '../errors.ts';
import { encodeFits, parseFits, type FitsCard } from './fits.ts';
import type { NdArray } from './ndarray.ts';
import { encodeNpy, parseNpy } from './npy.ts';

export type { DType, NdArray } from './ndarray.ts';
export type { Bitpix, FitsCard, FitsHdu, EncodeFitsOptions, IntScaling } from './fits.ts';
export { parseFits, encodeFits, encodeFitsImageExtension, chooseIntScaling, findCard } from './fits.ts';
export { parseNpy, encodeNpy } from './npy.ts';

export type Format = 'fits' | 'npy';

const ACCEPTED = '.fits, .fit, .fts or .npy';

/** The format of a path, from its extension (case-insensitive). */
export function formatOf(path: string): Format {
  const lower = path.toLowerCase();
  if (/\.(fits|fit|fts)$/.test(lower)) return 'fits';
  if (lower.endsWith('.npy')) return 'npy';
  if (/\.(fits|fit|fts)\.(gz|bz2|z|zip|xz)$/.test(lower)) {
    throw new OptionError(`${path}: compressed FITS not supported, gunzip first (accepted: ${ACCEPTED})`);
  }
  if (lower.endsWith('.fz')) {
    throw new OptionError(`${path}: tile-compressed FITS (.fz) not supported, funpack it first (accepted: ${ACCEPTED})`);
  }
  if (lower.endsWith('.npz')) {
    throw new OptionError(`${path}: .npz archives are not supported; save each array with numpy.save as .npy (accepted: ${ACCEPTED})`);
  }
  throw new OptionError(`${path}: unknown file type; use a file name ending in ${ACCEPTED}`);
}

function fsMessage(err: unknown, path: string, doing: 'read' | 'write'): FileError {
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

/**
 * Reads an array from a FITS or .npy file. FITS: the HDU `opts.hdu` (0 = primary), else
 * the first HDU with image data (primary, else the first IMAGE extension).
 */
export async function readArray(path: string, opts: { hdu?: number } = {}): Promise<NdArray> {
  const format = formatOf(path);
  const { hdu } = opts;
  if (hdu !== undefined && (!Number.isSafeInteger(hdu) || hdu < 0)) {
    throw new OptionError(`${path}: HDU index ${hdu} is invalid; use 0 for the primary HDU, 1 for the first extension, ...`);
  }
  let buf: Uint8Array;
  try {
    buf = await readFile(path);
  } catch (err) {
    throw fsMessage(err, path, 'read');
  }
  if (format === 'npy') {
    if (hdu !== undefined && hdu !== 0) throw new OptionError(`${path}: an HDU index applies to FITS files only, not .npy`);
    return parseNpy(buf, path);
  }
  const hdus = parseFits(buf, path);
  if (hdu !== undefined) {
    const h = hdus[hdu];
    if (!h) throw new InputError(`${path}: has no HDU ${hdu} (it has ${hdus.length}: 0..${hdus.length - 1})`);
    if (!h.data) {
      const kind = hdu === 0 ? 'the primary HDU' : `HDU ${hdu} (${String(h.header.find((c) => c.key === 'XTENSION')?.value ?? '?').trim()})`;
      throw new InputError(`${path}: ${kind} holds no image data; choose another HDU`);
    }
    return h.data;
  }
  const found = hdus.find((h) => h.data !== null);
  if (!found?.data) throw new InputError(`${path}: no HDU holds image data (${hdus.length} HDU${hdus.length === 1 ? '' : 's'} read)`);
  return found.data;
}

export interface WriteArrayOptions {
  /** Replace an existing file (default: refuse with FileError). */
  overwrite?: boolean;
  /** FITS only: extra header cards. */
  cards?: FitsCard[];
  /** FITS only: HISTORY lines. */
  history?: string[];
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
  const format = formatOf(path);
  const bytes = format === 'npy' ? encodeNpy(data, shape) : encodeFits(data, shape, { cards: opts.cards, history: opts.history });
  await writeBytesAtomic(path, bytes, opts.overwrite === true);
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

/**
 * Writes `bytes` to `path` atomically for readers and against crashes of this process:
 * the bytes go to a temporary file in the same directory, which is then renamed over
 * `path` (overwrite) or hard-linked to it (no overwrite: a file created meanwhile is
 * never replaced). The temporary file is removed on any failure. Not fsync'ed (for a
 * 134 MB cube that would add ~0.3 s). FileError if the directory is missing or not
 * writable, or `path` exists and `overwrite` is false.
 */
export async function writeBytesAtomic(path: string, bytes: Uint8Array, overwrite = false): Promise<void> {
  const dir = await checkDir(path);
  if ((await existsAsFile(path)) && !overwrite) throw refuse(path);

  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let tmpExists = false;
  try {
    const fh = await open(tmp, 'wx');
    tmpExists = true;
    try {
      await fh.writeFile(bytes);
    } finally {
      await fh.close();
    }
    if (overwrite) {
      await rename(tmp, path);
      tmpExists = false;
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
        tmpExists = false;
      }
    }
  } catch (err) {
    if (err instanceof FileError) throw err;
    throw fsMessage(err, path, 'write');
  } finally {
    if (tmpExists) await unlink(tmp).catch(() => undefined);
  }
}
