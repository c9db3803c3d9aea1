// Eigen-decomposition of a dense real symmetric matrix in float64: Householder
// reduction to tridiagonal form, then the implicit QL algorithm with Wilkinson-like
// shifts (EISPACK tred2/tql2, as in JAMA). Used for the Gram matrix of the low-rank
// prior (ALGORITHM §10); deterministic, so every run gets the same bits.

import type { KernelModule } from '../kernels/index.ts';

/** The reduction's O(n³) loops (step i), on the V, d, e a workspace hands to tred2. */
interface ReductionOps {
  symv(i: number): void;
  rank2(i: number): void;
}

/**
 * V (a copy of a), d, e for tred2, in a kernel module's memory when one is given (its
 * SIMD loops then run the O(n³) part; assembly/lowrank.ts), else plain arrays.
 */
function workspace<T>(a: ArrayLike<number>, n: number, module: KernelModule | undefined,
  body: (v: Float64Array, d: Float64Array, e: Float64Array, ops?: ReductionOps) => T): T {
  if (!module) return body(Float64Array.from(a), new Float64Array(n), new Float64Array(n));
  const bv = module.alloc('f64', n * n), bd = module.alloc('f64', n), be = module.alloc('f64', n);
  try {
    // no allocation below this line: the views stay attached
    const v = module.f64(bv), d = module.f64(bd), e = module.f64(be);
    v.set(a);
    d.fill(0);
    e.fill(0);
    return body(v, d, e, {
      symv: (i) => module.tridiagonalStep(bv, bd, be, n, i, 'symv'),
      rank2: (i) => module.tridiagonalStep(bv, bd, be, n, i, 'rank2'),
    });
  } finally {
    for (const b of [bv, bd, be]) module.free(b);
  }
}

export interface SymmetricEigen {
  /** Eigenvalues, largest first. */
  values: Float64Array;
  /**
   * Eigenvectors as columns, row-major n × n: vectors[i * n + k] is component i of vector
   * k (empty when only the values were asked for).
   */
  vectors: Float64Array;
}

/**
 * The `count` largest eigenvalues of the symmetric n × n row-major matrix `a` (only read)
 * with their eigenvectors, for `count` ≪ n: the tridiagonal form's eigenvectors by inverse
 * iteration (each orthogonalised against the ones before), taken back through the
 * Householder reflections — O(count·n²) on top of the reduction, instead of the O(n³) of
 * accumulating every vector. All values come back; `vectors` is n × count, column k for
 * value k. `howMany` may be a function of the values (largest first).
 */
export function symmetricEigenTop(
  a: ArrayLike<number>, n: number, howMany: number | ((values: Float64Array) => number), module?: KernelModule,
): SymmetricEigen {
  if (a.length !== n * n) throw new RangeError(`symmetricEigenTop: ${a.length} values do not make a ${n}×${n} matrix`);
  return workspace(a, n, module, (v, d, e, ops) => topFromReduction(v, d, e, n, howMany, ops));
}

function topFromReduction(
  v: Float64Array, d: Float64Array, e: Float64Array, n: number,
  howMany: number | ((values: Float64Array) => number), ops?: ReductionOps,
): SymmetricEigen {
  const h = tred2(v, d, e, n, false, ops);
  const diag = Float64Array.from(d), off = Float64Array.from(e); // T: off[i] couples i − 1 and i
  tql2(undefined, d, e, n);
  const values = new Float64Array(n);
  for (let k = 0; k < n; k++) values[k] = d[n - 1 - k];
  const count = typeof howMany === 'number' ? howMany : howMany(values);
  if (!(Number.isInteger(count) && count >= 0 && count <= n)) throw new RangeError(`symmetricEigenTop: ${count} vectors of a ${n}×${n} matrix`);
  let norm = 0;
  for (let i = 0; i < n; i++) norm = Math.max(norm, Math.abs(diag[i]) + Math.abs(off[i]) + (i + 1 < n ? Math.abs(off[i + 1]) : 0));
  const vectors = new Float64Array(n * count);
  const found: Float64Array[] = [];
  for (let k = 0; k < count; k++) {
    const z = tridiagonalVector(diag, off, values[k], norm, found);
    found.push(z);
    // Q z = H_{n−1} ⋯ H_1 z, H_m = I − u_m u_mᵀ / h_m with u_m stored in row m of v (indices < m)
    const y = Float64Array.from(z);
    for (let m = 1; m < n; m++) {
      if (h[m] === 0) continue;
      const row = m * n;
      let g = 0;
      for (let j = 0; j < m; j++) g += v[row + j] * y[j];
      g /= h[m];
      for (let j = 0; j < m; j++) y[j] -= g * v[row + j];
    }
    for (let i = 0; i < n; i++) vectors[i * count + k] = y[i];
  }
  return { values, vectors };
}

/**
 * An eigenvector of the symmetric tridiagonal T (diagonal `diag`, off-diagonal `off`) for
 * its eigenvalue `mu`: three steps of inverse iteration from a fixed start, each
 * orthogonalised against `others` (so close eigenvalues get orthogonal vectors).
 */
function tridiagonalVector(diag: Float64Array, off: Float64Array, mu: number, norm: number, others: Float64Array[]): Float64Array {
  const n = diag.length;
  // LU of T − μI with partial pivoting (LAPACK dgtsv's scheme): dg diagonal, du first and
  // du2 second super-diagonal of U, fact and swap the row operations
  const dg = new Float64Array(n), du = new Float64Array(n), du2 = new Float64Array(n), dl = new Float64Array(n);
  const fact = new Float64Array(n), swap = new Uint8Array(n);
  for (let i = 0; i < n; i++) dg[i] = diag[i] - mu;
  for (let i = 0; i + 1 < n; i++) du[i] = dl[i] = off[i + 1];
  const tiny = Math.max(norm, Number.MIN_VALUE) * 2 ** -52;
  for (let i = 0; i + 1 < n; i++) {
    if (Math.abs(dg[i]) >= Math.abs(dl[i])) {
      if (dg[i] === 0) dg[i] = tiny;
      const f = dl[i] / dg[i];
      dg[i + 1] -= f * du[i];
      fact[i] = f;
    } else {
      const f = dg[i] / dl[i];
      dg[i] = dl[i];
      const t = dg[i + 1];
      dg[i + 1] = du[i] - f * t;
      if (i + 2 < n) {
        du2[i] = du[i + 1];
        du[i + 1] = -f * du2[i];
      }
      du[i] = t;
      fact[i] = f;
      swap[i] = 1;
    }
  }
  if (dg[n - 1] === 0) dg[n - 1] = tiny;
  let z = new Float64Array(n).fill(1 / Math.sqrt(n));
  for (let it = 0; it < 3; it++) {
    const b = z;
    for (let i = 0; i + 1 < n; i++) {
      if (swap[i]) {
        const t = b[i];
        b[i] = b[i + 1];
        b[i + 1] = t - fact[i] * b[i + 1];
      } else {
        b[i + 1] -= fact[i] * b[i];
      }
    }
    const x = new Float64Array(n);
    for (let i = n - 1; i >= 0; i--) {
      let s = b[i];
      if (i + 1 < n) s -= du[i] * x[i + 1];
      if (i + 2 < n) s -= du2[i] * x[i + 2];
      x[i] = s / dg[i];
    }
    for (const o of others) {
      let g = 0;
      for (let i = 0; i < n; i++) g += o[i] * x[i];
      for (let i = 0; i < n; i++) x[i] -= g * o[i];
    }
    let s = 0;
    for (let i = 0; i < n; i++) s += x[i] * x[i];
    s = Math.sqrt(s);
    if (!(s > 0)) throw new Error('symmetricEigenTop: inverse iteration broke down');
    for (let i = 0; i < n; i++) x[i] /= s;
    z = x;
  }
  return z;
}

/**
 * Eigenvalues and (unless `vectors` is false) orthonormal eigenvectors of the symmetric
 * n × n row-major matrix `a` (only read). Without vectors it costs about a fifth. With a
 * kernel `module`, the reduction's O(n³) loops run as its SIMD kernels (the same method,
 * other rounding).
 */
export function symmetricEigen(
  a: ArrayLike<number>, n: number, opts: { vectors?: boolean; module?: KernelModule } = {},
): SymmetricEigen {
  if (a.length !== n * n) throw new RangeError(`symmetricEigen: ${a.length} values do not make a ${n}×${n} matrix`);
  const withVectors = opts.vectors !== false;
  return workspace(a, n, opts.module, (v, d, e, ops) => fullFromReduction(v, d, e, n, withVectors, ops));
}

function fullFromReduction(v: Float64Array, d: Float64Array, e: Float64Array, n: number, withVectors: boolean, ops?: ReductionOps): SymmetricEigen {
  // tred2 works on the transpose (a is symmetric), so that its inner loops and the QL
  // rotations run along memory; Q comes out transposed, eigenvectors as rows
  tred2(v, d, e, n, withVectors, ops);
  const vt = withVectors ? v : undefined;
  tql2(vt, d, e, n);
  // tql2 leaves them ascending: reverse, largest first
  const values = new Float64Array(n);
  const vectors = new Float64Array(withVectors ? n * n : 0);
  for (let k = 0; k < n; k++) {
    const from = n - 1 - k;
    values[k] = d[from];
    if (vt) for (let i = 0; i < n; i++) vectors[i * n + k] = vt[from * n + i];
  }
  return { values, vectors };
}

/**
 * Householder tridiagonalisation (JAMA's tred2 with V stored column-major, i.e. on Vᵀ):
 * d diagonal, e sub-diagonal (e[0] = 0), and with `accumulate` V ← Qᵀ (row-major);
 * without, V keeps reflection m's vector u_m in row m (indices < m). Returns the h_m of
 * the reflections I − u_m u_mᵀ / h_m (0: none).
 */
function tred2(V: Float64Array, d: Float64Array, e: Float64Array, n: number, accumulate: boolean, ops?: ReductionOps): Float64Array {
  const hs = new Float64Array(n);
  for (let j = 0; j < n; j++) d[j] = V[j * n + (n - 1)];
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
    if (scale === 0) {
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) {
        d[j] = V[j * n + (i - 1)];
        V[j * n + i] = 0;
        V[i * n + j] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] /= scale;
        h += d[k] * d[k];
      }
      let f = d[i - 1];
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      if (ops) ops.symv(i);
      else {
        for (let j = 0; j < i; j++) {
          f = d[j];
          V[i * n + j] = f;
          g = e[j] + V[j * n + j] * f;
          for (let k = j + 1; k <= i - 1; k++) {
            g += V[j * n + k] * d[k];
            e[k] += V[j * n + k] * f;
          }
          e[j] = g;
        }
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * d[j];
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= hh * d[j];
      if (ops) ops.rank2(i);
      else {
        for (let j = 0; j < i; j++) {
          f = d[j];
          g = e[j];
          for (let k = j; k <= i - 1; k++) V[j * n + k] -= f * e[k] + g * d[k];
          d[j] = V[j * n + (i - 1)];
          V[j * n + i] = 0;
        }
      }
    }
    d[i] = h;
    hs[i] = h;
  }
  if (!accumulate) {
    // the diagonal of T is where the accumulation below would pick it up
    for (let j = 0; j < n; j++) d[j] = V[j * n + j];
    e[0] = 0;
    return hs;
  }
  // accumulate the transformations
  for (let i = 0; i < n - 1; i++) {
    V[i * n + (n - 1)] = V[i * n + i];
    V[i * n + i] = 1;
    const h = d[i + 1];
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = V[(i + 1) * n + k] / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += V[(i + 1) * n + k] * V[j * n + k];
        for (let k = 0; k <= i; k++) V[j * n + k] -= g * d[k];
      }
    }
    for (let k = 0; k <= i; k++) V[(i + 1) * n + k] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = V[j * n + (n - 1)];
    V[j * n + (n - 1)] = 0;
  }
  V[(n - 1) * n + (n - 1)] = 1;
  e[0] = 0;
  return hs;
}

/**
 * Implicit QL on the tridiagonal (d, e), eigenvalues ascending in d; the rotations are
 * applied to the rows of W = Vᵀ if given (row k ends as eigenvector k).
 */
function tql2(W: Float64Array | undefined, d: Float64Array, e: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n) {
      if (Math.abs(e[m]) <= eps * tst1) break;
      m++;
    }
    if (m === n) m = n - 1; // e[n-1] is 0: never reached in exact terms
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > 60 * n) throw new Error('symmetricEigen: QL iteration did not converge');
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        p = d[m];
        let c = 1, c2 = c, c3 = c;
        const el1 = e[l + 1];
        let s = 0, s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = Math.hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          if (W) {
            const ri = i * n, rj = ri + n;
            for (let k = 0; k < n; k++) {
              h = W[rj + k];
              W[rj + k] = s * W[ri + k] + c * h;
              W[ri + k] = c * W[ri + k] - s * h;
            }
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > eps * tst1);
    }
    d[l] += f;
    e[l] = 0;
  }
  // sort ascending (selection sort, with the vectors)
  for (let i = 0; i < n - 1; i++) {
    let k = i;
    let p = d[i];
    for (let j = i + 1; j < n; j++) {
      if (d[j] < p) {
        k = j;
        p = d[j];
      }
    }
    if (k !== i) {
      d[k] = d[i];
      d[i] = p;
      if (W) {
        const ri = i * n, rk = k * n;
        for (let j = 0; j < n; j++) {
          const t = W[ri + j];
          W[ri + j] = W[rk + j];
          W[rk + j] = t;
        }
      }
    }
  }
}
