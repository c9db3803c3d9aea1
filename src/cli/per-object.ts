// `run`'s per-object inputs besides stamps and PSFs: noise levels σ_i (--noise-est FILE)
// and pixel weights (--mask, --mask-nan), checked against the input.

import { existsSync } from 'node:fs';
import { InputError, OptionError } from '../errors.ts';
import { parseAddress, readValues } from '../io/index.ts';
import { openStack, type StackFile } from '../io/stack-source.ts';
import { objectsOf, valuesPerObject, type StackSource } from '../common/types.ts';
import { eachChunk, maskChunk, type MaskedChunk } from '../solver/index.ts';
import type { Parsed } from './args.ts';
import type { RunLog } from './progress.ts';
import { noiseNumber } from './run-options.ts';
import { readFor } from './read.ts';

/** The run's per-object inputs, and the input as the solver sees it (NaN under a weight of 0 read as 0). */
export interface RunPerObject {
  sigma?: Float64Array;
  /** Pixel weights, read by objects (the --mask file's, NaN pixels' set to 0). */
  mask?: StackSource;
  input: StackFile;
  /** The --mask file. */
  weights?: StackFile;
}

/**
 * Per-object inputs: σ_i from a --noise-est file, the --mask weights, NaN pixels masked
 * with --mask-nan (their values become 0). Checked against the input's shape, in one pass
 * over the input and the mask before any compute; messages name the file, the object and
 * the value. Nothing is held whole: the masked input and the weights are read by objects,
 * by offset, as the stacks are. Opened files are added to `opened` (the caller closes them).
 */
export async function perObjectInputs(a: Parsed, y: StackFile, log: RunLog, opened: { close(): Promise<void> }[]): Promise<RunPerObject> {
  const n = objectsOf(y.shape);
  const npix = valuesPerObject(y.shape);
  const out: RunPerObject = { input: y };
  const noise = a['noise-est'] as string | undefined;
  if (noise !== undefined && noiseNumber(a) === undefined) {
    if (!existsSync(parseAddress(noise).file)) {
      throw new OptionError(`--noise-est ${noise} is neither a number nor an existing file; give σ, or a file of one σ per object`);
    }
    const s = await readFor('--noise-est', () => readValues(noise));
    if (s.length !== n) throw new InputError(`--noise-est ${noise} has ${s.length} values for ${n} objects; give one σ per object`);
    const bad = s.findIndex((v) => !(v > 0 && v < Infinity));
    if (bad >= 0) throw new InputError(`--noise-est ${noise}: object ${bad} has σ = ${s[bad]}; every σ must be a positive number`);
    out.sigma = s;
  }
  let weights: StackFile | undefined;
  if (a.mask) {
    weights = await readFor('--mask', () => openStack(a.mask as string));
    opened.push(weights);
    if (weights.shape.join() !== y.shape.join()) {
      throw new InputError(`--mask ${String(a.mask)} has shape (${weights.shape.join(', ')}) but the input has (${y.shape.join(', ')}); give one weight per pixel`);
    }
  }
  const nanMasked = a['mask-nan'] === true;
  if (!weights && !nanMasked) return out;
  const masked = new MaskedInput(y, weights, nanMasked);
  // The checks' pass: weights in [0, 1], NaN pixels counted, objects left without a pixel.
  let nan = 0;
  let nanObjects = 0;
  let firstNan = -1;
  let empty = -1;
  await eachChunk(y, n, async (values, first) => {
    const count = values.length / npix;
    const w = weights && await weights.read(first, count);
    const bad = w ? w.findIndex((v) => !(v >= 0 && v <= 1)) : -1;
    if (bad >= 0) {
      throw new InputError(`--mask ${String(a.mask)}: object ${first + Math.floor(bad / npix)} has the weight ${w![bad]} at pixel ${bad % npix}; weights must be in [0, 1] (divide by the largest)`);
    }
    const m = masked.chunk(values, w);
    for (let j = 0; j < count; j++) {
      let k = 0;
      for (let q = j * npix; m.nanMasked && q < (j + 1) * npix; q++) k += m.nanMasked[q];
      nan += k;
      if (k > 0) nanObjects++;
      if (k > 0 && firstNan < 0) firstNan = first + j;
      if (empty < 0 && m.mask && m.mask.subarray(j * npix, (j + 1) * npix).every((v) => v === 0)) empty = first + j;
    }
  });
  if (nan > 0) log.warn(`--input ${String(a.input)}: ${nan} NaN pixel${nan > 1 ? 's' : ''} in ${nanObjects} object${nanObjects > 1 ? 's' : ''} masked (--mask-nan; first: object ${firstNan})`);
  if (!weights && nan === 0) return out; // --mask-nan and no NaN: an unmasked run
  if (empty >= 0) log.warn(`object ${empty} has no unmasked pixel: only the prior shapes its output`);
  return {
    ...out, weights,
    input: { ...y, read: (first, count) => masked.input(first, count) },
    mask: { shape: y.shape, read: (first, count) => masked.mask(first, count) },
  };
}

/**
 * The input with its NaN pixels under a weight of 0 (or, with --mask-nan, any NaN pixel)
 * read as 0, and the weights with --mask-nan's NaN pixels at 0 (all others 1 without a
 * --mask file): the values the solver is given, read by objects. The last chunk is kept,
 * as the driver reads a partition's input and then its mask.
 */
class MaskedInput {
  private last?: { first: number; count: number; chunk: Promise<MaskedChunk> };

  constructor(private readonly y: StackSource, private readonly weights: StackSource | undefined, private readonly nanMasked: boolean) {}

  async input(first: number, count: number): Promise<Float32Array | Float64Array> {
    const raw = await this.y.read(first, count);
    return raw.some((v) => v !== v) ? (await this.cached(first, count)).values : raw;
  }

  async mask(first: number, count: number): Promise<Float32Array> {
    if (!this.nanMasked) return Float32Array.from(await this.weights!.read(first, count));
    return (await this.cached(first, count)).mask!;
  }

  private cached(first: number, count: number): Promise<MaskedChunk> {
    if (this.last?.first !== first || this.last.count !== count) {
      const read = async () => this.chunk(await this.y.read(first, count), this.weights && await this.weights.read(first, count));
      this.last = { first, count, chunk: read() };
    }
    return this.last.chunk;
  }

  /** A chunk of objects from their raw input and weights (as read from the files). */
  chunk(raw: Float32Array | Float64Array, weights: Float32Array | Float64Array | undefined): MaskedChunk {
    return maskChunk(raw, weights, this.nanMasked);
  }
}
