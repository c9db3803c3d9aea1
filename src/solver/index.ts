export { solve, batchStepper, lowrankStepper, lowrankParameters, type SolveResult, type PerObject } from './solve.ts';
export { LowrankCoupling, StackSpectrum, psfGain, PRIORS, LOWRANK_THRESHOLDS, type Prior, type LowrankThreshold, type SvtMap, type StackSource } from './lowrank.ts';
export { PixelGram, gramBlock, gramEntries, MAX_GRAM_BLOCKS } from './pixel-gram.ts';
export { symmetricEigen, symmetricEigenTop, type SymmetricEigen } from './eigen.ts';
export { setupRun, setupStreamed, eachChunk, CHUNK_OBJECTS, type RunSetup } from './setup.ts';
export { Batch, type BatchInput, type CostParts, type StatePart } from './batch.ts';
export { iterate, type Stepper, type LoopResult, type LoopOptions, type Progress, type ConvergenceTest } from './loop.ts';
export * as method from './method.ts';
export { noiseSigma, convergenceDiff, lowrankLambda, lowrankCost } from './method.ts';
export { resolveOptions, requireLowrankUnmasked, DEFAULT_OPTIONS, type SolverOptions, type OptionNames } from './options.ts';
export { toFixed, fromFixed, fixedSum } from './exact-sum.ts';
export {
  stackShape, psfShape, stackShapeOf, psfShapeOf, requireFinite, psfSumWarning, psfCentroidWarning, PsfSumCheck, PsfCentroidCheck,
  requireNonZeroPsfs, MAX_ABS_VALUE, type Stack,
} from './validate.ts';
export { maskChunk, type MaskedChunk } from './masking.ts';
