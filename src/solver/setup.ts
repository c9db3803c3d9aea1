// What every run does first, in-process (solve.ts) or distributed (cluster/driver.ts):
// resolve the options, check the stacks, and fix the run's noise level σ (§4).

import { InputError } from '../errors.ts';
import type { PsfShape, StackShape } from '../kernels/index.ts';
import { median } from '../common/median.ts';
import { runNoiseSigma } from './method.ts';
import { resolveOptions, type SolverOptions } from './options.ts';
import { stackShape, psfShape, type Stack } from './validate.ts';

export interface RunSetup {
  options: SolverOptions;
  shape: StackShape;
  psf: PsfShape;
  /** The run's noise level σ (§4): the one σ, or the median of the σ_i given per object. */
  noiseSigma: number;
  /** σ_i of each object, when given per object (e.g. --noise-est FILE); they go into W⁽⁰⁾. */
  noiseSigmas?: Float64Array;
}

export function setupRun(y: Stack, psf: Stack, given: Partial<SolverOptions> = {}, perObjectSigma?: ArrayLike<number>): RunSetup {
  const options = resolveOptions(given);
  const shape = stackShape(y, 'input');
  const pshape = psfShape(psf, shape, 'psf');
  if (perObjectSigma !== undefined) {
    const noiseSigmas = Float64Array.from(perObjectSigma);
    if (noiseSigmas.length !== shape.n) throw new InputError(`${noiseSigmas.length} noise levels for ${shape.n} objects; give one per object`);
    const bad = noiseSigmas.findIndex((v) => !(v > 0 && v < Infinity));
    if (bad >= 0) throw new InputError(`object ${bad} has the noise level ${noiseSigmas[bad]}; every σ must be a positive number`);
    return { options, shape, psf: pshape, noiseSigma: median(noiseSigmas), noiseSigmas };
  }
  const noiseSigma = runNoiseSigma(y.data, options);
  // A MAD of 0 (constant or mostly constant data) cannot weight the prior.
  if (!(noiseSigma > 0 && Number.isFinite(noiseSigma))) {
    throw new InputError(`the noise level estimated from the input (1.4826·MAD) is ${noiseSigma}: the data are constant or mostly constant; give the noise σ with --noise-est`);
  }
  return { options, shape, psf: pshape, noiseSigma };
}
