// Writing a table (a catalogue: one row per object) by rows as they are computed, into a
// staged temporary file beside the target (io's staged files: removed on failure and on
// SIGINT/SIGTERM, published with the run's other files), so a writer never holds the
// table. By extension: a FITS binary table after an empty primary HDU — its header, with
// the row count, written first — or CSV, a header line then one line per row.

import { encodeFits, type FitsCard } from './fits.ts';
import { binTable, type OutColumnSpec, type TableRows } from './fits-table.ts';
import type { StagedFile } from './index.ts';
import { createFileSink } from './stack-sink.ts';

export interface TableSink {
  readonly path: string;
  /** Appends the next `count` rows: one array of `count` values per column. */
  append(values: TableRows, count: number): Promise<void>;
  /** Ends the table (every row written); the file, staged, to be committed. */
  finish(): Promise<StagedFile>;
  /** Removes the temporary file (safe twice). */
  abort(): Promise<void>;
}

/** Whether a table is written as CSV (.csv) rather than a FITS binary table (.fits, .fit, .fts). */
const isCsv = (path: string): boolean => path.toLowerCase().endsWith('.csv');

/**
 * Creates the temporary file of a table of `rows` rows to be published as `path`. FITS:
 * `cards` go into the primary header, `extname` names the table's HDU.
 */
export async function createTableSink(
  path: string, columns: OutColumnSpec[], rows: number, opts: { overwrite?: boolean; extname?: string; cards?: FitsCard[] } = {},
): Promise<TableSink> {
  const file = await createFileSink(path, opts.overwrite === true);
  const fits = isCsv(path) ? undefined : binTable(columns, rows, { extname: opts.extname });
  let written = 0;
  try {
    if (fits) {
      await file.write(encodeFits(new Float32Array(0), [], { cards: opts.cards }));
      await file.write(fits.header);
    } else {
      await file.write(columns.map((c) => c.name).join(',') + '\n');
    }
  } catch (e) {
    await file.abort();
    throw e;
  }
  return {
    path,
    async append(values, count) {
      if (written + count > rows) throw new RangeError(`${path}: rows ${written}+${count} of ${rows}`);
      await file.write(fits ? fits.encode(values, count) : csvLines(columns, values, count));
      written += count;
    },
    async finish() {
      if (written !== rows) throw new Error(`${path}: ${written} rows written of ${rows}`);
      if (fits) await file.write(fits.padding);
      return file.finish();
    },
    abort: () => file.abort(),
  };
}

/** CSV lines of `count` rows: strings quoted when they hold a quote, comma or newline; numbers that are not finite left empty. */
function csvLines(columns: OutColumnSpec[], values: TableRows, count: number): string {
  const cell = (i: number, r: number): string => {
    const v = values[i][r];
    if (columns[i].format === 'A') {
      const s = String(v);
      return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
    }
    return Number.isFinite(v as number) ? String(v) : '';
  };
  let out = '';
  for (let r = 0; r < count; r++) out += columns.map((_, i) => cell(i, r)).join(',') + '\n';
  return out;
}
