// The mosaic's rows for a sample of objects: observed, current or final estimate, truth,
// residual Y − H X̂ (with the kernels' own convolution, so it is the residual the solver
// sees) and PSF, with each object's NMSE and ellipticity error when the truth is known.
// Shared by --plots, --html and the live view (--serve).

import { Kernels } from '../kernels/index.ts';
import { psfShape, stackShape, type Stack } from '../solver/index.ts';
import { objectMetrics } from '../report/metrics.ts';
import { evenSample, type MosaicRow } from '../report/mosaic.ts';
import { OptionError } from '../errors.ts';
import type { StackSource } from '../common/types.ts';

export interface RunStacks {
  y: Stack;
  psf: Stack;
  truth?: Stack;
  /** Where each object is in these stacks, when they hold only some objects (pickedStacks). */
  index?: Map<number, number>;
}

/** Stacks of just `objects`, read from the files (the pictures never need more). */
export async function pickedStacks(
  s: { y: StackSource; psf: StackSource; truth?: StackSource }, objects: number[],
): Promise<RunStacks> {
  const pick = async (src: StackSource, shared = false): Promise<Stack> => {
    const ids = shared ? [0] : objects;
    const parts = await Promise.all(ids.map((i) => src.read(i, 1)));
    const data = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
    parts.forEach((p, j) => data.set(p, j * p.length));
    const [ny, nx] = src.shape.slice(-2);
    return { data, shape: [ids.length, ny, nx] };
  };
  return {
    y: await pick(s.y), psf: await pick(s.psf, s.psf.shape.length === 2), truth: s.truth && await pick(s.truth),
    index: new Map(objects.map((i, j) => [i, j])),
  };
}

/** The objects to show: `--mosaic-objects` if given (checked), else 8 evenly spaced. */
export function mosaicObjects(given: number[] | undefined, n: number): number[] {
  if (given === undefined) return evenSample(n);
  if (given.length === 0 || given.length > 32) throw new OptionError('--mosaic-objects takes 1 to 32 object indices');
  for (const i of given) {
    if (!Number.isInteger(i) || i < 0 || i >= n) throw new OptionError(`--mosaic-objects: ${i} is not an object index in [0, ${n - 1}]`);
  }
  return given;
}

/**
 * Rows for `objects`, whose estimates are `x` (object-major, in the order of `objects`).
 * Costs a convolution of those few objects only.
 */
export function mosaicRows(s: RunStacks, objects: number[], x: Float32Array, kernels: Kernels): MosaicRow[] {
  const shape = stackShape(s.y);
  const ps = psfShape(s.psf, shape);
  const npix = shape.ny * shape.nx, kpix = ps.ky * ps.kx;
  const k = objects.length;
  const pick = (data: ArrayLike<number>, per: number, shared = false): Float32Array => {
    const out = new Float32Array((shared ? 1 : k) * per);
    (shared ? [objects[0]] : objects).forEach((i, j) => {
      const from = shared ? 0 : (s.index?.get(i) ?? i) * per;
      for (let p = 0; p < per; p++) out[j * per + p] = data[from + p];
    });
    return out;
  };
  const y = pick(s.y.data, npix);
  const psfs = pick(s.psf.data, kpix, ps.n === 1);
  const hx = kernels.convolve(x, { n: k, ny: shape.ny, nx: shape.nx }, psfs, { n: ps.n === 1 ? 1 : k, ky: ps.ky, kx: ps.kx });
  const truth = s.truth ? pick(s.truth.data, npix) : undefined;
  const scores = truth ? objectMetrics(truth, x, k, shape.ny, shape.nx) : undefined;
  return objects.map((id, j) => {
    const at = (a: Float32Array) => a.subarray(j * npix, (j + 1) * npix);
    const residual = new Float32Array(npix);
    for (let p = 0; p < npix; p++) residual[p] = y[j * npix + p] - hx[j * npix + p];
    const psf = ps.n === 1 ? psfs : psfs.subarray(j * kpix, (j + 1) * kpix);
    return {
      id, observed: at(y), estimate: at(x), residual, psf: { data: psf, ky: ps.ky, kx: ps.kx },
      ...(truth && scores ? { truth: at(truth), nmse: scores.nmse[j], ellipticityError: scores.ellipticityError[j] } : {}),
    };
  });
}

/** The estimates of `objects` out of a whole stack x. */
export function pickObjects(x: Float32Array, objects: number[], npix: number): Float32Array {
  const out = new Float32Array(objects.length * npix);
  objects.forEach((i, j) => out.set(x.subarray(i * npix, (i + 1) * npix), j * npix));
  return out;
}
