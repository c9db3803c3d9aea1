// The driver (the paper's Algorithm 1): computes σ, splits the stack into partitions,
// assigns them to agents, runs the iteration loop by stepping every partition and
// summing their exact partial costs, decides reweight and stop, and collects the result.
// The loop itself is the solver's (solver/loop.ts), so local, distributed and
// single-process runs follow one schedule and give the same bits.

import { ClusterError } from '../errors.ts';
import {
  iterate, madSigma, resolveOptions, stackShape, psfShape, fromFixed,
  type LoopResult, type Progress, type SolverOptions, type Stack, type Stepper,
} from '../solver/index.ts';
import { PROTOCOL_VERSION, decodeReply, encode, type Reply, type Request } from './protocol.ts';
import { split, place, type Range } from './partition.ts';
import type { AgentLink, Transport } from './transport.ts';

export interface DistributedResult extends LoopResult {
  x: Float32Array;
  shape: [number, number, number];
  sigma: number;
  options: SolverOptions;
  setupS: number;
  partitions: number;
  agents: number;
}

export interface DriverConfig {
  transport: Transport;
  partitions: number;
  onProgress?: (p: Progress) => void;
  /** Deadline for one request (ms). */
  timeoutMs?: number;
}

let runCounter = 0;

export async function runDistributed(
  y: Stack, psf: Stack, given: Partial<SolverOptions>, cfg: DriverConfig,
): Promise<DistributedResult> {
  const t0 = performance.now();
  const options = resolveOptions(given);
  const shape = stackShape(y, 'input');
  const pshape = psfShape(psf, shape, 'psf');
  const sigma = options.noiseEst ?? madSigma(y.data);
  const run = `${process.pid}-${Date.now().toString(36)}-${++runCounter}`;
  const links = await cfg.transport.agents();
  if (links.length === 0) throw new ClusterError('no agents are available for the run');
  const ranges = split(shape.n, cfg.partitions);
  const owners = place(ranges.length, links.length);
  const npix = shape.ny * shape.nx;
  const kpix = pshape.ky * pshape.kx;

  const call = async (link: AgentLink, req: Request, transfer = false): Promise<Reply> => {
    let reply: Reply;
    try {
      reply = decodeReply(await link.request(encode(req), { timeoutMs: cfg.timeoutMs, transfer }));
    } catch (e) {
      throw e instanceof ClusterError ? e : new ClusterError(`agent ${link.id}: ${(e as Error).message}`);
    }
    if (reply.type === 'error') throw new ClusterError(`agent ${link.id} failed on ${req.type}: ${reply.message}`);
    return reply;
  };
  const onEveryAgent = (make: (parts: number[]) => Request) =>
    Promise.all(links.map((link, a) => (owners[a].length > 0 ? call(link, make(owners[a])) : undefined)));

  try {
    // assign: each partition's inputs travel once, as float32 (the kernels' precision).
    await Promise.all(links.map(async (link, a) => {
      for (const p of owners[a]) {
        const r = ranges[p];
        const req: Request = {
          v: PROTOCOL_VERSION, type: 'assign', run,
          spec: {
            partition: p, first: r.first, n: r.n, ny: shape.ny, nx: shape.nx,
            psfCount: pshape.n === 1 ? 1 : r.n, ky: pshape.ky, kx: pshape.kx, sigma, options,
            y: Float32Array.from(y.data.subarray(r.first * npix, (r.first + r.n) * npix)),
            psfs: pshape.n === 1 ? Float32Array.from(psf.data.subarray(0, kpix))
              : Float32Array.from(psf.data.subarray(r.first * kpix, (r.first + r.n) * kpix)),
          },
        };
        await call(link, req, true);
      }
    }));
    const setupS = (performance.now() - t0) / 1000;

    const stepper: Stepper = {
      async advance(iterations, evaluate) {
        const replies = await onEveryAgent((partitions) => ({
          v: PROTOCOL_VERSION, type: 'step', run, partitions, iterations, evaluate,
        }));
        if (!evaluate) return undefined;
        let sum = 0n;
        for (const r of replies) {
          if (r?.type === 'stepped') for (const c of Object.values(r.costs)) sum += BigInt(c);
        }
        return fromFixed(sum);
      },
      async reweight() {
        await onEveryAgent((partitions) => ({ v: PROTOCOL_VERSION, type: 'reweight', run, partitions }));
      },
    };
    const loop = await iterate(stepper, options, cfg.onProgress);

    const x = new Float32Array(shape.n * npix);
    await Promise.all(links.map(async (link, a) => {
      for (const p of owners[a]) {
        const reply = await call(link, { v: PROTOCOL_VERSION, type: 'collect', run, partition: p });
        place1(x, reply, ranges[p], npix, link);
      }
    }));
    return {
      ...loop, x, shape: [shape.n, shape.ny, shape.nx], sigma, options, setupS,
      partitions: ranges.length, agents: links.length,
    };
  } finally {
    // Free agent memory; agents that are gone need no freeing.
    await Promise.allSettled(links.map((link) => call(link, { v: PROTOCOL_VERSION, type: 'release', run })));
  }
}

function place1(x: Float32Array, reply: Reply, r: Range, npix: number, link: AgentLink): void {
  if (reply.type !== 'collected' || reply.x.length !== r.n * npix) {
    throw new ClusterError(`agent ${link.id} returned a result of the wrong size`);
  }
  x.set(reply.x, r.first * npix);
}
