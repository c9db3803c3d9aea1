// Lossless coding of 32-bit words against a prediction (the format of
// src/common/xor-varint.ts, which is its scalar oracle and its decoder): each word XOR its
// prediction as a little-endian base-128 varint. Used for Φx in checkpoints, where the
// JavaScript loop took most of a snapshot's time (≈ 6 ns a word).

/**
 * Writes words[i] XOR prediction[i] (i < n) as varints from `out`; returns the bytes
 * written. Each word is written as one unaligned 8-byte store (no branch per byte), so
 * `out` must have room for 5·n + 3 bytes.
 */
export function xorVarintEncode(words: usize, prediction: usize, n: i32, out: usize): i32 {
  let k = out;
  const end = words + ((<usize>n) << 2);
  let p = prediction;
  for (let w = words; w < end; w += 4, p += 4) {
    const d = load<u32>(w) ^ load<u32>(p);
    if (d < 0x80) { // the common case of a good prediction: one byte
      store<u8>(k, <u8>d);
      k++;
      continue;
    }
    // bytes: 1 for d < 2^7, …, 5 for d ≥ 2^28 (compares, not a division: no branch, no div)
    const len = 1 + <i32>(d >= 0x80) + <i32>(d >= 0x4000) + <i32>(d >= 0x200000) + <i32>(d >= 0x10000000);
    const v = <u64>d;
    let x = (v & 0x7f) | ((v << 1) & 0x7f00) | ((v << 2) & 0x7f0000) | ((v << 3) & 0x7f000000) | ((v << 4) & 0x7f00000000);
    // the continuation bit on every byte but the last
    x |= 0x8080808080 & ((<u64>1 << (<u64>(8 * (len - 1)))) - 1);
    store<u64>(k, x);
    k += <usize>len;
  }
  return <i32>(k - out);
}

/**
 * out[i] = copysign(w[i], phix[i]) (n a multiple of 4; w ≥ 0): the checkpoint's prediction
 * of the dual variable, which converges to ±W wherever Φx is not zero (the clip of §6).
 */
export function signedWeights(w: usize, phix: usize, out: usize, n: i32): void {
  const sign = i32x4.splat(0x80000000);
  const end = (<usize>n) << 2;
  for (let o: usize = 0; o < end; o += 16) {
    v128.store(out + o, v128.or(v128.and(v128.load(phix + o), sign), v128.andnot(v128.load(w + o), sign)));
  }
}
