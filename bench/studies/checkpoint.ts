// `--checkpoint`: what checkpoints cost. `galdecon run --nats` on 10,000 simulated objects
// (or --max-objects; 100 iterations, every one run), without checkpoints and with --checkpoint-every 25,
// interleaved A/B/A/B/A/B so that load from elsewhere hits both alike. Target: ≤ ~10 %.
// Each run says how many checkpoints it completed (stored by every partition), the
// machine's load when it started, and the CPU seconds the agent process and the NATS
// server used: under load from elsewhere the wall times scatter, the CPU they take much less.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuOf, simulated, type ModeFactory } from '../common.ts';

const BIN = fileURLToPath(new URL('../../bin/galdecon.js', import.meta.url));

export interface CheckpointResult {
  study: 'checkpoint';
  objects: number;
  iterations: number;
  every: number;
  runs: {
    checkpoint_every: number; wall_s: number; iterate_s: number; checkpoints: number; load_1m: number;
    agents_cpu_s: number; server_cpu_s: number;
  }[];
  /** Iterate time with checkpoints over without (the lower median of each), minus 1. */
  overhead: number;
  /** CPU of the agents and the server with checkpoints over without (medians), minus 1. */
  cpu_overhead: number;
  identical_output: boolean;
}

export async function checkpointStudy(ctx: { quick: boolean; modes: ModeFactory[]; log: (s: string) => void; maxObjects?: number }): Promise<CheckpointResult> {
  const nats = ctx.modes.find((m) => m.mode === 'nats' && m.url);
  if (!nats?.url) throw new Error('the checkpoint study needs nats-server');
  const objects = ctx.quick ? 400 : Math.min(10_000, ctx.maxObjects ?? 10_000);
  const nIter = ctx.quick ? 25 : 50;
  const every = 25;
  const { files } = simulated(objects);
  const dir = mkdtempSync(join(tmpdir(), 'galdecon-ckpt-'));
  const url = await nats.url();
  const runs: CheckpointResult['runs'] = [];
  const outputs: Buffer[] = [];
  for (const ck of ctx.quick ? [0, every] : [0, every, 0, every, 0, every]) {
    const out = join(dir, `x-${runs.length}.npy`);
    const report = join(dir, `r-${runs.length}.json`);
    ctx.log(`checkpoint: ${objects} objects, ${2 * nIter} iterations, --checkpoint-every ${ck}`);
    const load = loadavg()[0];
    const cpu = () => nats.pids!().reduce((a, p) => a + cpuOf(p), 0);
    const [a0, s0] = [cpu(), cpuOf(nats.serverPid!()!)];
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [BIN, 'run', '--input', files.y, '--psf', files.psf, '--output', out, '--report', report,
      '--n-iter', String(nIter), '--n-reweights', '1', '--tolerance', '0', '--nats', url, '--min-agents', String(nats.agents),
      '--checkpoint-every', String(ck), '--run-id', `bench-ckpt-${runs.length}`], { encoding: 'utf8' });
    const wall = (performance.now() - t0) / 1000;
    const [agents, server] = [cpu() - a0, cpuOf(nats.serverPid!()!) - s0];
    if (r.status !== 0) throw new Error(`galdecon run failed: ${r.stderr}`);
    const rep = JSON.parse(readFileSync(report, 'utf8'));
    const checkpoints = (r.stderr.match(/checkpoint at iteration \d+/g) ?? []).length;
    runs.push({
      checkpoint_every: ck, wall_s: wall, iterate_s: rep.timing.iterate_s, checkpoints, load_1m: load, agents_cpu_s: agents, server_cpu_s: server,
    });
    outputs.push(readFileSync(out));
  }
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor((v.length - 1) / 2)];
  const t = (ck: number) => median(runs.filter((r) => r.checkpoint_every === ck).map((r) => r.iterate_s));
  const c = (ck: number) => median(runs.filter((r) => r.checkpoint_every === ck).map((r) => r.agents_cpu_s + r.server_cpu_s));
  return {
    study: 'checkpoint', objects, iterations: 2 * nIter, every, runs, overhead: t(every) / t(0) - 1, cpu_overhead: c(every) / c(0) - 1,
    identical_output: outputs.every((o) => o.equals(outputs[0])),
  };
}
