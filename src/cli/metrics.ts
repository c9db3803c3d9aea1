// `galdecon metrics`: quality of an estimate against a clean truth (ALGORITHM §9), as a
// summary and, with --per-object, as a catalogue with one row per object. The stacks are
// read by chunks (a few numbers per object are kept), so a survey's fit in bounded memory.

import { InputError } from '../errors.ts';
import { openIds, writeFilesAtomic } from '../io/index.ts';
import { openStack, type StackFile } from '../io/stack-source.ts';
import { MetricsSum, formatMetrics, type Metrics } from '../report/metrics.ts';
import { toJsonSafe } from '../report/report.ts';
import { eachChunk, requireFinite, stackShapeOf } from '../solver/index.ts';
import { objectsOf, valuesPerObject } from '../common/types.ts';
import { parseCommand, helpText, type CommandSpec } from './args.ts';
import { stageCatalog, writableOption } from './outputs.ts';
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
  const files: { close(): Promise<void> }[] = []; // stacks and IDs, closed at the end
  const open = async (k: string): Promise<StackFile> => {
    const f = await readFor(`--${k}`, () => openStack(a[k] as string));
    files.push(f);
    return f;
  };
  // The stacks are read by chunks, checked before anything is computed.
  const finite = (f: StackFile, name: string) =>
    eachChunk(f, objectsOf(f.shape), (c, first) => requireFinite(c, valuesPerObject(f.shape), name, first));
  let m: Metrics;
  try {
    const truth = await open('truth');
    const est = await open('estimate');
    const shape = stackShapeOf(truth.shape, `--truth ${String(a.truth)}`);
    const npix = shape.ny * shape.nx;
    await finite(truth, `--truth ${String(a.truth)}`);
    if (truth.shape.join() !== est.shape.join()) {
      throw new InputError(`--estimate ${String(a.estimate)} has shape (${est.shape.join(', ')}), the truth (${truth.shape.join(', ')}); they must match`);
    }
    await finite(est, `--estimate ${String(a.estimate)}`);
    const sum = new MetricsSum(shape.ny, shape.nx);
    await eachChunk(truth, shape.n, async (t, first) => sum.add(t, await est.read(first, t.length / npix), t.length / npix));
    m = sum.result();
    if (table !== undefined) {
      const observed = a.observed ? await open('observed') : undefined;
      if (observed && observed.shape.join() !== truth.shape.join()) {
        throw new InputError(`--observed ${String(a.observed)} has shape (${observed.shape.join(', ')}), the truth (${truth.shape.join(', ')}); they must match`);
      }
      if (observed) await finite(observed, `--observed ${String(a.observed)}`);
      const ids = a.ids ? await readFor('--ids', () => openIds(a.ids as string)) : undefined;
      if (ids) files.push(ids);
      if (ids && ids.length !== shape.n) throw new InputError(`--ids ${String(a.ids)} has ${ids.length} IDs for ${shape.n} objects; give one ID per object`);
      const staged = await stageCatalog(table, [shape.n, shape.ny, shape.nx], { estimate: est, observed, truth, ids }, {}, a.overwrite === true);
      await writeFilesAtomic([staged], a.overwrite === true);
    }
  } finally {
    await Promise.all(files.map((f) => f.close()));
  }
  io.out(a.json ? JSON.stringify(toJsonSafe(m)) + '\n' : formatMetrics(m, `${String(a.estimate)} vs ${String(a.truth)}`) + '\n');
  return 0;
}
