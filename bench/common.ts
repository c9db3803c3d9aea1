// Shared pieces of the benchmark studies: simulated data (cached), local and NATS runs,
// per-iteration statistics, memory sampling.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kernels } from '../src/kernels/index.ts';
import { simulate } from '../src/sim/simulate.ts';
import { encodeNpy, parseNpy } from '../src/io/index.ts';
import { runDistributed, LocalTransport, type Transport, type DistributedResult } from '../src/cluster/index.ts';
import type { SolverOptions } from '../src/solver/index.ts';

/** Where results go: bench/results/, or GALDECON_BENCH_RESULTS (e.g. a test's temp dir). */
export const RESULTS = process.env.GALDECON_BENCH_RESULTS
  ? `${process.env.GALDECON_BENCH_RESULTS.replace(/\/$/, '')}/`
  // a --quick run checks the harness: it never overwrites the committed results
  : process.argv.includes('--quick') ? join(tmpdir(), 'galdecon-bench-quick/')
  : fileURLToPath(new URL('./results/', import.meta.url));
const CACHE = `${RESULTS}data/`;

export interface Stack {
  data: Float32Array;
  shape: number[];
}

/** A simulated survey of n 41×41 objects (seed 2017), cached under bench/results/data. */
export function simulated(n: number): { y: Stack; psf: Stack; truth: Stack; files: { y: string; psf: string; truth: string } } {
  mkdirSync(CACHE, { recursive: true });
  const files = { y: `${CACHE}observed-${n}.npy`, psf: `${CACHE}psfs-${n}.npy`, truth: `${CACHE}truth-${n}.npy` };
  if (!existsSync(files.truth)) {
    const sim = simulate({ n, size: 41, seed: 2017, noise: 3e-4 }, new Kernels().convolveStamps);
    writeFileSync(files.y, encodeNpy(sim.observed, [n, 41, 41]));
    writeFileSync(files.psf, encodeNpy(sim.psfs, [n, 41, 41]));
    writeFileSync(files.truth, encodeNpy(sim.truth, [n, 41, 41]));
  }
  const load = (f: string): Stack => {
    const a = parseNpy(readFileSync(f), f);
    return { data: a.data as Float32Array, shape: a.shape };
  };
  return { y: load(files.y), psf: load(files.psf), truth: load(files.truth), files };
}

export interface IterationStats {
  mean_s: number;
  std_s: number;
  min_s: number;
  max_s: number;
  iterations: number;
}

/**
 * Statistics of the time per iteration from a run's cost timestamps. The costs of one
 * barrier (up to 4 iterations, see solver/loop.ts) arrive together, so each barrier's
 * duration is shared by its iterations; the first `skip` barriers (start-up) are left out.
 * `mean_s` is the total time over the total iterations; the others are per barrier.
 */
export function iterationStats(r: Pick<DistributedResult, 'costTimes' | 'costIterations'>, skip = 1): IterationStats {
  const t = r.costTimes, it = r.costIterations;
  const ends: [number, number][] = []; // (iteration, seconds) at the end of each barrier
  for (let i = 0; i < t.length; i++) if (i === t.length - 1 || t[i + 1] !== t[i]) ends.push([it[i], t[i]]);
  const d: number[] = [];
  for (let k = Math.max(1, skip); k < ends.length; k++) d.push((ends[k][1] - ends[k - 1][1]) / (ends[k][0] - ends[k - 1][0]));
  const first = ends[Math.min(Math.max(1, skip), ends.length) - 1] ?? [0, 0], last = ends[ends.length - 1] ?? [0, 0];
  const iterations = last[0] - first[0];
  const mean = iterations > 0 ? (last[1] - first[1]) / iterations : NaN;
  const std = Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, d.length - 1));
  return { mean_s: mean, std_s: std, min_s: Math.min(...d), max_s: Math.max(...d), iterations };
}

export type Mode = 'local' | 'nats';

export interface ModeFactory {
  mode: Mode;
  agents: number;
  transport(): Promise<Transport>;
  /** Process ids of the agents (for memory sampling), if they are separate processes. */
  pids?(): number[];
  /** Process id of the NATS server, once started. */
  serverPid?(): number | undefined;
  /** The NATS server's URL (starting server and agents if needed). */
  url?(): Promise<string>;
  /**
   * Replaces the agent processes by fresh ones (same server). A Wasm memory never shrinks,
   * so an agent that served a bigger run before would carry that run's peak into the next.
   */
  freshAgents?(): Promise<void>;
  close?(): Promise<void>;
}

export function localMode(agents: number): ModeFactory {
  return { mode: 'local', agents, transport: async () => new LocalTransport(agents) };
}

export async function runWith(
  f: ModeFactory, y: Stack, psf: Stack, options: Partial<SolverOptions>, partitions: number,
): Promise<DistributedResult> {
  const transport = await f.transport();
  try {
    return await runDistributed(y, psf, options, { transport, partitions });
  } finally {
    await transport.close();
  }
}

/** Resident set size of a process in bytes (Linux /proc). */
export function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** CPU seconds (user + system) a process has used so far (Linux /proc); 0 if it is gone. */
export function cpuOf(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return 0;
  }
}

/** Bytes this process has caused to be written to storage (Linux /proc/self/io). */
export function bytesWritten(pid: number | 'self' = 'self'): number {
  try {
    const m = /write_bytes:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/io`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Samples the RSS of this process (and of `pids()`) every `everyMs` until stopped. */
export function sampleMemory(pids: () => number[], everyMs = 100) {
  const t0 = performance.now();
  const samples: { t_s: number; driver_bytes: number; agents_bytes: number }[] = [];
  const take = () => {
    samples.push({
      t_s: (performance.now() - t0) / 1000,
      driver_bytes: rssOf(process.pid),
      agents_bytes: pids().reduce((s, p) => s + rssOf(p), 0),
    });
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return samples;
    },
  };
}

export function writeJson(name: string, value: unknown): string {
  mkdirSync(RESULTS, { recursive: true });
  const path = `${RESULTS}${name}`;
  writeFileSync(path, JSON.stringify(value, null, 2) + '\n');
  return path;
}

export function writeText(name: string, text: string): string {
  mkdirSync(RESULTS, { recursive: true });
  const path = `${RESULTS}${name}`;
  writeFileSync(path, text);
  return path;
}

/**
 * NATS mode: a real nats-server on a free loopback port and one `galdecon agent` process
 * with `agents` worker threads, started on first use and stopped by `close()`.
 */
export function natsMode(agents: number): ModeFactory {
  let server: import('../test/support/nats-server.ts').NatsServer | undefined;
  let proc: import('../test/support/galdecon-procs.ts').Proc | undefined;
  const up = async () => {
    if (server) return server;
    const { NatsServer } = await import('../test/support/nats-server.ts');
    const { startAgent } = await import('../test/support/galdecon-procs.ts');
    server = await NatsServer.start();
    proc = await startAgent(server.url, agents);
    return server;
  };
  return {
    mode: 'nats',
    agents,
    async transport() {
      const s = await up();
      const { NatsTransport } = await import('../src/cluster/index.ts');
      return new NatsTransport({ url: s.url, minAgents: agents, waitAgentsMs: 30_000 });
    },
    pids: () => (proc?.child.pid ? [proc.child.pid] : []),
    serverPid: () => server?.pid,
    url: async () => (await up()).url,
    async freshAgents() {
      const s = await up();
      proc?.kill('SIGTERM');
      await proc?.exited;
      const { startAgent } = await import('../test/support/galdecon-procs.ts');
      proc = await startAgent(s.url, agents);
    },
    async close() {
      proc?.kill('SIGTERM');
      await proc?.exited;
      await server?.stop();
      server = undefined;
      proc = undefined;
    },
  };
}

/** Whether a nats-server binary is on this machine. */
export async function natsServerAvailable(): Promise<boolean> {
  const { natsAvailable } = await import('../test/support/nats-server.ts');
  return natsAvailable();
}
