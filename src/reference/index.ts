/**
 * Plain-TypeScript scalar reference implementation of the sparse deconvolution method
 * (docs/ALGORITHM.md §2–§8), in float64.
 *
 * This file is meant to be read as the specification in code: it favours the literal
 * formulas of ALGORITHM.md over speed. It is the oracle for the SIMD WebAssembly kernels
 * and the "plain scalar TypeScript" baseline of the benchmark.
 *
 * Layout (object-major, C order):
 *   image stack   stack[(i*ny + r)*nx + c]
 *   band stack    bands[((i*J + j)*ny + r)*nx + c]      with J = BANDS = 3
 *   PSF stack     psfs[(i*ky + a)*kx + b]
 *   half spectra  spec[(u*(nx/2+1) + k)*2 + {0: re, 1: im}],  u in 0..ny-1, k in 0..nx>>1
 */
// One file per section of the contract: convolution.ts (§2), starlet.ts (§3), weights.ts
// (§4–§5), solver.ts (§6–§8), with common.ts for their shared conventions.

export { BANDS, type Wavelet } from './common.ts';
export { convolveDirect, correlateDirect, rdft2, irdft2, psfSpectrum } from './convolution.ts';
export { starlet, starletAdjoint, starletFilters } from './starlet.ts';
export { noiseSigma, weights0 } from './weights.ts';
export {
  ReferenceSolver, defaultReferenceOptions, type ReferenceOptions, type ReferenceTest, type ReferenceRunResult,
} from './solver.ts';
