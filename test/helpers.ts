// Shared test utilities: fixture paths, .npy loading, norms, seeded random data.

import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseNpy } from '../src/io/npy.ts';

export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

export function fixture(rel: string): string {
  return FIXTURES + rel;
}

export function loadNpy(rel: string): { data: Float32Array | Float64Array; shape: number[] } {
  const path = fixture(rel);
  return parseNpy(readFileSync(path), path);
}

export function loadJson<T = any>(rel: string): T {
  return JSON.parse(readFileSync(fixture(rel), 'utf8')) as T;
}

/** ‖a − b‖₂ / ‖b‖₂ over the first b.length values. */
export function relL2(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let e = 0;
  let n = 0;
  for (let i = 0; i < b.length; i++) {
    e += (a[i] - b[i]) ** 2;
    n += b[i] ** 2;
  }
  return Math.sqrt(e / n);
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export function norm(a: ArrayLike<number>): number {
  return Math.sqrt(dot(a, a));
}

/** Deterministic uniform [-1, 1) data (mulberry32). */
export function randomArray(length: number, seed: number): Float64Array {
  let s = seed >>> 0;
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

const BIN = fileURLToPath(new URL('../bin/galdecon.js', import.meta.url));

/** Runs the galdecon command in a child process. */
export function galdecon(args: string[], opts: { cwd?: string; timeoutMs?: number; env?: Record<string, string> } = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8', cwd: opts.cwd, timeout: opts.timeoutMs ?? 180_000, env: opts.env ? { ...process.env, ...opts.env } : undefined,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A rows × cols matrix (row-major) with orthonormal columns: Gram–Schmidt on seeded random columns. */
export function orthonormalColumns(rows: number, cols: number, seed: number): Float64Array {
  const q = randomArray(rows * cols, seed);
  for (let k = 0; k < cols; k++) {
    for (let j = 0; j < k; j++) {
      let d = 0;
      for (let i = 0; i < rows; i++) d += q[i * cols + k] * q[i * cols + j];
      for (let i = 0; i < rows; i++) q[i * cols + k] -= d * q[i * cols + j];
    }
    let s = 0;
    for (let i = 0; i < rows; i++) s += q[i * cols + k] ** 2;
    s = Math.sqrt(s);
    for (let i = 0; i < rows; i++) q[i * cols + k] /= s;
  }
  return q;
}

/** The product a diag(s) bᵀ (a: rows × q, b: cols × q, row-major; q = s.length): rows × cols, sums in k order. */
export function scaledProduct(a: ArrayLike<number>, s: ArrayLike<number>, b: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const q = s.length;
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      let x = 0;
      for (let k = 0; k < q; k++) x += a[i * q + k] * s[k] * b[j * q + k];
      out[i * cols + j] = x;
    }
  }
  return out;
}
