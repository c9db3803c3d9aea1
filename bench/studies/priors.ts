// `--priors`: time per iteration of the low-rank and combined priors against the sparse
// one, same data, same harness run (ALGORITHM §10; issue 12's targets: lowrank ≤ 2.5×,
// both ≤ 3× sparse, cost every iteration), and the NumPy peer's exact-SVD low-rank mode.
//
// The low-rank priors are exact: a Gram matrix (N × N on the driver from the columns, or
// past ny·nx objects ny·nx × ny·nx, reduced by the agents in fixed point) and its
// eigen-decomposition on the driver, twice per iteration (SVT of ỹt, nuclear norm of x):
// O(N·ny·nx·min(N, ny·nx) + min(N, ny·nx)³).
//
// At the largest size, each prior also runs through the CLI over a real nats-server (a
// fresh `galdecon run --nats` driver and a fresh `galdecon agent` process with the cores'
// worker threads): the peak resident memory of each (the kernel's high-water mark), which
// in-process local agents (worker threads of the driver's process) cannot separate.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { localMode, natsServerAvailable, runWith, simulated } from '../common.ts';
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
  /** The 1-minute load average when the prior's timed run started (2 cores, shared). */
  load_1m?: number;
  /**
   * At the largest size: peak resident memory (bytes) of a fresh `galdecon run --nats`
   * driver and of a fresh `galdecon agent` process (`rss_threads` worker threads) over a
   * run of `rss_iterations` iterations, and the load when it started.
   */
  driver_peak_rss_bytes?: number;
  agents_peak_rss_bytes?: number;
  rss_threads?: number;
  rss_iterations?: number;
  rss_load_1m?: number;
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
      const row: PriorsRow = { objects: n, prior, iterations: iterations(n), load_1m: loadavg()[0] };
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
  const largest = sizes.at(-1)!;
  if (await natsServerAvailable() && existsSync(TIME)) {
    const { NatsServer } = await import('../../test/support/nats-server.ts');
    const server = await NatsServer.start();
    try {
      for (const row of rows.filter((r) => r.objects === largest)) {
        Object.assign(row, await peakRss(server.url, simulated(largest).files, row.prior, RSS_ITERATIONS, cores));
        ctx.log(`priors: ${largest} objects, ${row.prior} over NATS: driver peak RSS ${mib(row.driver_peak_rss_bytes!)} MiB, ` +
          `agent process (${cores} threads) ${mib(row.agents_peak_rss_bytes!)} MiB`);
      }
    } finally {
      await server.stop();
    }
  } else {
    for (const row of rows.filter((r) => r.objects === largest)) row.reason = `peak RSS not measured: needs nats-server and ${TIME}`;
  }
  return { study: 'priors', agents: cores, rows };
}

const TIME = '/usr/bin/time';
/** Iterations of the peak-RSS runs: the first evaluates a cost, so both Grams (or column sets) are held. */
const RSS_ITERATIONS = 2;
const mib = (b: number): string => (b / 2 ** 20).toFixed(0);

/**
 * Peak resident memory of a fresh driver (`galdecon run --nats`, its getrusage maximum
 * through /usr/bin/time) and of a fresh agent process (its VmHWM, read before it is
 * stopped), over one run of `prior`.
 */
async function peakRss(url: string, files: { y: string; psf: string }, prior: Prior, iterations: number, threads: number):
  Promise<Pick<PriorsRow, 'driver_peak_rss_bytes' | 'agents_peak_rss_bytes' | 'rss_threads' | 'rss_iterations' | 'rss_load_1m'>> {
  const { Proc, startAgent } = await import('../../test/support/galdecon-procs.ts');
  const dir = mkdtempSync(join(tmpdir(), 'galdecon-priors-rss-'));
  const agent = await startAgent(url, threads);
  try {
    const load = loadavg()[0];
    const driver = new Proc(['run', '--input', files.y, '--psf', files.psf, '--output', join(dir, 'x.npy'), '--nats', url,
      '--min-agents', String(threads), '--prior', prior, '--n-iter', String(iterations), '--n-reweights', '0', '--tolerance', '0', '--quiet'],
    { prefix: [TIME, '-f', 'galdecon-maxrss-kb %M'] });
    const code = await driver.exited;
    if (code !== 0) throw new Error(`galdecon run --prior ${prior} over NATS failed (${code}): ${driver.stderr.trim().split('\n').filter((l) => !l.startsWith('galdecon-maxrss-kb')).at(-1)}`);
    const driverKb = Number(/galdecon-maxrss-kb (\d+)/.exec(driver.stderr)?.[1]);
    const agentKb = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${agent.child.pid}/status`, 'utf8'))?.[1]);
    if (!(driverKb > 0 && agentKb > 0)) throw new Error(`no peak RSS read (driver ${driverKb}, agent ${agentKb} kB)`);
    return { driver_peak_rss_bytes: driverKb * 1024, agents_peak_rss_bytes: agentKb * 1024, rss_threads: threads, rss_iterations: iterations, rss_load_1m: load };
  } finally {
    agent.kill('SIGTERM');
    await agent.exited;
    rmSync(dir, { recursive: true, force: true });
  }
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
