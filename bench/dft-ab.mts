// A/B timing of rfft2 / irfft2 between .wasm builds in one process (CPU time, min over
// rounds, calls alternated): npx tsx bench/dft-ab.mts old.wasm new.wasm [41x41 64x64 ...]
import { KernelModule } from '../src/kernels/index.ts';
import { interleaved, loadBuilds } from './ab.ts';

const args = process.argv.slice(2);
const files = args.filter((a) => a.endsWith('.wasm'));
const sizes = args.filter((a) => /^\d+x\d+$/.test(a)).map((s) => s.split('x').map(Number) as [number, number]);
if (!sizes.length) sizes.push([41, 41], [64, 64], [40, 40], [45, 45]);
const mods = loadBuilds(files);
const G = 16, N = G * 4, ROUNDS = +(process.env.ROUNDS ?? 30), REPS = 4;
for (const [ny, nx] of sizes) {
  const setups = mods.map((m) => {
    m.configure({ ny, nx, wavelet: 'linear' });
    const pix = m.alloc('f32', KernelModule.pixels(ny, nx, G)), out = m.alloc('f32', KernelModule.pixels(ny, nx, G));
    const spec = m.alloc('f32', KernelModule.spectrum(ny, nx, G));
    const v = m.f32(pix);
    for (let i = 0; i < v.length; i++) v[i] = Math.sin(i * 0.37);
    m.dft(pix, spec, G);
    return { rfft2: () => m.dft(pix, spec, G), irfft2: () => m.inverseDft(spec, out, G) } as Record<string, () => void>;
  });
  const best = interleaved(setups, ROUNDS, () => N, REPS);
  for (const [n, v] of Object.entries(best)) {
    const ratio = v.length > 1 ? `  speedup ${(v[0] / v[v.length - 1]).toFixed(2)}×` : '';
    console.log(`${ny}x${nx}`.padEnd(7), n.padEnd(7), v.map((x) => x.toFixed(2).padStart(7)).join(' '), 'µs/object', ratio);
  }
}
