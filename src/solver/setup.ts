// What every run does first, in-process (solve.ts) or distributed (cluster/driver.ts):
// resolve the options, check the stacks, and fix the run's noise level σ (§4). A
// distributed run reads its stacks by objects (`setupStreamed`): the checks and σ are
// passes over the source, and the driver never holds the stack.

import { InputError } from '../errors.ts';
import type { PsfShape, StackShape } from '../kernels/index.ts';
import { median } from '../common/median.ts';
import type { StackSource } from '../common/types.ts';
import { noiseSigmaOf, runNoiseSigma } from './method.ts';
import { resolveOptions, type SolverOptions } from './options.ts';
import {
  stackShape, psfShape, stackShapeOf, psfShapeOf, requireFinite, requireNonZeroPsfs, PsfSumCheck, PsfCentroidCheck, type Stack,
} from './validate.ts';

export interface RunSetup {
  options: SolverOptions;
  shape: StackShape;
  psf: PsfShape;
  /** The run's noise level σ (§4): the one σ, or the median of the σ_i given per object. */
  noiseSigma: number;
  /** σ_i of each object, when given per object (e.g. --noise-est FILE); they go into W⁽⁰⁾. */
  noiseSigmas?: Float64Array;
}

/** Objects per read when a stack is streamed: 1.7 MB of float32 at 41×41. */
export const CHUNK_OBJECTS = 256;

export function setupRun(y: Stack, psf: Stack, given: Partial<SolverOptions> = {}, perObjectSigma?: ArrayLike<number>): RunSetup {
  const options = resolveOptions(given);
  const shape = stackShape(y, 'input');
  const pshape = psfShape(psf, shape, 'psf');
  if (perObjectSigma !== undefined) return { options, shape, psf: pshape, ...perObjectNoise(perObjectSigma, shape.n) };
  return { options, shape, psf: pshape, noiseSigma: requireNoise(runNoiseSigma(y.data, options)) };
}

/** The run's σ from σ_i given per object (their median), after checking them. */
function perObjectNoise(given: ArrayLike<number>, n: number): { noiseSigma: number; noiseSigmas: Float64Array } {
  const noiseSigmas = Float64Array.from(given);
  if (noiseSigmas.length !== n) throw new InputError(`${noiseSigmas.length} noise levels for ${n} objects; give one per object`);
  const bad = noiseSigmas.findIndex((v) => !(v > 0 && v < Infinity));
  if (bad >= 0) throw new InputError(`object ${bad} has the noise level ${noiseSigmas[bad]}; every σ must be a positive number`);
  return { noiseSigma: median(noiseSigmas), noiseSigmas };
}

/** σ estimated from the data; a MAD of 0 (constant or mostly constant data) cannot weight the prior. */
function requireNoise(noiseSigma: number): number {
  if (!(noiseSigma > 0 && Number.isFinite(noiseSigma))) {
    throw new InputError(`the noise level estimated from the input (1.4826·MAD) is ${noiseSigma}: the data are constant or mostly constant; give the noise σ with --noise-est`);
  }
  return noiseSigma;
}

/** Callers' views of the setup's passes over each stack: every chunk, in order, once. */
export interface StackTaps {
  input?(chunk: Float32Array | Float64Array): void;
  psf?(chunk: Float32Array | Float64Array): void;
}

/**
 * setupRun over stacks read by objects, with the same checks and errors (named after
 * `names`) and the same σ, bit for bit. Also returns the PSF-sum warning, if any. `taps`
 * see each stack once, as the checks read it (the cluster hashes them into the run id).
 */
export async function setupStreamed(
  y: StackSource, psf: StackSource, given: Partial<SolverOptions> = {}, names = { input: 'input', psf: 'psf' },
  perObjectSigma?: ArrayLike<number>, taps: StackTaps = {},
): Promise<RunSetup & { psfWarnings: string[] }> {
  const options = resolveOptions(given);
  const shape = stackShapeOf(y.shape, names.input);
  const pshape = psfShapeOf(psf.shape, shape, names.psf);
  const npix = shape.ny * shape.nx;
  const kpix = pshape.ky * pshape.kx;
  await eachChunk(y, shape.n, (chunk, first) => {
    requireFinite(chunk, npix, names.input, first);
    taps.input?.(chunk);
  });
  const sums = new PsfSumCheck(pshape, names.psf);
  const centroids = new PsfCentroidCheck(pshape, names.psf);
  await eachChunk(psf, pshape.n, (chunk, first) => {
    requireFinite(chunk, kpix, names.psf, first);
    requireNonZeroPsfs(chunk, kpix, names.psf, first);
    sums.add(chunk, first);
    centroids.add(chunk, first);
    taps.psf?.(chunk);
  });
  const psfWarnings = [sums.warning(), centroids.warning()].filter((w): w is string => w !== undefined);
  if (perObjectSigma !== undefined) return { options, shape, psf: pshape, ...perObjectNoise(perObjectSigma, shape.n), psfWarnings };
  const noiseSigma = requireNoise(options.noiseEst ?? await noiseSigmaOf((visit) => eachChunk(y, shape.n, visit), shape.n * npix));
  return { options, shape, psf: pshape, noiseSigma, psfWarnings };
}

/**
 * Feeds `n` objects of `s` to `f` in order, CHUNK_OBJECTS at a time, with each chunk's
 * first object. The next chunk is read while `f` works on this one (a file read runs off
 * the main thread), so a pass costs about the larger of the two, not their sum.
 */
export async function eachChunk(
  s: StackSource, n: number, f: (chunk: Float32Array | Float64Array, first: number) => void | Promise<void>,
): Promise<void> {
  const read = (first: number) => {
    const p = s.read(first, Math.min(CHUNK_OBJECTS, n - first));
    p.catch(() => {}); // awaited below, unless `f` failed first
    return p;
  };
  let next = n > 0 ? read(0) : undefined;
  for (let first = 0; first < n; first += CHUNK_OBJECTS) {
    const chunk = await next!;
    next = first + CHUNK_OBJECTS < n ? read(first + CHUNK_OBJECTS) : undefined;
    await f(chunk, first);
  }
}
