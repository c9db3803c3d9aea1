// `galdecon simulate`: a synthetic survey — truth stamps, a PSF field, and observations
// (periodic convolution with each object's PSF plus Gaussian noise), written as FITS.

import { mkdir, rmdir, stat, statfs } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Kernels } from '../kernels/index.ts';
import { writeFilesAtomic } from '../io/index.ts';
import { createFileSink, createStackSink, type FileSink, type StackFileSink } from '../io/stack-sink.ts';
import { writableOption } from './outputs.ts';
import { simulateRange, DEFAULT_NOISE, DEFAULT_SIZE } from '../sim/simulate.ts';
import { softwareInfo } from '../report/report.ts';
import { FileError, OptionError } from '../errors.ts';
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

/** Objects simulated and written at a time (≈ 28 MB of stamps at 41×41). */
const SIM_CHUNK = 4096;

export async function simulateCommand(argv: string[], io: { out: (s: string) => void }): Promise<number> {
  const a = parseCommand(SIMULATE, argv);
  if (a.help) {
    io.out(helpText(SIMULATE));
    return 0;
  }
  const dir = a.out as string;
  const overwrite = a.overwrite === true;
  const files = ['observed.fits', 'psfs.fits', 'truth.fits', 'params.json'].map((f) => join(dir, f));
  const exists = await stat(dir).then((st) => {
    if (!st.isDirectory()) throw new OptionError(`--out ${dir} is not a directory; choose another --out`);
    return true;
  }, () => false);
  if (exists) for (const f of files) await writableOption('--out', f, overwrite);
  else await writableOption('--out', join(dirname(resolve(dir)), '.galdecon-probe'), true);
  // Written by chunks, the survey's memory is bounded; its three float32 cubes must fit the disk.
  const need = 3 * 4 * (a.n as number) * (a.size as number) ** 2;
  const fs = await statfs(exists ? dir : dirname(resolve(dir)));
  const free = fs.bavail * fs.bsize;
  if (need > free) {
    throw new OptionError(`--n ${a.n} stamps of ${a.size}×${a.size} need about ${(need / 2 ** 30).toFixed(1)} GiB, ` +
      `more than the ${(free / 2 ** 30).toFixed(1)} GiB free where --out ${dir} is; simulate fewer objects per run`);
  }
  const t0 = performance.now();
  const kernels = new Kernels();
  const n = a.n as number;
  const size = a.size as number;
  const opts = { n, size, seed: a.seed as number, noise: a.noise as number };
  const shape = [n, size, size];
  const sw = softwareInfo();
  const cards = [
    { key: 'CREATOR', value: `${sw.name} ${sw.version}`, comment: 'software that wrote this file' },
    { key: 'SIMSEED', value: a.seed as number, comment: 'random seed' },
    { key: 'SIMNOISE', value: a.noise as number, comment: 'Gaussian noise sigma' },
  ];
  const contents = ['observed: truth (*) psf + noise', 'PSFs, origin at (ny//2, nx//2), sum 1', 'noise-free galaxies'];
  if (!exists) {
    try {
      await mkdir(dir);
    } catch (e) {
      throw new FileError(`cannot create ${dir}: ${(e as NodeJS.ErrnoException).code ?? 'error'}; choose another --out`);
    }
  }
  // Object by object chunks, each written at its offset: a survey of any size in bounded
  // memory; the four files are published together at the end.
  const sinks: (StackFileSink | FileSink)[] = [];
  try {
    const stacks: StackFileSink[] = [];
    for (let k = 0; k < 3; k++) {
      const sink = await createStackSink(files[k], shape, { overwrite });
      sinks.push(sink);
      stacks.push(sink);
    }
    const params = await createFileSink(files[3], overwrite);
    sinks.push(params);
    const [head] = JSON.stringify({ seed: opts.seed, noise: opts.noise, size, n, objects: [] }, null, 1).split('[]');
    await params.write(`${head}[\n`);
    for (let first = 0; first < n; first += SIM_CHUNK) {
      const count = Math.min(SIM_CHUNK, n - first);
      const sim = simulateRange(opts, first, count, kernels.convolveStamps);
      await stacks[0].write(first, sim.observed);
      await stacks[1].write(first, sim.psfs);
      await stacks[2].write(first, sim.truth);
      const text = sim.objects.map((o) => JSON.stringify(o, null, 1).replace(/^/gm, '  ')).join(',\n');
      await params.write(`${first > 0 ? ',\n' : ''}${text}`);
    }
    await params.write('\n ]\n}\n');
    const staged = [];
    for (let k = 0; k < 3; k++) staged.push(await stacks[k].finish({ cards: [...cards, { key: 'CONTENT', value: contents[k] }] }));
    staged.push(await params.finish());
    await writeFilesAtomic(staged, overwrite);
  } catch (e) {
    for (const s of sinks) await s.abort();
    if (!exists) await rmdir(dir).catch(() => undefined);
    throw e;
  }
  io.out(`galdecon simulate: ${n} objects of ${size}×${size} in ${((performance.now() - t0) / 1000).toFixed(1)} s → ${dir}\n`);
  return 0;
}
