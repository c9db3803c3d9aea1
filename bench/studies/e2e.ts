// `--e2e`: the whole product, input file to output file: `galdecon run` with default
// options (up to 300 iterations) on 10,000 simulated objects, locally and through NATS
// with 2 agents. Target: ≤ 60 s (the paper: 190 min for 150 iterations on 24 cores).

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { simulated, type ModeFactory } from '../common.ts';

const BIN = fileURLToPath(new URL('../../bin/galdecon.js', import.meta.url));

export interface E2eResult {
  study: 'e2e';
  objects: number;
  runs: { mode: string; agents: number; wall_s: number; iterations: number; converged: boolean; setup_s: number; per_iteration_s: number }[];
  identical_output: boolean;
}

export async function e2eStudy(ctx: { quick: boolean; modes: ModeFactory[]; log: (s: string) => void }): Promise<E2eResult> {
  const objects = ctx.quick ? 400 : 10_000;
  const { files } = simulated(objects);
  const dir = mkdtempSync(join(tmpdir(), 'galdecon-e2e-'));
  const runs: E2eResult['runs'] = [];
  const outputs: Buffer[] = [];
  for (const mode of ctx.modes) {
    const out = join(dir, `${mode.mode}.npy`);
    const report = join(dir, `${mode.mode}.json`);
    const where = mode.url
      ? ['--nats', await mode.url(), '--min-agents', String(mode.agents)] : ['--agents', String(mode.agents)];
    ctx.log(`e2e: galdecon run ${where.join(' ')} on ${objects} objects`);
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [BIN, 'run', '--input', files.y, '--psf', files.psf, '--output', out, '--report', report,
      '--quiet', ...(ctx.quick ? ['--n-iter', '20'] : []), ...where], { encoding: 'utf8' });
    const wall = (performance.now() - t0) / 1000;
    if (r.status !== 0) throw new Error(`galdecon run failed: ${r.stderr}`);
    const rep = JSON.parse(readFileSync(report, 'utf8'));
    runs.push({ mode: mode.mode, agents: mode.agents, wall_s: wall, iterations: rep.iterations, converged: rep.converged,
      setup_s: rep.timing.setup_s, per_iteration_s: rep.timing.per_iteration_s });
    outputs.push(readFileSync(out));
  }
  return { study: 'e2e', objects, runs, identical_output: outputs.every((o) => o.equals(outputs[0])) };
}
