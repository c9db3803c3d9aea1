export { solve, batchStepper, type SolveResult } from './solve.ts';
export { Batch, type BatchInput, type CostParts } from './batch.ts';
export { iterate, convergenceDiff, type Stepper, type LoopResult, type LoopOptions, type Progress, type ConvergenceTest } from './loop.ts';
export { resolveOptions, DEFAULT_OPTIONS, type SolverOptions } from './options.ts';
export { madSigma, median } from './noise.ts';
export { toFixed, fromFixed, fixedSum } from './exact-sum.ts';
export { stackShape, psfShape, requireFinite, psfSumWarning, type Stack } from './validate.ts';
