// `galdecon metrics`: quality of an estimate against a clean truth (ALGORITHM §9), as a
// summary and, with --per-object, as a catalogue with one row per object.

import { InputError } from '../errors.ts';
import { readArray, readIds, writeBytesAtomic } from '../io/index.ts';
import { summarize, formatMetrics } from '../report/metrics.ts';
import { toJsonSafe } from '../report/report.ts';
import { catalogColumns } from '../report/catalog.ts';
import { requireFinite, stackShape } from '../solver/index.ts';
import { parseCommand, helpText, type CommandSpec } from './args.ts';
import { catalogBytes, writableOption } from './outputs.ts';
import { readFor } from './read.ts';
import { OptionError } from '../errors.ts';

export const METRICS: CommandSpec = {
  name: 'metrics',
  summary: 'NMSE, ellipticity error and PSNR of an estimate against the truth',
  usage: 'galdecon metrics --truth T --estimate X [--json] [--per-object FILE [--observed Y] [--ids SOURCE]]',
  options: {
    truth: { kind: 'string', arg: 'FILE', help: 'clean truth stack (N, ny, nx)', required: true },
    estimate: { kind: 'string', arg: 'FILE', help: 'estimated stack, same shape', required: true },
    json: { kind: 'boolean', help: 'print the metrics as one JSON object' },
    'per-object': { kind: 'string', arg: 'FILE', help: 'write one row per object: .fits (binary table) or .csv (the columns of run --catalog)' },
    observed: { kind: 'string', arg: 'FILE', help: 'with --per-object: the observed stack, for the flux and ellipticity "in" columns' },
    ids: { kind: 'string', arg: 'SOURCE', help: 'with --per-object: object IDs (see run --help)' },
    overwrite: { kind: 'boolean', help: 'replace an existing --per-object file' },
  },
  notes: 'Per object, then the median and mean over objects; ellipticity from unweighted quadrupole moments.',
};

export async function metricsCommand(argv: string[], io: { out: (s: string) => void }): Promise<number> {
  const a = parseCommand(METRICS, argv);
  if (a.help) {
    io.out(helpText(METRICS));
    return 0;
  }
  const table = a['per-object'] as string | undefined;
  if (table === undefined && (a.observed || a.ids)) throw new OptionError('--observed and --ids go with --per-object');
  if (table !== undefined) {
    if (!/\.(fits|fit|fts|csv)$/i.test(table)) throw new OptionError(`--per-object ${table}: use a name ending in .fits (binary table) or .csv`);
    await writableOption('--per-object', table, a.overwrite === true);
  }
  const truth = await readFor('--truth', () => readArray(a.truth as string));
  const est = await readFor('--estimate', () => readArray(a.estimate as string));
  const shape = stackShape(truth, `--truth ${String(a.truth)}`);
  if (truth.shape.join() !== est.shape.join()) {
    throw new InputError(`--estimate ${String(a.estimate)} has shape (${est.shape.join(', ')}), the truth (${truth.shape.join(', ')}); they must match`);
  }
  requireFinite(est.data, shape.ny * shape.nx, `--estimate ${String(a.estimate)}`);
  const m = summarize(truth.data, est.data, shape.n, shape.ny, shape.nx);
  if (table !== undefined) {
    const observed = a.observed ? await readFor('--observed', () => readArray(a.observed as string)) : undefined;
    if (observed && observed.shape.join() !== truth.shape.join()) {
      throw new InputError(`--observed ${String(a.observed)} has shape (${observed.shape.join(', ')}), the truth (${truth.shape.join(', ')}); they must match`);
    }
    if (observed) requireFinite(observed.data, shape.ny * shape.nx, `--observed ${String(a.observed)}`);
    const ids = a.ids ? await readFor('--ids', () => readIds(a.ids as string)) : undefined;
    if (ids && ids.length !== shape.n) throw new InputError(`--ids ${String(a.ids)} has ${ids.length} IDs for ${shape.n} objects; give one ID per object`);
    const cols = catalogColumns({ shape: [shape.n, shape.ny, shape.nx], estimate: est.data, observed: observed?.data, truth: truth.data, ids });
    await writeBytesAtomic(table, catalogBytes(table, cols), a.overwrite === true);
  }
  io.out(a.json ? JSON.stringify(toJsonSafe(m)) + '\n' : formatMetrics(m, `${String(a.estimate)} vs ${String(a.truth)}`) + '\n');
  return 0;
}
