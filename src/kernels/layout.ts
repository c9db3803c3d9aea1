// Conversions between the object-major stacks users hold (`stack[(i*ny + r)*nx + c]`)
// and the kernels' lane-interleaved groups (`group[(g*npix + p)*4 + lane]`, object
// i = 4g + lane). Padding lanes of the last group are zero.

import { LANES, BANDS, COST_TERMS } from './exports.generated.ts';

export { LANES, BANDS, COST_TERMS };

export function groupsFor(n: number): number {
  return Math.ceil(n / LANES);
}

/** Interleaves `n` images of `npix` values (from `src`, starting at image `first`) into `dst`. */
export function interleave(
  src: ArrayLike<number>, first: number, n: number, npix: number, dst: Float32Array,
): void {
  const groups = groupsFor(n);
  dst.fill(0, 0, groups * npix * LANES);
  for (let i = 0; i < n; i++) {
    const g = (i / LANES) | 0;
    const lane = i % LANES;
    const from = (first + i) * npix;
    let to = g * npix * LANES + lane;
    for (let p = 0; p < npix; p++, to += LANES) dst[to] = src[from + p];
  }
}

/** Inverse of `interleave`: writes `n` images into `dst` starting at image `first`. */
export function deinterleave(
  src: Float32Array, n: number, npix: number, dst: Float32Array | Float64Array, first = 0,
): void {
  for (let i = 0; i < n; i++) {
    const g = (i / LANES) | 0;
    const lane = i % LANES;
    const to = (first + i) * npix;
    let from = g * npix * LANES + lane;
    for (let p = 0; p < npix; p++, from += LANES) dst[to + p] = src[from];
  }
}

/**
 * Interleaves PSFs with their origin (ky>>1, kx>>1) moved to pixel (0, 0) of an
 * ny × nx periodic grid (docs/ALGORITHM.md §2), so that their DFT is P̂. `psfCount` 1 means one
 * PSF shared by every object.
 */
export function interleavePsfs(
  psfs: ArrayLike<number>, psfCount: number, ky: number, kx: number,
  first: number, n: number, ny: number, nx: number, dst: Float32Array,
): void {
  const npix = ny * nx;
  const groups = groupsFor(n);
  dst.fill(0, 0, groups * npix * LANES);
  const cy = ky >> 1, cx = kx >> 1;
  for (let i = 0; i < n; i++) {
    const g = (i / LANES) | 0;
    const lane = i % LANES;
    const from = (psfCount === 1 ? 0 : first + i) * ky * kx;
    const base = g * npix * LANES + lane;
    for (let a = 0; a < ky; a++) {
      const r = (((a - cy) % ny) + ny) % ny;
      for (let b = 0; b < kx; b++) {
        const c = (((b - cx) % nx) + nx) % nx;
        dst[base + (r * nx + c) * LANES] += psfs[from + a * kx + b];
      }
    }
  }
}

/** (n, 3, npix) object-major ↔ group layout (g, band, npix, lane). */
export function interleaveBands(src: ArrayLike<number>, first: number, n: number, npix: number, dst: Float32Array): void {
  dst.fill(0);
  for (let i = 0; i < n; i++) {
    const g = (i / LANES) | 0, lane = i % LANES;
    for (let b = 0; b < BANDS; b++) {
      const from = ((first + i) * BANDS + b) * npix;
      let to = (g * BANDS + b) * npix * LANES + lane;
      for (let p = 0; p < npix; p++, to += LANES) dst[to] = src[from + p];
    }
  }
}

export function deinterleaveBands(src: Float32Array, n: number, npix: number, dst: Float32Array, first: number): void {
  for (let i = 0; i < n; i++) {
    const g = (i / LANES) | 0, lane = i % LANES;
    for (let b = 0; b < BANDS; b++) {
      const to = ((first + i) * BANDS + b) * npix;
      let from = (g * BANDS + b) * npix * LANES + lane;
      for (let p = 0; p < npix; p++, from += LANES) dst[to + p] = src[from];
    }
  }
}


/**
 * Where object i's data term sits in a float64 cost block of `slots` cost slots per group
 * (the kernels' `step` and `cost`, COST_SLOT_BYTES per slot); its sparsity term is LANES
 * further on.
 */
export function costIndex(i: number, slot: number, slots: number): number {
  return (((i / LANES) | 0) * slots + slot) * COST_TERMS * LANES + (i % LANES);
}
