// Exact selection's passes (common/select.ts) in the Wasm kernels (assembly/select.ts):
// the same keys and so the same counts and values as the JavaScript loop, several times
// faster — σ (§4) of a survey-sized stack is four such passes. Chunks are staged into
// the instance a bounded piece at a time, so its memory does not grow with a chunk.

import type { KeyCounting, KeyPass, PassRequest, PassResult } from '../common/select.ts';
import { KEY_BIN_BITS, KEY_SUBHISTOGRAMS } from './exports.generated.ts';
import { KernelModule, type Block } from './module.ts';

/** Values staged per kernel call (512 KiB as float64: stays in cache). */
const PIECE = 1 << 16;

export class WasmKeyCounting implements KeyCounting {
  private readonly stage: { f32?: Block; f64?: Block } = {};
  private current?: WasmKeyPass;

  constructor(private readonly m: KernelModule = new KernelModule()) {}

  pass(requests: readonly PassRequest[], deviationsFrom: number | undefined): KeyPass {
    this.current?.release(); // a pass left unfinished (its stream failed)
    this.current = new WasmKeyPass(this.m, requests, deviationsFrom, (kind) => (this.stage[kind] ??= this.m.alloc(kind, PIECE)));
    return this.current;
  }
}

class WasmKeyPass implements KeyPass {
  /** Per request: its histogram or its collection block, and how many it collected. */
  private blocks: Block[] = [];
  private readonly filled: number[];

  constructor(
    private readonly m: KernelModule, private readonly requests: readonly PassRequest[],
    private readonly deviationsFrom: number | undefined, private readonly stage: (kind: 'f32' | 'f64') => Block,
  ) {
    try {
      for (const r of requests) {
        const b = m.alloc('f64', r.collect === undefined ? KernelModule.keyCountsLength() : r.collect + 1);
        this.blocks.push(b);
        if (r.collect === undefined) m.f64(b).fill(0);
      }
    } catch (e) {
      this.release();
      throw e;
    }
    this.filled = requests.map(() => 0);
  }

  visit(chunk: ArrayLike<number>): void {
    const kind = chunk instanceof Float32Array ? 'f32' : 'f64';
    const stage = this.stage(kind);
    for (let start = 0; start < chunk.length; start += PIECE) {
      const n = Math.min(PIECE, chunk.length - start);
      const view = kind === 'f32' ? this.m.f32(stage) : this.m.f64(stage);
      if (chunk instanceof Float32Array || chunk instanceof Float64Array) view.set(chunk.subarray(start, start + n));
      else for (let i = 0; i < n; i++) view[i] = chunk[start + i];
      this.requests.forEach((r, ri) => {
        if (r.collect === undefined) this.m.countKeys(stage, n, this.deviationsFrom, r, this.blocks[ri]);
        else this.filled[ri] = this.m.collectKeys(stage, n, this.deviationsFrom, r, this.blocks[ri], this.filled[ri]);
      });
    }
  }

  end(): PassResult[] {
    const results = this.requests.map((r, ri): PassResult => {
      const b = this.blocks[ri];
      if (r.collect !== undefined) return { values: this.m.f64(b).slice(0, r.collect), matched: this.filled[ri] };
      // the sub-histograms' u64 counts, summed per bin (exact below 2^53)
      const words = new Uint32Array(this.m.f64(b).buffer, b.ptr, 2 * b.length);
      const counts = new Float64Array(1 << KEY_BIN_BITS);
      for (let bin = 0, w = 0; bin < counts.length; bin++) {
        for (let s = 0; s < KEY_SUBHISTOGRAMS; s++, w += 2) counts[bin] += words[w] + words[w + 1] * 2 ** 32;
      }
      return { counts };
    });
    this.release();
    return results;
  }

  release(): void {
    for (const b of this.blocks) this.m.free(b);
    this.blocks = [];
  }
}
