/**
 * Synthetic survey stamps with a known truth: bulge + disk galaxies (`galaxy.ts`), each
 * observed through the PSF at its own focal-plane position (`psf.ts`), plus white Gaussian
 * noise.
 *
 * Determinism: object i's parameters come from the stream Rng(seed, STREAM_TRUTH, i) and
 * its noise from Rng(seed, STREAM_NOISE, i), so object i is the same whatever n is, and
 * the noise is independent of the truth. Draw order per object: u, v (uniform in
 * [−1, 1]), then the galaxy (`drawGalaxy`). The PSF parameters are a function of (u, v).
 *
 * Stacks are Float32Array (n, size, size), object-major, C order.
 */
import { InputError, OptionError } from '../errors.ts';
import { drawGalaxy, renderGalaxy, type GalaxyParams } from './galaxy.ts';
import { psfAt, renderPsf } from './psf.ts';
import { Rng, STREAM_NOISE, STREAM_TRUTH, seedWords } from './random.ts';

export const DEFAULT_SIZE = 41;
export const DEFAULT_NOISE = 3e-4;

export interface SimOptions {
  /** number of objects */
  n: number;
  /** stamp side in pixels (square stamps), default 41, at least 8 */
  size?: number;
  /** any safe integer */
  seed: number;
  /** standard deviation of the white Gaussian noise, default 3e-4 */
  noise?: number;
}

export interface SimObject extends GalaxyParams {
  /** focal-plane position, [−1, 1]² */
  u: number;
  v: number;
  psf_fwhm: number;
  psf_beta: number;
  psf_e1: number;
  psf_e2: number;
}

export interface SimParams {
  seed: number;
  noise: number;
  size: number;
  n: number;
  objects: SimObject[];
}

/**
 * Periodic convolution of each image with its own PSF (docs/ALGORITHM.md §2: kernel origin at
 * (ny >> 1, nx >> 1)). Stacks (n, ny, nx), object-major. Must not modify its inputs.
 */
export type Convolver = (
  images: Float32Array, psfs: Float32Array, n: number, ny: number, nx: number,
) => Float32Array;

interface Resolved { n: number; size: number; seed: number; noise: number }

function resolve(opts: SimOptions): Resolved {
  const n = opts.n;
  const size = opts.size ?? DEFAULT_SIZE;
  const noise = opts.noise ?? DEFAULT_NOISE;
  if (!Number.isSafeInteger(n) || n < 1) throw new OptionError(`n must be a positive integer, got ${n}`);
  if (!Number.isSafeInteger(size) || size < 8) {
    throw new OptionError(`size must be an integer ≥ 8, got ${size}`);
  }
  if (n > 0xffffffff) throw new OptionError(`n must be < 2^32, got ${n}`);
  seedWords(opts.seed); // validates
  checkNoise(noise);
  return { n, size, seed: opts.seed, noise };
}

function checkNoise(noise: number): void {
  if (!Number.isFinite(noise) || noise < 0) {
    throw new OptionError(`noise must be a finite number ≥ 0, got ${noise}`);
  }
}

/** The parameters of object `index` (depends only on seed, index and size). */
export function simulateObject(seed: number, index: number, size = DEFAULT_SIZE): SimObject {
  const rng = Rng.forStream(seed, STREAM_TRUTH, index);
  const u = rng.range(-1, 1);
  const v = rng.range(-1, 1);
  const g = drawGalaxy(rng, size);
  const p = psfAt(u, v);
  return {
    u, v,
    flux: g.flux,
    bulge_re: g.bulge_re,
    bulge_n: g.bulge_n,
    disk_re: g.disk_re,
    bulge_fraction: g.bulge_fraction,
    q: g.q,
    theta: g.theta,
    xc: g.xc,
    yc: g.yc,
    psf_fwhm: p.fwhm,
    psf_beta: p.beta,
    psf_e1: p.e1,
    psf_e2: p.e2,
  };
}

/** Truth galaxies and their PSFs, stacks (n, size, size). */
export function simulateTruth(opts: SimOptions): { truth: Float32Array; psfs: Float32Array; params: SimParams } {
  const { n, size, seed, noise } = resolve(opts);
  const { truth, psfs, objects } = truthRange(seed, size, 0, n);
  return { truth, psfs, params: { seed, noise, size, n, objects } };
}

/** Objects [first, first + count) of a survey: truth, PSFs and parameters (object i as in any n). */
function truthRange(seed: number, size: number, first: number, count: number) {
  const npix = size * size;
  const truth = new Float32Array(count * npix);
  const psfs = new Float32Array(count * npix);
  const objects: SimObject[] = new Array(count);
  for (let k = 0; k < count; k++) {
    const o = simulateObject(seed, first + k, size);
    objects[k] = o;
    renderGalaxy(o, size, size, truth, k * npix);
    renderPsf({ fwhm: o.psf_fwhm, beta: o.psf_beta, e1: o.psf_e1, e2: o.psf_e2 }, size, size, psfs, k * npix);
  }
  return { truth, psfs, objects };
}

/**
 * Objects [first, first + count) of the survey `simulate(opts)` makes, the same bits
 * (each object depends on (seed, index) only): a large survey is made chunk by chunk.
 */
export function simulateRange(opts: SimOptions, first: number, count: number, convolve: Convolver): {
  observed: Float32Array; truth: Float32Array; psfs: Float32Array; objects: SimObject[];
} {
  const { n, size, seed, noise } = resolve(opts);
  if (!(Number.isSafeInteger(first) && Number.isSafeInteger(count) && first >= 0 && count >= 1 && first + count <= n)) {
    throw new RangeError(`objects ${first}..${first + count} of ${n}`);
  }
  const { truth, psfs, objects } = truthRange(seed, size, first, count);
  const observed = observe(truth, psfs, count, size, noise, seed, convolve, first);
  return { observed, truth, psfs, objects };
}

/**
 * convolve(truth, psfs) + white Gaussian noise of standard deviation `noise`; object i's
 * noise comes from Rng(seed, STREAM_NOISE, first + i) (`first`: the index of the stack's
 * first object in the survey). Returns a new array.
 */
export function observe(
  truth: Float32Array, psfs: Float32Array, n: number, size: number, noise: number, seed: number,
  convolve: Convolver, first = 0,
): Float32Array {
  const npix = size * size;
  if (!Number.isSafeInteger(n) || n < 1 || !Number.isSafeInteger(size) || size < 1) {
    throw new InputError(`bad stack shape n=${n}, size=${size}`);
  }
  if (truth.length !== n * npix) throw new InputError(`truth has ${truth.length} values, expected ${n}×${size}×${size}`);
  if (psfs.length !== n * npix) throw new InputError(`psfs has ${psfs.length} values, expected ${n}×${size}×${size}`);
  checkNoise(noise);
  seedWords(seed);
  const conv = convolve(truth, psfs, n, size, size);
  if (conv.length !== n * npix) {
    throw new InputError(`the convolution returned ${conv.length} values, expected ${n * npix}`);
  }
  const out = new Float32Array(n * npix);
  for (let i = 0; i < n; i++) {
    const rng = Rng.forStream(seed, STREAM_NOISE, first + i);
    const o = i * npix;
    for (let k = o; k < o + npix; k++) out[k] = conv[k]! + noise * rng.normal();
  }
  return out;
}

/** Truth, PSFs and noisy observations. */
export function simulate(opts: SimOptions, convolve: Convolver): {
  observed: Float32Array; truth: Float32Array; psfs: Float32Array; params: SimParams;
} {
  const { truth, psfs, params } = simulateTruth(opts);
  const observed = observe(truth, psfs, params.n, params.size, params.noise, params.seed, convolve);
  return { observed, truth, psfs, params };
}
