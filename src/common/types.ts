// Vocabulary shared across layers (types only): what the solver produces and the report,
// the oracle and the bench read.

/** One stopping test of docs/ALGORITHM.md §7: the relative change `diff` at `iteration`. */
export interface ConvergenceTest {
  iteration: number;
  diff: number;
  converged: boolean;
}
