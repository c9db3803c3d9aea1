// The whole method for one in-process batch: σ, W⁽⁰⁾, the Condat–Vũ loop with its
// stopping rule and reweighting (docs/ALGORITHM.md §4–§8).

import { KernelModule } from '../kernels/index.ts';
import { Batch } from './batch.ts';
import { fromFixed } from './exact-sum.ts';
import { iterate, type LoopResult, type Progress, type Stepper } from './loop.ts';
import type { SolverOptions } from './options.ts';
import { setupRun } from './setup.ts';
import type { Stack } from './validate.ts';

/** Inputs given per object, besides the stamps and PSFs. */
export interface PerObject {
  /** Noise level σ_i of each object (W⁽⁰⁾ = κ σ_i ‖Φ p_i‖), instead of one σ for all. */
  sigma?: ArrayLike<number>;
  /** Pixel weights in [0, 1], shaped as the stack: the data term ½‖√w ⊙ (y − Hx)‖². */
  mask?: ArrayLike<number>;
}

export interface SolveResult extends LoopResult {
  /** Deconvolved stack, object-major (n, ny, nx). */
  x: Float32Array;
  shape: [number, number, number];
  /** The run's noise level (the median of the σ_i when they are given per object). */
  noiseSigma: number;
  noiseSigmas?: Float64Array;
  options: SolverOptions;
  setupS: number;
}

/** A Stepper over one resident batch; `exact`, if given, receives each cost's exact sum. */
export function batchStepper(batch: Batch, exact?: bigint[]): Stepper {
  return {
    async advance(iterations, evaluate) {
      const sums = batch.advance(iterations, evaluate);
      exact?.push(...sums);
      return sums.map(fromFixed);
    },
    async reweight() {
      batch.reweight();
    },
  };
}

export async function solve(
  y: Stack, psf: Stack, given: Partial<SolverOptions> = {},
  hooks: { onProgress?: (p: Progress) => void; module?: KernelModule; perObject?: PerObject } = {},
): Promise<SolveResult> {
  const t0 = performance.now();
  const { options, shape, psf: pshape, noiseSigma, noiseSigmas } = setupRun(y, psf, given, hooks.perObject?.sigma);
  const batch = new Batch(hooks.module ?? new KernelModule(), {
    y: y.data, psfs: psf.data, shape, psf: pshape, noiseSigma: noiseSigmas ?? noiseSigma, options, mask: hooks.perObject?.mask,
  });
  try {
    const setupS = (performance.now() - t0) / 1000;
    const loop = await iterate(batchStepper(batch), options, hooks.onProgress);
    return {
      ...loop, x: batch.primal(), shape: [shape.n, shape.ny, shape.nx], noiseSigma, ...(noiseSigmas ? { noiseSigmas } : {}), options, setupS,
    };
  } finally {
    batch.dispose();
  }
}
