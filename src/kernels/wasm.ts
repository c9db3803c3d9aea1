// Loads the AssemblyScript kernels (build/galdecon.wasm) with @assemblyscript/loader.
// The module is compiled once per process; every KernelModule is its own instance with
// its own memory, so worker threads and partitions never share state by accident.

import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { fileURLToPath } from 'node:url';
import { instantiateSync } from '@assemblyscript/loader';
import { GaldeconError } from '../errors.ts';

/** The raw exports of assembly/index.ts. Pointers are byte offsets into `memory`. */
export interface KernelExports extends Record<string, unknown> {
  memory: WebAssembly.Memory;
  alloc(bytes: number): number;
  release(ptr: number): void;
  configure(ny: number, nx: number, wavelet: number): void;
  rfft2(pix: number, spec: number, groups: number): void;
  irfft2(spec: number, pix: number, groups: number): void;
  convolveSpectra(a: number, b: number, out: number, groups: number, conjugate: boolean): void;
  gradient(xh: number, ph: number, yh: number, out: number, groups: number): void;
  starlet(pix: number, bands: number, groups: number): void;
  starletAdjoint(bands: number, pix: number, groups: number): void;
  bandNorms(pix: number, out: number, groups: number): void;
  fillWeights(w: number, w0: number, groups: number): void;
  step(
    x: number, xh: number, ph: number, yh: number, dual: number, w: number, phix: number,
    first: number, count: number, iterations: number,
    tau: number, sigma: number, rho: number, positivity: boolean, costOut: number, costEvery: number,
  ): void;
  cost(xh: number, ph: number, yh: number, w: number, phix: number, out: number, groups: number): void;
  reweight(phix: number, w: number, w0: number, groups: number): void;
}

export const WASM_PATH = fileURLToPath(new URL('../../build/galdecon.wasm', import.meta.url));

let compiled: WebAssembly.Module | undefined;

function compile(): WebAssembly.Module {
  if (compiled) return compiled;
  // The kernels run long calls (a whole partition per step): code that starts in V8's
  // baseline tier stays there for the whole first call, and worker threads would each
  // start over. Compile with the optimising tier from the start (process-wide flag).
  setFlagsFromString('--no-liftoff');
  let bytes: Buffer;
  try {
    bytes = readFileSync(WASM_PATH);
  } catch {
    throw new GaldeconError(
      'E_BUILD',
      `the WebAssembly kernels are not built (${WASM_PATH} is missing): run \`npm run build\``,
    );
  }
  compiled = new WebAssembly.Module(new Uint8Array(bytes));
  return compiled;
}

/** A fresh instance of the kernels. */
export function instantiateKernels(): KernelExports {
  const result = instantiateSync<KernelExports>(compile(), {
    env: {
      abort(_msg: number, _file: number, line: number, column: number): never {
        throw new Error(`galdecon.wasm aborted at ${line}:${column}`);
      },
    },
  });
  return result.exports as unknown as KernelExports;
}
