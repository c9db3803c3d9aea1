// The memory layout the kernels share with TypeScript. scripts/gen-bindings.mjs copies
// these constants into src/kernels/exports.generated.ts, so each has one home.

/** Objects per group: one per f32x4 lane. */
export const LANES: i32 = 4;
/** Detail bands of Φ (4 à trous scales, the coarse band dropped; docs/ALGORITHM.md §3). */
export const BANDS: i32 = 3;
/** Cost terms per object and cost slot: the data term, then the sparsity term (§7). */
export const COST_TERMS: i32 = 2;
/** Bytes of one group's cost slot: COST_TERMS float64 per lane, term-major. */
export const COST_SLOT_BYTES: i32 = COST_TERMS * LANES * 8;
/** Key bits each counting pass of exact selection resolves (src/common/select.ts BIN_BITS; assembly/select.ts). */
export const KEY_BIN_BITS: i32 = 16;
/** Interleaved histograms assembly/select.ts counts into: a count block holds this many u64 per bin. */
export const KEY_SUBHISTOGRAMS: i32 = 4;
