// --shared-input: agents read their partitions from files every host sees (the paper's
// distributed file system) instead of receiving the pixels. The driver names the files in
// the partition's spec (sealed with the run key like every request) with the SHA-256 of
// the values it read itself; the agent opens them through the `OpenShared` its process
// gives (which decides which files it may read at all), reads the partition by offset,
// applies the masking rule and refuses a partition whose values differ from the driver's.

import { createHash } from 'node:crypto';
import { AgentError } from '../errors.ts';
import { maskChunk } from '../solver/index.ts';
import type { StackSource } from '../common/types.ts';
import type { PartitionSpec, SharedFile } from './protocol.ts';

/** A shared file opened for reading by objects. */
export interface SharedSource extends StackSource {
  close(): Promise<void>;
}

/** Opens a file a driver named; throws AgentError('E_INPUT') for a file this agent may not read or that is not the driver's. */
export type OpenShared = (file: SharedFile) => Promise<SharedSource>;

/** The SHA-256 (hex) of a partition's inputs as float32: what the driver sends and what an agent's read must give. */
export function inputDigest(y: Float32Array, psfs: Float32Array, mask?: Float32Array): string {
  const h = createHash('sha256');
  for (const a of [y, psfs, ...(mask ? [mask] : [])]) h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  return h.digest('hex');
}

/** Float32, as the driver sends a partition's inputs (the kernels' precision). */
const float32 = (a: Float32Array | Float64Array): Float32Array => (a instanceof Float32Array ? a : Float32Array.from(a));

/** An agent's shared files, each opened once per run. */
export class SharedReader {
  private readonly files = new Map<string, Promise<SharedSource>>();

  constructor(private readonly openShared: OpenShared) {}

  /** The spec with its y, PSFs and mask read from the files it names, checked against the driver's digest. */
  async inputs(s: PartitionSpec): Promise<PartitionSpec> {
    const f = s.files!;
    const read = async (file: SharedFile) => (await this.open(file)).read(s.first, s.n);
    const raw = await read(f.y);
    const m = f.masking && maskChunk(raw, f.masking.weights && await read(f.masking.weights), f.masking.nan);
    const y = float32(m ? m.values : raw);
    const psfs = f.psf ? float32(await read(f.psf)) : s.psfs;
    const mask = m?.mask;
    if (inputDigest(y, psfs, mask) !== f.digest) {
      throw new AgentError('E_INPUT', `partition ${s.partition} as read here from ${[f.y, f.psf, f.masking?.weights].filter((x) => x).map((x) => x!.spec).join(', ')} differs from the driver's: was a file changed, or does this host see another file under that name?`);
    }
    const { files: _, ...rest } = s;
    return { ...rest, y, psfs, ...(mask ? { mask } : {}) };
  }

  private open(file: SharedFile): Promise<SharedSource> {
    const key = `${file.spec}\n${file.size}`;
    let f = this.files.get(key);
    if (!f) {
      f = this.openShared(file);
      this.files.set(key, f);
      f.catch(() => this.files.delete(key));
    }
    return f;
  }

  /** Closes every file (the run ended). */
  async close(): Promise<void> {
    const open = [...this.files.values()];
    this.files.clear();
    await Promise.allSettled(open.map(async (f) => (await f).close()));
  }
}
