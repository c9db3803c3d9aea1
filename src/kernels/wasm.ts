// Loads the AssemblyScript kernels (build/galdecon.wasm) with @assemblyscript/loader.
// The module is compiled once per process; every KernelModule is its own instance with
// its own memory, so worker threads and partitions never share state by accident.

import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { fileURLToPath } from 'node:url';
import { instantiateSync } from '@assemblyscript/loader';
import { GaldeconError } from '../errors.ts';
import { KERNEL_FUNCTIONS, type KernelExports } from './exports.generated.ts';

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
  const module = new WebAssembly.Module(new Uint8Array(bytes));
  // A build older than the sources (a pull without `npm run build`) would otherwise fail
  // deep inside a run with "… is not a function".
  const exported = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
  const missing = KERNEL_FUNCTIONS.filter((f) => !exported.has(f));
  if (missing.length > 0) {
    throw new GaldeconError(
      'E_BUILD',
      `the WebAssembly kernels in ${WASM_PATH} are older than the sources (missing ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', …' : ''}): run \`npm run build\``,
    );
  }
  compiled = module;
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
