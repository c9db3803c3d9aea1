// Geometry, twiddle tables and scratch buffers for one stamp size.
//
// Data layout ("lane = object"): objects are processed in groups of 4, one object per
// f32x4 lane. A group's image is NPIX v128 values in row-major order; its half spectrum
// (real 2-D DFT, columns 0..NX/2) is NY*NHX complex values, each stored as two v128
// (re, im); its wavelet bands are BANDS images one after the other.

import { BANDS } from './layout';

export let NY: i32 = 0;
export let NX: i32 = 0;
export let NPIX: i32 = 0;
/** Columns of the half spectrum: NX/2 + 1. */
export let NHX: i32 = 0;
/** Complex values in a group's half spectrum: NY * NHX. */
export let NSPEC: i32 = 0;
/** Number of (c, NX-c) pairs along a row and (r, NY-r) pairs along a column. */
export let HCX: i32 = 0;
export let HCY: i32 = 0;
export let MX: i32 = 0; // NX / 2
export let MY: i32 = 0; // NY / 2

// Twiddles, pre-splatted (one v128 per value, so multiplies can take them from memory): T[a][b] = cos(2π a (b+1) / N), S[a][b] = sin(...),
// a in 0..N/2 (+3 rows of padding for 4-wide blocking), b in 0..HC-1. Used as [k][c]
// by forward and [c][k] by inverse passes.
export let COS_X: usize = 0;
export let SIN_X: usize = 0;
export let COS_Y: usize = 0;
export let SIN_Y: usize = 0;

// À trous kernel: centre tap and the taps at ±1 and ±2 steps (TAP2 = 0 for `linear`).
export let TAP0: f32 = 0;
export let TAP1: f32 = 0;
export let TAP2: f32 = 0;
export let REACH: i32 = 0; // 1 for linear (3 taps), 2 for b3 (5 taps)

import { Fft, buildFft, setGenericScratch } from './fft';
import { configureR41 } from './r41';

// Scratch, one group's worth each.
export let PIX_A: usize = 0; // solver step: gradient, then x̃
export let PIX_B: usize = 0; // solver step: Φᵀy
export let PIX_C: usize = 0; // starlet work
export let PIX_D: usize = 0; // starlet work
export let PIX_T: usize = 0; // separable smoothing: horizontal pass output
export let SPEC_A: usize = 0;
// The masked gradient's spectrum of w ⊙ (Hx − y): allocated on first use (maskScratch),
// apart from the block above, so an unmasked run's memory layout is what it was.
export let SPEC_M: usize = 0;
let specBytes: usize = 0;

/** SPEC_M, allocated for the configured geometry on first use. */
export function maskScratch(): usize {
  if (SPEC_M == 0) SPEC_M = heap.alloc(specBytes); // 16-byte aligned, as every block of alloc
  return SPEC_M;
}
export let BAND_S: usize = 0; // BANDS images
export let ROW_A: usize = 0;  // DFT pair sums / padded rows
/**
 * The smoothing's row pass at the row ends, where taps wrap around: per scale s,
 * EDGE_MAX entries of 5 i32 byte offsets within a row (pixel c, then its taps at
 * c − 2^s, c + 2^s, c − 2^{s+1}, c + 2^{s+1}, periodic), and their count at
 * ROW_EDGES + EDGE_COUNTS + 4s.
 */
export let ROW_EDGES: usize = 0;
export const EDGE_MAX: i32 = 16;
export const EDGE_BYTES: i32 = 20;
export const EDGE_COUNTS: i32 = BANDS * EDGE_MAX * EDGE_BYTES;
export let ROW_B: usize = 0;
// FFT work (dft.ts / fft.ts): three half-spectrum-sized buffers and the generic-radix scratch.
export let FFT_W1: usize = 0;
export let FFT_W2: usize = 0;
export let FFT_W3: usize = 0;
export let FFT_GS: usize = 0;
/** FFT plans along rows (length NX) and columns (length NY); kind 0 = direct DFT. */
export const FFT_X: Fft = new Fft();
export const FFT_Y: Fft = new Fft();

let owned: usize = 0; // the single allocation holding all of the above

function twiddles(ptr: usize, n: i32, rows: i32, pairs: i32, useSin: bool): void {
  for (let a = 0; a < rows; a++) {
    for (let b = 0; b < pairs; b++) {
      // Reduce a·(b+1) mod n first so the angle stays small and exact.
      const m = (a * (b + 1)) % n;
      const ang = (2.0 * Math.PI * <f64>m) / <f64>n;
      v128.store(ptr + ((<usize>(a * pairs + b)) << 4), f32x4.splat(<f32>(useSin ? Math.sin(ang) : Math.cos(ang))));
    }
  }
}

/** Sizes every table and scratch buffer for ny × nx stamps. wavelet: 0 = linear, 1 = b3. */
export function configure(ny: i32, nx: i32, wavelet: i32): void {
  if (owned != 0) heap.free(owned);
  if (SPEC_M != 0) heap.free(SPEC_M);
  SPEC_M = 0;
  NY = ny;
  NX = nx;
  NPIX = ny * nx;
  MX = nx >> 1;
  MY = ny >> 1;
  NHX = MX + 1;
  NSPEC = ny * NHX;
  HCX = (nx - 1) >> 1;
  HCY = (ny - 1) >> 1;
  if (wavelet == 0) {
    TAP0 = 0.5; TAP1 = 0.25; TAP2 = 0; REACH = 1;
  } else {
    TAP0 = 0.375; TAP1 = 0.25; TAP2 = 0.0625; REACH = 2;
  }
  const tx = <usize>((MX + 4) * max(HCX, 1)) << 4;
  const ty = <usize>((MY + 4) * max(HCY, 1)) << 4;
  const pix = <usize>NPIX << 4;
  const spec = <usize>NSPEC << 5;
  const rowLen = <usize>(max(nx, ny) + 4 * REACH * 4 + 4) << 4; // a padded row at the widest step
  const gs = <usize>(max(nx, ny) + 2) << 5;
  const edges = <usize>(EDGE_COUNTS + 4 * BANDS);
  const total: usize = tx * 2 + ty * 2 + 64 + pix * 5 + spec * 4 + pix * <usize>BANDS + rowLen * 2 + gs + edges + 32;
  owned = heap.alloc(total);
  let p = (owned + 15) & ~(<usize>15);
  COS_X = p; p += (tx + 15) & ~(<usize>15);
  SIN_X = p; p += (tx + 15) & ~(<usize>15);
  COS_Y = p; p += (ty + 15) & ~(<usize>15);
  SIN_Y = p; p += (ty + 15) & ~(<usize>15);
  PIX_A = p; p += pix;
  PIX_B = p; p += pix;
  PIX_C = p; p += pix;
  PIX_D = p; p += pix;
  PIX_T = p; p += pix;
  SPEC_A = p; p += spec;
  BAND_S = p; p += <usize>BANDS * pix;
  ROW_A = p; p += rowLen;
  ROW_B = p; p += rowLen;
  FFT_W1 = p; p += spec;
  FFT_W2 = p; p += spec;
  FFT_W3 = p; p += spec;
  FFT_GS = p; p += gs;
  ROW_EDGES = p; p += (edges + 15) & ~(<usize>15);
  specBytes = spec;
  rowEdges(nx);
  setGenericScratch(FFT_GS);
  buildFft(FFT_X, nx);
  buildFft(FFT_Y, ny);
  configureR41(ny, nx, 2.0 / (<f64>ny * <f64>nx));
  twiddles(COS_X, nx, MX + 4, HCX, false);
  twiddles(SIN_X, nx, MX + 4, HCX, true);
  twiddles(COS_Y, ny, MY + 4, HCY, false);
  twiddles(SIN_Y, ny, MY + 4, HCY, true);
}

function rowEdges(nx: i32): void {
  for (let s = 0; s < BANDS; s++) {
    const st = 1 << s, off = REACH * st;
    const lo = min(off, nx), hi = max(off, nx - off);
    let n = 0;
    for (let c = 0; c < nx; c++) {
      if (c >= lo && c < hi) continue;
      const e = ROW_EDGES + <usize>((s * EDGE_MAX + n) * EDGE_BYTES);
      const taps: StaticArray<i32> = [c, c - st, c + st, c - 2 * st, c + 2 * st];
      for (let t = 0; t < 5; t++) store<i32>(e + (<usize>t << 2), (((taps[t] % nx) + nx) % nx) << 4);
      n++;
    }
    store<i32>(ROW_EDGES + <usize>(EDGE_COUNTS + 4 * s), n);
  }
}

// Byte offsets of group g in each kind of array.
@inline export function pixOf(base: usize, g: i32): usize {
  return base + ((<usize>g * <usize>NPIX) << 4);
}
@inline export function specOf(base: usize, g: i32): usize {
  return base + ((<usize>g * <usize>NSPEC) << 5);
}
@inline export function bandsOf(base: usize, g: i32): usize {
  return base + ((<usize>g * <usize>(BANDS * NPIX)) << 4);
}
