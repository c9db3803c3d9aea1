// The solver's options by their command-line names: how `run`'s parsed options become
// SolverOptions, and how a run's options are written back (report.json's `options`,
// the FITS header's comments, --config) under the same names.

import { requireLowrankUnmasked, type OptionNames, type SolverOptions } from '../solver/index.ts';
import type { Parsed } from './args.ts';

/** The solver options by the names the command line (and report.json, and --config) use. */
const CLI_NAMES: Required<OptionNames> = {
  wavelet: 'wavelet', kappa: 'kappa', nIter: 'n-iter', nReweights: 'n-reweights', tolerance: 'tolerance',
  costWindow: 'cost-window', tau: 'tau', sigmaD: 'dual-step', rho: 'relax', noiseEst: 'noise-est', positivity: 'no-positivity',
  prior: 'prior', lowrankThreshold: 'lowrank-threshold', lowrankFactor: 'lowrank-factor',
};
export const ERROR_NAMES: OptionNames = Object.fromEntries(Object.entries(CLI_NAMES).map(([k, v]) => [k, `--${v}`]));

export function solverOptions(a: Parsed): Partial<SolverOptions> {
  return {
    wavelet: a.wavelet as SolverOptions['wavelet'],
    kappa: a.kappa as number[],
    nIter: a['n-iter'] as number,
    nReweights: a['n-reweights'] as number,
    tolerance: a.tolerance as number,
    costWindow: a['cost-window'] as number,
    tau: a.tau as number,
    sigmaD: a['dual-step'] as number,
    rho: a.relax as number,
    noiseEst: noiseNumber(a),
    positivity: a['no-positivity'] !== true && a.positivity !== false,
    prior: a.prior as SolverOptions['prior'],
    lowrankThreshold: a['lowrank-threshold'] as SolverOptions['lowrankThreshold'],
    lowrankFactor: a['lowrank-factor'] as number,
  };
}

/**
 * Combinations refused before any input is read: the low-rank step has no masked data
 * term (docs/ALGORITHM.md §10), so --mask and --mask-nan take the sparse prior only.
 */
export function checkPriorOptions(a: Parsed, o: SolverOptions): void {
  const mask = a.mask !== undefined ? '--mask' : a['mask-nan'] === true ? '--mask-nan' : undefined;
  if (mask) requireLowrankUnmasked(o, true, { ...ERROR_NAMES, mask });
}

/** --noise-est as one number (undefined when absent or a file). */
export function noiseNumber(a: Parsed): number | undefined {
  const v = a['noise-est'] as string | undefined;
  return v !== undefined && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v.trim()) ? Number(v) : undefined;
}


/** The solver options as report.json and --config write them: the command line's names. */
export function cliOptions(o: SolverOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, name] of Object.entries(CLI_NAMES) as [keyof SolverOptions, string][]) {
    out[name] = k === 'positivity' ? !o.positivity : k === 'kappa' ? [...o.kappa] : o[k] ?? null;
  }
  return out;
}

