// Input checks shared by every entry point: shapes, sizes and finite values.

import { InputError } from '../errors.ts';
import type { StackShape, PsfShape } from '../kernels/index.ts';

export interface Stack {
  data: Float32Array | Float64Array;
  shape: number[];
}

/** Interprets an observation stack: (n, ny, nx), or (ny, nx) as a single object. */
export function stackShape(y: Stack, name = 'input'): StackShape {
  const s = y.shape;
  if (s.length === 2) return check({ n: 1, ny: s[0], nx: s[1] }, y, name);
  if (s.length === 3) return check({ n: s[0], ny: s[1], nx: s[2] }, y, name);
  throw new InputError(`${name}: expected a 3-D stack (objects, rows, columns) or one 2-D image, got shape (${s.join(', ')})`);
}

/** Interprets a PSF array for `objects` objects: (n, ky, kx) one per object, or (ky, kx) shared. */
export function psfShape(p: Stack, objects: StackShape, name = 'psf'): PsfShape {
  const s = p.shape;
  let shape: PsfShape;
  if (s.length === 2) shape = { n: 1, ky: s[0], kx: s[1] };
  else if (s.length === 3) shape = { n: s[0], ky: s[1], kx: s[2] };
  else throw new InputError(`${name}: expected PSFs of shape (objects, rows, columns) or one 2-D PSF, got (${s.join(', ')})`);
  if (shape.n !== objects.n && shape.n !== 1) {
    throw new InputError(`${name}: ${shape.n} PSFs for ${objects.n} objects; give one PSF per object or a single 2-D PSF`);
  }
  if (shape.ky > objects.ny || shape.kx > objects.nx) {
    throw new InputError(`${name}: the PSFs (${shape.ky}×${shape.kx}) are larger than the stamps (${objects.ny}×${objects.nx}); crop them to at most the stamp size`);
  }
  if (shape.ky < 1 || shape.kx < 1) throw new InputError(`${name}: empty PSF (${shape.ky}×${shape.kx})`);
  requireFinite(p.data, shape.ky * shape.kx, name);
  return shape;
}

function check(shape: StackShape, y: Stack, name: string): StackShape {
  if (shape.n < 1) throw new InputError(`${name}: the stack is empty (0 objects)`);
  if (shape.ny < 8 || shape.nx < 8) {
    throw new InputError(`${name}: stamps are ${shape.ny}×${shape.nx} px; the minimum is 8×8`);
  }
  requireFinite(y.data, shape.ny * shape.nx, name);
  return shape;
}

/** Throws naming the first object (block of `per` values) holding NaN or ±Inf. */
export function requireFinite(data: ArrayLike<number>, per: number, name: string): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v - v !== 0) {
      const obj = Math.floor(i / per);
      const pix = i % per;
      throw new InputError(`${name}: object ${obj} has a non-finite value (${v}) at pixel ${pix}; remove or repair that object`);
    }
  }
}

/**
 * A warning (or undefined) when PSFs do not sum to 1 within `tolerance`: the method
 * still works, but the deconvolved flux is then scaled by 1/sum.
 */
export function psfSumWarning(psfs: ArrayLike<number>, shape: PsfShape, name = 'psf', tolerance = 0.01): string | undefined {
  const per = shape.ky * shape.kx;
  let count = 0;
  let worst = 0;
  let worstSum = 1;
  let worstIndex = 0;
  for (let i = 0; i < shape.n; i++) {
    let s = 0;
    for (let j = i * per; j < (i + 1) * per; j++) s += psfs[j];
    const off = Math.abs(s - 1);
    if (off > tolerance) {
      count++;
      if (off > worst) {
        worst = off;
        worstSum = s;
        worstIndex = i;
      }
    }
  }
  if (count === 0) return undefined;
  return `${name}: ${count} of ${shape.n} PSFs do not sum to 1 (object ${worstIndex}: ${worstSum.toPrecision(6)}); ` +
    'the deconvolved flux is scaled by 1/sum — normalise the PSFs if that is not intended';
}
