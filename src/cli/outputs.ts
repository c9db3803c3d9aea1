// The files `run` writes (output, report, catalogue, plots): checked before anything is
// read — distinct, none an input, directories present, nothing replaced without
// --overwrite — and written together at the end through io's atomic writes.

import { mkdir, rmdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { FileError, OptionError } from '../errors.ts';
import { formatOf, parseAddress, requireWritable, writeFilesAtomic, type IdSource, type OutFile, type StagedFile } from '../io/index.ts';
import { createTableSink } from '../io/table-sink.ts';
import { softwareInfo, PLOT_NAMES } from '../report/report.ts';
import { Catalog, type CatalogOptions } from '../report/catalog.ts';
import { eachChunk } from '../solver/index.ts';
import { valuesPerObject, type StackSource } from '../common/types.ts';
import type { Parsed } from './args.ts';

/** The files a run will write, checked before anything is read. */
export interface Outputs {
  output: string;
  report?: string;
  catalog?: string;
  html?: string;
  plotsDir?: string;
}

export async function checkOutputs(a: Parsed, overwrite: boolean): Promise<Outputs> {
  const o: Outputs = {
    output: a.output as string,
    report: a.report as string | undefined,
    catalog: a.catalog as string | undefined,
    html: a.html as string | undefined,
    plotsDir: a.plots as string | undefined,
  };
  formatOf(o.output);
  if (o.catalog !== undefined && !/\.(fits|fit|fts|csv)$/i.test(o.catalog)) {
    throw new OptionError(`--catalog ${o.catalog}: unknown file type; use a name ending in .fits (binary table) or .csv`);
  }
  const bitpix = a.bitpix as number;
  if (bitpix !== -32 && bitpix !== -64) throw new OptionError(`--bitpix must be -32 or -64 (got ${bitpix})`);
  // Every file written must be distinct, and none may be an input.
  const named: [string, string][] = [['--output', o.output]];
  if (o.report) named.push(['--report', o.report]);
  if (o.catalog) named.push(['--catalog', o.catalog]);
  if (o.html) named.push(['--html', o.html]);
  if (o.plotsDir) for (const f of PLOT_NAMES) named.push(['--plots', join(o.plotsDir, f)]);
  const inputs: [string, string][] = (['input', 'psf', 'truth', 'ids', 'config', 'mask', 'noise-est'] as const)
    .filter((k) => typeof a[k] === 'string').map((k) => [`--${k}`, parseAddress(a[k] as string).file]);
  const seen = new Map<string, string>(inputs.map(([k, p]) => [resolve(p), k]));
  for (const [k, p] of named) {
    const other = seen.get(resolve(p));
    if (other !== undefined) throw new OptionError(`${k} ${p} is the same file as ${other}; give each output its own name`);
    seen.set(resolve(p), k);
  }
  const plotsDir = o.plotsDir;
  if (plotsDir) {
    const st = await stat(plotsDir).catch(() => undefined);
    if (st && !st.isDirectory()) throw new OptionError(`--plots ${plotsDir} is not a directory; give a directory for the plots`);
    if (!st) await requireWritable(join(dirname(plotsDir), '.galdecon-probe'), true).catch(() => {
      throw new OptionError(`--plots ${plotsDir}: cannot create it (its parent ${dirname(plotsDir)} is missing or not writable)`);
    });
  }
  for (const [k, p] of named) {
    if (o.plotsDir && dirname(p) === o.plotsDir && !(await stat(o.plotsDir).catch(() => undefined))) continue;
    await writableOption(k, p, overwrite);
  }
  return o;
}

/**
 * requireWritable for a path the user named with option `k`: a path that cannot be
 * written, or would be overwritten without --overwrite, is bad usage (exit 2), named by
 * its option. (A write that fails at the end, e.g. on a full disk, stays a FileError.)
 */
export async function writableOption(k: string, path: string, overwrite: boolean): Promise<void> {
  try {
    await requireWritable(path, overwrite);
  } catch (e) {
    if (e instanceof FileError) throw new OptionError(`${k}: ${e.message}`);
    throw e;
  }
}


/** Writes the run's files all together; creates the plots directory for them (removed again on failure). */
export async function writeAll(files: OutFile[], plotsDir: string | undefined, overwrite: boolean): Promise<void> {
  let created = false;
  if (plotsDir && !(await stat(plotsDir).catch(() => undefined))) {
    await mkdir(plotsDir);
    created = true;
  }
  try {
    await writeFilesAtomic(files, overwrite);
  } catch (e) {
    if (created) await rmdir(plotsDir!).catch(() => undefined);
    throw e;
  }
}

/** The stacks (and IDs) a catalogue's rows come from, read by chunks of objects in order. */
export interface CatalogSources {
  estimate: StackSource;
  observed?: StackSource;
  truth?: StackSource;
  ids?: IdSource;
}

/**
 * The per-object catalogue (CSV or a FITS binary table, by extension) of `n` objects,
 * written by chunks as its rows are computed and staged, to be published with the
 * command's other files (removed if anything fails).
 */
export async function stageCatalog(
  path: string, shape: [number, number, number], from: CatalogSources,
  meta: Pick<CatalogOptions, 'sigma' | 'partitions' | 'iterations'>, overwrite: boolean,
): Promise<StagedFile> {
  const [n] = shape;
  const catalog = new Catalog(shape, { ...meta, observed: from.observed !== undefined, truth: from.truth !== undefined, ids: from.ids });
  const sw = softwareInfo();
  const table = await createTableSink(path, catalog.columns.map((c) => ({ ...c, comment: c.description })), n, {
    overwrite, extname: 'CATALOG', cards: [{ key: 'CREATOR', value: `${sw.name} ${sw.version}` }],
  });
  try {
    await eachChunk(from.estimate, n, async (estimate, first) => {
      const count = estimate.length / valuesPerObject(from.estimate.shape);
      const chunk = { estimate, observed: await from.observed?.read(first, count), truth: await from.truth?.read(first, count), ids: await from.ids?.read(first, count) };
      await table.append(catalog.rows(first, count, chunk), count);
    });
    return await table.finish();
  } catch (e) {
    await table.abort();
    throw e;
  }
}
