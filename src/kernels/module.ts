// A thin, typed layer over one instance of the Wasm kernels: memory blocks and the
// stamp geometry. Hot paths hand raw pointers to the kernels; typed-array views are
// made fresh at each use because growing Wasm memory detaches every existing view.

import { instantiateKernels, type KernelExports } from './wasm.ts';
import { LANES, BANDS } from './layout.ts';
import { GaldeconError } from '../errors.ts';

export type Wavelet = 'linear' | 'b3';
export const WAVELETS: readonly Wavelet[] = ['linear', 'b3'];
export { BANDS };

export interface Geometry {
  ny: number;
  nx: number;
  wavelet: Wavelet;
}

/** A block of Wasm memory holding `length` elements of float32 or float64. */
export interface Block {
  readonly ptr: number;
  readonly length: number;
  readonly kind: 'f32' | 'f64';
}

export class KernelModule {
  readonly raw: KernelExports;
  private geometry: Geometry | undefined;

  constructor(raw: KernelExports = instantiateKernels()) {
    this.raw = raw;
  }

  /** Prepares the kernels for ny × nx stamps and a wavelet (no-op if already so). */
  configure(g: Geometry): void {
    const cur = this.geometry;
    if (cur && cur.ny === g.ny && cur.nx === g.nx && cur.wavelet === g.wavelet) return;
    this.raw.configure(g.ny, g.nx, g.wavelet === 'b3' ? 1 : 0);
    this.geometry = { ...g };
  }

  alloc(kind: 'f32' | 'f64', length: number): Block {
    const bytes = length * (kind === 'f32' ? 4 : 8);
    let ptr: number;
    try {
      // Wasm returns addresses as i32: past 2 GiB they read as negative numbers.
      ptr = this.raw.alloc(Math.max(bytes, 16)) >>> 0;
    } catch {
      const inUse = (this.raw.memory.buffer.byteLength / 2 ** 30).toFixed(2);
      throw new GaldeconError('E_MEMORY',
        `out of WebAssembly memory allocating ${(bytes / 2 ** 20).toFixed(0)} MiB (${inUse} GiB in use; one agent holds ` +
        'at most 4 GiB, about 45,000 stamps of 41×41): spread the stack over more agents or hosts');
    }
    if (ptr % 16 !== 0) throw new Error(`kernel allocator returned an unaligned block (${ptr})`);
    return { ptr, length, kind };
  }

  free(block: Block): void {
    this.raw.release(block.ptr);
  }

  f32(block: Block): Float32Array {
    return new Float32Array(this.raw.memory.buffer, block.ptr, block.length);
  }

  f64(block: Block): Float64Array {
    return new Float64Array(this.raw.memory.buffer, block.ptr, block.length);
  }

  /** Float32 elements of `groups` interleaved images / spectra / band stacks. */
  static pixels(ny: number, nx: number, groups: number): number {
    return groups * ny * nx * LANES;
  }
  static spectrum(ny: number, nx: number, groups: number): number {
    return groups * ny * ((nx >> 1) + 1) * 2 * LANES;
  }
  static bands(ny: number, nx: number, groups: number): number {
    return groups * BANDS * ny * nx * LANES;
  }
}
