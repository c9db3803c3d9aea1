// What every run does first, in-process (solve.ts) or distributed (cluster/driver.ts):
// resolve the options, check the stacks, and fix the run's noise level σ (§4).

import type { PsfShape, StackShape } from '../kernels/index.ts';
import { runNoiseSigma } from './method.ts';
import { resolveOptions, type SolverOptions } from './options.ts';
import { stackShape, psfShape, type Stack } from './validate.ts';

export interface RunSetup {
  options: SolverOptions;
  shape: StackShape;
  psf: PsfShape;
  /** The global noise level σ (§4). */
  noiseSigma: number;
}

export function setupRun(y: Stack, psf: Stack, given: Partial<SolverOptions> = {}): RunSetup {
  const options = resolveOptions(given);
  const shape = stackShape(y, 'input');
  const pshape = psfShape(psf, shape, 'psf');
  return { options, shape, psf: pshape, noiseSigma: runNoiseSigma(y.data, options) };
}
