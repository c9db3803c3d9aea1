// Reading a file the user named with an option: io's errors, prefixed with the option, so
// every message says which option to fix (`--psf p.npy: not a .npy file`).

import { GaldeconError } from '../errors.ts';

/** Runs `read` and names `option` in any user-facing error it throws. */
export async function readFor<T>(option: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (e) {
    if (!(e instanceof GaldeconError) || e.message.startsWith('--')) throw e;
    // "--psf p.npy: not a .npy file", "--psf: cannot read p.npy: no such file"
    const sep = /^(cannot|refusing|no such)/.test(e.message) ? ': ' : ' ';
    throw new (e.constructor as new (message: string) => GaldeconError)(`${option}${sep}${e.message}`);
  }
}
