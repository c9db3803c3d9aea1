// Writing a stack by objects as they arrive, into a temporary file beside the target at
// each object's offset, so a writer never holds the stack. `finish` writes the header
// (FITS: with the run's cards, known only at the end, in the room reserved for it) and
// hands back the staged file, which io's writeFilesAtomic publishes with the run's other
// files; `abort` removes it. The temporary file is registered like every staged file, so
// a signal removes it too. Until the commit nothing is visible under the target name.

import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { FileError, GaldeconError } from '../errors.ts';
import type { StackSink } from '../common/types.ts';
import { valuesPerObject, objectsOf } from '../common/types.ts';
import { BLOCK, encodeFitsHeader, type EncodeFitsOptions } from './fits.ts';
import { formatOf, stageFile, writeFilesAtomic, type StagedFile } from './index.ts';
import { HOST_LITTLE_ENDIAN, swapBytesInPlace } from './ndarray.ts';
import { encodeNpyHeader } from './npy.ts';

/** Spare header room (FITS) beyond the cards known at the start: 4 blocks, 144 cards. */
const SPARE_BLOCKS = 4;

export interface StackFileSink extends StackSink {
  readonly path: string;
  readonly shape: number[];
  /** Objects [first, first + count) as written so far (e.g. for metrics after the run). */
  read(first: number, count: number): Promise<Float32Array>;
  /** Writes the header (FITS: and `extensions` after the data); the file, staged, to be committed. */
  finish(header?: StackHeader): Promise<StagedFile>;
  /** finish, then publishes the file under its name. */
  commit(header?: StackHeader): Promise<void>;
  /** Removes the temporary file (safe after commit, and twice). */
  abort(): Promise<void>;
}

/** A stack's FITS header, and the extension HDUs after its data: encoded, or written by parts as they come. */
export type StackHeader = EncodeFitsOptions & { extensions?: (Uint8Array | AsyncIterable<Uint8Array>)[] };

/**
 * Creates the temporary file for a stack of `shape` to be published as `path`
 * (.fits/.fit/.fts or .npy), written from float32 values and stored as float32, or as
 * float64 with `bitpix` -64. `header`: FITS cards known now, to size the header's room.
 */
export async function createStackSink(
  path: string, shape: number[], opts: { overwrite?: boolean; header?: EncodeFitsOptions; bitpix?: -32 | -64 } = {},
): Promise<StackFileSink> {
  const format = formatOf(path);
  const bitpix = opts.bitpix ?? -32;
  const width = bitpix === -64 ? 8 : 4;
  let staged = await stageFile(path, opts.overwrite === true);
  let fh: FileHandle;
  try {
    fh = await open(staged.temp, 'wx+');
  } catch (e) {
    await staged.abort();
    throw new FileError(`cannot write ${path}: ${(e as Error).message}; check the output path, its directory and permissions`);
  }
  const per = valuesPerObject(shape);
  const n = objectsOf(shape);
  const dataBytes = n * per * width;
  const dtype = width === 8 ? 'float64' : 'float32';
  const reserved = format === 'npy'
    ? encodeNpyHeader(shape, dtype).length
    : encodeFitsHeader(shape, bitpix, opts.header).length + SPARE_BLOCKS * BLOCK;
  let state: 'open' | 'finished' | 'aborted' = 'open';
  const fail = (e: unknown): never => {
    throw new FileError(`cannot write ${path}: ${(e as Error).message}; check the space and permissions of ${dirname(path)}`);
  };
  // FITS data are big-endian, .npy's little-endian (as we write it).
  const swap = (format === 'fits') === HOST_LITTLE_ENDIAN;

  const sink: StackFileSink = {
    path, shape,
    async write(first, values) {
      if (values.length % per !== 0 || first + values.length / per > n) throw new RangeError(`objects ${first}+${values.length / per} of ${n}`);
      const stored = width === 8 ? Float64Array.from(values) : values;
      const bytes = new Uint8Array(stored.buffer, stored.byteOffset, stored.byteLength);
      const out = swap && stored === values ? bytes.slice() : bytes;
      if (swap) swapBytesInPlace(out, width);
      await fh.write(out, 0, out.length, reserved + first * per * width).catch(fail);
    },
    async read(first, count) {
      const b = new Uint8Array(count * per * width);
      await fh.read(b, 0, b.length, reserved + first * per * width).catch(fail);
      if (swap) swapBytesInPlace(b, width);
      return width === 8 ? Float32Array.from(new Float64Array(b.buffer)) : new Float32Array(b.buffer);
    },
    async finish(header) {
      if (state !== 'open') throw new Error(`${path}: the output was already ${state}`);
      try {
        if (format === 'npy') {
          await fh.write(encodeNpyHeader(shape, dtype), 0, reserved, 0);
        } else {
          const pad = (BLOCK - (dataBytes % BLOCK)) % BLOCK; // data padding: zeros
          if (pad > 0) await fh.write(new Uint8Array(pad), 0, pad, reserved + dataBytes);
          let at = reserved + dataBytes + pad;
          for (const x of header?.extensions ?? []) {
            for await (const part of x instanceof Uint8Array ? [x] : x) {
              await fh.write(part, 0, part.length, at);
              at += part.length;
            }
          }
          const head = encodeFitsHeader(shape, bitpix, header, reserved / BLOCK);
          if (head.length > reserved) {
            // More cards than the room kept for them: a new file, the data copied after the header.
            staged = await moved(fh, staged, opts.overwrite === true, head, reserved, at - reserved);
          } else {
            await fh.write(head, 0, head.length, 0);
          }
        }
        await fh.close();
        state = 'finished';
        return staged;
      } catch (e) {
        await sink.abort();
        if (e instanceof GaldeconError) throw e; // e.g. an extension's source failed
        return fail(e);
      }
    },
    async commit(header) {
      await writeFilesAtomic([await sink.finish(header)]);
    },
    async abort() {
      if (state === 'open') await fh.close().catch(() => {});
      if (state !== 'finished') state = 'aborted';
      await staged.abort();
    },
  };
  return sink;
}

/** A file written from its start in pieces, staged by `finish` as a stack sink is. */
export interface FileSink {
  write(bytes: Uint8Array | string): Promise<void>;
  finish(): Promise<StagedFile>;
  abort(): Promise<void>;
}

export async function createFileSink(path: string, overwrite = false): Promise<FileSink> {
  const staged = await stageFile(path, overwrite);
  const fail = (e: unknown): never => {
    throw new FileError(`cannot write ${path}: ${(e as Error).message}; check the space and permissions of ${dirname(path)}`);
  };
  const fh = await open(staged.temp, 'wx').catch(async (e) => {
    await staged.abort();
    return fail(e);
  });
  let open_ = true;
  return {
    async write(bytes) {
      await fh.write(typeof bytes === 'string' ? Buffer.from(bytes) : bytes).catch(fail);
    },
    async finish() {
      open_ = false;
      await fh.close();
      return staged;
    },
    async abort() {
      if (open_) await fh.close().catch(() => {});
      open_ = false;
      await staged.abort();
    },
  };
}

/** A new staged file: `head`, then the `bytes` at `from` of `fh` (whose staged file is removed). */
async function moved(
  fh: FileHandle, from_: StagedFile & { temp: string }, overwrite: boolean, head: Uint8Array, from: number, bytes: number,
): Promise<StagedFile & { temp: string }> {
  const next = await stageFile(from_.path, overwrite);
  const out = await open(next.temp, 'wx');
  try {
    await out.write(head, 0, head.length, 0);
    const chunk = Buffer.allocUnsafe(1 << 24);
    for (let at = 0; at < bytes; at += chunk.length) {
      const { bytesRead } = await fh.read(chunk, 0, Math.min(chunk.length, bytes - at), from + at);
      await out.write(chunk, 0, bytesRead, head.length + at);
    }
  } catch (e) {
    await out.close();
    await next.abort();
    throw e;
  }
  await out.close();
  await from_.abort();
  return next;
}
