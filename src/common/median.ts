// The one median of the code base (σ of docs/ALGORITHM.md §4, the metrics of §9): NumPy's
// convention, the middle value or the mean of the two middle values; NaN sorts last (as
// in a sorted Float64Array), and an empty input gives NaN. By exact selection (select.ts),
// so the same median can also be taken of a stream that is never held in memory.

import { selectRanks, selectRanksAsync, type AsyncPass, type Pass, type SelectOptions } from './select.ts';

/** The ranks whose values make NumPy's median of n values: the middle one or two. */
function middleRanks(n: number): number[] {
  return n % 2 === 1 ? [n >> 1] : [(n >> 1) - 1, n >> 1];
}

const middle = (v: number[]): number => (v.length === 1 ? v[0] : (v[0] + v[1]) / 2);

export function median(values: ArrayLike<number>, opts: SelectOptions = {}): number {
  return medianOf((visit) => visit(values), values.length, opts);
}

/** The median of `total` values fed by each call of `pass` (of their deviations |v − c| with `deviationsFrom: c`). */
export function medianOf(pass: Pass, total: number, opts: SelectOptions = {}): number {
  return total === 0 ? NaN : middle(selectRanks(pass, total, middleRanks(total), opts));
}

export async function medianOfAsync(pass: AsyncPass, total: number, opts: SelectOptions = {}): Promise<number> {
  return total === 0 ? NaN : middle(await selectRanksAsync(pass, total, middleRanks(total), opts));
}
