// The passes of exact selection (src/common/select.ts, whose JavaScript loop is their scalar
// oracle): over a chunk of float32 or float64 values, each mapped to itself or to |v − c|,
// with −0 ranked as +0 and every NaN as the one canonical NaN, count the values whose
// 64-bit order-preserving key starts with a prefix, by the next KEY_BIN_BITS key bits, or
// collect them. Same mapping, same keys, so the same counts and values as the oracle.
// Four values at a time: their keys in two i64x2, then one test for "all match" (a first
// pass) or "none does" (a narrow bin, most values of a later pass).

import { KEY_BIN_BITS, KEY_SUBHISTOGRAMS } from './layout';

const BIN_MASK: u64 = (<u64>1 << KEY_BIN_BITS) - 1;
const SIGN: u64 = 0x8000000000000000;
const CANONICAL_NAN: u64 = 0x7ff8000000000000;

// The chunk's element type and the mapping are type parameters, so each loop is compiled
// for its case (no per-value branch on them).
export type Identity = u8;
export type Deviation = u16;

/** The value at p after the mapping, as bits: −0 as +0, any NaN as the canonical one. */
@inline function canonicalBits<T, M>(p: usize, center: f64): u64 {
  let v = <f64>load<T>(p);
  if (sizeof<M>() == sizeof<Deviation>()) v = abs(v - center);
  const b = reinterpret<u64>(v);
  return select<u64>(select<u64>(0, b, v == 0), CANONICAL_NAN, v == v);
}

/** canonicalBits of two float64 values (the lanes of v). */
@inline function canonical2<M>(v: v128, center: v128): v128 {
  if (sizeof<M>() == sizeof<Deviation>()) v = f64x2.abs(f64x2.sub(v, center));
  return v128.bitselect(v128.andnot(v, f64x2.eq(v, f64x2.splat(0))), i64x2.splat(CANONICAL_NAN), f64x2.eq(v, v));
}

/** The order-preserving key: all bits of negatives flipped, the sign bit of the others set. */
@inline function keyOf(b: u64): u64 {
  return b ^ (<u64>(<i64>b >> 63) | SIGN);
}

/** keyOf of two lanes (i64x2.shr_s has no one-instruction form on x64: the sign is spread by i32 lanes). */
@inline function key2(b: v128): v128 {
  const s = i32x4.shr_s(b, 31);
  return v128.xor(b, v128.or(v128.shuffle<i32>(s, s, 1, 1, 3, 3), i64x2.splat(SIGN)));
}

/** The first two and last two of the 4 values at p, as float64 lanes. */
@inline function low2<T>(p: usize): v128 {
  return sizeof<T>() == 4 ? f64x2.promote_low_f32x4(v128.load(p)) : v128.load(p);
}
@inline function high2<T>(p: usize): v128 {
  return sizeof<T>() == 4 ? f64x2.promote_low_f32x4(v128.load64_zero(p, 8)) : v128.load(p, 16);
}

/** The `fixed` leading key bits as a left-aligned mask, and the prefix (hi word, lo word; right-aligned) left-aligned. */
@inline function prefixMask(fixed: i32): u64 {
  return fixed == 0 ? 0 : ~(<u64>0) << <u64>(64 - fixed);
}
@inline function prefixOf(hi: u32, lo: u32, fixed: i32): u64 {
  if (fixed == 0) return 0;
  if (fixed <= 32) return <u64>hi << <u64>(64 - fixed);
  return (<u64>hi << 32) | (<u64>lo << <u64>(64 - fixed));
}

/**
 * Adds 1 to the bin of each matching value's next key bits. Value j of each four counts
 * into interleaved histogram j (KEY_SUBHISTOGRAMS of them, u64 counts, bin-major), so runs
 * of values in one bin do not wait on each other's stores; the caller sums them.
 */
@inline function countAll<T, M>(
  values: usize, n: i32, center: f64, mask: u64, prefix: u64, shift: u64, hist: usize,
): void {
  const end = values + (<usize>n << alignof<T>());
  const c = f64x2.splat(center), vm = i64x2.splat(mask), vp = i64x2.splat(prefix);
  let p = values;
  for (; p + 4 * sizeof<T>() <= end; p += 4 * sizeof<T>()) {
    const k0 = key2(canonical2<M>(low2<T>(p), c)), k1 = key2(canonical2<M>(high2<T>(p), c));
    const m0 = i64x2.eq(v128.and(k0, vm), vp), m1 = i64x2.eq(v128.and(k1, vm), vp);
    const b0 = i64x2.shr_u(k0, <i32>shift), b1 = i64x2.shr_u(k1, <i32>shift);
    if (i64x2.all_true(v128.and(m0, m1))) {
      bump(hist, i64x2.extract_lane(b0, 0), 0);
      bump(hist, i64x2.extract_lane(b0, 1), 1);
      bump(hist, i64x2.extract_lane(b1, 0), 2);
      bump(hist, i64x2.extract_lane(b1, 1), 3);
    } else if (v128.any_true(v128.or(m0, m1))) {
      if (i64x2.extract_lane(m0, 0) != 0) bump(hist, i64x2.extract_lane(b0, 0), 0);
      if (i64x2.extract_lane(m0, 1) != 0) bump(hist, i64x2.extract_lane(b0, 1), 1);
      if (i64x2.extract_lane(m1, 0) != 0) bump(hist, i64x2.extract_lane(b1, 0), 2);
      if (i64x2.extract_lane(m1, 1) != 0) bump(hist, i64x2.extract_lane(b1, 1), 3);
    }
  }
  for (; p < end; p += sizeof<T>()) {
    const k = keyOf(canonicalBits<T, M>(p, center));
    if ((k & mask) == prefix) bump(hist, k >> shift, 0);
  }
}

@inline function bump(hist: usize, bits: u64, sub: usize): void {
  const at = hist + (((<usize>(bits & BIN_MASK)) * KEY_SUBHISTOGRAMS + sub) << 3);
  store<u64>(at, load<u64>(at) + 1);
}

/**
 * Appends each matching value's canonical bits to out[filled..]; returns the new filled,
 * which stops at capacity + 1 (more values than expected: the stream changed), so out
 * needs room for capacity + 1 values.
 */
@inline function collectAll<T, M>(
  values: usize, n: i32, center: f64, mask: u64, prefix: u64, out: usize, filled: i32, capacity: i32,
): i32 {
  const end = values + (<usize>n << alignof<T>());
  const c = f64x2.splat(center), vm = i64x2.splat(mask), vp = i64x2.splat(prefix);
  let f = filled;
  let p = values;
  for (; p + 4 * sizeof<T>() <= end; p += 4 * sizeof<T>()) {
    const v0 = canonical2<M>(low2<T>(p), c), v1 = canonical2<M>(high2<T>(p), c);
    const m0 = i64x2.eq(v128.and(key2(v0), vm), vp), m1 = i64x2.eq(v128.and(key2(v1), vm), vp);
    if (!v128.any_true(v128.or(m0, m1))) continue;
    f = keep(out, f, capacity, i64x2.extract_lane(v0, 0), i64x2.extract_lane(m0, 0));
    f = keep(out, f, capacity, i64x2.extract_lane(v0, 1), i64x2.extract_lane(m0, 1));
    f = keep(out, f, capacity, i64x2.extract_lane(v1, 0), i64x2.extract_lane(m1, 0));
    f = keep(out, f, capacity, i64x2.extract_lane(v1, 1), i64x2.extract_lane(m1, 1));
  }
  for (; p < end; p += sizeof<T>()) {
    const b = canonicalBits<T, M>(p, center);
    f = keep(out, f, capacity, b, (keyOf(b) & mask) == prefix ? -1 : 0);
  }
  return f;
}

/** out[f] = bits, counted if `match` (all ones): written always, past capacity onto the spare slot. */
@inline function keep(out: usize, f: i32, capacity: i32, bits: i64, match: i64): i32 {
  store<i64>(out + (<usize>min(f, capacity) << 3), bits);
  return min(f - <i32>match, capacity + 1);
}

export function countKeys(
  values: usize, n: i32, single: bool, deviation: bool, center: f64, prefixHi: u32, prefixLo: u32, fixed: i32, hist: usize,
): void {
  const mask = prefixMask(fixed), prefix = prefixOf(prefixHi, prefixLo, fixed);
  const shift = <u64>(64 - KEY_BIN_BITS - fixed);
  if (single) {
    if (deviation) countAll<f32, Deviation>(values, n, center, mask, prefix, shift, hist);
    else countAll<f32, Identity>(values, n, center, mask, prefix, shift, hist);
  } else {
    if (deviation) countAll<f64, Deviation>(values, n, center, mask, prefix, shift, hist);
    else countAll<f64, Identity>(values, n, center, mask, prefix, shift, hist);
  }
}

export function collectKeys(
  values: usize, n: i32, single: bool, deviation: bool, center: f64, prefixHi: u32, prefixLo: u32, fixed: i32,
  out: usize, filled: i32, capacity: i32,
): i32 {
  const mask = prefixMask(fixed), prefix = prefixOf(prefixHi, prefixLo, fixed);
  if (single) {
    return deviation
      ? collectAll<f32, Deviation>(values, n, center, mask, prefix, out, filled, capacity)
      : collectAll<f32, Identity>(values, n, center, mask, prefix, out, filled, capacity);
  }
  return deviation
    ? collectAll<f64, Deviation>(values, n, center, mask, prefix, out, filled, capacity)
    : collectAll<f64, Identity>(values, n, center, mask, prefix, out, filled, capacity);
}
