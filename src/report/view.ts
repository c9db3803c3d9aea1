// What the live page (--serve) and the HTML report (--html) show: one plain JSON value,
// built by the command from the driver's events and rendered by page/app.js in the
// browser. The same value, embedded in a file, is the HTML report.

export type RunStatus = 'starting' | 'running' | 'collecting' | 'finished' | 'failed';

export interface AgentView {
  id: string;
  /** working: holds partitions; idle: none; lost: silent or failed; replaced: lost, its partitions rebuilt elsewhere. */
  state: 'working' | 'idle' | 'lost' | 'replaced';
  /** Joined the run after it started, to replace a lost agent. */
  replacement: boolean;
  partitions: number;
  objects: number;
  /** Object-iterations per second of its last step (its own compute and the round trip). */
  rate?: number;
  /** Milliseconds since the epoch of its last heartbeat (agents that beat: NATS). */
  heartbeat?: number;
  /** Milliseconds since the epoch of its last reply. */
  lastReply?: number;
  /** Bytes of Wasm memory (its partitions' state), as of the last sample. */
  memory?: number;
}

export interface PartitionView {
  first: number;
  n: number;
  agent: string;
  state: 'building' | 'working';
}

export interface ViewEvent {
  /** Seconds since the run started. */
  t: number;
  kind: 'info' | 'test' | 'reweight' | 'checkpoint' | 'lost' | 'moved' | 'done' | 'error';
  text: string;
}

export interface RunView {
  title: string;
  status: RunStatus;
  /** Why the run failed, if it did. */
  error?: string;
  run?: string;
  /** ISO time the command started. */
  started: string;
  /** Seconds since the start, at the last update. */
  elapsedS: number;
  setupS?: number;
  shape?: [number, number, number];
  sigma?: number;
  options: Record<string, unknown>;
  /** Upper bound on the run's iterations (phases × nIter). */
  totalIterations: number;
  iteration: number;
  phase: number;
  /** Object-iterations per second over the loop so far. */
  throughput?: number;
  /** Seconds left if every phase runs to nIter (an upper bound). */
  etaS?: number;
  cost: { iteration: number[]; timeS: number[]; value: number[] };
  tests: { iteration: number; diff: number; converged: boolean }[];
  reweights: { iteration: number; timeS: number }[];
  agents: AgentView[];
  partitions: PartitionView[];
  /** The latest events, oldest first (bounded). */
  events: ViewEvent[];
  /** The mosaic (PNG data URL) and the iteration of its estimates. */
  mosaic?: { iteration: number; png: string; objects: number[] };
  metrics?: Record<string, unknown>;
  baselineMetrics?: Record<string, unknown>;
  timing?: Record<string, number>;
  inputs: Record<string, string>;
  output?: string;
  software: Record<string, string>;
  /** The server's clock (ms since the epoch) when this state was sent, for the ages shown. */
  now?: number;
}

/** Events kept in the view: enough to follow a run, bounded whatever its length. */
export const MAX_VIEW_EVENTS = 200;
