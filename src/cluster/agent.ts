// An agent: holds the state of the partitions it was assigned (one Wasm instance, one
// Batch per partition) and answers the driver's requests. Transport-independent: it
// takes encoded bytes and returns encoded bytes, and never throws — a malformed or
// hostile message becomes an error reply (and a log line), never a crash.

import { KernelModule } from '../kernels/index.ts';
import { Batch } from '../solver/index.ts';
import {
  PROTOCOL_VERSION, ProtocolError, decodeRequest, encode, type Reply, type Request,
} from './protocol.ts';

export class Agent {
  private module: KernelModule | undefined;
  private run: string | undefined;
  private readonly batches = new Map<number, Batch>();
  private readonly log: (line: string) => void;

  constructor(opts: { log?: (line: string) => void } = {}) {
    this.log = opts.log ?? (() => {});
  }

  /** Handles one encoded request; always returns an encoded reply. */
  async handle(bytes: Uint8Array): Promise<Uint8Array> {
    let req: Request;
    try {
      req = decodeRequest(bytes);
    } catch (e) {
      this.log(`dropped a message: ${(e as Error).message}`);
      return encode(fail('E_PROTOCOL', (e as Error).message));
    }
    try {
      return encode(this.dispatch(req));
    } catch (e) {
      const code = e instanceof ProtocolError ? 'E_PROTOCOL' : ((e as { code?: string }).code ?? 'E_AGENT');
      this.log(`${req.type} failed: ${(e as Error).message}`);
      return encode(fail(code, (e as Error).message));
    }
  }

  /** Frees every partition. */
  reset(): void {
    for (const b of this.batches.values()) b.dispose();
    this.batches.clear();
    this.run = undefined;
  }

  private dispatch(req: Request): Reply {
    if (req.type === 'ping') return ok();
    if (req.type === 'assign') {
      if (this.run !== req.run) {
        this.reset();
        this.run = req.run;
      }
      const s = req.spec;
      this.batches.get(s.partition)?.dispose();
      this.module ??= new KernelModule();
      this.batches.set(s.partition, new Batch(this.module, {
        y: s.y, psfs: s.psfs, shape: { n: s.n, ny: s.ny, nx: s.nx },
        psf: { n: s.psfCount, ky: s.ky, kx: s.kx }, sigma: s.sigma, options: s.options,
      }));
      return ok();
    }
    if (req.run !== this.run) throw new ProtocolError(`not part of run ${req.run}`);
    switch (req.type) {
      case 'step': {
        const costs: Record<string, string> = {};
        for (const p of req.partitions) {
          const b = this.batch(p);
          b.step(req.iterations);
          if (req.evaluate) costs[p] = b.costSum().toString();
        }
        return { v: PROTOCOL_VERSION, type: 'stepped', costs };
      }
      case 'reweight':
        for (const p of req.partitions) this.batch(p).reweight();
        return ok();
      case 'collect':
        return { v: PROTOCOL_VERSION, type: 'collected', partition: req.partition, x: this.batch(req.partition).primal() };
      case 'release':
        this.reset();
        return ok();
    }
  }

  private batch(p: number): Batch {
    const b = this.batches.get(p);
    if (!b) throw new ProtocolError(`partition ${p} is not held here`);
    return b;
  }
}

function ok(): Reply {
  return { v: PROTOCOL_VERSION, type: 'ok' };
}

function fail(code: string, message: string): Reply {
  return { v: PROTOCOL_VERSION, type: 'error', code, message };
}
