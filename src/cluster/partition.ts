// Splitting a stack into contiguous partitions.

export interface Range {
  first: number;
  n: number;
}

/**
 * `count` contiguous partitions of `n` objects, as even as possible in whole groups of
 * `unit` objects: 4 (the kernels' SIMD width), so that no partition wastes lanes
 * needlessly, or the low-rank prior's Gram block (solver/pixel-gram.ts), so that every
 * partitioning sums the same blocks. Fewer partitions are returned when there are not
 * enough objects.
 */
export function split(n: number, count: number, unit = 4): Range[] {
  const groups = Math.ceil(n / unit);
  const parts = Math.max(1, Math.min(count, groups));
  const out: Range[] = [];
  let first = 0;
  for (let p = 0; p < parts; p++) {
    const g = Math.floor(groups / parts) + (p < groups % parts ? 1 : 0);
    const size = Math.min(g * unit, n - first);
    out.push({ first, n: size });
    first += size;
  }
  return out;
}
