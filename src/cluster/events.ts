// What the driver tells an observer (the live view, `--serve`) while it runs. Events are
// plain values handed to a callback; with no callback nothing is built or sent, so a run
// that is not watched pays nothing.

import type { Progress, SolverOptions } from '../solver/index.ts';

export type DriverEvent =
  /** The partitions are placed and built; the loop starts. */
  | {
    type: 'start'; run: string; shape: [number, number, number]; sigma: number; options: SolverOptions;
    partitions: { first: number; n: number }[]; agents: string[]; setupS: number; resumed: boolean;
  }
  /** A partition was given to an agent (at the start, or moved after a loss). */
  | { type: 'placed'; partition: number; agent: string }
  /** A partition's state is built on its agent (assigned, restored, replayed). */
  | { type: 'built'; partition: number; agent: string }
  /** An agent answered a request on some partitions. */
  | { type: 'replied'; agent: string; request: string; partitions: number[]; iterations: number; ms: number }
  | { type: 'agent-lost'; agent: string; partitions: number[] }
  | { type: 'agent-joined'; agent: string }
  /** A barrier ended: the loop's progress, with the barrier's costs and tests. */
  | { type: 'progress'; progress: Progress }
  | { type: 'reweight'; iteration: number }
  | { type: 'checkpoint'; iteration: number }
  /**
   * The current estimate of the sampled objects (`DriverConfig.sample`), object-major,
   * and the Wasm memory of every agent that answered (bytes).
   */
  | { type: 'sample'; iteration: number; objects: number[]; x: Float32Array; memory: Record<string, number> }
  /** The result is collected. */
  | { type: 'done'; iterations: number; converged: boolean };

export type EventSink = (e: DriverEvent) => void;
