// A/B of a checkpoint's frame copy (protocol.writeSnapshot) into fresh memory vs into a
// frame reused from cluster/nats/frames.ts, 2,000 objects at iteration 50. Needs
// bench/results/data/{observed,psfs}-2000.npy (`npm run bench -- --checkpoint --max-objects 2000` makes them).
// Usage: npx tsx bench/frame-ab.mts
import { readFileSync } from 'node:fs';
import { KernelModule } from '../src/kernels/index.ts';
import { Batch } from '../src/solver/batch.ts';
import { resolveOptions } from '../src/solver/options.ts';
import { parseNpy } from '../src/io/npy.ts';
import { writeSnapshot } from '../src/cluster/protocol.ts';
import { FramePool } from '../src/cluster/nats/frames.ts';
const n = 2000;
const y = parseNpy(readFileSync(new URL('results/data/', import.meta.url).pathname + 'observed-2000.npy'), 'y').data as Float32Array;
const p = parseNpy(readFileSync(new URL('results/data/', import.meta.url).pathname + 'psfs-2000.npy'), 'p').data as Float32Array;
const b = new Batch(new KernelModule(), { y, psfs: p, shape: { n, ny: 41, nx: 41 }, psf: { n, ky: 41, kx: 41 }, noiseSigma: 3.76e-4, options: resolveOptions({}) });
b.step(50);
const pool = new FramePool();
for (let r = 0; r < 4; r++) {
  const parts = b.snapshot();
  let t = performance.now();
  writeSnapshot({ run: 'r0123456789abcdef01234567', partition: 0, op: 1 }, parts);
  const fresh = performance.now() - t;
  t = performance.now();
  const out = writeSnapshot({ run: 'r0123456789abcdef01234567', partition: 0, op: 1 }, parts, (k) => new Uint8Array(pool.take(k), 0, k));
  const pooled = performance.now() - t;
  pool.give(out.buffer as ArrayBuffer);
  console.log(`frame copy, 2000 objects: fresh ${fresh.toFixed(1)} ms, reused ${pooled.toFixed(1)} ms`);
}
