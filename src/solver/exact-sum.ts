// Order-independent summation of per-object costs. Each cost is rounded once to a
// multiple of 2⁻⁶⁰ and summed as an integer, so the total is the same bits however the
// stack is split into partitions and in whatever order the partial sums arrive — the
// stopping rule then cannot depend on the partition or agent count.

import { DivergedError } from '../errors.ts';

const SCALE = 2 ** 60;

export function toFixed(value: number): bigint {
  if (!Number.isFinite(value)) throw new DivergedError(`the iteration diverged (cost ${value}): check the data's scale and the PSFs, or lower the steps (--tau, --dual-step)`);
  return BigInt(Math.round(value * SCALE));
}

export function fromFixed(sum: bigint): number {
  return Number(sum) / SCALE;
}

/** Exact partial sum of values[first .. first+count). */
export function fixedSum(values: ArrayLike<number>, first = 0, count = values.length - first): bigint {
  let s = 0n;
  for (let i = first; i < first + count; i++) s += toFixed(values[i]);
  return s;
}
