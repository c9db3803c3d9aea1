/**
 * Seeded pseudo-random numbers for the simulator.
 *
 * Generator: xoshiro128** (Blackman & Vigna), 32-bit words, state seeded by hashing
 * (seed, stream, index) with a 32-bit bijective mixer (Wellons' "lowbias32"). For a fixed
 * (seed, stream) the index → state map is injective word by word, so two objects of one
 * run never share a stream, and object i's stream does not depend on how many objects
 * are drawn.
 *
 * Cross-platform determinism: the integer part uses only Math.imul, ^, <<, >>>, which are
 * exactly defined. `uniform()` builds a 53-bit fraction with exact arithmetic.
 * `normal()` (Marsaglia polar method) and `logUniform()` use this module's own `detLog` /
 * `detExp`, which are built from +, −, ×, ÷ and Math.round only (IEEE-754 exact, no FMA
 * contraction in JS), plus Math.sqrt (an IEEE-754 correctly rounded operation, a single
 * hardware instruction in every engine). Math.log/exp/pow/cos/sin are *not* specified to
 * be bit-identical across engines, so they are not used for random draws. (The image
 * rendering does use them; rendered pixels are bit-identical on one Node/V8 version.)
 */
import { OptionError } from '../errors.ts';

/** Stream ids: the truth (galaxy + PSF parameters) and the observation noise. */
export const STREAM_TRUTH = 0x7275_7468; // 'ruth'
export const STREAM_NOISE = 0x6e6f_6973; // 'nois'

const TWO32 = 4294967296;

/** Bijective 32-bit mixer (lowbias32, C. Wellons). */
export function mix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Splits a seed (any safe integer, negative allowed) into two 32-bit words. */
export function seedWords(seed: number): [number, number] {
  if (!Number.isSafeInteger(seed)) {
    throw new OptionError(`seed must be a safe integer, got ${seed}`);
  }
  const lo = ((seed % TWO32) + TWO32) % TWO32; // exact for safe integers
  const hi = Math.floor((seed - lo) / TWO32); // exact
  return [lo >>> 0, (hi | 0) >>> 0];
}

export class Rng {
  // State in a typed array: 32-bit words stored in object fields would be boxed by V8.
  private readonly s = new Int32Array(4);
  private spare = 0;
  private hasSpare = false;

  /** A generator from four 32-bit state words (not all zero). */
  constructor(s0: number, s1: number, s2: number, s3: number) {
    const s = this.s;
    s[0] = s0;
    s[1] = s1;
    s[2] = s2;
    s[3] = s3;
    if ((s[0]! | s[1]! | s[2]! | s[3]!) === 0) s[0] = 1;
  }

  /** The stream for (seed, stream id, index); index is a non-negative integer < 2^32. */
  static forStream(seed: number, stream: number, index: number): Rng {
    if (!Number.isInteger(index) || index < 0 || index >= TWO32) {
      throw new OptionError(`stream index must be an integer in [0, 2^32), got ${index}`);
    }
    const [lo, hi] = seedWords(seed);
    const w: number[] = [];
    for (let j = 0; j < 4; j++) {
      // Each step is a bijection of h, so for fixed (seed, stream) distinct indices give
      // distinct words.
      let h = mix32((0x9e3779b9 * (j + 1)) ^ lo);
      h = mix32(h ^ hi);
      h = mix32(h ^ (stream >>> 0));
      h = mix32(h ^ (index >>> 0));
      h = mix32(h + 0x6a09e667);
      w.push(h);
    }
    const rng = new Rng(w[0]!, w[1]!, w[2]!, w[3]!);
    for (let k = 0; k < 8; k++) rng.nextU32(); // decorrelate the first outputs
    return rng;
  }

  /** Next 32-bit unsigned integer (xoshiro128**). */
  nextU32(): number {
    const s = this.s;
    const s0 = s[0]!;
    const s1 = s[1]!;
    const x = Math.imul(s1, 5);
    const result = Math.imul((x << 7) | (x >>> 25), 9) >>> 0;
    const t = s1 << 9;
    const s2 = s[2]! ^ s0;
    const s3 = s[3]! ^ s1;
    s[1] = s1 ^ s2;
    s[0] = s0 ^ s3;
    s[2] = s2 ^ t;
    s[3] = (s3 << 11) | (s3 >>> 21);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits (exact arithmetic). */
  uniform(): number {
    const a = this.nextU32() >>> 5; // 27 bits
    const b = this.nextU32() >>> 6; // 26 bits
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }

  /** Log-uniform in [lo, hi) (lo, hi > 0), via the deterministic exp/log below. */
  logUniform(lo: number, hi: number): number {
    return lo * detExp(this.uniform() * detLog(hi / lo));
  }

  /**
   * Standard normal deviate, Marsaglia polar method (pairs; the second is cached). The
   * candidate point uses one 32-bit word per coordinate, (k + ½)/2³¹ − 1: symmetric, never
   * 0 or ±1, and twice as cheap as 53-bit uniforms.
   */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    let x: number;
    let y: number;
    let s: number;
    do {
      x = ((this.nextU32() | 0) + 0.5) * 4.656612873077393e-10; // 2^-31
      y = ((this.nextU32() | 0) + 0.5) * 4.656612873077393e-10;
      s = x * x + y * y;
    } while (s >= 1);
    const f = Math.sqrt((-2 * detLog(s)) / s);
    this.spare = y * f;
    this.hasSpare = true;
    return x * f;
  }
}

// ---------------------------------------------------------------------------------------
// Deterministic elementary functions (+, −, ×, ÷ only; accurate to a few ulp).

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
// Index of the high word of a double in u32 (platform endianness; bit layout is IEEE).
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const LO = 1 - HI;

const LN2_HI = 6.93147180369123816490e-1; // fdlibm split of ln 2
const LN2_LO = 1.90821492927058770002e-10;
const INV_LN2 = 1.44269504088896338700;
const SQRT2 = 1.4142135623730951;

/** Natural logarithm for finite x > 0 (NaN otherwise), deterministic. */
export function detLog(x: number): number {
  if (!(x > 0) || x === Infinity) return x === Infinity ? Infinity : x === 0 ? -Infinity : NaN;
  let e = 0;
  if (x < 2.2250738585072014e-308) {
    x *= 18014398509481984; // 2^54, exact
    e = -54;
  }
  f64[0] = x;
  const hi = u32[HI]!;
  e += ((hi >>> 20) & 0x7ff) - 1023;
  u32[HI] = (hi & 0x000fffff) | 0x3ff00000; // mantissa m in [1, 2)
  let m = f64[0]!;
  if (m > SQRT2) {
    m *= 0.5;
    e += 1;
  }
  // log m = 2 atanh(z), z = (m − 1)/(m + 1), |z| ≤ 0.1716
  const z = (m - 1) / (m + 1);
  const z2 = z * z;
  // 2 atanh z = 2z Σ z^(2k)/(2k+1), truncated after z^20 (error < 1e-17 relative)
  const p =
    0.3333333333333333 +
    z2 * (0.2 + z2 * (0.14285714285714285 + z2 * (0.1111111111111111 + z2 * (0.09090909090909091 +
    z2 * (0.07692307692307693 + z2 * (0.06666666666666667 + z2 * (0.058823529411764705 +
    z2 * (0.05263157894736842 + z2 * 0.047619047619047616))))))));
  const lm = 2 * z + 2 * z * z2 * p;
  return e * LN2_HI + (lm + e * LN2_LO);
}

/** Exponential, deterministic; exact 0 / Infinity outside the double range. */
export function detExp(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x > 709.782712893384) return Infinity;
  if (x < -745.1332191019412) return 0;
  const k = Math.round(x * INV_LN2);
  const r = x - k * LN2_HI - k * LN2_LO; // |r| ≤ 0.3466
  // Taylor series to r^14 (error < 1e-17 relative)
  let p = 1;
  for (let j = 14; j >= 1; j--) p = 1 + (p * r) / j;
  // scale by 2^k in two exact steps (k may be outside the normal exponent range)
  const k1 = k >> 1;
  const k2 = k - k1;
  return p * pow2(k1) * pow2(k2);
}

function pow2(k: number): number {
  f64[0] = 0;
  u32[LO] = 0;
  u32[HI] = ((k + 1023) << 20) >>> 0;
  return f64[0]!;
}
