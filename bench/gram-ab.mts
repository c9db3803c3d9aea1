// A/B timing of the pixels' Gram kernels between .wasm builds in one process (CPU time,
// min over rounds, builds alternated call by call), after checking that both builds give
// the same bits: gramFixed (one Gram block of the low-rank prior past ny·nx objects: ny·nx
// pixel rows of `block` objects, the lower triangle into 128-bit fixed point) and
// gramObjects (the driver's N × N Gram up to ny·nx objects).
//   npx tsx bench/gram-ab.mts old.wasm new.wasm [41x41 ...] [--block 316]
import { interleaved, loadBuilds } from './ab.ts';

const args = process.argv.slice(2);
const files = args.filter((a) => a.endsWith('.wasm'));
const sizes = args.filter((a) => /^\d+x\d+$/.test(a)).map((s) => s.split('x').map(Number) as [number, number]);
if (!sizes.length) sizes.push([41, 41]);
const at = args.indexOf('--block');
const block = at >= 0 ? Number(args[at + 1]) : 316; // gramBlock(10,000)
const mods = loadBuilds(files);
const ROUNDS = +(process.env.ROUNDS ?? 5);
for (const [ny, nx] of sizes) {
  const npix = ny * nx;
  const entries = (npix * (npix + 1)) / 2;
  const objects = 400; // the objects' Gram: 400 columns of npix
  const setups = mods.map((m) => {
    const rows = m.alloc('f32', npix * block);
    const r = m.f32(rows);
    for (let i = 0; i < r.length; i++) r[i] = Math.sin(i * 0.37) * (1 + (i % 7));
    const acc = m.alloc('f64', 2 * entries);
    const cols = m.alloc('f32', objects * npix);
    const c = m.f32(cols);
    for (let i = 0; i < c.length; i++) c[i] = Math.cos(i * 0.11) * (1 + (i % 5));
    const out = m.alloc('f64', objects * objects);
    return {
      words: () => {
        m.f64(acc).fill(0);
        m.gramFixed(rows, npix, block, acc);
        return m.i64(acc).slice();
      },
      objects: () => {
        m.gram(cols, objects, npix, out);
        return m.f64(out).slice();
      },
      tasks: {
        gramFixed: () => m.gramFixed(rows, npix, block, acc),
        gramObjects: () => m.gram(cols, objects, npix, out),
      } as Record<string, () => void>,
    };
  });
  const same = (a: ArrayLike<unknown>, b: ArrayLike<unknown>) => a.length === b.length && Array.from(a).every((v, i) => v === b[i]);
  const [w0, o0] = [setups[0].words(), setups[0].objects()];
  for (const [i, s] of setups.entries()) {
    if (!same(s.words(), w0) || !same(s.objects(), o0)) throw new Error(`${files[i]} does not give ${files[0]}'s bits at ${ny}×${nx}`);
  }
  const best = interleaved(setups.map((s) => s.tasks), ROUNDS, () => 1);
  for (const [name, us] of Object.entries(best)) {
    console.log(`${ny}×${nx} ${name}${name === 'gramFixed' ? ` (${block} objects)` : ` (${objects} objects)`}: ` +
      us.map((v, i) => `${files[i].split('/').at(-1)} ${(v / 1000).toFixed(1)} ms`).join(', ') + (us.length === 2 ? `  (B/A ${(us[1] / us[0]).toFixed(3)})` : ''));
  }
}
