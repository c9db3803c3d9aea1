// The one median of the code base (σ of docs/ALGORITHM.md §4, the metrics of §9): NumPy's
// convention, the middle value or the mean of the two middle values; NaN sorts last (as
// in a sorted Float64Array), and an empty input gives NaN. Quickselect, so σ over a whole
// survey's pixels costs O(n), not a sort.

export function median(values: ArrayLike<number>): number {
  // The non-NaN values first (a typed-array copy: a bulk conversion where it can be).
  const a = new Float64Array(values.length);
  let m = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === v) a[m++] = v;
  }
  const n = values.length;
  if (n === 0) return NaN;
  const k = n >> 1;
  if (k >= m) return NaN;
  const live = a.subarray(0, m);
  const hi = select(live, k);
  if (n % 2 === 1) return hi;
  // After select, everything left of k is ≤ hi: the other middle value is their max.
  let lo = -Infinity;
  for (let i = 0; i < k; i++) if (live[i] > lo) lo = live[i];
  return (lo + hi) / 2;
}

/** Quickselect (Hoare partition, median-of-three): the k-th smallest; partially orders `a`. */
function select(a: Float64Array, k: number): number {
  let left = 0;
  let right = a.length - 1;
  while (right > left) {
    const mid = (left + right) >> 1;
    // median of three as pivot
    if (a[mid] < a[left]) swap(a, mid, left);
    if (a[right] < a[left]) swap(a, right, left);
    if (a[right] < a[mid]) swap(a, right, mid);
    const pivot = a[mid];
    let i = left;
    let j = right;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return a[k];
  }
  return a[k];
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}
