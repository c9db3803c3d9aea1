// The whole method for one in-process batch: σ, W⁽⁰⁾, the Condat–Vũ loop with its
// stopping rule and reweighting (docs/ALGORITHM.md §4–§8).

import { KernelModule } from '../kernels/index.ts';
import { Batch } from './batch.ts';
import { fromFixed } from './exact-sum.ts';
import { LowrankCoupling, psfGain } from './lowrank.ts';
import { lowrankCost, lowrankLambda } from './method.ts';
import { iterate, type LoopResult, type Progress, type Stepper } from './loop.ts';
import { requireLowrankUnmasked, type SolverOptions } from './options.ts';
import { eachChunk, setupRun } from './setup.ts';
import { memorySource, type StackSource } from '../common/types.ts';
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
  /** The low-rank prior's λ, β = ‖H‖² and the rank its SVT kept at each iteration (§10). */
  lowrank?: { lambda: number; beta: number; ranks: number[] };
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

/**
 * A Stepper over one resident batch with the low-rank prior: every iteration is the
 * batch's local half, the SVT of the whole stack (here: the batch), and its projection.
 */
export function lowrankStepper(batch: Batch, coupling: LowrankCoupling, costWindow: number): Stepper {
  // the same Gram blocks as a distributed run's partitions, so the same bits
  const stack = (which: 'yt' | 'x') => coupling.byPixels
    ? coupling.gramOf({ batch, which }) : batch.lowrankColumns(which);
  return {
    async advance(iterations, evaluate) {
      const costs: number[] = [];
      for (let n = 0; n < iterations; n++) {
        batch.lowrankHalf();
        const map = coupling.map(stack('yt'));
        batch.lowrankProject(map.u, map.c);
        if (evaluate && (iterations - 1 - n) % costWindow === 0) {
          costs.push(lowrankCost(fromFixed(batch.lowrankLocalCost()), coupling.lambda, coupling.nuclearNorm(stack('x'))));
        }
      }
      return costs;
    },
    async reweight() {
      batch.reweight();
    },
  };
}

/**
 * λ and β = ‖H‖² of the low-rank prior for a stack (§10), from the PSFs in float64, read
 * by chunks (β is the largest gain of any PSF, so the chunks do not change it).
 */
export async function lowrankParameters(
  psf: StackSource, pshape: { n: number; ky: number; kx: number }, shape: { n: number; ny: number; nx: number },
  noiseSigma: number, options: SolverOptions,
): Promise<{ lambda: number; beta: number }> {
  let beta = 0;
  await eachChunk(psf, pshape.n, (chunk) => {
    beta = Math.max(beta, psfGain(chunk, chunk.length / (pshape.ky * pshape.kx), pshape.ky, pshape.kx, shape.ny, shape.nx));
  });
  return { beta, lambda: lowrankLambda(noiseSigma, shape.n, shape.ny, shape.nx, beta, options.lowrankFactor) };
}

export async function solve(
  y: Stack, psf: Stack, given: Partial<SolverOptions> = {},
  hooks: { onProgress?: (p: Progress) => void; module?: KernelModule; perObject?: PerObject } = {},
): Promise<SolveResult> {
  const t0 = performance.now();
  const { options, shape, psf: pshape, noiseSigma, noiseSigmas } = setupRun(y, psf, given, hooks.perObject?.sigma);
  requireLowrankUnmasked(options, hooks.perObject?.mask !== undefined);
  const module = hooks.module ?? new KernelModule();
  let coupling: LowrankCoupling | undefined;
  let lr: { lambda: number; beta: number } | undefined;
  if (options.prior !== 'sparse') {
    lr = await lowrankParameters(memorySource(psf), pshape, shape, noiseSigma, options);
    coupling = new LowrankCoupling(module, shape.n, shape.ny, shape.nx, lr.lambda, options.lowrankThreshold);
  }
  const batch = new Batch(module, {
    y: y.data, psfs: psf.data, shape, psf: pshape, noiseSigma: noiseSigmas ?? noiseSigma, options, mask: hooks.perObject?.mask,
  });
  try {
    const setupS = (performance.now() - t0) / 1000;
    const stepper = coupling ? lowrankStepper(batch, coupling, options.costWindow) : batchStepper(batch);
    const loop = await iterate(stepper, options, hooks.onProgress);
    return {
      ...loop, x: batch.primal(), shape: [shape.n, shape.ny, shape.nx], noiseSigma, ...(noiseSigmas ? { noiseSigmas } : {}), options, setupS,
      ...(lr && coupling ? { lowrank: { ...lr, ranks: coupling.ranks } } : {}),
    };
  } finally {
    batch.dispose();
    coupling?.dispose();
  }
}
