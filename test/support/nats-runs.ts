// Test helper: the example data, a local-mode reference result, and in-process driver
// runs over NATS, for comparing outputs bit for bit.

import { readFileSync } from 'node:fs';
import { before, after } from 'node:test';
import { NatsServer } from './nats-server.ts';
import type { Proc } from './galdecon-procs.ts';
import { parseNpy } from '../../src/io/index.ts';
import { runDistributed, LocalTransport, type DistributedResult } from '../../src/cluster/index.ts';
import { NatsTransport, type NatsTransportOptions } from '../../src/cluster/index.ts';
import type { MemoryRunConfig } from '../../src/cluster/driver.ts';
import type { SolverOptions, Stack } from '../../src/solver/index.ts';
import { fixture } from '../helpers.ts';

export const Y_PATH = fixture('example/example_image_stack.npy');
export const P_PATH = fixture('example/example_psfs.npy');
/** Short runs: 20 iterations, one reweighting, every iteration run. */
export const OPTS: Partial<SolverOptions> = { nIter: 20, nReweights: 1, tolerance: 0 };
export const CLI_OPTS = ['--n-iter', '20', '--n-reweights', '1', '--tolerance', '0'];

function load(path: string): Stack {
  const a = parseNpy(readFileSync(path), path);
  return { data: a.data as Float32Array | Float64Array, shape: a.shape } as Stack;
}

export const Y = load(Y_PATH);
export const P = load(P_PATH);

/** The stack repeated `times` times along the object axis. */
export function tiled(s: Stack, times: number): Stack {
  const data = new Float64Array(s.data.length * times);
  for (let t = 0; t < times; t++) data.set(s.data, t * s.data.length);
  return { data, shape: [s.shape[0] * times, ...s.shape.slice(1)] } as Stack;
}

export async function localRun(y: Stack, psf: Stack, opts: Partial<SolverOptions> = OPTS, agents = 2, partitions = 4): Promise<DistributedResult> {
  const transport = new LocalTransport(agents);
  try {
    return await runDistributed(y, psf, opts, { transport, partitions });
  } finally {
    await transport.close();
  }
}

export async function natsRun(
  t: Omit<NatsTransportOptions, 'waitAgentsMs'> & { waitAgentsMs?: number },
  cfg: Omit<MemoryRunConfig, 'transport'> = {}, y: Stack = Y, psf: Stack = P, opts: Partial<SolverOptions> = OPTS,
): Promise<DistributedResult> {
  const transport = new NatsTransport({ waitAgentsMs: 10_000, ...t });
  try {
    return await runDistributed(y, psf, opts, { ...cfg, transport });
  } finally {
    await transport.close();
  }
}

export function sameBits(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/**
 * For a test file: a nats-server and the local-mode reference result (`before`), and the
 * agent processes its tests push to `procs`, killed with the server `after` the file.
 */
export function natsFixture(skip: boolean): { server: NatsServer; reference: DistributedResult; procs: Proc[] } {
  const f = { procs: [] as Proc[] } as { server: NatsServer; reference: DistributedResult; procs: Proc[] };
  before(async () => {
    if (skip) return;
    [f.server, f.reference] = await Promise.all([NatsServer.start(), localRun(Y, P)]);
  });
  after(async () => {
    if (skip) return;
    for (const p of f.procs) p.kill('SIGKILL');
    await f.server.dispose();
  });
  return f;
}
