// `--scale`: survey scale through bounded memory. `galdecon run --schedule stream` on 10⁴,
// 10⁵ and 10⁶ simulated 41×41 objects (quick: 200 and 800), 2 local agents, 20 fixed
// iterations: wall time, object-iterations per second and the peak resident memory of the
// run's process (driver and agent threads together), against N. The inputs are made by
// `galdecon simulate`, which writes them chunk by chunk, and cached under results/data.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lineChartSvg } from '../../src/report/chart.ts';
import { RESULTS, writeText } from '../common.ts';
import { cliRun, type CliRun } from './stream.ts';

const BIN = fileURLToPath(new URL('../../bin/galdecon.js', import.meta.url));
const ITERATIONS = 20;

export interface ScaleResult {
  study: 'scale';
  iterations: number;
  agents: number;
  rows: ({ objects: number; simulate_s: number } & CliRun)[];
}

/** The simulated survey of n objects (seed 2017), made once by `galdecon simulate`. */
function survey(n: number, log: (s: string) => void): { dir: string; seconds: number } {
  const dir = `${RESULTS}data/survey-${n}`;
  if (existsSync(join(dir, 'params.json'))) return { dir, seconds: NaN };
  log(`scale: galdecon simulate --n ${n}`);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [BIN, 'simulate', '--n', String(n), '--seed', '2017', '--out', dir, '--overwrite'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`galdecon simulate failed: ${r.stderr}`);
  return { dir, seconds: (performance.now() - t0) / 1000 };
}

export async function scaleStudy(ctx: { quick: boolean; log: (s: string) => void; maxObjects?: number }): Promise<ScaleResult> {
  const sizes = (ctx.quick ? [200, 800] : [10_000, 100_000, 1_000_000]).filter((n) => n <= (ctx.maxObjects ?? Infinity));
  const agents = 2;
  const rows: ScaleResult['rows'] = [];
  const tmp = mkdtempSync(join(tmpdir(), 'galdecon-scale-'));
  try {
    for (const n of sizes) {
      const s = survey(n, ctx.log);
      ctx.log(`scale: galdecon run --schedule stream on ${n} objects`);
      const r = await cliRun(['--input', join(s.dir, 'observed.fits'), '--psf', join(s.dir, 'psfs.fits'), '--output', join(tmp, 'x.fits'),
        '--schedule', 'stream', '--agents', String(agents), '--n-iter', String(ITERATIONS), '--n-reweights', '0', '--tolerance', '0'],
      join(tmp, 'report.json'), [], 500);
      rows.push({ objects: n, simulate_s: s.seconds, ...r });
      rmSync(join(tmp, 'x.fits'), { force: true });
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const mib = (b: number) => b / 2 ** 20;
  writeText('scale.svg', lineChartSvg([
    { name: 'wall time [s]', x: rows.map((r) => r.objects), y: rows.map((r) => r.wall_s) },
    { name: 'peak memory, all processes [MiB]', x: rows.map((r) => r.objects), y: rows.map((r) => mib(r.peak_total_bytes)) },
  ], {
    title: 'Stream schedule: time and memory vs objects', subtitle: `${agents} local agents, ${ITERATIONS} iterations; log–log`,
    xLabel: 'objects', yLabel: 'seconds / MiB', logX: true, logY: true,
  }));
  return { study: 'scale', iterations: ITERATIONS, agents, rows };
}
