// σ = 1.4826 · median(|Y − median(Y)|) over every pixel of every object (ALGORITHM §4).

/** NumPy's median: the middle value, or the mean of the two middle values. */
export function median(values: ArrayLike<number>): number {
  const a = new Float64Array(values); // typed-array source: a bulk conversion, not an iteration
  const n = a.length;
  const hi = select(a, n >> 1);
  if (n % 2 === 1) return hi;
  // After select, everything left of n/2 is ≤ hi: the other middle value is their max.
  let lo = -Infinity;
  for (let i = 0; i < n >> 1; i++) if (a[i] > lo) lo = a[i];
  return (lo + hi) / 2;
}

export function madSigma(stack: ArrayLike<number>): number {
  const m = median(stack);
  const dev = new Float64Array(stack.length);
  for (let i = 0; i < dev.length; i++) dev[i] = Math.abs(stack[i] - m);
  return 1.4826 * median(dev);
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
