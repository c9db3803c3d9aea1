// Vocabulary shared across layers: what the solver produces and the report, the oracle
// and the bench read, and how a stack is read and written by objects.

/** One stopping test of docs/ALGORITHM.md §7: the relative change `diff` at `iteration`. */
export interface ConvergenceTest {
  iteration: number;
  diff: number;
  converged: boolean;
}

/** What one partition did in a stream-schedule run (report.json `partition_results`). */
export interface PartitionResult {
  partition: number;
  /** Index of its first object in the stack, and its object count. */
  first: number;
  n: number;
  /** Iterations it ran: its own stopping rule ended each phase. */
  iterations: number;
  /** Whether the stopping rule ended its last phase. */
  converged: boolean;
  /** Its own cost after its last evaluation (NaN if it evaluated none). */
  final_cost: number;
  /** The agent that solved it. */
  agent?: string;
  /** Solved before the driver resumed the run: read back from the run's store, not solved again. */
  resumed?: boolean;
}

/**
 * A stack read by objects when needed (from a file by offset, or from memory): the
 * driver never holds it whole. `shape` is (n, ny, nx), or (ny, nx) for one image.
 */
export interface StackSource {
  readonly shape: readonly number[];
  /** Objects [first, first + count), object-major, in the stored precision (float64 for integers). */
  read(first: number, count: number): Promise<Float32Array | Float64Array>;
}

/** Where a stack is written by objects as they arrive (a file at their offset, or memory). */
export interface StackSink {
  /** Writes objects first, first + 1, … (object-major float32). */
  write(first: number, values: Float32Array): Promise<void>;
}

/** Objects of an in-memory stack (shape as StackSource's). */
export function memorySource(s: { data: Float32Array | Float64Array; shape: readonly number[] }): StackSource {
  const per = valuesPerObject(s.shape);
  return {
    shape: s.shape,
    read: async (first, count) => s.data.subarray(first * per, (first + count) * per),
  };
}

/** Values per object of a stack of `shape` ((n, ny, nx), or one image). */
export function valuesPerObject(shape: readonly number[]): number {
  return shape.length === 3 ? shape[1] * shape[2] : shape.reduce((a, b) => a * b, 1);
}

/** Objects in a stack of `shape`. */
export function objectsOf(shape: readonly number[]): number {
  return shape.length === 3 ? shape[0] : 1;
}
