// An agent: holds the state of the partitions it was assigned (one Wasm instance, one
// Batch per partition) and answers the driver's requests. Transport-independent: it
// takes encoded bytes and returns encoded bytes, and never throws — a malformed or
// hostile message becomes an error reply (and a log line), never a crash.
//
// Each partition counts the history entries applied to it (`op`), so a request that
// was retried after a lost reply is answered again, not applied twice. Checkpoints go
// to a BlobStore when the transport provides one.

import { KernelModule } from '../kernels/index.ts';
import { Batch } from '../solver/index.ts';
import { AgentError, ProtocolError, type AgentCode } from '../errors.ts';
import {
  PROTOCOL_VERSION, PROJECT_OP, REWEIGHT_OP, checkpointName, decodeRequest, decodeSnapshot, encode,
  type Op, type PartitionColumns, type Reply, type Request, type SvtMapMessage,
} from './protocol.ts';
import type { BlobStore } from './transport.ts';

interface Held {
  batch: Batch;
  /** History entries applied so far. */
  op: number;
  /** Costs evaluated by the last applied entry (exact partial sums, decimal). */
  costs?: string[];
  /** Low-rank prior: the columns the last local half produced (sent again on a retry). */
  columns?: PartitionColumns;
}

export class Agent {
  private module: KernelModule | undefined;
  private run: string | undefined;
  private readonly held = new Map<number, Held>();
  private readonly log: (line: string) => void;
  private readonly storeFor?: (run: string) => BlobStore;

  constructor(opts: { log?: (line: string) => void; storeFor?: (run: string) => BlobStore } = {}) {
    this.log = opts.log ?? (() => {});
    this.storeFor = opts.storeFor;
  }

  /** The run this agent serves, if any. */
  get currentRun(): string | undefined {
    return this.run;
  }

  /**
   * Handles one encoded request; always returns an encoded reply. `run`, if given, is
   * the only run the request may name (the run of the subject it came on).
   */
  async handle(bytes: Uint8Array, run?: string): Promise<Uint8Array> {
    let req: Request;
    try {
      req = decodeRequest(bytes);
      if (run !== undefined && req.run !== run) throw new ProtocolError(`run ${req.run} on the subject of run ${run}`);
    } catch (e) {
      this.log(`dropped a message: ${(e as Error).message}`);
      return encode(fail('E_PROTOCOL', (e as Error).message));
    }
    try {
      return encode(await this.dispatch(req));
    } catch (e) {
      const code: AgentCode = e instanceof AgentError || e instanceof ProtocolError ? e.code as AgentCode : 'E_AGENT';
      this.log(`${req.type} failed: ${(e as Error).message}`);
      return encode(fail(code, (e as Error).message));
    }
  }

  /**
   * Frees every partition and the Wasm instance itself: Wasm memory only grows, so a
   * run's peak would otherwise stay resident for good. The next run starts a fresh one.
   */
  reset(): void {
    for (const h of this.held.values()) h.batch.dispose();
    this.held.clear();
    this.run = undefined;
    this.module = undefined;
  }

  private async dispatch(req: Request): Promise<Reply> {
    if (req.type === 'ping') return ok();
    if (req.type === 'assign') {
      if (this.run !== req.run) {
        // One run at a time; a run whose driver went silent is released by the transport's lease.
        if (this.run !== undefined) throw new AgentError('E_BUSY', `busy with run ${this.run}`);
        this.run = req.run;
      }
      const s = req.spec;
      this.held.get(s.partition)?.batch.dispose();
      this.held.delete(s.partition);
      this.module ??= new KernelModule();
      const batch = new Batch(this.module, {
        y: s.y, psfs: s.psfs, shape: { n: s.n, ny: s.ny, nx: s.nx },
        psf: { n: s.psfCount, ky: s.ky, kx: s.kx }, noiseSigma: s.sigmas ?? s.sigma, mask: s.mask, options: s.options,
      });
      this.held.set(s.partition, { batch, op: 0 });
      return ok();
    }
    if (req.run !== this.run) throw new AgentError('E_STATE', `not part of run ${req.run}`);
    switch (req.type) {
      case 'step': {
        const costs: Record<string, string[]> = {};
        const columns: Record<string, PartitionColumns> = {};
        for (const p of req.partitions) {
          const h = this.at(p, req.op);
          if (h.op === req.op) this.apply(h, req.iterations * 2 + (req.evaluate ? 1 : 0));
          if (req.evaluate) costs[p] = h.costs ?? [];
          if (h.columns) columns[p] = h.columns;
        }
        const coupled = Object.keys(columns).length > 0;
        return { v: PROTOCOL_VERSION, type: 'stepped', costs, ...(coupled ? { columns } : {}) };
      }
      case 'project':
        for (const p of req.partitions) {
          const h = this.at(p, req.op);
          if (h.op === req.op) this.apply(h, PROJECT_OP, req.map);
        }
        return ok();
      case 'reweight':
        for (const p of req.partitions) {
          const h = this.at(p, req.op);
          if (h.op === req.op) this.apply(h, REWEIGHT_OP);
        }
        return ok();
      case 'replay': {
        const h = this.at(req.partition, req.from, req.ops.length);
        if (h.op === req.from) req.ops.forEach((op, i) => this.apply(h, op, req.maps?.[req.from + i]));
        return ok();
      }
      case 'checkpoint': {
        const store = this.store(req.run);
        for (const p of req.partitions) {
          const h = this.held.get(p);
          if (!h || h.op !== req.op) throw new AgentError('E_STATE', `partition ${p} is not at op ${req.op}`);
          const bytes = encode({ v: PROTOCOL_VERSION, type: 'snapshot', run: req.run, partition: p, op: req.op, state: h.batch.snapshot() });
          await storeCall(() => store.put(checkpointName(req.op, p), bytes));
        }
        return ok();
      }
      case 'restore': {
        const h = this.held.get(req.partition);
        if (!h) throw new AgentError('E_STATE', `partition ${req.partition} is not held here`);
        if (h.op === req.op) return ok();
        const bytes = await storeCall(() => this.store(req.run).get(checkpointName(req.op, req.partition)));
        if (!bytes) throw new AgentError('E_NOCKPT', `checkpoint ${checkpointName(req.op, req.partition)} is missing`);
        const snap = decodeSnapshot(bytes);
        if (snap.run !== req.run || snap.partition !== req.partition || snap.op !== req.op) {
          throw new ProtocolError('checkpoint does not match the request');
        }
        h.batch.restore(snap.state);
        h.op = req.op;
        h.costs = undefined;
        return ok();
      }
      case 'collect':
        return { v: PROTOCOL_VERSION, type: 'collected', partition: req.partition, x: this.batch(req.partition).primal() };
      case 'sample': {
        const parts = req.picks.map(([p, i]) => this.batch(p).primalOf(i));
        const x = new Float32Array(parts.reduce((s, a) => s + a.length, 0));
        parts.reduce((at, a) => (x.set(a, at), at + a.length), 0);
        return { v: PROTOCOL_VERSION, type: 'sampled', x, memory: this.module?.memoryBytes ?? 0 };
      }
      case 'release':
        this.reset();
        return ok();
    }
  }

  /** Applies one history entry to a partition (`map`: the SVT map of a project entry). */
  private apply(h: Held, op: Op, map?: SvtMapMessage): void {
    h.costs = h.columns = undefined;
    if (op === REWEIGHT_OP) {
      h.batch.reweight();
    } else if (op === PROJECT_OP) {
      if (!map) throw new ProtocolError('a project entry without its SVT map');
      h.batch.lowrankProject(map.u, map.c);
    } else if (h.batch.coupled) {
      // the low-rank prior: one local half-iteration, its columns for the driver's SVT
      if (op >> 1 !== 1) throw new ProtocolError(`the low-rank prior steps one iteration at a time (got ${op >> 1})`);
      const evaluate = (op & 1) === 1;
      h.batch.lowrankHalf();
      h.columns = { yt: h.batch.lowrankColumns('yt'), ...(evaluate ? { x: h.batch.lowrankColumns('x') } : {}) };
      if (evaluate) h.costs = [String(h.batch.lowrankLocalCost())];
    } else {
      h.costs = h.batch.advance(op >> 1, (op & 1) === 1).map(String);
    }
    h.op++;
  }

  /** The partition, which must be at `op` (to apply) or `op + count` (a retried request). */
  private at(p: number, op: number, count = 1): Held {
    const h = this.held.get(p);
    if (!h) throw new AgentError('E_STATE', `partition ${p} is not held here`);
    if (h.op !== op && h.op !== op + count) throw new AgentError('E_STATE', `partition ${p} is at op ${h.op}, not ${op}`);
    return h;
  }

  private batch(p: number): Batch {
    const h = this.held.get(p);
    if (!h) throw new AgentError('E_STATE', `partition ${p} is not held here`);
    return h.batch;
  }

  private store(run: string): BlobStore {
    if (!this.storeFor) throw new AgentError('E_UNSUPPORTED', 'this transport has no object store for checkpoints');
    return this.storeFor(run);
  }
}

async function storeCall<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw new AgentError('E_STORE', `object store: ${(e as Error).message}`);
  }
}

function ok(): Reply {
  return { v: PROTOCOL_VERSION, type: 'ok' };
}

function fail(code: AgentCode, message: string): Reply {
  return { v: PROTOCOL_VERSION, type: 'error', code, message };
}
