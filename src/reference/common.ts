// Shared by the oracle's sections: its layout conventions, the contract's constants and
// small checks. The oracle imports nothing from the kernels or the solver but types: it
// is the independent, literal float64 statement of docs/ALGORITHM.md that the SIMD
// kernels are tested against.

import { InputError } from '../errors.ts';
import type { Wavelet } from '../kernels/index.ts';

export type { Wavelet };

/** Number of wavelet detail bands kept (4 scales, coarse scale dropped; §3). */
export const BANDS = 3;

/** Smallest image side accepted (docs/ALGORITHM.md §3). */
const MIN_SIZE = 8;

/** Python-style modulo: result in 0..n-1 for any integer a. */
export function mod(a: number, n: number): number {
  if (a >= 0 && a < n) return a;
  const m = a % n;
  return m < 0 ? m + n : m;
}

export function checkKernel(ny: number, nx: number, ky: number, kx: number, k: ArrayLike<number>): void {
  if (ky > ny || kx > nx) {
    throw new InputError(`kernel ${ky}x${kx} is larger than the image ${ny}x${nx}`);
  }
  if (k.length < ky * kx) throw new InputError(`kernel has ${k.length} values, expected ${ky * kx}`);
}

export function checkImageSize(ny: number, nx: number): void {
  if (ny < MIN_SIZE || nx < MIN_SIZE) {
    throw new InputError(`image ${ny}x${nx} is smaller than ${MIN_SIZE}x${MIN_SIZE}`);
  }
}
