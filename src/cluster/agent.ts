// An agent: holds the state of the partitions it was assigned (one Wasm instance, one
// Batch per partition) and answers the driver's requests. Transport-independent: it
// takes encoded bytes and returns encoded bytes, and never throws — a malformed or
// hostile message becomes an error reply (and a log line), never a crash.
//
// Each partition counts the history entries applied to it (`op`), so a request that
// was retried after a lost reply is answered again, not applied twice. Checkpoints go
// to a BlobStore when the transport provides one: copied out at the barrier, stored in
// the background (uploads.ts), reported stored in later `stepped` replies.

import { KernelModule } from '../kernels/index.ts';
import { Batch, PixelGram, batchStepper, iterate } from '../solver/index.ts';
import { AgentError, ProtocolError, type AgentCode } from '../errors.ts';
import {
  PROTOCOL_VERSION, PROJECT_OP, REWEIGHT_OP, checkpointName, decodeRequest, decodeSnapshot, encode, writeSnapshot,
  type Op, type PartitionColumns, type PartitionSpec, type PartitionsGram, type Reply, type Request, type SvtMapMessage,
} from './protocol.ts';
import type { BlobStore } from './transport.ts';
import { SharedReader, type OpenShared } from './shared-input.ts';
import { Uploads } from './uploads.ts';

/** One Wasm instance of the kernels and the bytes its batches take. */
interface Instance {
  module: KernelModule;
  bytes: number;
}

/** Bytes of batches one Wasm instance takes before the next one is used: its 4 GiB less room for its tables and scratch. */
export const INSTANCE_BYTES = 3.5 * 2 ** 30;

interface Held {
  batch: Batch;
  instance: Instance;
  /** What the batch counts for in its instance (Batch.bytes). */
  bytes: number;
  /** History entries applied so far. */
  op: number;
  /** Costs evaluated by the last applied entry (exact partial sums, decimal). */
  costs?: string[];
  /** Low-rank prior: the columns the last local half produced (sent again on a retry). */
  columns?: PartitionColumns;
  /** Low-rank prior past ny·nx objects: objects per Gram block; the Gram parts replace the columns. */
  gramBlock?: number;
}

export interface AgentOptions {
  log?: (line: string) => void;
  /** The run's object store (checkpoints), if the transport has one. */
  storeFor?: (run: string) => BlobStore;
  instanceBytes?: number;
  /** Serves a run from its work queue (a transport with one: NATS); without it `join` is refused. */
  onJoin?: (req: Extract<Request, { type: 'join' }>) => void;
  /**
   * Awaited between the steps of a partition solved whole, so that the thread's other
   * work (in-progress signals, lease beats) goes on; throwing abandons the partition.
   */
  pause?: () => Promise<void>;
  /** --shared-input: opens the files a partition's spec names; without it such a partition is refused. */
  openShared?: OpenShared;
}

export class Agent {
  /** A Wasm instance holds at most 4 GiB: an agent whose partitions need more uses several. */
  private instances: Instance[] = [];
  private readonly instanceBytes: number;
  private run: string | undefined;
  private readonly held = new Map<number, Held>();
  /**
   * The last partitions solved (stream schedule), so that a request retried after a lost
   * reply is answered again instead of being solved twice.
   */
  private readonly solved = new Map<number, Reply>();
  /**
   * The last step's pixel-Gram sum (low-rank prior past ny·nx objects) and the request it
   * answered: the sum costs seconds, and the driver re-sends a step it waits long for.
   */
  private lastGram: { key: string; gram: PartitionsGram } | undefined;
  private readonly log: (line: string) => void;
  private readonly storeFor?: (run: string) => BlobStore;
  private readonly onJoin?: (req: Extract<Request, { type: 'join' }>) => void;
  private readonly pause?: () => Promise<void>;
  private shared?: SharedReader;
  private readonly openShared?: OpenShared;
  private readonly uploads: Uploads;

  constructor(opts: AgentOptions = {}) {
    this.log = opts.log ?? (() => {});
    this.storeFor = opts.storeFor;
    this.uploads = new Uploads(this.log);
    this.instanceBytes = opts.instanceBytes ?? INSTANCE_BYTES;
    this.onJoin = opts.onJoin;
    this.pause = opts.pause;
    this.openShared = opts.openShared;
  }

  /** Wasm instances in use (for tests and logs). */
  get instanceCount(): number {
    return this.instances.length;
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
   * Frees every partition and the Wasm instances themselves: Wasm memory only grows, so a
   * run's peak would otherwise stay resident for good. The next run starts a fresh one.
   */
  reset(): void {
    for (const h of this.held.values()) this.drop(h);
    this.held.clear();
    this.solved.clear();
    this.lastGram = undefined;
    this.uploads.clear();
    this.instances = [];
    this.run = undefined;
    void this.shared?.close();
    this.shared = undefined;
  }

  private async dispatch(req: Request): Promise<Reply> {
    if (req.type === 'ping') return ok();
    if (req.type === 'assign' || req.type === 'solve' || req.type === 'join') {
      if (this.run !== req.run) {
        // One run at a time; a run whose driver went silent is released by the transport's lease.
        if (this.run !== undefined) throw new AgentError('E_BUSY', `busy with run ${this.run}`);
        if (req.type === 'join' && !this.onJoin) throw new AgentError('E_UNSUPPORTED', 'this transport has no work queue');
        this.run = req.run;
      }
      if (req.type === 'join') {
        this.onJoin!(req);
        return ok();
      }
      const s = req.spec.files ? await this.readShared(req.spec) : req.spec;
      const old = this.held.get(s.partition);
      if (old) this.drop(old);
      this.held.delete(s.partition);
      this.uploads.forget(s.partition);
      if (req.type === 'solve') return this.solve(s);
      this.held.set(s.partition, { ...this.newBatch(s), op: 0, gramBlock: s.gramBlock });
      return ok();
    }
    if (req.run !== this.run) throw new AgentError('E_STATE', `not part of run ${req.run}`);
    switch (req.type) {
      case 'step': {
        const costs: Record<string, string[]> = {};
        const columns: Record<string, PartitionColumns> = {};
        const grams: Held[] = [];
        for (const p of req.partitions) {
          const h = this.at(p, req.op);
          if (h.op === req.op) this.apply(h, req.iterations * 2 + (req.evaluate ? 1 : 0));
          if (req.evaluate) costs[p] = h.costs ?? [];
          if (h.columns) columns[p] = h.columns;
          if (h.gramBlock !== undefined && h.batch.coupled) grams.push(h);
        }
        const coupled = Object.keys(columns).length > 0;
        let gram: PartitionsGram | undefined;
        if (grams.length > 0) {
          // a retried step (its reply lost or late) is answered from the last sum, not summed again
          const key = `${req.run}/${req.op}/${req.evaluate}/${req.partitions.join(',')}`;
          if (this.lastGram?.key !== key) this.lastGram = { key, gram: this.gramOf(req.partitions, grams, req.evaluate) };
          gram = this.lastGram.gram;
        }
        const uploads = this.uploads.report(req.partitions);
        return {
          v: PROTOCOL_VERSION, type: 'stepped', costs, ...(coupled ? { columns } : {}), ...(gram ? { gram } : {}), ...(uploads ? { uploads } : {}),
        };
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
        }
        for (const p of req.partitions) {
          if (this.uploads.holds(p, req.op)) continue; // a retried request
          const bytes = writeSnapshot({ run: req.run, partition: p, op: req.op }, this.held.get(p)!.batch.snapshot(), (n) => store.allocate(n));
          this.uploads.add(p, req.op, () => storeCall(() => store.put(checkpointName(req.op, p), bytes)));
        }
        return ok();
      }
      case 'restore': {
        const h = this.held.get(req.partition);
        if (!h) throw new AgentError('E_STATE', `partition ${req.partition} is not held here`);
        if (h.op === req.op) return ok();
        const bytes = await storeCall(() => this.store(req.run).get(checkpointName(req.op, req.partition)));
        if (!bytes) throw new AgentError('E_NOCKPT', `checkpoint ${checkpointName(req.op, req.partition)} is missing`);
        // One that is there but unusable (another version's, another partition's) counts
        // as missing too: the partition is then rebuilt by replay.
        try {
          const snap = decodeSnapshot(bytes);
          if (snap.run !== req.run || snap.partition !== req.partition || snap.op !== req.op) throw new Error('it is another checkpoint');
          h.batch.restore(snap.parts);
        } catch (e) {
          throw new AgentError('E_NOCKPT', `checkpoint ${checkpointName(req.op, req.partition)} is unusable: ${(e as Error).message}`);
        }
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
        return { v: PROTOCOL_VERSION, type: 'sampled', x, memory: this.instances.reduce((s, i) => s + i.module.memoryBytes, 0) };
      }
      case 'release':
        this.reset();
        return ok();
    }
  }

  /** A spec naming its input files (--shared-input), with the values read from them. */
  private readShared(s: PartitionSpec): Promise<PartitionSpec> {
    if (!this.openShared) throw new AgentError('E_UNSUPPORTED', 'this agent reads no shared input files: start it with --shared-input DIR');
    this.shared ??= new SharedReader(this.openShared);
    return this.shared.inputs(s);
  }

  /**
   * The partition's Batch, in the first Wasm instance with room for it, else in a new one
   * (an agent never fails for holding more than one instance's 4 GiB). Only a partition
   * bigger than one instance is refused, and the driver never sends one (driver.ts).
   */
  private newBatch(s: PartitionSpec): { batch: Batch; instance: Instance; bytes: number } {
    const need = Batch.bytes(s.n, s.ny, s.nx, { masked: s.mask !== undefined, prior: s.options.prior, gramBlock: s.gramBlock });
    if (need > this.instanceBytes) {
      throw new AgentError('E_MEMORY', `partition ${s.partition} needs ${(need / 2 ** 20).toFixed(0)} MiB, more than one Wasm instance holds (${(this.instanceBytes / 2 ** 20).toFixed(0)} MiB): use more partitions`);
    }
    const input = {
      y: s.y, psfs: s.psfs, shape: { n: s.n, ny: s.ny, nx: s.nx },
      psf: { n: s.psfCount, ky: s.ky, kx: s.kx }, noiseSigma: s.sigmas ?? s.sigma, mask: s.mask, options: s.options,
    };
    const fresh = (): Instance => {
      const i = { module: new KernelModule(), bytes: 0 };
      this.instances.push(i);
      if (this.instances.length > 1) this.log(`using ${this.instances.length} Wasm instances (${this.held.size + 1} partitions held)`);
      return i;
    };
    let instance = this.instances.find((i) => i.bytes + need <= this.instanceBytes) ?? fresh();
    let batch: Batch;
    try {
      batch = new Batch(instance.module, input);
    } catch (e) {
      if ((e as { code?: string }).code !== 'E_MEMORY' || instance.bytes === 0) throw e;
      instance = fresh(); // the instance was fuller than its count says (fragmentation)
      batch = new Batch(instance.module, input);
    }
    instance.bytes += need;
    return { batch, instance, bytes: need };
  }

  private drop(h: { batch: Batch; instance: Instance; bytes: number }): void {
    h.batch.dispose();
    h.instance.bytes -= h.bytes;
  }

  /**
   * The stream schedule's unit of work: the partition set up, run through the whole
   * schedule on its own (its own cost sum feeds the stopping rule), and freed; only the
   * result stays, until two later partitions have been solved.
   */
  private async solve(s: PartitionSpec): Promise<Reply> {
    const done = this.solved.get(s.partition);
    if (done) return done;
    const held = this.newBatch(s);
    const { batch } = held;
    try {
      const exact: bigint[] = [];
      const stepper = batchStepper(batch, exact);
      const pause = this.pause;
      const loop = await iterate(pause ? {
        advance: async (k, evaluate) => { await pause(); return stepper.advance(k, evaluate); },
        reweight: async () => { await pause(); return stepper.reweight(); },
      } : stepper, s.options);
      const reply: Reply = {
        v: PROTOCOL_VERSION, type: 'solved', partition: s.partition, x: batch.primal(),
        iterations: loop.iterations, converged: loop.converged, phaseIterations: loop.phaseIterations,
        reweightIterations: loop.reweightIterations, costs: exact.map(String), costIterations: loop.costIterations,
      };
      this.solved.set(s.partition, reply);
      if (this.solved.size > 2) this.solved.delete(this.solved.keys().next().value!);
      return reply;
    } finally {
      this.drop(held);
    }
  }

  /**
   * The exact sum of the held partitions' pixel-Gram parts of ỹt (and x if costs were
   * due), from their state after the local half (a retried request gets the same bits).
   * Each Wasm instance sums its own batches; the instances' sums add exactly.
   */
  private gramOf(partitions: number[], held: Held[], evaluate: boolean): PartitionsGram {
    const npix = held[0].batch.ny * held[0].batch.nx;
    const instances = [...new Set(held.map((h) => h.instance))];
    const sum = (which: 'yt' | 'x'): BigInt64Array => {
      const grams = instances.map((i) => new PixelGram(i.module, npix));
      try {
        held.forEach((h) => grams[instances.indexOf(h.instance)].addBatch(h.batch, which, h.gramBlock!));
        for (const g of grams.slice(1)) grams[0].add(g.words());
        return grams[0].words();
      } finally {
        for (const g of grams) g.dispose();
      }
    };
    return { partitions, yt: sum('yt'), ...(evaluate ? { x: sum('x') } : {}) };
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
      // past ny·nx objects the step's reply carries the Gram parts instead (gramOf)
      if (h.gramBlock === undefined) h.columns = { yt: h.batch.lowrankColumns('yt'), ...(evaluate ? { x: h.batch.lowrankColumns('x') } : {}) };
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
