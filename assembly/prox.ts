// The pixel-wise halves of one Condat–Vũ iteration (docs/ALGORITHM.md §6), for one f32x4 of
// 4 objects.
//
// Clamps use pmin/pmax, one SSE instruction each; Wasm's min/max (IEEE −0 and NaN rules)
// cost about 8 (measured in V8's code). Both keep a NaN from the first operand, so a
// diverging run still shows in the cost; they differ only in the sign of a zero result.

/**
 * Primal step at one pixel, given the gradient g and Φᵀ(dual) there:
 * x̃ = max(x − τ(g + Φᵀ(dual)), 0) (no clamp without `positivity`) is stored at `xt`, and
 * x ← ρx̃ + (1 − ρ)x at `x`.
 */
@inline export function primalCell(
  x: usize, xt: usize, g: v128, adj: v128, tau: v128, rho: v128, rest: v128, positivity: bool,
): void {
  const xo = v128.load(x);
  let t = f32x4.sub(xo, f32x4.mul(tau, f32x4.add(g, adj)));
  if (positivity) t = f32x4.pmax(t, f32x4.splat(0));
  v128.store(xt, t);
  v128.store(x, f32x4.add(f32x4.mul(rho, t), f32x4.mul(rest, xo)));
}

/**
 * Dual step at one wavelet coefficient, given Φx̃ there (`a`), with d the dual variable:
 * d̃ = clip(d + σ_d(2Φx̃ − Φx), −W, W);  d ← ρd̃ + (1 − ρ)d;  Φx ← ρΦx̃ + (1 − ρ)Φx.
 * Returns W ⊙ Φx₊; its absolute value is the coefficient's share of the cost's sparsity
 * term.
 */
@inline export function dualCell(
  dual: usize, w: usize, phix: usize, a: v128, dualStep: v128, rho: v128, rest: v128,
): v128 {
  const d = v128.load(dual);
  const wv = v128.load(w);
  const b = v128.load(phix);
  const dt = f32x4.add(d, f32x4.mul(dualStep, f32x4.sub(f32x4.add(a, a), b)));
  const dc = f32x4.pmin(f32x4.pmax(dt, f32x4.sub(f32x4.splat(0), wv)), wv);
  v128.store(dual, f32x4.add(f32x4.mul(rho, dc), f32x4.mul(rest, d)));
  const bn = f32x4.add(f32x4.mul(rho, a), f32x4.mul(rest, b));
  v128.store(phix, bn);
  return f32x4.mul(wv, bn);
}

// Float64 sums of the 4 lanes of a stream of f32x4 values: two f64x2 accumulators
// (lanes 0–1 and 2–3).
@inline export function low(v: v128): v128 {
  return f64x2.promote_low_f32x4(v);
}
@inline export function high(v: v128): v128 {
  return f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1));
}
