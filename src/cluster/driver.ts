// The driver (the paper's Algorithm 1): sets the run up as the solver does (σ, options;
// solver/setup.ts), splits the stack into partitions,
// assigns them to agents, runs the iteration loop by stepping every partition and
// summing their exact partial costs, decides reweight and stop, and collects the result.
// The loop itself is the solver's (solver/loop.ts), so local, distributed and
// single-process runs follow one schedule and give the same bits.
//
// Failures are the pool's business (pool.ts): lost agents' partitions are rebuilt
// elsewhere. With a transport that has durable state, the driver also checkpoints every
// `checkpointEvery` iterations and can resume a run after its own death. The stream
// schedule (stream.ts) goes through the transport's durable work queue if it has one,
// which keeps every finished partition: --resume then skips them.

import { ClusterError, OptionError } from '../errors.ts';
import { KernelModule } from '../kernels/index.ts';
import {
  Batch, iterate, setupStreamed, fromFixed, lowrankParameters, lowrankCost, LowrankCoupling, requireLowrankUnmasked, gramBlock as lowrankGramBlock,
  type LoopResult, type PerObject, type Progress, type SolverOptions, type Stack, type Stepper,
} from '../solver/index.ts';
import { memorySource, objectsOf, valuesPerObject, type StackSink, type StackSource } from '../common/types.ts';
import {
  PROJECT_OP, PROTOCOL_VERSION, REWEIGHT_OP, checkpointPrefix, stepOp, type Op, type PartitionSpec, type Reply, type Request,
  type SharedFile, type SharedInputs,
} from './protocol.ts';
import { inputDigest } from './shared-input.ts';
import { split } from './partition.ts';
import { Pool } from './pool.ts';
import { MemoryQueue, runStream, STREAM_PARTITION_OBJECTS, type PartitionResult, type StreamProgress } from './stream.ts';
import { RunDigest, decodeRecord, encodeRecord, type RunRecord } from './recovery.ts';
import type { PartitionQueue, RunStore, Transport } from './transport.ts';
import type { EventSink } from './events.ts';
import { sampler } from './sample.ts';

export interface DistributedResult extends SurveyResult {
  x: Float32Array;
}

/** What a run did; its output went to the sink. */
export interface SurveyResult extends LoopResult {
  shape: [number, number, number];
  /** The run's noise level σ (§4): the median of the σ_i when they are given per object. */
  noiseSigma: number;
  noiseSigmas?: Float64Array;
  options: SolverOptions;
  setupS: number;
  partitions: number;
  agents: number;
  run: string;
  /** Iteration the run resumed from (0 if it started afresh). */
  resumedAt: number;
  schedule: Schedule;
  /** Stream schedule: what each partition did (its own iterations, convergence, final cost). */
  partitionResults?: PartitionResult[];
  /** The low-rank prior's λ and the rank its SVT kept at each iteration (§10). */
  lowrank?: { lambda: number; beta: number; ranks: number[] };
}

/**
 * `lockstep`: every partition steps between barriers and the stopping rule reads the
 * stack's cost (the paper's Algorithm 1). `stream`: each partition runs the whole
 * schedule on its own, its stopping rule reading its own cost; agents hold one
 * partition at a time. Both give the same bits with the rule off (tolerance 0).
 */
export type Schedule = 'lockstep' | 'stream';

export interface DriverConfig {
  transport: Transport;
  /** Default lockstep. */
  schedule?: Schedule;
  /**
   * Partitions of the stack (default: lockstep, the resumed run's, else 2 × agents;
   * stream, enough for partitions of at most STREAM_PARTITION_OBJECTS objects, and at
   * least 4 per agent so that the last ones balance).
   */
  partitions?: number;
  /** Lockstep progress, after every barrier. */
  onProgress?: (p: Progress) => void;
  /** Stream progress, after every partition. */
  onStreamProgress?: (p: StreamProgress) => void;
  /** Deadline for one request (ms). */
  timeoutMs?: number;
  /** Checkpoint every N iterations (0 or undefined: never); needs a transport with durable state. */
  checkpointEvery?: number;
  /** Run id (default: derived from inputs, options and partitions where state is durable). */
  runId?: string;
  /** Continue from the run's last checkpoint, if it has one. */
  resume?: boolean;
  /** How long to wait for a replacement agent when none is left (ms, default 30 s). */
  waitAgentsMs?: number;
  /** One line per cluster event (agent lost, checkpoint, resume). */
  log?: (line: string) => void;
  /** Warnings about the input (PSFs that do not sum to 1 or are off-centre), before any compute. */
  warn?: (line: string) => void;
  /** Names of the inputs in error messages (default input, psf). */
  names?: { input: string; psf: string };
  /** Per-object noise levels σ_i, and pixel weights read by objects as the stack is (see solver's PerObject). */
  perObject?: { sigma?: ArrayLike<number>; mask?: StackSource };
  /**
   * --shared-input: the files agents read the stacks from themselves (the input, the PSFs,
   * the mask's weights; `maskNan`: NaN pixels masked). The driver still reads each
   * partition, for the digest the agents check their read against, but sends no pixels.
   */
  shared?: { y: SharedFile; psf?: SharedFile; mask?: SharedFile; maskNan: boolean };
  /** Everything an observer (the live view) may show; leave out for an unwatched run. */
  onEvent?: EventSink;
  /**
   * With onEvent: objects whose current estimate is read (read-only, at most MAX_SAMPLE)
   * after barriers that evaluated costs, at most once per `everyMs` (default 1000), and
   * only while `wanted()` says someone is looking. Lockstep only: in the stream schedule a
   * partition's state lives only while an agent solves it.
   */
  sample?: { objects: number[]; everyMs?: number; wanted?: () => boolean };
}

let runCounter = 0;

/**
 * The stream schedule solves each partition alone, and the low-rank prior couples the
 * whole stack (§10): refused together, before anything is read or written.
 */
export function requireLockstepForLowrank(schedule: Schedule, o: SolverOptions, names: { schedule?: string; prior?: string } = {}): void {
  if (schedule === 'stream' && o.prior !== 'sparse') {
    const sch = names.schedule ?? 'schedule', pri = names.prior ?? 'prior';
    throw new OptionError(
      `${pri} ${o.prior} cannot run with ${sch} stream: stream solves each partition alone, the low-rank prior couples the whole stack; use ${sch} lockstep or ${pri} sparse`,
    );
  }
}

/** Largest agent state of one partition (bytes). */
export const PARTITION_BYTES = 2 ** 30;

/** DriverConfig of a run on stacks in memory: the per-object inputs in memory too. */
export type MemoryRunConfig = Omit<DriverConfig, 'perObject'> & { perObject?: PerObject };

/** runSurvey on stacks in memory, returning the output in memory. */
export async function runDistributed(
  y: Stack, psf: Stack, given: Partial<SolverOptions>, cfg: MemoryRunConfig,
): Promise<DistributedResult> {
  const per = y.shape.length === 3 ? y.shape[1] * y.shape[2] : y.data.length;
  const x = new Float32Array(y.data.length);
  const output: StackSink = { write: async (first, values) => x.set(values, first * per) };
  const weights = cfg.perObject?.mask;
  if (weights !== undefined && weights.length !== y.data.length) throw new ClusterError(`the mask has ${weights.length} values for ${y.data.length} pixels`);
  const mask = weights === undefined ? undefined
    : memorySource({ data: weights instanceof Float32Array ? weights : Float32Array.from(weights), shape: y.shape });
  const perObject = { sigma: cfg.perObject?.sigma, mask };
  return { ...(await runSurvey(memorySource(y), memorySource(psf), given, { ...cfg, perObject, output })), x };
}

/**
 * A distributed run: the stacks are read by partitions when they are sent, and each
 * partition's result is written to `output` as it arrives, so the driver holds only the
 * partitions in flight, never the stack.
 */
export async function runSurvey(
  y: StackSource, psf: StackSource, given: Partial<SolverOptions>, cfg: DriverConfig & { output: StackSink },
): Promise<SurveyResult> {
  const t0 = performance.now();
  const log = cfg.log ?? (() => {});
  cfg.transport.discover?.();
  // A durable run's id hashes the stacks as the setup checks them (one read, not two).
  const durable = cfg.transport.openRun !== undefined;
  const digest = durable && cfg.runId === undefined ? new RunDigest() : undefined;
  const { options, shape, psf: pshape, noiseSigma, noiseSigmas: sigmas, psfWarnings } =
    await setupStreamed(y, psf, given, cfg.names, cfg.perObject?.sigma, digest?.taps);
  for (const w of psfWarnings) cfg.warn?.(w);
  const how = sigmas ? `median of the ${shape.n} given per object` : options.noiseEst !== undefined ? 'given' : '1.4826·MAD of the stack';
  log(`σ = ${noiseSigma.toExponential(4)} (${how})`);
  const mask = cfg.perObject?.mask;
  if (mask && (objectsOf(mask.shape) !== shape.n || valuesPerObject(mask.shape) !== shape.ny * shape.nx)) {
    throw new ClusterError(`the mask has shape (${mask.shape.join(', ')}) for a stack of ${shape.n} stamps of ${shape.ny}×${shape.nx}`);
  }
  requireLowrankUnmasked(options, mask !== undefined);
  const schedule = cfg.schedule ?? 'lockstep';
  requireLockstepForLowrank(schedule, options);
  const run = cfg.runId ?? (digest
    ? await digest.runId({ y: y.shape, psf: psf.shape }, options, { sigma: sigmas, mask })
    : `${process.pid}-${Date.now().toString(36)}-${++runCounter}`);
  if (schedule === 'stream' && (cfg.checkpointEvery ?? 0) > 0) {
    throw new ClusterError('--checkpoint-every works with --schedule lockstep only (the stream schedule keeps every finished partition)');
  }
  // A second driver of the same run fails here at once, or with --resume waits its turn.
  const store: RunStore | undefined = await cfg.transport.openRun?.(run, cfg.resume !== true, cfg.resume === true);
  // Stream: the transport's durable work queue if it has one (its finished partitions
  // survive the driver), else partitions queued in memory.
  const queue: PartitionQueue | undefined = schedule !== 'stream' ? undefined
    : store && cfg.transport.workQueue ? await cfg.transport.workQueue(run, cfg.resume === true)
    : new MemoryQueue(cfg.transport, { timeoutMs: cfg.timeoutMs, waitAgentsMs: cfg.waitAgentsMs ?? 30_000 });
  const record = cfg.resume && store && !queue ? await loadRecord(store, run, noiseSigma) : undefined;
  if (cfg.resume && !record && !queue?.resumed) log(`run ${run} has no ${queue ? 'finished partitions' : 'checkpoint'}; starting from the beginning`);
  if (queue?.resumed && queue.resumed.sigma !== noiseSigma) throw new ClusterError(`cannot resume run ${run}: it was started with another noise level`);
  const checkpointEvery = store ? (cfg.checkpointEvery ?? 0) : 0;
  // The low-rank prior couples every object: the driver holds the SVT (lowrank.ts)
  let lr: { lambda: number; beta: number } | undefined;
  if (options.prior !== 'sparse') {
    lr = await lowrankParameters(psf, pshape, shape, noiseSigma, options);
  }

  const links = await cfg.transport.agents();
  if (links.length === 0) throw new ClusterError('no agents are available for the run');
  const saved = record?.partitions ?? queue?.resumed?.partitions;
  const defaultPartitions = saved ?? (schedule === 'stream'
    ? Math.max(4 * links.length, Math.ceil(shape.n / STREAM_PARTITION_OBJECTS))
    : 2 * links.length);
  // No partition above PARTITION_BYTES of agent state, whatever was asked: a partition must
  // fit one Wasm instance (4 GiB), and an agent spreads its partitions over instances.
  // Past ny·nx objects the low-rank partitions send the pixels' Gram, summed over whole
  // blocks of objects (pixel-gram.ts): partitions are whole blocks.
  const gramBlock = lr && shape.n > shape.ny * shape.nx ? lowrankGramBlock(shape.n) : undefined;
  const unit = gramBlock ?? 4;
  // Batch.bytes is affine in the objects: a fixed part (the low-rank map) and a part per unit.
  const bytesOf = (n: number) => Batch.bytes(n, shape.ny, shape.nx, { masked: mask !== undefined, prior: options.prior, gramBlock });
  const perUnit = bytesOf(2 * unit) - bytesOf(unit);
  const largest = unit * Math.max(1, Math.floor((PARTITION_BYTES - (bytesOf(unit) - perUnit)) / perUnit));
  const asked = cfg.partitions ?? defaultPartitions;
  const ranges = split(shape.n, Math.max(asked, Math.ceil(shape.n / largest)), unit);
  if (ranges.length > asked) log(`partitions of at most ${largest} objects (${PARTITION_BYTES / 2 ** 30} GiB of agent state each): ${ranges.length} partitions`);
  if (saved !== undefined && saved !== ranges.length) {
    throw new ClusterError(`cannot resume run ${run} with ${ranges.length} partitions: it has ${saved}`);
  }
  const npix = shape.ny * shape.nx;
  const kpix = pshape.ky * pshape.kx;
  const sharedPsf = pshape.n === 1 ? new Float32Array(await psf.read(0, 1)) : undefined;
  const shared = cfg.shared;
  const spec = async (p: number): Promise<PartitionSpec> => {
    const s = await inputs(p);
    if (!shared) return s;
    const named: SharedInputs = {
      y: shared.y, ...(sharedPsf || !shared.psf ? {} : { psf: shared.psf }),
      ...(s.mask ? { masking: { ...(shared.mask ? { weights: shared.mask } : {}), nan: shared.maskNan } } : {}),
      digest: inputDigest(s.y, s.psfs, s.mask),
    };
    const { mask: _, ...rest } = s;
    return { ...rest, y: new Float32Array(0), psfs: sharedPsf ?? new Float32Array(0), files: named };
  };
  const inputs = async (p: number): Promise<PartitionSpec> => {
    const r = ranges[p];
    return {
      partition: p, first: r.first, n: r.n, ny: shape.ny, nx: shape.nx,
      psfCount: pshape.n === 1 ? 1 : r.n, ky: pshape.ky, kx: pshape.kx, sigma: noiseSigma, options,
      // Each partition's inputs travel as float32 (the kernels' precision).
      y: toFloat32(await y.read(r.first, r.n)),
      psfs: sharedPsf ?? toFloat32(await psf.read(r.first, r.n)),
      ...(sigmas ? { sigmas: sigmas.slice(r.first, r.first + r.n) } : {}),
      ...(mask ? { mask: toFloat32(await mask.read(r.first, r.n)) } : {}),
      ...(gramBlock ? { gramBlock } : {}),
    };
  };
  const write = async (p: number, x: Float32Array): Promise<void> => {
    if (x.length !== ranges[p].n * npix) throw new ClusterError(`partition ${p} came back with the wrong size`);
    await cfg.output.write(ranges[p].first, x);
  };
  const result = {
    shape: [shape.n, shape.ny, shape.nx] as [number, number, number], noiseSigma, ...(sigmas ? { noiseSigmas: sigmas } : {}),
    options, partitions: ranges.length, run,
  };

  const emit = cfg.onEvent;
  if (queue) {
    const setupS = (performance.now() - t0) / 1000;
    emit?.({
      type: 'start', run, shape: [shape.n, shape.ny, shape.nx], sigma: noiseSigma, options,
      partitions: ranges.map((r) => ({ first: r.first, n: r.n })), agents: links.map((l) => l.id), setupS, resumed: queue.resumed !== undefined,
    });
    const out = await runStream({
      queue, run, ranges, sigma: noiseSigma, spec, accept: write, log, onProgress: cfg.onStreamProgress,
    }, links);
    if (queue.resumed) log(`run ${run} resumed: ${out.stored} of ${ranges.length} partitions were finished before and read back from its store`);
    await cfg.transport.endRun?.(run);
    emit?.({ type: 'done', iterations: out.loop.iterations, converged: out.loop.converged });
    return {
      ...out.loop, ...result, setupS, agents: out.agents, resumedAt: 0, schedule, partitionResults: out.partitions,
    };
  }

  const assign = async (p: number): Promise<Request> => ({ v: PROTOCOL_VERSION, type: 'assign', run, spec: await spec(p) });
  const pool = new Pool({
    transport: cfg.transport, ensureStore: store?.ensure, run, partitions: ranges.length, assign, timeoutMs: cfg.timeoutMs,
    waitAgentsMs: cfg.waitAgentsMs ?? 30_000, log, onEvent: emit,
  }, links);
  const takeSample = emit && cfg.sample
    ? sampler({ pool, run, ranges, npix, emit, ...cfg.sample })
    : async () => {};
  const costs: Record<string, string[]> = {};
  const coupling = lr ? new LowrankCoupling(new KernelModule(), shape.n, shape.ny, shape.nx, lr.lambda, options.lowrankThreshold) : undefined;
  /** Low-rank prior: the total cost by history index (the nuclear norm is not a partial sum). */
  const lowrankCosts: Record<string, number[]> = {};
  if (record) {
    pool.history.push(...record.history);
    pool.checkpointOp = record.op;
    Object.assign(costs, record.costs);
    if (coupling) {
      if (!record.lowrank) throw new ClusterError(`the saved state of run ${run} has no low-rank state`);
      Object.assign(lowrankCosts, record.lowrank.costs);
      coupling.ranks.push(...record.lowrank.ranks);
    }
  }
  const resumeOps = pool.history.length;

  try {
    await pool.start();
    log(`${ranges.length} partition${ranges.length > 1 ? 's' : ''} assigned to ${links.length} agent${links.length > 1 ? 's' : ''}`);
    const setupS = (performance.now() - t0) / 1000;
    if (record) log(`run ${run} resumed from its checkpoint at history entry ${record.op}`);
    emit?.({
      type: 'start', run, shape: [shape.n, shape.ny, shape.nx], sigma: noiseSigma, options,
      partitions: ranges.map((r) => ({ first: r.first, n: r.n })), agents: pool.live.map((l) => l.id), setupS,
      resumed: record !== undefined,
    });

    let next = 0; // index in the history of the loop's next entry
    let iterations = 0;
    let resumedAt = 0;
    const replayed = (code: number): boolean => {
      if (next >= resumeOps) return false;
      if (pool.history[next] !== code) throw new ClusterError(`the saved state of run ${run} does not match this run's schedule`);
      next++;
      return true;
    };
    // Checkpoints. At a barrier each agent copies its partitions' state out and answers at
    // once; it stores the copies while the run goes on, and its `stepped` replies say how
    // far that got. A checkpoint counts (the run record is saved, older ones deleted) only
    // once every partition's is stored, so a rebuild or a resume only ever uses complete
    // ones. One is stored at a time: a checkpoint due while the last is still being stored
    // is taken at the next barrier after it (an upload cannot hang: it fails on a
    // JetStream timeout or when its connection drops). Without a store (the server lost it
    // and it cannot be re-created) the run goes on: lost work is then replayed.
    let storing: { op: number; iteration: number; record: RunRecord } | undefined;
    let checkpointDue = false;
    /** Checkpoints whose objects may be in the store, but the last complete one. */
    const stale = new Set<number>(pool.checkpointOp === undefined ? [] : [pool.checkpointOp]);
    const discard = (): void => {
      for (const op of stale) {
        if (op === pool.checkpointOp) continue;
        stale.delete(op);
        void store!.objects.deleteAll(checkpointPrefix(op)).catch(() => {});
      }
    };
    const checkpoint = async (): Promise<void> => {
      const op = pool.history.length;
      await pool.exec((partitions) => ({ v: PROTOCOL_VERSION, type: 'checkpoint', run, partitions, op }));
      storing = {
        op, iteration: iterations,
        record: {
          v: 2, run, partitions: ranges.length, sigma: noiseSigma, op, history: [...pool.history], costs: { ...costs },
          ...(coupling ? { lowrank: { costs: { ...lowrankCosts }, ranks: [...coupling.ranks] } } : {}),
        },
      };
      stale.add(op);
      checkpointDue = false;
    };
    const giveUp = (why: string): void => {
      log(`warning: checkpoint at iteration ${storing!.iteration} not stored (${why}); lost work will be replayed`);
      storing = undefined;
      discard();
    };
    /** Reads the step's replies for how the checkpoint being stored is doing. */
    const followUp = async (replies: Map<number, Reply>): Promise<void> => {
      const c = storing!;
      let stored = 0;
      for (const [p, r] of replies) {
        const u = r.type === 'stepped' ? r.uploads?.[p] : undefined;
        if (u?.op === c.op && u.state === 'stored') stored++;
        else if (u?.op === c.op && u.state === 'storing') continue;
        else if (u?.op === c.op) {
          void store!.ensure?.().catch(() => {}); // the server may have lost the store
          return giveUp(u.error ?? 'failed');
        } else return giveUp(`partition ${p} was rebuilt meanwhile`);
      }
      if (stored < ranges.length) return;
      storing = undefined;
      try {
        await store!.save(encodeRecord(c.record));
      } catch (e) {
        if (!(e instanceof ClusterError && e.code === 'E_STORE')) throw e;
        log(`warning: checkpoint at iteration ${c.iteration} skipped (${e.message}); lost work will be replayed`);
        return;
      }
      pool.checkpointOp = c.op;
      log(`checkpoint at iteration ${c.iteration}`);
      emit?.({ type: 'checkpoint', iteration: c.iteration });
      for (const k of pool.maps.keys()) if (k < c.op) pool.maps.delete(k);
      discard();
    };

    /** After a barrier's steps (`replies`: the last step's): follows the checkpoint being stored, takes one if due. */
    const afterBarrier = async (replies: Map<number, Reply>, before: number): Promise<void> => {
      if (storing) await followUp(replies);
      if (checkpointEvery > 0 && Math.floor(before / checkpointEvery) < Math.floor(iterations / checkpointEvery)) checkpointDue = true;
      if (checkpointDue && !storing) await checkpoint();
    };

    /**
     * The stack matrix of ỹt or x for the SVT and the nuclear norm: the partitions' columns
     * in object order, or past ny·nx objects the exact sum of their pixel-Gram parts (one
     * per reply, each covering the partitions it lists).
     */
    const gather = (replies: Map<number, Reply>, which: 'yt' | 'x'): Float32Array | Float64Array => {
      if (coupling!.byPixels) {
        const parts: BigInt64Array[] = [];
        const covered = new Set<number>();
        for (const r of new Set(replies.values())) {
          const g = r.type === 'stepped' ? r.gram : undefined;
          const part = g?.[which];
          if (!g || !part) throw new ClusterError(`an agent returned no pixels' Gram of ${which}`);
          for (const p of g.partitions) {
            if (covered.has(p) || !replies.has(p)) throw new ClusterError(`partition ${p}'s Gram was returned twice or unasked`);
            covered.add(p);
          }
          parts.push(part);
        }
        if (covered.size !== replies.size) throw new ClusterError(`the pixels' Gram covers ${covered.size} of ${replies.size} partitions`);
        return coupling!.gramOf(parts);
      }
      const out = new Float32Array(shape.n * npix);
      for (const [p, r] of replies) {
        const c = r.type === 'stepped' ? r.columns?.[p]?.[which] : undefined;
        if (!c || c.length !== ranges[p].n * npix) throw new ClusterError(`partition ${p} returned no or wrongly sized ${which} columns`);
        out.set(c, ranges[p].first * npix);
      }
      return out;
    };
    /** The replies of the last step request (they report the checkpoint uploads). */
    let lastStep: Map<number, Reply> | undefined;
    /** Low-rank prior: one iteration = the partitions' local halves, the SVT here, the projection there. */
    const coupledIteration = async (due: boolean): Promise<number | undefined> => {
      const code = stepOp(1, due);
      if (replayed(code)) {
        const at = next - 1;
        if (!replayed(PROJECT_OP)) throw new ClusterError(`the saved state of run ${run} does not match this run's schedule`);
        resumedAt = ++iterations;
        return due ? lowrankCosts[at]?.[0] : undefined;
      }
      const op = pool.history.length;
      const replies = await pool.exec((partitions) => ({
        v: PROTOCOL_VERSION, type: 'step', run, partitions, iterations: 1, evaluate: due, op,
      }));
      lastStep = replies;
      pool.history.push(code);
      next++;
      const map = coupling!.map(gather(replies, 'yt'));
      let cost: number | undefined;
      if (due) {
        let sum = 0n;
        for (const [p, r] of replies) {
          const c = r.type === 'stepped' ? r.costs[p] : undefined;
          if (c?.length !== 1) throw new ClusterError(`partition ${p} returned ${c?.length ?? 'no'} costs where 1 was due`);
          sum += BigInt(c[0]);
        }
        cost = lowrankCost(fromFixed(sum), coupling!.lambda, coupling!.nuclearNorm(gather(replies, 'x')));
        lowrankCosts[op] = [cost];
      }
      const pop = pool.history.length;
      const msg = { u: map.u, c: map.c };
      pool.maps.set(pop, msg);
      await pool.exec((partitions) => ({ v: PROTOCOL_VERSION, type: 'project', run, partitions, op: pop, map: msg }));
      pool.history.push(PROJECT_OP);
      next++;
      iterations++;
      return cost;
    };

    const stepper: Stepper = {
      async advance(k, evaluate) {
        if (coupling) {
          const before = iterations;
          const out: number[] = [];
          for (let m = 0; m < k; m++) {
            const due = evaluate && (k - 1 - m) % options.costWindow === 0;
            const cost = await coupledIteration(due);
            if (due) {
              if (cost === undefined) throw new ClusterError(`the saved state of run ${run} lacks a cost`);
              out.push(cost);
            }
          }
          if (next > resumeOps) await afterBarrier(lastStep!, before);
          if (evaluate) await takeSample(iterations);
          return out;
        }
        const code = stepOp(k, evaluate);
        const before = iterations;
        iterations += k;
        if (replayed(code)) {
          resumedAt = iterations;
          return evaluate ? (costs[next - 1] ?? []).map((c) => fromFixed(BigInt(c))) : [];
        }
        const op = pool.history.length;
        const replies = await pool.exec((partitions) => ({
          v: PROTOCOL_VERSION, type: 'step', run, partitions, iterations: k, evaluate, op,
        }));
        pool.history.push(code);
        next++;
        const count = evaluate ? Math.ceil(k / options.costWindow) : 0;
        const sums: bigint[] = new Array(count).fill(0n);
        if (evaluate) {
          for (const [p, r] of replies) {
            const c = r.type === 'stepped' ? r.costs[p] : undefined;
            if (c?.length !== count) throw new ClusterError(`partition ${p} returned ${c?.length ?? 'no'} costs where ${count} were due`);
            c.forEach((v, m) => { sums[m] += BigInt(v); });
          }
          costs[op] = sums.map(String);
        }
        await afterBarrier(replies, before);
        if (evaluate) await takeSample(iterations);
        return sums.map(fromFixed);
      },
      async reweight() {
        if (replayed(REWEIGHT_OP)) return;
        const op = pool.history.length;
        await pool.exec((partitions) => ({ v: PROTOCOL_VERSION, type: 'reweight', run, partitions, op }));
        pool.history.push(REWEIGHT_OP);
        next++;
        emit?.({ type: 'reweight', iteration: iterations });
      },
    };
    const onProgress = emit
      ? (p: Progress) => { cfg.onProgress?.(p); emit({ type: 'progress', progress: p }); }
      : cfg.onProgress;
    const loop = await iterate(stepper, options, onProgress);

    // One partition at a time, each written out as it arrives.
    await pool.exec(([partition]) => ({ v: PROTOCOL_VERSION, type: 'collect', run, partition }), true, async (p, reply) => {
      if (reply.type !== 'collected' || reply.partition !== p) throw new ClusterError(`partition ${p} came back with the wrong size`);
      await write(p, reply.x);
    });
    await cfg.transport.endRun?.(run);
    emit?.({ type: 'done', iterations: loop.iterations, converged: loop.converged });
    return {
      ...loop, ...result, setupS, agents: pool.live.length, resumedAt, schedule,
      ...(lr && coupling ? { lowrank: { ...lr, ranks: coupling.ranks } } : {}),
    };
  } finally {
    coupling?.dispose();
    await pool.release();
  }
}

function toFloat32(a: Float32Array | Float64Array): Float32Array {
  return a instanceof Float32Array ? a.slice() : new Float32Array(a);
}

async function loadRecord(store: RunStore, run: string, noiseSigma: number): Promise<RunRecord | undefined> {
  const bytes = await store.load();
  if (!bytes) return undefined;
  const r = decodeRecord(bytes, run);
  if (r.sigma !== noiseSigma) throw new ClusterError(`cannot resume run ${run}: it was started with another noise level`);
  return r;
}
