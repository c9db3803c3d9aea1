// The stream schedule: partitions are work items. Each agent takes one, runs the whole
// schedule on it alone (phases, reweights, the §7 stopping rule on the partition's own
// cost sum; agent.ts `solve`), returns its x, and takes the next. Only `depth` partitions
// per agent are in flight — one being solved, the next one's inputs queued behind it — so
// an agent holds O(partition size), whatever the size of the stack.
//
// Where the queue lives is the transport's: in memory here (`MemoryQueue`: the driver
// sends each partition to an agent and puts a lost agent's back on the queue), or a
// durable JetStream work queue over NATS (nats/queue.ts: redelivery, results kept
// exactly once, --resume). `runStream` only takes each result once, writes it out and
// adds up the costs, whichever queue solved it.
//
// With the stopping rule off (tolerance 0), every partition runs the same iterations as
// in lockstep, and objects are independent between barriers, so the output is the same,
// bit for bit. With the rule on, each partition stops when its own cost settles.

import { ClusterError } from '../errors.ts';
import type { PartitionResult } from '../common/types.ts';
import { fromFixed, type LoopResult } from '../solver/index.ts';
import { callAgent, Lost } from './pool.ts';
import { PROTOCOL_VERSION, type PartitionSpec, type SolvedPartition } from './protocol.ts';
import type { Range } from './partition.ts';
import type { AgentLink, PartitionQueue, QueueJob, Transport } from './transport.ts';

export type { PartitionResult };

/** Partitions in flight per agent: one being solved and the next one's inputs waiting. */
export const STREAM_DEPTH = 2;
/** Deadline of one partition's solve unless the driver sets one: a day. */
const SOLVE_DEADLINE_MS = 24 * 3600_000;
/** Default partition size of the stream schedule (objects): ≈ 90 MB of agent state at 41×41. */
export const STREAM_PARTITION_OBJECTS = 1024;

/** Progress of a stream run: partitions and objects done so far. */
export interface StreamProgress {
  partitionsDone: number;
  partitions: number;
  objectsDone: number;
  objects: number;
  elapsedS: number;
}

export interface StreamConfig {
  queue: PartitionQueue;
  run: string;
  ranges: Range[];
  sigma: number;
  /** A partition's inputs (read when it is queued, so the driver holds only those in flight). */
  spec: (p: number) => Promise<PartitionSpec>;
  /** Takes a partition's result (e.g. writes its x at its offset), once per partition. */
  accept: (p: number, x: Float32Array) => Promise<void>;
  log: (line: string) => void;
  onProgress?: (p: StreamProgress) => void;
}

export interface StreamOutcome {
  loop: LoopResult;
  partitions: PartitionResult[];
  /** Agents that served the run. */
  agents: number;
  /** Partitions read back from the run's store (solved before a resume). */
  stored: number;
}

/** Solves every partition through `cfg.queue` on `first` (and replacements), each exactly once in the result. */
export async function runStream(cfg: StreamConfig, first: AgentLink[]): Promise<StreamOutcome> {
  const start = performance.now();
  const { ranges } = cfg;
  const tally = new CostTally();
  const results: (PartitionResult | undefined)[] = new Array(ranges.length).fill(undefined);
  /** Phases of each solved partition (two short lists each). */
  const solvedPhases = new Map<number, { phaseIterations: number[]; reweightIterations: number[] }>();
  const objects = ranges.reduce((s, r) => s + r.n, 0);
  let done = 0;
  let objectsDone = 0;
  let stored = 0;

  const take: QueueJob['take'] = async (p, solved, from) => {
    // Exactly once: a partition solved twice (a late reply, a redelivered task) is dropped.
    if (results[p]) return;
    if (solved.partition !== p) throw new ClusterError(`agent ${from.agent} returned partition ${solved.partition} for ${p}`);
    await cfg.accept(p, solved.x); // checks its size
    results[p] = record(p, ranges[p], solved, tally, from);
    done++;
    objectsDone += ranges[p].n;
    if (from.stored) stored++;
    cfg.onProgress?.({
      partitionsDone: done, partitions: ranges.length, objectsDone, objects,
      elapsedS: (performance.now() - start) / 1000,
    });
  };
  const agents = await cfg.queue.solve({ run: cfg.run, partitions: ranges.length, sigma: cfg.sigma, spec: cfg.spec, take, log: cfg.log }, first);
  const missing = results.findIndex((r) => r === undefined);
  if (missing >= 0) throw new ClusterError(`partition ${missing} was never solved`);

  const parts = results as PartitionResult[];
  // The run's phases and reweights are shown for its longest partition (the first of them).
  const longest = bestBy(parts, (r) => r.iterations);
  return {
    loop: {
      ...tally.result(),
      iterations: longest.iterations,
      phaseIterations: solvedPhases.get(longest.partition)!.phaseIterations,
      reweightIterations: solvedPhases.get(longest.partition)!.reweightIterations,
      converged: parts.every((r) => r.converged),
      tests: [],
      iterateS: (performance.now() - start) / 1000,
    },
    partitions: parts,
    agents,
    stored,
  };

  function record(p: number, r: Range, s: SolvedPartition, t: CostTally, from: { agent: string; stored: boolean }): PartitionResult {
    t.add(s.costs.map(BigInt), s.costIterations);
    solvedPhases.set(p, { phaseIterations: s.phaseIterations, reweightIterations: s.reweightIterations });
    const last = s.costs.at(-1);
    return {
      partition: p, first: r.first, n: r.n, iterations: s.iterations, converged: s.converged,
      final_cost: last === undefined ? NaN : fromFixed(BigInt(last)),
      agent: from.agent, ...(from.stored ? { resumed: true } : {}),
    };
  }
}

/**
 * The in-memory queue: the driver sends each partition to an agent (`depth` in flight per
 * agent) and waits for its x; a lost agent's partitions go back on the queue and are
 * solved again from their inputs by the agents left (or a replacement).
 */
export class MemoryQueue implements PartitionQueue {
  constructor(private readonly transport: Transport, private readonly opts: { depth?: number; timeoutMs?: number; waitAgentsMs: number }) {}

  async solve(job: QueueJob, first: AgentLink[]): Promise<number> {
    const recovers = this.transport.replacements !== undefined;
    const depth = this.opts.depth ?? STREAM_DEPTH;
    const queue = Array.from({ length: job.partitions }, (_, p) => p);
    const links = [...first];
    const dead = new Set<AgentLink>();
    const used = new Set<AgentLink>();
    let done = 0;
    let failures = 0;
    let failed: unknown;

    const worker = async (link: AgentLink): Promise<void> => {
      for (;;) {
        if (dead.has(link) || failed !== undefined) return;
        const p = queue.shift();
        if (p === undefined) return;
        try {
          used.add(link);
          const spec = await job.spec(p);
          // A partition runs for as long as it needs: a dead agent is noticed by the transport.
          const reply = await callAgent(link, { v: PROTOCOL_VERSION, type: 'solve', run: job.run, spec },
            { timeoutMs: this.opts.timeoutMs ?? SOLVE_DEADLINE_MS, recovers, patient: true });
          if (reply.type !== 'solved' || reply.partition !== p || reply.x.length !== spec.n * spec.ny * spec.nx) {
            throw new ClusterError(`partition ${p} came back from agent ${link.id} with the wrong size`);
          }
          await job.take(p, reply, { agent: link.id, stored: false });
          done++;
        } catch (e) {
          if (!(e instanceof Lost)) {
            failed ??= e;
            return;
          }
          queue.unshift(p);
          if (!dead.has(link)) {
            dead.add(link);
            job.log(`agent ${link.id} lost (${e.message}); its partitions go back on the queue`);
          }
          if (++failures > 4 * job.partitions + 16) failed ??= new ClusterError('too many agent failures; giving up');
          return;
        }
      }
    };

    while (done < job.partitions) {
      let live = links.filter((l) => !dead.has(l));
      if (live.length === 0) {
        const s = Math.round(this.opts.waitAgentsMs / 1000);
        job.log(`no agent left; waiting up to ${s} s for one`);
        const more = (await this.transport.replacements?.(new Set(links.map((l) => l.id)), this.opts.waitAgentsMs)) ?? [];
        if (more.length === 0) throw new ClusterError(`no agent left for the run (waited ${s} s for a replacement)`);
        links.push(...more);
        live = more;
      }
      await Promise.all(live.flatMap((l) => Array.from({ length: depth }, () => worker(l))));
      if (failed !== undefined) throw failed;
    }
    await Promise.allSettled([...used].filter((l) => !dead.has(l)).map((l) =>
      callAgent(l, { v: PROTOCOL_VERSION, type: 'release', run: job.run }, { timeoutMs: this.opts.timeoutMs, recovers })));
    return used.size;
  }
}

function bestBy<T>(xs: T[], key: (x: T) => number): T {
  return xs.reduce((a, b) => (key(b) > key(a) ? b : a));
}

/**
 * The stack's cost at every iteration where some partition evaluated its own: the exact
 * sum over partitions of each one's latest cost at or before it (a partition that has
 * stopped keeps its final cost). With every partition on the same iterations (tolerance
 * 0) this is the lockstep schedule's global cost, bit for bit. Held as exact differences
 * by iteration: O(iterations), not O(partitions).
 */
export class CostTally {
  private readonly delta = new Map<number, bigint>();

  add(costs: bigint[], iterations: number[]): void {
    let previous = 0n;
    costs.forEach((c, k) => {
      const it = iterations[k];
      this.delta.set(it, (this.delta.get(it) ?? 0n) + c - previous);
      previous = c;
    });
  }

  result(): Pick<LoopResult, 'cost' | 'costIterations' | 'costTimes'> {
    const its = [...this.delta.keys()].sort((a, b) => a - b);
    let sum = 0n;
    const cost = its.map((it) => fromFixed((sum += this.delta.get(it)!)));
    return { cost, costIterations: its, costTimes: [] };
  }
}
