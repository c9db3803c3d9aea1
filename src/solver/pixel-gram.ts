// The pixels' Gram matrix G = M Mᵀ = Σ_i m_i m_iᵀ (ny·nx × ny·nx) of the stack matrix
// M = [m_0 … m_{N−1}], for the low-rank prior past ny·nx objects (ALGORITHM §10). Its
// eigen-decomposition gives the SVT's kept left singular vectors and, through all its
// eigenvalues, the nuclear norm; the driver holds it (npix² values whatever N) instead of
// the objects' columns (N·npix values).
//
// Why the whole Gram and not a few top singular vectors (a warm-started subspace
// iteration): measured along a 10,000-object low-rank run (41×41, `galdecon simulate`
// seed 2017), the singular values of M(x) outside the top 64 hold 1.4–9 % of ‖M(x)‖_*,
// about 1 % of the cost, so the §7 stopping rule (3e-4) needs all of them; and the
// singular values of M(ỹt) crowd at the threshold (s_{r+1}/λ up to 0.9998, s_48/λ ≈
// 0.6–0.7), so a subspace iteration would need many steps to decide the rank.
//
// Partition-free sums: the agents (or the one batch) sum m_i m_iᵀ in float64 over fixed
// blocks of `gramBlock(N)` consecutive objects (the kernel's fixed order), round each
// block's sum once into 128-bit fixed point (multiples of 2⁻⁶⁴) and add those exactly;
// partitions start at multiples of the block, so every partitioning adds the same block
// sums and the Gram has the same bits.

import type { Block, KernelModule } from '../kernels/index.ts';
import type { Batch } from './batch.ts';

/** At most this many blocks per stack: the partial-sum rounding is per block, and partitions are whole blocks. */
export const MAX_GRAM_BLOCKS = 32;

/** Objects per Gram block for a stack of n objects: a multiple of 4 (whole kernel groups). */
export function gramBlock(n: number): number {
  return 4 * Math.max(1, Math.ceil(n / (4 * MAX_GRAM_BLOCKS)));
}

/** Fixed-point entries of a side × side Gram's lower triangle. */
export function gramEntries(side: number): number {
  return (side * (side + 1)) / 2;
}

/** Sums Gram parts (batches', or other sums' words) exactly in fixed point and gives the float64 Gram. */
export class PixelGram {
  private readonly acc: Block;
  private part: Block | undefined;
  private out: Block | undefined;
  private readonly entries: number;

  constructor(private readonly module: KernelModule, readonly side: number) {
    this.entries = gramEntries(side);
    this.acc = module.alloc('f64', 2 * this.entries);
    this.clear();
  }

  clear(): void {
    this.module.f64(this.acc).fill(0);
  }

  /** Adds one part (2 words per entry, as `words` gives it). */
  add(part: BigInt64Array): void {
    if (part.length !== 2 * this.entries) throw new RangeError(`a Gram part of ${part.length} words where ${2 * this.entries} were due`);
    this.part ??= this.module.alloc('f64', 2 * this.entries);
    this.module.i64(this.part).set(part);
    this.module.fixedAdd(this.acc, this.part, this.entries);
  }

  /** Adds a batch's part for ỹt or x, in blocks of `block` objects (same module). */
  addBatch(batch: Batch, which: 'yt' | 'x', block: number): void {
    batch.addLowrankGram(which, block, this.acc);
  }

  /** The sum so far as words (2 per entry: lo, hi), for the wire. */
  words(): BigInt64Array {
    return this.module.i64(this.acc).slice();
  }

  /** The symmetric float64 Gram of the sum so far (a copy). */
  matrix(): Float64Array {
    this.out ??= this.module.alloc('f64', this.side * this.side);
    this.module.fixedSymmetric(this.acc, this.side, this.out);
    return this.module.f64(this.out).slice();
  }

  dispose(): void {
    for (const b of [this.acc, this.part, this.out]) if (b) this.module.free(b);
  }
}
