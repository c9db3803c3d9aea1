// The output FITS header of `run`: the input's provenance cards, DATE, the software, every
// option (its comment names the command-line option), σ, the iterations, and a HISTORY.

import type { FitsCard } from '../io/index.ts';
import type { SurveyResult } from '../cluster/index.ts';
import { softwareInfo } from '../report/report.ts';
import type { Parsed } from './args.ts';
import { cliOptions } from './run-options.ts';

/** Cards of the input's primary header carried into the output: provenance, not geometry. */
const CARRIED = /^(BUNIT|OBJECT|TELESCOP|INSTRUME|FILTER|OBSERVER|ORIGIN|DATE-OBS|MJD-OBS|EXPTIME|GAIN|RDNOISE|SATURATE|AIRMASS|SURVEY|FIELD|RUN|PROPOSID|PROGRAM)$/;
/** World-coordinate and structural cards (they describe the input's geometry, not the stack of stamps), our own, and the conventions (HIERARCH, CONTINUE) this writer does not reproduce. */
const DROPPED = /^(SIMPLE|XTENSION|BITPIX|NAXIS\d*|EXTEND|PCOUNT|GCOUNT|BSCALE|BZERO|BLANK|END|EXTNAME|EXTVER|CHECKSUM|DATASUM|DATE|CREATOR|WCSAXES|WCSNAME\w?|CTYPE\d+\w?|CRPIX\d+\w?|CRVAL\d+\w?|CDELT\d+\w?|CUNIT\d+\w?|CROTA\d+|CD\d+_\d+\w?|PC\d+_\d+\w?|PV\d+_\d+\w?|PS\d+_\d+\w?|LONPOLE\w?|LATPOLE\w?|RADESYS\w?|RADECSYS|EQUINOX\w?|EPOCH|MJDREF|A_\w+|B_\w+|AP_\w+|BP_\w+|GD\w*|CONTENT|NOISESIG|NOISEPER|HIERARCH|CONTINUE|NITER|CONVERGD|FINLCOST)$/;

/** Provenance cards of the input (BUNIT, OBJECT, TELESCOP, … and any other non-WCS card). */
export function carriedCards(header: FitsCard[]): FitsCard[] {
  return header.filter((c) => c.key !== '' && c.key !== 'COMMENT' && c.key !== 'HISTORY' && (CARRIED.test(c.key) || !DROPPED.test(c.key)));
}

export function fitsCards(r: SurveyResult, inputHeader: FitsCard[], masked: boolean): FitsCard[] {
  const o = cliOptions(r.options);
  const sw = softwareInfo();
  return [
    ...carriedCards(inputHeader),
    { key: 'DATE', value: new Date().toISOString().slice(0, 19), comment: 'UTC date this file was written' },
    { key: 'CREATOR', value: `${sw.name} ${sw.version}`, comment: 'software that wrote this file' },
    { key: 'GDMETHOD', value: `${r.options.prior} Condat-Vu`, comment: `Farrens et al. 2017, --prior ${r.options.prior}` },
    ...(r.lowrank ? [
      { key: 'GDLAMBDA', value: r.lowrank.lambda, comment: 'low-rank weight lambda (docs/ALGORITHM.md §10)' },
      { key: 'GDLRTHR', value: r.options.lowrankThreshold, comment: '--lowrank-threshold' },
      { key: 'GDLRFAC', value: r.options.lowrankFactor, comment: '--lowrank-factor' },
      { key: 'GDRANK', value: r.lowrank.ranks.at(-1) ?? 0, comment: 'rank kept at the last iteration' },
    ] : []),
    { key: 'GDWAVE', value: o.wavelet as string, comment: '--wavelet' },
    { key: 'GDKAPPA', value: (o.kappa as number[]).join(','), comment: '--kappa' },
    { key: 'GDNITER', value: o['n-iter'] as number, comment: '--n-iter (per phase)' },
    { key: 'GDNREW', value: o['n-reweights'] as number, comment: '--n-reweights' },
    { key: 'GDTOL', value: o.tolerance as number, comment: '--tolerance' },
    { key: 'GDCOSTW', value: o['cost-window'] as number, comment: '--cost-window' },
    { key: 'GDTAU', value: o.tau as number, comment: '--tau (primal step)' },
    { key: 'GDDSTEP', value: o['dual-step'] as number, comment: '--dual-step' },
    { key: 'GDRELAX', value: o.relax as number, comment: '--relax' },
    { key: 'GDNOPOS', value: o['no-positivity'] as boolean, comment: '--no-positivity' },
    { key: 'NOISESIG', value: r.noiseSigma, comment: r.noiseSigmas ? 'median of the per-object noise sigmas' : 'noise sigma used for the weights' },
    ...(r.noiseSigmas ? [{ key: 'NOISEPER', value: true, comment: 'one noise sigma per object (--noise-est FILE)' }] : []),
    ...(masked ? [{ key: 'GDMASKED', value: true, comment: 'masked data term (--mask / --mask-nan)' }] : []),
    { key: 'GDSCHED', value: r.schedule, comment: '--schedule (stream: per-partition stopping)' },
    { key: 'NITER', value: r.iterations, comment: 'iterations run (stream: the longest partition)' },
    { key: 'CONVERGD', value: r.converged, comment: 'stopping rule ended the last phase (stream: of all)' },
    { key: 'FINLCOST', value: r.cost.at(-1) ?? 0, comment: 'cost after the last evaluation' },
  ];
}

export function history(r: SurveyResult, a: Parsed): string[] {
  return [
    `galdecon run on ${new Date().toISOString()}: input ${String(a.input)}, psf ${String(a.psf)}`,
    `${r.shape[0]} objects of ${r.shape[1]}x${r.shape[2]}, ${r.agents} agents, ${r.partitions} partitions, ${r.schedule} schedule`,
    `sigma ${r.noiseSigma}, ${r.iterations} iterations (${r.phaseIterations.join(' + ')}), converged ${r.converged}`,
  ];
}

