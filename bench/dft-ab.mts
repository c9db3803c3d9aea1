// A/B timing of rfft2 / irfft2 between .wasm builds in one process (CPU time, min over
// rounds, calls alternated): npx tsx bench/dft-ab.mts old.wasm new.wasm [41x41 64x64 ...]
import { readFileSync } from 'node:fs';
import { instantiateSync } from '@assemblyscript/loader';
import { KernelModule } from '../src/kernels/index.ts';

const args = process.argv.slice(2);
const files = args.filter((a) => a.endsWith('.wasm'));
const sizes = args.filter((a) => /^\d+x\d+$/.test(a)).map((s) => s.split('x').map(Number) as [number, number]);
if (!sizes.length) sizes.push([41, 41], [64, 64], [40, 40], [45, 45]);
const mods = files.map((f) => new KernelModule(instantiateSync(new WebAssembly.Module(readFileSync(f)), { env: { abort() { throw new Error('abort'); } } }).exports as any));
const G = 16, N = G * 4, ROUNDS = +(process.env.ROUNDS ?? 30), REPS = 4;
for (const [ny, nx] of sizes) {
  const setups = mods.map((m) => {
    m.configure({ ny, nx, wavelet: 'linear' });
    const pix = m.alloc('f32', KernelModule.pixels(ny, nx, G)), out = m.alloc('f32', KernelModule.pixels(ny, nx, G));
    const spec = m.alloc('f32', KernelModule.spectrum(ny, nx, G));
    const v = m.f32(pix);
    for (let i = 0; i < v.length; i++) v[i] = Math.sin(i * 0.37);
    m.raw.rfft2(pix.ptr, spec.ptr, G);
    return { rfft2: () => m.raw.rfft2(pix.ptr, spec.ptr, G), irfft2: () => m.raw.irfft2(spec.ptr, out.ptr, G) } as Record<string, () => void>;
  });
  const best: Record<string, number[]> = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of Object.keys(setups[0])) {
      best[name] ??= files.map(() => Infinity);
      setups.forEach((s, i) => {
        const t = process.cpuUsage();
        for (let r = 0; r < REPS; r++) s[name]();
        const c = process.cpuUsage(t);
        best[name][i] = Math.min(best[name][i], (c.user + c.system) / REPS / N);
      });
    }
  }
  for (const [n, v] of Object.entries(best)) {
    const ratio = v.length > 1 ? `  speedup ${(v[0] / v[v.length - 1]).toFixed(2)}×` : '';
    console.log(`${ny}x${nx}`.padEnd(7), n.padEnd(7), v.map((x) => x.toFixed(2).padStart(7)).join(' '), 'µs/object', ratio);
  }
}
