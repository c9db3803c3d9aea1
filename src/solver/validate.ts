// Input checks shared by every entry point: shapes and sizes (the kernels' own checks,
// one set of messages), then values: finite, within the float32 kernels' range, PSFs not
// all zero; and warnings for PSFs that do not sum to 1 or are off the kernel origin.

import { InputError } from '../errors.ts';
import { checkPsfs, checkStack, type StackShape, type PsfShape } from '../kernels/index.ts';

export interface Stack {
  data: Float32Array | Float64Array;
  shape: number[];
}

/**
 * Largest accepted |value| in a stack or PSF. The kernels compute in float32 (max 3.4e38)
 * and the data term squares residuals summed over a stamp: 1e15² · 10⁴ pixels stays a
 * factor 10⁴ below overflow. Data beyond it must be rescaled.
 */
export const MAX_ABS_VALUE = 1e15;

/** Interprets an observation stack: (n, ny, nx), or (ny, nx) as a single object. */
export function stackShape(y: Stack, name = 'input'): StackShape {
  const shape = shapeOf(y.shape, name);
  checkStack(y.data, shape, name);
  requireFinite(y.data, shape.ny * shape.nx, name);
  return shape;
}

/** Interprets a PSF array for `objects` objects: (n, ky, kx) one per object, or (ky, kx) shared. */
export function psfShape(p: Stack, objects: StackShape, name = 'psf'): PsfShape {
  const shape = psfShapeOf(p.shape, objects, name, p.data);
  const per = shape.ky * shape.kx;
  requireFinite(p.data, per, name);
  requireNonZeroPsfs(p.data, per, name);
  return shape;
}

/** stackShape's checks of the shape alone (the values are checked as they are read). */
export function stackShapeOf(s: readonly number[], name = 'input'): StackShape {
  const shape = shapeOf(s, name);
  checkStack({ length: shape.n * shape.ny * shape.nx }, shape, name);
  return shape;
}

/** psfShape's checks of the shape alone (with `data`, its length too). */
export function psfShapeOf(s: readonly number[], objects: StackShape, name = 'psf', data?: ArrayLike<number>): PsfShape {
  let shape: PsfShape;
  if (s.length === 2) shape = { n: 1, ky: s[0], kx: s[1] };
  else if (s.length === 3) shape = { n: s[0], ky: s[1], kx: s[2] };
  else throw new InputError(`${name}: expected PSFs of shape (objects, rows, columns) or one 2-D PSF, got (${s.join(', ')})`);
  checkPsfs(data ?? { length: shape.n * shape.ky * shape.kx }, shape, objects, name);
  return shape;
}

function shapeOf(s: readonly number[], name: string): StackShape {
  if (s.length === 2) return { n: 1, ny: s[0], nx: s[1] };
  if (s.length === 3) return { n: s[0], ny: s[1], nx: s[2] };
  throw new InputError(`${name}: expected a 3-D stack (objects, rows, columns) or one 2-D image, got shape (${s.join(', ')})`);
}

/** Throws naming the first PSF (block of `per` values; the first is `firstObject`) that is all zero. */
export function requireNonZeroPsfs(data: ArrayLike<number>, per: number, name: string, firstObject = 0): void {
  const n = Math.floor(data.length / per);
  for (let i = 0; i < n; i++) {
    let zero = true;
    for (let j = i * per; j < (i + 1) * per && zero; j++) if (data[j] !== 0) zero = false;
    if (zero) throw new InputError(`${name}: the PSF of object ${firstObject + i} is all zero; every object needs a PSF (normalised to sum 1)`);
  }
}

/**
 * Throws naming the first object (block of `per` values; the first is `firstObject`)
 * holding NaN, ±Inf or a value beyond MAX_ABS_VALUE.
 */
export function requireFinite(data: ArrayLike<number>, per: number, name: string, firstObject = 0): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!(v <= MAX_ABS_VALUE && v >= -MAX_ABS_VALUE)) {
      const obj = firstObject + Math.floor(i / per);
      const pix = i % per;
      const hint = v !== v ? 'remove or repair that object, or mask NaN pixels (run --mask-nan)' : 'remove or repair that object';
      if (v - v !== 0) throw new InputError(`${name}: object ${obj} has a non-finite value (${v}) at pixel ${pix}; ${hint}`);
      throw new InputError(`${name}: object ${obj} has the value ${Number(v.toPrecision(7))} at pixel ${pix}, beyond ±${MAX_ABS_VALUE.toExponential()} (the kernels compute in float32); rescale the data`);
    }
  }
}

/**
 * A warning (or undefined) when PSFs do not sum to 1 within `tolerance`: the method
 * still works, but the deconvolved flux is then scaled by 1/sum.
 */
export function psfSumWarning(psfs: ArrayLike<number>, shape: PsfShape, name = 'psf', tolerance = 0.01): string | undefined {
  const check = new PsfSumCheck(shape, name, tolerance);
  check.add(psfs, 0);
  return check.warning();
}

/** psfSumWarning over PSFs seen in chunks of whole objects, in order. */
export class PsfSumCheck {
  private count = 0;
  private worst = 0;
  private worstSum = 1;
  private worstIndex = 0;

  constructor(private readonly shape: PsfShape, private readonly name = 'psf', private readonly tolerance = 0.01) {}

  /** PSFs firstObject, firstObject + 1, … */
  add(psfs: ArrayLike<number>, firstObject: number): void {
    const per = this.shape.ky * this.shape.kx;
    const n = Math.floor(psfs.length / per);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = i * per; j < (i + 1) * per; j++) s += psfs[j];
      const off = Math.abs(s - 1);
      if (off > this.tolerance) {
        this.count++;
        if (off > this.worst) {
          this.worst = off;
          this.worstSum = s;
          this.worstIndex = firstObject + i;
        }
      }
    }
  }

  warning(): string | undefined {
    if (this.count === 0) return undefined;
    return `${this.name}: ${this.count} of ${this.shape.n} PSFs do not sum to 1 (object ${this.worstIndex}: ${this.worstSum.toPrecision(6)}); ` +
      'the deconvolved flux is scaled by 1/sum — normalise the PSFs if that is not intended';
  }
}

/**
 * A warning (or undefined) when a PSF's centroid is more than `tolerance` pixels from the
 * kernel origin (ky//2, kx//2): the convolution takes the origin as the PSF's centre, so
 * an off-centre PSF shifts every deconvolved object by the offset.
 */
export function psfCentroidWarning(psfs: ArrayLike<number>, shape: PsfShape, name = 'psf', tolerance = 0.5): string | undefined {
  const check = new PsfCentroidCheck(shape, name, tolerance);
  check.add(psfs, 0);
  return check.warning();
}

/** psfCentroidWarning over PSFs seen in chunks of whole objects, in order. */
export class PsfCentroidCheck {
  private count = 0;
  private worst = { i: 0, dy: 0, dx: 0, d: -1 };

  constructor(private readonly shape: PsfShape, private readonly name = 'psf', private readonly tolerance = 0.5) {}

  /** PSFs firstObject, firstObject + 1, … */
  add(psfs: ArrayLike<number>, firstObject: number): void {
    const { ky, kx } = this.shape;
    const per = ky * kx;
    const oy = Math.floor(ky / 2);
    const ox = Math.floor(kx / 2);
    const n = Math.floor(psfs.length / per);
    for (let i = 0; i < n; i++) {
      let s = 0, sy = 0, sx = 0;
      for (let r = 0; r < ky; r++) {
        for (let c = 0; c < kx; c++) {
          const v = psfs[i * per + r * kx + c];
          s += v;
          sy += v * r;
          sx += v * c;
        }
      }
      const dy = s !== 0 ? sy / s - oy : 0;
      const dx = s !== 0 ? sx / s - ox : 0;
      const d = Math.hypot(dy, dx);
      if (d > this.tolerance) {
        this.count++;
        if (d > this.worst.d) this.worst = { i: firstObject + i, dy, dx, d };
      }
    }
  }

  warning(): string | undefined {
    if (this.count === 0) return undefined;
    const { ky, kx } = this.shape;
    const oy = Math.floor(ky / 2);
    const ox = Math.floor(kx / 2);
    const w = this.worst;
    return `${this.name}: ${this.count} of ${this.shape.n} PSFs have their centroid more than ${this.tolerance} px from the kernel origin (${oy}, ${ox}) ` +
      `(object ${w.i}: off by ${w.dy.toFixed(2)} rows, ${w.dx.toFixed(2)} columns); the output is shifted by as much — recentre the PSFs`;
  }
}
