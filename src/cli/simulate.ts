// `galdecon simulate`: a synthetic survey — truth stamps, a PSF field, and observations
// (periodic convolution with each object's PSF plus Gaussian noise), written as FITS.

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Kernels } from '../kernels/index.ts';
import { writeArray, writeTextAtomic, requireWritable } from '../io/index.ts';
import { simulate, DEFAULT_NOISE, DEFAULT_SIZE } from '../sim/simulate.ts';
import { softwareInfo } from '../report/report.ts';
import { FileError } from '../errors.ts';
import { parseCommand, helpText, type CommandSpec } from './args.ts';

export const SIMULATE: CommandSpec = {
  name: 'simulate',
  summary: 'make a synthetic stack: galaxies, a space-variant PSF field, noisy observations',
  usage: 'galdecon simulate --n N [--size 41] [--seed S] [--noise 3e-4] --out DIR',
  options: {
    n: { kind: 'integer', help: 'number of objects', required: true },
    size: { kind: 'integer', help: 'stamp size in pixels (square)', default: DEFAULT_SIZE },
    seed: { kind: 'integer', help: 'random seed (same seed, same files)', default: 1 },
    noise: { kind: 'number', arg: 'SIGMA', help: 'Gaussian noise σ', default: DEFAULT_NOISE },
    out: { kind: 'string', arg: 'DIR', help: 'directory for observed.fits, psfs.fits, truth.fits, params.json', required: true },
    overwrite: { kind: 'boolean', help: 'replace existing files in DIR' },
  },
  notes: 'Galaxies: Sérsic bulge + exponential disk; PSFs: elliptical Moffat varying smoothly over a focal plane.',
};

export async function simulateCommand(argv: string[], io: { out: (s: string) => void }): Promise<number> {
  const a = parseCommand(SIMULATE, argv);
  if (a.help) {
    io.out(helpText(SIMULATE));
    return 0;
  }
  const dir = a.out as string;
  const overwrite = a.overwrite === true;
  try {
    await mkdir(dir, { recursive: true });
  } catch (e) {
    throw new FileError(`cannot create ${dir}: ${(e as NodeJS.ErrnoException).code ?? 'error'}; choose another --out`);
  }
  const files = ['observed.fits', 'psfs.fits', 'truth.fits', 'params.json'].map((f) => join(dir, f));
  for (const f of files) await requireWritable(f, overwrite);
  const t0 = performance.now();
  const kernels = new Kernels();
  const n = a.n as number;
  const size = a.size as number;
  const sim = simulate(
    { n, size, seed: a.seed as number, noise: a.noise as number },
    kernels.convolveStamps,
  );
  const shape = [n, size, size];
  const sw = softwareInfo();
  const cards = [
    { key: 'CREATOR', value: `${sw.name} ${sw.version}`, comment: 'software that wrote this file' },
    { key: 'SIMSEED', value: a.seed as number, comment: 'random seed' },
    { key: 'SIMNOISE', value: a.noise as number, comment: 'Gaussian noise sigma' },
  ];
  await writeArray(files[0], sim.observed, shape, { overwrite, cards: [...cards, { key: 'CONTENT', value: 'observed: truth (*) psf + noise' }] });
  await writeArray(files[1], sim.psfs, shape, { overwrite, cards: [...cards, { key: 'CONTENT', value: 'PSFs, origin at (ny//2, nx//2), sum 1' }] });
  await writeArray(files[2], sim.truth, shape, { overwrite, cards: [...cards, { key: 'CONTENT', value: 'noise-free galaxies' }] });
  await writeTextAtomic(files[3], JSON.stringify(sim.params, null, 1) + '\n', overwrite);
  io.out(`galdecon simulate: ${n} objects of ${size}×${size} in ${((performance.now() - t0) / 1000).toFixed(1)} s → ${dir}\n`);
  return 0;
}
