// Solver options (docs/ALGORITHM.md §4–§8): names, defaults and validation in one place.

import { OptionError } from '../errors.ts';
import { BANDS, WAVELETS, type Wavelet } from '../kernels/index.ts';
import { PRIORS, LOWRANK_THRESHOLDS, type Prior, type LowrankThreshold } from './lowrank.ts';

export interface SolverOptions {
  /** À trous wavelet of Φ. */
  wavelet: Wavelet;
  /** Threshold multipliers κ_j, one per band (§5). */
  kappa: number[];
  /** Iterations per phase (§7). */
  nIter: number;
  /** Reweighting phases after the first (§8). */
  nReweights: number;
  /** Stopping-rule tolerance; 0 disables the rule (§7). */
  tolerance: number;
  /** Evaluate the cost after every `costWindow`-th iteration (§7). */
  costWindow: number;
  /** Primal step τ, dual step σ_d, relaxation ρ (§6). */
  tau: number;
  sigmaD: number;
  rho: number;
  /** Noise σ; undefined = 1.4826·MAD of the whole stack (§4). */
  noiseEst?: number;
  /** Project onto x ≥ 0 at every step (§6). */
  positivity: boolean;
  /** Prior: sparse (Eq. 1), low-rank, or both (§10). */
  prior: Prior;
  /** Singular value thresholding of the low-rank prior: keep (hard) or shrink (soft) (§10). */
  lowrankThreshold: LowrankThreshold;
  /** Multiplies λ of the low-rank prior (§10). */
  lowrankFactor: number;
}

export const DEFAULT_OPTIONS: Readonly<SolverOptions> = Object.freeze({
  wavelet: 'linear',
  kappa: [3, 3, 4],
  nIter: 150,
  nReweights: 1,
  tolerance: 3e-4,
  costWindow: 1,
  tau: 0.5,
  sigmaD: 0.5,
  rho: 0.8,
  noiseEst: undefined,
  positivity: true,
  prior: 'sparse',
  lowrankThreshold: 'hard',
  lowrankFactor: 1,
});

/** How errors name each option: the field by default; the CLI passes its option names. */
export type OptionNames = Partial<Record<keyof SolverOptions, string>>;

/** Defaults overlaid with `given`, validated; error messages name fields as in `names`. */
export function resolveOptions(given: Partial<SolverOptions> = {}, names: OptionNames = {}): SolverOptions {
  const nm = (k: keyof SolverOptions): string => names[k] ?? k;
  const o: SolverOptions = { ...DEFAULT_OPTIONS, kappa: [...DEFAULT_OPTIONS.kappa] };
  for (const [k, v] of Object.entries(given)) {
    if (v !== undefined) (o as unknown as Record<string, unknown>)[k] = v;
  }
  if (!WAVELETS.includes(o.wavelet)) {
    throw new OptionError(`${nm('wavelet')} must be one of ${WAVELETS.join(', ')} (got ${String(o.wavelet)})`);
  }
  if (!Array.isArray(o.kappa) || o.kappa.length !== BANDS || !o.kappa.every((k) => Number.isFinite(k) && k >= 0)) {
    throw new OptionError(`${nm('kappa')} must be ${BANDS} non-negative numbers, one per band (got ${String(o.kappa)})`);
  }
  integer(nm('nIter'), o.nIter, 1);
  integer(nm('nReweights'), o.nReweights, 0);
  integer(nm('costWindow'), o.costWindow, 1);
  positive(nm('tau'), o.tau);
  positive(nm('sigmaD'), o.sigmaD);
  if (!(Number.isFinite(o.tolerance) && o.tolerance >= 0)) throw new OptionError(`${nm('tolerance')} must be ≥ 0 (got ${o.tolerance})`);
  if (!(Number.isFinite(o.rho) && o.rho > 0 && o.rho < 2)) throw new OptionError(`${nm('rho')} (ρ) must be in (0, 2) (got ${o.rho})`);
  if (o.noiseEst !== undefined) positive(nm('noiseEst'), o.noiseEst);
  if (typeof o.positivity !== 'boolean') throw new OptionError(`${nm('positivity')} must be true or false`);
  if (!PRIORS.includes(o.prior)) throw new OptionError(`${nm('prior')} must be one of ${PRIORS.join(', ')} (got ${String(o.prior)})`);
  if (!LOWRANK_THRESHOLDS.includes(o.lowrankThreshold)) {
    throw new OptionError(`${nm('lowrankThreshold')} must be one of ${LOWRANK_THRESHOLDS.join(', ')} (got ${String(o.lowrankThreshold)})`);
  }
  positive(nm('lowrankFactor'), o.lowrankFactor);
  // the low-rank prior alone has no weights to reweight (§10): one phase
  if (o.prior === 'lowrank') o.nReweights = 0;
  return o;
}

function integer(name: string, v: number, min: number): void {
  if (!Number.isSafeInteger(v) || v < min) throw new OptionError(`${name} must be an integer ≥ ${min} (got ${v})`);
}

function positive(name: string, v: number): void {
  if (!(Number.isFinite(v) && v > 0)) throw new OptionError(`${name} must be a positive number (got ${v})`);
}

/**
 * The low-rank step has no masked data term (§10): a masked run takes the sparse prior only.
 * `mask` names the mask's option in the error (the CLI passes its own).
 */
export function requireLowrankUnmasked(o: SolverOptions, masked: boolean, names: OptionNames & { mask?: string } = {}): void {
  if (masked && o.prior !== 'sparse') {
    throw new OptionError(
      `${names.mask ?? 'mask'} cannot be combined with ${names.prior ?? 'prior'} ${o.prior}: the low-rank prior has no masked data term; drop the mask or use ${names.prior ?? 'prior'} sparse`,
    );
  }
}
