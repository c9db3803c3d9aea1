// --shared-input: the files agents read the stacks from themselves. The driver's side
// names each file as every host should see it (absolute path, FITS address kept, size);
// the agent's side opens only files under the directories its `galdecon agent
// --shared-input` allows, of the driver's size, and only by offset. That the values read
// are the driver's is checked per partition by digest (cluster/shared-input.ts).

import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, resolve, sep } from 'node:path';
import { AgentError, InputError, OptionError } from '../errors.ts';
import { parseAddress } from '../io/index.ts';
import { openStack, type StackFile } from '../io/stack-source.ts';
import type { OpenShared, SharedFile } from '../cluster/index.ts';

/** The driver's side: `f`, opened from `spec` by option `option`, as agents are to open it. */
export async function sharedFile(option: string, spec: string, f: StackFile): Promise<SharedFile> {
  if (!f.streamed) {
    throw new InputError(`${option} ${spec} cannot be read by offset (only uncompressed FITS images, fixed-size table columns of stamps and C-order .npy can): agents would each read it whole; convert it, or run without --shared-input`);
  }
  const { file } = parseAddress(spec);
  const path = resolve(file);
  return { spec: path + spec.slice(file.length), size: (await stat(path)).size };
}

/** The agent's side: opens a file a driver names if it lies under one of `roots` (real paths). */
export function sharedOpener(roots: string[]): OpenShared {
  return async (file) => {
    const refuse = (why: string): never => {
      throw new AgentError('E_INPUT', `--shared-input: ${file.spec} ${why}`);
    };
    let path: string;
    try {
      path = parseAddress(file.spec).file;
    } catch {
      return refuse('is not a file name this agent reads');
    }
    if (!isAbsolute(path)) refuse('is not an absolute path');
    const real = await realpath(path).catch(() => refuse('is missing on this host'));
    if (!roots.some((r) => real === r || real.startsWith(r.endsWith(sep) ? r : r + sep))) {
      refuse(`is outside the directories this agent reads (galdecon agent --shared-input ${roots.join(',')})`);
    }
    const size = (await stat(real)).size;
    if (size !== file.size) refuse(`has ${size} bytes on this host and ${file.size} on the driver's: it is not the same file`);
    const f = await openStack(real + file.spec.slice(path.length)).catch((e: Error) => refuse(`cannot be read here: ${e.message}`));
    if (!f.streamed) {
      await f.close();
      refuse('cannot be read by offset');
    }
    return f;
  };
}

/** `galdecon agent --shared-input DIR[,DIR…]`: the directories, as real paths (each must exist). */
export async function sharedRoots(list: string): Promise<string[]> {
  const dirs = list.split(',').map((d) => d.trim()).filter((d) => d !== '');
  return Promise.all(dirs.map(async (d) => {
    const real = await realpath(d).catch(() => undefined);
    if (!real || !(await stat(real)).isDirectory()) {
      throw new OptionError(`--shared-input ${d} is not a directory; name the directories of the shared file system the agent may read`);
    }
    return real;
  }));
}
