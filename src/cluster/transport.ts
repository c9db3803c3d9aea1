// What the driver needs from a transport: a set of agents to send requests to. The
// in-process transport (local.ts) runs agents in worker threads; a network transport
// (NATS) implements the same interface, so the driver does not change. The optional
// parts serve recovery: finding replacement agents, and durable run state for
// checkpoints and --resume, and a durable work queue for the stream schedule.

import type { PartitionSpec, SolvedPartition } from './protocol.ts';

export interface AgentLink {
  /** Stable, human-readable name (for messages and logs). */
  readonly id: string;
  /**
   * Sends an encoded request and resolves with the encoded reply. `patient`: a long
   * request (a whole partition solved, stream schedule) is not re-sent while it runs; a
   * lost agent is noticed by other means (heartbeats).
   */
  request(bytes: Uint8Array, opts?: { timeoutMs?: number; patient?: boolean }): Promise<Uint8Array>;
}

/** Objects of one run (checkpoints live here); agents reach the same store. */
export interface BlobStore {
  get(name: string): Promise<Uint8Array | null>;
  put(name: string, bytes: Uint8Array): Promise<void>;
  delete(name: string): Promise<void>;
  /** Memory for an object to be `put` (the store keeps room in it for its own framing, so put copies nothing). */
  allocate(bytes: number): Uint8Array;
  /** Deletes every object whose name starts with `prefix` and a dot. */
  deleteAll(prefix: string): Promise<void>;
}

/** Durable state of one run, keyed by run id (survives the driver). */
export interface RunStore {
  /** The saved run record, if any. */
  load(): Promise<Uint8Array | null>;
  save(record: Uint8Array): Promise<void>;
  /** Checkpoint objects of the run. */
  readonly objects: BlobStore;
  /** Re-creates the object store if the server lost it (agents then report E_STORE). */
  ensure?(): Promise<void>;
}

export interface Transport {
  /** The agents available to a run (starting them if the transport owns them). */
  agents(): Promise<AgentLink[]>;
  /** Starts looking for agents now (while the driver reads its input), so that `agents()` need not wait for them. */
  discover?(): void;
  /** Stops what the transport started; safe to call twice. */
  close(): Promise<void>;
  /**
   * Opens the run's durable state (creating it; `fresh` discards an old one), after taking
   * the run's lock: if another driver holds it, waits for it with `wait`, else fails at
   * once. Transports without durable state leave this out: then there are no checkpoints
   * nor resume.
   */
  openRun?(run: string, fresh: boolean, wait?: boolean): Promise<RunStore>;
  /** Removes the run's durable state after success. */
  endRun?(run: string): Promise<void>;
  /** When each known agent last sent a heartbeat (ms since the epoch), if agents beat. */
  heartbeats?(): ReadonlyMap<string, number>;
  /** Live agents not in `exclude`, waiting up to `timeoutMs` for one to appear. */
  replacements?(exclude: ReadonlySet<string>, timeoutMs: number): Promise<AgentLink[]>;
  /**
   * The run's durable work queue for the stream schedule (after openRun; `resume` keeps
   * what an earlier driver of the run left: its finished partitions). Without one the
   * driver queues partitions in memory and sends them to agents itself.
   */
  workQueue?(run: string, resume: boolean): Promise<PartitionQueue>;
}

/** Where the partitions of a stream run are solved (stream.ts: in memory; nats/queue.ts: JetStream). */
export interface PartitionQueue {
  /** What the run being resumed was started with, if an earlier driver left finished partitions. */
  readonly resumed?: { partitions: number; sigma: number };
  /**
   * Has every partition of the job solved by `agents` (and replacements), handing each
   * result to `take` at least once (take keeps the first). Resolves with the number of
   * agents that served.
   */
  solve(job: QueueJob, agents: AgentLink[]): Promise<number>;
}

export interface QueueJob {
  run: string;
  partitions: number;
  sigma: number;
  /** A partition's `solve` inputs (read when it is queued). */
  spec: (p: number) => Promise<PartitionSpec>;
  /** `stored`: solved before the driver resumed, read back from the run's store. */
  take: (p: number, solved: SolvedPartition, from: { agent: string; stored: boolean }) => Promise<void>;
  log: (line: string) => void;
}
