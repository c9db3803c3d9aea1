// The files `run` writes (output, report, catalogue, plots): checked before anything is
// read — distinct, none an input, directories present, nothing replaced without
// --overwrite — and written together at the end through io's atomic writes.

import { mkdir, rmdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { FileError, OptionError } from '../errors.ts';
import { encodeArray, encodeBinTable, formatOf, parseAddress, requireWritable, writeFilesAtomic, type OutFile } from '../io/index.ts';
import { softwareInfo, PLOT_NAMES } from '../report/report.ts';
import { catalogCsv, type CatalogColumn } from '../report/catalog.ts';
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

/** A catalogue as CSV or a FITS binary table, by extension. */
export function catalogBytes(path: string, cols: CatalogColumn[]): Uint8Array {
  if (path.toLowerCase().endsWith('.csv')) return new TextEncoder().encode(catalogCsv(cols));
  const sw = softwareInfo();
  const primary = encodeArray(path, new Float32Array(0), [], { cards: [{ key: 'CREATOR', value: `${sw.name} ${sw.version}` }] });
  const table = encodeBinTable(cols.map((c) => ({ name: c.name, format: c.format, values: c.values, unit: c.unit, comment: c.description })), { extname: 'CATALOG' });
  const out = new Uint8Array(primary.length + table.length);
  out.set(primary);
  out.set(table, primary.length);
  return out;
}

