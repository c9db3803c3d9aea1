// docs/ALGORITHM.md §4 the noise level σ and §5 the initial weights W⁽⁰⁾. The oracle keeps its
// own sort-based median: it must not share code with what it checks (src/common/median.ts).

import { InputError, OptionError } from '../errors.ts';
import { BANDS, type Wavelet } from './common.ts';
import { starlet } from './starlet.ts';

/** Exact median; for an even count the average of the two middle values (as numpy). */
function median(values: Float64Array): number {
  const n = values.length;
  if (n === 0) throw new InputError('median of an empty array');
  const sorted = Float64Array.from(values).sort();
  const mid = n >> 1;
  return n % 2 === 1 ? sorted[mid] : 0.5 * (sorted[mid - 1] + sorted[mid]);
}

/** σ = 1.4826 · median(|Y − median(Y)|) over every value of the stack. */
export function noiseSigma(stack: ArrayLike<number>): number {
  const values = Float64Array.from(stack);
  const med = median(values);
  const dev = new Float64Array(values.length);
  for (let p = 0; p < values.length; p++) dev[p] = Math.abs(values[p] - med);
  return 1.4826 * median(dev);
}

/**
 * W⁽⁰⁾[i, j] = κ_j · σ · ‖rot180(p_i) ⊛ h_j‖_F, shape (n, 3), object i with its own PSF
 * (the corrected order). The convolution is periodic on the ny×nx grid, so it equals band
 * j of Φ applied to rot180(p_i) zero-embedded in an ny×nx image (the position of the
 * embedding does not change the norm). With `shared`, `psfs` holds one ky×kx PSF for all.
 */
export function weights0(
  psfs: ArrayLike<number>, n: number, ky: number, kx: number, ny: number, nx: number,
  noiseSigma: number, kappa: number[], wavelet: Wavelet, shared = false,
): Float64Array {
  if (kappa.length !== BANDS) throw new OptionError(`kappa must have ${BANDS} values, got ${kappa.length}`);
  if (ky > ny || kx > nx) throw new InputError(`PSF ${ky}x${kx} is larger than the image ${ny}x${nx}`);
  const npix = ny * nx;
  const out = new Float64Array(n * BANDS);
  for (let i = 0; i < n; i++) {
    const base = (shared ? 0 : i) * ky * kx;
    // rot180(p_i), embedded at the top-left corner of an ny×nx image
    const img = new Float64Array(npix);
    for (let a = 0; a < ky; a++) {
      for (let b = 0; b < kx; b++) {
        img[a * nx + b] = psfs[base + (ky - 1 - a) * kx + (kx - 1 - b)];
      }
    }
    const bands = starlet(img, ny, nx, wavelet);
    for (let j = 0; j < BANDS; j++) {
      let ss = 0;
      for (let p = 0; p < npix; p++) ss += bands[j * npix + p] ** 2;
      out[i * BANDS + j] = kappa[j] * noiseSigma * Math.sqrt(ss);
    }
  }
  return out;
}
