// Splitting a stack into contiguous partitions.

export interface Range {
  first: number;
  n: number;
}

/**
 * `count` contiguous partitions of `n` objects, as even as possible in whole groups of
 * 4 objects (the kernels' SIMD width), so that no partition wastes lanes needlessly.
 * Fewer partitions are returned when there are not enough objects.
 */
export function split(n: number, count: number): Range[] {
  const groups = Math.ceil(n / 4);
  const parts = Math.max(1, Math.min(count, groups));
  const out: Range[] = [];
  let first = 0;
  for (let p = 0; p < parts; p++) {
    const g = Math.floor(groups / parts) + (p < groups % parts ? 1 : 0);
    const size = Math.min(g * 4, n - first);
    out.push({ first, n: size });
    first += size;
  }
  return out;
}
