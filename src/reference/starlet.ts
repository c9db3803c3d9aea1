// docs/ALGORITHM.md §3: the à trous wavelet transform Φ (periodic, 3 detail bands) and its
// adjoint Φᵀ, literally as the recursion and the filter bank of the text.

import { OptionError } from '../errors.ts';
import { BANDS, checkImageSize, mod, type Wavelet } from './common.ts';

/** 1-D à trous kernels h (symmetric, odd length, centre in the middle). */
const ATROUS_KERNELS: Record<Wavelet, readonly number[]> = {
  linear: [1 / 4, 1 / 2, 1 / 4],
  b3: [1 / 16, 1 / 4, 3 / 8, 1 / 4, 1 / 16],
};

function atrousKernel(wavelet: Wavelet): readonly number[] {
  const h = ATROUS_KERNELS[wavelet];
  if (h === undefined) throw new OptionError(`unknown wavelet '${String(wavelet)}' (expected linear or b3)`);
  return h;
}


/**
 * S_s: the à trous smoothing at scale s (step 2^s), periodic:
 *   B(i,j)      = Σ_t h_t · c(i, j + t·step)      (along columns)
 *   S_s c (i,j) = Σ_t h_t · B(i + t·step, j)      (along rows)
 * with t running over −L..L for a kernel of 2L+1 taps. S_s is symmetric (h is).
 */
function smooth(c: Float64Array, ny: number, nx: number, h: readonly number[], step: number): Float64Array {
  const L = (h.length - 1) >> 1;
  // Along columns, tap by tap: B(i, j) += h_t · c(i, (j + t·step) mod nx)
  const B = new Float64Array(ny * nx);
  for (let t = -L; t <= L; t++) {
    const ht = h[t + L];
    for (let i = 0; i < ny; i++) {
      for (let j = 0; j < nx; j++) B[i * nx + j] += ht * c[i * nx + mod(j + t * step, nx)];
    }
  }
  // Along rows, tap by tap: out(i, j) += h_t · B((i + t·step) mod ny, j)
  const out = new Float64Array(ny * nx);
  for (let t = -L; t <= L; t++) {
    const ht = h[t + L];
    for (let i = 0; i < ny; i++) {
      const source = mod(i + t * step, ny) * nx;
      for (let j = 0; j < nx; j++) out[i * nx + j] += ht * B[source + j];
    }
  }
  return out;
}

/**
 * Φ(x) = [w_0, w_1, w_2] with c_0 = x, c_{s+1} = S_s c_s, w_s = c_s − c_{s+1}
 * (the coarse band c_3 is dropped). Returns 3·ny·nx values, band-major.
 */
export function starlet(x: Float64Array, ny: number, nx: number, wavelet: Wavelet): Float64Array {
  checkImageSize(ny, nx);
  const h = atrousKernel(wavelet);
  const npix = ny * nx;
  const out = new Float64Array(BANDS * npix);
  let c = x.subarray(0, npix);
  for (let s = 0; s < BANDS; s++) {
    const next = smooth(c, ny, nx, h, 1 << s);
    for (let p = 0; p < npix; p++) out[s * npix + p] = c[p] - next[p];
    c = next;
  }
  return out;
}

/**
 * Φᵀ(z) = Σ_j z_j ⊛ rot180(h_j), in Horner form (S_s symmetric):
 *   Φᵀ(z) = S₀( S₁( (I − S₂) z₂ ) + (I − S₁) z₁ ) + (I − S₀) z₀
 * i.e. acc = 0, then for s = 2, 1, 0:  acc = S_s(acc) + (I − S_s) z_s = z_s + S_s(acc − z_s).
 */
export function starletAdjoint(z: Float64Array, ny: number, nx: number, wavelet: Wavelet): Float64Array {
  checkImageSize(ny, nx);
  const h = atrousKernel(wavelet);
  const npix = ny * nx;
  let acc = new Float64Array(npix);
  for (let s = BANDS - 1; s >= 0; s--) {
    const zs = z.subarray(s * npix, (s + 1) * npix);
    const diff = new Float64Array(npix);
    for (let p = 0; p < npix; p++) diff[p] = acc[p] - zs[p];
    const smoothed = smooth(diff, ny, nx, h, 1 << s);
    acc = new Float64Array(npix);
    for (let p = 0; p < npix; p++) acc[p] = zs[p] + smoothed[p];
  }
  return acc;
}

/** The filter bank h_0, h_1, h_2: impulse responses of Φ to a Dirac at (ny>>1, nx>>1). */
export function starletFilters(ny: number, nx: number, wavelet: Wavelet): Float64Array {
  const dirac = new Float64Array(ny * nx);
  dirac[(ny >> 1) * nx + (nx >> 1)] = 1;
  return starlet(dirac, ny, nx, wavelet);
}
