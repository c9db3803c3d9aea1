// Lossless coding of 32-bit words against a prediction: each word XOR its prediction, as
// a little-endian base-128 varint (7 bits a byte, the high bit set on all but the last).
// A good prediction leaves only low bits, so most words take 1 byte instead of 4. Used
// for Φx in checkpoints, predicted by Φ(x) (solver/batch.ts).

/** Bytes `xorVarintEncode` may write for `n` words. */
export const xorVarintBound = (n: number): number => 5 * n;

/** Writes `words` XOR `prediction` into `out` (at least xorVarintBound bytes); returns the bytes written. */
export function xorVarintEncode(words: Uint32Array, prediction: Uint32Array, out: Uint8Array): number {
  let k = 0;
  for (let i = 0; i < words.length; i++) {
    let d = (words[i] ^ prediction[i]) >>> 0;
    while (d >= 0x80) {
      out[k++] = (d & 0x7f) | 0x80;
      d >>>= 7;
    }
    out[k++] = d;
  }
  return k;
}

/**
 * Decodes `bytes` into `out` (in place: `out` holds the prediction on entry, the words
 * on return). Throws RangeError unless `bytes` holds exactly `out.length` words.
 */
export function xorVarintDecode(bytes: Uint8Array, out: Uint32Array): void {
  let k = 0;
  for (let i = 0; i < out.length; i++) {
    let d = 0;
    let shift = 0;
    for (;;) {
      if (k >= bytes.length || shift > 28) throw new RangeError('xor-varint: truncated or malformed');
      const b = bytes[k++];
      d |= (b & 0x7f) << shift;
      if (b < 0x80) break;
      shift += 7;
    }
    out[i] ^= d;
  }
  if (k !== bytes.length) throw new RangeError('xor-varint: trailing bytes');
}
