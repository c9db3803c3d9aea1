// The masking rule of --mask and --mask-nan, on a chunk of whole objects as read from the
// files: what the solver is given. One place for it, whoever reads the files (the driver,
// or with --shared-input each agent).

export interface MaskedChunk {
  /** The input, with NaN pixels under a weight of 0 (or masked by --mask-nan) read as 0. */
  values: Float32Array | Float64Array;
  /** The weights in float32 (the kernels' precision: a weight that rounds to 0 masks), NaN pixels at 0 with `nanMasked`. */
  mask?: Float32Array;
  /** 1 where `nanMasked` masked a NaN pixel that no weight of 0 covered. */
  nanMasked?: Uint8Array;
}

/**
 * A chunk of the input (`raw`) and of the weights (`weights`, absent without --mask) as the
 * solver sees them; with `nanMasked` (--mask-nan) every NaN pixel is masked, and the mask
 * exists even without weights (1 elsewhere). A NaN left neither covered nor masked stays:
 * the input checks refuse it.
 */
export function maskChunk(raw: Float32Array | Float64Array, weights: Float32Array | Float64Array | undefined, nanMasked: boolean): MaskedChunk {
  let mask = weights && Float32Array.from(weights);
  let values = raw;
  let masked: Uint8Array | undefined;
  for (let q = 0; q < raw.length; q++) {
    if (raw[q] === raw[q]) continue;
    if (mask && mask[q] === 0) {
      if (values === raw) values = raw.slice();
      values[q] = 0; // masked anyway
    } else if (nanMasked) {
      mask ??= new Float32Array(raw.length).fill(1);
      masked ??= new Uint8Array(raw.length);
      if (values === raw) values = raw.slice();
      mask[q] = 0;
      values[q] = 0;
      masked[q] = 1;
    }
  }
  if (nanMasked && !mask) mask = new Float32Array(raw.length).fill(1);
  return { values, mask, nanMasked: masked };
}
