// `run`'s per-object inputs besides stamps and PSFs: noise levels σ_i (--noise-est FILE)
// and pixel weights (--mask, --mask-nan), checked against the input.

import { existsSync } from 'node:fs';
import { InputError, OptionError } from '../errors.ts';
import { parseAddress, readArray, readValues } from '../io/index.ts';
import { objectsOf, valuesPerObject } from '../common/types.ts';
import type { PerObject } from '../solver/index.ts';
import type { Parsed } from './args.ts';
import type { RunLog } from './progress.ts';
import { noiseNumber } from './run-options.ts';
import { readFor } from './read.ts';

/**
 * Per-object inputs: σ_i from a --noise-est file, the --mask weights, NaN pixels masked
 * with --mask-nan (their values become 0). Checked against the input's shape; messages
 * name the file, the object and the value. With --mask or --mask-nan the input must have
 * been read whole (`data`): masked pixels are zeroed in it.
 */
export async function perObjectInputs(
  a: Parsed, y: { shape: readonly number[]; data?: Float32Array | Float64Array }, log: RunLog,
): Promise<PerObject> {
  const n = objectsOf(y.shape);
  const npix = valuesPerObject(y.shape);
  const out: PerObject = {};
  const noise = a['noise-est'] as string | undefined;
  if (noise !== undefined && noiseNumber(a) === undefined) {
    if (!existsSync(parseAddress(noise).file)) {
      throw new OptionError(`--noise-est ${noise} is neither a number nor an existing file; give σ, or a file of one σ per object`);
    }
    const s = await readFor('--noise-est', () => readValues(noise));
    if (s.length !== n) throw new InputError(`--noise-est ${noise} has ${s.length} values for ${n} objects; give one σ per object`);
    const bad = s.findIndex((v) => !(v > 0 && v < Infinity));
    if (bad >= 0) throw new InputError(`--noise-est ${noise}: object ${bad} has σ = ${s[bad]}; every σ must be a positive number`);
    out.sigma = s;
  }
  let mask: Float32Array | undefined;
  if (a.mask) {
    const m = await readFor('--mask', () => readArray(a.mask as string));
    if (m.shape.join() !== y.shape.join()) {
      throw new InputError(`--mask ${String(a.mask)} has shape (${m.shape.join(', ')}) but the input has (${y.shape.join(', ')}); give one weight per pixel`);
    }
    const bad = m.data.findIndex((v) => !(v >= 0 && v <= 1));
    if (bad >= 0) {
      throw new InputError(`--mask ${String(a.mask)}: object ${Math.floor(bad / npix)} has the weight ${m.data[bad]} at pixel ${bad % npix}; weights must be in [0, 1] (divide by the largest)`);
    }
    mask = Float32Array.from(m.data);
  }
  let nan = 0;
  const objects = new Set<number>();
  const data = y.data ?? new Float32Array(0);
  if ((mask || a['mask-nan'] === true) && data.length !== n * npix) throw new Error('perObjectInputs: masking needs the input read whole');
  for (let q = 0; q < data.length; q++) {
    if (data[q] === data[q]) continue;
    if (mask && mask[q] === 0) {
      data[q] = 0; // masked anyway
    } else if (a['mask-nan'] === true) {
      mask ??= new Float32Array(data.length).fill(1);
      mask[q] = 0;
      data[q] = 0;
      nan++;
      objects.add(Math.floor(q / npix));
    }
  }
  if (nan > 0) log.warn(`--input ${String(a.input)}: ${nan} NaN pixel${nan > 1 ? 's' : ''} in ${objects.size} object${objects.size > 1 ? 's' : ''} masked (--mask-nan; first: object ${Math.min(...objects)})`);
  if (mask) {
    for (let i = 0; i < n; i++) {
      if (mask.subarray(i * npix, (i + 1) * npix).every((v) => v === 0)) {
        log.warn(`object ${i} has no unmasked pixel: only the prior shapes its output`);
        break;
      }
    }
    out.mask = mask;
  }
  return out;
}

