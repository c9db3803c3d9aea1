// The method of docs/ALGORITHM.md, one named function per formula. The solver (Batch,
// the loop) and the cluster driver call these names; the kernels compute the per-pixel
// ones (H, Φ, the Condat–Vũ step, the cost terms, the reweight) inside the Wasm module,
// and this file is where each is named and its parameters are mapped.

import { median, medianOf, medianOfAsync } from '../common/median.ts';
import type { AsyncPass, KeyCounting } from '../common/select.ts';
import { WasmKeyCounting, type Block, type KernelModule, type Resident } from '../kernels/index.ts';
import type { SolverOptions } from './options.ts';

/**
 * §4 The noise level σ = 1.4826 · median(|Y − median(Y)|) over every pixel of every object.
 * The selection's passes run in the Wasm kernels unless `counting` says otherwise (the
 * JavaScript ones give the same bits).
 */
export function noiseSigma(stack: ArrayLike<number>, counting: KeyCounting = new WasmKeyCounting()): number {
  const m = median(stack, { counting });
  return 1.4826 * medianOf((visit) => visit(stack), stack.length, { deviationsFrom: m, counting });
}

/**
 * §4 σ of a stack streamed by `pass` (called a few times, each time feeding every pixel,
 * e.g. partition by partition from the input file): the same bits as `noiseSigma` of the
 * stack in memory, in memory that does not grow with the stack.
 */
export async function noiseSigmaOf(pass: AsyncPass, total: number, counting: KeyCounting = new WasmKeyCounting()): Promise<number> {
  const m = await medianOfAsync(pass, total, { counting });
  return 1.4826 * (await medianOfAsync(pass, total, { deviationsFrom: m, counting }));
}

/** §4 The run's σ: the user's, else the stack's. */
export function runNoiseSigma(stack: ArrayLike<number>, options: SolverOptions): number {
  return options.noiseEst ?? noiseSigma(stack);
}

/** §5 W⁽⁰⁾[i, j] = κ_j · σ · ‖rot180(p_i) ⊛ h_j‖_F, given that band norm. */
export function initialWeight(kappa: number, noiseSigma: number, bandNorm: number): number {
  return kappa * noiseSigma * bandNorm;
}

/** §2 H: X̂ ↦ IDFT(P̂ · X̂), images into `out`. */
export function blur(m: KernelModule, ph: Block, xh: Block, out: Block, groups: number): void {
  m.blur(ph, xh, out, groups, false);
}

/** §2 Hᵀ: R̂ ↦ IDFT(conj(P̂) · R̂), the exact adjoint of H. */
export function blurAdjoint(m: KernelModule, ph: Block, rh: Block, out: Block, groups: number): void {
  m.blur(ph, rh, out, groups, true);
}

/** §2 The data term's gradient Hᵀ(Hx − y). */
export function dataGradient(m: KernelModule, s: Resident, out: Block): void {
  m.gradient(s, out);
}

/** §3 Φ: the 3 detail bands of the à trous transform. */
export function phi(m: KernelModule, pix: Block, bands: Block, groups: number): void {
  m.phi(pix, bands, groups);
}

/** §3 Φᵀ, the exact adjoint of Φ. */
export function phiAdjoint(m: KernelModule, bands: Block, pix: Block, groups: number): void {
  m.phiAdjoint(bands, pix, groups);
}

/**
 * §6 `iterations` Condat–Vũ iterations on a resident partition (τ, σ_d = options.sigmaD,
 * ρ, positivity); with `costs`, the cost terms after every costWindow-th of them counted
 * back from the last (§7).
 */
export function condatSteps(
  m: KernelModule, s: Resident, options: SolverOptions, iterations: number, costs?: Block,
): void {
  m.step(s, stepParams(options), iterations, costs && { out: costs, every: options.costWindow });
}

/** §7 The data term ½‖y − Hx‖² of the current x alone, per object (float64, one per lane). */
export function dataTerms(m: KernelModule, s: Resident, out: Block): void {
  m.dataTerms(s, out);
}

/** §7 The cost terms ½‖y − Hx‖² and Σ|W ⊙ Φx| of the current x, per object (one cost slot). */
export function costTerms(m: KernelModule, s: Resident, out: Block): void {
  m.costTerms(s, out);
}

/** §7 An object's cost C = ½‖y − Hx‖² + Σ|W ⊙ Φx| from its two terms. */
export function cost(data: number, sparsity: number): number {
  return data + sparsity;
}

/** §7 The stopping test's relative change between the means of the last two and the first two of 4 costs. */
export function convergenceDiff(list: readonly number[]): number {
  const tNew = (list[2] + list[3]) / 2;
  const tOld = (list[0] + list[1]) / 2;
  return tNew === 0 ? 0 : Math.abs(tNew - tOld) / Math.abs(tNew);
}

/** §7 Whether a stopping test stops the phase (a tolerance of 0 never does). */
export function isConverged(diff: number, tolerance: number): boolean {
  return tolerance > 0 && diff <= tolerance;
}

/** §8 W ← W / (1 + |Φx| / W⁽⁰⁾). */
export function reweight(m: KernelModule, s: Resident): void {
  m.reweight(s);
}

// §10 The low-rank and combined priors. The spectrum of the whole stack (its SVT map and
// nuclear norm) is lowrank.ts's; these are the per-object steps and the scalar formulas.

/** §10 λ = F · σ · √max(N + 1, ny·nx) · β, β = ‖H‖² = max_i max_k |P̂_i[k]|². */
export function lowrankLambda(noiseSigma: number, n: number, ny: number, nx: number, beta: number, factor: number): number {
  return factor * noiseSigma * Math.sqrt(Math.max(n + 1, ny * nx)) * beta;
}

/**
 * §10 The local half of a low-rank (or combined) iteration: x̃ = Pos(x − τ(∇ + y₂ [+ Φᵀy₁])),
 * ỹt = y₂ + σ_d(2x̃ − x), x ← ρx̃ + (1 − ρ)x.
 */
export function lowrankPrimalStep(
  m: KernelModule, b: { x: Block; g: Block; adj?: Block; y2: Block; xt: Block; yt: Block }, groups: number, options: SolverOptions,
): void {
  m.lowrankStep(b, groups, stepParams(options));
}

/** §10 The combined prior's ℓ1 dual: ỹ₁ = clip(y₁ + σ_dΦ(2x̃ − x), −W, W), relaxed, with Φx̃ in `phit`. */
export function sparseDualStep(m: KernelModule, s: Resident, phit: Block, options: SolverOptions): void {
  m.sparseDual(s, phit, stepParams(options));
}

/**
 * §10 The SVT rule for one singular value s of M(ỹt) against λ (the same as s/σ_d against
 * λ/σ_d): kept or not, and the factor c of ỹ = ỹt − U diag(c) Uᵀỹt (hard: c = 1, the
 * projection; soft: c = 1 − λ/s, so that s shrinks to λ).
 */
export function svtRule(s: number, lambda: number, threshold: 'hard' | 'soft'): { kept: boolean; c: number } {
  return threshold === 'hard' ? { kept: s >= lambda, c: 1 } : { kept: s > lambda, c: 1 - lambda / s };
}

/** §10 ỹ₂ = ỹt − U diag(c) Uᵀỹt, y₂ ← ρỹ₂ + (1 − ρ)y₂, per object. */
export function svtProjection(
  m: KernelModule, b: { yt: Block; y2: Block; u: Block; c: Block; acc: Block }, rank: number, groups: number, options: SolverOptions,
): void {
  m.svtProject(b.yt, b.y2, b.u, b.c, rank, groups, options.rho, b.acc);
}

/** §10 The cost with the low-rank term: the local terms' total (data, + sparsity for both) + λ‖M(x)‖_*. */
export function lowrankCost(local: number, lambda: number, nuclearNorm: number): number {
  return local + lambda * nuclearNorm;
}

function stepParams(o: SolverOptions) {
  return { tau: o.tau, dualStep: o.sigmaD, rho: o.rho, positivity: o.positivity };
}
