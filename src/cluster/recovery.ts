// Durable run state for --resume: the run id (derived from the inputs and options, so a
// restarted driver finds its run again) and the run record saved after every complete
// checkpoint: the history up to it and the costs evaluated on the way, which let the
// solver's loop be fast-forwarded to the checkpoint with the same decisions.

import { createHash } from 'node:crypto';
import { ClusterError } from '../errors.ts';
import { eachChunk, type SolverOptions } from '../solver/index.ts';
import { objectsOf, type StackSource } from '../common/types.ts';
import type { Op } from './protocol.ts';

export interface RunRecord {
  v: 2;
  run: string;
  partitions: number;
  sigma: number;
  /** History index of the checkpoint: history.length. */
  op: number;
  history: Op[];
  /** Exact cost sums (decimal fixed point) by history index, the earliest first. */
  costs: Record<string, string[]>;
  /** Low-rank prior: the total costs by history index and the rank kept at each iteration so far. */
  lowrank?: { costs: Record<string, number[]>; ranks: number[] };
}

/**
 * A run id from everything that determines the result: the input, the PSFs, the options,
 * and the per-object σ_i and mask when given (the mask as float32). The stacks are hashed
 * as the setup's checking passes read them (`taps`, see setupStreamed), not read again.
 */
export class RunDigest {
  private readonly y = createHash('sha256');
  private readonly psf = createHash('sha256');
  readonly taps = {
    input: (chunk: ArrayBufferView): void => { this.y.update(bytesOf(chunk)); },
    psf: (chunk: ArrayBufferView): void => { this.psf.update(bytesOf(chunk)); },
  };

  /** The id, once the taps have seen both stacks whole (the mask, if any, is read here). */
  async runId(
    shapes: { y: readonly number[]; psf: readonly number[] }, options: SolverOptions, perObject: { sigma?: Float64Array; mask?: StackSource } = {},
  ): Promise<string> {
    const h = createHash('sha256');
    const count = (perObject.sigma ? 1 : 0) + (perObject.mask ? 1 : 0);
    h.update(JSON.stringify({ what: 'galdecon-run-3', y: shapes.y, psf: shapes.psf, options, perObject: count }));
    h.update(this.y.digest());
    h.update(this.psf.digest());
    if (perObject.sigma) h.update(bytesOf(perObject.sigma));
    const mask = perObject.mask;
    if (mask) await eachChunk(mask, objectsOf(mask.shape), (a) => { h.update(bytesOf(a instanceof Float32Array ? a : new Float32Array(a))); });
    return `r${h.digest('hex').slice(0, 24)}`;
  }
}

const bytesOf = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

export function encodeRecord(r: RunRecord): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(r));
}

export function decodeRecord(bytes: Uint8Array, run: string): RunRecord {
  let r: RunRecord;
  try {
    r = JSON.parse(new TextDecoder().decode(bytes)) as RunRecord;
  } catch {
    throw new ClusterError(`the saved state of run ${run} is unreadable`);
  }
  const ok = r && r.v === 2 && r.run === run && Number.isInteger(r.partitions) && typeof r.sigma === 'number' &&
    Array.isArray(r.history) && r.history.every((o) => Number.isInteger(o) && o >= 0) && r.op === r.history.length &&
    typeof r.costs === 'object' && r.costs !== null && Object.values(r.costs).every((c) => Array.isArray(c) && c.every((v) => typeof v === 'string' && /^-?\d+$/.test(v)));
  const lr = r?.lowrank;
  const lrOk = lr === undefined || (typeof lr === 'object' && lr !== null && Array.isArray(lr.ranks) &&
    lr.ranks.every((k) => Number.isInteger(k) && k >= 0) && typeof lr.costs === 'object' && lr.costs !== null &&
    Object.values(lr.costs).every((c) => Array.isArray(c) && c.every((v) => typeof v === 'number' && Number.isFinite(v))));
  if (!ok || !lrOk) throw new ClusterError(`the saved state of run ${run} is malformed`);
  return r;
}
