// docs/ALGORITHM.md §2: periodic convolution H and its adjoint Hᵀ, directly in the pixel domain
// and through a plain O(n²)-per-axis real 2-D DFT (any size).

import { checkKernel, mod } from './common.ts';

/**
 * Periodic convolution of one ny×nx image with a ky×kx kernel whose origin is
 * (cy, cx) = (ky>>1, kx>>1):
 *
 *     out[p] = Σ_q k[c + q] · x[(p − q) mod n]
 *
 * Written as: for each kernel tap (a, b) with q = (a − cy, b − cx), add k[a,b] times x
 * shifted by q.
 */
export function convolveDirect(
  x: Float64Array, ny: number, nx: number,
  k: ArrayLike<number>, ky: number, kx: number,
): Float64Array {
  checkKernel(ny, nx, ky, kx, k);
  const cy = ky >> 1;
  const cx = kx >> 1;
  const out = new Float64Array(ny * nx);
  for (let a = 0; a < ky; a++) {
    for (let b = 0; b < kx; b++) {
      const kv = k[a * kx + b];
      if (kv === 0) continue;
      const qy = a - cy;
      const qx = b - cx;
      for (let r = 0; r < ny; r++) {
        const rowIn = mod(r - qy, ny) * nx;
        for (let c = 0; c < nx; c++) {
          out[r * nx + c] += kv * x[rowIn + mod(c - qx, nx)];
        }
      }
    }
  }
  return out;
}

/**
 * Exact adjoint of convolveDirect (periodic correlation with the same origin), for any
 * image size, even or odd:
 *
 *     out[s] = Σ_q k[c + q] · x[(s + q) mod n]
 */
export function correlateDirect(
  x: Float64Array, ny: number, nx: number,
  k: ArrayLike<number>, ky: number, kx: number,
): Float64Array {
  checkKernel(ny, nx, ky, kx, k);
  const cy = ky >> 1;
  const cx = kx >> 1;
  const out = new Float64Array(ny * nx);
  for (let a = 0; a < ky; a++) {
    for (let b = 0; b < kx; b++) {
      const kv = k[a * kx + b];
      if (kv === 0) continue;
      const qy = a - cy;
      const qx = b - cx;
      for (let s = 0; s < ny; s++) {
        const rowIn = mod(s + qy, ny) * nx;
        for (let c = 0; c < nx; c++) {
          out[s * nx + c] += kv * x[rowIn + mod(c + qx, nx)];
        }
      }
    }
  }
  return out;
}


interface DftTable { cos: Float64Array; sin: Float64Array }
const dftTables = new Map<number, DftTable>();

/**
 * The DFT matrix of size n as two n×n tables: cos[k*n + t] = cos(2π k t/n) and
 * sin[k*n + t] = sin(2π k t/n), computed from the reduced angle 2π ((k·t) mod n)/n.
 */
function dftTable(n: number): DftTable {
  let table = dftTables.get(n);
  if (table === undefined) {
    const cos = new Float64Array(n * n);
    const sin = new Float64Array(n * n);
    for (let k = 0; k < n; k++) {
      for (let t = 0; t < n; t++) {
        const angle = (2 * Math.PI * ((k * t) % n)) / n;
        cos[k * n + t] = Math.cos(angle);
        sin[k * n + t] = Math.sin(angle);
      }
    }
    table = { cos, sin };
    dftTables.set(n, table);
  }
  return table;
}

/**
 * Forward real 2-D DFT, X[u,k] = Σ_{r,c} x[r,c] · exp(−2πi (u r/ny + k c/nx)),
 * returned as the half spectrum k = 0..nx>>1 (complex interleaved, [u][k] layout).
 * First a real DFT of every row (along columns c), then a complex DFT along rows r.
 */
export function rdft2(x: Float64Array, ny: number, nx: number): Float64Array {
  const nk = (nx >> 1) + 1;
  const { cos: cosX, sin: sinX } = dftTable(nx);
  const { cos: cosY, sin: sinY } = dftTable(ny);
  // Row transforms: rows[r][k] = Σ_c x[r,c] e^{−2πi k c/nx}
  const rows = new Float64Array(ny * nk * 2);
  for (let r = 0; r < ny; r++) {
    for (let k = 0; k < nk; k++) {
      let re = 0;
      let im = 0;
      for (let c = 0; c < nx; c++) {
        const v = x[r * nx + c];
        re += v * cosX[k * nx + c];
        im -= v * sinX[k * nx + c];
      }
      rows[(r * nk + k) * 2] = re;
      rows[(r * nk + k) * 2 + 1] = im;
    }
  }
  // Column transforms: out[u][k] = Σ_r rows[r][k] e^{−2πi u r/ny}
  const out = new Float64Array(ny * nk * 2);
  for (let u = 0; u < ny; u++) {
    for (let k = 0; k < nk; k++) {
      let re = 0;
      let im = 0;
      for (let r = 0; r < ny; r++) {
        const a = rows[(r * nk + k) * 2];
        const b = rows[(r * nk + k) * 2 + 1];
        const cs = cosY[u * ny + r];
        const sn = sinY[u * ny + r];
        // (a + ib)(cos − i sin)
        re += a * cs + b * sn;
        im += b * cs - a * sn;
      }
      out[(u * nk + k) * 2] = re;
      out[(u * nk + k) * 2 + 1] = im;
    }
  }
  return out;
}

/**
 * Inverse of rdft2: x[r,c] = 1/(ny·nx) Σ_{u,k} X[u,k] exp(+2πi (u r/ny + k c/nx)), where
 * the missing half of the spectrum is the Hermitian mirror X[u, nx−k] = conj X[−u, k].
 * After the inverse along rows, the imaginary parts that a real signal cannot carry
 * (k = 0 and, for even nx, k = nx/2) are ignored, as in every c2r transform.
 */
export function irdft2(spec: Float64Array, ny: number, nx: number): Float64Array {
  const nk = (nx >> 1) + 1;
  const { cos: cosX, sin: sinX } = dftTable(nx);
  const { cos: cosY, sin: sinY } = dftTable(ny);
  // Inverse along rows: rows[r][k] = Σ_u spec[u][k] e^{+2πi u r/ny}
  const rows = new Float64Array(ny * nk * 2);
  for (let r = 0; r < ny; r++) {
    for (let k = 0; k < nk; k++) {
      let re = 0;
      let im = 0;
      for (let u = 0; u < ny; u++) {
        const a = spec[(u * nk + k) * 2];
        const b = spec[(u * nk + k) * 2 + 1];
        const cs = cosY[r * ny + u];
        const sn = sinY[r * ny + u];
        // (a + ib)(cos + i sin)
        re += a * cs - b * sn;
        im += a * sn + b * cs;
      }
      rows[(r * nk + k) * 2] = re;
      rows[(r * nk + k) * 2 + 1] = im;
    }
  }
  // Complex-to-real along columns: x[r,c] = 1/(ny·nx) Σ_k m_k · Re(rows[r][k] e^{2πi k c/nx}),
  // with multiplicity m_k = 2 for the k that stand for themselves and their mirror nx − k,
  // and m_k = 1 for k = 0 and the Nyquist column k = nx/2 (even nx), whose imaginary
  // part is dropped.
  const out = new Float64Array(ny * nx);
  const scale = 1 / (ny * nx);
  for (let r = 0; r < ny; r++) {
    for (let k = 0; k < nk; k++) {
      const selfMirrored = k === 0 || 2 * k === nx;
      const weight = selfMirrored ? scale : 2 * scale;
      const a = rows[(r * nk + k) * 2];
      const b = selfMirrored ? 0 : rows[(r * nk + k) * 2 + 1];
      for (let c = 0; c < nx; c++) {
        out[r * nx + c] += weight * (a * cosX[k * nx + c] - b * sinX[k * nx + c]);
      }
    }
  }
  return out;
}

/**
 * Half spectrum of a ky×kx kernel zero-embedded in an ny×nx image with its origin
 * (ky>>1, kx>>1) moved to pixel (0, 0), so that x ⊛ k = irdft2(P̂ · rdft2(x)).
 */
export function psfSpectrum(psf: ArrayLike<number>, ky: number, kx: number, ny: number, nx: number): Float64Array {
  checkKernel(ny, nx, ky, kx, psf);
  const cy = ky >> 1;
  const cx = kx >> 1;
  const placed = new Float64Array(ny * nx);
  for (let a = 0; a < ky; a++) {
    for (let b = 0; b < kx; b++) {
      placed[mod(a - cy, ny) * nx + mod(b - cx, nx)] = psf[a * kx + b];
    }
  }
  return rdft2(placed, ny, nx);
}
