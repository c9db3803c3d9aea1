// `--stream`: the two schedules side by side — `galdecon run` end to end on 10,000
// simulated objects with default options, 2 agents, local and NATS: wall time,
// object-iterations per second and the peak resident memory of every process of the run
// together (the driver and, over NATS, the agent process, started afresh for every run so
// that no run inherits another's Wasm memory, and nats-server). Lockstep and stream runs alternate, so that
// a change of load on this shared machine hits both alike.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rssOf, simulated, type ModeFactory } from '../common.ts';

const BIN = fileURLToPath(new URL('../../bin/galdecon.js', import.meta.url));

export interface CliRun {
  wall_s: number;
  setup_s: number;
  iterate_s: number;
  iterations: number;
  /** Σ over partitions of objects × iterations run (lockstep: objects × iterations). */
  object_iterations: number;
  object_iterations_per_s: number;
  converged: boolean;
  partitions: number;
  /** Driver + agents (+ the NATS server, when given): every process of the run together. */
  peak_total_bytes: number;
  peak_driver_bytes: number;
  peak_agents_bytes: number;
  /** The NATS server's peak, when it was sampled. */
  peak_server_bytes?: number;
}

/**
 * Runs `galdecon run args…` (which must write `--report report`) and samples the resident
 * memory of the driver process, of `agentPids` and of the NATS server (`serverPid`) every
 * `everyMs` until it exits.
 */
export async function cliRun(args: string[], report: string, agentPids: number[], everyMs = 100, serverPid?: number): Promise<CliRun> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [BIN, 'run', ...args, '--report', report, '--quiet', '--overwrite'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += String(d); });
  let peakTotal = 0, peakDriver = 0, peakAgents = 0, peakServer = 0;
  const take = () => {
    const d = child.pid ? rssOf(child.pid) : 0;
    const a = agentPids.reduce((s, p) => s + rssOf(p), 0);
    const v = serverPid ? rssOf(serverPid) : 0;
    peakDriver = Math.max(peakDriver, d);
    peakAgents = Math.max(peakAgents, a);
    peakServer = Math.max(peakServer, v);
    peakTotal = Math.max(peakTotal, d + a + v);
  };
  const timer = setInterval(take, everyMs);
  const code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
  clearInterval(timer);
  const wall = (performance.now() - t0) / 1000;
  if (code !== 0) throw new Error(`galdecon run ${args.join(' ')} failed: ${stderr}`);
  const rep = JSON.parse(readFileSync(report, 'utf8'));
  const parts: { n: number; iterations: number }[] | undefined = rep.partition_results;
  const objectIterations = parts ? parts.reduce((s, p) => s + p.n * p.iterations, 0) : rep.objects * rep.iterations;
  return {
    wall_s: wall, setup_s: rep.timing.setup_s, iterate_s: rep.timing.iterate_s, iterations: rep.iterations,
    object_iterations: objectIterations, object_iterations_per_s: objectIterations / rep.timing.iterate_s,
    converged: rep.converged, partitions: rep.partitions,
    peak_total_bytes: peakTotal, peak_driver_bytes: peakDriver, peak_agents_bytes: peakAgents,
    ...(serverPid ? { peak_server_bytes: peakServer } : {}),
  };
}

export interface StreamStudyResult {
  study: 'stream';
  objects: number;
  options: string[];
  runs: ({ mode: string; schedule: string; agents: number; repeat: number } & CliRun)[];
}

export async function streamStudy(ctx: { quick: boolean; modes: ModeFactory[]; log: (s: string) => void }): Promise<StreamStudyResult> {
  const objects = ctx.quick ? 400 : 10_000;
  const repeats = ctx.quick ? 1 : 2;
  const options = ctx.quick ? ['--n-iter', '10'] : [];
  const { files } = simulated(objects);
  const dir = mkdtempSync(join(tmpdir(), 'galdecon-stream-'));
  const runs: StreamStudyResult['runs'] = [];
  try {
    for (const mode of ctx.modes) {
      const where = mode.url
        ? ['--nats', await mode.url(), '--min-agents', String(mode.agents), '--max-agents', String(mode.agents)]
        : ['--agents', String(mode.agents)];
      for (let repeat = 0; repeat < repeats; repeat++) {
        for (const schedule of ['lockstep', 'stream']) {
          ctx.log(`stream: ${mode.mode}, ${schedule}, ${objects} objects (run ${repeat + 1} of ${repeats})`);
          await mode.freshAgents?.();
          const r = await cliRun(['--input', files.y, '--psf', files.psf, '--output', join(dir, 'x.npy'), '--schedule', schedule, ...options, ...where],
            join(dir, 'report.json'), mode.pids?.() ?? [], 100, mode.serverPid?.());
          runs.push({ mode: mode.mode, schedule, agents: mode.agents, repeat, ...r });
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { study: 'stream', objects, options, runs };
}
