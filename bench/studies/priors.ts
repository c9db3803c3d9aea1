// `--priors`: time per iteration of the low-rank and combined priors against the sparse
// one, same data, same harness run (ALGORITHM §10; issue 12's targets: lowrank ≤ 2.5×,
// both ≤ 3× sparse, cost every iteration), and the NumPy peer's exact-SVD low-rank mode.
//
// The low-rank priors are exact: a Gram matrix (N × N on the driver from the columns, or
// past ny·nx objects ny·nx × ny·nx, reduced by the agents in fixed point) and its
// eigen-decomposition on the driver, twice per iteration (SVT of ỹt, nuclear norm of x):
// O(N·ny·nx·min(N, ny·nx) + min(N, ny·nx)³).

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { localMode, runWith, simulated } from '../common.ts';
import { StackSpectrum, type SolverOptions } from '../../src/solver/index.ts';
import { KernelModule } from '../../src/kernels/index.ts';

const SCRIPT = fileURLToPath(new URL('../peer/galdecon_numpy.py', import.meta.url));
type Prior = SolverOptions['prior'];
const PRIORS: Prior[] = ['sparse', 'lowrank', 'both'];

export interface PriorsRow {
  objects: number;
  prior: Prior;
  iterations: number;
  /** Seconds per iteration (cost every iteration), or undefined with `reason`. */
  per_iteration_s?: number;
  /** ÷ the sparse prior's, same objects, same run. */
  ratio_to_sparse?: number;
  /** The NumPy peer, exact SVD (LAPACK), one thread; sparse rows: the peer's sparse mode. */
  numpy_per_iteration_s?: number;
  ranks?: number[];
  /**
   * Where a low-rank iteration's driver time goes (seconds, one core, on the run's final
   * x's Gram): the SVT map and the nuclear norm, each an eigen-decomposition (the Gram
   * too up to ny·nx objects; past that the agents reduce it).
   */
  driver_svt_s?: number;
  driver_nuclear_s?: number;
  reason?: string;
}

export async function priorsStudy(ctx: { quick: boolean; log: (s: string) => void; maxObjects?: number }): Promise<{ study: 'priors'; agents: number; rows: PriorsRow[] }> {
  const sizes = ctx.quick ? [40] : [100, 400, 1000, 10_000].filter((n) => n <= (ctx.maxObjects ?? Infinity));
  const iterations = (n: number) => (ctx.quick ? 3 : n > 1000 ? 4 : 8);
  const cores = availableParallelism();
  const rows: PriorsRow[] = [];
  const numpy = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;
  for (const n of sizes) {
    const data = simulated(n);
    const sparse: { s?: number } = {};
    // interleaved: the three priors back to back at each size, so load changes hit all alike
    for (const prior of PRIORS) {
      const row: PriorsRow = { objects: n, prior, iterations: iterations(n) };
      {
        const r = await runWith(localMode(cores), data.y, data.psf, { prior, nIter: iterations(n), nReweights: 0, tolerance: 0 }, 2 * cores);
        row.per_iteration_s = r.iterateS / r.iterations;
        row.ranks = r.lowrank?.ranks;
        if (prior === 'lowrank' && r.lowrank) {
          const spectrum = new StackSpectrum(new KernelModule(), n, 41 * 41);
          const source = spectrum.byPixels ? spectrum.gramOf(r.x) : r.x;
          let t = performance.now();
          spectrum.svt(source, r.lowrank.lambda, 'hard');
          row.driver_svt_s = (performance.now() - t) / 1000;
          t = performance.now();
          spectrum.nuclearNorm(source);
          row.driver_nuclear_s = (performance.now() - t) / 1000;
          spectrum.dispose();
        }
        if (prior === 'sparse') sparse.s = row.per_iteration_s;
        else if (sparse.s) row.ratio_to_sparse = row.per_iteration_s / sparse.s;
      }
      // the peer's exact SVD of 1681 × 10⁴ takes tens of seconds, twice per iteration: two iterations suffice
      if (numpy) row.numpy_per_iteration_s = peer(data.files, prior, ctx.quick || n > 1000 ? 2 : 3);
      ctx.log(`priors: ${n} objects, ${prior}: ${row.per_iteration_s?.toFixed(3) ?? '—'} s/iteration` +
        `${row.ratio_to_sparse ? ` (×${row.ratio_to_sparse.toFixed(1)} sparse)` : ''}` +
        `${row.numpy_per_iteration_s ? `, NumPy ${row.numpy_per_iteration_s.toFixed(3)} s` : ''}`);
      rows.push(row);
    }
  }
  return { study: 'priors', agents: cores, rows };
}

/** Seconds per iteration of the NumPy peer (one thread, cost every iteration). */
function peer(files: { y: string; psf: string }, prior: Prior, iterations: number): number {
  const out = join(mkdtempSync(join(tmpdir(), 'galdecon-peer-')), 'x.npy');
  const env = { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  const py = spawnSync('python3', [SCRIPT, '--input', files.y, '--psf', files.psf, '--output', out, '--prior', prior,
    '--iterations-only', String(iterations), '--json'], { encoding: 'utf8', env, maxBuffer: 1 << 24 });
  if (py.status !== 0) throw new Error(`the NumPy peer failed: ${py.stderr.trim().split('\n').at(-1)}`);
  return Number(JSON.parse(py.stdout.trim().split('\n').at(-1)!).per_iteration_s);
}
