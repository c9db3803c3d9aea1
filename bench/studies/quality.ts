// `--quality`: what each prior buys in galaxy shapes (ALGORITHM §9–§10): median
// ellipticity error and NMSE against the truth for N = 10², 10³, 10⁴ simulated objects,
// sparse / lowrank / both with default options, and the observations as the baseline.
//
// galdecon runs every row; at 10⁴ objects the exact low-rank priors (two Gram matrices
// and eigen-decompositions per iteration, see `--priors`) would take about an hour per
// run here, and the row says so instead.

import { availableParallelism } from 'node:os';
import { localMode, runWith, simulated, writeText } from '../common.ts';
import { summarize } from '../../src/report/metrics.ts';
import { lineChartSvg } from '../../src/report/chart.ts';
import type { SolverOptions } from '../../src/solver/index.ts';

type Method = 'observations' | SolverOptions['prior'];
const METHODS: Method[] = ['observations', 'sparse', 'lowrank', 'both'];

export interface QualityRow {
  objects: number;
  method: Method;
  ellipticity_error_median?: number;
  nmse_median?: number;
  iterations?: number;
  seconds?: number;
  reason?: string;
}

export async function qualityStudy(ctx: { quick: boolean; log: (s: string) => void; maxObjects?: number }) {
  const sizes = ctx.quick ? [24] : [100, 1000, 10_000].filter((n) => n <= (ctx.maxObjects ?? Infinity));
  // quick: a few iterations, to check the harness
  const base: Partial<SolverOptions> = ctx.quick ? { nIter: 20, nReweights: 1, tolerance: 0 } : {};
  const cores = availableParallelism();
  const rows: QualityRow[] = [];
  for (const n of sizes) {
    const data = simulated(n);
    const score = (x: ArrayLike<number>) => summarize(data.truth.data, x, n, 41, 41);
    for (const method of METHODS) {
      const row: QualityRow = { objects: n, method };
      const t0 = performance.now();
      if (method === 'observations') {
        const m = score(data.y.data);
        Object.assign(row, { ellipticity_error_median: m.ellipticity_error_median, nmse_median: m.nmse_median });
      } else if (method === 'sparse' || n <= 1000) {
        const r = await runWith(localMode(cores), data.y, data.psf, { ...base, prior: method }, 2 * cores);
        const m = score(r.x);
        Object.assign(row, { ellipticity_error_median: m.ellipticity_error_median, nmse_median: m.nmse_median, iterations: r.iterations });
      } else {
        row.reason = `not run: the exact spectrum of the ${41 * 41} × ${n} stack twice per iteration (see --priors for the time per iteration here) for ~100–300 iterations`;
      }
      row.seconds = (performance.now() - t0) / 1000;
      ctx.log(`quality: ${n} objects, ${method}: ellipticity error ${row.ellipticity_error_median?.toFixed(4) ?? '—'}, NMSE ${row.nmse_median?.toFixed(4) ?? '—'}${row.reason ? ` — ${row.reason}` : ''}`);
      rows.push(row);
    }
  }
  const series = (key: 'ellipticity_error_median' | 'nmse_median') => METHODS.map((m) => {
    const pts = rows.filter((r) => r.method === m && r[key] !== undefined);
    return { name: m, x: pts.map((r) => r.objects), y: pts.map((r) => r[key]!) };
  }).filter((s) => s.x.length > 0);
  writeText('quality.svg', lineChartSvg(series('ellipticity_error_median'), {
    title: 'Galaxy shapes by prior', subtitle: 'median ellipticity error vs truth (lower is better)',
    xLabel: 'objects N', yLabel: 'median ellipticity error', logX: true,
  }));
  writeText('quality-nmse.svg', lineChartSvg(series('nmse_median'), {
    title: 'Pixel error by prior', subtitle: 'median NMSE vs truth (lower is better)', xLabel: 'objects N', yLabel: 'median NMSE', logX: true,
  }));
  return { study: 'quality' as const, rows, options: ctx.quick ? base : 'defaults (tolerance 3e-4, 150 iterations per phase, one reweight)' };
}
