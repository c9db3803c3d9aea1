// Loads the AssemblyScript kernels (build/galdecon.wasm) with @assemblyscript/loader.
// The module is compiled once per process; every KernelModule is its own instance with
// its own memory, so worker threads and partitions never share state by accident.

import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { fileURLToPath } from 'node:url';
import { instantiateSync } from '@assemblyscript/loader';
import { GaldeconError } from '../errors.ts';
import type { KernelExports } from './exports.generated.ts';

export type { KernelExports };

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
  const result = instantiateSync<Record<string, unknown>>(compile(), {
    env: {
      abort(_msg: number, _file: number, line: number, column: number): never {
        throw new Error(`galdecon.wasm aborted at ${line}:${column}`);
      },
    },
  });
  return result.exports as unknown as KernelExports;
}
