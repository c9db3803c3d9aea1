// `--serve`: what watching a run costs. The same `galdecon run` three ways, interleaved
// round by round so that the load of a shared machine falls on all alike: plain; with
// --serve and nobody watching; with --serve and one page watching (an event-stream client
// in this process, which makes the driver read the sample and render the mosaic about
// once a second). Reported: the loop's time per iteration from each run's report, and
// the CPU time of the whole run (driver and agent threads; Linux: the children's times of
// /proc/self/stat), which the load of a shared machine disturbs far less than wall time.

import { spawn, spawnSync } from 'node:child_process';
import { get } from 'node:http';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { simulated } from '../common.ts';

const BIN = fileURLToPath(new URL('../../bin/galdecon.js', import.meta.url));
const VARIANTS = ['plain', 'serve, no viewer', 'serve, one viewer'] as const;

export interface ServeResult {
  study: 'serve';
  objects: number;
  iterations: number;
  rounds: number;
  runs: { variant: string; round: number; per_iteration_s: number; wall_s: number; cpu_s: number; events_bytes: number }[];
  /** Per variant: medians, and their excess over plain. */
  summary: { variant: string; median_per_iteration_s: number; overhead: number; median_cpu_s: number; cpu_overhead: number }[];
  identical_output: boolean;
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;

/** CPU seconds of this process's finished children (NaN where /proc is missing). */
function childrenCpu(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[13]) + Number(f[14])) / TICKS; // cutime, cstime
  } catch {
    return NaN;
  }
}

async function runOnce(args: string[], watch: boolean): Promise<{ wall: number; eventsBytes: number }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [BIN, 'run', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  let eventsBytes = 0;
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => {
    const had = /live view at (\S+)/.test(stderr);
    stderr += d;
    const m = /live view at (\S+)/.exec(stderr);
    if (watch && m && !had) {
      get(`${m[1]}events`, (res) => res.on('data', (b: Buffer) => { eventsBytes += b.length; })).on('error', () => {});
    }
  });
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  if (code !== 0) throw new Error(`galdecon run failed: ${stderr}`);
  return { wall: (performance.now() - t0) / 1000, eventsBytes };
}

export async function serveStudy(ctx: { quick: boolean; log: (s: string) => void }): Promise<ServeResult> {
  const objects = ctx.quick ? 200 : 2000;
  const nIter = ctx.quick ? 10 : 150;
  const rounds = ctx.quick ? 1 : 5;
  const { files } = simulated(objects);
  const dir = mkdtempSync(join(tmpdir(), 'galdecon-serve-'));
  const runs: ServeResult['runs'] = [];
  const outputs: Buffer[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const [k, variant] of VARIANTS.entries()) {
      const out = join(dir, `${round}-${k}.npy`);
      const report = join(dir, `${round}-${k}.json`);
      const args = ['--input', files.y, '--psf', files.psf, '--truth', files.truth, '--output', out, '--report', report,
        '--n-iter', String(nIter), '--n-reweights', '1', '--tolerance', '0', '--agents', '2', '--quiet',
        ...(k > 0 ? ['--serve', '127.0.0.1:0'] : [])];
      ctx.log(`serve: round ${round + 1}/${rounds}, ${variant}`);
      const cpu0 = childrenCpu();
      const r = await runOnce(args, k === 2);
      const cpu = childrenCpu() - cpu0;
      const rep = JSON.parse(readFileSync(report, 'utf8'));
      runs.push({ variant, round, per_iteration_s: rep.timing.per_iteration_s, wall_s: r.wall, cpu_s: cpu, events_bytes: r.eventsBytes });
      outputs.push(readFileSync(out));
    }
  }
  const med = (variant: string, key: 'per_iteration_s' | 'cpu_s') => median(runs.filter((r) => r.variant === variant).map((r) => r[key]));
  const summary = VARIANTS.map((variant) => {
    const m = med(variant, 'per_iteration_s'), c = med(variant, 'cpu_s');
    return {
      variant, median_per_iteration_s: m, overhead: m / med('plain', 'per_iteration_s') - 1,
      median_cpu_s: c, cpu_overhead: c / med('plain', 'cpu_s') - 1,
    };
  });
  return {
    study: 'serve', objects, iterations: 2 * nIter, rounds, runs, summary,
    identical_output: outputs.every((o) => o.equals(outputs[0])),
  };
}
