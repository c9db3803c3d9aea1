// `galdecon simulate`: a synthetic survey — truth stamps, a PSF field, and observations
// (periodic convolution with each object's PSF plus Gaussian noise), written as FITS.

import { mkdir, rmdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Kernels } from '../kernels/index.ts';
import { encodeArray, writeFilesAtomic } from '../io/index.ts';
import { writableOption } from './outputs.ts';
import { simulate, DEFAULT_NOISE, DEFAULT_SIZE } from '../sim/simulate.ts';
import { softwareInfo } from '../report/report.ts';
import { FileError, OptionError } from '../errors.ts';
import { totalmem } from 'node:os';
import { parseCommand, helpText, type CommandSpec } from './args.ts';

export const SIMULATE: CommandSpec = {
  name: 'simulate',
  summary: 'make a synthetic stack: galaxies, a space-variant PSF field, noisy observations',
  usage: 'galdecon simulate --n N [--size 41] [--seed S] [--noise 3e-4] --out DIR',
  options: {
    n: { kind: 'integer', help: 'number of objects', required: true, min: 1 },
    size: { kind: 'integer', help: 'stamp size in pixels (square)', default: DEFAULT_SIZE, min: 8, max: 4096 },
    seed: { kind: 'integer', help: 'random seed (same seed, same files)', default: 1 },
    noise: { kind: 'number', arg: 'SIGMA', help: 'Gaussian noise σ', default: DEFAULT_NOISE, min: 0 },
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
  // Three float32 cubes and their encoded copies are held at once.
  const need = 6 * 4 * (a.n as number) * (a.size as number) ** 2;
  if (need > totalmem() / 2) {
    throw new OptionError(`--n ${a.n} stamps of ${a.size}×${a.size} need about ${(need / 2 ** 30).toFixed(1)} GiB, ` +
      `more than half of this machine's ${(totalmem() / 2 ** 30).toFixed(1)} GiB; simulate fewer objects per run`);
  }
  const files = ['observed.fits', 'psfs.fits', 'truth.fits', 'params.json'].map((f) => join(dir, f));
  const exists = await stat(dir).then((st) => {
    if (!st.isDirectory()) throw new OptionError(`--out ${dir} is not a directory; choose another --out`);
    return true;
  }, () => false);
  if (exists) for (const f of files) await writableOption('--out', f, overwrite);
  else await writableOption('--out', join(dirname(resolve(dir)), '.galdecon-probe'), true);
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
  const bytes = [
    encodeArray(files[0], sim.observed, shape, { cards: [...cards, { key: 'CONTENT', value: 'observed: truth (*) psf + noise' }] }),
    encodeArray(files[1], sim.psfs, shape, { cards: [...cards, { key: 'CONTENT', value: 'PSFs, origin at (ny//2, nx//2), sum 1' }] }),
    encodeArray(files[2], sim.truth, shape, { cards: [...cards, { key: 'CONTENT', value: 'noise-free galaxies' }] }),
    new TextEncoder().encode(JSON.stringify(sim.params, null, 1) + '\n'),
  ];
  if (!exists) {
    try {
      await mkdir(dir);
    } catch (e) {
      throw new FileError(`cannot create ${dir}: ${(e as NodeJS.ErrnoException).code ?? 'error'}; choose another --out`);
    }
  }
  try {
    await writeFilesAtomic(files.map((path, i) => ({ path, bytes: bytes[i] })), overwrite);
  } catch (e) {
    if (!exists) await rmdir(dir).catch(() => undefined);
    throw e;
  }
  io.out(`galdecon simulate: ${n} objects of ${size}×${size} in ${((performance.now() - t0) / 1000).toFixed(1)} s → ${dir}\n`);
  return 0;
}
