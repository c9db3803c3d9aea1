// The kernels as a standalone library: convolve a stack with its PSFs, wavelet-transform
// a stack and back, take spectra — for code that never touches the solver. Stacks are
// object-major C-order arrays (`stack[(i*ny + r)*nx + c]`); results are Float32Array.
//
//   const k = new Kernels();
//   const blurred = k.convolve(images, { n, ny, nx }, psfs, { n, ky, kx });
//   const bands = k.starlet(images, { n, ny, nx }, 'b3');      // (n, 3, ny, nx)

import { InputError } from '../errors.ts';
import { groupsFor, interleave, deinterleave, interleavePsfs, interleaveBands, deinterleaveBands, LANES } from './layout.ts';
import { KernelModule, BANDS, type Wavelet, type Block } from './module.ts';

export {
  KernelModule, BANDS, WAVELETS, type Wavelet, type Geometry, type Block, type Resident, type StepParams,
} from './module.ts';
export {
  groupsFor, costIndex, interleave, deinterleave, interleavePsfs, interleaveBands, deinterleaveBands, LANES, COST_TERMS,
} from './layout.ts';
export type { KernelExports } from './wasm.ts';
export { WasmKeyCounting } from './key-counting.ts';

export interface StackShape { n: number; ny: number; nx: number }
export interface PsfShape { n: number; ky: number; kx: number }

/** Objects processed per chunk: bounds the Wasm memory a standalone call needs. */
const CHUNK = 1024;

export class Kernels {
  readonly module: KernelModule;

  constructor(module: KernelModule = new KernelModule()) {
    this.module = module;
  }

  /**
   * Periodic convolution of each image with its PSF (H), or with `adjoint` its exact
   * adjoint Hᵀ (correlation), docs/ALGORITHM.md §2. `psf.n` is `shape.n` or 1 (shared PSF).
   */
  convolve(
    images: ArrayLike<number>, shape: StackShape, psfs: ArrayLike<number>, psf: PsfShape,
    opts: { adjoint?: boolean } = {},
  ): Float32Array {
    checkStack(images, shape, 'images');
    checkPsfs(psfs, psf, shape);
    const { ny, nx } = shape;
    return this.chunked(shape, (first, n, m, out) => {
      const groups = groupsFor(n);
      withBlocks(m, [KernelModule.pixels(ny, nx, groups), KernelModule.spectrum(ny, nx, groups), KernelModule.spectrum(ny, nx, groups)], (pix, xh, ph) => {
        interleavePsfs(psfs, psf.n, psf.ky, psf.kx, first, n, ny, nx, m.f32(pix));
        m.dft(pix, ph, groups);
        interleave(images, first, n, ny * nx, m.f32(pix));
        m.dft(pix, xh, groups);
        m.blur(ph, xh, pix, groups, opts.adjoint === true);
        deinterleave(m.f32(pix), n, ny * nx, out, first);
      });
    }, 1);
  }

  /**
   * `convolve` for n images with n PSFs of the images' own size, as a plain function:
   * the convolver that sim's `simulate` and `observe` take.
   */
  readonly convolveStamps = (images: ArrayLike<number>, psfs: ArrayLike<number>, n: number, ny: number, nx: number): Float32Array =>
    this.convolve(images, { n, ny, nx }, psfs, { n, ky: ny, kx: nx });

  /** Φ: the 3 detail bands of the à trous transform, shape (n, 3, ny, nx). */
  starlet(images: ArrayLike<number>, shape: StackShape, wavelet: Wavelet = 'linear'): Float32Array {
    checkStack(images, shape, 'images');
    const { ny, nx } = shape;
    return this.chunked(shape, (first, n, m, out) => {
      const groups = groupsFor(n);
      withBlocks(m, [KernelModule.pixels(ny, nx, groups), KernelModule.bands(ny, nx, groups)], (pix, bands) => {
        interleave(images, first, n, ny * nx, m.f32(pix));
        m.phi(pix, bands, groups);
        deinterleaveBands(m.f32(bands), n, ny * nx, out, first);
      });
    }, BANDS, wavelet);
  }

  /** Φᵀ: bands (n, 3, ny, nx) back to images (n, ny, nx); the exact adjoint of `starlet`. */
  starletAdjoint(bands: ArrayLike<number>, shape: StackShape, wavelet: Wavelet = 'linear'): Float32Array {
    checkStack(bands, { ...shape, n: shape.n * BANDS }, 'bands');
    const { ny, nx } = shape;
    return this.chunked(shape, (first, n, m, out) => {
      const groups = groupsFor(n);
      withBlocks(m, [KernelModule.pixels(ny, nx, groups), KernelModule.bands(ny, nx, groups)], (pix, z) => {
        interleaveBands(bands, first, n, ny * nx, m.f32(z));
        m.phiAdjoint(z, pix, groups);
        deinterleave(m.f32(pix), n, ny * nx, out, first);
      });
    }, 1, wavelet);
  }

  /** Half spectra (real 2-D DFT), shape (n, ny, nx/2+1, 2) as (re, im) pairs. */
  spectrum(images: ArrayLike<number>, shape: StackShape): Float32Array {
    checkStack(images, shape, 'images');
    const { ny, nx } = shape;
    const nspec = ny * ((nx >> 1) + 1);
    const out = new Float32Array(shape.n * nspec * 2);
    this.module.configure({ ny, nx, wavelet: 'linear' });
    const m = this.module;
    for (let first = 0; first < shape.n; first += CHUNK) {
      const n = Math.min(CHUNK, shape.n - first);
      const groups = groupsFor(n);
      withBlocks(m, [KernelModule.pixels(ny, nx, groups), KernelModule.spectrum(ny, nx, groups)], (pix, spec) => {
        interleave(images, first, n, ny * nx, m.f32(pix));
        m.dft(pix, spec, groups);
        // A complex value is two consecutive "pixels" (re, im) of the interleaved layout.
        deinterleave(m.f32(spec), n, nspec * 2, out, first);
      });
    }
    return out;
  }

  /** ‖Φ(p_i)_j‖_F for each PSF and band, shape (n, 3), float64 (the W⁽⁰⁾ norms of §5). */
  bandNorms(psfs: ArrayLike<number>, psf: PsfShape, ny: number, nx: number, wavelet: Wavelet = 'linear'): Float64Array {
    checkPsfs(psfs, psf, { n: psf.n, ny, nx });
    this.module.configure({ ny, nx, wavelet });
    const m = this.module;
    const out = new Float64Array(psf.n * BANDS);
    for (let first = 0; first < psf.n; first += CHUNK) {
      const n = Math.min(CHUNK, psf.n - first);
      const groups = groupsFor(n);
      withBlocks(m, [KernelModule.pixels(ny, nx, groups), ['f64', groups * BANDS * LANES]], (pix, norms) => {
        interleavePsfs(psfs, psf.n, psf.ky, psf.kx, first, n, ny, nx, m.f32(pix));
        m.bandNorms(pix, norms, groups);
        const v = m.f64(norms);
        for (let i = 0; i < n; i++) {
          const g = (i / LANES) | 0;
          for (let b = 0; b < BANDS; b++) out[(first + i) * BANDS + b] = v[(g * BANDS + b) * LANES + (i % LANES)];
        }
      });
    }
    return out;
  }

  private chunked(
    shape: StackShape,
    body: (first: number, n: number, m: KernelModule, out: Float32Array) => void,
    perObject: number,
    wavelet: Wavelet = 'linear',
  ): Float32Array {
    const { ny, nx } = shape;
    this.module.configure({ ny, nx, wavelet });
    const out = new Float32Array(shape.n * perObject * ny * nx);
    for (let first = 0; first < shape.n; first += CHUNK) {
      body(first, Math.min(CHUNK, shape.n - first), this.module, out);
    }
    return out;
  }
}

/** Allocates blocks (float32 lengths, or [kind, length]), runs `body`, and frees them whatever happens. */
function withBlocks(m: KernelModule, specs: (number | ['f32' | 'f64', number])[], body: (...blocks: Block[]) => void): void {
  const blocks: Block[] = [];
  try {
    for (const sp of specs) blocks.push(typeof sp === 'number' ? m.alloc('f32', sp) : m.alloc(sp[0], sp[1]));
    body(...blocks);
  } finally {
    for (const b of blocks) m.free(b);
  }
}

/** The one check of a stack against its shape (the solver's validation adds values). */
export function checkStack(data: ArrayLike<number>, shape: StackShape, what: string): void {
  const { n, ny, nx } = shape;
  if (!(n >= 1) || !Number.isInteger(n)) throw new InputError(`${what}: the stack is empty (${n} objects)`);
  if (ny < 8 || nx < 8) throw new InputError(`${what}: stamps are ${ny}×${nx} px; the minimum is 8×8`);
  if (data.length !== n * ny * nx) {
    throw new InputError(`${what}: ${data.length} values do not make ${n} stamps of ${ny}×${nx}`);
  }
}

/** The one check of a stack's PSFs against its shape (the solver's validation adds values). */
export function checkPsfs(psfs: ArrayLike<number>, psf: PsfShape, shape: StackShape, what = 'psf'): void {
  if (psf.n !== shape.n && psf.n !== 1) {
    throw new InputError(`${what}: ${psf.n} PSFs for ${shape.n} objects; give one per object or a single 2-D PSF`);
  }
  if (psf.ky > shape.ny || psf.kx > shape.nx) {
    throw new InputError(`${what}: the PSFs (${psf.ky}×${psf.kx}) are larger than the stamps (${shape.ny}×${shape.nx}); crop them to at most the stamp size`);
  }
  if (psf.ky < 1 || psf.kx < 1 || psfs.length !== psf.n * psf.ky * psf.kx) {
    throw new InputError(`${what}: ${psfs.length} values do not make ${psf.n} PSFs of ${psf.ky}×${psf.kx}`);
  }
}

export type { Block as KernelBlock };
