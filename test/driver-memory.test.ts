// The driver never holds a stack: `galdecon run --schedule stream --truth --plots --mask
// --catalog` on 3,000 and on 24,000 objects (partitions of 100 objects in both) peaks at
// about the same resident memory. Holding any one of the larger stacks as float32 would add
// 154 MiB (input, PSFs, mask, output and truth: five times that); the catalogue is
// written by chunks as its rows are computed (it kept 15 numbers per object, 2.7 MiB at
// 24,000, until it was streamed). Local mode, so the agent thread counts
// too. Both sizes are past the fixed buffers' sizes (σ's selection keeps up to 4 M values).
// Measured here at 3,000 vs 24,000 (load 4.6–4.8): 222–229 vs 265–271 MiB; the ~45 MiB
// between them is garbage not yet collected (the main thread's heap and buffers stay flat),
// hence a limit of 80 MiB: above that noise, and well below one held stack. Before --mask
// and --catalog were read by chunks, this test measured 302 vs 956 MiB.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeNpy } from '../src/io/index.ts';
import { Proc } from './support/galdecon-procs.ts';
import { P, Y, tiled } from './support/nats-runs.ts';

const dir = mkdtempSync(join(tmpdir(), 'galdecon-drivermem-'));

/** Peak resident memory (MiB) of `galdecon run` on the example tiled `times` times. */
async function peakMiB(times: number): Promise<number> {
  const y = tiled(Y, times);
  const psf = tiled(P, times);
  const files = { y: join(dir, `y-${times}.npy`), psf: join(dir, `p-${times}.npy`), mask: join(dir, `m-${times}.npy`) };
  writeFileSync(files.y, encodeNpy(Float32Array.from(y.data), y.shape));
  writeFileSync(files.psf, encodeNpy(Float32Array.from(psf.data), psf.shape));
  writeFileSync(files.mask, encodeNpy(Float32Array.from(y.data, (_, q) => (q % 7 === 0 ? 0 : 1)), y.shape));
  const p = new Proc(['run', '--input', files.y, '--psf', files.psf, '--truth', files.y, '--output', join(dir, `x-${times}.fits`),
    '--mask', files.mask, '--catalog', join(dir, `c-${times}.fits`),
    '--plots', join(dir, `plots-${times}`), '--schedule', 'stream', '--agents', '1', '--partitions', String(times),
    '--n-iter', '2', '--n-reweights', '0', '--tolerance', '0', '--quiet'], { prefix: ['/usr/bin/time', '-f', 'maxrss_kb=%M'] });
  assert.equal(await p.exited, 0, p.stderr);
  const m = /maxrss_kb=(\d+)/.exec(p.stderr);
  assert.ok(m, p.stderr);
  return Number(m[1]) / 1024;
}

test('driver memory does not grow with the stack: 3,000 vs 24,000 objects', { skip: process.platform !== 'linux' }, async () => {
  const small = await peakMiB(30);
  const large = await peakMiB(240);
  console.log(`# peak resident memory: ${small.toFixed(0)} MiB for 3,000 objects, ${large.toFixed(0)} MiB for 24,000`);
  assert.ok(large - small < 80, `peak memory grew by ${(large - small).toFixed(0)} MiB from 3,000 to 24,000 objects`);
});
