// `--peer`: the same iteration in vectorised float64 NumPy (bench/peer/galdecon_numpy.py,
// written from ALGORITHM.md and checked against the reference data), on the same data in
// the same harness run, single-threaded, against galdecon on one core.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { iterationStats, localMode, runWith, simulated } from '../common.ts';

const SCRIPT = fileURLToPath(new URL('../peer/galdecon_numpy.py', import.meta.url));

export interface PeerResult {
  study: 'peer';
  available: boolean;
  reason?: string;
  objects?: number;
  iterations?: number;
  galdecon_us_per_object_iteration?: number;
  numpy_us_per_object_iteration?: number;
  /** galdecon throughput per core ÷ NumPy throughput per core. */
  ratio?: number;
  numpy?: Record<string, unknown>;
}

export async function peerStudy(ctx: { quick: boolean; log: (s: string) => void }): Promise<PeerResult> {
  if (!existsSync(SCRIPT)) throw new Error(`missing ${SCRIPT}`);
  const probe = spawnSync('python3', ['-c', 'import numpy; print(numpy.__version__)'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    const reason = 'python3 with NumPy is not available here: the NumPy peer was skipped';
    ctx.log(`peer: SKIPPED — ${reason}`);
    return { study: 'peer', available: false, reason };
  }
  const objects = ctx.quick ? 200 : 1000;
  const iterations = ctx.quick ? 4 : 20;
  const data = simulated(objects);
  ctx.log(`peer: NumPy ${probe.stdout.trim()}, ${objects} objects, ${iterations} iterations, one thread`);
  const out = join(mkdtempSync(join(tmpdir(), 'galdecon-peer-')), 'x.npy');
  const env = { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  const py = spawnSync('python3', [SCRIPT, '--input', data.files.y, '--psf', data.files.psf, '--output', out,
    '--iterations-only', String(iterations), '--json'], { encoding: 'utf8', env, maxBuffer: 1 << 24 });
  if (py.status !== 0) throw new Error(`the NumPy peer failed: ${py.stderr.trim().split('\n').at(-1)}`);
  const numpy = JSON.parse(py.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
  const ours = await runWith(localMode(1), data.y, data.psf, { nIter: iterations + 4, nReweights: 0, tolerance: 0 }, 1);
  const st = iterationStats(ours);
  const g = (st.mean_s / objects) * 1e6;
  const n = Number(numpy.us_per_object_iteration);
  return {
    study: 'peer', available: true, objects, iterations, galdecon_us_per_object_iteration: g,
    numpy_us_per_object_iteration: n, ratio: n / g, numpy,
  };
}
